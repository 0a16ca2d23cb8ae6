"""Configuration: `[tool.droplint]` in pyproject.toml, or droplint.toml, or --config FILE.

Each input gets the nearest configuration file above it (as ruff resolves one per file), else the
one above the current folder, else the defaults; --config names one file for every input. In one
folder droplint.toml wins over pyproject.toml (as ruff.toml does over pyproject.toml for ruff).
Command-line flags override the file. Unknown keys, unknown rule codes and values of the wrong
type are errors, never silently ignored. Besides the keys here, every option a rule declares
(droplint.rules.options) is a key. Rule names are accepted wherever codes are.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from droplint.enums import Severity
from droplint.limits import KEYS as LIMIT_KEYS
from droplint.limits import Limits
from droplint.read.remote import is_url
from droplint.rules import RULES, options
from droplint.rules.options import OptionError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SEVERITIES = tuple(Severity)
DEFAULT_EXCLUDE = (".*", ".venv", "venv", "node_modules", "__pycache__")  # when searching folders
FAIL_LEVELS = (*SEVERITIES, "never")


class ConfigError(Exception):
    """A configuration or command line droplint cannot use (exit 2)."""


@dataclass
class Config:
    select: list[str] | None = None  # None: every rule on by default
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    fail_on: str = "warning"
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)  # rule options set by the user
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    extend_exclude: list[str] = field(default_factory=list)
    force_exclude: bool = False  # exclude applies to paths named on the command line too
    respect_gitignore: bool = True  # folder searches skip what git ignores
    limits: Limits = field(default_factory=Limits)  # the budget of each input
    root: Path = field(default_factory=Path.cwd)  # per-file-ignores globs are relative to it
    source: str | None = None  # the file this came from

    def enabled(self, path: str | None = None) -> set[str]:
        """Rule codes to run on the file at path."""
        default = {code for code, rule in RULES.items() if rule.default}
        base = default if self.select is None else expand(self.select)
        codes = (base | expand(self.extend_select)) - expand(self.ignore)
        if path is not None:
            codes -= self.ignored_for(path)
        return codes

    def ignored_for(self, path: str) -> set[str]:
        rel = _relative(Path(path), self.root)
        out: set[str] = set()
        for pattern, codes in self.per_file_ignores.items():
            if fnmatch.fnmatch(rel, pattern) or PurePath(rel).match(pattern):
                out |= expand(codes)
        return out


def expand(selectors: list[str]) -> set[str]:
    """Rule codes matched by selectors: full codes, prefixes like "DL1", rule names, or "ALL"."""
    codes: set[str] = set()
    for sel in selectors:
        codes |= _matches(sel.strip())
    return codes


def _matches(selector: str) -> set[str]:
    code = rule_code(selector)
    if code is not None:
        return {code}
    sel = selector.upper()
    hits = set(RULES) if sel == "ALL" else {c for c in RULES if c.startswith(sel)}
    if not hits or not sel.startswith(("DL", "ALL")):
        raise ConfigError(f"unknown rule code or prefix {selector!r} (see `droplint rules`)")
    return hits


def rule_code(name_or_code: str) -> str | None:
    """The code of a rule given by its code or its name (double-masked-rnn-input -> DL102)."""
    key = name_or_code.strip()
    if key.upper() in RULES:
        return key.upper()
    return next((c for c, r in RULES.items() if r.name == key.lower()), None)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# -- loading -----------------------------------------------------------------------------------

KEYS = {
    "select", "extend-select", "ignore", "severity", "fail-on", "per-file-ignores", "exclude",
    "extend-exclude", "force-exclude", "respect-gitignore", "limits",
}  # fmt: skip
FLAGS = {"force-exclude": "force_exclude", "respect-gitignore": "respect_gitignore"}


def find_config(start: Path | None = None) -> Path | None:
    """The nearest droplint.toml, or pyproject.toml with a [tool.droplint] table."""
    here = (start or Path.cwd()).resolve()
    return next((found for f in (here, *here.parents) if (found := config_in(f))), None)


def config_in(folder: Path) -> Path | None:
    """droplint.toml in folder, or its pyproject.toml if that has a [tool.droplint] table."""
    candidate = folder / "droplint.toml"
    if candidate.is_file():
        return candidate
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file() and "droplint" in _read_toml(pyproject).get("tool", {}):
        return pyproject
    return None


@dataclass
class Settings:
    """The configuration of every input: its nearest file (or --config for all), with the
    command line's settings on top. Loaded files are kept, one Config per file."""

    overrides: list[tuple[str, Any]] = field(default_factory=list)  # (key, value), in order
    config_file: Path | None = None  # --config: this file for every input
    cwd: Path = field(default_factory=Path.cwd)
    fixed: Config | None = None  # one Config for everything (the Python API, tests)
    _loaded: dict[Path | None, Config] = field(default_factory=dict, repr=False)
    _nearest: dict[Path, Path | None] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, config: Config | Settings | None) -> Settings:
        if isinstance(config, Settings):
            return config
        return cls(fixed=config or Config())

    def for_path(self, path: str | Path) -> Config:
        """The configuration of the file or folder at path (ConfigError if it is broken)."""
        if self.fixed is not None:
            return self.fixed
        local = not is_url(str(path))  # a URL follows the current folder's configuration
        source = self.config_file or (local and self._find(Path(path))) or self._find(self.cwd)
        if source not in self._loaded:
            config = load_config(source)
            for key, value in self.overrides:
                apply(config, key, value)
            self._loaded[source] = config
        return self._loaded[source]

    def _find(self, path: Path) -> Path | None:
        folder = Path(os.path.abspath(path))
        return self._above(folder if folder.is_dir() else folder.parent)

    def _above(self, folder: Path) -> Path | None:
        """The nearest config file in folder or above; each folder is looked at once."""
        if folder not in self._nearest:
            found = config_in(folder)
            if found is None and folder.parent != folder:
                found = self._above(folder.parent)
            self._nearest[folder] = found
        return self._nearest[folder]


