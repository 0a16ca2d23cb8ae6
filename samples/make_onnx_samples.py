"""Build the droplint ONNX sample files and measure how onnxruntime runs them.

Run from the repository root:

    python samples/make_onnx_samples.py                # everything
    python samples/make_onnx_samples.py --only torch   # samples/onnx/torch/  (needs torch)
    python samples/make_onnx_samples.py --only helper  # samples/onnx/helper/ (onnx.helper)
    python samples/make_onnx_samples.py --only zoo     # samples/onnx/zoo/    (onnx test data)
    python samples/make_onnx_samples.py --only wild    # samples/onnx/wild/   (torch + helper)

Versions used for the committed files: torch 2.13.0 (CPU), onnxscript 0.7.2 (dynamo
exporter), onnx 1.23.2, onnxruntime 1.32.0, numpy 2.4.

Each group's folder is emptied and rewritten on every run. Weights are seeded
(``torch.manual_seed(0)``, ``numpy.random.default_rng(0)``). Files written by the
torch dynamo exporter carry ``pkg.torch.onnx.stack_trace`` node metadata with the
absolute paths of this script and of torch, so they are byte-identical only when
rebuilt from the same paths.

Every file is then checked: ``onnx.checker.check_model(full_check=True)`` (onnx
skips the schemas of domains it does not know, so the ``com.microsoft`` samples
pass it unchecked), an onnxruntime CPU ``InferenceSession`` with all graph
optimizations disabled, and the same input run 30 times with optimizations
disabled and at onnxruntime's default level (ORT_ENABLE_ALL) to see whether the
outputs are random. At the default level the optimized graph is saved to a
temporary file and its random ops are listed, to see which ones onnxruntime's
``EliminateDropout`` removed. The results go to ``samples/onnx/measurements.json``
(entries of the groups built in this run are replaced, the others kept).
"""

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = Path(__file__).resolve().parent
OUT = HERE / "onnx"
MEASUREMENTS = OUT / "measurements.json"
MAX_BYTES = 60 * 1024
MAX_ZOO_BYTES = 300 * 1024
RUNS = 30  # a per-sample mask on a batch of 2 repeats 3 runs in a row 1 time in 5

# Ops whose output is random (or that decide whether it is); counted before/after optimization.
RANDOM_OPS = {
    "Dropout",
    "Bernoulli",
    "RandomUniform",
    "RandomUniformLike",
    "RandomNormal",
    "RandomNormalLike",
    "Multinomial",
    "BiasDropout",
    "BitmaskDropout",
    "BitmaskBiasDropout",
}

# rel path -> {"group", "how", "feeds": [input-override dicts] or None} or {..., "error"}
BUILT = {}


def _fresh_dir(path):
    """Remove and recreate an output directory so reruns leave no stale files."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


def _record(path, group, how, *, feeds=None, limit=MAX_BYTES):
    size = path.stat().st_size
    if size > limit:
        raise SystemExit(f"{path} is {size} bytes, over the {limit} byte limit")
    rel = path.relative_to(OUT).as_posix()
    BUILT[rel] = {"group": group, "how": how, "feeds": feeds}
    print(f"  wrote samples/onnx/{rel} ({size} bytes)")


def _failed(rel, group, how, error):
    """A sample the tool refused to produce: recorded, never faked."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
    first = first[:300]
    BUILT[rel] = {"group": group, "how": how, "error": f"{type(error).__name__}: {first}"}
    print(f"  NOT written samples/onnx/{rel}: {type(error).__name__}: {first}")


