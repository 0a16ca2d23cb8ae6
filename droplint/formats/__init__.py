"""The format registry: every input format droplint reads is one plug-in package listed here.

Everything that depends on the set of formats — recognising and reading a path, the suffixes and
model folders a folder search picks up, what worker processes preload, the pre-commit hook's
file pattern and the README's formats table (both checked by tests) — comes from FORMATS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from droplint.errors import LfsPointer, UnreadableModel
from droplint.formats import keras, onnx, torch
from droplint.formats.plugin import Format, Interpretation
from droplint.read import SavedModel
from droplint.read.probe import Probe
from droplint.read.remote import RemotePath, is_url

# Tried in this order: a torch archive is a zip that Keras would otherwise claim.
FORMATS: tuple[Format, ...] = (torch.FORMAT, keras.FORMAT, onnx.FORMAT)

__all__ = ["FORMATS", "Format", "Interpretation", "interpret", "read_model"]


def read_model(path: str | Path) -> SavedModel:
    """Read the model at path, or raise UnreadableModel with one plain sentence."""
    try:
        probe = Probe(RemotePath(str(path)) if is_url(str(path)) else Path(path))
        _not_fetched(probe)
        for fmt in FORMATS:
            if fmt.recognises(probe):
                return fmt.read(probe)
    except OSError as exc:  # a folder without permission, a file that vanished meanwhile, ...
        raise UnreadableModel(f"cannot read it: {exc.strerror or exc}") from exc
    if probe.is_dir:
        raise UnreadableModel(f"a folder without a model file ({_or(folder_files())})")
    if not probe.head:
        raise UnreadableModel("the file is empty")
    kinds = _or(fmt.title for fmt in FORMATS)
    raise UnreadableModel(f"not a {kinds} model: content not recognised")


def _not_fetched(probe: Probe) -> None:
    """A Git LFS pointer in place of the file (or of a model folder's own file)."""
    names = folder_files() if probe.is_dir else ()
    members = [Probe(probe.path / name) for name in names if probe.has(name)]
    for p in [probe, *members]:
        if p.is_lfs_pointer():
            where = f"{p.path.name} is" if p is not probe else "this is"
            raise LfsPointer(
                f"{where} a Git LFS pointer, not the model: fetch it with `git lfs pull` "
                "(in GitHub Actions, `lfs: true` on actions/checkout)"
            )


def interpret(saved: SavedModel) -> Interpretation:
    return plugin_of(saved.format).interpret(saved)


def from_memory(obj: Any) -> SavedModel | None:
    for fmt in FORMATS:
        saved = fmt.from_memory(obj)
        if saved is not None:
            return saved
    return None


def plugin_of(label: str) -> Format:
    for fmt in FORMATS:
        if label in fmt.labels:
            return fmt
    raise KeyError(f"no format plug-in declares the format {label!r}")


def suffixes() -> tuple[str, ...]:
    return tuple(s for fmt in FORMATS for s in fmt.suffixes)


def folder_files() -> tuple[str, ...]:
    return tuple(name for fmt in FORMATS for name in fmt.folder_files)


def folder_markers() -> tuple[tuple[str, ...], ...]:
    """The sets of files that make a folder one model (each format's)."""
    return tuple(tuple(m) for fmt in FORMATS for m in fmt.folder_markers)


def is_model_folder(path: Path) -> bool:
    """A folder met while searching that is one model (not searched further)."""
    return any(all((path / name).is_file() for name in marker) for marker in folder_markers())


def model_folder_of(path: Path) -> Path | None:
    """The model folder whose own file path is (its config.json, saved_model.pb, ...)."""
    try:
        probe = Probe(path)
        if probe.is_dir:
            return None
        return next((f for fmt in FORMATS if (f := fmt.folder_of(probe)) is not None), None)
    except (UnreadableModel, OSError):  # the path's own report will say what is wrong
        return None


def names_model_folder(path: Path) -> bool:
    """A folder named on the command line is read as a model if it looks like one at all."""
    return any((path / name).is_file() for name in folder_files())


def hook_pattern() -> str:
    """The pre-commit hook's `files` pattern: model files by suffix and the own files of model
    folders by name, any case (the folder search is case-blind too)."""
    import re

    ends = "|".join(s.lstrip(".") for s in suffixes())
    names = "|".join(re.escape(n) for n in folder_files())
    return rf"(?i)(\.({ends})|(^|/)({names}))$"


def preload(paths: list[str]) -> list[str]:
    """Modules worth importing once in a worker server for these inputs."""
    modules: dict[str, None] = {}
    for fmt in FORMATS:
        for suffix, names in fmt.preload.items():
            if any(p.lower().endswith(suffix) for p in paths):
                modules.update(dict.fromkeys(names))
    return list(modules)


def _or(items: Any) -> str:
    """'a, b or c'."""
    items = list(items)
    return f"{', '.join(items[:-1])} or {items[-1]}" if len(items) > 1 else "".join(items)
