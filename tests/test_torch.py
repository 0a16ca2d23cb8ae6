"""PyTorch torch.export archives (samples/torch, written by samples/make_torch_samples.py with
torch 2.13): what droplint maps and finds, against what the maker built and what running the
loaded programs showed (samples/torch/measurements.json). The per-site measurements are in
tests/oracle/test_torch_oracle.py."""

from __future__ import annotations

import json
import sys

import pytest
from conftest import SAMPLES, rendered, run

from droplint.analysis import FileReport, analyze_file
from droplint.config import from_table

TORCH = SAMPLES / "torch"
MEASURED = json.loads((TORCH / "measurements.json").read_text(encoding="utf-8"))["files"]
ARCHIVES = sorted(k for k in MEASURED if k.endswith(".pt2"))
ALL = from_table({"select": ["ALL"]})
NOT_OPENED = ("seed_train.pt2", "state_dict.pt", "legacy.pth")  # pickles inside or whole


def report(name: str) -> FileReport:
    r = analyze_file(TORCH / name, ALL)
    assert r.error is None and r.internal is None, (r.error, r.internal)
    return r


def sites(name: str) -> dict[str, tuple]:
    return {s.layer: (s.cls, s.where, s.rate, s.active) for s in report(name).sites}


def codes(name: str) -> list[tuple[str, str | None]]:
    return sorted((f.code, f.layer) for f in report(name).findings)


def test_every_sample_is_measured() -> None:
    on_disk = {p.name for p in TORCH.iterdir() if p.suffix in (".pt2", ".pt", ".pth")}
    assert on_disk == set(MEASURED) and len(ARCHIVES) >= 30


@pytest.mark.parametrize("name", ARCHIVES)
def test_random_exactly_where_a_site_is_active(name: str) -> None:
    """Runs of the loaded program differ exactly when droplint says a site drops always at a
    rate that draws (p=0 keeps everything and p=1 zeroes everything, every run alike). A site
    in a cond branch runs only when its predicate says so: it may explain randomness, and its
    absence from a run does not contradict it."""
    r = report(name)
    drawing = [s for s in r.sites if s.active == "always" and (s.rate is None or 0 < s.rate < 1)]
    surely = [s for s in drawing if r.graph.node(s.node).condition is None]
    maybe = drawing or r.flow.unseen  # droplint cannot tell: either outcome agrees with it
    assert MEASURED[name]["random"] in ({True} if surely else {True, False} if maybe else {False})


@pytest.mark.parametrize(("name", "rate"), [("drop_path_train.pt2", 0.2),
                                            ("hf_drop_path_train.pt2", 0.25)])  # fmt: skip
def test_drop_path_drops_whole_samples(name: str, rate: float) -> None:
    """timm's and transformers' drop_path draw one mask value per sample (shape (batch, 1)):
    shared along axis 1; the draw is read, not left unseen."""
    r = report(name)
    (site,) = r.sites
    assert (site.rate, site.shared_axes, r.flow.unseen) == (rate, [1], [])


def test_rate_zero_is_not_called_dropout_at_inference() -> None:
    """fixed_rates: Dropout(0.0) 'keep' and Dropout(1.0) 'zero', exported in train mode: the
    map's masks column warns about the one that changes the values at inference only."""
    rows = {line.split()[0]: line for line in rendered("text", [report("fixed_rates_train.pt2")],
                                                       width=120).splitlines()[2:4]}  # fmt: skip
    assert "at inference!" not in rows["keep"] and "at inference!" in rows["zero"]


def test_a_custom_op_is_unseen_with_its_probability() -> None:
    """make_torch_samples.py: Linear -> droplint_samples::noisy(x, p=0.3) -> Linear, a custom
    operator whose code is not in the archive: no site, the op unseen with p named (DL002)."""
    r = report("custom_op_train.pt2")
    assert not r.sites and [(u.layer, u.settings) for u in r.flow.unseen] == [("noisy", {"p": 0.3})]
    assert codes("custom_op_train.pt2") == [("DL002", "noisy")]
    assert MEASURED["custom_op_train.pt2"]["random"]