@contextlib.contextmanager
def _quiet():
    """Silence warnings and whatever an exporter prints (also from C++, at the fd level)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(os.devnull, "w") as devnull, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        os.dup2(devnull.fileno(), 1)
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


# ---------------------------------------------------------------------------
# torch
# ---------------------------------------------------------------------------


def build_torch(out):
    import torch
    from torch import nn

    torch_dir = out / "torch"
    _fresh_dir(torch_dir)
    training = torch.onnx.TrainingMode.TRAINING

    def mlp():
        torch.manual_seed(0)
        return nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 2))

    class MHABlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.mha = nn.MultiheadAttention(8, 2, dropout=0.1, batch_first=True)
            self.drop = nn.Dropout(0.2)

        def forward(self, x):
            attn, _ = self.mha(x, x, x, need_weights=False)
            return self.drop(attn)

    class LSTMHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(4, 8, num_layers=2, dropout=0.25, batch_first=True)
            self.head = nn.Linear(8, 2)

        def forward(self, x):
            seq, _ = self.lstm(x)
            return self.head(seq[:, -1])

    # The dynamo exporter writes the qualified class name into each node's
    # pkg.torch.onnx.class_hierarchy; keep it free of "build_torch.<locals>".
    MHABlock.__qualname__ = "MHABlock"
    LSTMHead.__qualname__ = "LSTMHead"

    def cnn(drop):
        torch.manual_seed(0)
        return nn.Sequential(
            nn.Conv2d(3, 4, 3),
            drop,
            nn.BatchNorm2d(4),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(4 * 4 * 4, 2),
        )

    def softmax_drop():
        torch.manual_seed(0)
        return nn.Sequential(nn.Linear(8, 4), nn.Softmax(dim=-1), nn.Dropout(0.1))

    torch.manual_seed(0)
    x_mlp = torch.randn(4, 8)
    x_seq = torch.randn(2, 3, 8)
    x_lstm = torch.randn(2, 5, 4)
    x_img = torch.randn(2, 3, 6, 6)

    def ts(name, model, args, how, *, train):
        path = torch_dir / name
        kwargs = {"input_names": ["x"], "output_names": ["y"], "opset_version": 17}
        if train:
            kwargs.update(training=training, do_constant_folding=False)
        try:
            # On failure the exporter also prints the whole TorchScript graph to stderr.
            with _quiet():
                torch.onnx.export(model, args, str(path), dynamo=False, **kwargs)
        except Exception as exc:
            path.unlink(missing_ok=True)
            _failed(f"torch/{name}", "torch", how, exc)
            return
        _record(path, "torch", how)

    def dynamo(name, model, args, how):
        path = torch_dir / name
        data = path.with_name(path.name + ".data")
        try:
            with _quiet():
                torch.onnx.export(model, args, str(path), dynamo=True, verbose=False)
        except Exception as exc:
            path.unlink(missing_ok=True)
            data.unlink(missing_ok=True)
            _failed(f"torch/{name}", "torch", how, exc)
            return
        if data.exists():
            # The exporter put the weights in a side file; fold them back in.
            model_proto = onnx.load(str(path))
            onnx.save(model_proto, str(path), save_as_external_data=False)
            data.unlink()
            how += "; the exporter's `.onnx.data` side file was folded back in with onnx.save"
        _record(path, "torch", how)

    model = mlp().eval()
    ts("mlp_eval_ts.onnx", model, (x_mlp,), "TorchScript exporter, eval(), opset 17", train=False)
    ts(
        "mlp_train_ts.onnx",
        model,
        (x_mlp,),
        "TorchScript exporter, training=TRAINING, do_constant_folding=False, opset 17",
        train=True,
    )

    torch.manual_seed(0)
    ts(
        "mha_train_ts.onnx",
        MHABlock(),
        (x_seq,),
        "TorchScript exporter, training=TRAINING, opset 17",
        train=True,
    )

    torch.manual_seed(0)
    lstm = LSTMHead().train()
    dynamo("lstm_train_dynamo.onnx", lstm, (x_lstm,), "dynamo exporter, module in train()")
    dynamo("lstm_eval_dynamo.onnx", lstm.eval(), (x_lstm,), "dynamo exporter, module in eval()")

    dynamo("mlp_train_dynamo.onnx", mlp().train(), (x_mlp,), "dynamo exporter, module in train()")

    def encoder():
        torch.manual_seed(0)
        layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.1, batch_first=True)
        return nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)

    ts(
        "encoder_train_ts.onnx",
        encoder(),
        (x_seq,),
        "TorchScript exporter, training=TRAINING, opset 17 (nn.TransformerEncoder)",
        train=True,
    )
    dynamo(
        "encoder_train_dynamo.onnx",
        encoder().train(),
        (x_seq,),
        "dynamo exporter, module in train() (nn.TransformerEncoder)",
    )

    ts(
        "cnn_train_ts.onnx",
        cnn(nn.Dropout2d(0.2)),
        (x_img,),
        "TorchScript exporter, training=TRAINING, opset 17 (Dropout2d)",
        train=True,
    )
    # Dropout2d cannot go through the TorchScript exporter in training mode, so also:
    dynamo(
        "cnn_train_dynamo.onnx",
        cnn(nn.Dropout2d(0.2)).train(),
        (x_img,),
        "dynamo exporter, module in train() (Dropout2d)",
    )
    ts(
        "cnn_dropout_train_ts.onnx",
        cnn(nn.Dropout(0.2)),
        (x_img,),
        "TorchScript exporter, training=TRAINING, opset 17 (element-wise Dropout)",
        train=True,
    )
    ts(
        "dropout_then_softmax_train_ts.onnx",
        softmax_drop(),
        (x_mlp,),
        "TorchScript exporter, training=TRAINING, opset 17",
        train=True,
    )


# ---------------------------------------------------------------------------
# wild: the classes of ONNX files droplint was wrong on (samples/onnx/wild/)
# ---------------------------------------------------------------------------


def _torch_export(path, model, args, how, group, *, dynamo, train=True, **extra):
    """One torch export, recorded (or its refusal recorded); dynamo's side file folded in."""
    import torch

    data = path.with_name(path.name + ".data")
    kwargs = {"dynamo": True} if dynamo else {
        "dynamo": False, "input_names": ["x"], "output_names": ["y"], "opset_version": 17,
        **({"training": torch.onnx.TrainingMode.TRAINING, "do_constant_folding": False}
           if train else {}),
    }  # fmt: skip
    kwargs.update(extra)
    try:
        with _quiet():
            torch.onnx.export(model, args, str(path), **kwargs)
    except Exception as exc:
        path.unlink(missing_ok=True)
        data.unlink(missing_ok=True)
        _failed(path.relative_to(OUT).as_posix(), group, how, exc)
        return False
    if data.exists():
        onnx.save(onnx.load(str(path)), str(path), save_as_external_data=False)
        data.unlink()
    _record(path, group, how)
    return True


