"""ONNX: sites per opset and exporter, rules, structure, on graphs written by torch.onnx, by the
onnx library, and shipped with onnx."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SAMPLES, run

from droplint.analysis import FileReport, analyze_file
from droplint.config import from_table

ONNX = SAMPLES / "onnx"
ALL = from_table({"select": ["ALL"]})


def report(rel: str) -> FileReport:
    r = analyze_file(ONNX / rel, ALL)
    assert r.error is None, r.error
    return r


def sites(rel: str) -> dict[str, tuple]:
    return {s.layer: (s.rate, s.active) for s in report(rel).sites}


def found(rel: str) -> list[tuple[str, str | None]]:
    return sorted((f.code, f.layer) for f in report(rel).findings)


@pytest.mark.parametrize(("rel", "expected"), [
    ("helper/dropout_opset6_training.onnx", {"drop": (0.3, "always")}),
    ("helper/dropout_opset6_is_test.onnx", {"drop": (0.3, "never")}),
    ("helper/dropout_opset10.onnx", {"drop": (0.3, "never")}),
    ("helper/dropout_opset13_ratio_init_true.onnx", {"drop": (0.2, "always")}),
    ("helper/dropout_opset13_constant_false.onnx", {"drop": (0.3, "never")}),
    ("helper/dropout_opset13_no_mode.onnx", {"drop": (0.5, "never")}),
    ("helper/dropout_opset13_empty_names.onnx", {"drop": (0.5, "never")}),
    ("helper/dropout_opset13_graph_input_mode.onnx", {"drop": (0.3, "unknown")}),
    ("helper/contrib_bias_dropout.onnx", {"bias_drop": (0.3, "always")}),
    ("helper/contrib_bitmask_dropout.onnx", {"bitmask_drop": (0.3, "always")}),
    # A random mask's site is the node its masked values leave the idiom by (the maker's
    # "rescale": Mul by 1/keep). Bernoulli(ConstantOfShape(Shape(x), 0.7)) keeps a value with
    # probability 0.7 by the op's text.
    ("helper/bernoulli.onnx", {"rescale": (0.3, "always")}),
    ("helper/random_mask.onnx", {"rescale": (0.3, "always")}),
    ("torch/cnn_train_dynamo.onnx", {"node_mul": (0.2, "always")}),  # Dropout2d: a random mask
    ("torch/mlp_eval_ts.onnx", {}),
    ("torch/lstm_eval_dynamo.onnx", {}),
    ("torch/mlp_train_ts.onnx", {"/2/Dropout": (0.3, "always")}),
    ("torch/mlp_train_dynamo.onnx", {"node_native_dropout__1": (0.3, "always")}),
    ("torch/mha_train_ts.onnx", {"/mha/Dropout": (0.1, "never"), "/drop/Dropout": (0.2, "always")}),
    ("zoo/light_bvlc_alexnet.onnx", {"n18": (0.5, "never"), "n21": (0.5, "never")}),
    # transformers' drop_path, p=0.25: floor(0.75 + U) times the branch
    ("wild/drop_path_dynamo.onnx", {"node_mul": (0.25, "always")}),
    ("wild/drop_path_ts.onnx", {"/Mul": (0.25, "always")}),
])  # fmt: skip
def test_sites_by_opset_and_exporter(rel: str, expected: dict) -> None:
    assert sites(rel) == expected


@pytest.mark.parametrize(("rel", "expected"), [
    ("helper/dropout_in_loop.onnx", {"loop/body/body_drop": (0.3, "always")}),
    ("helper/dropout_in_if.onnx", {"if/then_branch/then_drop": (0.3, "always")}),
    # make_onnx_samples.py calls block_1 with rate_1 = 0.1 and block_2 with rate_2 = 0.4: each
    # call's constants are its own (they were keyed by name for the whole graph, and both read 0.4)
    ("helper/dropout_in_function.onnx",
     {"block_1/fn_drop": (0.1, "always"), "block_2/fn_drop": (0.4, "always")}),
    ("helper/dropout_training_info.onnx",
     {"training_info[0]/algorithm/alg_drop": (0.5, "training")}),
])  # fmt: skip
def test_subgraphs_functions_and_training_graphs(rel: str, expected: dict) -> None:
    assert sites(rel) == expected


def test_dynamo_metadata_names_the_source_module() -> None:
    (site,) = report("torch/lstm_train_dynamo.onnx").sites
    assert site.source == "lstm"


@pytest.mark.parametrize(("rel", "expected"), [
    ("torch/mlp_train_ts.onnx", [("DL501", "/2/Dropout")]),
    ("torch/mha_train_ts.onnx", [("DL202", "/drop/Dropout"), ("DL501", "/drop/Dropout"),
                                 ("DL502", "/mha/Dropout"), ("DL503", "/drop/Dropout")]),
    ("torch/cnn_dropout_train_ts.onnx", [("DL201", "/1/Dropout"), ("DL501", "/1/Dropout")]),
    ("torch/dropout_then_softmax_train_ts.onnx", [("DL202", "/2/Dropout"),
                                                  ("DL501", "/2/Dropout")]),
    ("torch/lstm_train_dynamo.onnx", [("DL501", "node_Dropout_82"),
                                      ("DL505", "node_LSTM_129")]),
    ("helper/stacked_dropout.onnx", [("DL101", "drop_2"), ("DL501", "drop_1"),
                                     ("DL501", "drop_2")]),
    ("helper/mixed_modes.onnx", [("DL501", "drop_active"), ("DL502", "drop_inert"),
                                 ("DL503", "drop_active")]),
    ("helper/lstm_stack_with_dropout.onnx", [("DL501", "drop"), ("DL505", "lstm_2")]),
    ("torch/mlp_eval_ts.onnx", []),  # coverage rules are for models to train, not exports
    ("helper/dropout_training_info.onnx", []),
])  # fmt: skip
def test_rules_on_onnx(rel: str, expected: list) -> None:
    assert found(rel) == expected


@pytest.mark.parametrize(("rel", "deletes"), [
    ("torch/mlp_train_ts.onnx", True),
    ("helper/dropout_in_if.onnx", True),
    ("helper/dropout_opset13_ratio_init_true.onnx", False),  # reads the graph input directly
    ("helper/dropout_opset13_mask_used.onnx", False),
    ("torch/dropout_then_softmax_train_ts.onnx", False),  # writes a graph output
])  # fmt: skip
def test_dl501_says_what_onnxruntime_does(rel: str, deletes: bool) -> None:
    (finding,) = [f for f in report(rel).findings if f.code == "DL501"]
    assert ("default graph optimizer deletes it" in finding.message) == deletes


def test_mc_dropout_silences_dl501_and_dl503() -> None:
    config = from_table({"mc-dropout": ["drop_active"]})
    r = analyze_file(ONNX / "helper/mixed_modes.onnx", config)
    assert sorted(f.code for f in r.findings) == ["DL502"]


def test_onnx_through_the_cli() -> None:
    proc = run(str(ONNX / "torch/mlp_train_ts.onnx"), "--format", "json")
    assert proc.returncode == 1
    assert '"format": "onnx"' in proc.stdout and '"name": "pytorch"' in proc.stdout


def test_truncated_and_non_onnx_files_are_dl001(tmp_path: Path) -> None:
    data = (ONNX / "torch/lstm_train_dynamo.onnx").read_bytes()
    (tmp_path / "cut.onnx").write_bytes(data[: len(data) // 2])
    (tmp_path / "text.onnx").write_text("this is not a model\n" * 20)
    (tmp_path / "empty.onnx").write_bytes(b"")
    for name in ("cut.onnx", "text.onnx", "empty.onnx"):
        proc = run(str(tmp_path / name))
        assert proc.returncode == 2, name
        assert "DL001" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr


def test_onnx_read_needs_no_onnx_package() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from droplint.analysis import analyze_file; "
        f"analyze_file({str(ONNX / 'torch/mha_train_ts.onnx')!r}); "
        "print(sorted(m for m in ('onnx', 'google.protobuf', 'numpy', 'h5py') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip() == "[]"


NODE_TESTS = re.compile(
    r"test_(training_)?dropout|test_bernoulli|test_lstm|test_gru|test_rnn|test_loop|test_scan|"
    r"test_if"
)


@pytest.fixture(scope="module")
def node_tests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from onnx.backend.test.case.node import collect_testcases

    folder = tmp_path_factory.mktemp("node_tests")
    out = {}
    for case in collect_testcases():
        if NODE_TESTS.match(case.name):
            out[case.name] = folder / f"{case.name}.onnx"
            out[case.name].write_bytes(case.model.SerializeToString())
    return out


@pytest.mark.slow  # writes onnx's node test cases first: seconds
def test_onnx_node_test_models(node_tests: dict[str, Path]) -> None:
    assert len(node_tests) > 30
    for name, path in node_tests.items():
        r = analyze_file(path)
        assert r.error is None, (name, r.error)
        actives = {s.active for s in r.sites}
        if name.startswith("test_training_dropout"):
            assert actives == {"unknown"}, name  # training_mode is a graph input
        elif name.startswith("test_dropout"):
            assert actives == {"never"}, name
        elif name.startswith("test_bernoulli"):
            assert actives == {"always"}, name
        else:
            assert actives == set(), name


def test_torch_transformer_encoder_exports() -> None:
    """nn.TransformerEncoder in train(): TorchScript writes its attention dropout inert beside
    three active ones (DL503); dynamo writes the three active ones and names their modules."""
    ts = {s.layer: s.active for s in report("torch/encoder_train_ts.onnx").sites}
    assert sorted(ts.values()) == ["always", "always", "always", "never"]
    assert next(k for k, v in ts.items() if v == "never").endswith("self_attn/Dropout")
    codes = sorted(f.code for f in report("torch/encoder_train_ts.onnx").findings)
    assert codes == ["DL501", "DL501", "DL501", "DL502", "DL503"]
    dynamo = report("torch/encoder_train_dynamo.onnx").sites
    assert len(dynamo) == 3 and {s.active for s in dynamo} == {"always"}
    assert sorted(s.source for s in dynamo) == [
        "layers.0.dropout", "layers.0.dropout1", "layers.0.dropout2"
    ]  # fmt: skip


@pytest.mark.parametrize(("ratio", "code"), [(0.0, "DL301"), (0.7, "DL302"), (1.2, "DL303")])
def test_rate_rules_on_onnx(tmp_path: Path, ratio: float, code: str) -> None:
    """DL301-DL303 read an ONNX Dropout's ratio initializer like a Keras rate."""
    from onnx import TensorProto, helper, save

    nodes = [helper.make_node("Dropout", ["x", "r", "t"], ["y"], name="drop")]
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor("r", TensorProto.FLOAT, [], [ratio]),
         helper.make_tensor("t", TensorProto.BOOL, [], [False])],
    )  # fmt: skip
    path = tmp_path / "m.onnx"
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    r = analyze_file(path, ALL)
    assert [f.layer for f in r.findings if f.code == code] == ["drop"]


