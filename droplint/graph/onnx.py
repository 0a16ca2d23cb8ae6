"""Build the neutral graph from an ONNX model.

Nodes are named by their node name, or by their first output when the name is empty. Edges follow
tensor names; subgraphs (Loop/Scan bodies, If branches, any GRAPH or GRAPHS attribute) are added
as nodes with the path `node/attribute/inner` and may read names of the scopes around them.
Calls of model-local functions are inlined (`caller/inner`), and training_info graphs are added
under `training_info[i]/...`. Initializers and Constant outputs are known values, not nodes.
"""

from __future__ import annotations

from typing import Any

from droplint.errors import UnreadableModel
from droplint.graph.model import Graph, Node, Tensor
from droplint.read import SavedModel
from droplint.read.onnx import OnnxFunction, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor

MAX_NODES = 2_000_000
MAX_CALL_DEPTH = 32
ELEM_TYPES = {1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32",
              7: "int64", 8: "string", 9: "bool", 10: "float16", 11: "float64", 12: "uint32",
              13: "uint64", 16: "bfloat16"}  # fmt: skip

Scope = dict[str, Tensor]


def build_onnx_graph(saved: SavedModel) -> Graph:
    model: OnnxModel = saved.config
    assert model.graph is not None
    graph = Graph(model.graph.name or None, saved.format, saved.producer, saved.version)
    builder = _Builder(graph, model)
    scope = builder.graph_inputs(model.graph, "", {}, top=True)
    builder.add_graph(model.graph, "", scope, model.opsets, training=False, depth=0)
    graph.outputs = [scope[o.name] for o in model.graph.outputs if o.name in scope]
    for label, extra in model.training:
        inner = builder.graph_inputs(extra, f"{label}/", scope, top=False)
        builder.add_graph(extra, f"{label}/", inner, model.opsets, training=True, depth=1)
    return graph