def build_wild(out):
    import torch
    from torch import nn

    wdir = out / "wild"
    _fresh_dir(wdir)
    torch.manual_seed(0)

    class SelfAttention(nn.Module):
        """BERT's self-attention, written out: Softmax -> Dropout -> MatMul(V) -> projection."""

        def __init__(self, dim=8, p=0.1):
            super().__init__()
            self.q, self.k, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
            self.drop, self.out, self.scale = nn.Dropout(p), nn.Linear(dim, dim), dim**-0.5

        def forward(self, x):
            scores = self.q(x) @ self.k(x).transpose(-1, -2) * self.scale
            probs = self.drop(torch.softmax(scores, dim=-1))
            return self.out(probs @ self.v(x))

    class MHAWeights(nn.Module):
        def __init__(self):
            super().__init__()
            self.mha = nn.MultiheadAttention(8, 2, dropout=0.2, batch_first=True)

        def forward(self, x):
            out, weights = self.mha(x, x, x, need_weights=True)
            return out, weights

    class HFDropPath(nn.Module):
        """transformers' drop_path (ConvNext, Swin, BEiT): floor(keep + U[0, 1)) is 1 with
        probability keep, one draw per sample, on the residual branch; p = 0.25."""

        def __init__(self, p=0.25):
            super().__init__()
            self.fc1, self.fc2, self.p = nn.Linear(8, 8), nn.Linear(8, 2), p

        def forward(self, x):
            h, keep = self.fc1(x), 1 - self.p
            shape = (h.shape[0],) + (1,) * (h.ndim - 1)
            r = keep + torch.rand(shape, dtype=h.dtype, device=h.device)
            r.floor_()
            return self.fc2(h + h.div(keep) * r)

    class EmbeddingDropout(nn.Module):
        """AWD-LSTM's embedding dropout: whole rows of the embedding matrix dropped (p = 0.1)
        by a mask multiplied into the weight."""

        def __init__(self, p=0.1):
            super().__init__()
            self.emb, self.head, self.p = nn.Embedding(20, 8), nn.Linear(8, 2), p

        def forward(self, ids):
            w = self.emb.weight
            mask = w.new_empty((w.size(0), 1)).bernoulli_(1 - self.p).expand_as(w) / (1 - self.p)
            return self.head(torch.nn.functional.embedding(ids, mask * w))

    class GuardedAttention(nn.Module):
        """Masked softmax, rows that are fully masked (NaN) set to 0 by a Where, then
        Dropout(0.13) and the product with the values (BART's decoder under the TorchScript
        exporter's SDPA writes the same guard)."""

        def __init__(self, dim=8):
            super().__init__()
            self.q, self.drop = nn.Linear(dim, dim), nn.Dropout(0.13)

        def forward(self, x):
            q = self.q(x)
            p = torch.softmax(q @ q.transpose(-1, -2), dim=-1)
            p = torch.where(torch.isnan(p), torch.zeros_like(p), p)
            return self.drop(p) @ q

    SelfAttention.__qualname__, MHAWeights.__qualname__ = "SelfAttention", "MHAWeights"
    GuardedAttention.__qualname__ = "GuardedAttention"
    HFDropPath.__qualname__, EmbeddingDropout.__qualname__ = "HFDropPath", "EmbeddingDropout"

    def conv(cls, make, p):
        torch.manual_seed(0)
        return nn.Sequential(cls(3, 4, 1), make(p), cls(4, 2, 1)).train()

    x2, x3 = torch.randn(2, 3, 6, 6), torch.randn(2, 3, 4, 4, 4)
    x1, xf, xs = torch.randn(2, 3, 8), torch.randn(2, 8), torch.randn(2, 5, 8)
    cases = [
        ("dropout1d", conv(nn.Conv1d, nn.Dropout1d, 0.3), x1),
        ("dropout2d", conv(nn.Conv2d, nn.Dropout2d, 0.3), x2),
        ("dropout3d", conv(nn.Conv3d, nn.Dropout3d, 0.3), x3),
        ("feature_alpha", conv(nn.Conv2d, nn.FeatureAlphaDropout, 0.3), x2),
    ]
    torch.manual_seed(0)
    cases.append(("alpha", nn.Sequential(nn.Linear(8, 8), nn.AlphaDropout(0.3),
                                         nn.Linear(8, 2)).train(), xf))  # fmt: skip
    for name, model, x in cases:
        _torch_export(wdir / f"{name}_dynamo.onnx", model, (x,),
                      f"dynamo exporter, train() ({name})", "wild", dynamo=True)  # fmt: skip
    torch.manual_seed(0)
    attention = SelfAttention().train()
    for exporter, dyn in (("dynamo", True), ("ts", False)):
        ok = _torch_export(wdir / f"attention_{exporter}.onnx", attention, (xs,),
                           f"{exporter} exporter, train(): Softmax -> Dropout(0.1) -> MatMul(V)",
                           "wild", dynamo=dyn)  # fmt: skip
        if ok:
            _quantized(wdir / f"attention_{exporter}.onnx", wdir / f"attention_{exporter}_q8.onnx")
    torch.manual_seed(0)
    _torch_export(wdir / "mha_weights_dynamo.onnx", MHAWeights().train(), (xs,),
                  "dynamo exporter, train(): nn.MultiheadAttention(need_weights=True)", "wild",
                  dynamo=True)  # fmt: skip
    ids = torch.randint(0, 20, (2, 5))
    for name, make, x in (
        ("drop_path", HFDropPath, xf),
        ("embedding_dropout", EmbeddingDropout, ids),
    ):
        for exporter, dyn in (("dynamo", True), ("ts", False)):
            torch.manual_seed(0)
            _torch_export(wdir / f"{name}_{exporter}.onnx", make().train(), (x,),
                          f"{exporter} exporter, train(): {make.__doc__.split(':')[0]}", "wild",
                          dynamo=dyn)  # fmt: skip
    for exporter, dyn in (("dynamo", True), ("ts", False)):
        torch.manual_seed(0)
        _torch_export(wdir / f"guarded_attention_{exporter}.onnx", GuardedAttention().train(),
                      (xs,), f"{exporter} exporter, train(): Softmax -> Where(IsNaN) -> "
                      "Dropout(0.13) -> MatMul(V)", "wild", dynamo=dyn)  # fmt: skip
    torch.manual_seed(0)
    blocks = [nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Dropout(p)) for p in (0.5, 0.7)]
    _torch_export(wdir / "functions_ts.onnx", nn.Sequential(*blocks, nn.Linear(8, 2)).train(),
                  (xf,), "ts exporter, train(), export_modules_as_functions={nn.Sequential}: "
                  "two blocks with Dropout(0.5) and Dropout(0.7), their rates passed to one "
                  "function as attributes", "wild", dynamo=False,
                  export_modules_as_functions={nn.Sequential})  # fmt: skip
    _wild_helper(wdir)


