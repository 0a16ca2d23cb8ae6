"""A Keras model in memory, described the way saving it would write it, never run: through its
framework's own serialize_keras_object (or {"class_name", "config": get_config()}), with the
version of the framework that is already imported (found through the model's class, never
imported here)."""

from __future__ import annotations

import json
import sys
from typing import Any

from droplint.errors import UnreadableModel
from droplint.formats.keras.saved import model_config, producer_of
from droplint.read import SavedModel

KERAS_PACKAGES = ("keras", "tf_keras")


def saved_from_object(model: Any) -> SavedModel:
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
