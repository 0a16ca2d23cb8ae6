"""Keras models: HDF5 (.h5), .keras archives and folders, tf-keras SavedModels, models in memory.

Every Keras file saves the same thing, a JSON config of layers; only its container differs. This
module is the plug-in's descriptor and stays cheap to import; the work is in its siblings.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from droplint.errors import NothingToLint
from droplint.formats.plugin import Format, Interpretation
from droplint.read.probe import Probe

if TYPE_CHECKING:
    from pathlib import Path

    from droplint.read import SavedModel

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
HDF5_USER_BLOCKS = (512, 1024, 2048, 4096)  # HDF5 allows a user block before the superblock
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


class KerasFormat(Format):
    name = "keras"
    title = "Keras (.h5, .keras, SavedModel)"
    labels = {  # noqa: RUF012
        "keras-h5": "HDF5 root attributes `model_config`, `keras_version` (Keras 1, 2, tf.keras, "
        "tf-keras, Keras 3)",
        "keras-zip": "`.keras` archive: `config.json`, `metadata.json` (Keras 3, tf-keras ≥ 2.13)",
        "keras-dir": "an unzipped `.keras` folder holding `config.json`, or a keras_hub preset "
        "(`config.json` or `task.json`, and `metadata.json` with `keras_hub_version`)",
        "keras-savedmodel": "TF2 SavedModel folder from tf.keras / tf-keras: `keras_metadata.pb` "
        "(2.5 on), or the object graph of `saved_model.pb` (2.0-2.4), decoded without "
        "TensorFlow",
        "keras-object": "a Keras model in memory, given to `droplint.analyze` (see Python API)",
    }
    suffixes = (".h5", ".hdf5", ".keras")
    # Keras writes config.json next to metadata.json (a lone config.json is anything's config,
    # e.g. a Hugging Face model's); a SavedModel holds saved_model.pb (and, from tf.keras 2.5
    # on, keras_metadata.pb).
    folder_markers = (("saved_model.pb",), ("keras_metadata.pb",), ("config.json", "metadata.json"))
    folder_files = ("config.json", "keras_metadata.pb", "saved_model.pb")
    preload = {  # noqa: RUF012
        ".h5": ("droplint.formats.keras.hdf5", "h5py"),
        ".hdf5": ("droplint.formats.keras.hdf5", "h5py"),
    }

    def recognises(self, probe: Probe) -> bool:
        if probe.is_dir:
            return any(probe.has(name) for name in self.folder_files)
        if probe.path.name in self.folder_files:
            return True
        return _is_hdf5(probe) or probe.head.startswith(ZIP_MAGICS)

    def folder_of(self, probe: Probe) -> Path | None:
        folder = _folder_of(probe)
        return folder.path if folder is not None else None

    def read(self, probe: Probe) -> SavedModel:
        if probe.is_dir:
            return _read_dir(probe)
        folder = _folder_of(probe)
        if folder is not None:  # the file that holds a model folder's architecture
            return replace(_read_dir(folder), path=str(probe.path), location=None)
        if probe.path.name in self.folder_files:
            raise NothingToLint(
                f"a {probe.path.name} outside a Keras model folder (no metadata.json beside "
                "it): not a model, nothing to lint"
            )
        if _is_hdf5(probe):
            from droplint.formats.keras.hdf5 import read_hdf5

            return read_hdf5(probe.path)
        from droplint.formats.keras.zip import read_keras_zip

        return read_keras_zip(probe.path)

    def interpret(self, saved: SavedModel) -> Interpretation:
        from droplint.formats.keras.graph import build_keras_graph
        from droplint.formats.keras.semantics import KerasSemantics
        from droplint.formats.keras.sites import keras_sites

        graph = build_keras_graph(saved)
        semantics = KerasSemantics(saved.producer, saved.version)
        return Interpretation(graph, keras_sites(graph, semantics.version), semantics)

    def from_memory(self, obj: Any) -> SavedModel | None:
        if not callable(getattr(obj, "get_config", None)):
            return None
        from droplint.formats.keras.memory import saved_from_object

        return saved_from_object(obj)


def _read_dir(probe: Probe) -> SavedModel:
    """A model folder, located (for CI formats) at the file that holds its architecture."""
    if probe.has("config.json"):
        from droplint.formats.keras.zip import read_keras_dir

        saved, own = read_keras_dir(probe.path), "config.json"
    else:
        from droplint.formats.keras import savedmodel

        if probe.has("keras_metadata.pb"):
            saved, own = savedmodel.read_savedmodel(probe.path), "keras_metadata.pb"
        else:  # tf.keras <= 2.4 wrote no keras_metadata
            saved, own = savedmodel.read_object_graph(probe.path), "saved_model.pb"
    return replace(saved, location=str(probe.path / own))


def _folder_of(probe: Probe) -> Probe | None:
    """A model folder's own file named on its own (saved_model.pb, keras_metadata.pb, or the
    config.json of an unzipped .keras folder): the folder it belongs to."""
    name = probe.path.name
    if name not in ("saved_model.pb", "keras_metadata.pb", "config.json"):
        return None  # (a URL's parent may be no folder at all: do not look)
    folder = Probe(probe.path.parent)
    if name in ("saved_model.pb", "keras_metadata.pb") and folder.has(name):
        return folder
    if name == "config.json" and folder.has("metadata.json"):
        return folder
    return None


def _is_hdf5(probe: Probe) -> bool:
    if probe.head[:8] == HDF5_MAGIC:
        return True
    return any(probe.bytes_at(offset, 8) == HDF5_MAGIC for offset in HDF5_USER_BLOCKS)


FORMAT = KerasFormat()