def _quantized(src, dst):
    """onnxruntime's dynamic quantization of an export (what deployments ship)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _quiet():
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)
    _record(dst, "wild", f"onnxruntime quantize_dynamic(QInt8) of {src.name}")


def _wild_helper(wdir):
    """Graphs no exporter here writes, in the idioms other tools do (onnx.helper)."""
    how = "onnx.helper"
    rng = _rng()

    def save(name, nodes, inits, detail, inputs=(X,), feeds=None, ir_min=4, producer=True):
        model = _model(name, [*nodes, helper.make_node("MatMul", ["d", "W"], ["y"], name="dense")],
                       list(inputs), [Y], [*inits, _w("W", [16, 4], rng)],
                       ir_min=ir_min)  # fmt: skip
        if not producer:
            model.ClearField("producer_name")
        onnx.checker.check_model(model, full_check=True)
        path = wdir / f"{name}.onnx"
        onnx.save(model, str(path))
        _record(path, "wild", f"{how}, {detail}", feeds=feeds)

    def dropout(ratio, mode="mode", name="drop"):
        return helper.make_node("Dropout", ["x", ratio, mode], ["d"], name=name)

    save("where_mask", [
        helper.make_node("RandomUniformLike", ["x"], ["u"], name="uniform"),
        helper.make_node("Less", ["u", "p"], ["m"], name="less"),
        helper.make_node("Where", ["m", "zero", "x"], ["kept"], name="where"),
        helper.make_node("Div", ["kept", "keep"], ["d"], name="scale"),
    ], [_f("p", 0.29), _f("zero", 0.0), _f("keep", 0.71)],
        "RandomUniformLike -> Less(u, 0.29) -> Where(m, 0, x) -> Div(0.71)")  # fmt: skip
    for dtype, name in ((TensorProto.FLOAT16, "float16"), (TensorProto.DOUBLE, "double")):
        ratio = helper.make_tensor("ratio", dtype, [], [0.3])  # typed storage (not raw)
        save(f"ratio_{name}", [dropout("ratio")], [ratio, _b("mode", True)],
             f"Dropout ratio 0.3 stored as {name} (typed field), training_mode True")  # fmt: skip
    # Dropout takes no bfloat16 ratio: a bfloat16 constant reaches it through a Cast.
    save("ratio_bfloat16_cast", [
        helper.make_node("Cast", ["ratio16"], ["ratio"], name="cast", to=TensorProto.FLOAT),
        dropout("ratio"),
    ], [helper.make_tensor("ratio16", TensorProto.BFLOAT16, [], [0.3]), _b("mode", True)],
        "ratio = Cast(bfloat16 0.3 in int32_data, to=FLOAT), training_mode True")  # fmt: skip
    bits = int(np.array(0.3, dtype=np.float32).view(np.uint32))
    bf16 = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).to_bytes(2, "little")  # nearest even
    save("ratio_bfloat16_raw_cast", [
        helper.make_node("Cast", ["ratio16"], ["ratio"], name="cast", to=TensorProto.FLOAT),
        dropout("ratio"),
    ], [helper.make_tensor("ratio16", TensorProto.BFLOAT16, [], bf16, raw=True), _b("mode", True)],
        "ratio = Cast(bfloat16 0.3 in raw_data, to=FLOAT), training_mode True")  # fmt: skip
    half = numpy_helper.from_array(np.array(0.3, dtype=np.float16), "ratio")  # raw_data
    save("ratio_float16_raw", [dropout("ratio")], [half, _b("mode", True)],
         "Dropout ratio 0.3 as float16 raw_data, training_mode True")  # fmt: skip
    save("mode_cast_constant", [
        _const("one", _i64("", 1)),
        helper.make_node("Cast", ["one"], ["mode"], name="cast", to=TensorProto.BOOL),
        dropout("ratio"),
    ], [_f("ratio", 0.3)], "training_mode = Cast(Constant int64 1, to=BOOL)")  # fmt: skip
    save("ratio_value_float", [
        helper.make_node("Constant", [], ["ratio"], name="ratio_c", value_float=0.3),
        dropout("ratio"),
    ], [_b("mode", True)], "ratio = Constant(value_float=0.3), training_mode True")  # fmt: skip
    save("init_as_input", [dropout("ratio")], [_f("ratio", 0.3), _b("mode", True)],
         "ratio and training_mode initializers also listed as graph inputs (overridable)",
         inputs=(X, _vi("ratio", F, []), _vi("mode", B, [])),
         feeds=[{}, {"mode": False}])  # fmt: skip
    save("no_producer", [dropout("ratio")], [_f("ratio", 0.3), _b("mode", True)],
         "no producer_name, Dropout 0.3, training_mode True", producer=False)  # fmt: skip
    save("gaussian_mul", [
        helper.make_node("RandomNormalLike", ["x"], ["n"], name="noise", mean=1.0, scale=0.5),
        helper.make_node("Mul", ["x", "n"], ["d"], name="apply"),
    ], [], "x * RandomNormalLike(x, mean 1, scale 0.5): multiplicative Gaussian noise")  # fmt: skip
    save("gaussian_add", [
        helper.make_node("RandomNormalLike", ["x"], ["n"], name="noise", mean=0.0, scale=0.1),
        helper.make_node("Add", ["x", "n"], ["d"], name="apply"),
    ], [], "x + RandomNormalLike(x, scale 0.1): additive Gaussian noise")  # fmt: skip


# ---------------------------------------------------------------------------
# onnx.helper
# ---------------------------------------------------------------------------

F = TensorProto.FLOAT
B = TensorProto.BOOL


def _rng():
    return np.random.default_rng(0)


def _w(name, shape, rng):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.5, name)


def _f(name, value):
    return numpy_helper.from_array(np.array(value, dtype=np.float32), name)


def _b(name, value):
    return numpy_helper.from_array(np.array(value, dtype=np.bool_), name)


def _i64(name, value):
    return numpy_helper.from_array(np.array(value, dtype=np.int64), name)


def _const(out_name, tensor_proto, node_name=None):
    return helper.make_node(
        "Constant", [], [out_name], name=node_name or out_name, value=tensor_proto
    )


def _vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


X = _vi("x", F, [4, 16])
Y = _vi("y", F, [4, 4])


def _model(name, nodes, inputs, outputs, inits=(), *, opset=13, extra_opsets=(), **kw):
    ir_min = kw.pop("ir_min", 4)  # IR 3 would need every initializer listed as an input
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    opsets = [helper.make_opsetid("", opset), *extra_opsets]
    model = helper.make_model(
        graph, opset_imports=opsets, producer_name="droplint make_onnx_samples.py", **kw
    )
    model.ir_version = max(ir_min, helper.find_min_ir_version_for(opsets, ignore_unknown=True))
    return model


def _save(model, path, how, *, feeds=None):
    # full_check adds strict shape inference; onnx skips schemas of domains it does not
    # know (com.microsoft), so the contrib samples pass it too.
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(path))
    _record(path, "helper", how, feeds=feeds)


def _drop_then_dense(name, drop_node, extra_inits=(), *, opset=13, extra_nodes=(), inputs=(X,)):
    """x[4,16] -> <drop_node: output "d"> -> MatMul(W[16,4]) -> y[4,4]."""
    rng = _rng()
    nodes = [*extra_nodes, drop_node, helper.make_node("MatMul", ["d", "W"], ["y"], name="dense")]
    inits = [*extra_inits, _w("W", [16, 4], rng)]
    return _model(name, nodes, list(inputs), [Y], inits, opset=opset)


def build_helper(out):
    hdir = out / "helper"
    _fresh_dir(hdir)
    how = "onnx.helper"

    def dropout(inputs, name="drop", outputs=("d",), **attrs):
        return helper.make_node("Dropout", list(inputs), list(outputs), name=name, **attrs)

    # -- 7. Dropout at each opset ------------------------------------------------
    m = _drop_then_dense("opset6_training", dropout(["x"], ratio=0.3, is_test=0), opset=6)
    _save(m, hdir / "dropout_opset6_training.onnx", f"{how}, opset 6, is_test=0")

    m = _drop_then_dense("opset6_is_test", dropout(["x"], ratio=0.3, is_test=1), opset=6)
    _save(m, hdir / "dropout_opset6_is_test.onnx", f"{how}, opset 6, is_test=1")

    m = _drop_then_dense("opset10", dropout(["x"], ratio=0.3), opset=10)
    _save(m, hdir / "dropout_opset10.onnx", f"{how}, opset 10, ratio=0.3 attribute")

    m = _drop_then_dense(
        "opset13_ratio_init_true",
        dropout(["x", "ratio", "training_mode"]),
        [_f("ratio", 0.2), _b("training_mode", True)],
    )
    _save(
        m,
        hdir / "dropout_opset13_ratio_init_true.onnx",
        f"{how}, opset 13, ratio=0.2 and training_mode=True initializers",
    )

    m = _drop_then_dense(
        "opset13_constant_false",
        dropout(["x", "ratio", "training_mode"]),
        extra_nodes=[_const("ratio", _f("", 0.3)), _const("training_mode", _b("", False))],
    )
    _save(
        m,
        hdir / "dropout_opset13_constant_false.onnx",
        f"{how}, opset 13, ratio=0.3 and training_mode=False Constant nodes",
    )

    m = _drop_then_dense("opset13_no_mode", dropout(["x"]))
    _save(m, hdir / "dropout_opset13_no_mode.onnx", f"{how}, opset 13, data input only")

    m = _drop_then_dense("opset13_empty_names", dropout(["x", "", ""]))
    _save(m, hdir / "dropout_opset13_empty_names.onnx", f'{how}, opset 13, inputs ["x", "", ""]')

    m = _drop_then_dense(
        "opset13_graph_input_mode",
        dropout(["x", "ratio", "training_mode"]),
        [_f("ratio", 0.3)],
        inputs=(X, _vi("training_mode", B, [])),
    )
    _save(
        m,
        hdir / "dropout_opset13_graph_input_mode.onnx",
        f"{how}, opset 13, training_mode is a graph input",
        feeds=[{"training_mode": True}, {"training_mode": False}],
    )

    rng = _rng()
    m = _model(
        "opset13_mask_used",
        [
            dropout(["x", "ratio", "training_mode"], outputs=("d", "mask")),
            helper.make_node("MatMul", ["d", "W"], ["y"], name="dense"),
        ],
        [X],
        [Y, _vi("mask", B, [4, 16])],
        [_f("ratio", 0.3), _b("training_mode", True), _w("W", [16, 4], rng)],
    )
    _save(
        m,
        hdir / "dropout_opset13_mask_used.onnx",
        f"{how}, opset 13, training_mode=True, mask output is a graph output",
    )

    # -- 8. Structure ------------------------------------------------------------
    rng = _rng()
    body = helper.make_graph(
        [
            _const("body_ratio", _f("", 0.3)),
            # reads the outer-scope tensors "x" (graph input) and "train_flag" (initializer)
            dropout(["x", "body_ratio", "train_flag"], name="body_drop", outputs=("body_d",)),
            helper.make_node("Add", ["acc_in", "body_d"], ["acc_out"], name="body_add"),
            helper.make_node("Identity", ["cond_in"], ["cond_out"], name="body_cond"),
        ],
        "loop_body",
        [
            _vi("iter", TensorProto.INT64, []),
            _vi("cond_in", B, []),
            _vi("acc_in", F, [4, 16]),
        ],
        [_vi("cond_out", B, []), _vi("acc_out", F, [4, 16])],
    )
    m = _model(
        "dropout_in_loop",
        [
            helper.make_node(
                "Loop", ["trip_count", "keep_going", "x"], ["d"], name="loop", body=body
            ),
            helper.make_node("MatMul", ["d", "W"], ["y"], name="dense"),
        ],
        [X],
        [Y],
        [
            _i64("trip_count", 3),
            _b("keep_going", True),
            _b("train_flag", True),
            _w("W", [16, 4], rng),
        ],
    )
    _save(
        m,
        hdir / "dropout_in_loop.onnx",
        f"{how}, opset 13, Loop body Dropout(outer x, Constant 0.3, outer initializer True)",
    )

    rng = _rng()
    then_branch = helper.make_graph(
        [
            # inside the branch, so that the Dropout has a producer and a consumer there
            helper.make_node("Relu", ["x"], ["then_relu"], name="then_relu"),
            _const("then_mode", _b("", True)),
            dropout(["then_relu", "ratio", "then_mode"], name="then_drop", outputs=("then_d",)),
            helper.make_node("Add", ["x", "then_d"], ["then_out"], name="then_residual"),
        ],
        "then_branch",
        [],
        [_vi("then_out", F, [4, 16])],
    )
    else_branch = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["else_out"], name="else_identity")],
        "else_branch",
        [],
        [_vi("else_out", F, [4, 16])],
    )
    m = _model(
        "dropout_in_if",
        [
            helper.make_node(
                "If",
                ["use_dropout"],
                ["d"],
                name="if",
                then_branch=then_branch,
                else_branch=else_branch,
            ),
            helper.make_node("MatMul", ["d", "W"], ["y"], name="dense"),
        ],
        [X, _vi("use_dropout", B, [])],
        [Y],
        [_f("ratio", 0.3), _w("W", [16, 4], rng)],
    )
    _save(
        m,
        hdir / "dropout_in_if.onnx",
        f"{how}, opset 13, If: then = x + Dropout(Relu(x), outer ratio 0.3, Constant True), "
        "else = Identity(x)",
        feeds=[{"use_dropout": True}, {"use_dropout": False}],
    )

    rng = _rng()
    func = helper.make_function(
        "droplint.samples",
        "DropBlock",
        ["X", "R"],
        ["Y"],
        [
            _const("T", _b("", True), node_name="fn_mode"),
            helper.make_node("Dropout", ["X", "R", "T"], ["Y"], name="fn_drop"),
        ],
        opset_imports=[helper.make_opsetid("", 13)],
    )
    m = _model(
        "dropout_in_function",
        [
            helper.make_node(
                "DropBlock", ["x", "rate_1"], ["h1"], name="block_1", domain="droplint.samples"
            ),
            helper.make_node("MatMul", ["h1", "W1"], ["h2"], name="dense_1"),
            helper.make_node(
                "DropBlock", ["h2", "rate_2"], ["d"], name="block_2", domain="droplint.samples"
            ),
            helper.make_node("MatMul", ["d", "W"], ["y"], name="dense"),
        ],
        [X],
        [Y],
        [_f("rate_1", 0.1), _f("rate_2", 0.4), _w("W1", [16, 16], rng), _w("W", [16, 4], rng)],
        extra_opsets=[helper.make_opsetid("droplint.samples", 1)],
        functions=[func],
        ir_min=8,
    )
    _save(
        m,
        hdir / "dropout_in_function.onnx",
        f"{how}, opset 13, local function droplint.samples::DropBlock(X, R) = "
        "Dropout(X, R, Constant True), called with rate 0.1 and 0.4",
    )

    rng = _rng()
    algorithm = helper.make_graph(
        [
            _const("alg_ratio", _f("", 0.5)),
            _const("alg_mode", _b("", True)),
            dropout(["x", "alg_ratio", "alg_mode"], name="alg_drop", outputs=("alg_d",)),
            helper.make_node("MatMul", ["alg_d", "W"], ["alg_h"], name="alg_dense"),
            helper.make_node("ReduceMean", ["alg_h"], ["alg_loss"], name="alg_loss", keepdims=0),
            _const("alg_lr", _f("", 0.01)),
            helper.make_node("Mul", ["alg_loss", "alg_lr"], ["alg_step"], name="alg_step"),
            helper.make_node("Sub", ["W", "alg_step"], ["W_new"], name="alg_update"),
        ],
        "algorithm",
        [X],
        [_vi("W_new", F, [16, 4])],
    )
    info = onnx.TrainingInfoProto()
    info.algorithm.CopyFrom(algorithm)
    info.update_binding.add(key="W", value="W_new")
    m = _model(
        "dropout_training_info",
        [helper.make_node("MatMul", ["x", "W"], ["y"], name="dense")],
        [X],
        [Y],
        [_w("W", [16, 4], rng)],
        ir_min=7,
    )
    m.training_info.append(info)
    _save(
        m,
        hdir / "dropout_training_info.onnx",
        f"{how}, opset 13, no dropout in the inference graph; training_info algorithm "
        "graph has Dropout(x, 0.5, True)",
    )

    rng = _rng()
    m = _model(
        "stacked_dropout",
        [
            dropout(["x", "ratio_1", "mode"], name="drop_1", outputs=("d1",)),
            helper.make_node("Reshape", ["d1", "shape"], ["r"], name="reshape"),
            dropout(["r", "ratio_2", "mode"], name="drop_2", outputs=("d2",)),
            helper.make_node("MatMul", ["d2", "W"], ["y"], name="dense"),
        ],
        [X],
        [_vi("y", F, [8, 4])],
        [
            _f("ratio_1", 0.2),
            _f("ratio_2", 0.3),
            _b("mode", True),
            _i64("shape", [8, 8]),
            _w("W", [8, 4], rng),
        ],
    )
    _save(
        m,
        hdir / "stacked_dropout.onnx",
        f"{how}, opset 13, Dropout(0.2, True) -> Reshape -> Dropout(0.3, True)",
    )

    rng = _rng()
    m = _model(
        "dropout_before_bn",
        [
            helper.make_node("Conv", ["img", "conv_w", "conv_b"], ["c"], name="conv"),
            dropout(["c", "ratio", "mode"], outputs=("d",)),
            helper.make_node(
                "BatchNormalization",
                ["d", "bn_scale", "bn_bias", "bn_mean", "bn_var"],
                ["y"],
                name="bn",
            ),
        ],
        [_vi("img", F, [2, 3, 6, 6])],
        [_vi("y", F, [2, 4, 4, 4])],
        [
            _w("conv_w", [4, 3, 3, 3], rng),
            _w("conv_b", [4], rng),
            _f("ratio", 0.2),
            _b("mode", True),
            _f("bn_scale", np.ones(4)),
            _f("bn_bias", np.zeros(4)),
            _f("bn_mean", np.zeros(4)),
            _f("bn_var", np.ones(4)),
        ],
    )
    _save(m, hdir / "dropout_before_bn.onnx", f"{how}, opset 13, Conv -> Dropout(0.2, True) -> BN")

    rate = 0.3
    m = _drop_then_dense(
        "random_mask",
        helper.make_node("Mul", ["masked", "scale"], ["d"], name="rescale"),
        [_f("rate", rate), _f("scale", 1.0 / (1.0 - rate))],
        extra_nodes=[
            helper.make_node("RandomUniformLike", ["x"], ["u"], name="uniform", dtype=F),
            helper.make_node("GreaterOrEqual", ["u", "rate"], ["keep"], name="keep"),
            helper.make_node("Cast", ["keep"], ["mask"], name="mask", to=F),
            helper.make_node("Mul", ["x", "mask"], ["masked"], name="apply_mask"),
        ],
    )
    _save(
        m,
        hdir / "random_mask.onnx",
        f"{how}, opset 13, RandomUniformLike -> GreaterOrEqual 0.3 -> Cast -> Mul -> Mul 1/0.7",
    )

    keep = 0.7
    m = _drop_then_dense(
        "bernoulli",
        helper.make_node("Mul", ["masked", "scale"], ["d"], name="rescale"),
        [_f("scale", 1.0 / keep)],
        opset=15,
        extra_nodes=[
            helper.make_node("Shape", ["x"], ["x_shape"], name="shape"),
            helper.make_node(
                "ConstantOfShape",
                ["x_shape"],
                ["keep_prob"],
                name="keep_prob",
                value=_f("", [keep]),
            ),
            helper.make_node("Bernoulli", ["keep_prob"], ["keep"], name="bernoulli"),
            helper.make_node("Mul", ["x", "keep"], ["masked"], name="apply_mask"),
        ],
    )
    _save(
        m,
        hdir / "bernoulli.onnx",
        f"{how}, opset 15, Bernoulli(ConstantOfShape(Shape(x), 0.7)) -> Mul -> Mul 1/0.7",
    )

    ms = [helper.make_opsetid("com.microsoft", 1)]
    rng = _rng()
    m = _model(
        "contrib_bias_dropout",
        [
            helper.make_node(
                "BiasDropout",
                ["x", "bias", "", "ratio", "training_mode"],
                ["d"],
                name="bias_drop",
                domain="com.microsoft",
            ),
            helper.make_node("MatMul", ["d", "W"], ["y"], name="dense"),
        ],
        [X],
        [Y],
        [_w("bias", [16], rng), _f("ratio", 0.3), _b("training_mode", True), _w("W", [16, 4], rng)],
        extra_opsets=ms,
    )
    _save(
        m,
        hdir / "contrib_bias_dropout.onnx",
        f"{how}, opset 13 + com.microsoft 1, BiasDropout(data, bias, '', ratio=0.3, True)",
    )

    m = _drop_then_dense(
        "contrib_bitmask_dropout",
        helper.make_node(
            "BitmaskDropout",
            ["x", "ratio", "training_mode"],
            ["d"],
            name="bitmask_drop",
            domain="com.microsoft",
        ),
        [_f("ratio", 0.3), _b("training_mode", True)],
    )
    m.opset_import.extend(ms)
    _save(
        m,
        hdir / "contrib_bitmask_dropout.onnx",
        f"{how}, opset 13 + com.microsoft 1, BitmaskDropout(data, ratio=0.3, True)",
    )

    rng = _rng()
    hidden = 8
    m = _model(
        "lstm_stack_with_dropout",
        [
            helper.make_node(
                "LSTM", ["seq", "W_1", "R_1", "B_1"], ["Y_1"], name="lstm_1", hidden_size=hidden
            ),
            helper.make_node("Squeeze", ["Y_1", "axis_1"], ["s_1"], name="squeeze_1"),
            dropout(["s_1", "ratio", "mode"], outputs=("d",)),
            helper.make_node(
                "LSTM", ["d", "W_2", "R_2", "B_2"], ["Y_2"], name="lstm_2", hidden_size=hidden
            ),
            helper.make_node("Squeeze", ["Y_2", "axis_1"], ["y"], name="squeeze_2"),
        ],
        [_vi("seq", F, [5, 2, 4])],
        [_vi("y", F, [5, 2, hidden])],
        [
            _w("W_1", [1, 4 * hidden, 4], rng),
            _w("R_1", [1, 4 * hidden, hidden], rng),
            _w("B_1", [1, 8 * hidden], rng),
            _w("W_2", [1, 4 * hidden, hidden], rng),
            _w("R_2", [1, 4 * hidden, hidden], rng),
            _w("B_2", [1, 8 * hidden], rng),
            _i64("axis_1", [1]),
            _f("ratio", 0.25),
            _b("mode", True),
        ],
        opset=14,
    )
    _save(
        m,
        hdir / "lstm_stack_with_dropout.onnx",
        f"{how}, opset 14, LSTM -> Squeeze -> Dropout(0.25, True) -> LSTM -> Squeeze",
    )

    # -- 9. Mixed modes ----------------------------------------------------------
    rng = _rng()
    m = _model(
        "mixed_modes",
        [
            dropout(["x", "ratio_active", "mode"], name="drop_active", outputs=("d1",)),
            helper.make_node("MatMul", ["d1", "W1"], ["h"], name="dense_1"),
            helper.make_node("Relu", ["h"], ["a"], name="relu"),
            dropout(["a", "ratio_inert"], name="drop_inert", outputs=("d",)),
            helper.make_node("MatMul", ["d", "W"], ["y"], name="dense"),
        ],
        [X],
        [Y],
        [
            _f("ratio_active", 0.3),
            _f("ratio_inert", 0.1),
            _b("mode", True),
            _w("W1", [16, 16], rng),
            _w("W", [16, 4], rng),
        ],
    )
    _save(
        m,
        hdir / "mixed_modes.onnx",
        f"{how}, opset 13, Dropout(0.3, True) -> MatMul -> Relu -> Dropout(0.1) -> MatMul",
    )


# ---------------------------------------------------------------------------
# onnx test data
# ---------------------------------------------------------------------------

ZOO = ("light_bvlc_alexnet.onnx", "light_squeezenet.onnx")


def build_zoo(out):
    zdir = out / "zoo"
    _fresh_dir(zdir)
    src = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
    for name in ZOO:
        shutil.copyfile(src / name, zdir / name)
        _record(
            zdir / name,
            "zoo",
            f"copied from onnx {onnx.__version__} onnx/backend/test/data/light/",
            limit=MAX_ZOO_BYTES,
        )


# ---------------------------------------------------------------------------
# Verification and measurement
# ---------------------------------------------------------------------------


def _walk_nodes(graph):
    for node in graph.node:
        yield node
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from _walk_nodes(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for sub in attr.graphs:
                    yield from _walk_nodes(sub)


def _random_ops(model):
    """Names of the random ops in the main graph, its subgraphs and its local functions."""
    found = {}
    nodes = list(_walk_nodes(model.graph))
    for func in model.functions:
        nodes.extend(func.node)
    for node in nodes:
        if node.op_type in RANDOM_OPS:
            found.setdefault(node.op_type, []).append(node.name)
    return found


_NP = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(bool)": np.bool_,
}


def _feed(sess, overrides):
    rng = np.random.default_rng(1)
    feed = {}
    for inp in sess.get_inputs():
        if inp.name in overrides:
            feed[inp.name] = np.array(overrides[inp.name], dtype=_NP[inp.type])
            continue
        shape = [d if isinstance(d, int) and d > 0 else 1 for d in inp.shape]
        dtype = _NP[inp.type]
        if dtype is np.bool_ or np.issubdtype(dtype, np.integer):
            feed[inp.name] = np.ones(shape, dtype=dtype)
        else:
            feed[inp.name] = rng.standard_normal(shape).astype(dtype)
    for init in sess.get_overridable_initializers():  # fed only when a feed names them
        if init.name in overrides:
            feed[init.name] = np.array(overrides[init.name], dtype=_NP[init.type])
    return feed


def _runs_differ(sess, feed):
    results = [sess.run(None, feed) for _ in range(RUNS)]
    first = results[0]
    for other in results[1:]:
        for a, b in zip(first, other, strict=True):
            if not np.array_equal(np.asarray(a), np.asarray(b)):
                return True
    return False


def _error(exc):
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"[:400]


def measure(rel, entry):
    import onnxruntime as ort

    path = OUT / rel
    model = onnx.load(str(path))
    result = {
        "group": entry["group"],
        "how": entry["how"],
        "bytes": path.stat().st_size,
        "random_ops": _random_ops(model),
    }
    try:
        onnx.checker.check_model(model, full_check=True)
        result["checker"] = "ok"
    except Exception as exc:
        result["checker"] = _error(exc)

    variants = entry["feeds"] or [{}]
    runs = []
    levels = {
        "disable_all": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
        "default": None,  # onnxruntime's own default, ORT_ENABLE_ALL
    }
    with tempfile.TemporaryDirectory() as tmp:
        optimized = Path(tmp) / "optimized.onnx"
        for level_name, level in levels.items():
            opts = ort.SessionOptions()
            opts.log_severity_level = 3
            if level is None:
                opts.optimized_model_filepath = str(optimized)
            else:
                opts.graph_optimization_level = level
            try:
                sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
            except Exception as exc:
                result[f"session_{level_name}"] = _error(exc)
                continue
            result[f"session_{level_name}"] = "ok"
            if level is None and optimized.exists():
                after = _random_ops(onnx.load(str(optimized)))
                result["random_ops_after_default_optimization"] = after
            for overrides in variants:
                try:
                    differ = _runs_differ(sess, _feed(sess, overrides))
                except Exception as exc:
                    differ = _error(exc)
                runs.append({"level": level_name, "feed": overrides, "outputs_differ": differ})
    result["runs"] = runs
    return result


def _contrib_schemas():
    """Input/output positions of onnxruntime's dropout contrib ops, from the installed build."""
    from onnxruntime.capi import _pybind_state

    schemas = {}
    for schema in _pybind_state.get_all_operator_schema():
        if schema.domain == "com.microsoft" and schema.name.endswith("Dropout"):
            schemas[schema.name] = {
                "since_version": schema.since_version,
                "inputs": [
                    f"{i.name}{'?' if 'Optional' in str(i.option) else ''}" for i in schema.inputs
                ],
                "outputs": [
                    f"{o.name}{'?' if 'Optional' in str(o.option) else ''}" for o in schema.outputs
                ],
                "attributes": sorted(schema.attributes),
            }
    return dict(sorted(schemas.items()))


