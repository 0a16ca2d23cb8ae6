"""A graph whose nodes are made when first asked for.

A format that can answer questions about its nodes without building them (which nodes have
these ops, who reads a node's outputs) gives the graph a NodeSource, and the graph makes a Node
only for what flow analysis and rules ask about: a node-heavy model with a few thousand
dropout sites costs a few thousand nodes, not millions. Every node is made at most once and
kept, so a rule that changes a node sees its change later. Walking every node (the picture
command does) makes them all, as a plain graph holds them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Protocol

from droplint.enums import NodeKind
from droplint.graph.model import Graph, Node


class NodeSource(Protocol):
    """What a format knows of its nodes by position (graph order) without making them. The
    nodes are flat: none wraps others (a format with wrappers builds a plain Graph)."""

    def __len__(self) -> int: ...
    def ident(self, position: int) -> str: ...
    def find(self, ident: str) -> int | None: ...  # fast for ids the source handed out
    def make(self, position: int) -> Node: ...
    def consumers(self, position: int) -> Sequence[int]: ...  # ascending, each once
    def op_of(self, position: int) -> str: ...
    def with_ops(self, ops: Collection[str]) -> Sequence[int]: ...  # ascending
    def with_kind(self, kind: NodeKind) -> Sequence[int]: ...  # as the nodes were made
    def layers(self) -> int: ...  # nodes that are not model inputs


class LazyNodes(Mapping[str, Node]):
    """Node id -> Node, made on first access."""

    def __init__(self, source: NodeSource) -> None:
        self.source = source
        self.made: dict[int, Node] = {}
        self.by_id: dict[str, Node] = {}  # the same nodes, by id: most lookups end here

    def at(self, position: int) -> Node:
        node = self.made.get(position)
        if node is None:
            node = self.made[position] = self.source.make(position)
            self.by_id[node.id] = node
        return node

    def find(self, ident: str) -> int | None:
        return self.source.find(ident)

    def __getitem__(self, ident: str) -> Node:
        node = self.by_id.get(ident)
        if node is not None:
            return node
        position = self.find(ident)
        if position is None:
            raise KeyError(ident)
        return self.at(position)

    def __contains__(self, ident: object) -> bool:
        return isinstance(ident, str) and self.find(ident) is not None

    def __iter__(self) -> Iterator[str]:
        return (self.source.ident(p) for p in range(len(self.source)))

    def __len__(self) -> int:
        return len(self.source)

    def values(self) -> list[Node]:  # type: ignore[override]
        return [self.at(p) for p in range(len(self.source))]


class LazyGraph(Graph):
    """A Graph over a NodeSource: the same questions, answered by position."""

    def __init__(
        self, name: str | None, format: str, producer: str | None, version: str | None,
        source: NodeSource,
    ) -> None:  # fmt: skip
        super().__init__(name, format, producer, version)
        self.nodes: LazyNodes = LazyNodes(source)  # type: ignore[assignment]
        self._readers: dict[str, list[Node]] = {}

    def add(self, node: Node) -> Node:
        raise TypeError("a lazy graph's nodes come from its source")

    def position(self, node_id: str) -> int:
        position = self.nodes.find(node_id)
        if position is None:
            raise KeyError(node_id)
        return position

    def consumers(self, node_id: str) -> list[Node]:
        found = self._readers.get(node_id)
        if found is None:
            at = self.nodes.at
            found = [at(p) for p in self.nodes.source.consumers(self.position(node_id))]
            self._readers[node_id] = found  # rules ask again about the same few nodes
        return found

    def op_of(self, node_id: str) -> str | None:
        node = self.nodes.by_id.get(node_id)
        if node is not None:
            return node.op
        position = self.nodes.find(node_id)
        return None if position is None else self.nodes.source.op_of(position)

    def with_ops(self, ops: Collection[str]) -> list[Node]:
        at = self.nodes.at
        return [at(p) for p in self.nodes.source.with_ops(ops)]

    def with_kind(self, kind: NodeKind) -> list[Node]:
        """Nodes of kind now: as the source made them, or as changed since."""
        made = self.nodes.made
        found = {p for p in self.nodes.source.with_kind(kind) if p not in made}
        found.update(p for p, n in made.items() if n.kind == kind)
        return [self.nodes.at(p) for p in sorted(found)]

    def wrappers(self) -> list[Node]:
        return []  # a source's nodes wrap none

    def layer_count(self) -> int:
        return self.nodes.source.layers()
