"""What a format plug-in is: everything droplint needs to know to read one kind of model file.

A plug-in is one package under droplint/formats with a `FORMAT` object of this class in its
`__init__`. That module must stay cheap to import (the command imports every plug-in's `__init__`
at start-up): the reader, graph builder and semantics are imported inside the methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from droplint.graph import Graph
    from droplint.read import SavedModel
    from droplint.read.probe import Probe
    from droplint.sites import Semantics, Site


@dataclass
class Interpretation:
    """A model as droplint understands it: the neutral graph, its dropout sites, and the format's
    answers to the questions flow analysis and rules ask."""

    graph: Graph
    sites: list[Site]
    semantics: Semantics


class Format:
    """Base class of the plug-ins; the defaults describe a format that recognises nothing."""

    name: str = ""
    title: str = ""  # in sentences: "not a Keras (.h5, .keras, SavedModel) or ONNX model"
    # format label -> what droplint reads in it (the README's formats table is checked against it)
    labels: dict[str, str] = {}  # noqa: RUF012  (read-only class data)
    suffixes: tuple[str, ...] = ()  # file suffixes a folder search picks up (lower case)
    # A searched folder is one model when it holds every file of one of these sets.
    folder_markers: tuple[tuple[str, ...], ...] = ()
    # A folder named on the command line is read as a model when it holds any of these.
    folder_files: tuple[str, ...] = ()
    # file suffix -> modules a worker process imports ahead, so each file does not pay for them
    preload: dict[str, tuple[str, ...]] = {}  # noqa: RUF012

    def recognises(self, probe: Probe) -> bool:
        """The content at probe is this format's (a folder, or a file by its first bytes)."""
        return False

    def folder_of(self, probe: Probe) -> Path | None:
        """The model folder a file named on its own belongs to (its config.json, ...), if any:
        that folder is the input."""
        return None

    def read(self, probe: Probe) -> SavedModel:
        """Read what the model saved, or raise UnreadableModel with one plain sentence."""
        raise NotImplementedError

    def interpret(self, saved: SavedModel) -> Interpretation:
        """Build the graph, find the dropout sites; UnreadableModel for a malformed model."""
        raise NotImplementedError

    def from_memory(self, obj: Any) -> SavedModel | None:
        """A model object in memory described as its saved file would be, or None if it is not
        one of this format's objects. Never runs the model."""
        return None
