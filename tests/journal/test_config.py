"""Settings in config.json, `companion config`, and asking for the region once."""

from __future__ import annotations

import json
import os
import stat

import pytest

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

@pytest.mark.parametrize("answer,region", [
    ("united states", "US"), ("us", "US"), ("America", "US"), ("i'm in the US", "US"),
    ("uk", "UK"), ("England", "UK"), ("scotland", "UK"), ("northern ireland", "UK"),
    ("canada", "CA"), ("australia", "AU"), ("ireland", "IE"), ("new zealand", "NZ"),
    ("i live in new zealand", "NZ"), ("germany", "other"), ("south america", "other"),
    ("skip", "other"),
])
def test_ask_region_understands_answers(companion_home, answer, region):
    config, screen = user_config(companion_home), Screen()
    assert ask_region_once(config, screen, Script(answer)) == region
    assert config.get("region") == region
    assert screen.said[0] == ("prompt", screen.said[0][1])
    assert "Which country are you in?" in screen.said[0][1]


def test_ask_region_never_asks_again_even_after_an_unknown_answer(companion_home):
    config = user_config(companion_home)
    assert ask_region_once(config, Screen(), Script("atlantis")) == "other"
    script, screen = Script("canada"), Screen()
    assert ask_region_once(config, screen, script) == "other"
    assert script.asked == [] and screen.said == []


def test_ask_region_end_of_input_stores_nothing(companion_home):
    config = user_config(companion_home)
    assert ask_region_once(config, Screen(), Script()) is None
    assert config.get("region") is None


def test_ask_region_empty_answer_gets_one_more_try(companion_home):
    config, screen = user_config(companion_home), Screen()
    assert ask_region_once(config, screen, Script("", "canada")) == "CA"
    assert [r for r, _ in screen.said] == ["prompt", "hint", "info"]