def load_config(path: Path | None) -> Config:
    """Read a config file (None: defaults)."""
    if path is None:
        return Config()
    data = _read_toml(path)
    table = data.get("tool", {}).get("droplint", {}) if path.name == "pyproject.toml" else data
    if path.name != "pyproject.toml" and set(data) == {"tool"} and "droplint" in data["tool"]:
        table = data["tool"]["droplint"]  # a [tool.droplint] header copied from pyproject.toml
    config = from_table(table, where=str(path))
    config.root, config.source = path.resolve().parent, str(path)
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc


def from_table(table: dict[str, Any], where: str = "config") -> Config:
    unknown = sorted(set(table) - KEYS - set(options()))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    config = Config()
    for key, value in table.items():
        apply(config, key, value, where)
    return config


def apply(config: Config, key: str, value: Any, where: str = "command line") -> None:
    """Set one setting, checking its type and codes."""
    if key in options():
        try:
            config.options[key] = options()[key].parse(value)
        except OptionError as exc:
            raise ConfigError(f"{where}: {key} {exc}") from exc
    elif key in ("select", "extend-select", "ignore", "exclude", "extend-exclude"):
        items = _strings(value, key, where)
        if key in ("select", "extend-select", "ignore"):
            expand(items)  # raises on unknown codes
        if key == "select" and not items:  # an empty CI variable must not switch rules off
            raise ConfigError(f"{where}: select is empty: name at least one rule (or ALL)")
        setattr(config, key.replace("-", "_"), items)
    elif key in FLAGS:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: {key} must be true or false, not {value!r}")
        setattr(config, FLAGS[key], value)
    elif key == "severity":
        config.severity = _severities(value, where)
    elif key == "limits":
        config.limits = _limits(value, where)
    elif key == "fail-on":
        if value not in FAIL_LEVELS:
            raise ConfigError(f"{where}: fail-on must be one of {', '.join(FAIL_LEVELS)}")
        config.fail_on = value
    elif key == "per-file-ignores":
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: per-file-ignores must be a table of glob = [codes]")
        table = {g: _strings(c, f"per-file-ignores {g!r}", where) for g, c in value.items()}
        for codes in table.values():
            expand(codes)
        config.per_file_ignores = table


def _limits(value: Any, where: str) -> Limits:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: limits must be a table of name = number")
    for key, number in value.items():
        if key not in LIMIT_KEYS:
            raise ConfigError(f"{where}: unknown limit {key!r} (one of {', '.join(LIMIT_KEYS)})")
        if type(number) is not int or number < 1:
            raise ConfigError(f"{where}: limits.{key} must be a positive whole number")
    return Limits(**{k.replace("-", "_"): v for k, v in value.items()})


def _severities(value: Any, where: str) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: severity must be a table of CODE = level")
    out: dict[str, Severity] = {}
    for name, level in value.items():
        code = rule_code(name)
        if code is None or level not in SEVERITIES:
            raise ConfigError(f"{where}: severity {name} = {level!r} is not a rule and level")
        out[code] = Severity(level)
    return out


def _strings(value: Any, key: str, where: str) -> list[str]:
    """A list of strings; one string is a comma-separated list (as on the command line)."""
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of strings, not {value!r}")
    return [v.strip() for v in value]
