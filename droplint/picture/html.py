"""One self-contained HTML page: the SVG picture, its data, a small viewer script, no network.

The viewer (viewer.js, viewer.css beside this file) pans, zooms, shows a box's details on hover
and its findings with their rule pages on click, and searches layer names. Everything the page
needs is inlined; text from the model file only ever reaches the page escaped.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from droplint.picture.scene import Box, Scene
from droplint.picture.svg import HEADER_H, MARGIN, Drawing, draw
from droplint.rules import Finding

HERE = Path(__file__).resolve().parent
MAX_MEMBERS = 400  # layer names listed for one collapsed group
LAZY_FROM = 300  # boxes: from this many, text is laid out only for the boxes in view

CATCH_ERRORS = (
    "window.onerror=function(m,s,l,c){var d=document.getElementById('dl-errors');"
    "var p=document.createElement('div');p.className='dl-error';"
    "p.textContent='script error: '+m+' ('+l+':'+c+')';"
    "(d||document.documentElement).appendChild(p);};"
)


def render_html(scene: Scene, direction: str = "LR") -> str:
    drawing = draw(scene, direction, standalone=False, lazy=len(scene.boxes) >= LAZY_FROM)
    data = {**_data(scene, drawing), "direction": direction}
    title = escape(f"droplint: {scene.path}")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<script>{CATCH_ERRORS}</script>
<style>{_asset("viewer.css")}</style>
</head><body>
<div id="dl-errors"></div>
<header><span class="name">{escape(scene.path)}</span>
<span class="meta">{escape(scene.header)}</span>
<button id="model" title="model-wide findings">model</button>
<input id="search" type="search" placeholder="find a layer  ( / )" aria-label="find a layer">
<span id="count"></span>
<button id="zout" title="zoom out (-)">&minus;</button>
<button id="zin" title="zoom in (+)">+</button>
<button id="fit" title="fit (0)">fit</button></header>
<div id="stage">{drawing.svg}</div>
<aside id="panel" hidden></aside>
<div id="tip" hidden></div>
<script type="application/json" id="dl-data">{_json(data)}</script>
<script>{_asset("viewer.js")}</script>
</body></html>
"""


@cache
def _asset(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def _json(data: Any) -> str:
    """JSON that cannot close the script element it sits in."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _data(scene: Scene, drawing: Drawing) -> dict[str, Any]:
    dom = _dom_of(scene, drawing.ids)
    boxes = {}
    for box_id, box in scene.boxes.items():
        at = drawing.layout.boxes[box_id]
        place = [at.x + MARGIN, at.y + MARGIN + HEADER_H, at.w, at.h]
        boxes[drawing.ids[box_id]] = _box_data(box, [round(v, 1) for v in place], dom)
    findings = [f for b in scene.boxes.values() for f in b.findings] + scene.model_findings
    return {
        "path": scene.path,
        "header": scene.header,
        "boxes": boxes,
        "model": [_finding(f, dom) for f in scene.model_findings],
        "pages": {code: _page(code) for code in sorted({f.code for f in findings})},
    }


def _dom_of(scene: Scene, ids: dict[str, str]) -> dict[str, str]:
    """DOM id of the box showing each layer (by node id and by path, wrapped layers too)."""
    dom: dict[str, str] = {}
    for box_id, box in scene.boxes.items():
        for member in box.members:
            for n in member.walk():
                dom.setdefault(n.id, ids[box_id])
                dom.setdefault(n.path, ids[box_id])
    return dom


def _box_data(box: Box, place: list[float], dom: dict[str, str]) -> dict[str, Any]:
    members = [f"{m.id} ({m.op})" for m in box.members[:MAX_MEMBERS]]
    if len(box.members) > MAX_MEMBERS:
        members.append(f"… {len(box.members) - MAX_MEMBERS} more")
    return {
        "title": box.title,
        "sub": box.subtitle,
        "lines": [[ln.text, ln.style or "dim"] for ln in box.lines],
        "notes": box.notes,
        "findings": [_finding(f, dom) for f in box.findings],
        "members": members if len(box.members) > 1 else [],
        "count": len(box.members),
        "at": place,
    }


def _finding(f: Finding, dom: dict[str, str]) -> dict[str, Any]:
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "related": [[r, dom.get(r)] for r in f.related],
    }


@cache
def _page(code: str) -> str:
    """A rule page as HTML (markdown-it comes with rich), raw HTML in it disabled."""
    from droplint.pages import page

    text = page(code)
    if text is None:
        return ""
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # pragma: no cover - rich depends on it
        return f"<pre>{escape(text)}</pre>"
    return MarkdownIt("commonmark", {"html": False}).render(text)