@pytest.mark.parametrize(("name", "expected"), [
    # make_torch_samples.py: Linear -> ReLU -> Dropout(0.3) -> Linear
    ("mlp_train.pt2", {"drop": ("Dropout", "output", 0.3, "always")}),
    ("mlp_eval.pt2", {"drop": ("Dropout", "output", 0.3, "never")}),
    ("mlp_decomposed.pt2", {"drop": ("Dropout", "output", 0.3, "always")}),  # native_dropout
    # Embedding -> Dropout(0.25) -> LSTM(num_layers=2, dropout=0.5) -> Linear
    ("seed_train.pt2", {"drop": ("Dropout", "output", 0.25, "always"),
                        "lstm": ("LSTM", "internal", 0.5, "always")}),
    ("seed_eval.pt2", {"drop": ("Dropout", "output", 0.25, "never"),
                       "lstm": ("LSTM", "internal", 0.5, "never")}),
    ("seed_decomposed.pt2", {"drop": ("Dropout", "output", 0.25, "always")}),  # LSTM unrolled
    ("gru_stack_train.pt2", {"gru": ("GRU", "internal", 0.3, "always")}),
    ("lstm_alone_train.pt2", {"lstm": ("LSTM", "internal", 0.5, "never")}),  # one layer
    # MultiheadAttention(dropout=0.1): need_weights=True drops the softmaxed weights
    ("mha_weights_train.pt2", {"attn:dropout": ("dropout", "attention", 0.1, "always")}),
    ("mha_weights_eval.pt2", {}),  # in eval, MultiheadAttention passes dropout 0.0: no op
    ("mha_weights_decomposed.pt2",
     {"attn:native_dropout": ("native_dropout", "attention", 0.1, "always")}),
    ("mha_fast_train.pt2", {"attn:scaled_dot_product_attention":
                            ("scaled_dot_product_attention", "attention", 0.1, "always")}),
    # F.scaled_dot_product_attention(dropout_p=0.2 if training or ungated else 0.0) + Dropout(0.1)
    ("sdpa_ungated_eval.pt2", {
        "scaled_dot_product_attention": ("scaled_dot_product_attention", "attention", 0.2,
                                         "always"),
        "drop": ("Dropout", "output", 0.1, "never")}),
    ("sdpa_gated_eval.pt2", {"drop": ("Dropout", "output", 0.1, "never")}),  # p=0.0: no site
    ("mc_dropout_eval.pt2", {"dropout": ("dropout", "output", 0.2, "always")}),  # F.dropout
    # eval exports keep feature and alpha dropout as ops with train=False
    ("dropout2d_eval.pt2", {"drop": ("Dropout2d", "output", 0.3, "never")}),
    ("alpha_eval.pt2", {"drop": ("AlphaDropout", "output", 0.3, "never")}),
    # the same, decomposed: the safe softmax's `where` sits between softmax and native_dropout
    ("sdpa_gated_decomposed.pt2", {
        "native_dropout": ("native_dropout", "attention", 0.2, "always"),
        "drop": ("Dropout", "output", 0.1, "always")}),
    # Dropout(0.3, inplace=True) and, at the root, F.dropout(h, 0.2, training, inplace=True)
    ("inplace_train.pt2", {"drop": ("Dropout", "output", 0.3, "always"),
                           "dropout__1": ("dropout_", "output", 0.2, "always")}),
    # torch.cond: Dropout(0.3) in the true branch, F.dropout(0.6, training=True) in the false one
    ("cond_train.pt2", {"cond/true_graph_0/dropout": ("dropout", "output", 0.3, "always"),
                        "cond/false_graph_0/dropout": ("dropout", "output", 0.6, "always")}),
    ("cond_eval.pt2", {"cond/true_graph_0/dropout": ("dropout", "output", 0.3, "never"),
                       "cond/false_graph_0/dropout": ("dropout", "output", 0.6, "always")}),
    ("no_grad_train.pt2", {"drop": ("Dropout", "output", 0.3, "always")}),  # in torch.no_grad()
    # three blocks with Dropout(0.2), two of them one invoke_subgraph graph traced from block 1
    ("region_train.pt2", {f"blocks.{k}.drop": ("Dropout", "output", 0.2, "always")
                          for k in range(3)}),
    # h * bernoulli(full_like(h, 0.7)) / 0.7: dropout 0.3 (the rand_like mask: unseen, below)
    ("hand_rolled_train.pt2", {"mul": ("bernoulli", "output", 0.3, "always")}),
    ("fixed_rates_train.pt2", {"keep": ("Dropout", "output", 0.0, "always"),
                               "zero": ("Dropout", "output", 1.0, "always")}),
    # softmax of float scores, type_as, F.dropout(0.1), times the values (T5, LLaMA eager)
    ("cast_attention_train.pt2", {"dropout": ("dropout", "attention", 0.1, "always")}),
    # timm's drop_path(0.2): new_empty(...).bernoulli_(0.8), div_, times the branch; eval: none
    ("drop_path_train.pt2", {"mul": ("bernoulli", "output", 0.2, "always")}),
    ("drop_path_eval.pt2", {}),
    # transformers' drop_path(0.25): floor(0.75 + rand), the branch divided by 0.75
    ("hf_drop_path_train.pt2", {"mul": ("rand mask", "output", 0.25, "always")}),
    # package_pt2 of two programs; torch <= 2.7's flat layout
    ("package_train.pt2", {"model/drop": ("Dropout", "output", 0.3, "always"),
                           "attention/drop": ("Dropout", "output", 0.1, "never")}),
    ("legacy_train.pt2", {"drop": ("Dropout", "output", 0.3, "always")}),
])  # fmt: skip
def test_sites(name: str, expected: dict) -> None:
    assert sites(name) == expected


