"""One graph shape for every format.

A `Node` is one call of a layer (Keras) or one operator (ONNX). Its `inputs` are `Tensor`
references to (producing node, output index). Wrappers keep the layers they wrap as `inner`
nodes, so a Bidirectional LSTM has its forward and backward LSTM as real nodes with their own
configs. Nested models are inlined: their layers become nodes whose path is `outer/inner`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Shape = tuple[int | None, ...]


@dataclass(frozen=True, slots=True)
class Tensor:
    node: str  # id of the producing node
    index: int = 0  # which of its outputs


@dataclass(slots=True)
class Node:
    id: str  # unique in the graph: the path, plus "@k" for the k-th further call of a layer
    path: str  # layer path; nested models and wrappers joined by "/"
    op: str  # Keras class name or ONNX op_type
    config: dict[str, Any] = field(default_factory=dict)
    inputs: list[Tensor] = field(default_factory=list)
    kind: str = "layer"  # input | layer | opaque
    call: dict[str, Any] = field(default_factory=dict)  # non-tensor call arguments, e.g. training
    inner: list[Node] = field(default_factory=list)  # layers a wrapper holds
    module: str | None = None  # Keras module / registered name, or ONNX domain

    def walk(self) -> Iterator[Node]:
        """This node and every node it wraps, depth first."""
        yield self
        for child in self.inner:
            yield from child.walk()


@dataclass
class Graph:
    name: str | None
    format: str
    producer: str
    version: str | None
    nodes: dict[str, Node] = field(default_factory=dict)  # in topological order
    inputs: list[Tensor] = field(default_factory=list)
    outputs: list[Tensor] = field(default_factory=list)
    shapes: dict[Tensor, Shape] = field(default_factory=dict)
    dtypes: dict[Tensor, str] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)  # known values by tensor name (ONNX)
    _consumers: dict[str, list[Node]] | None = field(default=None, repr=False)

    def add(self, node: Node) -> Node:
        self.nodes[node.id] = node
        self._consumers = None
        return node

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def consumers(self, node_id: str) -> list[Node]:
        """Nodes that read any output of node_id, in graph order."""
        if self._consumers is None:
            index: dict[str, list[Node]] = {}
            for n in self.nodes.values():
                for src in dict.fromkeys(t.node for t in n.inputs):
                    index.setdefault(src, []).append(n)
            self._consumers = index
        return self._consumers.get(node_id, [])

    def producers(self, node: Node) -> list[Node]:
        return [self.nodes[t.node] for t in dict.fromkeys(node.inputs) if t.node in self.nodes]

    def is_output(self, node_id: str) -> bool:
        return any(t.node == node_id for t in self.outputs)

    def all_nodes(self) -> Iterator[Node]:
        """Every node, wrapped ones included."""
        for n in self.nodes.values():
            yield from n.walk()

    def input_shape(self, node: Node, position: int = 0) -> Shape | None:
        if position >= len(node.inputs):
            return None
        return self.shapes.get(node.inputs[position])
