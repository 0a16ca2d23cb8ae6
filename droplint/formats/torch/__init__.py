"""PyTorch: torch.export archives (.pt2), read from the program JSON they store, without torch
and without opening any pickle. This module is the plug-in's descriptor and stays cheap to
import; the work is in its siblings.

Other files PyTorch writes (torch.save pickles, TorchScript archives) are recognised too, to say
what they are and how to export instead: droplint never unpickles anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from droplint.formats.plugin import Format, Interpretation

if TYPE_CHECKING:
    from droplint.read import SavedModel
    from droplint.read.probe import Probe

# A pickle stream starts with the PROTO opcode and its protocol (2 to 5).
PICKLE_HEADS = tuple(bytes([0x80, version]) for version in (2, 3, 4, 5))


class TorchFormat(Format):
    name = "torch"
    title = "PyTorch (.pt2)"
    labels = {  # noqa: RUF012
        "torch-export": "a `torch.export.save` archive (`.pt2`): the program JSON "
        "`models/model.json` (aten ops with named arguments, module paths and classes, tensor "
        "shapes, the signature); weights and pickles are never opened",
    }
    suffixes = (".pt2",)

    def recognises(self, probe: Probe) -> bool:
        if probe.is_dir:
            return False
        if probe.head.startswith(PICKLE_HEADS):
            return True
        names = probe.zip_names
        if names is None:
            return False
        # A zip named .pt2 is ours to explain even when it is no export archive.
        return probe.suffix == ".pt2" or any(_torch_member(n) for n in names)

    def read(self, probe: Probe) -> SavedModel:
        from droplint.formats.torch.archive import read_archive

        return read_archive(probe)

    def interpret(self, saved: SavedModel) -> Interpretation:
        from droplint.formats.torch.graph import build_torch_graph
        from droplint.formats.torch.semantics import TorchSemantics
        from droplint.formats.torch.sites import torch_sites

        graph = build_torch_graph(saved)
        semantics = TorchSemantics(graph, saved.config)
        return Interpretation(graph, torch_sites(graph, semantics), semantics)


def _torch_member(name: str) -> bool:
    """A member only PyTorch's writers put in a zip: an export's format marker or program (a
    torch <= 2.7 export is a flat zip around serialized_exported_program.json), or a pickle."""
    return name.rsplit("/", 1)[-1] in ("archive_format", "serialized_exported_program.json") or (
        name.endswith(("/data.pkl", "/constants.pkl", ".format_version"))
    )


FORMAT = TorchFormat()
