"""Small helpers the rules share for wording and filtering."""

from __future__ import annotations

from droplint.sites import Site


def active(chain: tuple[Site, ...] | list[Site]) -> list[Site]:
    """Sites of a series that actually drop something."""
    return [s for s in chain if s.active != "never" and (s.rate is None or s.rate > 0)]


def describe(site: Site) -> str:
    source = f" from module '{site.source}'" if site.source else ""
    return f"'{site.layer}' ({site.cls} {rate(site.rate)}{source})"


def rate(value: float | None) -> str:
    return "?" if value is None else f"{value:.3g}"


def names(nodes: list, most: int = 4) -> str:
    """'a' (Relu), 'b' (Reshape) for a list of nodes (the first few), or 'nothing'."""
    shown = ", ".join(f"'{n.id}' ({n.op})" for n in nodes[:most]) or "nothing"
    return shown + (f" and {len(nodes) - most} more" if len(nodes) > most else "")


def via(between: list) -> str:
    """'directly' or "through 'a' (ReLU)" for the nodes passed between two others."""
    return f"through {names(between)}" if between else "directly"
