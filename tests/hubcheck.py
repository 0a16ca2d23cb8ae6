"""Matching droplint's sites of a keras_hub model with the Dropout layers the real model holds
(walked by samples/make_hub_table.py's real_dropouts): a site of a Dropout is at its path; an
attention site is at its attention layer's path, and stands for one of that layer's own
Dropouts, the one on the attention probabilities."""

from __future__ import annotations

from droplint.analysis import FileReport


def as_dropouts(report: FileReport, real: dict[str, float]) -> dict[str, float]:
    """droplint's sites as {Dropout path: rate}, to compare with real."""
    said = {s.layer: round(s.rate or 0.0, 6) for s in report.sites if s.where != "attention"}
    for site in (s for s in report.sites if s.where == "attention"):
        inside = [p for p in real if p.rsplit("/", 1)[0] == site.layer and p not in said]
        matched = [p for p in inside if real[p] == round(site.rate or 0.0, 6)]
        assert matched, (site.layer, inside)
        said[matched[0]] = round(site.rate or 0.0, 6)
    return said
