"""The practice journal: one owner-only file per practice, and what history, progress and
export read of them."""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from companion.errors import RecordError, SessionBusy
from companion.journal.practice_render import (
    practice_lines,
    practices_csv,
    practices_markdown,
    practices_text,
    summary_lines,
)
from companion.journal.practices import (
    PracticeStore,
    new_practice,
    practice_rows,
    practice_summary,
)
from tests.journal.test_lock import holder

DAY = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)


def practice(home, skill="paced_breathing", name="Paced breathing", *, at=DAY, seconds=62.0,
             status="completed", helped=6):
    record = new_practice(at, mode="typed", offered_by="command")
    record.update(skill=skill, name=name, kind="timed", seconds=seconds, status=status,
                  helped=helped, stopped_by=None if status == "completed" else "stop")
    PracticeStore(home).save(record)
    return record


def test_saved_owner_only_with_schema_version(companion_home):
    record = practice(companion_home)
    path = PracticeStore(companion_home).path(record["id"])
    assert path.parent == companion_home / "practices"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    saved = json.loads(path.read_text())
    assert saved["schema_version"] == 1 and saved["skill"] == "paced_breathing"
    assert not list(path.parent.glob(".*.tmp"))


def test_rows_lines_and_summary(companion_home):
    practice(companion_home, at=DAY, helped=4)
    practice(companion_home, at=DAY + timedelta(hours=1), helped=7, seconds=185)
    practice(companion_home, "pros_and_cons", "Pros and cons", at=DAY + timedelta(days=1),
             seconds=20, status="stopped", helped=None)
    rows = practice_rows(companion_home)
    assert [r["skill"] for r in rows] == ["pros_and_cons", "paced_breathing", "paced_breathing"]
    assert rows[1]["minutes"] == 3.1 and rows[1]["helped"] == 7
    assert rows[0]["date"] == "2026-11-27 20:00" and rows[0]["status"] == "stopped"
    lines = practice_lines(companion_home)
    assert lines[0] == "Skills practised:"
    assert "Pros and cons" in lines[1] and "<1 min" in lines[1] and "stopped" in lines[1]
    assert "3 min" in lines[2] and "completed, helped 7/10" in lines[2]
    summary = practice_summary(companion_home)
    assert summary[0] == {"skill": "paced_breathing", "name": "Paced breathing", "practices": 2,
                          "completed": 2, "minutes": 4.1, "ratings": 2, "average_help": 5.5}
    assert summary[1]["average_help"] is None
    table = summary_lines(summary)
    assert "Paced breathing" in table[1] and "5.5 (2 ratings)" in table[1]
    assert practice_rows(companion_home, since=date(2026, 11, 27))[0]["skill"] == "pros_and_cons"
    assert len(practice_lines(companion_home, limit=1)) == 2


def test_markdown_for_export_oldest_first(companion_home):
    practice(companion_home, at=DAY, helped=4)
    practice(companion_home, "check_the_facts", "Check the facts | mine", at=DAY + timedelta(1))
    text = practices_markdown(companion_home)
    assert text.startswith("## Skills practised\n")
    rows = [line for line in text.splitlines() if line.startswith("| 2026")]
    assert rows[0].startswith("| 2026-11-26 20:00 | Paced breathing | 1 | completed | 4 |")
    assert "Check the facts / mine" in rows[1]


def test_nothing_practised_gives_nothing(companion_home):
    assert practice_rows(companion_home) == [] and practice_lines(companion_home) == []
    assert summary_lines(practice_summary(companion_home)) == []
    assert practices_markdown(companion_home) == ""


def test_a_practice_never_begun_is_not_listed(companion_home):
    record = new_practice(DAY, mode="typed", offered_by="prepare")
    record["safety"]["triggers"].append({"prompt": "_offer_skill"})
    PracticeStore(companion_home).save(record)
    assert practice_rows(companion_home) == []
    assert PracticeStore(companion_home).records()[0]["status"] == "not_started"


