"""Build the neutral graph from a saved Keras config (Keras 1, 2 and 3 config shapes).

Nested Sequential / Functional models are inlined (their layers get the path `model/layer`),
wrappers keep their wrapped layers as inner nodes, and each call of a shared layer is its own
node (`layer@1` for the second call). A model inside TimeDistributed is inlined too, its layers
marked as applied to every step (`Node.distributed`), with their shapes as the whole tensor's.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from droplint.enums import NodeKind
from droplint.errors import UnreadableModel
from droplint.formats.keras import hub
from droplint.formats.keras import layers as kl
from droplint.formats.keras.savedmodel import untuple
from droplint.formats.keras.shapes import infer_shapes
from droplint.graph import Graph, Node, Tensor
from droplint.limits import limits, over
from droplint.read import SavedModel

Ref = tuple[str, int, int]  # (layer name, call index, output index)


def build_keras_graph(saved: SavedModel) -> Graph:
    cfg = saved.config
    graph = Graph(_model_name(cfg), saved.format, saved.producer, saved.version)
    graph.libraries = dict(saved.libraries)
    builder = _Builder(graph)
    try:
        if is_model(cfg):
            graph.outputs = builder.model(cfg, "", "", None, {}, 0)
        else:  # a model class saved as one layer, e.g. keras_hub>BertBackbone
            graph.outputs = builder.sequential([cfg], "", "", None, {}, 0)
    except RecursionError as exc:
        raise UnreadableModel("the model config is nested too deeply") from exc
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise UnreadableModel(
            f"the model config is malformed ({type(exc).__name__}: {exc})"
        ) from exc
    infer_shapes(graph)
    return graph


def _model_name(cfg: dict[str, Any]) -> str | None:
    inner = cfg.get("config")
    name = inner.get("name") if isinstance(inner, dict) else None
    return name if isinstance(name, str) else None


def is_model(layer: dict[str, Any]) -> bool:
    cfg = layer.get("config")
    if layer.get("class_name") in kl.MODELS or isinstance(cfg, list):
        return True
    return isinstance(cfg, dict) and isinstance(cfg.get("layers"), list)


def layer_name(layer: dict[str, Any], fallback: str) -> str:
    cfg = layer.get("config")
    name = layer.get("name") or (cfg.get("name") if isinstance(cfg, dict) else None)
    return str(name) if name else fallback


class _Builder:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.distributed = 0  # TimeDistributed models around the layers being added
        self.count = 0  # nodes made, inner ones included: the budget is limits().nodes
        self.keras3 = (graph.version or "").startswith("3.") or (
            graph.version is None and graph.producer == "keras"
        )

    # -- models ---------------------------------------------------------------------------

    def model(
        self, layer: dict[str, Any], path: str, ident: str,
        inputs: list[Tensor] | None, call: dict[str, Any], depth: int,
    ) -> list[Tensor]:  # fmt: skip
        """Inline a model; path/ident are prefixes ending in '/' (or empty at the top)."""
        if depth > limits().nesting:
            raise over(f"models are nested more than {limits().nesting} deep", "nesting")
        cfg = layer["config"]
        if isinstance(cfg, list) or "input_layers" not in cfg:
            layers = cfg if isinstance(cfg, list) else cfg["layers"]
            return self.sequential(layers, path, ident, inputs, call, depth)
        return self.functional(cfg, path, ident, inputs, call, depth)

    def sequential(
        self, layers: list[dict[str, Any]], path: str, ident: str,
        inputs: list[Tensor] | None, call: dict[str, Any], depth: int,
    ) -> list[Tensor]:  # fmt: skip
        current = inputs
        for i, layer in enumerate(layers):
            name = layer_name(layer, f"layer_{i}")
            if layer["class_name"] == "InputLayer":
                if current is None:
                    current = [self.input_node(layer, path + name, ident + name)]
                continue
            if current is None:  # Keras 2: the first layer carries the input shape
                current = [self.input_node(layer, f"{path}{name}_input", f"{ident}{name}_input")]
            current = self.call(layer, name, 0, path, ident, current, call, depth)
        if current is None:
            raise UnreadableModel("a Sequential model with no layers")
        return current

    def functional(
        self, cfg: dict[str, Any], path: str, ident: str,
        inputs: list[Tensor] | None, call: dict[str, Any], depth: int,
    ) -> list[Tensor]:  # fmt: skip
        made: dict[tuple[str, int], list[Tensor] | str] = {}
        offsets = _call_offsets(cfg)
        input_refs = _refs_list(cfg["input_layers"])
        given = dict(zip((r[0] for r in input_refs), inputs or [], strict=False))
        pending: list[tuple[dict[str, Any], str, int, Any]] = []  # every layer call
        for i, layer in enumerate(cfg["layers"]):
            name = layer_name(layer, f"layer_{i}")
            if layer["class_name"] == "InputLayer":
                made[(name, 0)] = (
                    [given[name]]
                    if name in given
                    else [self.input_node(layer, path + name, ident + name)]
                )
                continue
            for k, inbound in enumerate(layer.get("inbound_nodes") or []):
                pending.append((layer, name, k, inbound))

        def resolve(ref: Ref) -> Tensor:
            out = made[(ref[0], ref[1])]
            if isinstance(out, str):  # a plain layer: any output index of its node
                return Tensor(out, ref[2])
            return out[ref[2]] if ref[2] < len(out) else out[-1]

        # Layer calls in dependency order (Kahn): each call waits for the calls it reads, and
        # is made once they are, so the order the config lists them in costs nothing.
        waiting: dict[tuple[str, int], list[int]] = {}
        missing = [0] * len(pending)
        parsed = [parse_inbound(inbound) for _, _, _, inbound in pending]
        ready = deque()
        for i, (refs, _, _) in enumerate(parsed):
            needs = {(r[0], r[1]) for r in refs if (r[0], r[1]) not in made}
            missing[i] = len(needs)
            for key in needs:
                waiting.setdefault(key, []).append(i)
            if not needs:
                ready.append(i)
        done = 0
        while ready:
            i = ready.popleft()
            done += 1
            layer, name, k, _ = pending[i]
            refs, kwargs, recorded = parsed[i]
            tensors = [resolve(r) for r in refs]
            for r, (shape, dtype) in recorded.items():
                self.record(resolve(r), shape, dtype)
            out = self.call(layer, name, k, path, ident, tensors, self.inherit(call, kwargs), depth)
            key = (name, k + offsets.get(name, 0))
            made[key] = out[0].node if _single_node(out) else out
            for j in waiting.pop(key, []):
                missing[j] -= 1
                if missing[j] == 0:
                    ready.append(j)
        if done < len(pending):
            i = next(i for i, m in enumerate(missing) if m)
            name = pending[i][1]
            lost = next(r for r in parsed[i][0] if (r[0], r[1]) not in made)
            raise UnreadableModel(
                f"layer '{path}{name}' reads '{lost[0]}' (call {lost[1]}), which the "
                "model does not produce: a dangling reference or a cycle"
            )
        outputs = []
        for ref in _refs_list(cfg["output_layers"]):
            if (ref[0], ref[1]) not in made:
                raise UnreadableModel(f"the model output '{ref[0]}' is not a layer of the model")
            outputs.append(resolve(ref))
        return outputs

    def inherit(self, outer: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
        """A nested model called with training=True passes it on to the layers inside.

        Keras 3 stores training=False on every call, so there the outer True wins; in Keras 2 a
        stored value was written by the user and takes precedence.
        """
        if outer.get("training") is not True:
            return own
        keras3 = (self.graph.version or "").startswith("3.")
        if "training" in own and own["training"] is not None and not keras3:
            return own
        return {**own, "training": True}

    # -- layers ---------------------------------------------------------------------------

    def call(
        self, layer: dict[str, Any], name: str, k: int, path: str, ident: str,
        inputs: list[Tensor], call: dict[str, Any], depth: int,
    ) -> list[Tensor]:  # fmt: skip
        suffix = f"@{k}" if k else ""
        if is_model(layer):
            return self.model(
                layer, f"{path}{name}/", f"{ident}{name}{suffix}/", inputs, call, depth + 1
            )
        inner = _distributed_model(layer)
        if inner is not None:  # TimeDistributed(model): the model's layers, step by step
            own = f"{name}/{layer_name(inner, 'model')}/"
            self.distributed += 1
            try:
                return self.model(inner, path + own, ident + own, inputs, call, depth + 1)
            finally:
                self.distributed -= 1
        node = self.make_node(layer, path + name, ident + name + suffix)
        node.inputs = inputs
        if isinstance(call.get("training"), bool):
            node.training = call["training"]
        self.add(node)
        return [Tensor(node.id, 0)]

    def make_node(self, layer: dict[str, Any], path: str, ident: str, depth: int = 0) -> Node:
        """A layer, and the layers it wraps as inner nodes: each one counts against the node
        budget (a Bidirectional copies its layer, so 24 of them nested would make 2^24)."""
        if depth > limits().nesting:
            raise over(f"wrappers are nested more than {limits().nesting} deep", "nesting")
        self.counted(ident)
        cls = str(layer["class_name"])
        cfg = layer.get("config")
        cfg = cfg if isinstance(cfg, dict) else {}
        module = layer.get("registered_name") or layer.get("module")
        if kl.keras_op(cls, layer.get("module")):
            module = layer["module"]  # keras.src.ops.nn: a Keras 3 op, known by its class
        kind = _kind(cls, module, cfg, self.graph.libraries.get("keras_hub"))
        if cls in kl.TF_CALLS and _draws(cfg.get("function")):
            kind = NodeKind.OPAQUE  # tf.nn.dropout, tf.random.*: dropout droplint cannot place
            cfg = {**cfg, "dropout_like": f"a random draw (tf.{cfg.get('function')})"}
        node = Node(ident, path, cls, cfg, kind=kind, module=module)
        node.distributed = self.distributed
        node.inner = [
            self.make_node(sub, f"{path}/{sub_name}", f"{ident}/{sub_name}", depth + 1)
            for sub_name, sub in _wrapped(cls, cfg, self.keras3)
        ]
        return node

    def counted(self, ident: str) -> None:
        """One more node, against the budget."""
        budget = limits()
        self.count += 1
        if self.count > budget.nodes:
            raise over(f"the model has more than {budget.nodes:,} layers", "nodes")
        if len(ident) > budget.name_length:
            raise over(f"a layer's name is longer than {budget.name_length:,} characters "
                       "(enclosing models included)", "name_length")  # fmt: skip

    def input_node(self, layer: dict[str, Any], path: str, ident: str) -> Tensor:
        cfg = layer.get("config") or {}
        node = self.add(Node(ident, path, "InputLayer", cfg, kind=NodeKind.INPUT))
        tensor = Tensor(node.id, 0)
        shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
        if shape is None and cfg.get("input_dim") is not None:  # Keras 1
            shape = [None, cfg["input_dim"]]
        dtype = cfg.get("dtype") if isinstance(cfg.get("dtype"), str) else None
        self.record(tensor, untuple(shape), dtype if layer["class_name"] == "InputLayer" else None)
        self.graph.inputs.append(tensor)
        return tensor

    def record(self, tensor: Tensor, shape: Any, dtype: Any) -> None:
        if isinstance(shape, list) and len(shape) > limits().rank:
            shape = None  # beyond any framework's rank: droplint does without it
        if isinstance(shape, list) and all(d is None or isinstance(d, int) for d in shape):
            if self.distributed and shape:  # a frame's shape: the steps' axes are not in it
                shape = [shape[0], *[None] * self.distributed, *shape[1:]]
            self.graph.shapes.setdefault(tensor, tuple(shape))
        if isinstance(dtype, str):
            self.graph.dtypes.setdefault(tensor, dtype)

    def add(self, node: Node) -> Node:
        if node.kind == NodeKind.INPUT:  # other layers are counted as they are made
            self.counted(node.id)
        if node.id in self.graph.nodes:
            raise UnreadableModel(f"two layers share the name '{node.id}'")
        return self.graph.add(node)


def _call_offsets(cfg: dict[str, Any]) -> dict[str, int]:
    """How far references to a layer's calls are shifted from its inbound_nodes positions.

    Keras 2 counts a nested model's own construction as its call 0, so the outer graph refers to
    its first real call as node index 1; Keras 3 does not. Shifts are read off the references.
    """
    highest: dict[str, int] = {}
    refs: list[Ref] = _refs_list(cfg.get("output_layers"))
    for layer in cfg["layers"]:
        for inbound in layer.get("inbound_nodes") or []:
            refs.extend(parse_inbound(inbound)[0])
    for name, k, _ in refs:
        highest[name] = max(highest.get(name, 0), k)
    offsets = {}
    for i, layer in enumerate(cfg["layers"]):
        name = layer_name(layer, f"layer_{i}")
        calls = len(layer.get("inbound_nodes") or [])
        if calls and highest.get(name, 0) >= calls:
            offsets[name] = highest[name] - calls + 1
    return offsets


def _distributed_model(layer: dict[str, Any]) -> dict[str, Any] | None:
    """The model a TimeDistributed layer wraps, if it wraps one."""
    if layer.get("class_name") != "TimeDistributed":
        return None
    cfg = layer.get("config")
    inner = cfg.get("layer") if isinstance(cfg, dict) else None
    return inner if isinstance(inner, dict) and is_model(inner) else None


def _single_node(out: list[Tensor]) -> bool:
    return len(out) == 1 and out[0].index == 0


def _draws(function: object) -> bool:
    """A TensorFlow function a tf-keras model called on its tensors (saved as TFOpLambda)
    that draws at random: tf.nn.dropout always drops, in training and at inference alike."""
    return isinstance(function, str) and ("dropout" in function or "random" in function)


def _kind(cls: str, module: str | None, cfg: dict[str, Any], hub_release: str | None) -> NodeKind:
    """A layer droplint models, or one it cannot see into (a custom class, or a keras_hub
    class it has no template of for this file)."""
    if hub.is_hub(module):
        known = hub.template(cls, module, cfg, hub_release) is not None
        return NodeKind.LAYER if known else NodeKind.OPAQUE
    if kl.keras_op(cls, module):
        return NodeKind.LAYER
    custom = module is not None and ">" in module and not module.startswith("keras>")
    if cls == "StochasticDepth" and not set(cfg) <= kl.STOCHASTIC_DEPTH_KEYS:
        custom = True  # a class of another library or one's own, of the same name
    return NodeKind.OPAQUE if custom or cls not in kl.KNOWN else NodeKind.LAYER


def _wrapped(cls: str, cfg: dict[str, Any], keras3: bool) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, layer config) of each layer a wrapper holds."""
    if cls == "Bidirectional" and isinstance(cfg.get("layer"), dict):
        yield from _directions(cfg["layer"], cfg.get("backward_layer"), keras3)
    elif cls == "TimeDistributed" and isinstance(cfg.get("layer"), dict):
        yield layer_name(cfg["layer"], "layer"), cfg["layer"]
    elif isinstance(cfg.get("cell"), dict):
        yield layer_name(cfg["cell"], "cell"), cfg["cell"]
    elif cls == "StackedRNNCells" and isinstance(cfg.get("cells"), list):
        for i, cell in enumerate(cfg["cells"]):
            yield layer_name(cell, f"cell_{i}"), cell


