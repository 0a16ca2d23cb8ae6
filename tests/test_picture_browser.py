"""The HTML picture in headless Chromium: loads without script errors, shows every dropout layer,
answers a click with the finding and its rule page, and renders large graphs in under 3 s."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromium import find_chromium, load
from conftest import analyze

from droplint.analysis import FileReport, analyze_file
from droplint.picture.command import render

pytest.importorskip("grandalf", reason="the graph extra (grandalf) is not installed")
pytestmark = pytest.mark.skipif(
    find_chromium() is None, reason="no chromium on PATH (apt-get install chromium)"
)

RENDER_BUDGET_MS = 3000
# A click on a box: pointer down and up without moving, as the viewer expects.
CLICK = """((id) => {
  const g = document.querySelector(`g.box[data-id="${id}"]`);
  const r = g.querySelector("rect").getBoundingClientRect();
  const at = {bubbles: true, clientX: r.x + 5, clientY: r.y + 5};
  g.dispatchEvent(new PointerEvent("pointerdown", at));
  g.dispatchEvent(new PointerEvent("pointerup", at));
  const panel = document.getElementById("panel");
  panel.querySelectorAll("details").forEach((d) => (d.open = true));
  return {hidden: panel.hidden, text: panel.innerText};
})(%r)"""


# Drag the picture 1000 px to the left; count the boxes whose text is laid out, before and after.
PAN = """new Promise((resolve) => {
  const shown = () => document.querySelectorAll("g.box.shown").length;
  const before = shown();
  const at = (x) => ({bubbles: true, clientX: x, clientY: 400});
  document.getElementById("stage").dispatchEvent(new PointerEvent("pointerdown", at(1200)));
  window.dispatchEvent(new PointerEvent("pointermove", at(700)));
  window.dispatchEvent(new PointerEvent("pointermove", at(200)));
  window.dispatchEvent(new PointerEvent("pointerup", at(200)));
  setTimeout(() => resolve([before, shown()]), 400);
})"""


def page(report: FileReport, tmp_path: Path, name: str = "model.html") -> Path:
    text, _ = render(report, "html")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def dropout_layers(report: FileReport) -> set[str]:
    return {s.node for s in report.sites}


@pytest.mark.parametrize(
    "rel",
    [
        "keras3/seed2.keras",
        "keras3/nested.keras",
        "keras3/rnn_zoo.keras",
        "keras3/attention.keras",
        "tfkeras/seed2_savedmodel",
        "onnx/torch/mha_train_ts.onnx",
        "onnx/helper/dropout_in_loop.onnx",
    ],
)
def test_page_loads_without_errors_and_shows_every_dropout_layer(rel: str, tmp_path: Path) -> None:
    report = analyze(rel)
    shown = load(page(report, tmp_path))
    assert shown.errors == []
    assert "data-render-ms" in shown.body_attrs
    names = set(shown.svg_text.splitlines())
    assert dropout_layers(report) <= names, dropout_layers(report) - names


def test_a_click_shows_the_findings_and_their_rule_pages(tmp_path: Path) -> None:
    shown = load(page(analyze("keras3/seed2.keras"), tmp_path), script=CLICK % "lstm")
    assert shown.errors == []
    assert shown.value["hidden"] is False
    text = shown.value["text"]
    assert "double-masked-rnn-input" in text and "effective rate of 0.625" in text
    assert "recurrent-dropout-disables-cudnn" in text
    assert "Why is this bad?" in text  # DL102's page, opened


def test_large_onnx_graph_renders_in_time(tmp_path: Path) -> None:
    from big_models import onnx_stack

    model = tmp_path / "stack.onnx"
    assert onnx_stack(model, blocks=400) == 3600
    report = analyze_file(model)
    shown = load(page(report, tmp_path), script=PAN)
    assert shown.errors == []
    assert shown.render_ms < RENDER_BUDGET_MS, shown
    names = set(shown.svg_text.splitlines())
    assert len(dropout_layers(report)) == 400 and dropout_layers(report) <= names
    before, after = shown.value  # text is laid out for the boxes in view, more as one pans
    assert 0 < before < after < 1200


def test_efficientnet_b0_renders_in_time(tmp_path: Path) -> None:
    pytest.importorskip("keras", reason="EfficientNetB0 is built with keras, not installed here")
    from big_models import efficientnet_b0

    report = analyze_file(efficientnet_b0(tmp_path / "efficientnetb0.keras"))
    assert report.error is None and report.layers > 200
    shown = load(page(report, tmp_path))
    assert shown.errors == []
    assert shown.render_ms < RENDER_BUDGET_MS, shown
    names = set(shown.svg_text.splitlines())
    assert len(dropout_layers(report)) == 10 and dropout_layers(report) <= names
