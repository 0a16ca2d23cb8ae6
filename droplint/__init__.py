"""droplint: a static linter for dropout in neural-network model files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Report", "__version__", "analyze", "analyze_many"]

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from concurrent.futures import Executor

    from droplint.api import Report


def analyze(path_or_model: Any, config: Any = None) -> Report:
    """Analyse a model file or folder, an in-memory Keras model or an onnx.ModelProto.

    See droplint.api.analyze; the analysis modules are imported on the first call, so that
    `import droplint` (and the command's start-up) stays cheap.
    """
    from droplint.api import analyze as _analyze

    return _analyze(path_or_model, config)


def analyze_many(
    inputs: Iterable[Any],
    config: Any = None,
    executor: Executor | None = None,
    *,
    window: int | None = None,
) -> Iterator[tuple[int, Report]]:
    """Analyse many model files or folders, in this process or on any concurrent.futures
    Executor (a process pool, Dask, Ray); yield (index in inputs, report) as each is done.

    See droplint.api.analyze_many.
    """
    from droplint.api import analyze_many as _analyze_many

    return _analyze_many(inputs, config, executor, window=window)


def __getattr__(name: str) -> Any:
    if name == "Report":
        from droplint.api import Report

        return Report
    raise AttributeError(f"module 'droplint' has no attribute {name!r}")
