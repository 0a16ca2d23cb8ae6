"""Legacy HDF5 files (.h5 / .hdf5) from Keras 1, 2 and 3: the config is a root attribute."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from droplint.errors import NothingToLint, UnreadableModel
from droplint.formats.keras.saved import model_config, producer_of
from droplint.limits import limits, over
from droplint.read import SavedModel, parse_json
from droplint.read.printable import printable
from droplint.read.probe import source


def read_hdf5(path: Path) -> SavedModel:
    import h5py  # only HDF5 files pay for h5py and numpy

    try:
        with h5py.File(source(path), "r") as f:
            _root_attributes_bounded(f)
            attrs = f.attrs
            if "model_config" not in attrs:
                _weights_only(f)
                raise UnreadableModel(
                    "an HDF5 file without a model_config attribute, and not Keras weights "
                    "either: no Keras model in it"
                )
            _text_of_bounded_size(attrs, "model_config")
            raw = attrs["model_config"]
            version = _text(attrs.get("keras_version"))
    except (UnreadableModel, NothingToLint):
        raise
    except BlockingIOError as exc:  # HDF5's file lock: a writer has the file open
        raise UnreadableModel(
            "the file is locked by another process (a program is writing it): lint it when "
            "that is done"
        ) from exc
    except Exception as exc:  # h5py raises OSError, KeyError, RuntimeError... on damaged files
        raise UnreadableModel(f"a damaged or truncated HDF5 file ({_reason(exc)})") from exc
    if not isinstance(raw, (str, bytes)):
        raise UnreadableModel("the HDF5 model_config attribute is not text")
    config = model_config(parse_json(raw, "the HDF5 model_config attribute"), "model_config")
    return SavedModel(str(path), "keras-h5", producer_of(version), version, config)


def _root_attributes_bounded(f: Any) -> None:
    """HDF5 reads an attribute's data as soon as it is looked up, so their total size is checked
    from the object header first: a file whose root attributes hold hundreds of megabytes is
    refused before any is read."""
    import h5py

    info = h5py.h5o.get_info(f.id)
    size = info.meta_size.attr.heap_size + info.hdr.space.total  # dense + compact attributes
    if size > limits().config_bytes:
        raise over(f"the HDF5 root attributes take more than {limits().config_mib} MiB",
                   "config_mib")  # fmt: skip


def _text_of_bounded_size(attrs: Any, name: str) -> None:
    """Check an attribute's type and size before reading it: a 500 MB array where the config
    should be must not be read at all."""
    import numpy as np

    attr = attrs.get_id(name)
    dtype, count = attr.dtype, int(np.prod(attr.shape or ()))
    if dtype.kind not in "SUO" or count != 1:  # text: bytes, unicode or variable-length str
        raise UnreadableModel(f"the HDF5 {name} attribute is not text")
    size = attr.get_storage_size()
    if size > limits().config_bytes:
        raise over(f"the HDF5 {name} attribute is larger than {limits().config_mib} MiB",
                   "config_mib")  # fmt: skip


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
