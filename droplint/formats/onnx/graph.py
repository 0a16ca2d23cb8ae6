"""Build the neutral graph from an ONNX model.

Nodes are named by their node name, or by their first output when the name is empty. Edges follow
tensor names; subgraphs (Loop/Scan bodies, If branches, any GRAPH or GRAPHS attribute) are added
as nodes with the path `node/attribute/inner` and may read names of the scopes around them.
Calls of model-local functions are inlined (`caller/inner`), and training_info graphs are added
under `training_info[i]/...`. Initializers are constants, resolved per scope: each node's
operands hold the values of its own graph, subgraph or function call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from droplint.enums import NodeKind
from droplint.errors import UnreadableModel
from droplint.formats.onnx.proto import (
    OnnxAttr,
    OnnxFunction,
    OnnxGraph,
    OnnxModel,
    OnnxNode,
    OnnxTensor,
    OnnxValue,
)
from droplint.graph import Const, Graph, Node, Operand, Tensor
from droplint.limits import limits, over
from droplint.read import SavedModel

OVERRIDABLE_FROM_IR = 4
ELEM_TYPES = {1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32",
              7: "int64", 8: "string", 9: "bool", 10: "float16", 11: "float64", 12: "uint32",
              13: "uint64", 16: "bfloat16"}  # fmt: skip
SCOPES_KEY = "pkg.torch.onnx.name_scopes"  # where torch's dynamo exporter names the module
# Operator domains whose ops droplint knows (onnxruntime's contrib ops included); an op of any
# other domain, with no model-local function of that name, is one it cannot see into.
KNOWN_DOMAINS = {"", "ai.onnx", "ai.onnx.ml", "com.microsoft", "ai.onnx.preview.training"}

Scope = dict[str, Tensor | Const]  # a tensor name -> the edge or constant it stands for


def build_onnx_graph(saved: SavedModel) -> Graph:
    """The neutral graph of a read model, built node by node (table.py reads large graphs as
    columns)."""
    model: OnnxModel = saved.config
    assert model.graph is not None
    graph = Graph(model.graph.name or None, saved.format, saved.producer, saved.version)
    builder = Builder(graph, model)
    if builder.functions:
        _expansion_fits(model, builder.functions)
    scope = builder.graph_inputs(model.graph, "", {}, top=True)
    builder.add_graph(model.graph, "", scope, model.opsets, training=False, depth=0)
    outputs = (scope.get(o.name) for o in model.graph.outputs)
    graph.outputs = [t for t in outputs if isinstance(t, Tensor)]
    for label, extra in model.training:
        inner = builder.graph_inputs(extra, f"{label}/", scope, top=False)
        builder.add_graph(extra, f"{label}/", inner, model.opsets, training=True, depth=1)
    return graph


def _expansion_fits(model: OnnxModel, functions: dict) -> None:
    """Count the nodes the graph becomes once every function call is inlined, before building
    any: functions that each call the next twice would make 2^n nodes."""
    budget, sizes = limits().nodes, {}  # function key -> nodes once expanded

    def size(nodes: list[OnnxNode], depth: int) -> int:
        total = 0
        for n in nodes:
            key = (n.domain, n.op_type, n.overload)
            fn = functions.get(key)
            if fn is None:
                total += 1 + sum(size(g.nodes, depth + 1) for g in _subgraphs(n))
            elif depth <= limits().nesting:  # deeper calls are refused when inlined
                if key not in sizes:
                    sizes[key] = 0  # a function calling itself counts once
                    sizes[key] = size(fn.nodes, depth + 1)
                total += sizes[key]
            if total > budget:
                break
        return total

    if size(model.graph.nodes, 0) > budget:  # type: ignore[union-attr]
        raise over(f"the graph has more than {budget:,} nodes once its functions are inlined",
                   "nodes")  # fmt: skip


def _subgraphs(n: OnnxNode) -> list[OnnxGraph]:
    found: list[OnnxGraph] = []
    for attr in n.attrs.values():
        values = attr.value if isinstance(attr.value, list) else [attr.value]
        found.extend(v for v in values if isinstance(v, OnnxGraph))
    return found


class LazyScope(dict[str, "Tensor | Const"]):
    """The main graph's scope, its initializers made constants when first looked up: a graph
    with a weight per node asks for few of them."""

    def __init__(self, initializer: Callable[[str], OnnxTensor | None]) -> None:
        super().__init__()
        self.initializer = initializer

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        found = dict.get(self, name)
        if found is None:
            tensor = self.initializer(name)
            if tensor is None:
                return default
            found = self[name] = _const(tensor)
        return found


class Builder:
    def __init__(self, graph: Graph, model: OnnxModel) -> None:
        self.graph = graph
        # From IR 4 on, an initializer listed as a graph input is a default the caller may feed.
        self.overridable = model.ir_version >= OVERRIDABLE_FROM_IR
        self.functions = {(f.domain, f.name, f.overload): f for f in model.functions}
        self.condition: str | None = None  # set while the nodes of an If branch are added
        self.call_attrs: dict[str, OnnxAttr] = {}  # the inlined call's: a body's refs read them
        self.repeats: dict[str, int] = {}  # name -> the last k given as name#k
        self.budget = limits()

    def graph_inputs(
        self, g: OnnxGraph, prefix: str, outer: Scope, top: bool,
        initializer: Callable[[str], OnnxTensor | None] | None = None,
    ) -> Scope:  # fmt: skip
        """A scope with the graph's initializers as constants and its other inputs as input
        nodes (given an initializer lookup: a LazyScope, each constant made when looked up)."""
        scope = LazyScope(initializer) if initializer else dict(outer)
        for name, tensor in g.initializers.items() if not initializer else ():
            scope[name] = _const(tensor)
        for value in g.inputs:
            default = (initializer or g.initializers.get)(value.name)
            if default is not None and not self.overridable:
                continue  # IR < 4 lists every initializer as an input: a constant all the same
            node = self.add(
                Node(prefix + value.name, prefix + value.name, "Input", kind=NodeKind.INPUT)
            )
            if default is not None:  # a default the caller may replace: not a known value
                node.attrs["default"] = _const(default)
            tensor = Tensor(node.id)
            scope[value.name] = tensor
            self.record(tensor, value)
            if top:
                self.graph.inputs.append(tensor)
        return scope

    def add_graph(
        self, g: OnnxGraph, prefix: str, scope: Scope, opsets: dict[str, int],
        training: bool, depth: int,
    ) -> None:  # fmt: skip
        nodes = g.nodes  # the main graph's are decoded one by one here (NodeSpans)
        for i in range(len(nodes)):
            self.add_node(nodes[i], i, prefix, scope, opsets, training, depth)
        for value in [*g.value_info, *g.outputs]:  # shapes the exporter recorded
            tensor = scope.get(value.name)
            if isinstance(tensor, Tensor):
                self.record(tensor, value)

    def record(self, tensor: Tensor, value: OnnxValue) -> None:
        if value.shape is not None:
            self.graph.shapes.setdefault(tensor, value.shape)
        if value.elem_type in ELEM_TYPES:
            self.graph.dtypes.setdefault(tensor, ELEM_TYPES[value.elem_type])

    def add_node(
        self, n: OnnxNode, i: int, prefix: str, scope: Scope, opsets: dict[str, int],
        training: bool, depth: int,
    ) -> None:  # fmt: skip
        if any(a.ref for a in n.attrs.values()):
            n = replace(n, attrs=self.resolved(n.attrs))
        local = n.name or (n.outputs[0] if n.outputs else f"{n.op_type}_{i}")
        ident = prefix + local
        if ident in self.graph.nodes:
            ident = self.unique(ident)
        if self.functions:
            function = self.functions.get((n.domain, n.op_type, n.overload))
            if function is not None:
                self.inline(function, n, ident, scope, training, depth)
                return
        operands = []
        for name in n.inputs:  # inline: this loop runs for every edge of the graph
            found = scope.get(name) if name else None
            if found is None and name:
                raise UnreadableModel(_unknown_input(n, name))
            operands.append(found)
        self.add(make_node(n, ident, operands, opsets, training, self.condition))
        for k, out in enumerate(n.outputs):
            if out:
                scope[out] = Tensor(ident, k)
        if not n.attrs:
            return
        for attr in n.attrs.values():
            subgraphs = attr.value if isinstance(attr.value, list) else [attr.value]
            for j, sub in enumerate(s for s in subgraphs if isinstance(s, OnnxGraph)):
                label = attr.name if len(subgraphs) == 1 else f"{attr.name}[{j}]"
                inner_prefix = f"{ident}/{label}/"
                inner = self.graph_inputs(sub, inner_prefix, scope, top=False)
                outer = self.condition
                if n.op_type == "If" and not n.domain:
                    self.condition = f"'{ident}' takes its {label}"
                self.add_graph(sub, inner_prefix, inner, opsets, training, depth + 1)
                self.condition = outer

    def operand(self, n: OnnxNode, name: str, scope: Scope) -> Operand:
        """What an input name stands for here; an empty name is an omitted optional input."""
        if not name:
            return None
        found = scope.get(name)
        if found is None:
            raise UnreadableModel(_unknown_input(n, name))
        return found

    def inline(
        self, fn: OnnxFunction, call: OnnxNode, ident: str, scope: Scope,
        training: bool, depth: int,
    ) -> None:  # fmt: skip
        if depth > limits().nesting:
            raise over(
                f"model-local functions call each other more than {limits().nesting} deep",
                "nesting",
            )
        inner: Scope = {
            formal: scope[actual]
            for formal, actual in zip(fn.inputs, call.inputs, strict=False)
            if actual in scope
        }
        body = OnnxGraph(fn.name, fn.nodes)
        outer, self.call_attrs = self.call_attrs, {**fn.defaults, **self.resolved(call.attrs)}
        self.add_graph(body, ident + "/", inner, fn.opsets, training, depth + 1)
        self.call_attrs = outer
        for formal, actual in zip(fn.outputs, call.outputs, strict=False):
            if formal in inner and actual:
                scope[actual] = inner[formal]

    def resolved(self, attrs: Mapping[str, OnnxAttr]) -> dict[str, OnnxAttr]:
        """Attributes with the values their references name in the call being inlined; one
        the call does not give (and the function has no default for) is left out, as ONNX
        says."""
        out = {}
        for name, attr in attrs.items():
            if not attr.ref:
                out[name] = attr
            elif attr.ref in self.call_attrs:
                out[name] = OnnxAttr(name, self.call_attrs[attr.ref].value)
        return out

    def unique(self, ident: str) -> str:
        """ident, or ident#k for the k-th other node of that name (counted, not searched: 60,000
        nodes of one name stay linear)."""
        if ident not in self.graph.nodes:
            return ident
        k = self.repeats.get(ident, 0)
        while True:
            k += 1
            if f"{ident}#{k}" not in self.graph.nodes:
                self.repeats[ident] = k
                return f"{ident}#{k}"

    def add(self, node: Node) -> Node:
        budget = self.budget
        if len(self.graph.nodes) >= budget.nodes:
            raise over(f"the graph has more than {budget.nodes:,} nodes", "nodes")
        if len(node.id) > budget.name_length:
            raise over(f"a node's name is longer than {budget.name_length:,} characters "
                       "(enclosing calls included)", "name_length")  # fmt: skip
        return self.graph.add(node)


def make_node(
    n: OnnxNode, ident: str, operands: list[Operand], opsets: dict[str, int], training: bool,
    condition: str | None,
) -> Node:  # fmt: skip
    """The graph node of n, called ident, reading operands (its inputs resolved in scope)."""
    inputs = [o for o in operands if type(o) is Tensor]
    kind = NodeKind.OPAQUE if n.domain not in KNOWN_DOMAINS else NodeKind.LAYER  # custom op:
    # it may do anything, dropout included
    return Node(
        ident, ident, n.op_type, _attributes(n) if n.attrs else {}, inputs, kind, None,  # type: ignore[arg-type]
        training, condition, [], n.domain or None,
        tuple(operands) if len(inputs) != len(operands) else None,  # constants: keep all
        tuple(n.inputs), opsets.get(n.domain, 0),
        _source_module(n.metadata.get(SCOPES_KEY)) if n.metadata else None,
    )  # fmt: skip


def _const(tensor: OnnxTensor) -> Const:
    values = tuple(tensor.values) if tensor.values is not None else None
    return Const(values, tensor.dims)


def _attributes(n: OnnxNode) -> dict[str, Any]:
    """A node's attributes as plain values; subgraphs become nodes of their own."""
    if not n.attrs:
        return {}
    return {k: a.value for k, a in n.attrs.items() if not _is_graph(a.value)}


def _is_graph(value: Any) -> bool:
    return isinstance(value, OnnxGraph) or (
        isinstance(value, list) and any(isinstance(v, OnnxGraph) for v in value)
    )


def _source_module(scopes: str | None) -> str | None:
    """The torch module a dynamo export names in its name scopes: a list of module paths from
    the root, then the node's own (fx) name, which is dropped."""
    if not scopes:
        return None
    parts = [p.strip(" '\"") for p in scopes.strip("[]").split(",")][:-1]
    named = [p for p in parts if p]
    return named[-1] if named else None


def _unknown_input(node: OnnxNode, name: str) -> str:
    who = node.name or (node.outputs[0] if node.outputs else node.op_type)
    return (
        f"node '{who}' reads '{name}', which no earlier node, input or initializer provides: "
        "a dangling name, or a cycle (ONNX graphs are topologically sorted)"
    )
