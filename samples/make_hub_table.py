"""Write droplint's table of keras_hub classes: where each backbone, task and layer applies
dropout, as a function of its saved constructor arguments.

Run with the frameworks extra (keras_hub pinned there), from the repository root:

    python samples/make_hub_table.py

A keras_hub model saved with `model.save()` or `save_to_preset()` stores only its constructor
arguments: droplint cannot see its layers in the file. This script builds each class of the
pinned keras_hub release here, small, with every dropout argument set to a different probe
value, walks the layers the object really holds and records every dropout: its path under the
object, whether it drops attention probabilities, and which argument sets its rate (matched
by value). Built twice with a different number of layers, the paths that repeat per layer
become templates (`transformer_layer_{i}`); built with every dropout argument at 0, the
dropouts that exist only for a positive rate are marked. Nothing here runs in droplint: it
reads the JSON this writes (droplint/formats/keras/hub/keras_hub-<release>.json), and
tests/oracle/test_keras_hub_oracle.py checks it against the real models in other sizes.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "droplint" / "formats" / "keras" / "hub"
PROBES = [0.11, 0.13, 0.17, 0.19, 0.23, 0.29, 0.31, 0.37]
COUNTS = re.compile(r"^num_(\w+_)?layers$")
BASE_KEYS = {"name", "trainable", "dtype"}

TEXT = {"vocabulary_size": 50, "num_heads": 2, "hidden_dim": 8, "intermediate_dim": 16}
DECODER = {"vocabulary_size": 50, "num_query_heads": 2, "num_key_value_heads": 1,
           "hidden_dim": 8, "intermediate_dim": 16}  # fmt: skip

# family: (backbone class, tiny arguments, [(task class, its own arguments)])
FAMILIES: dict[str, tuple[str, dict[str, Any], list[tuple[str, dict[str, Any]]]]] = {
    "BERT": ("BertBackbone", {**TEXT, "max_sequence_length": 16},
             [("BertTextClassifier", {"num_classes": 3}), ("BertMaskedLM", {})]),
    "DistilBERT": ("DistilBertBackbone", {**TEXT, "max_sequence_length": 16},
                   [("DistilBertTextClassifier", {"num_classes": 3}),
                    ("DistilBertMaskedLM", {})]),
    "RoBERTa": ("RobertaBackbone", {**TEXT, "max_sequence_length": 16},
                [("RobertaTextClassifier", {"num_classes": 3}), ("RobertaMaskedLM", {})]),
    "ALBERT": ("AlbertBackbone", {**TEXT, "embedding_dim": 8, "max_sequence_length": 16},
               [("AlbertTextClassifier", {"num_classes": 3}), ("AlbertMaskedLM", {})]),
    "DeBERTaV3": ("DebertaV3Backbone", {**TEXT, "max_sequence_length": 16, "bucket_size": 4},
                  [("DebertaV3TextClassifier", {"num_classes": 3}),
                   ("DebertaV3MaskedLM", {})]),
    "ELECTRA": ("ElectraBackbone", {"vocab_size": 50, "num_heads": 2, "hidden_dim": 8,
                                    "embedding_dim": 8, "intermediate_dim": 16,
                                    "max_sequence_length": 16}, []),
    "GPT-2": ("GPT2Backbone", {**TEXT, "max_sequence_length": 16},
              [("GPT2CausalLM", {})]),
    "GPT-NeoX": ("GPTNeoXBackbone", {**TEXT, "max_sequence_length": 16, "rotary_percentage": 0.5},
                 [("GPTNeoXCausalLM", {})]),
    "OPT": ("OPTBackbone", {**TEXT, "max_sequence_length": 16}, [("OPTCausalLM", {})]),
    "BART": ("BartBackbone", {**TEXT, "max_sequence_length": 16},
             [("BartSeq2SeqLM", {})]),
    "T5": ("T5Backbone", {**TEXT, "key_value_dim": 4}, [("T5Seq2SeqLM", {})]),
    "ViT": ("ViTBackbone", {"image_shape": (8, 8, 3), "patch_size": 4, "num_heads": 2,
                            "hidden_dim": 8, "mlp_dim": 16},
            [("ViTImageClassifier", {"num_classes": 3})]),
    "Whisper": ("WhisperBackbone", {**TEXT, "num_mels": 8, "max_encoder_sequence_length": 16,
                                    "max_decoder_sequence_length": 8}, []),
    "Gemma": ("GemmaBackbone", {**DECODER, "head_dim": 4}, [("GemmaCausalLM", {})]),
    "Llama": ("LlamaBackbone", DECODER, [("LlamaCausalLM", {})]),
    "Mistral": ("MistralBackbone", DECODER, [("MistralCausalLM", {})]),
    "Mixtral": ("MixtralBackbone", {**DECODER, "num_experts": 2}, [("MixtralCausalLM", {})]),
    "Phi-3": ("Phi3Backbone", DECODER, [("Phi3CausalLM", {})]),
    "Qwen": ("QwenBackbone", DECODER, [("QwenCausalLM", {})]),
}  # fmt: skip

# keras_hub.layers built from a model's parts (name: tiny arguments).
LAYERS: dict[str, dict[str, Any]] = {
    "TransformerEncoder": {"intermediate_dim": 16, "num_heads": 2},
    "TransformerDecoder": {"intermediate_dim": 16, "num_heads": 2},
    "TokenAndPositionEmbedding": {"vocabulary_size": 50, "sequence_length": 8,
                                  "embedding_dim": 8},
    "PositionEmbedding": {"sequence_length": 8},
    "ReversibleEmbedding": {"input_dim": 50, "output_dim": 8},
    "SinePositionEncoding": {},
    "RotaryEmbedding": {},
    "CachedMultiHeadAttention": {"num_heads": 2, "key_dim": 4},
    "FNetEncoder": {"intermediate_dim": 16},
}  # fmt: skip


def keras_hub():
    import keras_hub as hub

    return hub


def dropout_params(cls: type) -> list[str]:
    return [p for p in inspect.signature(cls.__init__).parameters if "dropout" in p]


def count_params(cls: type) -> list[str]:
    return [p for p in inspect.signature(cls.__init__).parameters if COUNTS.match(p)]


def defaults(cls: type) -> dict[str, Any]:
    out = {}
    for name, p in inspect.signature(cls.__init__).parameters.items():
        if name in ("self", "kwargs", "args") or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        value = p.default if p.default is not p.empty else None
        out[name] = list(value) if isinstance(value, tuple) else value
    return out


def numbers(cls: type) -> dict[str, int]:
    """The num_* arguments with an integer default, made explicit so they get probed too."""
    return {k: v for k, v in defaults(cls).items() if k.startswith("num_") and type(v) is int}


def walk(layer, prefix: str = "") -> list[dict[str, Any]]:
    """Every dropout the object holds: Dropout layers, with their rates; one that drops an
    attention layer's probabilities is that layer's attention dropout, at its path."""
    import keras

    found = []
    subs = layer._flatten_layers(include_self=False, recursive=False)
    for sub, name in zip(subs, stable_names(subs), strict=True):
        path = prefix + name
        if not isinstance(sub, keras.layers.Dropout):
            found += walk(sub, path + "/")
        elif is_attention(layer) and drops_probabilities(layer, sub):
            cls = type(layer).__name__
            found.append({"path": prefix.rstrip("/"), "where": "attention", "cls": cls,
                          "rate": float(sub.rate)})  # fmt: skip
        else:
            found.append({"path": path, "where": "internal", "cls": "Dropout",
                          "rate": float(sub.rate)})  # fmt: skip
    return found


# Which Dropout of each attention class drops the attention probabilities, and which drop
# other values, read in the release's source (keras_hub/src/...). A class not listed stops the
# script: read its call() and add it.
ATTENTION_DROPOUTS = {
    ("MultiHeadAttention", "_dropout_layer"): "probabilities",  # and its Cached* subclasses
    ("CachedGemmaAttention", "dropout_layer"): "probabilities",  # on attention_softmax
    ("GPTNeoXAttention", "_attn_dropout_layer"): "probabilities",
    ("T5MultiHeadAttention", "dropout_layer"): "probabilities",  # on the weights
    ("DisentangledSelfAttention", "_attn_dropout_layer"): "probabilities",
    ("DisentangledSelfAttention", "_position_dropout_layer"): "values",  # rel. embeddings
    ("LlamaAttention", "_dropout_layer"): "values",  # on the attention output
    ("Phi3Attention", "dropout_layer"): "values",
    ("QwenAttention", "_dropout_layer"): "values",
    ("CachedMistralAttention", "_dropout_layer"): "values",
    ("CachedMixtralAttention", "dropout_layer"): "values",
}


def drops_probabilities(attention, dropout) -> bool:
    attr = next(k for k, v in vars(attention).items() if v is dropout)
    for cls in type(attention).__mro__:
        kind = ATTENTION_DROPOUTS.get((cls.__name__, attr))
        if kind is not None:
            return kind == "probabilities"
    sys.exit(f"read {type(attention).__name__}.{attr} in keras_hub's source: which values?")


def real_dropouts(layer, prefix: str = "") -> dict[str, float]:
    """Every Dropout layer an object holds: path -> rate, named as the table names them."""
    import keras

    found: dict[str, float] = {}
    subs = layer._flatten_layers(include_self=False, recursive=False)
    for sub, name in zip(subs, stable_names(subs), strict=True):
        if isinstance(sub, keras.layers.Dropout):
            found[prefix + name] = round(float(sub.rate), 6)
        else:
            found |= real_dropouts(sub, f"{prefix}{name}/")
    return found


def is_attention(layer) -> bool:
    """An attention layer: its Dropout drops the attention probabilities."""
    import keras

    return isinstance(layer, keras.layers.MultiHeadAttention) or type(layer).__name__.endswith(
        "Attention"
    )


def stable_names(layers) -> list[str]:
    """Layer names, with Keras's automatic ones (dropout_7: a counter over the whole session)
    replaced by their order among their siblings (dropout, dropout_1, ...)."""
    seen: dict[str, int] = {}
    names = []
    for layer in layers:
        auto = re.fullmatch(r"([a-z0-9_]+?)(_\d+)?", layer.name)
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", type(layer).__name__).lower()
        if auto and auto.group(1) == snake:
            k = seen[snake] = seen.get(snake, -1) + 1
            names.append(snake if k == 0 else f"{snake}_{k}")
        else:
            names.append(layer.name)
    return names


def instantiate(hub, cls_name: str, kwargs: dict[str, Any], parent: tuple | None = None):
    """The object, built: a task around a backbone of its own; a layer called once."""
    import keras
    import numpy as np

    keras.backend.clear_session()  # auto-named layers get the names a fresh load gives
    cls = getattr(hub.models, cls_name, None) or getattr(hub.layers, cls_name)
    if parent is not None:
        backbone = getattr(hub.models, parent[0])(**parent[1])
        return cls(backbone=backbone, preprocessor=None, **kwargs)
    obj = cls(**kwargs)
    if cls_name in LAYER_CALLS:
        LAYER_CALLS[cls_name](obj, np)
    return obj


LAYER_CALLS = {
    "TransformerEncoder": lambda layer, np: layer(np.zeros((1, 6, 8), "float32")),
    "TransformerDecoder": lambda layer, np: layer(np.zeros((1, 6, 8), "float32")),
    "TokenAndPositionEmbedding": lambda layer, np: layer(np.zeros((1, 8), "int32")),
    "PositionEmbedding": lambda layer, np: layer(np.zeros((1, 8, 4), "float32")),
    "ReversibleEmbedding": lambda layer, np: layer(np.zeros((1, 8), "int32")),
    "SinePositionEncoding": lambda layer, np: layer(np.zeros((1, 8, 4), "float32")),
    "RotaryEmbedding": lambda layer, np: layer(np.zeros((1, 8, 4), "float32")),
    "CachedMultiHeadAttention": lambda layer, np: layer(np.zeros((1, 6, 8), "float32"),
                                                 np.zeros((1, 6, 8), "float32")),
    "FNetEncoder": lambda layer, np: layer(np.zeros((1, 6, 8), "float32")),
}  # fmt: skip


@dataclass
class Probe:
    """One class built with probe values: its arguments and those of its backbone."""

    cls_name: str
    own: dict[str, Any]
    parent: tuple[str, dict[str, Any]] | None  # (backbone class, its arguments) for a task

    def sites(self, hub, own=None, backbone=None) -> list[dict[str, Any]]:
        parent = (
            None
            if self.parent is None
            else (self.parent[0], {**self.parent[1], **(backbone or {})})
        )
        return walk(instantiate(hub, self.cls_name, {**self.own, **(own or {})}, parent))


def template(
    hub, cls_name: str, kwargs: dict[str, Any], task_of: tuple | None = None
) -> dict[str, Any]:
    """Probe one class: its dropouts as templates over its arguments."""
    cls = getattr(hub.models, cls_name, None) or getattr(hub.layers, cls_name)
    params = dropout_params(cls)
    probe = dict(zip(params, PROBES, strict=False))
    own = {
        **numbers(cls),
        **kwargs,
        **probe,
        **{c: 2 for c in count_params(cls) if c not in kwargs},
    }
    by_value = {v: p for p, v in probe.items()}
    zeros_own, zeros_backbone = dict.fromkeys(params, 0.0), {}
    parent = None
    if task_of is not None:  # the backbone gets probe values of its own, after the task's
        backbone_cls = getattr(hub.models, task_of[0])
        bprobe = dict(zip(dropout_params(backbone_cls), PROBES[len(params) :], strict=False))
        counts = {c: 2 for c in count_params(backbone_cls) if c not in task_of[1]}
        parent = (task_of[0], {**numbers(backbone_cls), **task_of[1], **bprobe, **counts})
        by_value |= {v: f"backbone.{p}" for p, v in bprobe.items()}
        zeros_backbone = dict.fromkeys(bprobe, 0.0)
    probe_ = Probe(cls_name, own, parent)
    base = probe_.sites(hub)
    obj = instantiate(hub, cls_name, own, parent)
    zero = probe_.sites(hub, zeros_own, zeros_backbone)
    entries, fixed = place(hub, probe_, base, by_value, zero)
    if parent is not None:  # under the backbone: its saved name goes first at lint time
        prefix = obj.backbone.name + "/"
        for e in entries:
            if e["path"].startswith(prefix):
                e["path"], e["under"] = e["path"][len(prefix) :], "backbone"
    params, saved = defaults(cls), obj.get_config()
    for name in sorted(set(saved) - set(params) - BASE_KEYS):  # build state get_config saves
        params[name] = None  # (TransformerDecoder's decoder_/encoder_sequence_shape)
        if saved[name] is None:  # left unset by the probe build: a value would build more
            fixed[name] = None  # (an encoder sequence adds cross-attention): unknown then
    return {"sites": entries, "params": params, "fixed": fixed,
            "weighted": bool(obj.built and obj.trainable_weights)}  # fmt: skip


def structural(probe: Probe) -> list[tuple[str, int, str]]:
    """(argument, its probe value, backbone or own) of every integer num_* argument."""
    out = [(k, v, "own") for k, v in probe.own.items() if k.startswith("num_") and type(v) is int]
    if probe.parent is not None:
        out += [(k, v, "backbone") for k, v in probe.parent[1].items()
                if k.startswith("num_") and type(v) is int]  # fmt: skip
    return out


def place(hub, probe: Probe, base, by_value, zero):
    """Templates of the base sites; each num_* argument doubled shows which repeat with it.
    A site set that changes in a way no single index explains makes that argument fixed:
    droplint models the class only at that value."""
    keys = {key(s) for s in base}
    zeros = {key(s) for s in zero}
    repeats: dict[str, tuple[str, int, str]] = {}  # base key -> (pattern, start, argument)
    fixed: dict[str, int] = {}
    for arg, value, owner in structural(probe):
        change = {arg: value * 2}
        try:
            grown = probe.sites(hub, change if owner == "own" else None,
                                change if owner == "backbone" else None)  # fmt: skip
        except Exception:  # the class refuses the doubled value: not a count of layers
            continue
        new = {key(s) for s in grown} - keys
        name = arg if owner == "own" else f"backbone.{arg}"
        if not new and len(grown) == len(base):
            continue
        found = patterns(new, keys, value)
        if found is None or any(k in repeats for k in found):
            fixed[name] = value
            continue
        for k, (pattern, start) in found.items():
            repeats[k] = (pattern, start, name)
    out = []
    done: set[str] = set()
    for s in base:
        k = key(s)
        if k in repeats:
            pattern, start, arg = repeats[k]
            if (pattern, s["where"]) in done:
                continue
            done.add((pattern, s["where"]))
            out.append(entry(s, pattern, by_value, (arg, start), zeros))
        else:
            out.append(entry(s, s["path"], by_value, None, zeros))
    out.sort(key=lambda e: (e["path"], e["where"]))
    seen = [(e["path"], e["where"]) for e in out]
    if len(seen) != len(set(seen)):
        sys.exit(f"two dropouts at one place in {probe.cls_name}: {seen}")
    return out, fixed


def key(site) -> str:
    return site["path"] + "|" + site["where"]


def patterns(new: set[str], keys: set[str], value: int) -> dict[str, tuple[str, int]] | None:
    """For every base key that repeats: (pattern with {i}, first index), or None when some
    new key is no repetition of a base one. value: how many there were in the base."""
    found: dict[str, tuple[str, int]] = {}
    for k in new:
        placed = False
        for match in re.finditer(r"(?<![0-9])[0-9]+(?![0-9])", k):
            pattern = k[: match.start()] + "{i}" + k[match.end() :]
            present = [i for i in range(64) if pattern.format(i=i) in keys]
            if len(present) == value and present == list(range(present[0], present[0] + value)):
                for i in present:
                    found[pattern.format(i=i)] = (pattern.split("|")[0], present[0])
                placed = True
                break
        if not placed:
            return None
    return found


def entry(site, path, by_value, count, zeros) -> dict[str, Any]:
    """One template: where, which class, the argument that sets the rate (or the rate itself
    when the class fixes it), the argument it repeats with, and whether it exists at rate 0."""
    rate = round(site["rate"], 6)
    param = by_value.get(rate)
    e: dict[str, Any] = {"path": path, "where": site["where"], "cls": site["cls"]}
    if param is None:
        e["rate"] = rate
    else:
        e["param"] = param
    start = 0
    if count is not None:
        e["repeat"], start = count
        if start:
            e["start"] = start
    if path.format(i=start) + "|" + site["where"] not in zeros:
        e["when_positive"] = True
    return e


def main() -> None:
    hub = keras_hub()
    table: dict[str, Any] = {"release": hub.__version__, "families": {}, "classes": {}}
    for family, (backbone, kwargs, tasks) in FAMILIES.items():
        print(family)
        table["families"][family] = [backbone, *(t for t, _ in tasks)]
        table["classes"][backbone] = template(hub, backbone, kwargs)
        for task, task_kwargs in tasks:
            entry_ = template(hub, task, task_kwargs, (backbone, kwargs))
            entry_["backbone"] = True
            table["classes"][task] = entry_
    for layer, kwargs in LAYERS.items():
        print(layer)
        table["classes"][layer] = template(hub, layer, kwargs)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"keras_hub-{hub.__version__}.json"
    path.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
