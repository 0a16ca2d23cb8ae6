"""droplint's reading of each ONNX sample against what samples/make_onnx_samples.py measured
with onnxruntime when it wrote the sample (samples/onnx/measurements.json): whether the outputs
are random, and which dropout nodes onnxruntime's default optimizer leaves in the graph.
Runs without onnxruntime (tests/oracle/test_onnx_oracle.py measures again where it is)."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES

from droplint.analysis import analyze_file
from droplint.enums import Active

MEASURED = json.loads((SAMPLES / "onnx/measurements.json").read_text(encoding="utf-8"))["files"]
RUN = {rel: m for rel, m in MEASURED.items() if m.get("runs")}
DELETED = "default graph optimizer deletes it"


def test_the_measurements_cover_the_samples() -> None:
    on_disk = {p.relative_to(SAMPLES / "onnx").as_posix() for p in SAMPLES.glob("onnx/*/*.onnx")}
    assert set(MEASURED) - {rel for rel, m in MEASURED.items() if "error" in m} == on_disk
    assert len(RUN) >= 30


@pytest.mark.parametrize("rel", sorted(RUN))
def test_random_outputs_where_droplint_says_a_site_drops(rel: str) -> None:
    report = analyze_file(SAMPLES / "onnx" / rel)
    assert report.error is None, report.error
    actives = {s.active for s in report.sites}
    runs = [run for run in RUN[rel]["runs"] if run["level"] == "disable_all"]
    seen = {run["outputs_differ"] for run in runs}
    if seen == {True, False}:  # what the caller feeds decides: droplint must say so
        branch = any("gives different outputs" in f.message and " in which " in f.message
                     for f in report.findings)  # fmt: skip
        assert Active.UNKNOWN in actives or branch, (runs, actives)
    for run in runs:
        if not run["feed"] and seen == {run["outputs_differ"]}:  # the file alone decides
            said = Active.ALWAYS in actives
            if run["outputs_differ"] and not said:  # only where droplint says it cannot tell
                assert report.flow.unseen, (run, actives)
            else:
                assert run["outputs_differ"] == said, (run, actives)
        elif run["outputs_differ"]:  # a graph input decides: droplint may not say "never"
            assert actives & {Active.ALWAYS, Active.UNKNOWN}, (run, actives)


@pytest.mark.parametrize("rel", sorted(RUN))
def test_onnxruntime_optimizer_claims(rel: str) -> None:
    """DL501 says whether onnxruntime's default optimizer deletes an always-on Dropout: as many
    of them are left in the optimized graph the maker saved as droplint says are kept (by
    count: onnxruntime gives the nodes of inlined functions one shared name)."""
    report = analyze_file(SAMPLES / "onnx" / rel)
    left = RUN[rel].get("random_ops_after_default_optimization", {}).get("Dropout", [])
    claims = [f for f in report.findings if f.code == "DL501" and _dropout(report, f.layer)]
    ours = [n for n in left if any(_same(n, f.layer) for f in claims)]
    kept = [f for f in claims if DELETED not in f.message]
    assert len(ours) == len(kept), ([f.message for f in claims], left)


def _dropout(report, layer: str) -> bool:
    return any(s.layer == layer and s.cls == "Dropout" for s in report.sites)


def _same(name: str, layer: str) -> bool:
    """onnxruntime's name for the node droplint calls layer (inlined: `_inlfunc_F_<name>`)."""
    own = layer.rsplit("/", 1)[-1] if "/" in layer and not layer.startswith("/") else layer
    return name in (layer, own) or name.endswith("_" + own)