def test_a_custom_op_is_one_droplint_cannot_see_into(tmp_path: Path) -> None:
    """An operator of a domain droplint does not know (an onnx.helper graph: custom ops are
    what exporters write for code they cannot express): unknown, never 'no dropout'."""
    from onnx import TensorProto, helper, save

    node = helper.make_node("FancyDropout", ["x"], ["y"], name="fancy", domain="my.ops",
                            dropout_ratio=0.2)  # fmt: skip
    graph = helper.make_graph(
        [node, helper.make_node("Relu", ["y"], ["z"], name="relu")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 4])],
    )  # fmt: skip
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("my.ops", 1)]
    )
    path = tmp_path / "custom.onnx"
    save(model, path)
    report = analyze_file(path)
    assert [(u.layer, u.cls, u.settings) for u in report.flow.unseen] == [
        ("fancy", "FancyDropout", {"dropout_ratio": pytest.approx(0.2)})
    ]
    assert [f.code for f in report.findings] == ["DL002"]
    from conftest import rendered

    assert "no dropout droplint can see" in rendered("text", [report])


@pytest.mark.parametrize("rel", sorted(str(p.relative_to(ONNX)) for p in ONNX.rglob("*.onnx")))
def test_the_skeleton_gives_the_whole_files_answer(
    rel: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files above WHOLE_FILE are copied field by field without their weights (runs of nodes
    in one piece, as far as the read-ahead holds their keys): the analysis is the one of the
    whole file, with the real read-ahead and with small ones that cut runs anywhere."""
    from droplint.formats.onnx import skeleton

    whole = analyze_file(ONNX / rel, ALL).to_dict()
    monkeypatch.setattr(skeleton, "WHOLE_FILE", 0)
    for block in (skeleton.BLOCK, *range(40, 72)):
        monkeypatch.setattr(skeleton, "BLOCK", block)
        assert analyze_file(ONNX / rel, ALL).to_dict() == whole, block


@pytest.mark.parametrize("rel", ["wild/embedding_dropout_dynamo.onnx",
                                 "wild/embedding_dropout_ts.onnx"])  # fmt: skip
def test_a_random_draw_droplint_cannot_follow_is_unseen(rel: str) -> None:
    """The maker's AWD-LSTM embedding dropout multiplies its mask into the embedding weight
    (onnxruntime: random outputs). No site droplint can read, and no "no dropout" either: the
    draw is a layer droplint cannot see into, and the layer it reaches cannot tell."""
    r = report(rel)
    assert not r.sites and [u.cls for u in r.flow.unseen] == ["RandomUniformLike"]
    assert r.flow.uncertain() == 1 and "DL601" not in {f.code for f in r.findings}
    (said,) = [f.message for f in r.findings if f.code == "DL002"]
    assert "is a random draw (RandomUniformLike) that droplint cannot follow" in said


def test_a_functions_attributes_come_from_each_call() -> None:
    """The maker's two Sequential blocks, Dropout(0.5) and Dropout(0.7), exported as one
    model-local function: each call passes its rate as an attribute that a Constant in the
    body refers to (ref_attr_name)."""
    r = report("wild/functions_ts.onnx")
    assert sorted((s.rate, s.active) for s in r.sites) == [(0.5, "always"), (0.7, "always")]


@pytest.mark.parametrize("rel", ["wild/guarded_attention_dynamo.onnx",
                                 "wild/guarded_attention_ts.onnx"])  # fmt: skip
def test_attention_through_a_nan_guard(rel: str) -> None:
    """The maker's Softmax -> Where(IsNaN(p), 0, p) -> Dropout(0.13) -> MatMul(V): the dropout
    drops attention probabilities."""
    (site,) = report(rel).sites
    assert (site.where, site.rate) == ("attention", 0.13)


def test_the_main_graph_is_kept_as_byte_ranges_and_built_alike_twice() -> None:
    """The reader keeps the main graph's NodeProtos as byte ranges (no decoded node per node
    held while the graph is built); building the read model twice gives the same graph."""
    from droplint.formats import read_model
    from droplint.formats.onnx.graph import build_onnx_graph
    from droplint.formats.onnx.proto import NodeSpans

    saved = read_model(ONNX / "torch/mlp_train_ts.onnx")
    assert isinstance(saved.config.graph.nodes, NodeSpans)
    first, second = build_onnx_graph(saved), build_onnx_graph(saved)
    assert len(first.nodes) > 3
    assert list(first.nodes.values()) == list(second.nodes.values())


def test_dl202_scales_by_the_rate_not_a_tensor_name() -> None:
    """The torch exporter names the ratio input '/drop/Constant_output_0'; the maker's rate is
    0.2: the message says how the kept values are scaled in numbers."""
    (finding,) = [f for f in report("torch/mha_train_ts.onnx").findings if f.code == "DL202"]
    assert "1/(1 - 0.2)" in finding.message and "Constant_output" not in finding.message


def _node_bytes(data: bytes) -> list[memoryview]:
    """The NodeProtos of a model's main graph, as bytes."""
    from droplint.read.protowire import fields

    graph = next(v for n, _, v in fields(memoryview(data)) if n == 7)
    return [v for n, _, v in fields(graph) if n == 1]  # type: ignore[arg-type]


