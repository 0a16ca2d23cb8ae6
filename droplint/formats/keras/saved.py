"""What every Keras container shares: who wrote the file, and a check of the config's shape."""

from __future__ import annotations

from typing import Any

from droplint.errors import UnreadableModel


def producer_of(version: str | None) -> str:
    """Which Keras wrote a file, from its keras_version string.

    2.x from 2.4 on, and any '-tf' version, is tf.keras / tf-keras; standalone Keras 2.0-2.3,
    Keras 1 and Keras 3 are 'keras'.
    """
    if not version:
        return "keras"
    if version.endswith("-tf"):
        return "tf-keras"
    parts = version.split(".")
    if parts[0] == "2" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) >= 4:
        return "tf-keras"
    return "keras"


def model_config(obj: Any, what: str) -> dict[str, Any]:
    """Check that obj looks like a saved Keras layer config: {"class_name": str, "config": ...}."""
    if not isinstance(obj, dict) or not isinstance(obj.get("class_name"), str):
        raise UnreadableModel(f"{what} is not a Keras model config (no class_name)")
    return obj
