"""The budget of one input: how much droplint reads and builds before it calls a file too large.

Every limit is checked where the work is done (the reader counting JSON containers, the graph
builders counting nodes after every expansion, ...). Crossing one is DL001 with a sentence that
names the limit and how to raise it. The defaults keep any input under a few seconds and a few
hundred MiB; `[tool.droplint.limits]` raises them.

The analysis of one input sets the budget for the readers and builders it calls (`budget()`),
so the format plug-ins need no extra argument to know it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields

from droplint.errors import UnreadableModel


@dataclass(frozen=True)
class Limits:
    nodes: int = 120_000  # graph nodes and layer calls, wrapped layers and inlined calls included
    config_mib: int = 64  # bytes of config text (JSON, protobuf message) read from one file
    json_items: int = 1_000_000  # lists and objects in a JSON config
    nesting: int = 64  # models, wrappers, subgraphs and function calls inside one another
    name_length: int = 4096  # characters of a layer or node name, enclosing models included
    rank: int = 256  # axes of one tensor shape

    @property
    def config_bytes(self) -> int:
        return self.config_mib << 20


KEYS = tuple(f.name.replace("_", "-") for f in fields(Limits))
DEFAULT = Limits()  # frozen: safe to share
_current: ContextVar[Limits] = ContextVar("droplint_limits", default=DEFAULT)


def limits() -> Limits:
    """The budget of the input being analysed."""
    return _current.get()


@contextmanager
def budget(given: Limits) -> Iterator[None]:
    token = _current.set(given)
    try:
        yield
    finally:
        _current.reset(token)


class OverLimit(UnreadableModel):
    """DL001 because a limit was crossed: the sentence is the reader's whole message."""


def over(what: str, key: str) -> OverLimit:
    """DL001 for a limit crossed: `what` says how (e.g. "the graph has more than 250,000
    nodes"), the rest how to raise it."""
    return OverLimit(
        f"{what} (limits.{key.replace('_', '-')} = {getattr(limits(), key):,}; raise it under "
        "[tool.droplint.limits] if the model is real)"
    )