def test_the_inline_node_reader_agrees_with_the_generic_one() -> None:
    """Every node of every ONNX sample, and nodes with each field a NodeProto has, read inline
    (the fast path) and by the generic field loop, give the same node."""
    from onnx import helper

    from droplint.formats.onnx.proto import _Count, _node, _node_generic

    crafted = helper.make_node(
        "Dropout", ["x", "", "t"], ["y", "mask"], name="drop" * 40, domain="ai.onnx",
        doc_string="written by hand " * 20, ratio=0.25, seed=3,
    )  # fmt: skip
    crafted.overload = "v2"
    for key, value in (("pkg.torch.onnx.name_scopes", "['', 'net.drop']"), ("other", "x")):
        crafted.metadata_props.add(key=key, value=value)
    custom = helper.make_node(
        "Noise", ["x"], ["y"], domain="my.ops", doc_string="no overload", names=["a", "b"]
    )
    model = helper.make_model(helper.make_graph([crafted, custom], "g", [], []))
    models = [model.SerializeToString()]
    models += [p.read_bytes() for p in sorted(ONNX.rglob("*.onnx"))]
    checked = 0
    for data in models:
        _Count.start()  # the node budget, as a file's reading starts it
        for buf in _node_bytes(data):
            assert _node(buf, 0) == _node_generic(buf, 0)
            checked += 1
    read = _node(_node_bytes(models[0])[0], 0)
    assert (read.domain, read.overload, read.metadata) == (
        "",
        "v2",
        {"pkg.torch.onnx.name_scopes": "['', 'net.drop']"},
    )
    assert set(read.attrs) == {"ratio", "seed"} and checked > 500


def test_the_skeleton_leaves_out_weights_of_many_small_tensors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hundreds of 2 KiB weights, each read from the read-ahead block in one piece: their
    payloads stay out of the skeleton, their names, types and shapes are in it."""
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    from droplint.formats.onnx import skeleton

    inits = [helper.make_tensor(f"w{i}", TensorProto.FLOAT, [16, 32], [0.5] * 512)
             for i in range(300)]  # fmt: skip
    nodes = [helper.make_node("MatMul", ["x" if i == 0 else f"h{i}", f"w{i}"], [f"h{i + 1}"])
             for i in range(300)]  # fmt: skip
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16])
    graph = helper.make_graph(nodes, "g", [x], [x], inits)
    path = tmp_path / "weights.onnx"
    path.write_bytes(helper.make_model(graph).SerializeToString())
    monkeypatch.setattr(skeleton, "WHOLE_FILE", 0)
    with path.open("rb") as f:
        kept = skeleton.read_structure(f, path.stat().st_size)
    assert path.stat().st_size > 600_000 and len(kept) < 60_000
    assert kept.count(b"w299") == 2  # the tensor's name and the node's input
    assert analyze_file(path, ALL).to_dict()["coverage"]["trainable"] == 300
