"""Small helpers the rules share for wording and filtering."""

from __future__ import annotations

from collections.abc import Iterable

from droplint.enums import Active, Noise, Where
from droplint.rules.options import MC_DROPOUT, matches
from droplint.rules.registry import Context
from droplint.sites import Site


def active(sites: Iterable[Site]) -> list[Site]:
    """Sites of a series that actually drop something."""
    return [s for s in sites if s.active != Active.NEVER and (s.rate is None or s.rate > 0)]


def output_sites(ctx: Context) -> list[Site]:
    return [s for s in ctx.sites if s.where == Where.OUTPUT]


def is_mc_dropout(ctx: Context, layer: str) -> bool:
    """The layer is listed in `mc-dropout`: dropout at inference is intended there."""
    return matches(ctx.option(MC_DROPOUT), layer)


MOST_RELATED = 20  # layers a finding lists in `related`


def bounded(layers: list[str]) -> list[str]:
    """At most MOST_RELATED names, then how many more."""
    if len(layers) <= MOST_RELATED:
        return layers
    return [*layers[:MOST_RELATED], f"... and {len(layers) - MOST_RELATED} more"]


def describe(site: Site) -> str:
    source = f" from module '{site.source}'" if site.source and site.source != site.layer else ""
    if site.noise == Noise.ADDITIVE:  # noise added, nothing dropped: no rate to speak of
        strength = "additive noise"
    else:
        strength = rate(site.rate) if site.rate is not None else f"{site.param} unknown"
    return f"'{site.layer}' ({site.cls} {strength}{source})"


def rate(value: float | None) -> str:
    return "?" if value is None else f"{value:.3g}"


def names(nodes: list, most: int = 4) -> str:
    """'a' (Relu), 'b' (Reshape) for a list of nodes (the first few), or 'nothing'."""
    shown = ", ".join(f"'{n.id}' ({n.op})" for n in nodes[:most]) or "nothing"
    return shown + (f" and {len(nodes) - most} more" if len(nodes) > most else "")


def via(between: list) -> str:
    """'directly' or "through 'a' (ReLU)" for the nodes passed between two others."""
    return f"through {names(between)}" if between else "directly"
