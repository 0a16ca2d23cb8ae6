"""The Python API: `droplint.analyze(path_or_model, config=None)`.

An in-memory model is read the way saving it would write it, never run: each format plug-in
knows its own objects (a Keras model through its framework's serialize_keras_object, an
onnx.ModelProto through SerializeToString() and droplint's own reader).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from droplint.analysis import FileReport, analyze_file, analyze_saved
from droplint.config import Config, from_table
from droplint.errors import UnreadableModel
from droplint.formats import from_memory

Report = FileReport


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
        saved = from_memory(path_or_model)
    except UnreadableModel as exc:
        return FileReport("<memory>", error=str(exc))
    if saved is None:
        raise TypeError(
            "analyze() takes a path, a Keras model (with get_config()) or an onnx.ModelProto, "
            f"not {type(path_or_model).__name__}"
        )
    return analyze_saved(saved, settings)


def _settings(config: Config | dict[str, Any] | None) -> Config:
    if config is None:
        return Config()
    if isinstance(config, Config):
        return config
    if isinstance(config, dict):
        return from_table(config, where="config")
    raise TypeError(f"config must be a droplint Config or a dict, not {type(config).__name__}")
