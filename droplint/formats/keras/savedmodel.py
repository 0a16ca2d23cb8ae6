"""TF2 SavedModel folders written by tf-keras: the Keras config lives in keras_metadata.pb.

keras_metadata.pb is a SavedMetadata message (tf_keras/protobuf/saved_metadata.proto):
field 1 = repeated SavedObject {2: node_id, 3: node_path, 4: identifier, 5: metadata JSON}.
The root object ("root") carries the whole model config and keras_version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from droplint.errors import UnreadableModel
from droplint.formats.keras.saved import model_config, producer_of
from droplint.read import MAX_CONFIG_BYTES, SavedModel, parse_json
from droplint.read.protowire import LEN, fields, text


def read_savedmodel(path: Path) -> SavedModel:
    meta_file = path / "keras_metadata.pb"
    if meta_file.stat().st_size > MAX_CONFIG_BYTES:
        raise UnreadableModel(
            f"keras_metadata.pb is larger than the {MAX_CONFIG_BYTES >> 20} MiB limit"
        )
    root = _root_metadata(memoryview(meta_file.read_bytes()))
    meta = parse_json(root, "the root object's metadata in keras_metadata.pb")
    if not isinstance(meta, dict):
        raise UnreadableModel("the root object's metadata in keras_metadata.pb is not an object")
    config = meta.get("model_config") or {k: meta[k] for k in ("class_name", "config") if k in meta}
    version = meta.get("keras_version") if isinstance(meta.get("keras_version"), str) else None
    try:
        cfg = model_config(untuple(config), "keras_metadata.pb")
    except RecursionError as exc:
        raise UnreadableModel("keras_metadata.pb is nested too deeply") from exc
    return SavedModel(
        str(path), "keras-savedmodel", producer_of(version) if version else "tf-keras", version, cfg
    )


def _root_metadata(buf: memoryview) -> str:
    for number, wire, value in fields(buf):
        if number != 1 or wire != LEN:
            continue
        path, metadata = _saved_object(value)  # type: ignore[arg-type]
        if path == "root":
            return metadata
    raise UnreadableModel("keras_metadata.pb has no root object")


def _saved_object(buf: memoryview) -> tuple[str, str]:
    path, metadata = "", ""
    for number, wire, value in fields(buf):
        if wire != LEN:
            continue
        if number == 3:
            path = text(value)
        elif number == 5:
            metadata = text(value)
    return path, metadata


def untuple(value: Any) -> Any:
    """SavedModel metadata writes tuples as {"class_name": "__tuple__", "items": [...]}."""
    if isinstance(value, dict):
        if value.get("class_name") == "__tuple__" and isinstance(value.get("items"), list):
            return [untuple(v) for v in value["items"]]
        return {k: untuple(v) for k, v in value.items()}
    if isinstance(value, list):
        return [untuple(v) for v in value]
    return value
