"""Place the scene's boxes with grandalf's Sugiyama (layered) layout.

grandalf lays out top-down; for left-to-right the boxes go in with width and height swapped and
the coordinates come out swapped back. An edge's label is a vertex of its own in the middle of
the edge, so the layout makes room for it as Graphviz does. Imported only by `droplint graph`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

Size = tuple[float, float]
Point = tuple[float, float]

GAP_ACROSS = 18.0  # between boxes of one layer
GAP_ALONG = 36.0  # between layers
GAP_COMPONENTS = 40.0  # between unconnected parts of a graph


class MissingLayout(Exception):
    """The layout library is not installed."""


@dataclass
class Placed:
    x: float  # centre
    y: float
    w: float
    h: float


@dataclass
class Layout:
    width: float
    height: float
    boxes: dict[str, Placed] = field(default_factory=dict)
    paths: list[list[Point]] = field(default_factory=list)  # one per link, source to target
    labels: list[Placed | None] = field(default_factory=list)  # one per link


def require() -> None:
    """Fail early, before any work, when grandalf is missing."""
    try:
        import grandalf.layouts  # noqa: F401
    except ImportError as exc:
        raise MissingLayout(str(exc)) from exc


class _View:
    def __init__(self, w: float, h: float) -> None:
        self.w, self.h = w, h
        self.xy: Point = (0.0, 0.0)


def lay_out(
    boxes: dict[str, Size],
    links: list[tuple[str, str, Size | None]],
    direction: str = "LR",
) -> Layout:
    """Positions for boxes (id -> size) and routes for links (source, target, label size)."""
    from grandalf.graphs import Edge, Vertex

    lr = direction == "LR"
    vertex = {b: Vertex(b) for b in boxes}
    for b, (w, h) in boxes.items():
        vertex[b].view = _View(h, w) if lr else _View(w, h)
    order: dict[object, float] = {b: i for i, b in enumerate(boxes)}
    edges, routes = [], []
    for i, (src, dst, label) in enumerate(links):
        chain = [vertex[src]]
        if label is not None:
            mid = Vertex(("label", i))
            order[mid.data] = order[src] + 0.5
            mid.view = _View(label[1], label[0]) if lr else _View(*label)
            chain.append(mid)
        chain.append(vertex[dst])
        pairs = [Edge(a, b) for a, b in pairwise(chain)]
        edges += pairs
        routes.append((pairs, chain[1] if label is not None else None))
    parts = _components([*vertex.values(), *(r[1] for r in routes if r[1])], edges)
    backward = {e for e in edges if _rank(e.v[0], order) > _rank(e.v[1], order)}
    offset = 0.0
    for part in parts:
        offset = _place(part, backward, offset) + GAP_COMPONENTS
    return _result(vertex, routes, lr)


def _components(vertices: list, edges: list) -> list:
    """grandalf's connected parts, in the order of their first vertex. Built edge by edge from
    a first vertex: grandalf's Graph() compares vertex sets for every vertex and edge, which
    takes seconds on a thousand boxes."""
    from grandalf.graphs import graph_core

    touching: dict[object, list] = {v: [] for v in vertices}
    for e in edges:
        touching[e.v[0]].append(e)
        touching[e.v[1]].append(e)
    seen: set = set()
    added: set = set()
    parts = []
    for first in vertices:
        if first in seen:
            continue
        part = graph_core()
        part.add_single_vertex(first)
        seen.add(first)
        todo = [first]
        while todo:
            v = todo.pop()
            for e in touching[v]:
                if e in added:
                    continue
                added.add(e)
                part.add_edge(e)
                other = e.v[1] if e.v[0] is v else e.v[0]
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        parts.append(part)
    return parts


class _Layers(list):
    """grandalf finds a layer's rank with list.index, which compares layers element by element:
    quadratic in the number of layers. A layer is found by identity here."""

    def index(self, layer, *args) -> int:
        if getattr(self, "_at", None) is None or len(self._at) != len(self):
            self._at = {id(x): i for i, x in enumerate(self)}
        return self._at[id(layer)]


def _rank(v, order: dict[object, float]) -> float:
    return order[v.data]


def _place(part, backward: set, offset: float) -> float:
    """Lay out one connected part; shift it across by offset; return its far edge."""
    from grandalf.layouts import SugiyamaLayout
    from grandalf.routing import EdgeViewer

    for e in part.sE:
        e.view = EdgeViewer()
    sug = SugiyamaLayout(part)
    sug.xspace, sug.yspace = GAP_ACROSS, GAP_ALONG
    sug.layers = _Layers()
    roots = [v for v in part.sV if not [e for e in v.e_in() if e not in backward]]
    sug.init_all(roots=roots, inverted_edges=[e for e in part.sE if e in backward])
    sug.draw(3 if part.order() < 400 else 1.5)
    views = [v.view for v in part.sV] + [d.view for d in _dummies(sug)]
    left = min(v.xy[0] - v.w / 2 for v in views)
    for view in views:
        view.xy = (view.xy[0] - left + offset, view.xy[1])
    for e in part.sE:
        e.view._pts = [(x - left + offset, y) for x, y in e.view._pts]
    return max(v.xy[0] + v.w / 2 for v in views)


def _dummies(sug) -> list:
    return [d for ctrl in sug.ctrls.values() for r, d in ctrl.items() if not hasattr(d, "data")]


def _result(vertex: dict, routes: list, lr: bool) -> Layout:
    def flip(p: Point) -> Point:
        return (p[1], p[0]) if lr else p

    def placed(view: _View) -> Placed:
        x, y = flip(view.xy)
        w, h = (view.h, view.w) if lr else (view.w, view.h)
        return Placed(x, y, w, h)

    layout = Layout(0.0, 0.0)
    layout.boxes = {b: placed(v.view) for b, v in vertex.items()}
    for pairs, mid in routes:
        points: list[Point] = []
        for e in pairs:
            inner = [flip(p) for p in e.view._pts[1:-1]]
            points += [*inner, flip(e.v[1].view.xy)]
        layout.paths.append(points)
        layout.labels.append(placed(mid.view) if mid else None)
    _attach(layout, [(pairs[0].v[0].data, pairs[-1].v[1].data) for pairs, _ in routes], lr)
    return layout


def _attach(layout: Layout, ends: list[tuple[str, str]], lr: bool) -> None:
    """Start each path on its source's far side and end it on its target's near side."""
    for path, (src, dst) in zip(layout.paths, ends, strict=True):
        a, b = layout.boxes[src], layout.boxes[dst]
        start = (a.x + a.w / 2, a.y) if lr else (a.x, a.y + a.h / 2)
        end = (b.x - b.w / 2, b.y) if lr else (b.x, b.y - b.h / 2)
        path[:] = [start, *path[:-1], end]
    boxes = list(layout.boxes.values()) + [p for p in layout.labels if p]
    layout.width = max((p.x + p.w / 2 for p in boxes), default=0.0)
    layout.height = max((p.y + p.h / 2 for p in boxes), default=0.0)
