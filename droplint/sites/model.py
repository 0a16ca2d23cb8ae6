"""The record of one dropout site, shared by every format's semantics."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
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
    remedy: str = field(default="", repr=False)  # the fix, in the framework's words, if ignored
    gated: bool = field(default=True, repr=False)  # False: the op has no train/eval switch

    def to_dict(self) -> dict[str, Any]:
        """The public fields, in order (written out: asdict's deep copy is slow per site)."""
        axes = list(self.shared_axes) if self.shared_axes is not None else None
        return {"layer": self.layer, "class": self.cls, "where": self.where,
                "param": self.param, "rate": self.rate, "masks": self.masks,
                "time_constant": self.time_constant, "shared_axes": axes, "noise": self.noise,
                "active": self.active, "note": self.note, "effective_rate": self.effective_rate,
                "source": self.source}  # fmt: skip


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
    try:
        rate = float(value)
    except OverflowError:  # an integer beyond any float
        return None
    return rate if math.isfinite(rate) else None  # NaN and infinities are no rates


def dropout_settings(attrs: dict[str, Any], depth: int = 3) -> dict[str, Any]:
    """Settings that look like dropout rates and are set to something other than off; a value
    that is not a number, text or a short list of them is shown as a short text. Objects saved
    inside the config (a keras_hub task's backbone) are looked into, their keys dotted:
    `backbone.dropout`."""
    found: dict[str, Any] = {}
    for key, value in attrs.items():
        if isinstance(value, dict):
            inner = value.get("config") if isinstance(value.get("config"), dict) else value
            if depth > 0:
                nested = dropout_settings(inner, depth - 1)
                found.update((f"{key}.{k}", v) for k, v in nested.items())
        elif _dropout_like(key, value) and value not in (None, False, 0, 0.0):
            found[key] = _shown(value)
    return found


# Names that dropout rates go by: Keras's rate and *dropout*, GPT-2's *_pdrop, timm's
# drop_path/attn_drop/proj_drop, drop_rate, keep_prob, stochastic_depth_rate; torch's p only
# as a probability. Not any *_rate: dilation_rate and learning_rate are none.
_DROP_WORDS = re.compile(r"dropout|pdrop|keep_prob|stochastic_depth|(^|_)drop($|_)", re.IGNORECASE)


def _dropout_like(key: str, value: Any) -> bool:
    if key == "p":
        return isinstance(value, float) and 0 < value <= 1
    return key == "rate" or bool(_DROP_WORDS.search(key))


def _shown(value: Any) -> Any:
    plain = (str, int, float, bool)
    if isinstance(value, plain) or value is None:
        return value
    if isinstance(value, list) and len(value) <= 16 and all(isinstance(v, plain) for v in value):
        return value
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


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


@dataclass(eq=False)
class Chain:
    """Output dropouts in series on a tensor, newest last, as a shared linked list: a series of
    n dropouts costs n cells, however many tensors carry it, and each cell keeps what its series
    compounds to, so nothing is recomputed along the way (a chain of 3,000 dropouts stays
    linear). Empty chains are None. Cells are never changed once made."""

    site: Site
    before: Chain | None
    length: int
    keep: float | None  # prod(1 - live rate) over the series; None when a rate is unknown
    seen_keep: float  # the same over the rates that are known
    last_active: Chain | None  # this cell or the nearest earlier one that drops something
    active_count: int

    @classmethod
    def extend(cls, before: Chain | None, site: Site) -> Chain:
        rate = live_rate(site)
        factor = None if rate is None else 1.0 - min(max(rate, 0.0), 1.0)
        keep, seen = (before.keep, before.seen_keep) if before else (1.0, 1.0)
        cell = cls(
            site, before, (before.length if before else 0) + 1,
            None if keep is None or factor is None else keep * factor,
            seen * (1.0 if factor is None else factor),
            before.last_active if before else None,
            before.active_count if before else 0,
        )  # fmt: skip
        if site.active != Active.NEVER and (site.rate is None or site.rate > 0):
            cell.last_active, cell.active_count = cell, cell.active_count + 1
        return cell

    def rate(self) -> float | None:
        """The compounded rate: 1 - prod(1 - rate), None if a rate is unknown."""
        return None if self.keep is None else round(1.0 - self.keep, 6)

    def visible(self) -> tuple[float, bool]:
        """The compounded rate of the known rates, and whether one was unknown."""
        return round(1.0 - self.seen_keep, 6), self.keep is None

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[Site]:
        """Oldest first (walks the whole series: for messages, bound it with active(most))."""
        cells, cell = [], self
        while cell is not None:
            cells.append(cell.site)
            cell = cell.before
        return reversed(cells)

    def active(self, most: int | None = None) -> list[Site]:
        """The sites that drop something, oldest first; only the `most` newest ones if given."""
        found: list[Site] = []
        cell = self.last_active
        while cell is not None and (most is None or len(found) < most):
            found.append(cell.site)
            cell = cell.before.last_active if cell.before else None
        return found[::-1]


def compound(rates: list[float | None]) -> float | None:
    """Rate of dropouts applied in series: 1 - prod(1 - r). None if any rate is unknown."""
    keep = 1.0
    for r in rates:
        if r is None:
            return None
        keep *= 1.0 - min(max(r, 0.0), 1.0)
    return round(1.0 - keep, 6)
