"""Build the neutral graph from an exported program's JSON (torch/_export/serde/schema.py).

Each FX node is a Node named by the module that produced it (`encoder.layers.0.dropout1`, from
`nn_module_stack`) when that module made no other op, else by the module and its FX name
(`attn:dropout`), or by the FX name alone for ops of the root module (`relu`). Its op is the
aten operator without namespace and overload (`dropout`, `lstm`), its attrs the named arguments
that are not tensors (`p`, `train`, `num_layers`, ...), its source the module path and its
module that module's class. Parameters, buffers and constants in the signature are constants
(weights); user inputs are input nodes; the signature's user outputs are the graph's outputs.

Higher-order ops that call a graph on their last operands (`cond`, `invoke_subgraph`, a
`torch.no_grad()` or `autocast` block) are followed: the called graph's nodes join the graph
under `<caller>/` (`cond/true_graph_0/drop`), a `cond` branch with its condition. Any other op
holding a graph stays opaque and names the dropout ops inside it. Random draws droplint cannot
read as dropout (`rand_like`, `normal`, ...) are opaque too: a hand-written mask is unknown, not
absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from droplint.enums import NodeKind
from droplint.errors import UnreadableModel
from droplint.graph import Const, Graph, Node, Operand, Tensor
from droplint.limits import limits, over
from droplint.read import SavedModel

# TorchScript's ScalarType numbers, as the archive stores tensor dtypes (schema.ScalarType).
DTYPES = {1: "uint8", 2: "int8", 3: "int16", 4: "int32", 5: "int64", 6: "float16",
          7: "float32", 8: "float64", 12: "bool", 13: "bfloat16"}  # fmt: skip
WEIGHT_KINDS = ("parameter", "buffer", "tensor_constant", "constant_input", "custom_obj")
ATEN = "torch.ops.aten."
HIGHER = "torch.ops.higher_order."
# Higher-order ops whose graphs run on the op's last operands, returning the op's outputs.
CALLS = {"cond", "invoke_subgraph", "wrap_with_set_grad_enabled", "wrap_with_autocast"}
# Random draws other than bernoulli (which sites.py follows to the mask it makes); last, the
# dropout of older CUDA graphs (_fused_dropout, p = keep), unseen rather than misread.
RANDOM = {"rand", "rand_like", "randn", "randn_like", "randint", "randint_like", "normal",
          "normal_", "uniform", "uniform_", "exponential", "exponential_", "poisson",
          "multinomial", "randperm", "rrelu", "rrelu_with_noise", "random_",
          "geometric_", "cauchy_", "log_normal_", "_fused_dropout"}  # fmt: skip
DROPOUT_TARGETS = ("dropout", "bernoulli", "scaled_dot_product_attention", "lstm", "gru")


def build_torch_graph(saved: SavedModel) -> Graph:
    """One graph for the archive's programs (saved.config: name -> program JSON); when there
    are several (torch.export.pt2_archive's package_pt2), each one's nodes are `name/...`."""
    programs: dict[str, Any] = saved.config
    try:
        builder = _Builder(saved)
        for name, program in programs.items():
            builder.build(program, f"{name}/" if len(programs) > 1 else "")
        return builder.graph
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
        raise UnreadableModel(
            f"the exported program is malformed ({type(exc).__name__}: {exc})"
        ) from exc


@dataclass
class _Frame:
    """What names mean in the graph being built: a program's, or one a higher-order op calls."""

    nodes: list[dict[str, Any]]
    values: dict[str, Any]  # tensor name -> its dtype and sizes
    scope: dict[str, Tensor | Const]  # tensor name -> where it comes from
    prefix: str = ""  # of node ids: "name/" of a program among several, "cond/true_graph_0/"
    program: str = ""  # "name/" of a program among several, for module paths
    condition: str | None = None  # a cond branch's
    rebase: tuple[str, str] | None = None  # an invoke_subgraph's module paths: (old, new)
    caller: str = ""  # the higher-order op whose graph this is
    ids: dict[str, str] = field(init=False)
    labelled: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.ids, self.labelled = _names(self.nodes, self.rebase)


class _Builder:
    def __init__(self, saved: SavedModel) -> None:
        self.graph = Graph(None, saved.format, saved.producer, saved.version)
        self.budget = limits()
        self.depth = 0

    def build(self, program: dict[str, Any], prefix: str) -> None:
        module = program["graph_module"]
        fx = module["graph"]
        self.f = _Frame(fx.get("nodes") or [], fx.get("tensor_values") or {}, {}, prefix, prefix)
        signature = module.get("signature") or {}
        self._inputs(signature.get("input_specs") or [])
        for raw in self.f.nodes:
            self._node(raw)
        for spec in signature.get("output_specs") or []:
            name = _tensor_name((spec.get("user_output") or {}).get("arg"))
            found = self.f.scope.get(name) if name else None
            if isinstance(found, Tensor):
                self.graph.outputs.append(found)

    def _inputs(self, specs: list[dict[str, Any]]) -> None:
        for spec in specs:
            kind, body = next(iter(spec.items()))
            arg = body.get("arg") if isinstance(body, dict) else None
            name = arg.get("name") if isinstance(arg, dict) and "name" in arg else _tensor_name(arg)
            if name is None:
                continue
            if kind in WEIGHT_KINDS:
                dims = tuple(d or 0 for d in self._shape(name) or ())
                self.f.scope[name] = Const(None, dims)
                continue
            ident = self.f.prefix + name
            node = self._add(Node(ident, ident, "input", kind=NodeKind.INPUT))
            tensor = Tensor(node.id, 0)
            self.f.scope[name] = tensor
            self.graph.inputs.append(tensor)
            self._record(name, tensor)

    def _node(self, raw: dict[str, Any]) -> None:
        target = str(raw.get("target", ""))
        name = str(raw.get("name", ""))
        if not name:
            raise UnreadableModel("an FX node without a name")
        attrs: dict[str, Any] = {}
        operands: list[Operand] = []
        arg_names: list[str] = []
        graphs: list[tuple[str, dict[str, Any]]] = []
        for arg in raw.get("inputs") or []:
            self._argument(arg, attrs, operands, arg_names, graphs)
        path, cls = _module(raw.get("metadata") or {}, self.f.rebase)
        op = _op(target)
        ident = self.f.prefix + self.f.ids.get(name, name)
        if ident in self.graph.nodes and self.f.caller:
            ident = f"{self.f.caller}/{ident}"  # a called block's op named like one outside it
        if graphs and op in CALLS:
            self._call(ident, op, graphs, operands, raw.get("outputs") or [], path)
            return
        kind = NodeKind.LAYER if target.startswith((ATEN, "_operator.")) else NodeKind.OPAQUE
        if op in RANDOM:
            kind = NodeKind.OPAQUE  # a random draw that is no dropout op: maybe a hand-made mask
            attrs["dropout_like"] = f"a random draw (aten.{op})"
        inside = _dropout_inside(graphs)
        if inside:
            attrs["dropout_inside"] = inside
        attrs["target"], attrs["fx"] = target, name  # the op and its FX name, for people
        if self.f.caller:
            attrs["called_by"] = self.f.caller  # FX names are the called graph's own
        inputs = [o for o in operands if isinstance(o, Tensor)]
        source = self.f.program + path if path else None
        node = Node(ident, ident, op, attrs, inputs, kind, module=cls, source=source,
                    operands=tuple(operands), arg_names=tuple(arg_names),
                    condition=self.f.condition)  # fmt: skip
        if name in self.f.labelled and cls:
            node.label = cls.rsplit(".", 1)[-1]  # the module's one op: shown as its class
        self._add(node)
        self._outputs(raw.get("outputs") or [], _results(node.id))

    def _outputs(
        self, outputs: list[dict[str, Any]], values: list[Tensor] | list[Tensor | Const | None]
    ) -> None:
        for out, value in zip(_output_names(outputs), values, strict=False):
            if out and value is not None:
                self.f.scope[out] = value
                if isinstance(value, Tensor):
                    self._record(out, value)

    def _call(
        self, ident: str, op: str, graphs: list[tuple[str, dict[str, Any]]],
        operands: list[Operand], outputs: list[dict[str, Any]], path: str,
    ) -> None:  # fmt: skip
        """Inline the graphs a higher-order op calls on its last operands. One graph gives the
        op's outputs; the two branches of a cond meet in a node named after the op.

        Names: a cond's branches are `cond/true_graph_0/...`; a block (no_grad, autocast)
        keeps its ops' own names; an invoke_subgraph, traced once for every call of a module,
        has its module paths moved to the calling module's (blocks.2.drop, not blocks.1.drop).
        """
        if self.depth >= self.budget.nesting:
            raise over(f"subgraphs are nested more than {self.budget.nesting} deep", "nesting")
        ends: list[list[Tensor | Const | None]] = []
        for k, (label, body) in enumerate(graphs):
            condition, prefix, rebase = None, self.f.prefix, self.f.rebase
            if op == "cond":
                condition = f"the predicate of '{ident}' is {'true' if k == 0 else 'false'}"
                prefix = f"{ident}/{label}/"
            elif op == "invoke_subgraph" and path:
                rebase = (_common_path(body), path)
            ends.append(self._inline(ident, prefix, rebase, body, operands, condition))
        if len(ends) == 1:
            self._outputs(outputs, ends[0])
            return
        meeting = [e for e in (branch[0] if branch else None for branch in ends)
                   if isinstance(e, Tensor)]  # fmt: skip
        node = self._add(Node(ident, ident, op, {"fx": ident}, meeting, condition=self.f.condition))
        self._outputs(outputs, _results(node.id))

    def _inline(
        self, caller: str, prefix: str, rebase: tuple[str, str] | None, body: dict[str, Any],
        operands: list[Operand], condition: str | None,
    ) -> list[Tensor | Const | None]:  # fmt: skip
        """Build a called graph under prefix with its inputs bound to the caller's last tensor
        operands; its outputs, as the caller's scope knows them."""
        inner = body.get("graph") if isinstance(body, dict) else None
        if not isinstance(inner, dict):
            raise UnreadableModel("a higher-order op's graph argument holds no graph")
        params = [_tensor_name(a) for a in inner.get("inputs") or []]
        tensors = [o for o in operands if isinstance(o, (Tensor, Const))]
        given = tensors[len(tensors) - len(params) :]
        if len(given) != len(params):
            raise UnreadableModel("a called graph takes more tensors than its caller passes")
        outer = self.f
        self.f = _Frame(
            inner.get("nodes") or [], inner.get("tensor_values") or {},
            {n: t for n, t in zip(params, given, strict=True) if n}, prefix, outer.program,
            " and ".join(c for c in (outer.condition, condition) if c) or None, rebase, caller,
        )  # fmt: skip
        self.depth += 1
        try:
            for raw in self.f.nodes:
                self._node(raw)
            return [self.f.scope.get(_tensor_name(o) or "") for o in inner.get("outputs") or []]
        finally:
            self.depth -= 1
            self.f = outer

    def _argument(
        self, arg: dict[str, Any], attrs: dict[str, Any], operands: list[Operand],
        arg_names: list[str], graphs: list[tuple[str, dict[str, Any]]],
    ) -> None:  # fmt: skip
        """One named argument: tensors become operands, graphs are collected, anything else
        is an attribute."""
        key = str(arg.get("name", ""))
        value = arg.get("arg") or {}
        kind, body = next(iter(value.items())) if value else ("as_none", None)
        if kind == "as_graph" and isinstance(body, dict):
            graphs.append((str(body.get("name") or f"graph_{len(graphs)}"), body))
            return
        if kind in ("as_tensor", "as_optional_tensor"):
            tensors = [_tensor_name(value if kind == "as_tensor" else body)]
        elif kind in ("as_tensors", "as_optional_tensors"):
            tensors = [_tensor_name({"as_tensor": t}) if "name" in (t or {}) else None
                       for t in body or []]  # fmt: skip
        else:
            attrs[key] = _scalar(kind, body)
            return
        for t in tensors:
            operands.append(self._operand(t))
            arg_names.append(key)

    def _operand(self, name: str | None) -> Operand:
        if name is None:
            return None
        found = self.f.scope.get(name)
        if found is None:
            raise UnreadableModel(f"a node reads '{name}', which no earlier node or input makes")
        return found

    def _add(self, node: Node) -> Node:
        if len(self.graph.nodes) >= self.budget.nodes:
            raise over(f"the program has more than {self.budget.nodes:,} nodes", "nodes")
        if len(node.id) > self.budget.name_length:
            raise over(f"a node's name is longer than {self.budget.name_length:,} characters",
                       "name_length")  # fmt: skip
        if node.id in self.graph.nodes:
            raise UnreadableModel(f"two nodes share the name '{node.id}'")
        return self.graph.add(node)

    def _shape(self, name: str) -> tuple[int | None, ...] | None:
        meta = self.f.values.get(name)
        sizes = meta.get("sizes") if isinstance(meta, dict) else None
        if not isinstance(sizes, list) or len(sizes) > self.budget.rank:
            return None
        return tuple(s.get("as_int") if isinstance(s, dict) else None for s in sizes)

    def _record(self, name: str, tensor: Tensor) -> None:
        shape = self._shape(name)
        if shape is not None:
            self.graph.shapes[tensor] = shape
        meta = self.f.values.get(name)
        dtype = DTYPES.get(meta.get("dtype")) if isinstance(meta, dict) else None
        if dtype:
            self.graph.dtypes[tensor] = dtype


# Ops a module makes besides its real work (the initial state of an LSTM, a transposed weight):
# a module whose only other op is its work still names that op by its path alone.
HELPERS = {"zeros", "zeros_like", "ones", "ones_like", "full", "full_like", "empty",
           "empty_like", "empty_permuted", "new_zeros", "new_ones", "new_empty", "new_full",
           "scalar_tensor", "arange", "detach", "alias", "_assert_tensor_metadata", "permute",
           "t", "transpose"}  # fmt: skip


def _names(
    nodes: list[dict[str, Any]], rebase: tuple[str, str] | None
) -> tuple[dict[str, str], set[str]]:
    """FX name -> node id (the module path for a module's one working op, else path:name), and
    the FX names shown as their module's class: the working ops of a module that makes one kind
    of op (a Dropout, also when it is called twice)."""
    work: dict[str, list[str]] = {}
    kinds: dict[str, set[str]] = {}
    paths: dict[str, str] = {}
    for n in nodes:
        name, path = str(n.get("name", "")), _module(n.get("metadata") or {}, rebase)[0]
        op = _op(str(n.get("target", "")))
        paths[name] = path
        if path and op not in HELPERS:
            work.setdefault(path, []).append(name)
            kinds.setdefault(path, set()).add(op)
    ids = {}
    for name, path in paths.items():
        alone = len(work.get(path, [])) == 1 and work[path][0] == name
        ids[name] = path if alone else f"{path}:{name}" if path else name
    labelled = {name for path, ops in kinds.items() if len(ops) == 1 for name in work[path]}
    return ids, labelled


def _results(node: str) -> list[Tensor]:
    """A node's output tensors, enough for any op's list of outputs."""
    return [Tensor(node, k) for k in range(64)]


def _op(target: str) -> str:
    for namespace in (ATEN, HIGHER):
        if target.startswith(namespace):
            return target[len(namespace) :].split(".")[0]
    return target


def _dropout_inside(graphs: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The dropout-like ops in graphs droplint does not follow, with their rates, for people."""
    found: list[str] = []
    todo = [body for _, body in graphs]
    while todo and len(found) < 16:
        inner = todo.pop().get("graph") or {}
        for raw in inner.get("nodes") or []:
            op = _op(str(raw.get("target", "")))
            rate = next((a.get("arg", {}).get("as_float") for a in raw.get("inputs") or []
                         if a.get("name") in ("p", "dropout", "dropout_p")), None)  # fmt: skip
            if any(t in op for t in DROPOUT_TARGETS):
                found.append(op if rate is None else f"{op}({rate})")
            todo.extend(a["arg"]["as_graph"] for a in raw.get("inputs") or []
                        if isinstance(a.get("arg"), dict) and "as_graph" in a["arg"])  # fmt: skip
    return found


def _tensor_name(arg: Any) -> str | None:
    if not isinstance(arg, dict):
        return None
    body = arg.get("as_tensor")
    if isinstance(body, dict) and isinstance(body.get("name"), str):
        return body["name"]
    return None


def _output_names(outputs: list[dict[str, Any]]) -> list[str | None]:
    """An op's outputs in order: as_tensor, a list (as_tensors), or nothing (as_none)."""
    names: list[str | None] = []
    for out in outputs:
        kind, body = next(iter(out.items())) if out else ("as_none", None)
        if kind == "as_tensor":
            names.append(body.get("name") if isinstance(body, dict) else None)
        elif kind in ("as_tensors", "as_optional_tensors"):
            names.extend(t.get("name") if isinstance(t, dict) else None for t in body or [])
        else:
            names.append(None)
    return names


def _scalar(kind: str, body: Any) -> Any:
    """An argument that is no tensor, as a plain value (as_float 0.3, as_bool True, ...)."""
    if kind == "as_none":
        return None
    if kind in ("as_float", "as_int", "as_bool", "as_string", "as_ints", "as_floats",
                "as_bools", "as_strings", "as_scalar_type"):  # fmt: skip
        return body
    return {kind: body}


def _module(
    metadata: dict[str, Any], rebase: tuple[str, str] | None = None
) -> tuple[str, str | None]:
    """(path, class) of the innermost module in `nn_module_stack` ("key,path,type;..."):
    ("encoder.layers.0.dropout1", "torch.nn.modules.dropout.Dropout"); ("", None) without.
    rebase (old, new) moves paths under old to new."""
    stack = metadata.get("nn_module_stack")
    if not isinstance(stack, str) or not stack:
        return "", None
    last = stack.split(";")[-1].split(",")
    if len(last) < 3:
        return "", None
    path = last[1]
    if rebase is not None and (path == rebase[0] or path.startswith(rebase[0] + ".")):
        path = rebase[1] + path[len(rebase[0]) :]
    return path, last[-1] or None


def _common_path(body: dict[str, Any]) -> str:
    """The module path every op of a called graph shares (the module it was traced from)."""
    paths = [
        _module(n.get("metadata") or {})[0] for n in (body.get("graph") or {}).get("nodes") or []
    ]
    parts = [p.split(".") for p in paths if p]
    if not parts:
        return ""
    common = parts[0]
    for p in parts[1:]:
        while common and p[: len(common)] != common:
            common = common[:-1]
    return ".".join(common)
