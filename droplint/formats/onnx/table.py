"""A large ONNX main graph as a NodeSource (droplint.graph.lazy): columns read with numpy, a
node made, from its own bytes, only when flow analysis or a rule asks for it.

What the builder does node by node (graph.py) is done here for all nodes at once, to the same
result: node ids are node names (or first outputs), inputs are resolved to the node that wrote
the name before or to the scope (initializers, graph inputs), and a node is made by the
builder's own make_node. Where the same result is not certain (see columns.py), NotColumnar
sends the model to the builder.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from droplint.enums import NodeKind
from droplint.formats.onnx.columns import Field, Ints, NotColumnar, Strings, walk_fields
from droplint.formats.onnx.graph import KNOWN_DOMAINS, LazyScope, _Builder, make_node
from droplint.formats.onnx.proto import NodeSpans, OnnxModel, OnnxValue, decode_node
from droplint.graph import Graph, Node, Operand, Tensor
from droplint.graph.lazy import LazyGraph
from droplint.limits import limits
from droplint.read import SavedModel

INPUT, OUTPUT, NAME, OP, ATTRIBUTE, DOMAIN = 1, 2, 3, 4, 5, 7  # NodeProto field numbers
GRAPH, GRAPHS, REF = 6, 11, 21  # AttributeProto fields the builder treats apart


def table_graph(saved: SavedModel) -> Graph:
    """The model's graph over a NodeTable; NotColumnar when the columns do not cover it."""
    model: OnnxModel = saved.config
    assert model.graph is not None and isinstance(model.graph.nodes, NodeSpans)
    scratch = Graph(None, saved.format, None, None)  # holds the input nodes the builder makes
    scope = _Builder(scratch, model).graph_inputs(model.graph, "", {}, top=True, lazy=True)
    assert isinstance(scope, LazyScope)
    table = NodeTable(model, model.graph.nodes, scope, list(scratch.nodes.values()))
    graph = LazyGraph(model.graph.name or None, saved.format, saved.producer, saved.version, table)
    graph.inputs, graph.shapes, graph.dtypes = scratch.inputs, scratch.shapes, scratch.dtypes
    recorder = _Builder(graph, model)
    for value in [*model.graph.value_info, *model.graph.outputs]:
        tensor = table.resolve(value.name)
        if isinstance(tensor, Tensor):
            recorder.record(tensor, value)
    outputs = (table.resolve(o.name) for o in model.graph.outputs)
    graph.outputs = [t for t in outputs if isinstance(t, Tensor)]
    return graph


