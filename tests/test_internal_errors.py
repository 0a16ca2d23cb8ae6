"""A bug in droplint is not a broken model: an exception inside droplint's own analysis is an
internal error (exit 3, one line naming the file and the exception, the traceback only on
request), never DL001, and the other inputs of the run are still reported."""

from __future__ import annotations

import dataclasses
import json

import pytest
from conftest import rendered, sample

from droplint import formats
from droplint.analysis import INTERNAL, analyze_file
from droplint.rules import RULES
from droplint.run import CheckOptions, run_check

SEED2 = str(sample("keras3/seed2.keras"))
CLEAN = str(sample("rules/keras3/dl601_ok_with_dropout.keras"))


class Boom(RuntimeError):
    pass


@pytest.fixture
def broken_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """DL101 raises on every model."""

    def boom(ctx):
        raise Boom("deliberately broken rule")

    monkeypatch.setitem(RULES, "DL101", dataclasses.replace(RULES["DL101"], check=boom))


def test_a_rule_that_raises_exits_3_with_one_line(broken_rule: None, capsys) -> None:
    code = run_check(CheckOptions(paths=[SEED2, CLEAN]))
    out, err = capsys.readouterr()
    assert code == 3
    lines = err.splitlines()
    assert len(lines) == 2  # one per input, each naming it and the exception
    assert all("internal error on" in line and "Boom: deliberately broken rule" in line
               for line in lines)  # fmt: skip
    assert SEED2 in lines[0] and "please report it" in lines[0]
    assert "Traceback" not in err
    assert "DL001" not in out and INTERNAL in out


def test_debug_shows_the_traceback(broken_rule: None, capsys) -> None:
    assert run_check(CheckOptions(paths=[SEED2], debug=True)) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "raise Boom" in err


def test_the_environment_variable_shows_it_too(
    broken_rule: None, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DROPLINT_DEBUG", "1")
    assert run_check(CheckOptions(paths=[SEED2])) == 3
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_json_names_it_and_the_other_inputs_are_reported(broken_rule: None, capsys) -> None:
    broken = str(sample("broken/truncated.h5"))
    code = run_check(CheckOptions(paths=[broken, SEED2], output_format="json"))
    data = json.loads(capsys.readouterr().out)
    assert code == 3
    unreadable, failed = data["files"]
    assert unreadable["error"]["code"] == "DL001"
    assert failed["error"]["code"] == INTERNAL and "Boom" in failed["error"]["message"]
    assert data["summary"]["internal"] == 1 and data["summary"]["unreadable"] == 1


def test_a_reader_bug_is_internal_too(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(probe):
        raise KeyError("reader bug")

    keras = next(f for f in formats.FORMATS if f.name == "keras")
    monkeypatch.setattr(keras, "read", boom)
    report = analyze_file(SEED2)
    assert report.error is None and report.internal == "KeyError: 'reader bug'"


@pytest.mark.parametrize("name", ["sarif", "github", "gitlab", "text", "tree"])
def test_every_format_says_internal_error(broken_rule: None, name: str) -> None:
    text = rendered(name, [analyze_file(SEED2)], width=300)
    assert "a bug in droplint" in text and "Boom: deliberately broken rule" in text
    if name == "sarif":  # a tool failure, not a result about the model
        import jsonschema
        from test_formats import sarif_schema

        data = json.loads(text)
        jsonschema.Draft4Validator(sarif_schema()).validate(data)
        assert data["runs"][0]["results"] == []
        assert data["runs"][0]["invocations"][0]["executionSuccessful"] is False
    else:
        assert "DL001" not in text
