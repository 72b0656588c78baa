"""Skills practised, in the journal commands: history --json, export in every format, forget
--practices, and the count in reflect's look back."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest

from companion.dialog.reflect import look_back
from companion.journal.practices import PracticeStore
from tests.cli.test_cmd_journal import FakeTerminal, make
from tests.fakes import run_cli
from tests.guide.test_practices import DAY, practice
from tests.journal.test_lock import holder


@pytest.fixture
def practised(companion_home):
    """Two sessions, and three practices on two days (one stopped, unrated)."""
    make(companion_home, "aaa111", "2026-11-10T20:00:00+00:00")
    make(companion_home, "aab222", "2026-11-20T21:00:00+00:00", complete=False)
    practice(companion_home, at=DAY, helped=4)
    practice(companion_home, "stop", "STOP", at=DAY + timedelta(hours=1), seconds=30,
             status="stopped", helped=None)
    practice(companion_home, "self_soothe", "Self-soothe with the five senses",
             at=DAY + timedelta(days=1), seconds=125, helped=8)
    return companion_home


# --- history ------------------------------------------------------------------------------------


def test_history_json_lists_sessions_and_practices(practised):
    code, out, _ = run_cli(["history", "--json"], practised)
    data = json.loads(out)
    assert code == 0 and [s["id"] for s in data["sessions"]] == ["aab222", "aaa111"]
    newest = data["practices"][0]
    assert (newest["skill"], newest["started_at"], newest["minutes"], newest["helped"],
            newest["stopped"]) == ("self_soothe", "2026-11-27T20:00:00+00:00", 2.1, 8, False)
    assert [(p["skill"], p["stopped"], p["helped"]) for p in data["practices"][1:]] == \
        [("stop", True, None), ("paced_breathing", False, 4)]
    data = json.loads(run_cli(["history", "--json", "-n", "1"], practised)[1])
    assert len(data["sessions"]) == 1 and [p["skill"] for p in data["practices"]] == \
        ["self_soothe"]


def test_history_text_shows_the_practices_under_the_sessions(practised):
    code, out, _ = run_cli(["history", "-n", "1"], practised)
    lines = out.splitlines()
    assert code == 0 and lines[1].startswith("aab222")
    assert lines[3] == "Skills practised:" and len(lines) == 5
    assert "Self-soothe" in lines[4] and "helped 8/10" in lines[4]


# --- export -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, heading", [("markdown", "## Skills practised"),
                                          ("text", "Skills practised")])
def test_export_markdown_and_text_end_with_the_practices(practised, tmp_path, fmt, heading):
    target = tmp_path / f"out.{fmt}"
    code, out, _ = run_cli(["export", "--format", fmt, "--output", str(target)], practised)
    text = target.read_text()
    assert code == 0 and "Wrote 2 sessions and 3 practices" in out
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    section = text[text.index(f"\n{heading}\n"):]
    assert text.index("aab222") < text.index(f"\n{heading}\n")
    assert section.index("Paced breathing") < section.index("STOP") < section.index("Self-soothe")


def test_export_since_a_day_exports_that_days_practices_too(practised):
    code, out, _ = run_cli(["export", "--since", "2026-11-15", "--format", "text", "--output",
                            "-"], practised)
    assert code == 0 and "aab222" in out and "aaa111" not in out
    assert "Paced breathing" in out and "Self-soothe" in out
    code, out, _ = run_cli(["export", "--since", "2026-11-27", "--practices", "--format",
                            "text", "--output", "-"], practised)
    assert code == 0 and "Self-soothe" in out and "Paced breathing" not in out


def test_export_csv_keeps_one_table_per_file(practised):
    code, out, err = run_cli(["export", "--format", "csv", "--output", "-"], practised)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["id"] for r in rows] == ["aaa111", "aab222"]
    assert "--practices --format csv" in err
    code, out, err = run_cli(["export", "--practices", "--format", "csv", "--output", "-"],
                             practised)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and err == ""
    assert [(r["skill"], r["minutes"], r["helped"], r["stopped"]) for r in rows] == [
        ("paced_breathing", "1", "4", "no"), ("stop", "0.5", "", "yes"),
        ("self_soothe", "2.1", "8", "no")]
    assert rows[0]["started_at"] == "2026-11-26T20:00:00+00:00"


def test_export_csv_cells_are_safe_in_a_spreadsheet(companion_home):
    practice(companion_home, "check_the_facts", "=HYPERLINK(1)")
    code, out, _ = run_cli(["export", "--practices", "--format", "csv", "--output", "-"],
                           companion_home)
    [row] = csv.DictReader(io.StringIO(out))
    assert code == 0 and row["name"] == "'=HYPERLINK(1)"


def test_export_with_practices_but_no_sessions(companion_home, tmp_path):
    practice(companion_home)
    code, out, _ = run_cli(["export", "--output", "-"], companion_home)
    assert code == 0 and out.startswith("## Skills practised")
    code, _, err = run_cli(["export", "--format", "csv", "--output", "-"], companion_home)
    assert code == 2 and "(your practices: --practices)" in err
    target = tmp_path / "p.md"
    code, out, _ = run_cli(["export", "--practices", "--output", str(target)], companion_home)
    assert code == 0 and "Wrote 1 practice to" in out and "Paced breathing" in target.read_text()


def test_export_practices_bad_input(practised, companion_home):
    code, _, err = run_cli(["export", "aaa", "--practices"], practised)
    assert code == 2 and "not both" in err
    today = datetime.now().date().isoformat()  # after every practice of the fixture
    code, _, err = run_cli(["export", "--practices", "--since", today], practised)
    assert code == 2 and f"No practices since {today}" in err


def test_exporting_one_session_leaves_the_practices_out(practised):
    code, out, _ = run_cli(["export", "aaa", "--output", "-"], practised)
    assert code == 0 and "Skills practised" not in out


# --- forget -------------------------------------------------------------------------------------


def ids(home):
    return sorted(r["skill"] for r in PracticeStore(home).records())


def test_forget_a_days_practices_or_the_last(practised):
    code, out, _ = run_cli(["forget", "--practices", "2026-11-26"], practised)
    assert code == 0 and "Deleted 2 practices." in out
    assert ids(practised) == ["self_soothe"]
    code, out, _ = run_cli(["forget", "--practices", "last"], practised)
    assert code == 0 and "Deleted 1 practice (" in out and ids(practised) == []
    assert sorted(p.name for p in (practised / "sessions").glob("*.json")) == \
        ["aaa111.json", "aab222.json"]  # sessions untouched


def test_forget_one_practice_by_its_id(practised):
    target = next(r for r in PracticeStore(practised).records() if r["skill"] == "stop")
    code, out, _ = run_cli(["forget", "--practices", target["id"][:17]], practised)
    assert code == 0 and f"Deleted 1 practice ({target['id']})." in out
    assert ids(practised) == ["paced_breathing", "self_soothe"]
    code, _, err = run_cli(["forget", "--practices", "2026"], practised)
    assert code == 5 and "matches 2 practices" in err


def test_forget_every_practice_needs_confirmation(practised):
    code, _, err = run_cli(["forget", "--practices"], practised)
    assert code == 2 and "all 3 saved practices" in err and "--yes" in err
    code, out, _ = run_cli(["forget", "--practices"], practised, FakeTerminal(b"no\n"))
    assert code == 14 and "Nothing was deleted." in out and len(ids(practised)) == 3
    code, out, err = run_cli(["forget", "--practices"], practised, FakeTerminal(b"yes\n"))
    assert code == 0 and "Deleted 3 practices." in out and "cannot be undone" in err
    assert ids(practised) == [] and len(list((practised / "sessions").glob("*.json"))) == 2
    code, out, _ = run_cli(["forget", "--practices", "--yes"], practised)
    assert code == 0 and "no saved practices" in out


def test_forget_practices_usage(practised):
    code, _, err = run_cli(["forget", "aaa", "--practices"], practised)
    assert code == 2 and "one at a time" in err
    code, _, err = run_cli(["forget", "--all", "--practices", "--yes"], practised)
    assert code == 2 and "one at a time" in err
    code, _, err = run_cli(["forget", "--practices", "2020-01-01"], practised)
    assert code == 5 and "No practice matches" in err


def test_forget_all_sessions_says_the_practices_are_kept(practised):
    code, out, _ = run_cli(["forget", "--all", "--yes"], practised)
    assert code == 0 and "3 skill practices are kept; `companion forget --practices`" in out
    assert len(ids(practised)) == 3


def test_a_practice_being_guided_elsewhere_is_kept(practised):
    store = PracticeStore(practised)
    busy = next(r["id"] for r in store.records() if r["skill"] == "stop")
    proc = holder(store.lock_path(busy))
    try:
        code, out, err = run_cli(["forget", "--practices", "--yes"], practised)
        one_code, _, one_err = run_cli(["forget", "--practices", busy], practised)
    finally:
        proc.kill()
        proc.wait()
    assert code == 11 and "Deleted 2 practices." in out and "Kept 1 being guided" in out
    assert "another companion window" in err and ids(practised) == ["stop"]
    assert one_code == 11 and "another companion window" in one_err


# --- reflect ------------------------------------------------------------------------------------


def test_reflect_counts_this_weeks_practices(companion_home):
    make(companion_home, "aab222", "2026-11-20T21:00:00+00:00", complete=False)
    now = datetime.now(UTC).replace(microsecond=0)
    for hours, helped in ((1, 5), (20, 6), (40, 7)):
        practice(companion_home, at=now - timedelta(hours=hours), helped=helped)
    practice(companion_home, at=now - timedelta(days=10), helped=0)  # not this week
    practice(companion_home, "stop", "STOP", at=now - timedelta(hours=2), helped=None)
    code, out, err = run_cli(["reflect", "aab", "--typed", "--no-speak"], companion_home,
                             b"tipp\n9\nno\ncold water works\n")
    assert code == 0, err
    assert "You practised paced breathing 3 times this week; on average it helped 6 out of " \
           "10." in out
    assert "You practised STOP once this week." in out
    assert out.index("Let's look back") < out.index("You practised") < \
        out.index("Which skills did you end up using?")


def test_reflect_with_nothing_practised_says_nothing_of_it(companion_home):
    make(companion_home, "aab222", "2026-11-20T21:00:00+00:00", complete=False)
    code, out, _ = run_cli(["reflect", "aab", "--typed", "--no-speak"], companion_home,
                           b"tipp\n9\nno\ncold water works\n")
    assert code == 0 and "You practised" not in out


def test_look_back_wording():
    summary = [
        {"skill": "paced_breathing", "name": "Paced breathing", "practices": 4,
         "average_help": 6.5},
        {"skill": "stop", "name": "STOP", "practices": 2, "average_help": 3},
        {"skill": "self_soothe", "name": "Self-soothe with the five senses", "practices": 1,
         "average_help": None},
        {"skill": "pros_and_cons", "name": "Pros and cons", "practices": 1,
         "average_help": 9},
    ]
    assert look_back(summary) == [
        "You practised paced breathing 4 times this week; on average it helped 6.5 out of 10.",
        "You practised STOP twice this week; on average it helped 3 out of 10.",
        "You practised self-soothe with the five senses once this week.",
    ]
    assert look_back([]) == []