@pytest.mark.parametrize(("name", "axes", "noise"), [
    ("dropout1d_train.pt2", [2], "bernoulli"),
    ("dropout1d_decomposed.pt2", [2], "bernoulli"),  # bernoulli(p=keep) on N x C x 1
    ("dropout2d_train.pt2", [2, 3], "bernoulli"),
    ("dropout2d_decomposed.pt2", [2, 3], "bernoulli"),
    ("dropout3d_train.pt2", [2, 3, 4], "bernoulli"),
    ("feature_alpha_train.pt2", [2, 3], "alpha"),
    ("feature_alpha_decomposed.pt2", [2, 3], "alpha"),
    ("alpha_train.pt2", [], "alpha"),
    ("alpha_decomposed.pt2", [], "alpha"),
])  # fmt: skip
def test_mask_shape_and_noise(name: str, axes: list[int], noise: str) -> None:
    (s,) = report(name).sites
    assert (s.layer, s.rate, s.shared_axes, s.noise, s.active) == ("drop", 0.3, axes, noise,
                                                                    "always")  # fmt: skip


@pytest.mark.parametrize(("name", "expected"), [
    ("mlp_train.pt2", [("DL501", "drop")]),
    ("mlp_eval.pt2", []),  # an eval export's inert dropout is how torch.export writes it
    ("seed_train.pt2", [("DL501", "drop"), ("DL501", "lstm")]),  # no DL102: LSTM dropout
    ("seed_eval.pt2", []),                                       # never touches its input
    ("seed_decomposed.pt2", [("DL501", "drop"), ("DL507", "lstm")]),
    ("lstm_alone_train.pt2", [("DL402", "lstm")]),
    ("sdpa_ungated_eval.pt2", [("DL506", "scaled_dot_product_attention")]),
    ("sdpa_gated_eval.pt2", []),
    ("output_dropout_train.pt2", [("DL202", "drop"), ("DL501", "drop")]),
    ("dropout_before_bn_train.pt2", [("DL201", "drop"), ("DL501", "drop")]),
    ("stacked_train.pt2", [("DL101", "drop2"), ("DL501", "drop1"), ("DL501", "drop2")]),
    ("mha_weights_train.pt2", [("DL501", "attn:dropout")]),  # no DL202: attention weights
    # p=0 and p=1 draw nothing random: no DL501, their own rules say what they do
    ("fixed_rates_train.pt2", [("DL202", "zero"), ("DL301", "keep"), ("DL303", "zero")]),
    # the branch that always drops in an eval export, and the mix of modes it makes
    ("cond_eval.pt2", [("DL302", "cond/false_graph_0/dropout"),
                       ("DL501", "cond/false_graph_0/dropout"),
                       ("DL503", "cond/false_graph_0/dropout")]),
    # programs of a package are exported apart: a train one and an eval one are no mix
    ("package_train.pt2", [("DL501", "model/drop")]),
    ("hand_rolled_train.pt2", [("DL002", "rand_like"), ("DL501", "mul")]),
])  # fmt: skip
def test_findings(name: str, expected: list) -> None:
    assert codes(name) == expected


