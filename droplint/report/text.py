"""Text output for a person at a terminal: a dropout map per model, the findings, a summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from droplint.analysis import FileReport
from droplint.report.json import summary
from droplint.sites import Site

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
WHERE_COLUMN = {"output": 2, "gate-input": 3, "gate-recurrent": 4, "attention": 2, "internal": 2}


def render(reports: list[FileReport], console: Console) -> None:
    for report in reports:
        console.print(_header(report))
        if report.error:
            console.print(f"  [bold red]DL001[/] unreadable-model: {report.error}")
            continue
        if report.sites or _fed(report):
            console.print(_map(report))
        else:
            console.print("  no dropout anywhere in this model")
        for f in report.findings:
            console.print(
                f"  [{STYLE[f.severity]}]{f.severity}[/] [bold]{f.code}[/] {f.name} "
                f"[dim]at[/] {f.layer}\n    {f.message}",
                highlight=False,
            )
        if report.flow:
            console.print(
                f"  dropout reaches {report.flow.covered()} of {len(report.flow.coverage)} "
                "trainable layers"
            )
        console.print()
    console.print(_summary_line(reports))


def _header(report: FileReport) -> str:
    if report.error:
        return f"[bold]{report.path}[/]"
    who = {"keras": "Keras", "tf-keras": "tf-keras"}.get(report.producer or "", report.producer)
    model = f" · model '{report.model}'" if report.model else ""
    return (
        f"[bold]{report.path}[/] [dim]{report.format} · {who} {report.version or '?'}"
        f"{model} · {report.layers} layers[/]"
    )


def _fed(report: FileReport) -> bool:
    return bool(report.flow and any(c.input_rate for c in report.flow.coverage))


def _map(report: FileReport) -> RenderableType:
    from rich.table import Table

    table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
    for column in ("layer", "class", "output / attention", "x_t (gate input)",
                   "h_t-1 (recurrent)", "input from dropout", "effective"):  # fmt: skip
        table.add_column(column)
    fed = {c.layer: c.input_rate for c in report.flow.coverage} if report.flow else {}
    rows: dict[str, list[str]] = {}
    for site in report.sites:
        row = rows.setdefault(site.layer, [site.layer, site.cls, "", "", "", "", ""])
        row[WHERE_COLUMN[site.where]] = _site_cell(site)
        if site.effective_rate is not None and site.where != "gate-recurrent":
            row[6] = f"{site.effective_rate:g}"
    for layer, rate in fed.items():
        if rate > 0:
            row = rows.setdefault(layer, [layer, report.graph.node(layer).op if report.graph else "",
                                          "", "", "", "", ""])  # fmt: skip
            row[5] = f"{rate:g}"
    for row in rows.values():
        table.add_row(*row)
    return table


def _site_cell(site: Site) -> str:
    rate = "?" if site.rate is None else f"{site.rate:g}"
    if site.active == "never":
        return f"[dim]{rate} (inactive)[/]"
    masks = f", {site.masks} mask{'s' if site.masks != 1 else ''}" if site.masks else ""
    time = ""
    if site.time_constant is not None:
        time = ", time-constant" if site.time_constant else ", new per timestep"
    flag = " [bold]at inference[/]" if site.active == "always" else ""
    kind = "" if site.where != "attention" else "attention "
    return f"{kind}{rate}{masks}{time}{flag}"


def _summary_line(reports: list[FileReport]) -> str:
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
