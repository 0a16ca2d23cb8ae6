"""Draw a laid-out scene as SVG: boxes, dropout pills on the edges, rates, finding badges.

Text is monospace so sizes can be computed here without a browser: every box knows its size
before grandalf places it. The same SVG is the `-o model.svg` file and the body of the HTML page.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from droplint.picture.layout import Layout, Placed, Point, lay_out
from droplint.picture.scene import Box, Link, Scene
from droplint.wording import rate_text

FONT = 12.0
CHAR = 7.3  # width of one monospace character at FONT px, a little generous
LINE = 16.0
PAD_X, PAD_Y = 10.0, 6.0
BADGE_H = 18.0
MAX_CHARS = 56  # longer lines are shortened in the middle (the full text is in the tooltip)
MOST_SHOWN = 8  # dropouts named in a link's tooltip (the newest of a long series)
HEADER_H = 58.0
MARGIN = 16.0

STYLE = """
svg.droplint { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono",
  "Liberation Mono", monospace; font-size: 12px; background: #fff; }
.box rect.frame { fill: #fff; stroke: #5f6368; stroke-width: 1.2; }
.box.input rect.frame { fill: #e8f0fe; stroke: #1a73e8; }
.box.site rect.frame { fill: #fff3e0; stroke: #e65100; stroke-width: 1.6; }
.box.group rect.frame { fill: #f5f5f5; stroke: #9e9e9e; stroke-dasharray: 5 3; }
.box.output rect.frame { stroke-width: 2.4; }
.box.sev-warning rect.frame { stroke: #c77800; stroke-width: 2.6; }
.box.sev-error rect.frame { stroke: #c62828; stroke-width: 2.8; }
.box text { fill: #202124; }
.box text.title { font-weight: bold; }
.box text.sub, .box text.dim { fill: #5f6368; }
.box text.drop { fill: #bf360c; }
.box text.gate { fill: #6a1b9a; }
.box text.attention { fill: #00695c; }
.box text.off { fill: #9e9e9e; text-decoration: line-through; }
.box text.alert { fill: #c62828; font-weight: bold; }
.badge rect { stroke: none; }
.badge.info rect { fill: #0277bd; } .badge.warning rect { fill: #c77800; }
.badge.error rect { fill: #c62828; }
.badge text { fill: #fff; font-size: 11px; font-weight: bold; }
path.link { fill: none; stroke: #9aa0a6; stroke-width: 1.3; }
path.link.dropped { stroke: #ef6c00; }
text.rate { fill: #bf360c; font-size: 11px; font-weight: bold; }
rect.rate { fill: #fff; stroke: #ef6c00; stroke-width: 0.8; }
text.head { font-size: 14px; font-weight: bold; fill: #202124; }
text.headsub { fill: #5f6368; }
.legend text { font-size: 11px; fill: #5f6368; }
.legend rect.site { fill: #fff3e0; stroke: #e65100; stroke-width: 1.6; }
svg.lazy g.box text { display: none; }
svg.lazy g.box.shown text { display: inline; }
.legend rect.group { fill: #f5f5f5; stroke: #9e9e9e; stroke-dasharray: 5 3; }
"""


@dataclass
class Drawing:
    svg: str
    layout: Layout
    ids: dict[str, str]  # box id -> DOM id (n0, n1, ...)


def draw(
    scene: Scene, direction: str = "LR", standalone: bool = True, lazy: bool = False
) -> Drawing:
    """Lay the scene out and draw it. lazy: the boxes' text stays hidden until the page's viewer
    shows it for the boxes in view (laying out tens of thousands of texts takes seconds)."""
    contents = {b.id: content(b) for b in scene.boxes.values()}
    sizes = {b: _size(lines, scene.boxes[b]) for b, lines in contents.items()}
    labels = [(_text_w(k.label) + 10, 16.0) if k.label else None for k in scene.links]
    ends = [(k.src, k.dst, s) for k, s in zip(scene.links, labels, strict=True)]
    layout = lay_out(sizes, ends, direction)
    drawn = zip(scene.links, layout.paths, layout.labels, strict=True)
    ids = {b: f"n{i}" for i, b in enumerate(scene.boxes)}
    lr = direction == "LR"
    width = max(layout.width, _header_w(scene)) + 2 * MARGIN
    height = layout.height + HEADER_H + 2 * MARGIN
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="droplint{" lazy" if lazy else ""}" '
        f'width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">',
        f"<style>{STYLE}</style>",
        _defs(),
        *_header(scene),
        f'<g class="graph" transform="translate({MARGIN},{MARGIN + HEADER_H})">',
        '<g class="links">',
        *(_link(k, p, lab, lr) for k, p, lab in drawn),
        "</g>",
        '<g class="boxes">',
        *(
            _box(scene.boxes[b], layout.boxes[b], ids[b], contents[b], standalone)
            for b in scene.boxes
        ),
        "</g></g></svg>",
    ]
    prolog = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    return Drawing(prolog + "\n".join(out) + "\n", layout, ids)


def content(box: Box) -> list[tuple[str, str]]:
    """The text lines of a box, with their style classes."""
    lines = [(box.title, "title"), (box.subtitle, "sub")]
    lines += [(ln.text, ln.style or "dim") for ln in box.lines]
    if box.output:
        lines.append(("→ model output", "dim"))
    return [(_shorten(t), c) for t, c in lines]


def _shorten(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    half = (MAX_CHARS - 1) // 2
    return f"{text[:half]}…{text[-half:]}"


def _text_w(text: str) -> float:
    return len(text) * CHAR


def _size(lines: list[tuple[str, str]], box: Box) -> tuple[float, float]:
    widths = [_text_w(t) for t, _ in lines] + [_badges_w(box)]
    height = len(lines) * LINE + 2 * PAD_Y + (BADGE_H + 4 if box.findings else 0)
    return max(widths) + 2 * PAD_X, height


def _badges_w(box: Box) -> float:
    return sum(_text_w(f.code) + 12 for f in box.findings)


def _defs() -> str:
    arrow = (
        '<marker id="{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="{color}"/></marker>'
    )
    return (
        "<defs>"
        + arrow.format(id="arrow", color="#9aa0a6")
        + arrow.format(id="arrow-drop", color="#ef6c00")
        + "</defs>"
    )


def _header_w(scene: Scene) -> float:
    legend = sum(46 + _text_w(text) * 11 / 12 for _, text in LEGEND)
    return max(_text_w(scene.path) * 14 / 12, _text_w(_summary(scene)), legend)


def _summary(scene: Scene) -> str:
    counts: dict[str, int] = {}
    for f in [*scene.model_findings, *(f for b in scene.boxes.values() for f in b.findings)]:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    found = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in sorted(counts.items()))
    model = " · ".join(f"{f.code} {f.name}" for f in scene.model_findings)
    return " · ".join(p for p in (scene.header, found or "no findings", model) if p)


def _header(scene: Scene) -> list[str]:
    y = MARGIN + 14
    legend = _legend(MARGIN, y + 36)
    return [
        f'<text class="head" x="{MARGIN}" y="{y}">{escape(scene.path)}</text>',
        f'<text class="headsub" x="{MARGIN}" y="{y + 18}">{escape(_summary(scene))}</text>',
        legend,
    ]


LEGEND = [
    ("site", "output dropout: rate, mask shape"),
    ("line", "dropped-out values (eff. = compounded rate)"),
    ("group", "layers without dropout, collapsed"),
]


def _legend(x: float, y: float) -> str:
    parts = ['<g class="legend">']
    for kind, text in LEGEND:
        if kind == "line":
            parts.append(f'<path class="link dropped" d="M{x},{y - 4} h22" stroke-width="3"/>')
        else:
            parts.append(
                f'<rect class="{kind}" x="{x}" y="{y - 10}" width="22" height="12" '
                f'rx="{6 if kind == "site" else 2}"/>'
            )
        parts.append(f'<text x="{x + 28}" y="{y}">{escape(text)}</text>')
        x += 28 + _text_w(text) * 11 / 12 + 18
    parts.append("</g>")
    return "".join(parts)


def _box(box: Box, at: Placed, dom_id: str, lines: list[tuple[str, str]], titled: bool) -> str:
    x0, y0 = at.x - at.w / 2, at.y - at.h / 2
    classes = ["box", box.kind] + (["output"] if box.output else [])
    if box.severity:
        classes.append(f"sev-{box.severity}")
    radius = min(at.h / 2, 14) if box.kind == "site" else 4
    out = [
        f'<g class="{" ".join(classes)}" id="{dom_id}" data-id={quoteattr(box.id)}>',
        f"<title>{escape(tooltip(box))}</title>" if titled else "",
        f'<rect class="frame" x="{x0:.1f}" y="{y0:.1f}" width="{at.w:.1f}" height="{at.h:.1f}" '
        f'rx="{radius:.1f}"/>',
    ]
    for i, (text, cls) in enumerate(lines):
        y = y0 + PAD_Y + (i + 1) * LINE - 4
        out.append(f'<text class="{cls}" x="{x0 + PAD_X:.1f}" y="{y:.1f}">{escape(text)}</text>')
    bx, by = x0 + PAD_X, y0 + PAD_Y + len(lines) * LINE + 2
    for f in box.findings:
        w = _text_w(f.code) + 8
        out.append(
            f'<g class="badge {f.severity}"><rect x="{bx:.1f}" y="{by:.1f}" width="{w:.1f}" '
            f'height="{BADGE_H - 2}" rx="3"/><text x="{bx + 4:.1f}" y="{by + 12:.1f}">'
            f"{escape(f.code)}</text></g>"
        )
        bx += w + 4
    out.append("</g>")
    return "".join(out)


def tooltip(box: Box) -> str:
    """Plain text of a box, for SVG viewers' tooltips."""
    lines = [box.title, box.subtitle, *(ln.text for ln in box.lines), *box.notes]
    lines += [f"{f.severity} {f.code} {f.name}: {f.message}" for f in box.findings]
    if box.kind == "group":
        names = [f"{m.id} ({m.op})" for m in box.members[:40]]
        lines += names + ([f"… {len(box.members) - 40} more"] if len(box.members) > 40 else [])
    return "\n".join(lines)


def _link(link: Link, path: list[Point], label: Placed | None, lr: bool) -> str:
    rate = link.rate
    dropped = bool(link.chain)
    width = 1.5 + 5 * min(rate or 0.0, 1.0) if dropped else 1.3
    cls = "link dropped" if dropped else "link"
    marker = "arrow-drop" if dropped else "arrow"
    out = [
        f'<path class="{cls}" d="{_curve(path, lr)}" stroke-width="{width:.1f}" '
        f'marker-end="url(#{marker})">'
    ]
    if dropped:
        shown = list(link.chain)[-MOST_SHOWN:]  # a long series: its newest members
        more = len(link.chain) - len(shown)
        names = ("… " if more else "") + " → ".join(f"{s.layer} {rate_text(s.rate)}" for s in shown)
        out.append(f"<title>{escape(f'eff. {rate_text(rate)}: {names}')}</title>")
    out.append("</path>")
    if label is not None and link.label:
        x0, y0 = label.x - label.w / 2, label.y - label.h / 2
        out.append(
            f'<rect class="rate" x="{x0:.1f}" y="{y0:.1f}" width="{label.w:.1f}" '
            f'height="{label.h:.1f}" rx="3"/><text class="rate" x="{x0 + 5:.1f}" '
            f'y="{y0 + 12:.1f}">{escape(link.label)}</text>'
        )
    return "".join(out)


def _curve(points: list[Point], lr: bool) -> str:
    """A smooth path through the points, leaving and entering along the main direction."""
    (x, y), rest = points[0], points[1:]
    d = [f"M{x:.1f},{y:.1f}"]
    for nx, ny in rest:
        if lr:
            mx = (x + nx) / 2
            d.append(f"C{mx:.1f},{y:.1f} {mx:.1f},{ny:.1f} {nx:.1f},{ny:.1f}")
        else:
            my = (y + ny) / 2
            d.append(f"C{x:.1f},{my:.1f} {nx:.1f},{my:.1f} {nx:.1f},{ny:.1f}")
        x, y = nx, ny
    return " ".join(d)
