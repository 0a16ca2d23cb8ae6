"""Follow tensors: which output dropouts act in series, and what reaches each layer.

Output dropouts with only transparent layers between them (reshapes, element-wise activations)
mask the same values again, so their keep probabilities multiply. A layer with weights or an
unknown layer ends the series. A merge whose every input carries dropout passes dropout on: each
part (Concatenate) or summand (Add, Average, ...) of its output is dropped at least at the
lowest of their rates, which is what reaches the next layer (the rate of each input is kept as
its parts). A series of dropouts continues through a Concatenate, whose parts are the input
values themselves, but not through a value-wise merge: a later dropout masks sums, not the
values the earlier ones masked.

What droplint cannot see is never counted as no dropout: a layer it cannot see into (a custom
class, a layer that carries code) is listed as unseen, the values it produces are marked as
unknown, and so are the values after a dropout whose rate is not a number.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from droplint.enums import Active, Merge, NodeKind, Where
from droplint.graph import Graph, Node, Tensor
from droplint.sites.model import Chain, Site, compound, dropout_settings, live_rate
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


@dataclass(eq=False)
class Passed:
    """The nodes passed on the way from a start to a stop, first to last: a shared linked list
    (one cell per node, whatever the number of starts). Indexing and slicing from the front
    walk only as far as asked, so messages naming the first few stay cheap."""

    node: Node
    rest: Passed | None
    length: int

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[Node]:
        cell: Passed | None = self
        while cell is not None:
            yield cell.node
            cell = cell.rest

    def __getitem__(self, index: slice) -> list[Node]:
        stop = index.stop if index.stop is not None else self.length
        return list(itertools.islice(self, stop))[index]


Found = tuple[dict[str, tuple[Node, Passed | None]], Passed | None]  # stops, way to an output


class Reaches:
    """downstream() for every start in a graph at once, each node's answer computed once from
    its consumers' and shared: a chain of 3,000 dropouts, each asking where its values go,
    costs 3,000 steps, not 3,000 walks. `wanted` keeps only the stops a rule looks for (the
    ways are shortest ones; downstream() gives the first found breadth first, the same length).
    """

    def __init__(
        self, graph: Graph, passes: Callable[[Node], bool],
        wanted: Callable[[Node], bool] | None = None,
    ) -> None:  # fmt: skip
        self.graph, self.passes, self.wanted = graph, passes, wanted
        self.memo: dict[str, Found] = {}

    def __call__(self, start: Node) -> Reach:
        stops, way = self._solve(start)
        between = [(stop, passed or []) for stop, passed in stops.values()]
        if self.graph.is_output(start.id):
            return Reach(between, [])  # type: ignore[arg-type]
        return Reach(between, way if way is not None else None)  # type: ignore[arg-type]

    def _solve(self, start: Node) -> Found:
        """Post-order over the passing nodes below start, without recursion."""
        stack, entered = [start], set()
        while stack:
            node = stack[-1]
            if node.id in self.memo:
                stack.pop()
                continue
            below = [
                c for c in self.graph.consumers(node.id)
                if self.passes(c) and c.id not in self.memo and c.id not in entered
            ]  # fmt: skip
            entered.add(node.id)
            if below:
                stack.extend(below)
                continue
            self.memo[node.id] = self._combine(node)
            stack.pop()
        return self.memo[start.id]

    def _combine(self, node: Node) -> Found:
        stops: dict[str, tuple[Node, Passed | None]] = {}
        best: Passed | None = None
        for c in self.graph.consumers(node.id):
            if not self.passes(c):
                if (self.wanted is None or self.wanted(c)) and c.id not in stops:
                    stops[c.id] = (c, None)
                continue
            c_stops, c_way = self.memo.get(c.id, ({}, None))  # a cycle: nothing beyond
            for key, (stop, passed) in c_stops.items():
                old = stops.get(key)
                if old is None or _longer(old[1], passed):
                    stops[key] = (stop, Passed(c, passed, 1 + (len(passed) if passed else 0)))
            if self.graph.is_output(c.id):
                way: Passed | None = Passed(c, None, 1)
            else:
                way = Passed(c, c_way, 1 + len(c_way)) if c_way is not None else None
            if way is not None and (best is None or len(way) < len(best)):
                best = way
        return stops, best


def _longer(old: Passed | None, new: Passed | None) -> bool:
    """Is the kept way longer than one step more than the new one?"""
    return (len(old) if old else 0) > 1 + (len(new) if new else 0)


def _between(came_from: dict[str, Node | None], last: Node | None) -> list[Node]:
    path = []
    while last is not None:
        path.append(last)
        last = came_from[last.id]
    return path[::-1]


@dataclass
class Part:
    """One input of a merge and the dropout on it."""

    source: str  # the node that produced this input
    rate: float  # the compounded rate droplint can see on it
    unknown: bool = False  # more may be dropped than droplint can see

    def to_dict(self) -> dict[str, object]:
        return {"from": self.source, "rate": self.rate, "unknown": self.unknown}


@dataclass
class LayerCoverage:
    layer: str
    cls: str
    input_rate: float  # the compounded rate droplint can see on the layer's input
    internal_rate: float
    input_chain: Chain | None = None
    input_unknown: bool = False  # the input may carry dropout droplint cannot see
    parts: list[Part] = field(default_factory=list)  # the input is a merge: dropout per input

    def to_dict(self) -> dict[str, object]:
        d: dict[str, object] = {"layer": self.layer, "class": self.cls,
                                "input_rate": self.input_rate, "internal_rate": self.internal_rate,
                                "input_unknown": self.input_unknown}  # fmt: skip
        if self.parts:
            d["parts"] = [p.to_dict() for p in self.parts]
        return d


@dataclass
class Unseen:
    """A layer droplint cannot see into: whatever dropout it applies is unknown."""

    layer: str
    cls: str
    settings: dict[str, Any]  # its dropout-like settings, which droplint cannot place
    code: bool  # it carries code droplint never runs (a Lambda)
    node: Node | None = field(default=None, repr=False, compare=False)  # None once detached

    def to_dict(self) -> dict[str, object]:
        return {"layer": self.layer, "class": self.cls, "dropout_settings": self.settings,
                "code": self.code}  # fmt: skip


@dataclass
class Flow:
    chains: dict[Tensor, Chain] = field(default_factory=dict)  # tensors that carry dropout
    coverage: list[LayerCoverage] = field(default_factory=list)
    unseen: list[Unseen] = field(default_factory=list)
    unknown: set[Tensor] = field(default_factory=set)  # may carry dropout droplint cannot see
    parts: dict[Tensor, list[Part]] = field(default_factory=dict)  # merges with dropout

    def input_chain(self, node: Node) -> Chain | None:
        """The strongest series of output dropouts that reaches any input of node."""
        chains = [c for t in node.inputs if (c := self.chains.get(t))]
        if len(chains) < 2:
            return chains[0] if chains else None
        return max(chains, key=strength)

    def merged_rate(self, tensor: Tensor) -> float:
        """What every part of a merge's output is dropped with at least: the lowest rate of
        its inputs (0 when one of them carries none)."""
        parts = self.parts.get(tensor)
        return min(p.rate for p in parts) if parts else 0.0

    def covered(self) -> int:
        return sum(1 for c in self.coverage if c.input_rate > 0 or c.internal_rate > 0)

    def uncertain(self) -> int:
        """Trainable layers that get no dropout droplint can see, but may get some it cannot."""
        return sum(
            1 for c in self.coverage if c.input_unknown and c.input_rate == 0 == c.internal_rate
        )


def analyse_flow(graph: Graph, sites: list[Site], sem: Semantics) -> Flow:
    """Visit, in graph order, only the nodes where something happens: those that apply dropout,
    those droplint cannot see into, and those whose input carries dropout or the unknown. Every
    other trainable layer gets no dropout; a graph of a million nodes with a thousand dropouts
    costs a few thousand visits, not a million."""
    lost = [Unseen(layer, "unrolled RNN", {}, False) for layer, _ in sem.lost_dropout()]
    flow = Flow(unseen=unseen_layers(graph, sem) + lost)
    output_sites: dict[str, list[Site]] = {}
    internal: dict[str, list[Site]] = {}
    for s in sites:
        (output_sites if s.where == Where.OUTPUT else internal).setdefault(s.node, []).append(s)
    hidden = _hidden(graph, {u.layer for u in flow.unseen})
    seeds = [i for i in {*output_sites, *internal, *hidden} if i in graph.nodes]
    todo = [(graph.position(i), i) for i in seeds]
    heapq.heapify(todo)
    visited: dict[str, LayerCoverage | None] = {}
    while todo:
        position, node_id = heapq.heappop(todo)
        if node_id in visited:
            continue
        node = graph.node(node_id)
        visited[node_id] = _visit(flow, node, output_sites, internal, node_id in hidden, sem)
        out = Tensor(node_id, 0)
        if out in flow.chains or out in flow.unknown or out in flow.parts:
            for c in graph.consumers(node_id):
                after = graph.position(c.id)
                if after > position and c.id not in visited:  # graph order, as written
                    heapq.heappush(todo, (after, c.id))
    for node_id, op in sem.trainable_layers(graph):
        coverage = visited.get(node_id)  # a visited trainable layer has its entry
        flow.coverage.append(coverage or LayerCoverage(node_id, op, 0.0, 0.0))
    return flow


def _hidden(graph: Graph, unseen: set[str]) -> set[str]:
    """The top-level nodes that are, or wrap, a layer droplint cannot see into."""
    if not unseen:
        return set()
    found = {i for i in unseen if i in graph.nodes}
    found.update(w.id for w in graph.wrappers() if any(n.id in unseen for n in w.walk()))
    return found


def _visit(
    flow: Flow, node: Node, output_sites: dict[str, list[Site]],
    internal: dict[str, list[Site]], hidden: bool, sem: Semantics,
) -> LayerCoverage | None:  # fmt: skip
    """What reaches node and what it passes on; its coverage entry if it is trainable."""
    _follow(flow, node, output_sites.get(node.id) or [], hidden, sem)
    reaching = flow.input_chain(node)
    in_rate, unknown_rate = reaching.visible() if reaching else (0.0, False)
    in_rate = max(in_rate, *(flow.merged_rate(t) for t in node.inputs), 0.0)
    unknown = unknown_rate or any(t in flow.unknown for t in node.inputs)
    unknown = unknown or any(p.unknown for t in node.inputs for p in flow.parts.get(t, ()))
    if node.id in internal:
        readers = {n.id for n in sem.direct_readers(node)}
        for s in internal[node.id]:
            feeds = s.layer in readers
            s.effective_rate = _gate_effective(s, in_rate if feeds else 0.0, feeds and unknown)
    if not sem.trainable(node):
        return None
    own = [s.rate or 0.0 for s in internal.get(node.id, []) if s.active != Active.NEVER]
    parts = next((flow.parts[t] for t in node.inputs if t in flow.parts), [])
    return LayerCoverage(node.id, node.op, in_rate, max(own, default=0.0), reaching, unknown, parts)


def _follow(flow: Flow, node: Node, own: list[Site], hidden: bool, sem: Semantics) -> None:
    """The series of output dropouts on node's output, and whether it is unknown."""
    out = Tensor(node.id, 0)
    if hidden:
        flow.unknown.add(out)
        return
    merge = sem.merge(node) if node.inputs and not own else None
    if merge is not None:
        _merge(flow, node, out, merge)
        return
    # A series continues through a node's data input (the first).
    single = len(node.inputs) == 1 or (node.inputs and own)
    passes = single or (node.inputs and sem.transparent(node) and not sem.weighted(node))
    before = flow.chains.get(node.inputs[0]) if passes else None
    chain: Chain | None = None
    if own:
        chain = before
        for s in own:
            chain = Chain.extend(chain, s)
            s.effective_rate = chain.rate()
    elif sem.transparent(node):
        chain = before
    if chain is not None:  # most tensors carry no dropout: store only those that do
        flow.chains[out] = chain
    if passes and (own or sem.transparent(node)) and node.inputs[0] in flow.unknown:
        flow.unknown.add(out)
    elif sem.carries_unknown(node) and any(t in flow.unknown for t in node.inputs):
        flow.unknown.add(out)  # maybe a mask made of a random draw


