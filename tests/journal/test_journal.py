"""The journal on disk: listing, ids and prefixes, upgrades, damaged and stray files, forget."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

import pytest

from companion.dialog import worksheet
from companion.dialog.session import new_record
from companion.errors import RecordError, StorageError
from companion.journal import history as journal_module
from companion.journal.history import Journal, upgrade
from companion.journal.store import SCHEMA_VERSION, SessionStore
from tests.fakes import read_only


def make(home, sid, started="2026-11-20T10:00:00+00:00", **extra):
    """Save a real record (via the store) with a chosen id and start time."""
    record = new_record(worksheet.load_default(), sid, datetime.fromisoformat(started), "typed")
    record["answers"]["situation"] = {"kind": "free", "text": f"story {sid}", "skipped": False}
    record.update(extra)
    SessionStore(home).save(record)
    return record


@pytest.fixture
def journal(companion_home):
    return Journal(companion_home)


def test_empty_or_missing_journal(journal):
    assert journal.ids() == [] and journal.records() == []
    with pytest.raises(RecordError, match="no saved sessions"):
        journal.resolve("last")


def test_records_newest_first_across_time_zones(journal, companion_home):
    make(companion_home, "aaa111", "2026-11-20T10:00:00+00:00")
    make(companion_home, "bbb222", "2026-11-20T06:00:00-05:00")  # 11:00 UTC: newest
    make(companion_home, "ccc333", "2026-11-19T23:00:00+00:00")
    assert [r["id"] for r in journal.records()] == ["bbb222", "aaa111", "ccc333"]
    assert journal.resolve("last") == "bbb222"
    assert journal.resolve("LAST") == "bbb222"


@pytest.mark.parametrize("ref, expected", [
    ("abc123", "abc123"), ("abc1", "abc123"), ("abd", "abd999"), ("ABC1", "abc123"),
    (" abd9 ", "abd999"),
])
def test_unique_prefixes_resolve(journal, companion_home, ref, expected):
    make(companion_home, "abc123")
    make(companion_home, "abc456")
    make(companion_home, "abd999")
    assert journal.resolve(ref) == expected
    assert journal.get(ref)["id"] == expected


def test_ambiguous_prefix_lists_the_candidates(journal, companion_home):
    make(companion_home, "abc123", "2026-11-01T08:30:00+00:00")
    make(companion_home, "abc456")
    with pytest.raises(RecordError) as caught:
        journal.resolve("ab")
    message = str(caught.value)
    assert "matches 2 sessions" in message
    assert "abc123 (2026-11-01 08:30)" in message and "abc456" in message


@pytest.mark.parametrize("ref", ["zzz", "abc1234", ""])
def test_unknown_id(journal, companion_home, ref):
    make(companion_home, "abc123")
    with pytest.raises(RecordError, match="companion history"):
        journal.resolve(ref)


def test_damaged_half_written_and_stray_files_are_skipped(journal, companion_home, caplog):
    make(companion_home, "aaa111")
    folder = companion_home / "sessions"
    (folder / "bad000.json").write_text('{"schema_version": 1, "id": "bad0')  # cut off
    (folder / "bad111.json").write_text('["not", "a", "record"]')
    (folder / "bad222.json").write_bytes(b"\xff\xfe\x00garbage")
    (folder / "bad333.json").write_text('{"id": "bad333", "answers": "oops", "prompts": []}')
    (folder / "e00000.json").write_text("")  # an id reserved by a session that never saved
    (folder / "notes.txt").write_text("my own notes")
    (folder / "README.json").write_text("{}")
    (folder / ".aaa111.json.x1y2.tmp").write_text("{")
    (folder / "abcdef.json.bak").write_text("{")
    (folder / "subfolder").mkdir()
    with caplog.at_level(logging.WARNING, logger="companion.journal.history"):
        records = journal.records()
    assert [r["id"] for r in records] == ["aaa111"]
    for name in ("bad000.json", "bad111.json", "bad222.json", "bad333.json"):
        assert name in caplog.text
    assert "README" not in caplog.text and "notes" not in caplog.text
    with pytest.raises(RecordError, match="bad000.json is damaged or half-written"):
        journal.get("bad0")
    assert journal.resolve("last") == "aaa111"


def test_version_zero_record_is_upgraded_in_memory_only(journal, companion_home):
    folder = companion_home / "sessions"
    folder.mkdir(parents=True)
    old = {"id": "01d000", "started_at": "2025-01-05T09:00:00", "complete": False,
           "answers": {"situation": {"prompt": "What's happening?", "kind": "free",
                                     "text": "an old one", "skipped": False}}}
    path = folder / "01d000.json"
    path.write_text(json.dumps(old))
    before = path.read_bytes()
    record = journal.get("01d")
    assert record["schema_version"] == SCHEMA_VERSION
    assert record["status"] == "interrupted" and record["events"] == []
    assert record["prompts"] == [{"id": "situation", "kind": "free", "text": "What's happening?"}]
    assert record["safety"]["crisis"] is False and record["summary"] is None
    assert path.read_bytes() == before


def test_upgrades_run_in_order_one_step_at_a_time():
    steps = []
    assert set(journal_module.UPGRADES) == set(range(SCHEMA_VERSION))
    for version, step in sorted(journal_module.UPGRADES.items()):
        record = {"schema_version": version, "id": "x", "answers": {}, "started_at": "2026"}
        steps.append(step(record) is not None)
    assert all(steps)
    assert upgrade({"id": "x", "answers": {}})["schema_version"] == SCHEMA_VERSION


@pytest.mark.parametrize("version", ["1", -1, True, 1.5])
def test_unreadable_schema_version(version):
    with pytest.raises(RecordError, match="schema_version"):
        upgrade({"schema_version": version})


def test_newer_record_is_left_untouched_and_skipped(journal, companion_home, caplog):
    make(companion_home, "aaa111")
    folder = companion_home / "sessions"
    future = {"schema_version": SCHEMA_VERSION + 1, "id": "f00000", "answers": {},
              "started_at": "2026-12-01T10:00:00+00:00", "prompts": [], "hologram": True}
    path = folder / "f00000.json"
    path.write_text(json.dumps(future))
    before = path.read_bytes()
    with caplog.at_level(logging.WARNING, logger="companion.journal.history"):
        assert [r["id"] for r in journal.records()] == ["aaa111"]
    assert "f00000.json was saved by a newer version of companion" in caplog.text
    with pytest.raises(RecordError, match="Update companion to open it"):
        journal.get("f0")
    assert path.read_bytes() == before


def test_forget_removes_the_session_files_only(journal, companion_home, tmp_path):
    outside = tmp_path / "not-ours.txt"
    outside.write_text("keep me")
    inside = companion_home / "audio" / "aaa111"
    inside.mkdir(parents=True)
    (inside / "1.wav").write_bytes(b"RIFF")
    make(companion_home, "aaa111")
    make(companion_home, "bbb222")
    path = companion_home / "sessions" / "aaa111.json"
    data = json.loads(path.read_text())
    data["files"].update({"audio": str(inside), "elsewhere": str(outside)})
    path.write_text(json.dumps(data))
    removed = journal.forget("aaa111")
    assert {p.name for p in removed} == {"aaa111.json", "aaa111.md", "aaa111"}
    assert outside.read_text() == "keep me" and not inside.exists()
    assert journal.ids() == ["bbb222"]
    assert journal.forget("aaa111") == []


def test_save_reflection_keeps_earlier_reflections(journal, companion_home):
    record = make(companion_home, "aaa111")
    now = datetime(2026, 11, 21, 9, tzinfo=UTC)
    first = {"complete": True, "skills": ["tipp"], "helped": {"tipp": 7}}
    journal.save_reflection(record, first, now)
    second = {"complete": False, "skills": []}
    journal.save_reflection(record, second, now)
    on_disk = journal.get("aaa111")
    assert on_disk["reflection"] == second and on_disk["earlier_reflections"] == [first]
    assert on_disk["updated_at"] == "2026-11-21T09:00:00+00:00"
    assert oct(os.stat(companion_home / "sessions" / "aaa111.json").st_mode)[-3:] == "600"
    transcript = (companion_home / "sessions" / "aaa111.md").read_text()
    assert "## Reflection after the call" in transcript and "(not finished" in transcript


def test_read_only_folder_gives_storage_errors(journal, companion_home):
    record = make(companion_home, "aaa111")
    folder = companion_home / "sessions"
    with read_only(folder):
        assert [r["id"] for r in journal.records()] == ["aaa111"]  # reading still works
        with pytest.raises(StorageError, match="COMPANION_HOME"):
            journal.save_reflection(record, {"complete": True},
                                    datetime(2026, 11, 21, tzinfo=UTC))
        with pytest.raises(StorageError, match="Cannot delete"):
            journal.forget("aaa111")
    assert journal.get("aaa111").get("reflection") is None
