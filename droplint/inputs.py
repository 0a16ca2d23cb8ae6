"""From the paths on the command line to the model inputs to analyse.

A file given explicitly is always analysed, whatever its name. A folder that is itself a model
(an unzipped .keras folder, a tf-keras SavedModel) is one input. Any other folder is searched
recursively for model files and model folders, which are not descended into, skipping folders
that match `exclude` (default: hidden folders, virtualenvs, node_modules, __pycache__) or
`extend-exclude`, and any folder holding pyvenv.cfg (a virtualenv under any name).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from droplint.config import Config
from droplint.formats import is_model_folder, names_model_folder, suffixes


def collect(paths: list[str], config: Config) -> tuple[list[str], list[str]]:
    """The inputs, sorted and without duplicates, and the folders in which none were found."""
    found: dict[str, None] = {}
    empty: list[str] = []
    patterns = [*config.exclude, *config.extend_exclude]
    for arg in paths:
        p = Path(arg)
        if p.is_dir() and not names_model_folder(p):
            hits = list(_walk(p, patterns, config.root))
            if not hits:
                empty.append(arg)
            found.update(dict.fromkeys(hits))
        else:
            found[arg] = None
    return sorted(found, key=_sort_key), empty


def _sort_key(path: str) -> tuple[str, ...]:
    return PurePosixPath(Path(path).as_posix()).parts


def _walk(top: Path, patterns: list[str], root: Path) -> Iterator[str]:
    model_suffixes = suffixes()
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = Path(top, entry.name)
        if excluded(path, patterns, root):
            continue
        if entry.is_dir(follow_symlinks=False):
            if (path / "pyvenv.cfg").is_file():
                continue
            if is_model_folder(path):
                yield str(path)
            else:
                yield from _walk(path, patterns, root)
        elif entry.name.lower().endswith(model_suffixes) and entry.is_file():
            yield str(path)


def excluded(path: Path, patterns: list[str], root: Path) -> bool:
    """Globs match the name, or the path relative to the config's folder."""
    rel = _relative(path, root)
    globs = [g.rstrip("/") for g in patterns]
    return any(
        fnmatch.fnmatchcase(path.name, g) or fnmatch.fnmatchcase(rel, g) or _match(rel, g)
        for g in globs
        if g
    )


def _match(rel: str, glob: str) -> bool:
    return PurePosixPath(rel).match(glob) if "/" in glob else False


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return path.as_posix()
