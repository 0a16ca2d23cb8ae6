"""Where text goes when no person is watching: a pipe, a CI log, pre-commit's output. rich would
lay it out for an 80-column terminal (wrapped mid-word, padded with spaces, names cut with "…");
there the text is laid out as wide as it needs and every line ends at its last character."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

UNBOUNDED = 100_000  # columns: as many as a line needs


def terminal(out: TextIO) -> bool:
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


@contextmanager
def console(out: TextIO) -> Iterator[Console]:
    """A rich console for out: the terminal's own, or one without width that writes lines with
    no trailing spaces (and no colour) when out is not a terminal."""
    from rich.console import Console

    if terminal(out):
        yield Console(file=out, highlight=False)
        return
    buffer = io.StringIO()
    yield Console(file=buffer, highlight=False, width=UNBOUNDED, color_system=None)
    for line in buffer.getvalue().splitlines():
        out.write(line.rstrip() + "\n")
