"""A large ONNX main graph as a NodeSource (droplint.graph.lazy): columns read with numpy, a
node made, from its own bytes, only when flow analysis or a rule asks for it.

What the builder does node by node (graph.py) is done here for all nodes at once, to the same
result: node ids are node names (or first outputs), inputs are resolved to the node that wrote
the name before or to the scope (model inputs, then initializers), and a node is made by the
builder's own make_node. Initializers are found by name in the columns too, and decoded only
for the nodes made. Where the same result is not certain (see columns.py), NotColumnar sends
the model to the builder.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from droplint.enums import NodeKind
from droplint.formats.onnx.columns import Field, Ints, NotColumnar, Strings, walk_fields
from droplint.formats.onnx.graph import KNOWN_DOMAINS, Builder, LazyScope, make_node
from droplint.formats.onnx.proto import NodeSpans, OnnxModel, OnnxTensor, TensorSpans, decode_node
from droplint.graph import Graph, Node, Operand, Tensor
from droplint.graph.lazy import LazyGraph
from droplint.limits import limits
from droplint.read import SavedModel

INPUT, OUTPUT, NAME, OP, ATTRIBUTE, DOMAIN = 1, 2, 3, 4, 5, 7  # NodeProto field numbers
DIMS, TENSOR_NAME = 1, 8  # TensorProto
GRAPH, GRAPHS, REF = 6, 11, 21  # AttributeProto fields the builder treats apart


def table_graph(saved: SavedModel) -> Graph:
    """The model's graph over a NodeTable; NotColumnar when the columns do not cover it."""
    model: OnnxModel = saved.config
    assert model.graph is not None
    table = NodeTable(model)
    scratch = Graph(None, saved.format, None, None)  # holds the input nodes the builder makes
    scope = Builder(scratch, model).graph_inputs(
        model.graph, "", {}, top=True, initializer=table.initializer
    )
    assert isinstance(scope, LazyScope)
    table.link(scope, list(scratch.nodes.values()))
    graph = LazyGraph(model.graph.name or None, saved.format, saved.producer, saved.version, table)
    graph.inputs, graph.shapes, graph.dtypes = scratch.inputs, scratch.shapes, scratch.dtypes
    recorder = Builder(graph, model)
    for value in [*model.graph.value_info, *model.graph.outputs]:
        tensor = table.resolve(value.name)
        if isinstance(tensor, Tensor):
            recorder.record(tensor, value)
    outputs = (table.resolve(o.name) for o in model.graph.outputs)
    graph.outputs = [t for t in outputs if isinstance(t, Tensor)]
    return graph


