"""The pipeline for one input: read -> graph -> sites -> flow -> rules, by its format's plug-in.

An input that cannot be read is DL001 (the reader's sentence). Any other exception is droplint's
own bug: the report says so (`internal`), the run goes on, and the command exits 3.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from droplint.config import Config
from droplint.errors import NothingToLint, UnreadableModel
from droplint.formats import interpret, read_model
from droplint.graph import Graph, Node
from droplint.limits import budget
from droplint.read import SavedModel
from droplint.read.printable import printable
from droplint.read.remote import counting, is_url
from droplint.rules import Context, Finding, run_rules
from droplint.sites import Site
from droplint.sites.flow import Flow, analyse_flow
from droplint.sites.model import dropout_settings

INTERNAL = "internal-error"  # the error code of a droplint bug, in JSON and CI formats
DEBUG_ENV = "DROPLINT_DEBUG"  # set (or --debug): internal errors come with their traceback


@dataclass
class FileReport:
    path: str
    format: str | None = None
    producer: str | None = None
    version: str | None = None
    model: str | None = None
    error: str | None = None  # DL001 (or error_code): why the input cannot be read
    error_code: str = "DL001"
    skipped: str | None = None  # not a model, or its input error ignored: why nothing is linted
    location: str | None = None  # the file CI formats point at (a model folder's own file)
    internal: str | None = None  # a droplint bug met on this input: the exception, in one line
    layers: int = 0
    sites: list[Site] = field(default_factory=list)
    flow: Flow | None = None
    findings: list[Finding] = field(default_factory=list)
    graph: Graph | None = None
    classes: dict[str, str] = field(default_factory=dict)  # node id -> class label, detached
    split: dict[str, str] = field(default_factory=dict)  # layer -> class, rows of their own
    trace: str = field(default="", repr=False)  # the internal error's traceback
    fetched: int | None = None  # bytes fetched from a remote store (a URL input)
    size: int | None = None  # ... and the size of its file, when it is one file

    @property
    def failed(self) -> bool:
        """No analysis: unreadable, skipped, or droplint failed on it."""
        return self.error is not None or self.internal is not None or self.skipped is not None

    def class_of(self, node_id: str) -> str:
        """A node's class as shown to people: wrappers show what they wrap, Bidirectional(LSTM)."""
        if self.graph is None:
            return self.classes.get(node_id, "?")
        return node_label(self.graph.node(node_id))

    def row_of(self, site: Site) -> tuple[str, str]:
        """The map's row for a site, (name, class): the layer call that applies it; each
        direction of a Bidirectional whose directions are different layers has its own."""
        if self.graph is None:
            if site.layer in self.split:
                return site.layer, self.split[site.layer]
            return site.node, self.class_of(site.node)
        node = self.graph.node(site.node)
        if split_directions(node):
            inner = next((n for n in node.walk() if n.id == site.layer), None)
            if inner is not None and inner is not node:
                return site.layer, inner.op
        return site.node, node_label(node)

    def detached(self, keep_graph: bool = False) -> FileReport:
        """A copy without the graph and the per-tensor chains: small enough to send between
        processes, and enough for every renderer but the tree (keep_graph: for that one)."""
        if self.graph is None or keep_graph:
            return self
        named = {s.node for s in self.sites}
        if self.flow:
            named |= {c.layer for c in self.flow.coverage if c.input_rate > 0 or c.input_unknown}
        unseen = [replace(u, node=None) for u in self.flow.unseen] if self.flow else []
        flow = Flow(coverage=self.flow.coverage, unseen=unseen) if self.flow else None
        classes = {n: self.class_of(n) for n in sorted(named)}
        split = {s.layer: cls for s in self.sites for name, cls in [self.row_of(s)]
                 if name != s.node}  # fmt: skip
        return replace(self, graph=None, flow=flow, classes=classes, split=split)

    def to_dict(self) -> dict[str, Any]:
        coverage = self.flow.coverage if self.flow else []
        return {
            "path": self.path,
            "format": self.format,
            "producer": {"name": self.producer, "version": self.version} if self.producer else None,
            "model": self.model,
            "error": self._error_dict(),
            **({"skipped": self.skipped} if self.skipped else {}),
            "layers": self.layers,
            "sites": [s.to_dict() for s in self.sites],
            "coverage": {
                "trainable": len(coverage),
                "covered": self.flow.covered() if self.flow else 0,
                "uncertain": self.flow.uncertain() if self.flow else 0,
                "layers": [c.to_dict() for c in coverage],
                "unseen": [u.to_dict() for u in self.flow.unseen] if self.flow else [],
            },
            "findings": [f.to_dict() for f in self.findings],
            **({"remote": {"bytes_read": self.fetched, "size": self.size}}
               if self.fetched is not None else {}),
        }  # fmt: skip

    def _error_dict(self) -> dict[str, str] | None:
        if self.internal is not None:
            return {"code": INTERNAL, "message": internal_message(self.internal)}
        return {"code": self.error_code, "message": self.error} if self.error else None


