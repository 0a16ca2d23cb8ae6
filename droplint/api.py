"""The Python API: `droplint.analyze(path_or_model, config=None)`.

An in-memory model is read the way saving it would write it, never run: a Keras model through
its framework's own serialize_keras_object (or {"class_name", "config": get_config()}), with the
version of the framework that is already imported (found through the model's class, never
imported here); an onnx.ModelProto through SerializeToString() and droplint's own reader.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from droplint.analysis import FileReport, analyze_file, analyze_saved
from droplint.config import Config, from_table
from droplint.errors import UnreadableModel
from droplint.read import SavedModel, model_config, producer_of

Report = FileReport
KERAS_PACKAGES = ("keras", "tf_keras")


def analyze(path_or_model: Any, config: Config | dict[str, Any] | None = None) -> Report:
    """Analyse a model file or folder, an in-memory Keras model or an onnx.ModelProto.

    config: a Config, a dict shaped like the [tool.droplint] table, or None for the defaults
    (no config file is looked up). Returns the per-file report: `.sites`, `.findings`,
    `.error` (DL001, or None) and `.to_dict()`, one entry of the JSON output's "files".
    """
    settings = _settings(config)
    if isinstance(path_or_model, (str, Path)):
        return analyze_file(path_or_model, settings)
    try:
        saved = _in_memory(path_or_model)
    except UnreadableModel as exc:
        return FileReport("<memory>", error=str(exc))
    return analyze_saved(saved, settings)


def _settings(config: Config | dict[str, Any] | None) -> Config:
    if config is None:
        return Config()
    if isinstance(config, Config):
        return config
    if isinstance(config, dict):
        return from_table(config, where="config")
    raise TypeError(f"config must be a droplint Config or a dict, not {type(config).__name__}")


def _in_memory(model: Any) -> SavedModel:
    if callable(getattr(model, "SerializeToString", None)):
        from droplint.read.onnx import read_onnx_bytes

        return read_onnx_bytes(model.SerializeToString())
    if callable(getattr(model, "get_config", None)):
        return _keras(model)
    raise TypeError(
        "analyze() takes a path, a Keras model (with get_config()) or an onnx.ModelProto, "
        f"not {type(model).__name__}"
    )


def _keras(model: Any) -> SavedModel:
    package = _framework(model)
    version = getattr(package, "__version__", None) if package else None
    try:
        config = _serialize(model, package)
    except Exception as exc:  # a model's own get_config() may raise anything
        raise UnreadableModel(f"the model's config cannot be read: {exc}") from exc
    tf_keras = package is not None and package.__name__ == "tf_keras"
    producer = "tf-keras" if tf_keras else producer_of(version)
    name = getattr(model, "name", None)
    path = f"<{name if isinstance(name, str) else 'memory'}>"
    return SavedModel(path, "keras-object", producer, version, model_config(config, "model"))


def _framework(model: Any) -> Any:
    """The Keras package (keras or tf_keras) the model's class comes from, if imported."""
    for cls in type(model).__mro__:
        top = cls.__module__.split(".")[0]
        if top in KERAS_PACKAGES and top in sys.modules:
            return sys.modules[top]
    return None


def _serialize(model: Any, package: Any) -> Any:
    """The config as a saved file holds it: JSON, so tuples become lists as they do there."""
    saving = getattr(package, "saving", None) if package else None
    serialize = getattr(saving, "serialize_keras_object", None)
    if serialize is not None:
        config = serialize(model)
    else:
        config = {"class_name": type(model).__name__, "config": model.get_config()}
    return json.loads(json.dumps(config, default=_plain))


def _plain(obj: Any) -> Any:
    """What Keras's JSON encoder writes for the non-JSON values a config may hold."""
    for method in ("tolist", "as_list"):  # numpy arrays and scalars, TensorShape
        if callable(getattr(obj, method, None)):
            return getattr(obj, method)()
    if isinstance(obj, bytes):
        return obj.decode("utf-8", "replace")
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=repr)
    if callable(getattr(obj, "get_config", None)):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    name = getattr(obj, "name", None)  # dtypes
    return name if isinstance(name, str) else repr(obj)