def verify(names):
    try:
        import onnxruntime as ort
    except ImportError:
        print("onnxruntime is not installed: nothing measured")
        return
    old = json.loads(MEASUREMENTS.read_text()) if MEASUREMENTS.exists() else {}
    groups = {BUILT[name]["group"] for name in names}
    files = {k: v for k, v in old.get("files", {}).items() if v.get("group") not in groups}
    print("measuring ...")
    for name in names:
        entry = BUILT[name]
        if "error" in entry:
            files[name] = {"group": entry["group"], "how": entry["how"], "error": entry["error"]}
            continue
        files[name] = measure(name, entry)
        r = files[name]
        summary = ", ".join(
            f"{x['level']}{'' if not x['feed'] else ' ' + json.dumps(x['feed'])}="
            f"{'random' if x['outputs_differ'] is True else x['outputs_differ']}"
            for x in r["runs"]
        )
        print(
            f"  {name}: checker {r['checker']}; session {r.get('session_disable_all')}; "
            f"{summary}; ops {r['random_ops']} -> {r.get('random_ops_after_default_optimization')}"
        )
    versions = {"onnx": onnx.__version__, "onnxruntime": ort.__version__, "numpy": np.__version__}
    with contextlib.suppress(ImportError):
        import torch

        versions["torch"] = torch.__version__
    note = (
        f"Each feed is run {RUNS} times on one session; outputs_differ=true means the outputs "
        "were not all equal (random). 'default' is onnxruntime's default optimization level "
        "(ORT_ENABLE_ALL); random_ops_after_default_optimization counts them in the graph it saved."
    )
    data = {
        "versions": versions,
        "note": note,
        "contrib_schemas": _contrib_schemas(),
        "files": dict(sorted(files.items())),
    }
    MEASUREMENTS.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
    print(f"  wrote {MEASUREMENTS.relative_to(HERE.parent)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["torch", "helper", "zoo", "wild"])
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    builders = {"torch": build_torch, "helper": build_helper, "zoo": build_zoo,
                "wild": build_wild}  # fmt: skip
    for group, build in builders.items():
        if args.only in (None, group):
            print(f"{group}:")
            build(OUT)
    verify(list(BUILT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