def test_findings_speak_pytorch() -> None:
    found = {f.code: f.message for f in report("lstm_alone_train.pt2").findings}
    assert "num_layers=1" in found["DL402"] and "Keras" not in found["DL402"]
    dl501 = next(f.message for f in report("mc_dropout_eval.pt2").findings if f.code == "DL501")
    assert "model.eval() before torch.export.export" in dl501 and "onnx" not in dl501.lower()
    assert "training=self.training" in dl501  # F.dropout(..., training=True) in a module
    assert (
        "dropout_p=self.p if self.training else 0.0"
        in report("sdpa_ungated_eval.pt2").findings[0].message
    )


def test_module_paths_and_coverage() -> None:
    r = report("encoder_train.pt2")
    layers = {s.layer for s in r.sites}
    assert {"layers.0.dropout1", "layers.0.dropout2", "layers.1.dropout"} <= layers
    assert len(r.sites) == 8  # 3 Dropouts and the attention dropout in each of 2 layers
    assert {c.layer for c in report("mlp_train.pt2").flow.coverage} == {"fc1", "fc2"}


@pytest.mark.parametrize(("name", "words"), [
    ("state_dict.pt", "a torch.save archive (data.pkl"),
    ("scripted.pt", "a TorchScript archive"),
    ("legacy.pth", "a Python pickle"),
])  # fmt: skip
def test_files_that_are_not_exports_say_what_they_are(name: str, words: str) -> None:
    r = analyze_file(TORCH / name)
    assert r.error is not None and words in r.error and "torch.export.save" in r.error
    assert "\n" not in r.error


def test_no_pickle_is_opened_and_torch_is_never_imported() -> None:
    code = (
        "import sys, pickle, zipfile\n"
        "from droplint.analysis import analyze_file\n"
        "opened = []\n"
        "real_open = zipfile.ZipFile.open\n"
        "def watch(self, name, *a, **k):\n"
        "    opened.append(name if isinstance(name, str) else name.filename)\n"
        "    return real_open(self, name, *a, **k)\n"
        "zipfile.ZipFile.open = watch\n"
        "def refuse(*a, **k): raise AssertionError('unpickled')\n"
        "pickle.load = pickle.loads = pickle.Unpickler = refuse\n"
        f"for p in {[str(TORCH / n) for n in NOT_OPENED]!r}:\n"
        "    analyze_file(p)\n"
        "print(sorted(opened)); print('torch' in sys.modules)\n"
    )  # fmt: skip
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    opened, torch_loaded = out.stdout.strip().splitlines()
    assert opened == "['seed_train/archive_format', 'seed_train/models/model.json']"
    assert torch_loaded == "False"


def test_pt2_files_are_found_in_folders() -> None:
    proc = run(str(TORCH), "--format", "json")
    paths = [f["path"] for f in json.loads(proc.stdout)["files"]]
    assert all(p.endswith(".pt2") for p in paths) and len(paths) == len(ARCHIVES)


