"""Keras models: HDF5 (.h5), .keras archives and folders, tf-keras SavedModels, models in memory.

Every Keras file saves the same thing, a JSON config of layers; only its container differs. This
module is the plug-in's descriptor and stays cheap to import; the work is in its siblings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from droplint.errors import UnreadableModel
from droplint.formats.plugin import Format, Interpretation

if TYPE_CHECKING:
    from droplint.read import SavedModel
    from droplint.read.probe import Probe

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
        "keras-dir": "an unzipped `.keras` folder holding `config.json`",
        "keras-savedmodel": "TF2 SavedModel folder from tf-keras: `keras_metadata.pb`, decoded "
        "without TensorFlow",
        "keras-object": "a Keras model in memory, given to `droplint.analyze` (see Python API)",
    }
    suffixes = (".h5", ".hdf5", ".keras")
    # Keras writes config.json next to metadata.json (a lone config.json is anything's config,
    # e.g. a Hugging Face model's); keras_metadata.pb is tf-keras's SavedModel.
    folder_markers = (("keras_metadata.pb",), ("config.json", "metadata.json"))
    folder_files = ("config.json", "keras_metadata.pb", "saved_model.pb")
    preload = {  # noqa: RUF012
        ".h5": ("droplint.formats.keras.hdf5", "h5py"),
        ".hdf5": ("droplint.formats.keras.hdf5", "h5py"),
    }

    def recognises(self, probe: Probe) -> bool:
        if probe.is_dir:
            return any(probe.has(name) for name in self.folder_files)
        return _is_hdf5(probe) or probe.head.startswith(ZIP_MAGICS)

    def read(self, probe: Probe) -> SavedModel:
        if probe.is_dir:
            return _read_dir(probe)
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
    if probe.has("config.json"):
        from droplint.formats.keras.zip import read_keras_dir

        return read_keras_dir(probe.path)
    if probe.has("keras_metadata.pb"):
        from droplint.formats.keras.savedmodel import read_savedmodel

        return read_savedmodel(probe.path)
    raise UnreadableModel(
        "a TensorFlow SavedModel without keras_metadata.pb (e.g. from Keras 3 model.export()) "
        "keeps no layer config"
    )


def _is_hdf5(probe: Probe) -> bool:
    if probe.head[:8] == HDF5_MAGIC:
        return True
    return any(probe.bytes_at(offset, 8) == HDF5_MAGIC for offset in HDF5_USER_BLOCKS)


FORMAT = KerasFormat()