class NodeTable:
    """Positions 0 .. len(inputs) - 1 are the model's input nodes, then the NodeProtos."""

    def __init__(
        self, model: OnnxModel, spans: NodeSpans, scope: LazyScope, inputs: list[Node]
    ) -> None:
        self.spans, self.scope, self.inputs = spans, scope, inputs
        self.opsets = model.opsets
        self.first = len(inputs)
        self.count = len(spans)
        if self.first + self.count > limits().nodes:
            raise NotColumnar("more nodes than the limit: the builder says so")
        self.data = np.frombuffer(spans.buf, dtype=np.uint8)
        starts = np.frombuffer(spans.starts, dtype=np.int64)
        ends = np.frombuffer(spans.ends, dtype=np.int64)
        fields = walk_fields(self.data, starts, ends, (INPUT, OUTPUT, NAME, OP, ATTRIBUTE, DOMAIN))
        _no_subgraphs(self.data, fields[ATTRIBUTE])
        self.ops, self.op_names = self._single(fields[OP])
        domains, domain_names = self._single(fields[DOMAIN])
        known = [name in KNOWN_DOMAINS or name == "ai.onnx" for name in domain_names]
        self.opaque = ~np.array(known, dtype=bool)[domains]
        self._tensors(fields[INPUT], fields[OUTPUT])
        self._idents(fields[NAME], fields[OUTPUT])

    def _single(self, field: Field) -> tuple[Ints, list[str]]:
        """A string every node has at most once (op type, domain): an id per node (absent:
        the empty string) and the strings."""
        if len(field.message) > 1 and (np.diff(field.message) == 0).any():
            raise NotColumnar("a node field written twice")
        strings = Strings(self.data, field.start, field.length)
        names = [strings.bytes_of(k).decode() for k in range(len(strings.unique))]
        ids = np.full(self.count, len(names), dtype=np.int64)
        ids[field.message] = strings.ids
        return ids, [*names, ""]

    def _tensors(self, ins: Field, outs: Field) -> None:
        """Each input's source: an earlier node's output, a name of the scope, or none."""
        names = Strings(
            self.data, np.concatenate([outs.start, ins.start]),
            np.concatenate([outs.length, ins.length]),
        )  # fmt: skip
        self.names, self.outs = names, outs
        out_ids, in_ids = names.ids[: len(outs.start)], names.ids[len(outs.start) :]
        written = outs.length > 0
        if written.any() and np.bincount(out_ids[written]).max() > 1:
            raise NotColumnar("two outputs of one name")
        self.writer = np.full(len(names.unique), -1, dtype=np.int64)  # name id -> output
        self.writer[out_ids[written]] = np.nonzero(written)[0]
        self.out_first = np.searchsorted(outs.message, np.arange(self.count))  # node -> 1st out
        source = np.where(ins.length > 0, self.writer[in_ids], -1)
        inner = source >= 0
        if (outs.message[source[inner]] >= ins.message[inner]).any():
            raise NotColumnar("a node reads a name a later node writes")
        self.in_first = np.searchsorted(ins.message, np.arange(self.count + 1))
        self.externals: list[str] = []  # names no node writes, each once
        self.external_writer = np.zeros(0, dtype=np.int64)
        self.external_weight = np.zeros(0, dtype=bool)
        outer = np.nonzero((ins.length > 0) & ~inner)[0]
        if len(outer):
            source[outer] = self._outer(in_ids[outer])
        self.source = source  # >= 0: output; -1: left out; <= -2: self.externals[-2 - s]
        self._consumers(ins.message, source)

    def _outer(self, ids: Ints) -> Ints:
        """Sources of the names no node writes, looked up in scope, each name once."""
        distinct, back = np.unique(ids, return_inverse=True)
        codes = np.empty(len(distinct), dtype=np.int64)
        scope, inputs = self.scope, {n.id: p for p, n in enumerate(self.inputs)}
        writers = np.full(len(distinct), -1, dtype=np.int64)  # a model input's position
        weights = np.zeros(len(distinct), dtype=bool)  # a stored tensor with dimensions
        for k, name_id in enumerate(distinct.tolist()):
            name = self.names.bytes_of(name_id).decode()
            found = dict.get(scope, name)  # a model input (initializers are not in the dict)
            if isinstance(found, Tensor):
                writers[k] = inputs[found.node]
            elif name in scope.initializers:
                weights[k] = len(scope.initializers[name].dims) > 0
            else:
                raise NotColumnar("a name nothing provides: the builder says which")
            codes[k] = -2 - len(self.externals)
            self.externals.append(name)
        self.external_writer, self.external_weight = writers, weights
        return codes[back.reshape(-1)]

    def _consumers(self, readers: Ints, source: Ints) -> None:
        """For every position, the positions that read any of its outputs."""
        inner = source >= 0
        writer = np.full(len(source), -1, dtype=np.int64)
        writer[inner] = self.outs.message[source[inner]] + self.first
        outer = source <= -2
        if outer.any():
            writer[outer] = self.external_writer[-2 - source[outer]]
        edges = np.nonzero(writer >= 0)[0]
        size = self.first + self.count
        pairs = np.sort(writer[edges] * size + readers[edges] + self.first)
        if len(pairs) > 1:
            pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]  # each reader once
        self.consumer_of = pairs % size
        self.consumer_first = np.searchsorted(pairs // size, np.arange(size + 1))

    def _idents(self, names: Field, outs: Field) -> None:
        """Node ids as the builder gives them: the name, else the first output."""
        if len(names.message) > 1 and (np.diff(names.message) == 0).any():
            raise NotColumnar("a node field written twice")
        start = np.full(self.count, -1, dtype=np.int64)
        length = np.zeros(self.count, dtype=np.int64)
        has_out = self.out_first < len(outs.message)
        has_out[has_out] = outs.message[self.out_first[has_out]] == np.nonzero(has_out)[0]
        first_out = self.out_first[has_out]
        start[has_out], length[has_out] = outs.start[first_out], outs.length[first_out]
        named = names.length > 0
        start[names.message[named]] = names.start[named]
        length[names.message[named]] = names.length[named]
        if (length == 0).any():
            raise NotColumnar("a node with neither name nor output")
        if int(length.max()) > limits().name_length:
            raise NotColumnar("a name over the limit: the builder says so")
        self.idents = Strings(self.data, start, length)
        if len(self.idents.unique) != self.count:
            raise NotColumnar("two nodes of one name")
        self.node_of_ident = np.empty(self.count, dtype=np.int64)
        self.node_of_ident[self.idents.ids] = np.arange(self.count)
        self.input_positions = {n.id: p for p, n in enumerate(self.inputs)}
        if any(self.idents.find(i.encode()) is not None for i in self.input_positions):
            raise NotColumnar("a node named as a model input")

    # NodeSource

    def __len__(self) -> int:
        return self.first + self.count

    def ident(self, position: int) -> str:
        if position < self.first:
            return self.inputs[position].id
        node = position - self.first
        return self.idents.bytes_of(int(self.idents.ids[node])).decode()

    def find(self, ident: str) -> int | None:
        if ident in self.input_positions:
            return self.input_positions[ident]
        found = self.idents.find(ident.encode())
        return None if found is None else int(self.node_of_ident[found]) + self.first

    def make(self, position: int) -> Node:
        if position < self.first:
            return self.inputs[position]
        i = position - self.first
        spans = self.spans
        n = decode_node(spans.buf[spans.starts[i] : spans.ends[i]])
        first, last = int(self.in_first[i]), int(self.in_first[i + 1])
        operands = [self._operand(int(s)) for s in self.source[first:last]]
        return make_node(n, self.ident(position), operands, self.opsets, False, None)

    def _operand(self, source: int) -> Operand:
        if source == -1:
            return None
        if source <= -2:
            return self.scope.get(self.externals[-2 - source])  # type: ignore[no-any-return]
        node = int(self.outs.message[source])
        return Tensor(self.ident(node + self.first), source - int(self.out_first[node]))

    def consumers(self, position: int) -> Sequence[int]:
        first, last = self.consumer_first[position], self.consumer_first[position + 1]
        return self.consumer_of[first:last].tolist()  # type: ignore[no-any-return]

    def with_ops(self, ops: Collection[str]) -> Sequence[int]:
        found = (np.nonzero(np.isin(self.ops, self._op_ids(ops)))[0] + self.first).tolist()
        return [*range(self.first), *found] if "Input" in ops else found

    def with_kind(self, kind: NodeKind) -> Sequence[int]:
        if kind == NodeKind.INPUT:
            return range(self.first)
        if kind == NodeKind.OPAQUE:
            return (np.nonzero(self.opaque)[0] + self.first).tolist()  # type: ignore[no-any-return]
        if kind == NodeKind.LAYER:
            return (np.nonzero(~self.opaque)[0] + self.first).tolist()  # type: ignore[no-any-return]
        return []

    def layers(self) -> int:
        return self.count

    def op_of(self, position: int) -> str:
        return "Input" if position < self.first else self.op_names[self.ops[position - self.first]]

    def weighted(
        self, ops: Collection[str], kernels: Collection[str]
    ) -> tuple[list[int], set[int]]:
        """Positions of the nodes of ops (and a known domain) that carry weights, as
        carries_weights() decides from the columns: a kernel op, or an operand that is a
        stored tensor with dimensions or a model input; and the positions of the other nodes
        of ops, which the caller decides node by node."""
        nodes = np.nonzero(np.isin(self.ops, self._op_ids(ops)) & ~self.opaque)[0]
        decided = np.isin(self.ops[nodes], self._op_ids(kernels))
        rest = nodes[~decided]
        first, last = self.in_first[rest], self.in_first[rest + 1]
        counts = last - first
        owner = np.repeat(np.arange(len(rest)), counts)
        fields = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        source = self.source[first[owner] + fields] if len(owner) else owner
        outer = np.nonzero(source <= -2)[0]
        external = -2 - source[outer]
        weight = self.external_weight[external] | (self.external_writer[external] >= 0)
        has = np.zeros(len(rest), dtype=bool)
        has[owner[outer[weight]]] = True
        found = np.concatenate([nodes[decided], rest[has]]) + self.first
        return found.tolist(), set((rest[~has] + self.first).tolist())

    def _op_ids(self, ops: Collection[str]) -> list[int]:
        return [k for k, name in enumerate(self.op_names) if name in ops]

    def resolve(self, name: str) -> Operand:
        """What a tensor name stands for once the whole graph is read (graph outputs, shapes
        recorded for names): the last writer, else the scope."""
        found = self.names.find(name.encode())
        if found is not None and self.writer[found] >= 0:
            return self._operand(int(self.writer[found]))
        return self.scope.get(name)


def _no_subgraphs(data: np.ndarray, attributes: Field) -> None:
    """Subgraphs become nodes and references are resolved in calls: the builder's work."""
    if not len(attributes.message):
        return
    ends = attributes.start + attributes.length
    inner = walk_fields(data, attributes.start, ends, (GRAPH, GRAPHS, REF))
    if any(len(f.message) for f in inner.values()):
        raise NotColumnar("a subgraph or an attribute reference")


__all__ = ["NodeTable", "OnnxValue", "table_graph"]
