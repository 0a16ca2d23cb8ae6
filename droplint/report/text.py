"""Text output for a person at a terminal: a dropout map per model, the findings, a summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from droplint.analysis import INTERNAL, FileReport, internal_message
from droplint.enums import Active, Severity, Where
from droplint.read.printable import printable
from droplint.report import Run
from droplint.report.json import summary
from droplint.report.plain import console
from droplint.rules import RULES, Finding
from droplint.sites import Site
from droplint.sites.flow import Unseen
from droplint.wording import gate_count, model_line, output_mask, plural, rate_text, size_text

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from droplint.baseline import BaselineResult

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
COLUMNS = ("layer", "class", "input", "output", "x_t / h_t-1", "masks", "eff.")
MOST_NAMED = 4  # unseen layers named one by one
MASKS_LEGEND = "masks: n/gate or 1 shared; fixed = the same mask at every step"


def render(run: Run, out: TextIO) -> None:
    with console(out) as con:
        if run.quiet:
            findings_only(con, run.reports)
            return
        for report in run.reports:
            _report(con, report)
        con.print(summary_line(run.reports))
        if run.baseline is not None:
            con.print(baseline_line(run.baseline))


def findings_only(con: Console, reports: list[FileReport]) -> None:
    """--quiet: the files with something to say, and what; nothing else."""
    for report in reports:
        if report.findings or report.error or report.internal:
            con.print(header(report), soft_wrap=True)
            if not failure(con, report):
                for f in report.findings:
                    con.print(finding_line(f), soft_wrap=True)
                    con.print(message(f.message))


def _report(con: Console, report: FileReport) -> None:
    con.print(header(report), soft_wrap=True)  # a path is never broken
    if failure(con, report):
        return
    if report.sites or _fed(report):
        con.print(_map(report))
        if any(s.masks for s in report.sites):
            con.print(f"[dim]{MASKS_LEGEND}[/]")
    elif report.flow and report.flow.unseen:
        con.print("  no dropout droplint can see")
    else:
        con.print("  no dropout anywhere in this model")
    for f in report.findings:
        con.print(finding_line(f), soft_wrap=True)
        con.print(message(f.message))
    if report.flow:
        con.print(coverage_line(report))
        if report.flow.unseen:
            con.print(message(unseen_line(report)))
    con.print()


def failure(con: Console, report: FileReport) -> bool:
    """Print why a report has no analysis (unreadable, or droplint failed); False if it has one."""
    if report.internal:
        con.print(f"  [bold red]error[/] [bold]{INTERNAL}[/]")
        con.print(message(internal_message(report.internal)))
    elif report.error:
        name = RULES[report.error_code].name
        con.print(f"  [bold red]error[/] [bold]{report.error_code}[/] {name}")
        con.print(message(report.error))
    elif report.skipped:
        con.print(message(f"skipped: {report.skipped}"))
    return report.failed


def message(text: str) -> RenderableType:
    """A finding's or an error's sentences, indented under it (plain text, never markup)."""
    from rich.padding import Padding
    from rich.text import Text

    return Padding(Text(text), (0, 0, 0, 4), expand=False)


def header(report: FileReport) -> str:
    """The file's first line, as rich markup: names from the file are escaped, never markup."""
    from rich.markup import escape

    path = escape(printable(report.path))  # a file name, too, may hold escape sequences
    fetched = f" [dim]({fetched_text(report)})[/]" if report.fetched is not None else ""
    if report.failed:
        return f"[bold]{path}[/]{fetched}"
    return f"[bold]{path}[/] [dim]{escape(describe(report))}[/]{fetched}"


def fetched_text(report: FileReport) -> str:
    """What reading a URL cost: "read 48.0 KiB of 1.0 GiB"."""
    of = f" of {size_text(report.size)}" if report.size is not None else ""
    return f"read {size_text(report.fetched or 0)}{of}"


def describe(report: FileReport) -> str:
    """E.g. "Keras 3.15.1 keras-zip 'm', 4 layers"."""
    return model_line(report.producer, report.version, report.format, report.model, report.layers)


def finding_line(f: Finding) -> str:
    """`  warning DL102 double-masked-rnn-input at lstm`, as rich markup."""
    from rich.markup import escape

    where = escape(f.layer or "(whole model)")
    return f"  [{STYLE[f.severity]}]{f.severity}[/] [bold]{f.code}[/] {f.name} [dim]at[/] {where}"


def coverage_line(report: FileReport) -> str:
    assert report.flow is not None
    trainable = plural(len(report.flow.coverage), "trainable layer")
    line = f"  dropout reaches {report.flow.covered()} of {trainable}"
    uncertain = report.flow.uncertain()
    if uncertain:
        line += f" (droplint cannot tell for {uncertain})"
    return line