def _merge(flow: Flow, node: Node, out: Tensor, merge: Merge) -> None:
    """The dropout on each input, as parts; a Concatenate of inputs that are all dropped
    carries the weakest series on. An input known to carry no dropout leaves part of the
    output undropped."""
    chains = [flow.chains.get(t) for t in node.inputs]
    unknown = [t in flow.unknown for t in node.inputs]
    parts = [
        Part(t.node, *_seen(c, u)) for t, c, u in zip(node.inputs, chains, unknown, strict=True)
    ]
    if any(c or u for c, u in zip(chains, unknown, strict=True)):
        flow.parts[out] = parts
    present = [c for c in chains if c is not None]
    if merge == Merge.PARTS and len(present) == len(chains):
        flow.chains[out] = min(present, key=strength)
    if any(unknown) and all(c or u for c, u in zip(chains, unknown, strict=True)):
        flow.unknown.add(out)


def strength(chain: Chain) -> tuple[float, int]:
    """How strongly a series drops: its rate (unknown counts as 0), then its length."""
    return chain.rate() or 0.0, len(chain)


def _seen(chain: Chain | None, unknown: bool) -> tuple[float, bool]:
    rate, unknown_rate = chain.visible() if chain else (0.0, False)
    return rate, unknown or unknown_rate


def unseen_layers(graph: Graph, sem: Semantics) -> list[Unseen]:
    """Layers droplint cannot see into, wrapped ones included, in graph order."""
    return [
        Unseen(n.id, n.op, dropout_settings(n.attrs), sem.carries_code(n), n)
        for n in sem.maybe_unseen(graph)
        if n.kind == NodeKind.OPAQUE or sem.carries_code(n)
    ]


def _gate_effective(site: Site, in_rate: float, unknown: bool) -> float | None:
    """x_t dropout inside an RNN compounds with the output dropouts that feed the layer."""
    if site.where != Where.GATE_INPUT or site.active == Active.NEVER:
        return live_rate(site)  # a site never applied drops nothing, as in a series
    return None if unknown else compound([in_rate, site.rate])
