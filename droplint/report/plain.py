"""Where text goes when no person is watching: a pipe, a CI log, pre-commit's output. rich would
lay it out for an 80-column terminal (wrapped mid-word, padded with spaces, names cut with "…");
there the text is laid out as wide as it needs and every line ends at its last character.

It is also written without rich's layout engine, which costs about a millisecond per finding:
strings lose their markup, indented text is indented, tables are aligned by hand, and anything
else (a tree) is laid out by rich at an unbounded width.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console

UNBOUNDED = 100_000  # columns: as many as a line needs


def terminal(out: TextIO) -> bool:
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


@contextmanager
def console(out: TextIO) -> Iterator[Console | PlainConsole]:
    """A rich console for a terminal, or a plain one for anything else."""
    if terminal(out):
        from rich.console import Console

        yield Console(file=out, highlight=False)
    else:
        yield PlainConsole(out)


class PlainConsole:
    """The part of rich's Console the reports use, writing plain lines."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def print(self, *objects: Any, soft_wrap: bool = False) -> None:
        del soft_wrap  # nothing is ever wrapped here
        if not objects:
            self.out.write("\n")
        for obj in objects:
            for line in lines(obj):
                self.out.write(line.rstrip() + "\n")


def lines(obj: Any) -> list[str]:
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    if isinstance(obj, str):
        return plain(obj).split("\n")
    if isinstance(obj, Text):
        return obj.plain.split("\n")
    if isinstance(obj, Padding) and isinstance(obj.renderable, (str, Text)):
        pad = " " * obj.left
        return [pad + line if line else line for line in lines(obj.renderable)]
    if isinstance(obj, Table):
        return _table(obj)
    return _by_rich(obj)


def plain(markup: str) -> str:
    """A rich markup string as its text."""
    if "[" not in markup:
        return markup
    from rich.text import Text

    return Text.from_markup(markup).plain


def _table(table: Any) -> list[str]:
    """Columns as wide as their widest cell, one space apart (as the reports' tables)."""
    columns = table.columns
    cells = [[_cell(c.header) for c in columns]] if table.show_header else []
    rows = max((len(c._cells) for c in columns), default=0)
    cells += [[_cell(c._cells[i]) for c in columns] for i in range(rows)]
    widths = [max((len(row[i]) for row in cells), default=0) for i in range(len(columns))]
    gap = " " * max(table.padding[1] + table.padding[3], 1) if table.padding else " "
    out = []
    for row in cells:
        parts = [
            text.rjust(width) if column.justify == "right" else text.ljust(width)
            for text, width, column in zip(row, widths, columns, strict=True)
        ]
        out.append(gap.join(parts))
    return out


def _cell(value: Any) -> str:
    from rich.text import Text

    if isinstance(value, Text):
        return value.plain
    return plain(str(value)) if value is not None else ""


def _by_rich(obj: Any) -> list[str]:
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, highlight=False, width=UNBOUNDED, color_system=None).print(obj)
    return buffer.getvalue().splitlines()