def unseen_line(report: FileReport) -> str:
    """The layers droplint cannot see into, as plain text (names come from the file)."""
    assert report.flow is not None
    unseen = report.flow.unseen
    named = [f"'{u.layer}' ({u.cls}{_unseen_detail(u)})" for u in unseen[:MOST_NAMED]]
    more = f" and {len(unseen) - MOST_NAMED} more" if len(unseen) > MOST_NAMED else ""
    return (
        f"droplint cannot see into {plural(len(unseen), 'layer')}, which may apply dropout: "
        f"{', '.join(named)}{more}"
    )


def _unseen_detail(u: Unseen) -> str:
    settings = ", ".join(f"{k}={v}" for k, v in u.settings.items())
    return (f", {settings}" if settings else "") + (", carries code" if u.code else "")


def _fed(report: FileReport) -> bool:
    return bool(report.flow and any(c.input_rate for c in report.flow.coverage))


def _map(report: FileReport) -> RenderableType:
    """One row per layer that applies dropout or receives dropped-out inputs."""
    from rich.table import Table

    table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
    for column in COLUMNS:
        table.add_column(
            column,
            justify="right" if column == "eff." else "left",
            no_wrap=column in ("input", "output", "x_t / h_t-1", "eff."),
            overflow="fold",
        )
    for row in rows(report):
        table.add_row(*row.cells())
    return table


def rows(report: FileReport) -> list[Row]:
    """The map's rows: layers that apply dropout, then layers that only receive it."""
    found: dict[str, Row] = {}
    for site in report.sites:
        name, cls = report.row_of(site)
        found.setdefault(name, Row(name, cls)).add(site)
    for cov in report.flow.coverage if report.flow else []:
        if cov.input_rate > 0 or cov.input_unknown:
            row = found.setdefault(cov.layer, Row(cov.layer, report.class_of(cov.layer)))
            row.input_rate, row.input_unknown = cov.input_rate, cov.input_unknown
    return list(found.values())


class Row:
    """The dropout of one layer call, as table cells."""

    def __init__(self, layer: str, cls: str) -> None:
        self.layer, self.cls = layer, cls
        self.input_rate = 0.0
        self.input_unknown = False  # more may reach it than droplint can see
        self.sites: dict[Where, list[Site]] = {}

    def add(self, site: Site) -> None:
        self.sites.setdefault(site.where, []).append(site)

    def cells(self) -> list[str]:
        from rich.markup import escape

        get = self.sites.get
        out = get(Where.OUTPUT, []) + get(Where.ATTENTION, []) + get(Where.INTERNAL, [])
        gate_in, gate_rec = get(Where.GATE_INPUT, []), get(Where.GATE_RECURRENT, [])
        effective = [s.effective_rate for s in out + gate_in]
        gates = (
            f"{_rates(gate_in) or '-'} / {_rates(gate_rec) or '-'}" if gate_in + gate_rec else ""
        )
        return [
            escape(self.layer),
            escape(self.cls),
            self._input(),
            _rates(out),
            gates,
            _masks(out + gate_in + gate_rec),
            _highest(effective),
        ]

    def _input(self) -> str:
        if not self.input_unknown:
            return rate_text(self.input_rate) if self.input_rate else ""
        return f"≥{rate_text(self.input_rate)}" if self.input_rate else "?"


def _highest(rates: list[float | None]) -> str:
    """The highest rate, '?' when one is unknown, '' for none."""
    if not rates:
        return ""
    return "?" if None in rates else rate_text(max(r for r in rates if r is not None))


def _rates(sites: list[Site]) -> str:
    parts = []
    for s in sites:
        text = rate_text(s.rate)
        parts.append(f"[dim]{text} off[/]" if s.active == Active.NEVER else text)
    return ", ".join(dict.fromkeys(parts))


def _masks(sites: list[Site]) -> str:
    words = []
    for s in sites:
        if s.where.gate:
            words.append(gate_count(s))
        elif s.where == Where.OUTPUT:
            words.append(output_mask(s))
        else:
            words.append(s.where)
        if s.active == Active.ALWAYS and s.rate != 0:  # rate 0 drops nothing, ever
            words.append("[bold]at inference![/]")
    return "; ".join(dict.fromkeys(w for w in words if w))


def summary_line(reports: list[FileReport]) -> str:
    s = summary(reports)
    parts = [plural(s["files"], "file")]
    if s["unreadable"]:
        parts.append(f"[bold red]{s['unreadable']} unreadable[/]")
    if s.get("internal"):
        parts.append(f"[bold red]{plural(s['internal'], 'internal error')}[/]")
    if s.get("skipped"):
        parts.append(f"{s['skipped']} skipped")
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        if s[severity]:
            parts.append(f"[{STYLE[severity]}]{plural(s[severity], severity)}[/]")
    if len(parts) == 1:
        parts.append("no findings")
    return "Found: " + ", ".join(parts)


def baseline_line(b: BaselineResult) -> str:
    stale = (
        f", {b.stale} no longer occur{'s' if b.stale == 1 else ''} (rewrite it with "
        "--write-baseline)"
        if b.stale
        else ""
    )
    return f"Baseline: {plural(b.matched, 'known finding')} hidden{stale}"
