"""droplint: a static linter for dropout in neural-network model files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Report", "__version__", "analyze"]

if TYPE_CHECKING:
    from droplint.api import Report


def analyze(path_or_model: Any, config: Any = None) -> Report:
    """Analyse a model file or folder, an in-memory Keras model or an onnx.ModelProto.

    See droplint.api.analyze; the analysis modules are imported on the first call, so that
    `import droplint` (and the command's start-up) stays cheap.
    """
    from droplint.api import analyze as _analyze

    return _analyze(path_or_model, config)


def __getattr__(name: str) -> Any:
    if name == "Report":
        from droplint.api import Report

        return Report
    raise AttributeError(f"module 'droplint' has no attribute {name!r}")
