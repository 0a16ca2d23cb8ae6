"""The record of one dropout site, shared by every format's semantics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from droplint.enums import Active, Noise, Where


@dataclass
class Site:
    node: str  # id of the graph node whose call applies it
    layer: str  # path of the layer that owns the setting (inner layer for wrappers)
    cls: str  # Keras class or ONNX op
    where: Where
    param: str  # config key or ONNX input that sets the rate
    rate: float | None  # None when unknown or not a number
    masks: int | None = None  # independent masks, for gate sites
    time_constant: bool | None = None  # same mask at every timestep; None when not a sequence
    shared_axes: list[int] | None = None  # axes the mask is shared along (batch = 0)
    noise: Noise = Noise.BERNOULLI
    active: Active = Active.TRAINING
    note: str = ""  # how this framework version builds the mask, in words
    effective_rate: float | None = None  # compounded with the dropouts in series before it
    source: str | None = None  # the source module, where the exporter recorded it (ONNX)
    raw_rate: Any = field(default=None, repr=False)  # the value as saved, for invalid-rate rules
    ignored: str = field(default="", repr=False)  # why the saved framework version ignores it
    fails: str = field(default="", repr=False)  # why a training call with this setting fails
    invalid: str = field(default="", repr=False)  # why the setting does not fit the model
    stepwise: bool = field(default=False, repr=False)  # applied to each step on its own

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        cls = d.pop("cls")
        for private in ("node", "raw_rate", "ignored", "fails", "invalid", "stepwise"):
            d.pop(private)
        return {"layer": d.pop("layer"), "class": cls, **d}


def by_setting(sites: Iterable[Site]) -> list[list[Site]]:
    """Sites grouped by the one setting that makes them: the dropouts inside a composite layer
    (a keras_hub backbone) that share its argument and rate form one group; any other site is
    a group of its own. In the order of their first site."""
    groups: dict[tuple[Any, ...], list[Site]] = {}
    for i, s in enumerate(sites):
        inner = s.layer != s.node and s.where in (Where.INTERNAL, Where.ATTENTION)
        key = (s.node, s.param, s.rate) if inner else (i,)
        groups.setdefault(key, []).append(s)
    return list(groups.values())


def as_rate(value: Any) -> float | None:
    """A saved rate as a float, or None when it is not a real number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    rate = float(value)
    return rate if rate == rate else None  # NaN is not a rate


def dropout_settings(attrs: dict[str, Any]) -> dict[str, Any]:
    """Settings that look like dropout rates and are set to something other than off."""
    return {
        key: value
        for key, value in attrs.items()
        if (key == "rate" or "dropout" in key.lower())
        and value not in (None, False, 0, 0.0)
        and not isinstance(value, dict)
    }


def live_rate(site: Site) -> float | None:
    """A site's rate as it compounds: one the framework never applies counts as 0. Gaussian noise
    compounds like the Bernoulli rate of the same variance, as 1 - prod(1 - rate) does."""
    if site.active == Active.NEVER or site.noise == Noise.ADDITIVE:
        return 0.0  # never applied, or noise added to the values: none is dropped
    return site.rate


def chain_rate(sites: Iterable[Site]) -> float | None:
    """The compounded rate of dropouts in series."""
    return compound([live_rate(s) for s in sites])


def visible_rate(sites: Iterable[Site]) -> tuple[float, bool]:
    """The compounded rate of the dropouts in series whose rates are known, and whether any
    rate was unknown (then the true rate is at least that)."""
    rates = [live_rate(s) for s in sites]
    return compound([r or 0.0 for r in rates]) or 0.0, None in rates


def compound(rates: list[float | None]) -> float | None:
    """Rate of dropouts applied in series: 1 - prod(1 - r). None if any rate is unknown."""
    keep = 1.0
    for r in rates:
        if r is None:
            return None
        keep *= 1.0 - min(max(r, 0.0), 1.0)
    return round(1.0 - keep, 6)
