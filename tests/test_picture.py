"""`droplint graph` and `--tree` without a browser: the scene, collapsing, SVG, HTML, the tree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import analyze, run, sample

from droplint.picture import command
from droplint.picture.html import render_html
from droplint.picture.layout import MissingLayout
from droplint.picture.scene import build_scene
from droplint.picture.svg import draw
from droplint.wording import TIMES

pytest.importorskip("grandalf", reason="the graph extra (grandalf) is not installed")

SVG = "{http://www.w3.org/2000/svg}"
MASK = f"B{TIMES}10{TIMES}16"  # the seed's Dropout mask, with multiplication signs


def lines(box) -> list[str]:
    return [ln.text for ln in box.lines]


def test_seed_scene_marks_sites_masks_rates_and_findings() -> None:
    scene = build_scene(analyze("keras3/seed2.keras"))
    assert list(scene.boxes) == ["tokens", "embedding", "dropout", "lstm", "dense"]
    drop, lstm = scene.boxes["dropout"], scene.boxes["lstm"]
    assert drop.kind == "site"
    assert lines(drop) == ["rate 0.25", f"  mask {MASK}, new each step"]
    assert lines(lstm) == [
        "x_t 0.5 → eff. 0.625",
        "  4 masks (1/gate), fixed in time",
        "h_t-1 0.5",
        "  4 masks (1/gate), fixed in time",
    ]
    assert [f.code for f in lstm.findings] == ["DL102", "DL401"]
    assert [f.code for f in drop.findings] == ["DL204"]
    assert scene.boxes["dense"].output
    (carrying,) = [k for k in scene.links if k.chain]
    assert (carrying.src, carrying.dst, carrying.rate) == ("dropout", "lstm", 0.25)


def test_compounded_rate_is_written_on_the_edge_it_reaches() -> None:
    scene = build_scene(analyze("keras3/nested.keras"))
    labels = {(k.src, k.dst): k.label for k in scene.links if k.label}
    assert labels == {
        ("flatten", "block/block_dense"): "eff. 0.3",
        ("after_block", "head"): "eff. 0.28 (2 in series)",
    }
    assert lines(scene.boxes["inner/td_drop"])[0] == "td_drop_inner rate 0.3"


def test_wrapped_and_stacked_cells_show_each_mask() -> None:
    scene = build_scene(analyze("keras3/rnn_zoo.keras"))
    assert lines(scene.boxes["bidi"])[::2] == ["forward_lstm x_t 0.25", "backward_lstm x_t 0.25"]
    assert lines(scene.boxes["stacked"]) == [
        "cell_a x_t 0.1",
        "  1 shared mask, fixed in time",
        "cell_b h_t-1 0.2",
        "  3 masks (1/gate), fixed in time",
    ]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from big_models import onnx_stack

    path = tmp_path_factory.mktemp("big") / "stack.onnx"
    onnx_stack(path, blocks=30)
    return path


def test_collapsing_keeps_every_dropout_and_every_layer(stack: Path) -> None:
    from droplint.analysis import analyze_file

    report = analyze_file(stack)
    scene = build_scene(report)
    members = [m.id for b in scene.boxes.values() for m in b.members]
    assert sorted(members) == sorted(n.id for n in report.graph.nodes.values())
    assert len(members) == len(set(members))
    drops = [b for b in scene.boxes.values() if b.kind == "site"]
    assert len(drops) == 30 and all(b.title.endswith("/drop/Dropout") for b in drops)
    # the input; per block a group, the Dropout, fc2 (which it reaches); a last group, the output
    assert len(scene.boxes) == 1 + 3 * 30 + 2
    order = {b: i for i, b in enumerate(scene.boxes)}
    assert all(order[k.src] < order[k.dst] for k in scene.links)
    expanded = build_scene(report, collapse_runs=False)
    assert len(expanded.boxes) == len(report.graph.nodes)


def test_findings_sit_on_the_boxes_they_anchor(stack: Path) -> None:
    from droplint.analysis import analyze_file

    report = analyze_file(stack)
    scene = build_scene(report)
    shown = [(f.code, b.id) for b in scene.boxes.values() for f in b.findings]
    expected = [(f.code, f.layer) for f in report.findings if f.layer]
    assert sorted(shown) == sorted(expected)
    assert [b.severity for b in scene.boxes.values() if b.id == "/blocks.0/drop/Dropout"] == [
        "error"
    ]


def test_svg_is_well_formed_and_names_every_dropout_layer() -> None:
    report = analyze("keras3/nested.keras")
    svg = draw(build_scene(report)).svg
    root = ET.fromstring(svg.split("\n", 1)[1])
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {s.node for s in report.sites} <= texts
    titled = [g for g in root.iter(f"{SVG}g") if "box" in g.get("class", "").split()]
    assert len(titled) == len(build_scene(report).boxes)
    assert all(g.find(f"{SVG}title") is not None for g in titled)


def test_top_down_layout_stacks_the_layers() -> None:
    drawing = draw(build_scene(analyze("keras3/seed2.keras")), "TB")
    ys = [drawing.layout.boxes[b].y for b in ("tokens", "embedding", "dropout", "lstm", "dense")]
    assert ys == sorted(ys) and len(set(ys)) == 5


def test_html_is_self_contained_and_escapes_the_model_text() -> None:
    scene = build_scene(analyze("keras3/seed2.keras"))
    evil = "</script><img src=x onerror=alert(1)>"
    scene.boxes["lstm"].title = evil
    page = render_html(scene)
    assert evil not in page
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page  # in the SVG
    assert "\\u003c/script\\u003e" in page  # in the JSON data
    lowered = page.lower()
    for remote in ("<script src", "<link", "@import", "url(http", 'href="http', "fetch("):
        assert remote not in lowered
    assert "double-masked-rnn-input" in page and "Why is this bad?" in page  # the rule page


def test_graph_command_writes_html_and_svg(tmp_path: Path) -> None:
    for name in ("seed2.html", "seed2.svg"):
        proc = run("graph", str(sample("keras3/seed2.keras")), "-o", str(tmp_path / name))
        assert proc.returncode == 0, proc.stderr
        assert "wrote" in proc.stderr and (tmp_path / name).stat().st_size > 5000
    assert (tmp_path / "seed2.svg").read_text().startswith("<?xml")
    assert (tmp_path / "seed2.html").read_text().startswith("<!doctype html>")


def test_graph_command_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    proc = run("graph", str(sample("keras3/seed2.keras")), "-o", str(tmp_path / "x.png"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and ".svg" in proc.stderr
    proc = run("graph", str(sample("broken/empty.keras")), "-o", str(tmp_path / "x.svg"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr


def test_graph_without_the_extra_names_it(monkeypatch, tmp_path: Path, capsys) -> None:
    def missing() -> None:
        raise MissingLayout("No module named 'grandalf'")

    monkeypatch.setattr("droplint.picture.layout.require", missing)
    code = command.run_graph(str(sample("keras3/seed2.keras")), str(tmp_path / "x.html"))
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "droplint[graph]" in err
    assert not (tmp_path / "x.html").exists()


def test_tree_on_the_seed_model() -> None:
    proc = run(str(sample("keras3/seed2.keras")), "--tree")
    assert proc.returncode == 1, proc.stderr
    out = [line.rstrip() for line in proc.stdout.splitlines()]
    assert out[1:9] == [
        "  tokens  InputLayer (B,10)",
        "  embedding  Embedding (B,10,16)",
        "  dropout  Dropout (B,10,16)  DL204",
        f"    rate 0.25 · mask {MASK}, new each step",
        "  lstm  LSTM (B,32)  DL102  DL401",
        "    x_t 0.5 → eff. 0.625 · 4 masks (1/gate), fixed in time",
        "    h_t-1 0.5 · 4 masks (1/gate), fixed in time",
        "  dense  Dense (B,1)  → output",
    ]
    assert "  warning DL102 double-masked-rnn-input at lstm" in out
    assert out[-1] == "Found: 1 file, 2 warnings, 1 info"


def test_tree_nests_side_branches_and_names_joins() -> None:
    proc = run(str(sample("keras3/rnn_zoo.keras")), "--tree", "--fail-on", "never")
    assert proc.returncode == 0, proc.stderr
    out = "\n".join(line.rstrip() for line in proc.stdout.splitlines())
    assert "  seq  InputLayer (B,12,6)\n  └── lstm_nord  LSTM (B,4)" in out
    assert "  concat  Concatenate (B,8)  (also from lstm_nord)" in out


def test_tree_through_the_typer_command() -> None:
    from typer.testing import CliRunner

    from droplint.cli import app

    result = CliRunner().invoke(app, ["check", str(sample("keras3/nested.keras")), "--tree"])
    assert result.exit_code == 1
    assert "head  Dense (B,1)  → output  ← eff. 0.28 (2 in series)" in result.output


def test_tree_with_json_needs_an_output_file() -> None:
    proc = run(str(sample("keras3/seed2.keras")), "--tree", "--format", "json")
    assert proc.returncode == 2 and "--tree" in proc.stderr


def test_a_long_path_does_not_wrap_the_header(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 90)
    deep.mkdir()
    model = deep / "seed2.keras"
    model.write_bytes(sample("keras3/seed2.keras").read_bytes())
    for extra in (["--tree"], []):
        out = run(str(model), *extra).stdout.splitlines()
        assert out[0].startswith(str(model)) and out[0].rstrip().endswith("4 layers")


def test_tree_draws_from_the_analysis_it_has(monkeypatch, capsys) -> None:
    """One read per file: the tree is drawn from the reports the run made, never by reading
    the model again."""
    from droplint import analysis
    from droplint.run import CheckOptions, run_check

    reads: list[str] = []
    real = analysis.read_model
    monkeypatch.setattr(analysis, "read_model", lambda path: reads.append(path) or real(path))
    paths = [str(sample("keras3/seed2.keras")), str(sample("keras3/rnn_zoo.keras"))]
    assert run_check(CheckOptions(paths=paths, tree=True, jobs=1)) == 1
    assert sorted(reads) == sorted(paths)
    assert "lstm  LSTM (B,32)" in capsys.readouterr().out


def test_rate_zero_is_not_called_dropout_at_inference() -> None:
    """fixed_rates, exported in train mode: Dropout(0.0) 'keep' changes nothing at inference,
    Dropout(1.0) 'zero' zeroes everything: only the second is marked."""
    scene = build_scene(analyze("torch/fixed_rates_train.pt2"))
    assert "at inference" not in lines(scene.boxes["keep"])[0]
    assert lines(scene.boxes["zero"])[0].endswith("at inference!")