def internal_message(exception: str) -> str:
    return (
        f"droplint failed on this input ({exception}): a bug in droplint, not in the model. "
        f"Please report it with the file if you can; --debug (or {DEBUG_ENV}=1) shows the "
        "traceback."
    )


def split_directions(node: Node) -> bool:
    """A Bidirectional whose two directions are different layers (its own backward_layer):
    they are shown apart."""
    if node.op != "Bidirectional" or len(node.inner) != 2:
        return False
    forward, backward = node.inner
    return forward.op != backward.op or dropout_settings(forward.attrs) != dropout_settings(
        backward.attrs
    )


def node_label(node: Node) -> str:
    if node.label:
        return node.label
    if node.op in ("Bidirectional", "TimeDistributed") and node.inner:
        return f"{node.op}({node.inner[0].op})"
    return node.op


def analyze_file(path: str | Path, config: Config | None = None) -> FileReport:
    """Analyse one model file or folder. Unreadable input gives a report with `error` set (or
    `skipped`, when its code is ignored for the file); a file that is no model, `skipped`."""
    config = config or Config()
    fetched = counting() if is_url(str(path)) else None
    report = _analyze_path(path, config)
    if fetched is not None:
        report.fetched, report.size = fetched.bytes, fetched.size
    return report


def _analyze_path(path: str | Path, config: Config) -> FileReport:
    try:
        with budget(config.limits):
            saved = read_model(path)
    except NothingToLint as exc:
        return FileReport(str(path), skipped=printable(str(exc)))
    except UnreadableModel as exc:
        return unreadable(str(path), exc, config)
    except Exception as exc:  # a reader's bug: the run goes on
        return mark_internal(FileReport(str(path)), exc)
    return analyze_saved(saved, config)


def unreadable(path: str, exc: UnreadableModel, config: Config) -> FileReport:
    """DL001 or its kin; when the file's configuration ignores that code, a skipped input."""
    message = printable(str(exc))
    if exc.code not in config.enabled(path):
        return FileReport(path, skipped=f"{exc.code} ignored: {message}")
    return FileReport(path, error=message, error_code=exc.code)


def analyze_saved(saved: SavedModel, config: Config | None = None) -> FileReport:
    """Analyse a model's saved description (from a reader, or built in memory)."""
    config = config or Config()
    report = FileReport(saved.path, saved.format, saved.producer, saved.version)
    report.location = saved.location
    try:
        with budget(config.limits):
            _analyse(saved, config, report)
    except UnreadableModel as exc:
        failed = unreadable(saved.path, exc, config)
        _clear(report)
        report.error, report.error_code, report.skipped = (
            failed.error, failed.error_code, failed.skipped
        )  # fmt: skip
    except Exception as exc:
        mark_internal(_clear(report), exc)
    return report


def _analyse(saved: SavedModel, config: Config, report: FileReport) -> None:
    model = interpret(saved)
    graph = model.graph
    report.graph, report.model, report.sites = graph, graph.name, model.sites
    report.layers = graph.layer_count()
    report.flow = analyse_flow(graph, model.sites, model.semantics)
    ctx = Context(graph, model.sites, report.flow, model.semantics, config.options)
    report.findings = run_rules(ctx, config.enabled(saved.path), config.severity)


def _clear(report: FileReport) -> FileReport:
    report.graph, report.sites, report.flow, report.findings, report.layers = None, [], None, [], 0
    return report


def mark_internal(report: FileReport, exc: Exception) -> FileReport:
    """report as droplint's own failure on its input: the exception in one line, its
    traceback kept for --debug."""
    report.internal = printable(f"{type(exc).__name__}: {exc}"[:200])
    report.trace = traceback.format_exc()
    return report


def debugging() -> bool:
    return bool(os.environ.get(DEBUG_ENV))
