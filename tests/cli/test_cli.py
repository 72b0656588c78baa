"""The CLI's own behaviour: default command, global flags, help, errors as messages."""

from __future__ import annotations

import io

import pytest

from companion.cli.main import main
from companion.errors import ExitCode
from tests.fakes import RecordingSpeaker


def run(argv, stdin=b""):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, env={}, stdin=io.BytesIO(stdin), stdout=out, stderr=err,
                make_speaker=lambda voice: RecordingSpeaker())
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", [["-v", "--typed", "--no-speak"],
                                  ["prepare", "-v", "--typed", "--no-speak"],
                                  ["--typed", "-v", "--no-speak"]])
def test_verbose_anywhere_and_default_command(argv, companion_home):
    code, _, err = main_with_home(argv, companion_home)
    assert code == ExitCode.INCOMPLETE and "companion resume" in err  # ran prepare, input ended at once


def main_with_home(argv, home):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, env={"COMPANION_HOME": str(home)}, stdin=io.BytesIO(b""), stdout=out,
                stderr=err, make_speaker=lambda voice: RecordingSpeaker())
    return code, out.getvalue(), err.getvalue()


def test_help_says_it_is_not_a_crisis_service():
    code, out, _ = run(["--help"])
    assert code == 0 and "not a crisis service" in out and "988" in out


def test_unknown_option_is_a_usage_error():
    code, _, err = run(["prepare", "--no-such-flag"])
    assert code == 2 and "unrecognized arguments" in err


@pytest.mark.parametrize("argv, fragment", [
    (["prepare", "--typed", "--pause", "0.1"], "--pause"),
    (["prepare", "--typed", "--rate", "900"], "--rate"),
    (["prepare", "--typed", "--fast"], "--audio-in"),
])
def test_bad_values_are_one_line_messages(argv, fragment, companion_home):
    code, out, err = main_with_home(argv, companion_home)
    assert code == 2 and out == "" and fragment in err and "Traceback" not in err
