"""Which Keras wrote a file, as the facts droplint keys on (major, minor, tf-keras or not)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KerasVersion:
    producer: str  # keras | tf-keras
    major: int
    minor: int

    @classmethod
    def of(cls, producer: str, version: str | None) -> KerasVersion:
        nums = [int(p) for p in (version or "").replace("-", ".").split(".")[:2] if p.isdigit()]
        major, minor = ([*nums, 0, 0])[:2] if nums else (3 if producer == "keras" else 2, 0)
        return cls(producer, major, minor)

    @property
    def keras3(self) -> bool:
        return self.major >= 3

    @property
    def tf_keras(self) -> bool:
        return self.producer == "tf-keras"

    def at_least(self, minor: int) -> bool:
        return self.minor >= minor
