"""One graph shape for every format.

A `Node` is one call of a layer (Keras) or one operator (ONNX). Its `inputs` are the `Tensor`s it
reads from other nodes (the edges); `operands` lists everything it reads, in its own argument
order, with the constants that feed it resolved in the scope of this very call. Wrappers keep the
layers they wrap as `inner` nodes, so a Bidirectional LSTM has its forward and backward LSTM as
real nodes with their own attributes. Nested models are inlined: their layers become nodes whose
path is `outer/inner`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Union

from droplint.enums import NodeKind

Shape = tuple[int | None, ...]


class Tensor(NamedTuple):
    """One output of a node: an edge. A named tuple, so that hashing and comparing it (graphs
    index everything by tensor) run in C."""

    node: str  # id of the producing node
    index: int = 0  # which of its outputs


@dataclass(frozen=True, slots=True)
class Const:
    """A value fixed in the file (an ONNX initializer or a Constant's payload) read by a node."""

    values: tuple[Any, ...] | None  # decoded elements; None when droplint did not decode them
    dims: tuple[int, ...] = ()

    @property
    def scalar(self) -> Any:
        """The single element, or None when this is not a decoded one-element value."""
        return self.values[0] if self.values is not None and len(self.values) == 1 else None


# One argument of a node: an edge, a constant, or None for an optional argument left out.
Operand = Union[Tensor, Const, None]  # noqa: UP007  (runtime alias, Python 3.10)


@dataclass(slots=True)
class Node:
    id: str  # unique in the graph: the path, plus "@k" for the k-th further call of a layer
    path: str  # layer path; nested models and wrappers joined by "/"
    op: str  # Keras class name or ONNX op_type
    attrs: dict[str, Any] = field(default_factory=dict)  # Keras layer config; ONNX attributes
    inputs: list[Tensor] = field(default_factory=list)
    kind: NodeKind = NodeKind.LAYER
    training: bool | None = None  # the call's own training flag, where the file records one
    training_only: bool = False  # lives in a graph that runs only in training (ONNX training_info)
    condition: str | None = None  # runs only when this holds (an ONNX If branch)
    inner: list[Node] = field(default_factory=list)  # layers a wrapper holds
    module: str | None = None  # Keras module / registered name, or ONNX domain
    operands: tuple[Operand, ...] | None = None  # every argument in order; None: just `inputs`
    arg_names: tuple[str, ...] | None = None  # the arguments' names, where the file names tensors
    op_version: int = 0  # the operator set version the node runs under (ONNX); 0 when none
    source: str | None = None  # the source module that produced the node, where recorded
    label: str | None = None  # the class shown to people where it is not op (a torch module's)
    # Applied to each step on its own along this many axes after the batch axis (the layers of
    # a model inside Keras's TimeDistributed): the node sees frames, its masks are per step.
    distributed: int = 0

    def walk(self) -> Iterator[Node]:
        """This node and every node it wraps, depth first."""
        yield self
        for child in self.inner:
            yield from child.walk()

    def operand(self, position: int) -> Operand:
        """The argument at position; None when left out or beyond the node's arguments."""
        args = self.inputs if self.operands is None else self.operands
        return args[position] if position < len(args) else None

    @property
    def arity(self) -> int:
        """How many arguments the node was given, omitted optional ones included."""
        return len(self.inputs if self.operands is None else self.operands)


@dataclass
class Graph:
    name: str | None
    format: str  # the format label, for people; rules never look at it
    producer: str | None  # who wrote the file; None when it does not say
    version: str | None
    nodes: dict[str, Node] = field(default_factory=dict)  # in topological order
    inputs: list[Tensor] = field(default_factory=list)
    outputs: list[Tensor] = field(default_factory=list)
    shapes: dict[Tensor, Shape] = field(default_factory=dict)
    dtypes: dict[Tensor, str] = field(default_factory=dict)
    libraries: dict[str, str] = field(default_factory=dict)  # e.g. {"keras_hub": "0.32.0"}
    _consumers: dict[str, list[Node]] | None = field(default=None, repr=False)
    _outputs: tuple[list[Tensor], set[str]] | None = field(default=None, repr=False)
    _positions: dict[str, int] | None = field(default=None, repr=False)
    _by_op: dict[str, list[Node]] | None = field(default=None, repr=False)

    def add(self, node: Node) -> Node:
        self.nodes[node.id] = node
        self._consumers = self._positions = self._by_op = None
        return node

    def position(self, node_id: str) -> int:
        """Where node_id stands in graph order (a top-level node)."""
        if self._positions is None:
            self._positions = {k: i for i, k in enumerate(self.nodes)}
        return self._positions[node_id]

    def with_ops(self, ops: Collection[str]) -> list[Node]:
        """The top-level nodes whose op is one of ops, in graph order: what a question about a
        few kinds of op walks, instead of every node."""
        if self._by_op is None:
            self._by_op = {}
            for n in self.nodes.values():
                self._by_op.setdefault(n.op, []).append(n)
        lists = [self._by_op[op] for op in ops if op in self._by_op]
        found = [n for nodes in lists for n in nodes]
        if len(lists) > 1:  # each list is in graph order; together they must be put so
            found.sort(key=lambda n: self.position(n.id))
        return found

    def op_of(self, node_id: str) -> str | None:
        """The op of node_id (None: no such node): a question that need not make the node."""
        node = self.nodes.get(node_id)
        return node.op if node is not None else None

    def with_kind(self, kind: NodeKind) -> list[Node]:
        """Every node of kind, wrapped ones included, in graph order."""
        return [n for n in self.all_nodes() if n.kind == kind]

    def wrappers(self) -> list[Node]:
        """The top-level nodes that wrap others."""
        return [n for n in self.nodes.values() if n.inner]

    def layer_count(self) -> int:
        """Every node but the model's inputs, wrapped ones included."""
        return sum(1 for n in self.all_nodes() if n.kind != NodeKind.INPUT)

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def consumers(self, node_id: str) -> list[Node]:
        """Nodes that read any output of node_id, in graph order."""
        if self._consumers is None:
            self._consumers = self._consumer_index()
        return self._consumers.get(node_id, [])

    def _consumer_index(self) -> dict[str, list[Node]]:
        index: dict[str, list[Node]] = {}
        get = index.get
        for n in self.nodes.values():
            ins = n.inputs
            if len(ins) == 1:  # most nodes: one edge, no need to drop repeats
                readers = get(ins[0].node)
                if readers is None:
                    index[ins[0].node] = [n]
                else:
                    readers.append(n)
                continue
            for src in dict.fromkeys([t.node for t in ins]):
                index.setdefault(src, []).append(n)
        return index

    def producers(self, node: Node) -> list[Node]:
        return [self.nodes[t.node] for t in dict.fromkeys(node.inputs) if t.node in self.nodes]

    def is_output(self, node_id: str) -> bool:
        if self._outputs is None or self._outputs[0] is not self.outputs:
            self._outputs = (self.outputs, {t.node for t in self.outputs})
        return node_id in self._outputs[1]

    def all_nodes(self) -> Iterator[Node]:
        """Every node, wrapped ones included."""
        for n in self.nodes.values():
            if n.inner:
                yield from n.walk()
            else:
                yield n

    def input_shape(self, node: Node, position: int = 0) -> Shape | None:
        if position >= len(node.inputs):
            return None
        return self.shapes.get(node.inputs[position])
