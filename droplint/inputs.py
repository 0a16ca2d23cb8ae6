"""From the paths on the command line to the model inputs to analyse.

A file given explicitly is analysed whatever its name, unless `force-exclude` is set and an
exclude pattern matches it or a folder above it (ruff's meaning; the pre-commit hook sets it). A
model folder's own file (config.json, keras_metadata.pb, saved_model.pb) stands for its folder,
which is analysed once however many of its files are named. A folder that is itself a model (an
unzipped .keras folder, a tf-keras SavedModel) is one input. Any other folder is searched
recursively for model files and model folders, which are not descended into, skipping folders
that match `exclude` (default: hidden folders, virtualenvs, node_modules, __pycache__) or
`extend-exclude`, any folder holding pyvenv.cfg (a virtualenv under any name), and, inside a git
repository, what git ignores (.gitignore files, .git/info/exclude) unless `respect-gitignore` is
false. Each folder follows the configuration nearest to it. A URL (s3://bucket/prefix/,
https://host/model.onnx, a glob) is listed by its store: the model files and model folders
below it; it follows the configuration of the current folder.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from droplint.config import Config, Settings
from droplint.formats import (
    folder_markers,
    is_model_folder,
    model_folder_of,
    names_model_folder,
    suffixes,
)
from droplint.read.remote import expand, is_url


def collect(paths: list[str], config: Config | Settings) -> tuple[list[str], list[str]]:
    """The inputs, sorted and without duplicates, and the folders in which none were found."""
    settings = Settings.of(config)
    found: dict[str, None] = {}
    empty: list[str] = []
    for arg in paths:
        if is_url(arg):  # a remote file, folder or glob: listed by its store
            hits = expand(arg, suffixes(), folder_markers())
            if not hits:
                empty.append(arg)
            found.update(dict.fromkeys(hits))
            continue
        p = Path(arg)
        if p.is_dir() and not names_model_folder(p):
            hits = list(_walk(p, settings, _git(p, settings.for_path(arg))))
            if not hits:
                empty.append(arg)
            found.update(dict.fromkeys(hits))
        elif not _forced_out(p, settings.for_path(arg)):
            folder = model_folder_of(p)
            found[str(folder) if folder is not None else arg] = None
    return sorted(found, key=_sort_key), empty


def _sort_key(path: str) -> tuple[str, ...]:
    return PurePosixPath(Path(path).as_posix()).parts


def _walk(top: Path, settings: Settings, git: GitIgnore | None) -> Iterator[str]:
    model_suffixes = suffixes()
    config = settings.for_path(str(top))
    patterns = [*config.exclude, *config.extend_exclude]
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except OSError:  # a folder droplint may not list: an input whose report says why
        yield str(top)
        return
    for entry in entries:
        path = Path(top, entry.name)
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            if excluded(path, patterns, config.root) or (git and git.ignored(path, is_dir)):
                continue
            if is_dir:
                if (path / "pyvenv.cfg").is_file():
                    continue
                if is_model_folder(path):
                    yield str(path)
                else:
                    yield from _walk(path, settings, git)
            elif entry.name.lower().endswith(model_suffixes) and entry.is_file():
                yield str(path)
        except OSError:  # no permission to look at it: reported as an input, the search goes on
            yield str(path)


def _forced_out(path: Path, config: Config) -> bool:
    """force-exclude: a named file whose own name, or a folder above it, is excluded."""
    if not config.force_exclude:
        return False
    patterns = [*config.exclude, *config.extend_exclude]
    here = Path(os.path.abspath(path))
    root = Path(os.path.abspath(config.root))
    inside = [p for p in here.parents if root in p.parents]  # the folders below the root
    return any(excluded(p, patterns, root) for p in (here, *inside))


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


def _git(top: Path, config: Config) -> GitIgnore | None:
    if not config.respect_gitignore:
        return None
    root = repository_root(top)
    return GitIgnore(root) if root is not None else None


def repository_root(start: Path) -> Path | None:
    """The git work tree holding start (the folder with .git), or None."""
    here = Path(os.path.abspath(start))
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None


class GitIgnore:
    """What git ignores in one work tree: the .gitignore of every folder from the root down to
    a path (a deeper file's patterns win, `!` re-includes), and .git/info/exclude. A folder it
    ignores is not searched, as git does not look inside it either."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.specs: dict[Path, Any] = {}

    def ignored(self, path: Path, is_dir: bool) -> bool:
        here = Path(os.path.abspath(path))
        for folder in here.parents:  # deepest first: its patterns take precedence
            spec = self._spec(folder)
            if spec is not None:
                rel = here.relative_to(folder).as_posix() + ("/" if is_dir else "")
                include = spec.check_file(rel).include
                if include is not None:
                    return bool(include)
            if folder == self.root:
                break
        return False

    def _spec(self, folder: Path) -> Any:
        if folder not in self.specs:
            lines = _lines(folder / ".gitignore")
            if folder == self.root:
                lines = _lines(folder / ".git" / "info" / "exclude") + lines
            self.specs[folder] = _compile(lines) if lines else None
        return self.specs[folder]


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _compile(lines: list[str]) -> Any:
    from pathspec import GitIgnoreSpec  # only folder searches in a repository with ignores

    return GitIgnoreSpec.from_lines(lines)
