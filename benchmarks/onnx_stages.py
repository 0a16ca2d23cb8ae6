"""droplint's stages on one ONNX model, timed in this process: `python onnx_stages.py MODEL`
prints {"import": s, "read": s, "graph": s, "sites": s, "flow": s, "rules": s, "json": s}. The
garbage collector is off, as in the droplint command. Used by onnx_nodes.py."""

from __future__ import annotations

import gc
import io
import json
import sys
import time


def main(path: str) -> dict[str, float]:
    gc.disable()
    times: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[name] = now - clock
        clock = now

    from droplint.analysis import FileReport
    from droplint.config import Config
    from droplint.formats import read_model
    from droplint.formats.onnx import graph_of
    from droplint.formats.onnx.semantics import OnnxSemantics
    from droplint.formats.onnx.sites import onnx_sites
    from droplint.limits import Limits, budget
    from droplint.report import Run, render
    from droplint.rules import Context, run_rules
    from droplint.sites.flow import analyse_flow

    config = Config(limits=Limits(nodes=5_000_000))
    lap("import")
    with budget(config.limits):
        saved = read_model(path)
        lap("read")
        graph = graph_of(saved)
        lap("graph")
        sites, semantics = onnx_sites(graph), OnnxSemantics(graph)
        lap("sites")
        flow = analyse_flow(graph, sites, semantics)
        lap("flow")
        context = Context(graph, sites, flow, semantics, {})
        found = run_rules(context, config.enabled(path), {})
        lap("rules")
    report = FileReport(path, saved.format, saved.producer, saved.version)
    report.graph, report.sites, report.flow, report.findings = graph, sites, flow, found
    render("json", Run([report.detached()]), io.StringIO())
    lap("json")
    return times


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