def _directions(
    forward: dict[str, Any], backward: Any, keras3: bool
) -> Iterator[tuple[str, dict[str, Any]]]:
    """A Bidirectional's two layers, named as the framework names them when it loads the file
    (checked by the oracle tests): the forward one forward_<name> (Keras 3 saves that name,
    tf-keras the layer's own); the backward one backward_<name> of the forward layer, or, given
    as backward_layer, its own saved name (Keras 3) or backward_<its name> (tf-keras)."""
    base = layer_name(forward, "layer").removeprefix("forward_")
    yield "forward_" + base, forward
    if not isinstance(backward, dict):
        yield "backward_" + base, forward
        return
    own = layer_name(backward, "backward_layer")
    yield (own if keras3 else "backward_" + own), backward


# -- inbound nodes ------------------------------------------------------------------------


def parse_inbound(inbound: Any) -> tuple[list[Ref], dict[str, Any], dict[Ref, tuple[Any, Any]]]:
    """Tensor references, plain call kwargs, and recorded (shape, dtype) of one inbound node.

    Keras 3: {"args": [...], "kwargs": {...}} with `__keras_tensor__` dicts anywhere inside.
    Keras 1/2: [[name, node_index, tensor_index, {kwargs}], ...]; kwargs may hold more refs.
    tf-keras's TFOpLambda (a TensorFlow function called on tensors): the one entry, unnested.
    """
    refs: list[Ref] = []
    recorded: dict[Ref, tuple[Any, Any]] = {}
    kwargs: dict[str, Any] = {}
    if isinstance(inbound, dict):
        _collect(inbound.get("args"), refs, recorded)
        for key, value in (inbound.get("kwargs") or {}).items():
            if not _collect(value, refs, recorded):
                kwargs[key] = value
    elif isinstance(inbound, list):
        if _is_ref(inbound):  # tf-keras's TFOpLambda: one flat [name, node, tensor, {kwargs}]
            inbound = [inbound]
        for entry in inbound:
            if _is_ref(entry):
                refs.append((entry[0], entry[1], entry[2]))
                extra = entry[3] if len(entry) > 3 and isinstance(entry[3], dict) else {}
                for key, value in extra.items():
                    if not _collect(value, refs, recorded):
                        kwargs[key] = value
            else:
                _collect(entry, refs, recorded)
    return refs, kwargs, recorded


def _collect(value: Any, refs: list[Ref], recorded: dict[Ref, tuple[Any, Any]]) -> bool:
    """Append every tensor reference inside value; True if there was one."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            cfg = value.get("config") or {}
            hist = cfg.get("keras_history")
            if _is_ref(hist):
                ref = (hist[0], hist[1], hist[2])
                refs.append(ref)
                recorded[ref] = (cfg.get("shape"), cfg.get("dtype"))
                return True
            return False
        found = [_collect(v, refs, recorded) for v in value.values()]
        return any(found)
    if isinstance(value, list):
        if _is_ref(value):
            refs.append((value[0], value[1], value[2]))
            return True
        found = [_collect(v, refs, recorded) for v in value]
        return any(found)
    return False


def _is_ref(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) in (3, 4)
        and isinstance(value[0], str)
        and type(value[1]) is int
        and type(value[2]) is int
    )


def _refs_list(value: Any) -> list[Ref]:
    """input_layers / output_layers: a list of refs, or (Keras 3) one flat ref."""
    if _is_ref(value):
        return [(value[0], value[1], value[2])]
    refs: list[Ref] = []
    if isinstance(value, (list, dict)):
        _collect(value, refs, {})
    return refs
