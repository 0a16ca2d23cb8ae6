"""Keras 3 / tf-keras '.keras' archives, and the same files unzipped into a folder."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from droplint.errors import UnreadableModel
from droplint.formats.keras.saved import model_config, producer_of
from droplint.read import SavedModel, parse_json, read_capped
from droplint.read.probe import source


def read_keras_zip(path: Path) -> SavedModel:
    try:
        with zipfile.ZipFile(source(path)) as zf:
            names = set(zf.namelist())
            if "config.json" not in names:
                raise UnreadableModel("a zip archive without config.json (not a .keras model)")
            config = _member(zf, "config.json")
            meta = _member(zf, "metadata.json") if "metadata.json" in names else None
    except UnreadableModel:
        raise
    except RuntimeError as exc:  # zipfile's word for an encrypted member
        raise UnreadableModel(f"an encrypted zip archive ({exc}): no .keras file is") from exc
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise UnreadableModel(f"a damaged or truncated zip archive ({exc})") from exc
    return _saved(path, "keras-zip", config, meta)


def read_keras_dir(path: Path) -> SavedModel:
    """An unzipped .keras folder, or a keras_hub preset: config.json holds its backbone, and
    task.json, when the preset was saved from a task, the whole task (the backbone inside)."""
    task = path / "task.json"
    config = _file(task if task.is_file() else path / "config.json")
    meta_path = path / "metadata.json"
    meta = _file(meta_path) if meta_path.is_file() else None
    return _saved(path, "keras-dir", config, meta)


def _member(zf: zipfile.ZipFile, name: str) -> bytes:
    with zf.open(name) as f:
        return read_capped(f, name)


def _file(path: Path) -> bytes:
    with path.open("rb") as f:
        return read_capped(f, path.name)


def _saved(path: Path, fmt: str, config: bytes, meta: bytes | None) -> SavedModel:
    data = parse_json(meta, "metadata.json") if meta is not None else None
    version = _text(data, "keras_version")
    libraries = {
        lib: value for lib in LIBRARIES if (value := _text(data, f"{lib}_version")) is not None
    }
    cfg = model_config(parse_json(config, "config.json"), "config.json")
    return SavedModel(str(path), fmt, producer_of(version), version, cfg, libraries)


LIBRARIES = ("keras_hub", "keras_nlp")  # whose versions a preset's metadata.json records


def _text(meta: Any, key: str) -> str | None:
    value = meta.get(key) if isinstance(meta, dict) else None
    return value if isinstance(value, str) else None
