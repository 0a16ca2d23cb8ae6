"""Read a torch.export archive: one zip member, the program JSON. Nothing else in the archive is
opened: not the weights (raw tensor bytes), not `sample_inputs/model.pt` (a pickle).

Every member sits under one top folder named after the file it was saved as; only its
`archive_format` (text `pt2`) and `models/*.json` matter here. A torch.save file (a zip with
`data.pkl`, or a bare pickle) and a TorchScript archive (`code/`, `constants.pkl`) are refused
with a sentence that says what they are and how to export instead.
"""

from __future__ import annotations

import zipfile

from droplint.errors import UnreadableModel
from droplint.read import SavedModel, parse_json, read_capped
from droplint.read.probe import Probe, source

EXPORT_HINT = (
    "export the model instead: torch.export.save(torch.export.export(model.eval(), "
    "example_args), 'model.pt2')"
)
PROGRAMS = "models/"  # models/<name>.json: "model" for torch.export.save; package_pt2 names them
DEFAULT = "model"
LEGACY = "serialized_exported_program.json"  # torch <= 2.7 wrote a flat zip around this


def read_archive(probe: Probe) -> SavedModel:
    names = probe.zip_names
    if names is None:
        raise UnreadableModel(
            "a Python pickle (torch.save, or an older torch.save format): droplint never "
            f"unpickles, since loading a pickle runs code; {EXPORT_HINT}"
        )
    _refuse_pickles(names)
    members = _programs(names)
    programs: dict[str, object] = {}
    try:
        with zipfile.ZipFile(source(probe.path)) as zf:
            _check_marker(zf, names)
            for name, member in members.items():
                with zf.open(member) as f:
                    programs[name] = parse_json(read_capped(f, _short(member)), _short(member))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise UnreadableModel(f"a damaged or truncated zip archive ({exc})") from exc
    except RuntimeError as exc:  # zipfile's word for an encrypted member
        raise UnreadableModel(f"an encrypted zip archive ({exc})") from exc
    versions = set()
    for name, program in programs.items():
        if not isinstance(program, dict) or not isinstance(program.get("graph_module"), dict):
            raise UnreadableModel(
                f"{_short(members[name])} is no exported program (no graph_module)"
            )
        version = program.get("torch_version")
        versions.add(version if isinstance(version, str) else None)
    version = versions.pop() if len(versions) == 1 else None
    return SavedModel(str(probe.path), "torch-export", "torch", version, programs)


def _short(member: str) -> str:
    """A member's name without the archive's top folder (models/model.json)."""
    return member.split("/", 1)[1] if "/" in member and not member.startswith("models/") else member


def _check_marker(zf: zipfile.ZipFile, names: list[str]) -> None:
    marker = next((n for n in names if n.rsplit("/", 1)[-1] == "archive_format"), None)
    if marker is not None and zf.read(marker).strip() != b"pt2":
        raise UnreadableModel("a zip whose archive_format is not pt2 (not a torch.export archive)")


def _programs(names: list[str]) -> dict[str, str]:
    """name -> member of every program JSON, the default ("model") first; a torch <= 2.7
    archive's one program is "model" too."""
    legacy = [n for n in names if n.rsplit("/", 1)[-1] == LEGACY and n.count("/") <= 1]
    if legacy:
        return {DEFAULT: legacy[0]}
    found = {}
    for n in sorted(names):
        head, _, tail = n.partition(PROGRAMS)
        if tail.endswith(".json") and "/" not in tail and head.count("/") <= 1:
            found.setdefault(tail[: -len(".json")], n)
    if not found:
        raise UnreadableModel(_no_program(names))
    ordered = {DEFAULT: found.pop(DEFAULT)} if DEFAULT in found else {}
    return {**ordered, **found}


def _no_program(names: list[str]) -> str:
    if any("/aotinductor/" in n or n.startswith("data/aotinductor/") for n in names):
        return (
            "an AOTInductor package (aoti_compile_and_package): compiled code, no program "
            "graph to read; lint the ExportedProgram before compiling it, saved with "
            "torch.export.save(program, 'model.pt2')"
        )
    if any(n.rsplit("/", 1)[-1] == "archive_format" for n in names):
        return "a torch.export archive without models/*.json (no program)"
    return (
        "a zip archive that is no torch.export archive (no archive_format, no models/*.json) "
        f"and no .keras model (no config.json); {EXPORT_HINT}"
    )


def _refuse_pickles(names: list[str]) -> None:
    """torch.save and TorchScript zips hold pickles at their top: say what they are."""
    if any(n.rsplit("/", 1)[-1] in ("archive_format", LEGACY) for n in names):
        return
    if any(n.endswith("/constants.pkl") or "/code/" in n for n in names):
        raise UnreadableModel(
            "a TorchScript archive (torch.jit.save): its graph lives in pickles and Python code "
            f"droplint does not run; {EXPORT_HINT}"
        )
    if any(n.endswith("/data.pkl") for n in names):
        raise UnreadableModel(
            "a torch.save archive (data.pkl: a pickle of a model or a state_dict): droplint "
            f"never unpickles, since loading a pickle runs code; {EXPORT_HINT}"
        )
