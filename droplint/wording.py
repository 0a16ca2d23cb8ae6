"""Words and numbers as droplint prints them, in one place for every output: rates, mask
structure, the line that describes a model, plurals."""

from __future__ import annotations

from droplint.enums import Noise, Where
from droplint.graph import Shape
from droplint.sites import Site

TIMES = "\u00d7"  # the multiplication sign, in mask shapes and op counts
WHERE_WORDS = {
    Where.OUTPUT: "output dropout",
    Where.GATE_INPUT: "input (x_t) dropout",
    Where.GATE_RECURRENT: "recurrent (h_t-1) dropout",
    Where.ATTENTION: "attention dropout",
    Where.INTERNAL: "internal dropout",
}
PRODUCERS = {"keras": "Keras", "tf-keras": "tf-keras"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """'1 layer', '2 layers', '0 findings'."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def rate_text(rate: float | None) -> str:
    """A rate in tables and pictures: as stored, '?' when unknown."""
    return "?" if rate is None else f"{rate:g}"


def rate_short(rate: float | None) -> str:
    """A rate in sentences: three significant digits, '?' when unknown."""
    return "?" if rate is None else f"{rate:.3g}"


def size_text(size: int) -> str:
    """Bytes for people: 812 B, 48.0 KiB, 1.0 GiB."""
    value, unit = float(size), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            break
        value /= 1024
    return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"


def model_line(
    producer: str | None, version: str | None, fmt: str | None, model: str | None, layers: int
) -> str:
    """E.g. "Keras 3.15.1 keras-zip 'm', 4 layers": producer, version, format, name, size."""
    name = f" '{model}'" if model else ""
    if producer is None:
        return f"unknown producer {fmt}{name}, {plural(layers, 'layer')}"
    who = PRODUCERS.get(producer, producer)
    return f"{who} {version or '?'} {fmt}{name}, {plural(layers, 'layer')}"


def gate_count(site: Site) -> str:
    """An RNN gate site's masks in a table cell: '1', '4/gate' or '?', then fixed/per-step."""
    count = "?" if site.masks is None else ("1" if site.masks == 1 else f"{site.masks}/gate")
    time = {True: " fixed", False: " per-step", None: ""}[site.time_constant]
    return count + time


def gate_masks(site: Site) -> str:
    """Number of masks and whether they change over time, for an RNN's gate dropout."""
    if site.masks is None:
        count = "? masks"
    elif site.masks == 1:
        count = "1 shared mask"
    else:
        count = f"{site.masks} masks (1/gate)"
    time = {True: "fixed in time", False: "new each step", None: ""}[site.time_constant]
    return f"{count}, {time}" if time else count


def output_mask(site: Site) -> str:
    """An output dropout's mask in a table cell."""
    if site.noise == Noise.GAUSSIAN:
        return "gaussian"
    if site.shared_axes is None:
        return "?"
    if site.cls.startswith("SpatialDropout"):
        return "channels"
    if site.shared_axes:
        return f"axes {','.join(map(str, site.shared_axes))} shared"
    return "per-step" if site.time_constant is False else "elementwise"


def mask_shape(site: Site, shape: Shape | None) -> str:
    """The shape of an output dropout's mask: the input shape with shared axes set to 1."""
    if site.noise == Noise.GAUSSIAN:
        return "gaussian noise"
    prefix = "alpha mask" if site.noise == Noise.ALPHA else "mask"
    if site.shared_axes is None:
        return f"{prefix} ?"
    if shape is None:
        shared = ",".join(map(str, site.shared_axes))
        return f"{prefix} axes {shared} shared" if shared else f"{prefix} elementwise"
    dims = tuple(1 if i in site.shared_axes else d for i, d in enumerate(shape))
    text = f"{prefix} {format_shape(dims, TIMES)}"
    if site.time_constant is False:
        text += ", new each step"
    return text


def format_shape(shape: Shape, sep: str = ",") -> str:
    dims = [
        "B" if d is None and i == 0 else "?" if d is None else str(d) for i, d in enumerate(shape)
    ]
    return f"({sep.join(dims)})" if sep == "," else sep.join(dims)
