"""Readers: from a file's bytes to a model's saved config, without running anything in it.

Each reader returns a `SavedModel`: the JSON config as saved, the format, and who wrote it.
The format is recognised by content (magic bytes, folder contents), not by the extension.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from droplint.errors import UnreadableModel
from droplint.read.printable import printable_json

MAX_CONFIG_BYTES = 64 * 1024 * 1024
"""Largest model config droplint reads (JSON text); larger ones are refused with DL001."""

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass(frozen=True)
class SavedModel:
    """A model's saved description, before any interpretation."""

    path: str
    format: str  # keras-h5 | keras-zip | keras-dir | keras-savedmodel | onnx
    producer: str  # keras | tf-keras | <exporter>
    version: str | None
    config: Any  # Keras: the JSON config {"class_name": ..., "config": ...}; ONNX: an OnnxModel


def read_model(path: str | Path) -> SavedModel:
    """Read the model at path, or raise UnreadableModel with one plain sentence."""
    p = Path(path)
    if p.is_dir():
        return _read_dir(p)
    if not p.exists():
        raise UnreadableModel("no such file or folder")
    head = _head(p)
    if _is_hdf5(p, head):
        from droplint.read.hdf5 import read_hdf5

        return read_hdf5(p)
    if head.startswith(ZIP_MAGICS):
        from droplint.read.keras_zip import read_keras_zip

        return read_keras_zip(p)
    if not head:
        raise UnreadableModel("the file is empty")
    from droplint.read.onnx import looks_like_onnx, read_onnx

    if looks_like_onnx(head) or p.suffix.lower() == ".onnx":
        return read_onnx(p)
    raise UnreadableModel(
        "not a Keras (.h5, .keras, SavedModel) or ONNX model: content not recognised"
    )


def _read_dir(p: Path) -> SavedModel:
    if (p / "config.json").is_file():
        from droplint.read.keras_zip import read_keras_dir

        return read_keras_dir(p)
    if (p / "keras_metadata.pb").is_file():
        from droplint.read.savedmodel import read_savedmodel

        return read_savedmodel(p)
    if (p / "saved_model.pb").is_file():
        raise UnreadableModel(
            "a TensorFlow SavedModel without keras_metadata.pb (e.g. from Keras 3 model.export()) "
            "keeps no layer config"
        )
    raise UnreadableModel("a folder that holds no config.json or keras_metadata.pb")


def _head(p: Path) -> bytes:
    try:
        with p.open("rb") as f:
            return f.read(8)
    except OSError as exc:
        raise UnreadableModel(f"cannot open the file: {exc.strerror or exc}") from exc


def _is_hdf5(p: Path, head: bytes) -> bool:
    if head == HDF5_MAGIC:
        return True
    # HDF5 allows a user block before the superblock, at 512, 1024, 2048, ... bytes.
    with p.open("rb") as f:
        for offset in (512, 1024, 2048, 4096):
            f.seek(offset)
            if f.read(8) == HDF5_MAGIC:
                return True
    return False


def parse_json(text: str | bytes, what: str) -> Any:
    """Parse JSON from a model file; any failure is a DL001 sentence naming `what`."""
    if len(text) > MAX_CONFIG_BYTES:
        raise UnreadableModel(f"{what} is larger than the {MAX_CONFIG_BYTES >> 20} MiB limit")
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return printable_json(text, json.loads(text))
    except RecursionError as exc:
        raise UnreadableModel(f"{what} is nested too deeply") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnreadableModel(f"{what} is not valid JSON ({_short(exc)})") from exc


def _short(exc: Exception) -> str:
    return str(exc).split("\n")[0][:120]


def producer_of(version: str | None) -> str:
    """Which Keras wrote a file, from its keras_version string.

    2.x from 2.4 on, and any '-tf' version, is tf.keras / tf-keras; standalone Keras 2.0-2.3,
    Keras 1 and Keras 3 are 'keras'.
    """
    if not version:
        return "keras"
    if version.endswith("-tf"):
        return "tf-keras"
    parts = version.split(".")
    if parts[0] == "2" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) >= 4:
        return "tf-keras"
    return "keras"


def model_config(obj: Any, what: str) -> dict[str, Any]:
    """Check that obj looks like a saved Keras layer config: {"class_name": str, "config": ...}."""
    if not isinstance(obj, dict) or not isinstance(obj.get("class_name"), str):
        raise UnreadableModel(f"{what} is not a Keras model config (no class_name)")
    return obj
