"""Rule options: settings a rule reads, declared once with their default and their check.

The configuration accepts exactly the options the rules declare (`[tool.droplint]` keys), and
checks each value with the option's own `parse`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class OptionError(ValueError):
    """A value an option cannot take; the message says what it must be."""


@dataclass(frozen=True)
class Option:
    key: str  # as written in the config file
    default: Any
    parse: Callable[[Any], Any]  # the value as read from TOML -> the value rules see
    help: str

    def __hash__(self) -> int:
        return hash(self.key)


def _rate_below_one(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise OptionError("must be a number in [0, 1)")
    return float(value)


def _globs(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise OptionError("must be a list of strings")
    return tuple(v.strip() for v in value)


HIGH_RATE = Option("high-rate", 0.5, _rate_below_one, "rates above it are reported (DL302)")
MC_DROPOUT = Option(
    "mc-dropout",
    (),
    _globs,
    "layer-name globs where dropout at inference is intended (Monte-Carlo dropout)",
)


def matches(globs: tuple[str, ...], name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, glob) for glob in globs)
