"""keras_hub classes: where a backbone, task or layer applies dropout, from its saved arguments.

A keras_hub model saved whole (`model.save`, `save_to_preset`) keeps only its constructor
arguments, not its layers. The table in hub/keras_hub-<release>.json, written from that release
by samples/make_hub_table.py, lists each class's dropouts as templates: a path under the object
(with `{i}` for those repeated per layer), attention probabilities or other values, and the
argument that sets the rate. A class droplint has no template for, a file from another release,
or arguments the template does not know, are unknown: the layer is one droplint cannot see into.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from droplint.enums import Active, Where
from droplint.graph import Node
from droplint.sites.model import Site, as_rate

HERE = Path(__file__).resolve().parent / "hub"
RELEASE = "0.32.0"  # the keras_hub release the table was written from
PACKAGES = ("keras_hub", "keras_nlp")
BASE_KEYS = {"name", "trainable", "dtype"}  # every layer's config has these
MAX_REPEAT = 10_000  # layers a count argument may ask for


@dataclass(frozen=True)
class Template:
    cls: str
    sites: list[dict[str, Any]]
    params: dict[str, Any]  # the constructor's arguments and defaults
    fixed: dict[str, Any]  # arguments the structure is modelled at only this value of
    weighted: bool


@cache
def table() -> dict[str, Any]:
    return json.loads((HERE / f"keras_hub-{RELEASE}.json").read_text(encoding="utf-8"))


def is_hub(module: str | None) -> bool:
    return bool(module) and any(p in str(module) for p in PACKAGES)


def template(cls: str, module: str | None, attrs: dict[str, Any], release: str | None):
    """The class's template, if droplint can model this saved layer; None if not."""
    if not is_hub(module) or (release is not None and release != RELEASE):
        return None
    entry = table()["classes"].get(cls)
    if entry is None or not _fits(entry, attrs):
        return None
    return Template(cls, entry["sites"], entry["params"], entry["fixed"], entry["weighted"])


def _fits(entry: dict[str, Any], attrs: dict[str, Any]) -> bool:
    """The saved arguments are those the template knows, at values it models."""
    if set(attrs) - set(entry["params"]) - BASE_KEYS:
        return False  # an argument this release does not have: saved by another one
    if entry.get("backbone"):
        backbone = attrs.get("backbone")
        inner = backbone.get("config") if isinstance(backbone, dict) else None
        cls = backbone.get("class_name") if isinstance(backbone, dict) else None
        known = table()["classes"].get(cls)
        if not isinstance(inner, dict) or known is None or not _fits(known, inner):
            return False
    return all(_value(attrs, entry["params"], k) == v for k, v in entry["fixed"].items())


def _value(attrs: dict[str, Any], params: dict[str, Any], name: str) -> Any:
    """An argument's saved value (backbone.x: the backbone's), or its default."""
    if name.startswith("backbone."):
        backbone = attrs.get("backbone", {}).get("config", {})
        cls = attrs.get("backbone", {}).get("class_name")
        defaults = table()["classes"].get(cls, {}).get("params", {})
        return _value(backbone, defaults, name.removeprefix("backbone."))
    return attrs.get(name, params.get(name))


def hub_sites(layer: Node, outer: Node, tmpl: Template) -> Iterator[Site]:
    """The sites of a modelled keras_hub layer, under its path."""
    backbone = layer.attrs.get("backbone", {})
    backbone_name = backbone.get("config", {}).get("name") if isinstance(backbone, dict) else None
    for entry in tmpl.sites:
        raw = entry["rate"] if "rate" in entry else _value(layer.attrs, tmpl.params, entry["param"])
        rate = as_rate(raw)
        if entry.get("when_positive") and not (rate and rate > 0):
            continue  # the class makes this layer only for a positive rate
        prefix = layer.path
        if entry.get("under") == "backbone" and backbone_name:
            prefix = f"{prefix}/{backbone_name}"
        for path in _paths(entry, layer.attrs, tmpl.params):
            yield _site(layer, outer, tmpl, entry, f"{prefix}/{path}" if path else prefix, raw)


def _paths(entry: dict[str, Any], attrs: dict[str, Any], params: dict[str, Any]) -> list[str]:
    if "repeat" not in entry:
        return [entry["path"]]
    count = _value(attrs, params, entry["repeat"])
    if type(count) is not int or not 0 <= count <= MAX_REPEAT:
        return []
    start = entry.get("start", 0)
    return [entry["path"].format(i=start + i) for i in range(count)]


def _site(
    layer: Node, outer: Node, tmpl: Template, entry: dict[str, Any], path: str, raw: Any
) -> Site:
    where = Where.ATTENTION if entry["where"] == "attention" else Where.INTERNAL
    rate = as_rate(raw)
    what = "drops attention probabilities" if where == Where.ATTENTION else "a Dropout"
    param = entry.get("param", "")
    note = f"{what} inside {tmpl.cls} (keras_hub {RELEASE}"
    note += f", set by {param})" if param else ", fixed by the class)"
    site = Site(outer.id, path, entry["cls"], where, param or "rate", rate, shared_axes=[],
                raw_rate=raw, note=note)  # fmt: skip
    if rate == 0:
        site.active = Active.NEVER
    return site


def weighted(cls: str) -> bool:
    entry = table()["classes"].get(cls)
    return bool(entry and entry["weighted"])
