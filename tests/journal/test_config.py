"""Settings in config.json, `companion config`, and asking for the region once."""

from __future__ import annotations

import json
import os
import stat

import pytest

from companion.dialog.engine import Dialog
from companion.dialog.region import ask_region_once
from companion.errors import ExitCode, RecordError, UsageError
from companion.journal.config import CONFIG_NAME
from companion.safety.crisis_lines import user_config
from tests.fakes import RecordingPrompter as Screen
from tests.fakes import ScriptedAnswers as Script
from tests.fakes import run_cli

cli = run_cli


def test_set_and_get_round_trip_owner_only(companion_home):
    config = user_config(companion_home)
    assert config.get("region") is None
    assert config.set("region", "gb") == "UK"
    assert config.get("region") == "UK"
    path = companion_home / CONFIG_NAME
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(path.read_text()) == {"schema_version": 1, "region": "UK"}


@pytest.mark.parametrize("value,stored", [("US", "US"), ("canada", "CA"), ("other", "other"),
                                          ("  nz ", "NZ"), ("Great Britain", "UK")])
def test_region_values_are_normalised(companion_home, value, stored):
    assert user_config(companion_home).set("region", value) == stored


@pytest.mark.parametrize("key,value", [("region", "narnia"), ("region", ""), ("colour", "x")])
def test_invalid_values_are_refused_with_the_allowed_ones(companion_home, key, value):
    with pytest.raises(UsageError) as info:
        user_config(companion_home).set(key, value)
    assert "region" in str(info.value)
    assert not (companion_home / CONFIG_NAME).exists()


def test_unreadable_file_is_ignored_then_set_aside(companion_home):
    companion_home.mkdir(parents=True)
    (companion_home / CONFIG_NAME).write_text("{not json")
    config = user_config(companion_home)
    assert config.get("region") is None
    config.set("region", "IE")
    assert config.get("region") == "IE"
    assert (companion_home / (CONFIG_NAME + ".unreadable")).read_text() == "{not json"


def test_newer_file_is_not_overwritten(companion_home):
    companion_home.mkdir(parents=True)
    (companion_home / CONFIG_NAME).write_text('{"schema_version": 99, "region": "US"}')
    with pytest.raises(RecordError, match="newer"):
        user_config(companion_home).set("region", "UK")


# --- the command --------------------------------------------------------------------------

def test_cli_set_get_and_list(companion_home):
    code, out, _ = cli(["config", "set", "region", "united", "kingdom"], companion_home)
    assert code == 0 and out == "region = UK (the United Kingdom)\n"
    assert cli(["config", "get", "region"], companion_home)[:2] == (0, "UK\n")
    assert cli(["config", "get"], companion_home)[:2] == (0, "region = UK\n")
    code, out, _ = cli(["config", "list-regions"], companion_home)
    assert code == 0
    for code_name in ("US", "CA", "UK", "IE", "AU", "NZ", "other"):
        assert any(line.startswith(code_name + " ") for line in out.splitlines())
    assert "call or text 988" in out and "text SHOUT to 85258" in out


def test_cli_unset_and_unknown(companion_home):
    code, out, err = cli(["config", "get", "region"], companion_home)
    assert code == ExitCode.NOT_SET and out == "" and "companion config set region" in err
    code, out, err = cli(["config", "set", "region", "narnia"], companion_home)
    assert code == 2 and out == "" and "list-regions" in err and "Traceback" not in err


# --- asking once --------------------------------------------------------------------------

def ask_region(config, *answers):
    screen, script = Screen(), Script(*answers)
    dialog = Dialog(script, screen, guard=None, note=lambda event: None)
    region, status = ask_region_once(config, dialog)
    return region, status, screen, script


@pytest.mark.parametrize("answer,region", [
    ("united states", "US"), ("us", "US"), ("America", "US"), ("i'm in the US", "US"),
    ("uk", "UK"), ("England", "UK"), ("scotland", "UK"), ("northern ireland", "UK"),
    ("canada", "CA"), ("australia", "AU"), ("ireland", "IE"), ("new zealand", "NZ"),
    ("i live in new zealand", "NZ"), ("i'm in london", "UK"), ("the states", "US"),
    ("we live near toronto", "CA"), ("somewhere else", "other"), ("other", "other"),
])
def test_ask_region_understands_answers(companion_home, answer, region):
    config = user_config(companion_home)
    found, status, screen, _ = ask_region(config, answer)
    assert (found, status) == (region, "answer") and config.get("region") == region
    assert screen.said[0][0] == "prompt" and "Which country are you in?" in screen.said[0][1]


@pytest.mark.parametrize("answers", [("germany", "atlantis"), ("", ""), ("um", "hmm"),
                                     ("south america", "mars")])
def test_unclear_or_empty_region_is_asked_once_more_then_not_saved(companion_home, answers):
    config = user_config(companion_home)
    found, _, screen, script = ask_region(config, *answers)
    assert found is None and config.get("region") is None
    assert script.asked == ["_region", "_region"]
    assert "ask again next time" in screen.text()


@pytest.mark.parametrize("command,status", [("help", None), ("repeat", None), ("skip", "skip"),
                                            ("stop", "stop")])
def test_commands_work_at_the_region_question(companion_home, command, status):
    config = user_config(companion_home)
    found, got, _, _ = ask_region(config, command, "ireland")
    if status is None:  # help and repeat ask again; the country that follows is kept
        assert (found, got) == ("IE", "answer") and config.get("region") == "IE"
    else:
        assert (found, got) == (None, status) and config.get("region") is None


def test_ask_region_never_asks_again_once_stored(companion_home):
    config = user_config(companion_home)
    assert ask_region(config, "other")[0] == "other"
    found, _, screen, script = ask_region(config, "canada")
    assert found == "other" and script.asked == [] and screen.said == []


def test_ask_region_end_of_input_stores_nothing(companion_home):
    config = user_config(companion_home)
    assert ask_region(config)[:2] == (None, "ended")
    assert config.get("region") is None


def test_ask_region_empty_answer_gets_one_more_try(companion_home):
    config = user_config(companion_home)
    found, _, screen, _ = ask_region(config, "", "canada")
    assert found == "CA"
    assert [r for r, _ in screen.said] == ["prompt", "hint", "info"]