class _Builder:
    def __init__(self, graph: Graph, model: OnnxModel) -> None:
        self.graph = graph
        self.initializers: set[str] = set()
        self.functions = {(f.domain, f.name, f.overload): f for f in model.functions}

    def graph_inputs(self, g: OnnxGraph, prefix: str, outer: Scope, top: bool) -> Scope:
        """A scope with the graph's own inputs as input nodes (initializers excluded)."""
        scope = dict(outer)
        for name, tensor in g.initializers.items():
            self.initializers.add(name)
            if tensor.values is not None:
                self.graph.constants[name] = tensor.values
            scope.pop(name, None)
        for value in g.inputs:
            if value.name in g.initializers:
                continue
            node = self.add(Node(prefix + value.name, prefix + value.name, "Input", kind="input"))
            tensor = Tensor(node.id)
            scope[value.name] = tensor
            if value.shape is not None:
                self.graph.shapes[tensor] = value.shape
            if value.elem_type in ELEM_TYPES:
                self.graph.dtypes[tensor] = ELEM_TYPES[value.elem_type]
            if top:
                self.graph.inputs.append(tensor)
        return scope

    def add_graph(
        self, g: OnnxGraph, prefix: str, scope: Scope, opsets: dict[str, int],
        training: bool, depth: int,
    ) -> None:  # fmt: skip
        for i, onnx_node in enumerate(g.nodes):
            self.add_node(onnx_node, i, prefix, scope, opsets, training, depth)

    def add_node(
        self, n: OnnxNode, i: int, prefix: str, scope: Scope, opsets: dict[str, int],
        training: bool, depth: int,
    ) -> None:  # fmt: skip
        local = n.name or (n.outputs[0] if n.outputs else f"{n.op_type}_{i}")
        ident = self.unique(prefix + local)
        function = self.functions.get((n.domain, n.op_type, n.overload))
        if function is not None:
            self.inline(function, n, ident, scope, training, depth)
            return
        if n.op_type == "Constant" and "value" in n.attrs and n.outputs:
            value = n.attrs["value"].value
            if isinstance(value, OnnxTensor) and value.values is not None:
                self.graph.constants[n.outputs[0]] = value.values
        node = Node(ident, ident, n.op_type, _config(n, opsets), module=n.domain or None)
        node.inputs = self.edges(n, scope)
        if training:
            node.call["training_graph"] = True
        self.add(node)
        for k, out in enumerate(n.outputs):
            if out:
                scope[out] = Tensor(node.id, k)
        for attr in n.attrs.values():
            subgraphs = attr.value if isinstance(attr.value, list) else [attr.value]
            for j, sub in enumerate(s for s in subgraphs if isinstance(s, OnnxGraph)):
                label = attr.name if len(subgraphs) == 1 else f"{attr.name}[{j}]"
                inner_prefix = f"{ident}/{label}/"
                inner = self.graph_inputs(sub, inner_prefix, scope, top=False)
                self.add_graph(sub, inner_prefix, inner, opsets, training, depth + 1)

    def edges(self, n: OnnxNode, scope: Scope) -> list[Tensor]:
        """Tensors the node reads from other nodes; initializers and empty names are no edges."""
        edges = []
        for name in n.inputs:
            if name in scope:
                edges.append(scope[name])
            elif name and name not in self.initializers:
                raise UnreadableModel(_unknown_input(n, name))
        return edges

    def inline(
        self, fn: OnnxFunction, call: OnnxNode, ident: str, scope: Scope,
        training: bool, depth: int,
    ) -> None:  # fmt: skip
        if depth > MAX_CALL_DEPTH:
            raise UnreadableModel(
                f"model-local functions call each other more than {MAX_CALL_DEPTH} deep"
            )
        inner: Scope = {}
        for formal, actual in zip(fn.inputs, call.inputs, strict=False):
            if actual in scope:
                inner[formal] = scope[actual]
            if actual in self.initializers:
                self.initializers.add(formal)
            if actual in self.graph.constants:
                self.graph.constants[formal] = self.graph.constants[actual]
        body = OnnxGraph(fn.name, fn.nodes)
        self.add_graph(body, ident + "/", inner, fn.opsets, training, depth + 1)
        for formal, actual in zip(fn.outputs, call.outputs, strict=False):
            if formal in inner and actual:
                scope[actual] = inner[formal]

    def unique(self, ident: str) -> str:
        if ident not in self.graph.nodes:
            return ident
        k = 1
        while f"{ident}#{k}" in self.graph.nodes:
            k += 1
        return f"{ident}#{k}"

    def add(self, node: Node) -> Node:
        if len(self.graph.nodes) >= MAX_NODES:
            raise UnreadableModel(f"the graph has more than {MAX_NODES} nodes")
        return self.graph.add(node)


def _config(n: OnnxNode, opsets: dict[str, int]) -> dict[str, Any]:
    """A node's attributes (plain values), input names and the opset it runs under."""
    attrs = {k: a.value for k, a in n.attrs.items() if not _is_graph(a.value)} if n.attrs else {}
    cfg: dict[str, Any] = {
        "attributes": attrs,
        "input_names": n.inputs,
        "output_names": n.outputs,
        "opset": opsets.get(n.domain, 0),
    }
    if n.metadata:
        if source := n.metadata.get("pkg.torch.onnx.name_scopes"):
            cfg["source"] = source
        if classes := n.metadata.get("pkg.torch.onnx.class_hierarchy"):
            cfg["source_classes"] = classes
    return cfg


def _is_graph(value: Any) -> bool:
    return isinstance(value, OnnxGraph) or (
        isinstance(value, list) and any(isinstance(v, OnnxGraph) for v in value)
    )


def _unknown_input(node: OnnxNode, name: str) -> str:
    who = node.name or (node.outputs[0] if node.outputs else node.op_type)
    return (
        f"node '{who}' reads '{name}', which no earlier node, input or initializer provides: "
        "a dangling name, or a cycle (ONNX graphs are topologically sorted)"
    )
