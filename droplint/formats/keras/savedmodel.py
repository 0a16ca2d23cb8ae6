"""TF2 SavedModel folders written by tf-keras: the Keras config lives in keras_metadata.pb.

keras_metadata.pb is a SavedMetadata message (tf_keras/protobuf/saved_metadata.proto):
field 1 = repeated SavedObject {2: node_id, 3: node_path, 4: identifier, 5: metadata JSON}.
The root object ("root") carries the whole model config and keras_version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from droplint.errors import UnreadableModel
from droplint.formats.keras.saved import model_config, producer_of
from droplint.limits import limits
from droplint.read import SavedModel, parse_json, read_capped
from droplint.read.protostream import Span, scan
from droplint.read.protowire import LEN, fields, text


def read_savedmodel(path: Path) -> SavedModel:
    with (path / "keras_metadata.pb").open("rb") as f:
        root = _root_metadata(memoryview(read_capped(f, "keras_metadata.pb")))
    return _saved(path, root, "the root object's metadata in keras_metadata.pb")


def _saved(path: Path, root: str, what: str) -> SavedModel:
    """The model config and Keras version from a root object's metadata JSON."""
    meta = parse_json(root, what)
    if not isinstance(meta, dict):
        raise UnreadableModel(f"{what} is not an object")
    config = meta.get("model_config") or {k: meta[k] for k in ("class_name", "config") if k in meta}
    version = meta.get("keras_version") if isinstance(meta.get("keras_version"), str) else None
    try:
        cfg = model_config(untuple(config), what)
    except RecursionError as exc:
        raise UnreadableModel(f"{what} is nested too deeply") from exc
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


# -- SavedModels from tf.keras <= 2.4: no keras_metadata.pb -----------------------------------

SAVED_MODEL_FIELDS = (2, 7, 1)  # SavedModel.meta_graphs -> object_graph_def -> nodes
USER_OBJECT, METADATA = 4, 3  # SavedObject.user_object -> SavedUserObject.metadata


def read_object_graph(path: Path) -> SavedModel:
    """A SavedModel written by tf.keras 2.0-2.4 keeps each Keras object's metadata in the
    object graph of saved_model.pb (SavedUserObject.metadata, deprecated since); the root
    object's is the same JSON as keras_metadata.pb's root. Only that path through the file is
    read: the graph's functions and constants are skipped by seeking."""
    pb = path / "saved_model.pb"
    try:
        with pb.open("rb") as f:
            root = _root_user_metadata(f, Span(0, pb.stat().st_size))
    except OSError as exc:
        raise UnreadableModel(f"cannot read saved_model.pb: {exc.strerror or exc}") from exc
    if not root:
        raise UnreadableModel(
            "a TensorFlow SavedModel without Keras layer configs (no keras_metadata.pb, and "
            "its object graph has no Keras metadata: e.g. Keras 3 model.export() or "
            "tf.saved_model.save)"
        )
    return _saved(path, root, "the root object's metadata in saved_model.pb")


def _root_user_metadata(f: BinaryIO, file: Span) -> str:
    meta_graph = _first(f, file, SAVED_MODEL_FIELDS[0])
    graph = _first(f, meta_graph, SAVED_MODEL_FIELDS[1]) if meta_graph else None
    root = _first(f, graph, SAVED_MODEL_FIELDS[2]) if graph else None  # node 0 is the root
    user = _first(f, root, USER_OBJECT) if root else None
    metadata = _first(f, user, METADATA) if user else None
    if metadata is None:
        return ""
    data = metadata.read(f, limits().config_bytes, "the root object's metadata in saved_model.pb")
    return text(memoryview(data))


def _first(f: BinaryIO, span: Span, number: int) -> Span | None:
    for n, wire, value in scan(f, span):
        if n == number and wire == LEN and isinstance(value, Span):
            return value
    return None
