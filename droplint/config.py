"""Configuration: `[tool.droplint]` in pyproject.toml, or droplint.toml, or --config FILE.

Found by walking up from the current directory; in one folder droplint.toml wins over
pyproject.toml (as ruff.toml does over pyproject.toml for ruff). Command-line flags override the
file. Unknown keys and unknown rule codes are errors, never silently ignored. Besides the keys
here, every option a rule declares (droplint.rules.options) is a key.
"""

from __future__ import annotations

import fnmatch
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from droplint.enums import Severity
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
    """Rule codes matched by selectors: full codes, prefixes like "DL1", or "ALL"."""
    codes: set[str] = set()
    for sel in selectors:
        sel = sel.strip().upper()
        hits = set(RULES) if sel == "ALL" else {c for c in RULES if c.startswith(sel)}
        if not hits or not sel.startswith(("DL", "ALL")):
            raise ConfigError(f"unknown rule code or prefix {sel!r} (see `droplint rules`)")
        codes |= hits
    return codes


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# -- loading -----------------------------------------------------------------------------------

KEYS = {
    "select", "extend-select", "ignore", "severity", "fail-on", "per-file-ignores", "exclude",
    "extend-exclude",
}  # fmt: skip


def find_config(start: Path | None = None) -> Path | None:
    """The nearest droplint.toml, or pyproject.toml with a [tool.droplint] table."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "droplint.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "droplint" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def load_config(path: Path | None) -> Config:
    """Read a config file (None: defaults)."""
    if path is None:
        return Config()
    data = _read_toml(path)
    table = data.get("tool", {}).get("droplint", {}) if path.name == "pyproject.toml" else data
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
        setattr(config, key.replace("-", "_"), items)
    elif key == "severity":
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: severity must be a table of CODE = level")
        for code, level in value.items():
            if code.upper() not in RULES or level not in SEVERITIES:
                raise ConfigError(f"{where}: severity {code} = {level!r} is not a rule and level")
        config.severity = {c.upper(): Severity(v) for c, v in value.items()}
    elif key == "fail-on":
        if value not in FAIL_LEVELS:
            raise ConfigError(f"{where}: fail-on must be one of {', '.join(FAIL_LEVELS)}")
        config.fail_on = value
    elif key == "per-file-ignores":
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: per-file-ignores must be a table of glob = [codes]")
        for glob, codes in value.items():
            expand(_strings(codes, f"per-file-ignores {glob!r}", where))
        config.per_file_ignores = {g: list(c) for g, c in value.items()}


def _strings(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of strings")
    return [v.strip() for v in value]
