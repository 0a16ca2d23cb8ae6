"""The entry point's direct path and the typer CLI give the same output and exit codes."""

from __future__ import annotations

import pytest
from conftest import sample
from typer.testing import CliRunner

from droplint.cli import app
from droplint.run import parse_fast, run_check

SEED2 = str(sample("keras3/seed2.keras"))
BROKEN = str(sample("broken/truncated.h5"))


@pytest.mark.parametrize("args", [
    [SEED2],
    [SEED2, "--format", "json"],
    [SEED2, "--format=json", "--fail-on", "error"],
    [SEED2, "--select", "DL1", "--select", "DL4", "--format", "json"],
    [SEED2, "--ignore=DL102,DL204"],
    [BROKEN, SEED2, "--format", "json"],
    ["check", SEED2, "--extend-select", "DL602"],
    [SEED2, "--select", "DL999"],
])  # fmt: skip
def test_same_as_typer(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    opts = parse_fast(args)
    assert opts is not None
    code = run_check(opts)
    direct = capsys.readouterr()
    typer_args = args if args[0] == "check" else ["check", *args]
    result = CliRunner().invoke(app, typer_args)
    assert code == result.exit_code
    assert direct.out == result.stdout
    assert direct.err == result.stderr


@pytest.mark.parametrize("args", [
    [], ["--help"], [SEED2, "--format", "yaml"], [SEED2, "--verbose"], [SEED2, "--format"],
])  # fmt: skip
def test_everything_else_goes_to_typer(args: list[str]) -> None:
    assert parse_fast(args) is None
