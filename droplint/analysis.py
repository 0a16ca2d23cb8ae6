"""The pipeline for one file: read -> graph -> sites -> flow -> rules."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from droplint.config import Config
from droplint.errors import UnreadableModel
from droplint.graph import Graph, Node
from droplint.read import SavedModel, read_model
from droplint.read.printable import printable
from droplint.rules import Context, Finding, run_rules
from droplint.sites import Site
from droplint.sites.flow import Flow, Semantics, analyse_flow


@dataclass
class FileReport:
    path: str
    format: str | None = None
    producer: str | None = None
    version: str | None = None
    model: str | None = None
    error: str | None = None
    layers: int = 0
    sites: list[Site] = field(default_factory=list)
    flow: Flow | None = None
    findings: list[Finding] = field(default_factory=list)
    graph: Graph | None = None
    classes: dict[str, str] = field(default_factory=dict)  # node id -> class label, detached

    def class_of(self, node_id: str) -> str:
        """A node's class as shown to people: wrappers show what they wrap, Bidirectional(LSTM)."""
        if self.graph is None:
            return self.classes.get(node_id, "?")
        return node_label(self.graph.node(node_id))

    def detached(self) -> FileReport:
        """A copy without the graph and the per-tensor chains: small enough to send between
        processes, and enough for every renderer (the class labels it needs are kept)."""
        if self.graph is None:
            return self
        named = {s.node for s in self.sites}
        named |= {c.layer for c in self.flow.coverage if c.input_rate > 0} if self.flow else set()
        flow = Flow(coverage=self.flow.coverage) if self.flow else None
        classes = {n: self.class_of(n) for n in sorted(named)}
        return replace(self, graph=None, flow=flow, classes=classes)

    def to_dict(self) -> dict[str, Any]:
        coverage = self.flow.coverage if self.flow else []
        return {
            "path": self.path,
            "format": self.format,
            "producer": {"name": self.producer, "version": self.version} if self.producer else None,
            "model": self.model,
            "error": {"code": "DL001", "message": self.error} if self.error else None,
            "layers": self.layers,
            "sites": [s.to_dict() for s in self.sites],
            "coverage": {
                "trainable": len(coverage),
                "covered": self.flow.covered() if self.flow else 0,
                "layers": [c.to_dict() for c in coverage],
            },
            "findings": [f.to_dict() for f in self.findings],
        }


def node_label(node: Node) -> str:
    if node.op in ("Bidirectional", "TimeDistributed") and node.inner:
        return f"{node.op}({node.inner[0].op})"
    return node.op


def analyze_file(path: str | Path, config: Config | None = None) -> FileReport:
    """Analyse one model file or folder. Unreadable input gives a report with `error` set."""
    try:
        saved = read_model(path)
    except UnreadableModel as exc:
        return FileReport(str(path), error=printable(str(exc)))
    return analyze_saved(saved, config)


def analyze_saved(saved: SavedModel, config: Config | None = None) -> FileReport:
    """Analyse a model's saved description (from a reader, or built in memory)."""
    config = config or Config()
    report = FileReport(saved.path, saved.format, saved.producer, saved.version)
    try:
        _analyse(saved, config, report)
    except UnreadableModel as exc:
        _fail(report, printable(str(exc)))
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        # A config value of a type no Keras writes (hand-edited or hostile): report, don't crash.
        _fail(report, f"the model config holds a value droplint cannot interpret ({exc!r:.80})")
    return report


def _analyse(saved: SavedModel, config: Config, report: FileReport) -> None:
    graph, sites, semantics = _interpret(saved)
    report.graph, report.model, report.sites = graph, graph.name, sites
    report.layers = sum(1 for n in graph.all_nodes() if n.kind != "input")
    report.flow = analyse_flow(graph, sites, semantics)
    ctx = Context(graph, sites, report.flow, semantics, config)
    report.findings = run_rules(ctx, config.enabled(saved.path))


def _fail(report: FileReport, message: str) -> None:
    report.error = message
    report.graph, report.sites, report.flow, report.findings, report.layers = None, [], None, [], 0


def _interpret(saved: SavedModel) -> tuple[Graph, list[Site], Semantics]:
    """The format's graph builder and semantics."""
    if saved.format == "onnx":
        from droplint.graph.onnx import build_onnx_graph
        from droplint.sites import onnx as os_

        graph = build_onnx_graph(saved)
        sem = Semantics(
            os_.is_transparent,
            os_.parameter_free,
            os_.is_weighted,
            os_.direct_readers,
            os_.role,
            trains=False,
        )
        return graph, os_.onnx_sites(graph), sem
    from droplint.graph.keras import build_keras_graph
    from droplint.sites import keras as ks

    graph = build_keras_graph(saved)
    sem = Semantics(
        ks.is_transparent, ks.parameter_free, ks.is_weighted, ks.recurrent_layers, ks.role
    )
    return graph, ks.keras_sites(graph), sem
