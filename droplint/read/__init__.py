"""What every format's reader shares: the saved-model record, bounded JSON parsing, a first look
at a path's content, and the protobuf wire format. Nothing here knows a particular format."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from droplint.errors import UnreadableModel
from droplint.limits import limits, over
from droplint.read.printable import printable_json, printable_json_text


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


def read_capped(f: BinaryIO, what: str) -> bytes:
    """A config's bytes from an open file, reading at most one byte past the limit, so that a
    zip bomb or a huge file costs no more than the limit."""
    budget = limits()
    data = f.read(budget.config_bytes + 1)
    if len(data) > budget.config_bytes:
        raise over(f"{what} is larger than {budget.config_mib} MiB", "config_mib")
    return data


def parse_json(text: str | bytes, what: str) -> Any:
    """Parse JSON from a model file; any failure is a DL001 sentence naming `what`. Its size
    and the number of its lists and objects are checked first: parsing 20 million `[]` would
    take gigabytes."""
    budget = limits()
    if len(text) > budget.config_bytes:
        raise over(f"{what} is larger than {budget.config_mib} MiB", "config_mib")
    opened = text.count(b"[" if isinstance(text, bytes) else "[")
    opened += text.count(b"{" if isinstance(text, bytes) else "{")
    if opened > budget.json_items:
        raise over(f"{what} holds more than {budget.json_items:,} lists and objects", "json_items")
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        floats = _float if _HUGE_EXPONENT.search(text) else None  # 1e309 overflows to inf
        safe = printable_json_text(text)
        parsed = json.loads(safe or text, parse_constant=Literal, parse_float=floats)
        return parsed if safe is not None else printable_json(text, parsed)
    except RecursionError as exc:
        raise UnreadableModel(f"{what} is nested too deeply") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnreadableModel(f"{what} is not valid JSON ({_short(exc)})") from exc


_HUGE_EXPONENT = re.compile(r"[0-9][eE]\+?[0-9]{3}")


class Literal(str):
    """A number JSON cannot hold as a number (Infinity, NaN, 1e309), kept as the text it was
    saved as: it is no rate (DL303 quotes it) and droplint's own JSON stays strict."""

    def __repr__(self) -> str:
        return str(self)


def _float(text: str) -> float | Literal:
    value = float(text)
    return value if math.isfinite(value) else Literal(text)


def _short(exc: Exception) -> str:
    return str(exc).split("\n")[0][:120]
