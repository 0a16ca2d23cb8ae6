"""Legacy HDF5 files (.h5 / .hdf5) from Keras 1, 2 and 3: the config is a root attribute."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from droplint.errors import NothingToLint, UnreadableModel
from droplint.formats.keras.saved import model_config, producer_of
from droplint.read import SavedModel, parse_json
from droplint.read.printable import printable


def read_hdf5(path: Path) -> SavedModel:
    import h5py  # only HDF5 files pay for h5py and numpy

    try:
        with h5py.File(path, "r") as f:
            attrs = f.attrs
            if "model_config" not in attrs:
                _weights_only(f)
                raise UnreadableModel(
                    "an HDF5 file without a model_config attribute, and not Keras weights "
                    "either: no Keras model in it"
                )
            raw = attrs["model_config"]
            version = _text(attrs.get("keras_version"))
    except (UnreadableModel, NothingToLint):
        raise
    except Exception as exc:  # h5py raises OSError, KeyError, RuntimeError... on damaged files
        raise UnreadableModel(f"a damaged or truncated HDF5 file ({_reason(exc)})") from exc
    if not isinstance(raw, (str, bytes)):
        raise UnreadableModel("the HDF5 model_config attribute is not text")
    config = model_config(parse_json(raw, "the HDF5 model_config attribute"), "model_config")
    return SavedModel(str(path), "keras-h5", producer_of(version), version, config)


def _weights_only(f: Any) -> None:
    """Keras weights without the architecture: tf-keras / Keras 2 save_weights (root attribute
    layer_names), Keras 3 save_weights and weights checkpoints (.weights.h5: groups layers and
    vars), the model.weights.h5 of an unzipped .keras folder."""
    if "layer_names" in f.attrs or {"layers", "vars"} <= set(f.keys()):
        raise NothingToLint(
            "Keras weights only, no architecture: nothing to lint (droplint reads what "
            "model.save writes)"
        )


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return printable(value) if isinstance(value, str) else None


def _reason(exc: Exception) -> str:
    return str(exc).split("\n")[0][:120] or type(exc).__name__
