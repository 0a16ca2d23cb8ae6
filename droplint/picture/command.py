"""`droplint graph MODEL -o model.html|model.svg`: options in, picture written, exit code back."""

from __future__ import annotations

import sys
from pathlib import Path

KINDS = {".html": "html", ".htm": "html", ".svg": "svg"}
EXTRA = "droplint graph needs the layout library: pip install 'droplint[graph]'"


def run_graph(
    model: str,
    output: str | None = None,
    direction: str = "LR",
    collapse: bool = True,
    config_file: str | None = None,
) -> int:
    """Write the picture of one model. 0: written; 2: bad input, options or missing extra."""
    out = output or f"{Path(model.rstrip('/')).stem or 'model'}.html"
    kind = "svg" if out == "-" else KINDS.get(Path(out).suffix.lower())
    if kind is None:
        return _fail(f"cannot tell the picture's format from {out!r}: name it .html or .svg")
    from droplint.picture.layout import MissingLayout, require

    try:
        require()
    except MissingLayout:
        return _fail(EXTRA)
    from droplint.analysis import analyze_file
    from droplint.config import ConfigError

    try:
        config = _config(config_file)
    except ConfigError as exc:
        return _fail(str(exc))
    report = analyze_file(model, config)
    if report.error:
        return _fail(f"{model}: {report.error}")
    text, summary = render(report, kind, direction, collapse)
    if out == "-":
        sys.stdout.write(text)
        return 0
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        return _fail(f"cannot write {out}: {exc.strerror or exc}")
    print(f"droplint: wrote {out}: {summary}", file=sys.stderr)
    return 0


def render(report, kind: str = "html", direction: str = "LR", collapse: bool = True):
    """The picture's text and a one-line summary of what it shows."""
    from droplint.picture.scene import build_scene
    from droplint.wording import plural

    scene = build_scene(report, collapse)
    if kind == "html":
        from droplint.picture.html import render_html

        text = render_html(scene, direction)
    else:
        from droplint.picture.svg import draw

        text = draw(scene, direction).svg
    sites = len({s.node for s in report.sites})
    summary = (
        f"{plural(report.layers, 'layer')} in {plural(len(scene.boxes), 'box', 'boxes')}, "
        f"{sites} with dropout, {plural(len(report.findings), 'finding')}"
    )
    return text, summary


def _config(config_file: str | None):  # -> Config
    from droplint.config import ConfigError, find_config, load_config

    path = Path(config_file) if config_file else None
    if path is not None and not path.is_file():
        raise ConfigError(f"no config file {path}")
    return load_config(path or find_config())


def _fail(message: str) -> int:
    print(f"droplint: {message}", file=sys.stderr)
    return 2
