"""Follow tensors: which output dropouts act in series, and what reaches each layer.

Output dropouts with only transparent layers between them (reshapes, element-wise activations)
mask the same values again, so their keep probabilities multiply. A layer with weights, a merge
or an unknown layer ends the series.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from droplint.enums import Active, Where
from droplint.graph import Graph, Node, Tensor
from droplint.sites.model import Site, chain_rate, compound
from droplint.sites.semantics import Semantics


@dataclass
class Reach:
    """Where a tensor goes through layers that pass the test, and where it stops."""

    stops: list[
        tuple[Node, list[Node]]
    ]  # (first node that fails the test, nodes passed on the way)
    output: list[Node] | None  # nodes passed on the way to a model output, if one is reached


def downstream(graph: Graph, start: Node, passes: Callable[[Node], bool]) -> Reach:
    """Follow start's output through nodes for which passes() holds (breadth first).

    Each node remembers the node it was reached from, so the nodes passed on the way are
    rebuilt only for the stops and the output: linear in the nodes walked, however long.
    """
    reach = Reach([], [] if graph.is_output(start.id) else None)
    came_from: dict[str, Node | None] = {start.id: None}
    todo: deque[tuple[Node, Node | None]] = deque((c, None) for c in graph.consumers(start.id))
    while todo:
        node, parent = todo.popleft()
        if node.id in came_from:
            continue
        came_from[node.id] = parent
        if not passes(node):
            reach.stops.append((node, _between(came_from, parent)))
            continue
        if reach.output is None and graph.is_output(node.id):
            reach.output = [*_between(came_from, parent), node]
        todo.extend((c, node) for c in graph.consumers(node.id))
    return reach


def _between(came_from: dict[str, Node | None], last: Node | None) -> list[Node]:
    path = []
    while last is not None:
        path.append(last)
        last = came_from[last.id]
    return path[::-1]


@dataclass
class LayerCoverage:
    layer: str
    cls: str
    input_rate: float
    internal_rate: float
    input_chain: tuple[Site, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"layer": self.layer, "class": self.cls, "input_rate": self.input_rate,
                "internal_rate": self.internal_rate}  # fmt: skip


@dataclass
class Flow:
    chains: dict[Tensor, tuple[Site, ...]] = field(default_factory=dict)  # non-empty ones only
    coverage: list[LayerCoverage] = field(default_factory=list)

    def input_chain(self, node: Node) -> tuple[Site, ...]:
        """The longest series of output dropouts that reaches any input of node."""
        chains = [c for t in node.inputs if (c := self.chains.get(t))]
        if len(chains) < 2:
            return chains[0] if chains else ()
        return max(chains, key=lambda c: (chain_rate(c) or 0.0, len(c)))

    def covered(self) -> int:
        return sum(1 for c in self.coverage if c.input_rate > 0 or c.internal_rate > 0)


def analyse_flow(graph: Graph, sites: list[Site], sem: Semantics) -> Flow:
    flow = Flow()
    output_sites: dict[str, list[Site]] = {}
    internal: dict[str, list[Site]] = {}
    for s in sites:
        (output_sites if s.where == Where.OUTPUT else internal).setdefault(s.node, []).append(s)
    for node in graph.nodes.values():
        # A series continues through a node's data input (the first); merges end it.
        single = len(node.inputs) == 1 or (node.inputs and node.id in output_sites)
        passes = single or (node.inputs and sem.transparent(node) and not sem.weighted(node))
        before = flow.chains.get(node.inputs[0], ()) if passes else ()
        chain: tuple[Site, ...] = ()
        if node.id in output_sites:
            chain = before + tuple(output_sites[node.id])
            for i, s in enumerate(chain[len(before) :], start=len(before)):
                s.effective_rate = chain_rate(chain[: i + 1])
        elif sem.transparent(node):
            chain = before
        if chain:  # most tensors carry no dropout: store only those that do
            flow.chains[Tensor(node.id, 0)] = chain
        reaching = flow.input_chain(node)
        in_rate = (chain_rate(reaching) or 0.0) if reaching else 0.0
        if node.id in internal:
            readers = {n.id for n in sem.direct_readers(node)}
            for s in internal[node.id]:
                s.effective_rate = _gate_effective(s, in_rate if s.layer in readers else 0.0)
        if sem.weighted(node):
            own = [s.rate or 0.0 for s in internal.get(node.id, []) if s.active != Active.NEVER]
            flow.coverage.append(
                LayerCoverage(node.id, node.op, in_rate, max(own, default=0.0), reaching)
            )
    return flow


def _gate_effective(site: Site, in_rate: float) -> float | None:
    """x_t dropout inside an RNN compounds with the output dropouts that feed the layer."""
    if site.where != Where.GATE_INPUT or site.active == Active.NEVER:
        return site.rate
    return compound([in_rate, site.rate])
