"""What the picture shows, before any layout: boxes, the links between them, dropout on both.

Every layer that applies dropout, receives dropped-out values, anchors a finding or is a model
input or output gets a box of its own. Runs of other layers are collapsed into one group box
(see collapse.py); nodes without inputs that matter to none of this (ONNX Constant) are left
out. Format-neutral: the tree, the SVG and the HTML all draw the same scene.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from droplint.analysis import FileReport
from droplint.enums import Active, NodeKind, Severity, Where
from droplint.graph import Graph, Node, Tensor
from droplint.picture.collapse import collapse
from droplint.rules import Finding
from droplint.sites import Site
from droplint.sites.flow import strength
from droplint.sites.model import Chain, by_setting
from droplint.wording import (
    TIMES,
    format_shape,
    gate_masks,
    mask_shape,
    model_line,
    plural,
    rate_text,
)


@dataclass
class Line:
    text: str
    style: str = ""  # "" | gate | attention | off | alert


@dataclass
class Box:
    id: str
    kind: str  # input | layer | site | group
    title: str
    subtitle: str
    lines: list[Line] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    members: list[Node] = field(default_factory=list)
    output: bool = False  # produces a model output
    notes: list[str] = field(default_factory=list)  # mask structure in words, for the panel

    @property
    def severity(self) -> Severity | None:
        worst = max(self.findings, key=lambda f: Severity(f.severity).rank, default=None)
        return worst.severity if worst else None


@dataclass
class Link:
    src: str
    dst: str
    chain: Chain | None = None  # output dropouts in series on the values it carries
    label: str = ""  # shown on the edge: the compounded rate, where the boxes do not show it

    @property
    def rate(self) -> float | None:
        return self.chain.rate() if self.chain else None


@dataclass
class Scene:
    path: str
    header: str
    boxes: dict[str, Box]  # in topological order
    links: list[Link]
    model_findings: list[Finding]  # findings about the whole model
    layers: int  # layers in the model, before collapsing


def build_scene(report: FileReport, collapse_runs: bool = True) -> Scene:
    """The picture of one analysed model."""
    graph, flow = report.graph, report.flow
    assert graph is not None and flow is not None, "an unreadable model has no picture"
    owner = _owners(graph)
    by_node: dict[str, list[Site]] = {}
    for s in report.sites:
        by_node.setdefault(s.node, []).append(s)
    anchored: dict[str, list[Finding]] = {}
    model_findings: list[Finding] = []
    for f in report.findings:
        where = owner.get(f.layer or "")
        (anchored.setdefault(where, []) if where else model_findings).append(f)
    keep = _kept(graph, by_node, anchored, owner, report)
    shown = [
        n for n in graph.nodes.values() if n.id in keep or n.inputs or n.kind == NodeKind.INPUT
    ]
    groups = collapse(graph, shown, keep if collapse_runs else {n.id for n in shown})
    boxes: dict[str, Box] = {}
    box_of: dict[str, str] = {}
    for members in groups:
        box = _box(graph, members, by_node, anchored)
        boxes[box.id] = box
        box_of.update((m.id, box.id) for m in members)
    links = _links(graph, box_of, flow.chains, boxes)
    header = model_line(report.producer, report.version, report.format, report.model, report.layers)
    return Scene(report.path, header, boxes, links, model_findings, report.layers)


def _owners(graph: Graph) -> dict[str, str]:
    """Top-level node id for every node id and layer path, wrapped layers included."""
    owner: dict[str, str] = {}
    for top in graph.nodes.values():
        for n in top.walk():
            owner.setdefault(n.id, top.id)
            owner.setdefault(n.path, top.id)
    return owner


def _kept(
    graph: Graph,
    by_node: dict[str, list[Site]],
    anchored: dict[str, list[Finding]],
    owner: dict[str, str],
    report: FileReport,
) -> set[str]:
    """Nodes that get a box of their own."""
    assert report.flow is not None
    chains = report.flow.chains
    keep = {t.node for t in graph.inputs} | {t.node for t in graph.outputs}
    keep |= set(by_node) | set(anchored)
    keep |= {owner[r] for f in report.findings for r in f.related if r in owner}
    for node in graph.nodes.values():
        if chains.get(Tensor(node.id, 0)) or any(chains.get(t) for t in node.inputs):
            keep.add(node.id)
    return keep


def _box(
    graph: Graph,
    members: list[Node],
    by_node: dict[str, list[Site]],
    anchored: dict[str, list[Finding]],
) -> Box:
    first = members[0]
    output = any(graph.is_output(m.id) for m in members)
    if len(members) > 1:
        return _group(members, output)
    sites = by_node.get(first.id, [])
    kind = "input" if first.kind == NodeKind.INPUT else "layer"
    if any(s.where == Where.OUTPUT for s in sites):
        kind = "site"
    box = Box(first.id, kind, first.id, _subtitle(graph, first), members=members, output=output)
    box.findings = anchored.get(first.id, [])
    for group in by_setting(sites):
        s = group[0]
        if len(group) > 1:  # the dropouts one argument of a composite layer sets
            box.lines += _group_lines(s, len(group))
            box.notes.append(f"{s.param}: {s.note}; {len(group)} layers, e.g. {s.layer}")
            continue
        box.lines += _site_lines(graph, first, s)
        if s.note:
            box.notes.append(f"{_short(s.layer, first)}{s.param}: {s.note}")
    return box


def _group_lines(site: Site, count: int) -> list[Line]:
    """Many dropouts set by one argument: one line, with how many."""
    line = Line(f"{site.param} {rate_text(site.rate)} {TIMES}{count} dropouts", "drop")
    if site.active == Active.NEVER:
        line.text, line.style = line.text + " (off)", "off"
    return [line]


def _group(members: list[Node], output: bool) -> Box:
    ops = Counter(m.op for m in members)
    common = ", ".join(f"{op}{TIMES}{k}" if k > 1 else op for op, k in ops.most_common(3))
    more = " …" if len(ops) > 3 else ""
    title = plural(len(members), "layer")
    box = Box(f"group:{members[0].id}", "group", title, f"{common}{more}", output=output)
    box.members = members
    box.lines = [Line(f"{members[0].id} … {members[-1].id}")]
    return box


def _subtitle(graph: Graph, node: Node) -> str:
    op = node.op
    if node.op in ("Bidirectional", "TimeDistributed") and node.inner:
        op = f"{node.op}({node.inner[0].op})"
    shape = graph.shapes.get(Tensor(node.id, 0))
    return f"{op} {format_shape(shape)}" if shape is not None else op


def _short(layer: str, node: Node) -> str:
    """An inner layer's own name, for the lines of its wrapper's box."""
    if layer == node.path or layer == node.id:
        return ""
    return layer.rsplit("/", 1)[-1] + " "


def _site_lines(graph: Graph, node: Node, site: Site) -> list[Line]:
    """A site as two lines: where and how strong, then the mask."""
    head = f"{_short(site.layer, node)}{_where(site)} {rate_text(site.rate)}"
    eff = site.effective_rate
    if eff is not None and site.rate is not None and abs(eff - site.rate) > 1e-9:
        head += f" → eff. {rate_text(eff)}"
    style = {Where.GATE_INPUT: "gate", Where.GATE_RECURRENT: "gate", Where.ATTENTION: "attention"}
    first = Line(head, style.get(site.where, "drop"))
    if site.active == Active.NEVER or site.ignored:
        first.text, first.style = first.text + " (off)", "off"
    elif site.active in (Active.ALWAYS, Active.UNKNOWN) and site.rate != 0:
        always = site.active == Active.ALWAYS
        first.text += " at inference!" if always else " maybe at inference"
        first.style = "alert"
    if site.where == Where.OUTPUT:
        shape = graph.input_shape(node) or graph.shapes.get(Tensor(node.id, 0))
        return [first, Line("  " + mask_shape(site, shape), "dim")]
    if site.where.gate:
        return [first, Line("  " + gate_masks(site), "dim")]
    return [first]


def _where(site: Site) -> str:
    return {
        Where.OUTPUT: "rate",
        Where.GATE_INPUT: "x_t",
        Where.GATE_RECURRENT: "h_t-1",
        Where.ATTENTION: "attention",
    }.get(site.where, site.param)


def _links(
    graph: Graph, box_of: dict[str, str], chains: dict[Tensor, Chain], boxes: dict
) -> list[Link]:
    """One link per pair of boxes, carrying the strongest dropout chain between them."""
    links: dict[tuple[str, str], Link] = {}
    for node in graph.nodes.values():
        dst = box_of.get(node.id)
        for t in node.inputs:
            src = box_of.get(t.node)
            if dst is None or src is None or src == dst:
                continue
            link = links.setdefault((src, dst), Link(src, dst))
            chain = chains.get(t)
            if chain is not None and (link.chain is None or strength(chain) > strength(link.chain)):
                link.chain = chain
    for link in links.values():
        link.label = _link_label(link, boxes[link.src])
    return list(links.values())


def _link_label(link: Link, src: Box) -> str:
    """The compounded rate, unless the source box already shows that very number."""
    if not link.chain:
        return ""
    own = src.kind == "site" and len(link.chain) == 1 and link.chain.site.node == src.id
    if own:
        return ""
    return f"eff. {rate_text(link.rate)}" + (
        f" ({len(link.chain)} in series)" if len(link.chain) > 1 else ""
    )
