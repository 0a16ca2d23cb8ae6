"""Text output for a person at a terminal: a dropout map per model, the findings, a summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from droplint.analysis import FileReport
from droplint.read.printable import printable
from droplint.report.json import summary
from droplint.rules import Finding
from droplint.sites import Site

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from droplint.baseline import BaselineResult

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render(
    reports: list[FileReport], console: Console, baseline: BaselineResult | None = None
) -> None:
    from rich.padding import Padding
    from rich.text import Text

    for report in reports:
        console.print(header(report), soft_wrap=True)  # a path is never broken
        if report.error:
            console.print("  [bold red]error[/] [bold]DL001[/] unreadable-model")
            console.print(Padding(Text(report.error), (0, 0, 0, 4), expand=False))
            continue
        if report.sites or _fed(report):
            console.print(_map(report))
            if any(s.masks for s in report.sites):
                console.print(
                    "[dim]masks: n/gate or 1 shared; fixed = the same mask at every step[/]"
                )
        else:
            console.print("  no dropout anywhere in this model")
        for f in report.findings:
            console.print(finding_line(f), soft_wrap=True)
            console.print(Padding(Text(f.message), (0, 0, 0, 4), expand=False))
        if report.flow:
            console.print(
                f"  dropout reaches {report.flow.covered()} of {len(report.flow.coverage)} "
                "trainable layers"
            )
        console.print()
    console.print(summary_line(reports))
    if baseline is not None:
        console.print(_baseline_line(baseline))


def header(report: FileReport) -> str:
    """The file's first line, as rich markup: names from the file are escaped, never markup."""
    from rich.markup import escape

    path = escape(printable(report.path))  # a file name, too, may hold escape sequences
    if report.error:
        return f"[bold]{path}[/]"
    return f"[bold]{path}[/] [dim]{escape(describe(report))}[/]"


def finding_line(f: Finding) -> str:
    """`  warning DL102 double-masked-rnn-input at lstm`, as rich markup."""
    from rich.markup import escape

    where = escape(f.layer or "(whole model)")
    return f"  [{STYLE[f.severity]}]{f.severity}[/] [bold]{f.code}[/] {f.name} [dim]at[/] {where}"


def describe(report: FileReport) -> str:
    """E.g. "Keras 3.15.1 keras-zip 'm', 4 layers": producer, version, format, name, size."""
    who = {"keras": "Keras", "tf-keras": "tf-keras"}.get(report.producer or "", report.producer)
    model = f" '{report.model}'" if report.model else ""
    return f"{who} {report.version or '?'} {report.format}{model}, {report.layers} layers"


def _fed(report: FileReport) -> bool:
    return bool(report.flow and any(c.input_rate for c in report.flow.coverage))


def _map(report: FileReport) -> RenderableType:
    """One row per layer that applies dropout or receives dropped-out inputs."""
    from rich.table import Table

    table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
    for column in ("layer", "class", "input", "output", "x_t / h_t-1", "masks", "eff."):
        table.add_column(
            column,
            justify="right" if column == "eff." else "left",
            no_wrap=column in ("input", "output", "x_t / h_t-1", "eff."),
            overflow="fold",
        )
    rows: dict[str, Row] = {}
    for site in report.sites:
        rows.setdefault(site.node, Row(site.node, report.class_of(site.node))).add(site)
    for cov in report.flow.coverage if report.flow else []:
        if cov.input_rate > 0:
            row = rows.setdefault(cov.layer, Row(cov.layer, report.class_of(cov.layer)))
            row.input_rate = cov.input_rate
    for row in rows.values():
        table.add_row(*row.cells())
    return table


class Row:
    """The dropout of one layer call, as table cells."""

    def __init__(self, layer: str, cls: str) -> None:
        self.layer, self.cls = layer, cls
        self.input_rate = 0.0
        self.sites: dict[str, list[Site]] = {}

    def add(self, site: Site) -> None:
        self.sites.setdefault(site.where, []).append(site)

    def cells(self) -> list[str]:
        from rich.markup import escape

        out = self.sites.get("output", []) + self.sites.get("attention", [])
        out += self.sites.get("internal", [])
        gate_in, gate_rec = self.sites.get("gate-input", []), self.sites.get("gate-recurrent", [])
        every = out + gate_in + gate_rec
        effective = [s.effective_rate for s in out + gate_in if s.effective_rate is not None]
        gates = (
            f"{_rates(gate_in) or '-'} / {_rates(gate_rec) or '-'}" if gate_in + gate_rec else ""
        )
        return [
            escape(self.layer),
            escape(self.cls),
            _rate(self.input_rate) if self.input_rate else "",
            _rates(out),
            gates,
            _masks(every),
            _rate(max(effective)) if effective else "",
        ]


def _rate(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _rates(sites: list[Site]) -> str:
    parts = []
    for s in sites:
        text = _rate(s.rate)
        parts.append(f"[dim]{text} off[/]" if s.active == "never" else text)
    return ", ".join(dict.fromkeys(parts))


def _masks(sites: list[Site]) -> str:
    words = []
    for s in sites:
        if s.where in ("gate-input", "gate-recurrent"):
            count = "?" if s.masks is None else ("1" if s.masks == 1 else f"{s.masks}/gate")
            time = {True: " fixed", False: " per-step", None: ""}[s.time_constant]
            words.append(count + time)
        elif s.where == "output":
            words.append(_output_mask(s))
        else:
            words.append(s.where)
        if s.active == "always":
            words.append("[bold]at inference![/]")
    return "; ".join(dict.fromkeys(w for w in words if w))


def _output_mask(site: Site) -> str:
    if site.noise == "gaussian":
        return "gaussian"
    if site.shared_axes is None:
        return "?"
    if site.cls.startswith("SpatialDropout"):
        return "channels"
    if site.shared_axes:
        return f"axes {','.join(map(str, site.shared_axes))} shared"
    return "per-step" if site.time_constant is False else "elementwise"


def summary_line(reports: list[FileReport]) -> str:
    s = summary(reports)
    parts = [f"{s['files']} file{'s' if s['files'] != 1 else ''}"]
    if s["unreadable"]:
        parts.append(f"[bold red]{s['unreadable']} unreadable[/]")
    for severity in ("error", "warning", "info"):
        if s[severity]:
            parts.append(
                f"[{STYLE[severity]}]{s[severity]} {severity}{'s' if s[severity] != 1 else ''}[/]"
            )
    if len(parts) == 1:
        parts.append("no findings")
    return "Found: " + ", ".join(parts)


def _baseline_line(b: BaselineResult) -> str:
    stale = (
        f", {b.stale} no longer occur{'s' if b.stale == 1 else ''} (rewrite it with "
        "--write-baseline)"
        if b.stale
        else ""
    )
    return f"Baseline: {b.matched} known finding{'s' if b.matched != 1 else ''} hidden{stale}"