def test_the_map_shows_module_classes() -> None:
    """A module's one op is shown as the module (the sample's Linear, Dropout and LSTM), an op
    among several of a module as the op."""
    r = report("seed_train.pt2")
    assert {n: r.class_of(n) for n in ("drop", "lstm", "head")} == {
        "drop": "Dropout", "lstm": "LSTM", "head": "Linear"
    }  # fmt: skip
    attention = report("encoder_train.pt2")
    sdpa = next(s.node for s in attention.sites if s.param == "dropout_p")
    assert attention.class_of(sdpa) == "scaled_dot_product_attention"


def test_a_random_draw_that_is_no_dropout_op_is_unseen_not_absent() -> None:
    """HandRolled's second mask, (rand_like(h) > 0.2) * h / 0.8, is no dropout op droplint can
    read: it is listed as unseen and what it feeds may carry more dropout than the map says."""
    r = report("hand_rolled_train.pt2")
    assert [u.layer for u in r.flow.unseen] == ["rand_like"]
    fc3 = next(c for c in r.flow.coverage if c.layer == "fc3")
    assert fc3.input_unknown


def test_a_cond_branch_says_when_it_runs() -> None:
    message = next(f.message for f in report("cond_eval.pt2").findings if f.code == "DL501")
    assert "the predicate of 'cond' is false" in message


def test_pytorch_modules_gate_their_own_attention_dropout() -> None:
    """nn.MultiheadAttention passes dropout_p only when training: a train export's SDPA in it
    is fixed by exporting in eval mode, not by gating code the user did not write."""
    message = next(f.message for f in report("mha_fast_train.pt2").findings if f.code == "DL501")
    assert "MultiheadAttention passes only when training" in message
    assert "must pass dropout_p=0.0 itself" not in message


def test_a_zip_named_pt2_that_is_no_export_says_so(tmp_path) -> None:
    """A deliberately wrong file: a zip of notes saved as .pt2 is explained in PyTorch words."""
    import zipfile

    path = tmp_path / "notes.pt2"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("notes/readme.txt", "not a model")
    r = analyze_file(path)
    assert r.error is not None and "no torch.export archive" in r.error
    assert "torch.export.save" in r.error and "\n" not in r.error


@pytest.mark.parametrize("op", ["_fused_dropout", "random_", "geometric_", "cauchy_"])
def test_random_ops_droplint_does_not_read_are_unseen(op: str, tmp_path) -> None:
    """A deliberately built program (torch 2.13 on CPU writes none of these): a random op that
    is no mapped dropout between two Linears is unseen, and what follows it is unknown."""
    sys.path.insert(0, str(SAMPLES.parent / "tests" / "hostile"))
    try:
        from bounded import _archive, _program
    finally:
        sys.path.pop(0)

    def node(target: str, name: str, read: str, extra: list | None = None) -> dict:
        args = [{"name": "input", "arg": {"as_tensor": {"name": read}}, "kind": 1}, *(extra or [])]
        return {"target": target, "name": name, "inputs": args,
                "outputs": [{"as_tensor": {"name": name}}], "metadata": {}}  # fmt: skip

    weight = [{"name": "weight", "arg": {"as_tensor": {"name": "w"}}, "kind": 1}]
    program = _program([node("torch.ops.aten.linear.default", "fc1", "x", weight),
                        node(f"torch.ops.aten.{op}.default", "drawn", "fc1"),
                        node("torch.ops.aten.linear.default", "fc2", "drawn", weight)])  # fmt: skip
    program["graph_module"]["signature"]["input_specs"].append(
        {"parameter": {"arg": {"name": "w"}, "parameter_name": "fc.weight"}})  # fmt: skip
    program["graph_module"]["graph"]["tensor_values"] = {
        "w": {"dtype": 7, "sizes": [{"as_int": 4}, {"as_int": 4}]}}  # fmt: skip
    r = analyze_file(_archive(tmp_path / "drawn.pt2", program), ALL)
    assert r.error is None and [u.layer for u in r.flow.unseen] == ["drawn"]
    assert "DL601" not in {f.code for f in r.findings}