class NodeTable:
    """Positions 0 .. len(inputs) - 1 are the model's input nodes, then the NodeProtos."""

    def __init__(self, model: OnnxModel) -> None:
        assert model.graph is not None
        spans, tensors = model.graph.nodes, model.graph.initializers
        if not isinstance(spans, NodeSpans) or not isinstance(tensors, TensorSpans):
            raise NotColumnar("a graph read otherwise")
        self.spans, self.tensors, self.opsets = spans, tensors, model.opsets
        self.count = len(spans)
        self.data = np.frombuffer(spans.buf, dtype=np.uint8)
        fields = walk_fields(
            self.data, _ints(spans.starts), _ints(spans.ends),
            (INPUT, OUTPUT, NAME, OP, ATTRIBUTE, DOMAIN),
        )  # fmt: skip
        _no_subgraphs(self.data, fields[ATTRIBUTE])
        self.ops, self.op_names = self._single(fields[OP])
        domains, domain_names = self._single(fields[DOMAIN])
        known = [name in KNOWN_DOMAINS for name in domain_names]
        self.opaque = ~np.array(known, dtype=bool)[domains]
        self.ins, self.outs, self.names = fields[INPUT], fields[OUTPUT], fields[NAME]
        self._strings()
        self._sources()

    def _single(self, field: Field) -> tuple[Ints, list[str]]:
        """A string every node has at most once (op type, domain): an id per node (absent:
        the empty string) and the strings."""
        _once(field)
        strings = Strings(self.data, field.start, field.length)
        names = [strings.bytes_of(k).decode() for k in range(len(strings.unique))]
        ids = np.full(self.count, len(names), dtype=np.int64)
        ids[field.message] = strings.ids
        return ids, [*names, ""]

    def _strings(self) -> None:
        """One id space for the names of tensors: outputs, inputs, initializers."""
        tensors = self.tensors
        starts, ends = _ints(tensors.starts), _ints(tensors.ends)
        fields = walk_fields(self.data, starts, ends, (TENSOR_NAME,), (DIMS,))
        named = fields[TENSOR_NAME]
        _once(named)
        name_start, name_length = starts.copy(), np.zeros(len(starts), dtype=np.int32)
        name_start[named.message], name_length[named.message] = named.start, named.length
        self.shaped = np.zeros(len(starts), dtype=bool)  # an initializer with dimensions
        self.shaped[fields[DIMS].message] = True
        outs, ins = self.outs, self.ins
        self.strings = Strings(
            self.data, np.concatenate([outs.start, ins.start, name_start]),
            np.concatenate([outs.length, ins.length, name_length]),
        )  # fmt: skip
        ids = self.strings.ids
        self.out_ids = ids[: len(outs.start)]
        self.in_ids = ids[len(outs.start) : len(outs.start) + len(ins.start)]
        self.tensor_of = np.full(len(self.strings.unique), -1, dtype=np.int32)  # last wins
        np.maximum.at(
            self.tensor_of, ids[len(outs.start) + len(ins.start) :], np.arange(len(starts))
        )

    def _sources(self) -> None:
        """Each input's source: an earlier node's output, a name of the scope, or none."""
        outs, ins = self.outs, self.ins
        written = outs.length > 0
        if written.any() and np.bincount(self.out_ids[written]).max() > 1:
            raise NotColumnar("two outputs of one name")
        self.writer = np.full(len(self.strings.unique), -1, dtype=np.int32)  # name id -> output
        self.writer[self.out_ids[written]] = np.nonzero(written)[0]
        self.out_first = np.searchsorted(outs.message, np.arange(self.count))  # node -> 1st out
        source = np.where(ins.length > 0, self.writer[self.in_ids], -1)
        inner = source >= 0
        if (outs.message[source[inner]] >= ins.message[inner]).any():
            raise NotColumnar("a node reads a name a later node writes")
        self.in_first = np.searchsorted(ins.message, np.arange(self.count + 1))
        self.source = source  # >= 0: output; -1: left out; <= -2: outer name (link)

    def initializer(self, name: str) -> OnnxTensor | None:
        """The initializer of name (the last of that name), decoded."""
        found = self.strings.find(name.encode())
        index = -1 if found is None else int(self.tensor_of[found])
        return self.tensors.at(index) if index >= 0 else None

    def link(self, scope: LazyScope, inputs: list[Node]) -> None:
        """What the model's inputs and initializers give: names no node writes, node ids."""
        self.scope, self.inputs, self.first = scope, inputs, len(inputs)
        if self.first + self.count > limits().nodes:
            raise NotColumnar("more nodes than the limit: the builder says so")
        self.input_positions = {n.id: p for p, n in enumerate(inputs)}
        self.known: dict[int, str] = {}  # ids decoded so far, by position
        self.found: dict[str, int] = dict(self.input_positions)  # and positions by id
        outer = np.nonzero((self.ins.length > 0) & (self.source < 0))[0]
        self.outer_ids, back = np.unique(self.in_ids[outer], return_inverse=True)
        self._outer_sources()
        self.source[outer] = -2 - back.reshape(-1)
        self._consumers()
        self._idents()

    def _outer_sources(self) -> None:
        """For each name no node writes: the model input it is, or an initializer (with
        dimensions: a weight)."""
        ids = self.outer_ids
        given = np.full(len(ids), -1, dtype=np.int64)  # the model input's position
        for name, value in dict.items(self.scope):  # model inputs (initializers: looked up)
            found = self.strings.find(name.encode())
            at = int(np.searchsorted(ids, found)) if found is not None else len(ids)
            if isinstance(value, Tensor) and at < len(ids) and ids[at] == found:
                given[at] = self.input_positions[value.node]
        tensor = self.tensor_of[ids]
        if ((given < 0) & (tensor < 0)).any():
            raise NotColumnar("a name nothing provides: the builder says which")
        shaped = self.shaped[tensor] if len(self.shaped) else np.zeros(len(ids), dtype=bool)
        self.outer_writer, self.outer_weight = given, (given < 0) & (tensor >= 0) & shaped

    def _consumers(self) -> None:
        """For each position, the positions that read any of its outputs."""
        source, size = self.source, self.first + self.count
        writer = np.full(len(source), -1, dtype=np.int64)
        inner = source >= 0
        writer[inner] = self.outs.message[source[inner]] + self.first
        outer = source <= -2
        writer[outer] = self.outer_writer[-2 - source[outer]]
        edges = np.nonzero(writer >= 0)[0]
        pairs = np.sort(writer[edges] * size + self.ins.message[edges] + self.first)
        if len(pairs) > 1:
            pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]  # each reader once
        self.consumer_of = pairs % size
        self.consumer_first = np.searchsorted(pairs // size, np.arange(size + 1))

    def _idents(self) -> None:
        """Node ids as the builder gives them: the name, else the first output."""
        names, outs = self.names, self.outs
        _once(names)
        start = np.zeros(self.count, dtype=np.int64)
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
        self.idents = Strings(self.data, start, length, distinct=True)  # an id: its node
        if any(self.idents.find(i.encode()) is not None for i in self.input_positions):
            raise NotColumnar("a node named as a model input")

    # NodeSource

    def __len__(self) -> int:
        return self.first + self.count

    def ident(self, position: int) -> str:
        known = self.known.get(position)
        if known is None:
            if position < self.first:
                return self.inputs[position].id
            node = position - self.first
            known = self.known[position] = self.idents.bytes_of(int(self.idents.ids[node])).decode()
            self.found[known] = position  # a Tensor names it: its node is asked for next
        return known

    def find(self, ident: str) -> int | None:
        position = self.found.get(ident)
        if position is not None:
            return position
        found = self.idents.find(ident.encode())
        return None if found is None else found + self.first

    def make(self, position: int) -> Node:
        if position < self.first:
            return self.inputs[position]
        i = position - self.first
        spans = self.spans
        n = decode_node(spans.buf[spans.starts[i] : spans.ends[i]])
        first, last = self.in_first[i : i + 2].tolist()
        operands = [self._operand(s) for s in self.source[first:last].tolist()]
        ident = self.known[position] = n.name or n.outputs[0]  # as the columns chose it
        self.found[ident] = position
        return make_node(n, ident, operands, self.opsets, False, None)

    def _operand(self, source: int) -> Operand:
        if source == -1:
            return None
        if source <= -2:
            name = self.strings.bytes_of(int(self.outer_ids[-2 - source])).decode()
            return self.scope.get(name)  # type: ignore[no-any-return]
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
        if kind in (NodeKind.OPAQUE, NodeKind.LAYER):
            chosen = self.opaque if kind == NodeKind.OPAQUE else ~self.opaque
            return (np.nonzero(chosen)[0] + self.first).tolist()  # type: ignore[no-any-return]
        return []

    def layers(self) -> int:
        return self.count

    def idents_and_ops(self, positions: list[int]) -> list[tuple[str, str]]:
        """(id, op) of many nodes (not inputs) at once."""
        nodes = np.array(positions, dtype=np.int64) - self.first
        idents = self.idents.texts(self.idents.ids[nodes])
        ops = [self.op_names[k] for k in self.ops[nodes].tolist()]
        return list(zip(idents, ops, strict=True))

    def op_of(self, position: int) -> str:
        return "Input" if position < self.first else self.op_names[self.ops[position - self.first]]

    def weighted(
        self, ops: Collection[str], kernels: Collection[str]
    ) -> tuple[list[int], set[int]]:
        """Positions of the nodes of ops (and a known domain) that carry weights, as
        carries_weights() decides from the columns: a kernel op, or an operand that is an
        initializer with dimensions or a model input; and the positions of the other nodes
        of ops, which the caller decides node by node."""
        nodes = np.nonzero(np.isin(self.ops, self._op_ids(ops)) & ~self.opaque)[0]
        decided = np.isin(self.ops[nodes], self._op_ids(kernels))
        rest = nodes[~decided]
        first, counts = self.in_first[rest], self.in_first[rest + 1] - self.in_first[rest]
        owner = np.repeat(np.arange(len(rest)), counts)
        fields = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        source = self.source[first[owner] + fields] if len(owner) else owner
        outer = np.nonzero(source <= -2)[0]
        name = -2 - source[outer]
        weight = self.outer_weight[name] | (self.outer_writer[name] >= 0)
        has = np.zeros(len(rest), dtype=bool)
        has[owner[outer[weight]]] = True
        found = np.concatenate([nodes[decided], rest[has]]) + self.first
        return found.tolist(), set((rest[~has] + self.first).tolist())

    def _op_ids(self, ops: Collection[str]) -> list[int]:
        return [k for k, name in enumerate(self.op_names) if name in ops]

    def resolve(self, name: str) -> Operand:
        """What a tensor name stands for once the whole graph is read (graph outputs, shapes
        recorded for names): the last writer, else the scope."""
        found = self.strings.find(name.encode())
        if found is not None and self.writer[found] >= 0:
            return self._operand(int(self.writer[found]))
        return self.scope.get(name)  # type: ignore[no-any-return]


def _ints(values: Sequence[int]) -> Ints:
    return np.frombuffer(values, dtype=np.int64)  # type: ignore[call-overload, no-any-return]


def _once(field: Field) -> None:
    """A field the reader keeps the last of (a name, an op type): written twice, the columns
    would have to choose."""
    if len(field.message) > 1 and (np.diff(field.message) == 0).any():
        raise NotColumnar("a field written twice")


def _no_subgraphs(data: np.ndarray, attributes: Field) -> None:
    """Subgraphs become nodes and references are resolved in calls: the builder's work."""
    if not len(attributes.message):
        return
    ends = attributes.start + attributes.length
    inner = walk_fields(data, attributes.start, ends, (GRAPH, GRAPHS, REF))
    if any(len(f.message) for f in inner.values()):
        raise NotColumnar("a subgraph or an attribute reference")
