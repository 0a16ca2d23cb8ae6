"""What every format's reader shares: the saved-model record, bounded JSON parsing, a first look
at a path's content, and the protobuf wire format. Nothing here knows a particular format."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from droplint.errors import UnreadableModel
from droplint.read.printable import printable_json

MAX_CONFIG_BYTES = 64 * 1024 * 1024
"""Largest model config droplint reads (JSON text); larger ones are refused with DL001."""


@dataclass(frozen=True)
class SavedModel:
    """A model's saved description, before any interpretation."""

    path: str
    format: str  # a format label its plug-in declares: keras-h5, keras-zip, ..., onnx
    producer: str | None  # keras | tf-keras | <exporter>; None when the file does not say
    version: str | None
    config: Any  # what the plug-in read: a Keras JSON config, an OnnxModel, ...
    libraries: dict[str, str] = field(default_factory=dict)  # other versions the file records
    location: str | None = None  # a folder model's own file, where CI formats point


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