def test_damaged_and_newer_files_are_skipped_and_logged(companion_home, caplog):
    good = practice(companion_home)
    folder = companion_home / "practices"
    (folder / "20261126-200000-dead.json").write_text("{half")
    newer = dict(good, id="20261126-200000-beef", schema_version=99)
    (folder / "20261126-200000-beef.json").write_text(json.dumps(newer))
    (folder / "notes.json").write_text("not ours")
    with caplog.at_level(logging.WARNING):
        assert [r["id"] for r in PracticeStore(companion_home).records()] == [good["id"]]
    assert "cannot be read" in caplog.text and "newer version" in caplog.text
    with pytest.raises(RecordError, match="No practice"):
        PracticeStore(companion_home).load("20990101-000000-0000")


def test_rows_say_whether_a_practice_was_stopped(companion_home):
    practice(companion_home, status="stopped", helped=3)
    practice(companion_home, at=DAY + timedelta(hours=1))
    rows = practice_rows(companion_home)
    assert [(r["stopped"], r["stopped_by"]) for r in rows] == [(False, None), (True, "stop")]
    assert rows[1]["helped"] == 3


def test_text_and_csv_for_export_oldest_first(companion_home):
    practice(companion_home, at=DAY, helped=4, seconds=90)
    practice(companion_home, "check_the_facts", "=Check the facts", at=DAY + timedelta(1),
             status="stopped", helped=None)
    text = practices_text(companion_home)
    assert text.splitlines()[:2] == ["Skills practised", ""]
    assert text.splitlines()[2] == "2026-11-26 20:00  Paced breathing, 1.5 min, completed, " \
                                   "helped 4/10"
    assert text.splitlines()[3].endswith("stopped")
    rows = list(csv.DictReader(io.StringIO(practices_csv(companion_home))))
    assert [r["skill"] for r in rows] == ["paced_breathing", "check_the_facts"]
    assert (rows[0]["minutes"], rows[0]["helped"], rows[0]["stopped"]) == ("1.5", "4", "no")
    assert (rows[1]["helped"], rows[1]["stopped"], rows[1]["name"]) == \
        ("", "yes", "=Check the facts")
    guarded = list(csv.DictReader(io.StringIO(
        practices_csv(companion_home, safe=lambda v: "'" + str(v) if str(v)[:1] == "=" else
                      ("" if v is None else str(v))))))
    assert guarded[1]["name"] == "'=Check the facts"
    assert practices_text(companion_home, since=date(2026, 11, 28)) == ""


def test_resolve_by_id_prefix_last_or_day(companion_home):
    first = practice(companion_home, at=DAY)
    second = practice(companion_home, at=DAY + timedelta(hours=2))
    third = practice(companion_home, at=DAY + timedelta(days=1))
    store = PracticeStore(companion_home)
    assert store.resolve("last") == [third["id"]]
    assert store.resolve(first["id"]) == [first["id"]]
    assert store.resolve(third["id"][:9]) == [third["id"]]
    assert sorted(store.resolve("2026-11-26")) == sorted([first["id"], second["id"]])
    with pytest.raises(RecordError, match="matches 2 practices"):
        store.resolve("20261126")
    with pytest.raises(RecordError, match="No practice matches '2026-01-01'"):
        store.resolve("2026-01-01")


def test_resolve_with_no_practices(companion_home):
    with pytest.raises(RecordError, match="no saved practices"):
        PracticeStore(companion_home).resolve("last")


def test_forget_deletes_only_that_file_and_not_while_it_is_guided(companion_home):
    kept, gone = practice(companion_home), practice(companion_home, at=DAY + timedelta(1))
    store = PracticeStore(companion_home)
    assert store.forget(gone["id"]) is True and store.forget(gone["id"]) is False
    assert [r["id"] for r in store.records()] == [kept["id"]]
    proc = holder(store.lock_path(kept["id"]))
    try:
        with pytest.raises(SessionBusy, match="another companion window"):
            store.forget(kept["id"])
    finally:
        proc.kill()
        proc.wait()
    assert store.path(kept["id"]).exists()
