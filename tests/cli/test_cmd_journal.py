"""history, show, summary, resume, reflect, progress, export and forget through `cli.main`."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import logging
import os
import stat
import sys
from datetime import datetime

import pytest

from companion.dialog import worksheet
from companion.dialog.session import new_record
from companion.dialog.summary import build_summary
from companion.errors import ExitCode
from companion.journal.store import SCHEMA_VERSION, SessionStore
from tests.fakes import run_cli
from tests.journal.test_journal import read_only


def answer(kind, text, **understood):
    return {"prompt": "?", "kind": kind, "text": text, "skipped": False, **understood}


def make(home, sid, started, *, complete=True, reflection=None):
    record = new_record(worksheet.load_default(), sid, datetime.fromisoformat(started), "typed")
    record["answers"] = {
        "situation": answer("free", "=SUM(A1) my sister cancelled"),
        "emotions": answer("emotions", "sad and angry", emotions=["sadness", "anger"]),
        "intensity": answer("intensity", "eight", intensity=8),
        "urges": answer("urges", "to hide", urges=["isolation"]),
        "urge_intensity": answer("intensity", "6", intensity=6),
    }
    if complete:
        record["answers"].update({
            "skills_tried": answer("skills", "tipp", skills=["tipp"]),
            "goal": answer("free", "plan tonight"), "backup": answer("free", "walk")})
    record["summary"] = build_summary(record["answers"])
    record.update(complete=complete, status="complete" if complete else "interrupted")
    if reflection:
        record["reflection"] = reflection
    SessionStore(home).save(record)
    return record


@pytest.fixture
def journal(companion_home):
    make(companion_home, "aaa111", "2026-11-10T20:00:00+00:00",
         reflection={"complete": True, "status": "complete", "skills": ["tipp"],
                     "helped": {"tipp": 7}, "urges": {"isolation": {"acted": False}},
                     "remember": "call earlier", "answers": {}})
    make(companion_home, "aab222", "2026-11-20T21:00:00+00:00", complete=False)
    return companion_home


def test_history_newest_first(journal):
    code, out, _ = run_cli(["history"], journal)
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("ID")
    assert lines[1].startswith("aab222") and "interrupted" in lines[1]
    assert lines[2].startswith("aaa111") and "sad 8" in lines[2] and "hide 6" in lines[2]
    assert "TIPP" in lines[2] and "complete +reflection" in lines[2]


def test_history_json_and_limit(journal):
    code, out, _ = run_cli(["history", "--json", "-n", "1"], journal)
    rows = json.loads(out)["sessions"]
    assert code == 0 and [r["id"] for r in rows] == ["aab222"]
    assert rows[0]["top_emotion"] == "sadness" and rows[0]["intensity"] == 8
    assert rows[0]["complete"] is False and rows[0]["urges"] == ["isolation"]


def test_history_of_nothing(companion_home):
    code, out, _ = run_cli(["history"], companion_home)
    assert code == 0 and "No saved sessions yet" in out
    assert json.loads(run_cli(["history", "--json"], companion_home)[1]) == \
        {"sessions": [], "practices": []}


def test_history_survives_damaged_stray_and_newer_files(journal, caplog):
    folder = journal / "sessions"
    (folder / "bad000.json").write_text('{"id": "bad000", "answ')
    (folder / "notes.txt").write_text("mine")
    (folder / "f00000.json").write_text(json.dumps(
        {"schema_version": SCHEMA_VERSION + 5, "id": "f00000"}))
    with caplog.at_level(logging.WARNING):
        code, out, err = run_cli(["history"], journal)
    assert code == 0 and "Traceback" not in err
    assert [line[:6] for line in out.splitlines()[1:]] == ["aab222", "aaa111"]
    assert "bad000.json" in caplog.text and "newer version" in caplog.text
    code, _, err = run_cli(["show", "f0"], journal)
    assert code == 5 and "newer version of companion" in err and "left as it is" in err
    assert json.loads((folder / "f00000.json").read_text())["schema_version"] == \
        SCHEMA_VERSION + 5


def test_show_text_markdown_and_json(journal):
    code, out, _ = run_cli(["show", "aaa"], journal)
    assert code == 0 and out.startswith("Session aaa111, 2026-11-10 20:00, complete")
    assert "> to hide" in out and "(understood: isolate)" in out
    assert "Skills used: TIPP (helped 7/10)" in out and "To remember next time: call earlier" in out
    code, out, _ = run_cli(["show", "aaa111", "--markdown"], journal)
    assert code == 0 and out.startswith("# Coaching-call preparation aaa111")
    assert "## Reflection after the call" in out
    assert "- Did not act on the urge to isolate." in out
    code, out, _ = run_cli(["show", "last", "--json"], journal)
    assert code == 0 and json.loads(out)["id"] == "aab222"


@pytest.mark.parametrize("ref, message", [
    ("aa", "'aa' matches 2 sessions: aaa111 (2026-11-10 20:00), aab222 (2026-11-20 21:00)"),
    ("zz", "No session matches 'zz'"),
])
def test_show_bad_ids(journal, ref, message):
    code, out, err = run_cli(["show", ref], journal)
    assert code == 5 and out == "" and message in err and err.count("\n") == 1


def test_summary_defaults_to_the_last_session(journal):
    code, out, _ = run_cli(["summary"], journal)
    assert code == 0 and "READ THIS ON YOUR CALL" in out and "I feel sad and angry" in out
    code, out, _ = run_cli(["summary", "aaa", "--json"], journal)
    assert json.loads(out)["id"] == "aaa111"


def test_summary_speak_goes_through_the_prompter(journal):
    code, out, _ = run_cli(["summary", "--speak", "--gap", "0"], journal)
    assert code == 0 and out.count("READ THIS ON YOUR CALL") == 1


def test_summary_speak_says_each_sentence_on_its_own_at_the_rate_given(journal, monkeypatch):
    """Calm reading: one sentence at a time with a pause between, at --rate."""
    from tests.fakes import RecordingSpeaker

    speaker, voices, pauses = RecordingSpeaker(), [], []
    monkeypatch.setattr("companion.cli.summary.GAP", 0.0)
    monkeypatch.setattr("time.sleep", pauses.append)
    from companion.cli.main import main

    out = io.StringIO()
    code = main(["summary", "aaa", "--speak", "--rate", "120", "--gap", "0.4"],
                env={"COMPANION_HOME": str(journal)}, stdin=io.BytesIO(b""), stdout=out,
                stderr=io.StringIO(), make_speaker=lambda v: voices.append(v) or speaker)
    record = json.loads((journal / "sessions" / "aaa111.json").read_text())
    assert code == 0 and voices[0].rate == 120
    assert " ".join(speaker.said) == record["summary"] and len(speaker.said) >= 4
    assert all(s.endswith(".") for s in speaker.said)
    assert "READ THIS" not in " ".join(speaker.said)  # only the summary is read out
    assert pauses == [0.4] * (len(speaker.said) - 1)


def test_summary_speak_rejects_a_bad_rate(journal):
    code, _, err = run_cli(["summary", "--speak", "--rate", "20"], journal)
    assert code == 2 and "--rate" in err


def test_summary_shows_more_of_what_was_said_when_it_was_shortened(companion_home):
    record = new_record(worksheet.load_default(), "c33333", datetime(2026, 11, 1), "typed")
    long = ("so i went to my parents for dinner and my dad started on my weight again and my "
            "mom said nothing and my brother laughed and then i left without eating and now "
            "i'm sitting in my car outside their house")
    record["answers"] = {
        "situation": answer("free", long),
        "emotions": answer("emotions", "humiliated and small", emotions=["shame"]),
        "intensity": answer("intensity", "8", intensity=8),
        "urges": answer("urges", "i want to drive somewhere fast", urges=[]),
        "urge_intensity": answer("intensity", "7", intensity=7),
        "skills_tried": answer("skills", "i called my friend and did some breathing"),
        "goal": answer("free", "i want help calming down enough to drive home"),
        "backup": answer("free", "i'll sit in the car and do box breathing and text my sister")}
    record["summary"] = build_summary(record["answers"])
    SessionStore(companion_home).save(record)
    code, out, _ = run_cli(["summary"], companion_home)
    assert code == 0 and "…" not in out
    assert "More of what you said:" in out and "my dad started on my weight again" in out
    spoken = out.split("More of what you said:")[0]
    assert "my dad started" not in spoken and "now I'm sitting in my car" in spoken
    assert "do box breathing and text my sister" in out.split("More of what you said:")[1]


def test_summary_of_an_empty_session(companion_home):
    record = new_record(worksheet.load_default(), "e11111", datetime(2026, 11, 1), "typed")
    SessionStore(companion_home).save(record)
    code, _, err = run_cli(["summary"], companion_home)
    assert code == 5 and "no summary yet" in err and "companion resume e11111" in err


def test_resume_in_process_keeps_earlier_answers(journal):
    code, out, err = run_cli(["resume", "--typed", "--no-speak", "--json"], journal,
                             b"i tried tipp\nget some sleep\nshower\n")
    record = json.loads(out)
    assert code == 0, err
    assert record["id"] == "aab222" and record["complete"]
    assert record["answers"]["situation"]["text"] == "=SUM(A1) my sister cancelled"
    assert record["answers"]["goal"]["text"] == "get some sleep"
    assert [e["type"] for e in record["events"]].count("resumed") == 1


def test_resume_refuses_a_complete_session(journal):
    code, _, err = run_cli(["resume", "aaa", "--typed"], journal)
    assert code == 5 and "already complete" in err


def test_resume_with_nothing_unfinished(companion_home):
    code, _, err = run_cli(["resume", "--typed"], companion_home)
    assert code == 5 and "no unfinished session" in err


def test_reflect_typed_is_saved_shown_and_counted(journal):
    code, out, err = run_cli(["reflect", "aab", "--typed", "--no-speak"], journal,
                             b"tipp\n9\nno\ncold water works\n")
    assert code == 0, err
    assert "Skills used: TIPP (helped 9/10)" in out
    record = json.loads((journal / "sessions" / "aab222.json").read_text())
    assert record["reflection"]["helped"] == {"tipp": 9} and record["reflection"]["complete"]
    assert "## Reflection after the call" in (journal / "sessions" / "aab222.md").read_text()
    code, out, _ = run_cli(["progress", "--json"], journal)
    data = json.loads(out)
    assert data["reflected"] == 2
    assert data["skills"][0] == {"skill": "tipp", "sessions": 2, "ratings": 2,
                                 "average_help": 8.0}
    assert data["urges_total"] == {"acted": 0, "resisted": 2, "unknown": 0}


def test_reflect_json_and_unfinished(journal):
    code, out, err = run_cli(["reflect", "--typed", "--json"], journal, b"tipp\n")
    assert code == ExitCode.INCOMPLETE and json.loads(out)["status"] == "interrupted"
    assert "companion reflect aab222" in err


def test_reflect_in_a_read_only_folder(journal):
    with read_only(journal / "sessions"):
        code, _, err = run_cli(["reflect", "aab", "--typed"], journal, b"tipp\n")
    assert code == 4 and "COMPANION_HOME" in err and "Traceback" not in err


def test_progress_tables(journal):
    code, out, _ = run_cli(["progress"], journal)
    assert code == 0
    assert "2 sessions, 2026-11-10 to 2026-11-20 (1 complete, 1 with a reflection)" in out
    assert "Emotion intensity" in out and "average 8/10" in out
    assert "TIPP" in out and "isolate" in out


def test_progress_since_and_bad_since(journal, companion_home):
    code, out, _ = run_cli(["progress", "--since", "2026-11-15", "--json"], journal)
    assert code == 0 and json.loads(out)["sessions"] == 1
    code, out, err = run_cli(["progress", "--since", "2999-01-01"], journal)
    assert code == 2 and "in the future" in err and out == ""
    code, out, _ = run_cli(["progress"], companion_home.parent / "empty")
    assert code == 0 and "No sessions yet" in out


def test_progress_plot_without_matplotlib(journal, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    code, out, err = run_cli(["progress", "--plot", str(tmp_path / "p.png")], journal)
    assert code == 2 and "matplotlib" in err and out == ""
    assert not (tmp_path / "p.png").exists()


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                    reason="matplotlib (the optional plotting extra) is not installed")
def test_progress_plot_draws_a_png(journal, tmp_path):
    target = tmp_path / "progress.png"
    code, _, err = run_cli(["progress", "--plot", str(target)], journal)
    assert code == 0, err
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


@pytest.mark.parametrize("fmt, marker", [
    ("markdown", "# Coaching-call journal"), ("text", "Coaching-call journal, exported"),
    ("csv", "id,started_at,status"),
])
def test_export_formats(journal, tmp_path, fmt, marker):
    target = tmp_path / f"out.{fmt}"
    code, out, _ = run_cli(["export", "--format", fmt, "--output", str(target)], journal)
    text = target.read_text()
    assert code == 0 and "Wrote 2 sessions" in out and text.startswith(marker)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert text.index("aaa111") < text.index("aab222")  # oldest first


def test_export_csv_guards_against_spreadsheet_formulas(journal):
    code, out, _ = run_cli(["export", "aaa", "--format", "csv", "--output", "-"], journal)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 1
    assert rows[0]["situation"] == "'=SUM(A1) my sister cancelled"
    assert rows[0]["helped"] == "TIPP 7" and rows[0]["urges_acted_on"] == "isolate: no"
    assert rows[0]["emotions"] == "sad and angry" and rows[0]["urges"] == "hide"
    assert rows[0]["emotion_categories"] == "sad; angry"
    assert rows[0]["urge_categories"] == "isolate"


def unknown_urge(home):
    """A session whose urge the vocabulary does not know, rated 8/10, and its reflection."""
    record = make(home, "d44444", "2026-11-12T20:00:00+00:00")
    record["answers"]["urges"] = answer("urges", "to text him like forty times", urges=[])
    record["answers"]["urge_intensity"] = answer("intensity", "eight", intensity=8)
    record["reflection"] = {"complete": True, "status": "complete", "skills": [], "helped": {},
                            "urges": {"any": {"acted": False}}, "answers": {}}
    record["summary"] = build_summary(record["answers"])
    SessionStore(home).save(record)


def test_an_unknown_urge_shows_in_the_clients_words_with_its_rating(companion_home):
    unknown_urge(companion_home)
    code, out, _ = run_cli(["history"], companion_home)
    assert code == 0 and "text him forty times 8" in out.replace("…", "")
    assert "d44444" in out and " - " not in out.split("d44444")[1].split("\n")[0][30:60]
    row = json.loads(run_cli(["history", "--json"], companion_home)[1])["sessions"][0]
    assert row["urges"] == [] and row["urges_said"] == "text him forty times"
    code, out, _ = run_cli(["export", "d44", "--format", "csv", "--output", "-"], companion_home)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["urges"] == "text him forty times" and rows[0]["urge_intensity"] == "8"
    assert rows[0]["urges_acted_on"] == "text him forty times: no"
    for fmt in ("markdown", "text"):
        code, out, _ = run_cli(["export", "d44", "--format", fmt, "--output", "-"],
                               companion_home)
        assert 'Did not act on the urge "to text him like forty times".' in out
        assert "I have an urge to text him forty times, 8 out of 10." in out
    code, out, _ = run_cli(["show", "d44"], companion_home)
    assert "I have an urge to text him forty times, 8 out of 10." in out
    code, out, _ = run_cli(["progress"], companion_home)
    assert "text him forty times" in out and "any urge" not in out and "all urges" not in out


def test_export_bad_input(journal):
    code, _, err = run_cli(["export", "aaa", "--since", "2026-01-01"], journal)
    assert code == 2 and "not both" in err
    code, _, err = run_cli(["export", "--since", "2026-11-25", "--output", "-"], journal)
    assert code == 2 and "No sessions since 2026-11-25" in err


class FakeTerminal(io.BytesIO):
    def isatty(self):
        return True


def test_forget_one(journal):
    code, out, _ = run_cli(["forget", "aab"], journal)
    assert code == 0 and "Deleted session aab222 (2 files)" in out
    assert sorted(p.name for p in (journal / "sessions").iterdir()) == ["aaa111.json",
                                                                         "aaa111.md"]
    code, _, err = run_cli(["forget", "aab"], journal)
    assert code == 5 and "No session matches" in err


def test_forget_all_needs_confirmation(journal):
    code, _, err = run_cli(["forget", "--all"], journal)
    assert code == 2 and "--yes" in err
    code, out, _ = run_cli(["forget", "--all"], journal, FakeTerminal(b"no\n"))
    assert code == ExitCode.NOT_CONFIRMED and "Nothing was deleted" in out
    assert len(list((journal / "sessions").glob("*.json"))) == 2
    code, out, err = run_cli(["forget", "--all"], journal, FakeTerminal(b"yes\n"))
    assert code == 0 and "Deleted 2 sessions" in out and "cannot be undone" in err
    assert list((journal / "sessions").glob("*.json")) == []


def test_forget_all_with_yes_and_usage(journal):
    (journal / "sessions" / "notes.txt").write_text("not a session")
    code, out, _ = run_cli(["forget", "--all", "--yes"], journal)
    assert code == 0 and "Deleted 2 sessions (4 files)" in out
    assert [p.name for p in (journal / "sessions").iterdir()] == ["notes.txt"]
    code, _, err = run_cli(["forget"], journal)
    assert code == 2 and "--all" in err


def test_forget_all_keeps_a_session_open_in_another_window(journal):
    from tests.journal.test_lock import holder

    proc = holder(SessionStore(journal).lock_path("aab222"))
    try:
        code, out, err = run_cli(["forget", "--all", "--yes"], journal)
        reflect_code, _, reflect_err = run_cli(["reflect", "aab", "--typed"], journal)
    finally:
        proc.kill()
        proc.wait()
    assert code == 11 and "Deleted 1 session (2 files)" in out and "Kept 1 open" in out
    assert "aab222 is open in another companion window" in err
    assert sorted(p.name for p in (journal / "sessions").glob("*.json")) == ["aab222.json"]
    assert reflect_code == 11 and "open in another companion window" in reflect_err


def test_resume_when_the_worksheet_file_is_gone(companion_home, caplog):
    record = make(companion_home, "abc999", "2026-11-21T10:00:00+00:00", complete=False)
    record["worksheet"]["source"] = str(companion_home / "gone.toml")
    SessionStore(companion_home).save(record)
    with caplog.at_level(logging.WARNING):
        code, out, err = run_cli(["resume", "abc", "--typed", "--json"], companion_home,
                                 b"tipp\nrest\nbath\n")
    assert code == 0, err
    assert "gone.toml is no longer there" in caplog.text
    done = json.loads(out)
    assert done["complete"] and done["answers"]["backup"]["text"] == "bath"
    assert done["answers"]["situation"] == record["answers"]["situation"]
