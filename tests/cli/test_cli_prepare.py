"""`companion prepare` through the CLI: scripted typed answers, JSON output, files, bad input."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import time

from companion.cli.main import main
from companion.errors import ExitCode
from tests.fakes import RecordingSpeaker, read_only

ANSWERS = ["my roommate ate my food again and laughed at me", "angry and kind of hurt",
           "like a seven", "i want to yell at her", "5", "i tried paced breathing",
           "what to say to her tonight", "listen to music in my room"]


def run_cli(argv, stdin_bytes, env):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, env=env, stdin=io.BytesIO(stdin_bytes), stdout=out, stderr=err,
                make_speaker=lambda voice: RecordingSpeaker())
    return code, out.getvalue(), err.getvalue()


def env_for(home):
    return {"COMPANION_HOME": str(home), "HOME": str(home.parent)}


def test_piped_answers_give_one_json_record(companion_home):
    stdin = ("\n".join(ANSWERS) + "\n").encode()
    code, out, err = run_cli(["prepare", "--typed", "--no-speak", "--json"], stdin,
                             env_for(companion_home))
    assert code == 0, err
    record = json.loads(out)  # nothing else on stdout
    assert record["complete"] is True
    assert len(record["summary"].split()) <= 75
    assert "angry" in record["summary"] and "7 out of 10" in record["summary"]
    assert record["answers"]["emotions"]["emotions"][:1] == ["anger"]
    assert record["answers"]["intensity"]["intensity"] == 7
    assert "aggression" in record["answers"]["urges"]["urges"]
    assert "tipp" in record["answers"]["skills_tried"]["skills"]
    for key in ("id", "summary", "answers", "suggested_skills", "files", "complete"):
        assert key in record
    for path in record["files"].values():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(companion_home).st_mode) == 0o700
    assert "READ THIS ON YOUR CALL" in err  # the UI went to stderr


def test_bare_companion_means_prepare(companion_home):
    stdin = ("\n".join(ANSWERS) + "\n").encode()
    code, out, _ = run_cli(["--typed", "--no-speak"], stdin, env_for(companion_home))
    assert code == 0 and "READ THIS ON YOUR CALL" in out


def test_eof_midway_keeps_answers_and_says_how_to_resume(companion_home):
    code, out, err = run_cli(["prepare", "--typed", "--no-speak", "--json"], b"first\nsad\n",
                             env_for(companion_home))
    record = json.loads(out)
    assert code == ExitCode.INCOMPLETE and not record["complete"]
    assert f"companion resume {record['id']}" in err
    assert set(record["answers"]) == {"situation", "emotions"}


def test_invalid_utf8_control_chars_and_huge_answer(companion_home):
    huge = " ".join(["and then it all went wrong"] * 850)  # about 5,000 words
    lines = [b"my \xff\xfe mom \x1b[31m called", b"sad\x00", b"8", b"none",
             huge.encode(), b"help me not text him", b"sleep"]
    code, out, err = run_cli(["prepare", "--typed", "--no-speak", "--json"], b"\n".join(lines) + b"\n",
                             env_for(companion_home))
    assert code == 0, err
    record = json.loads(out)
    assert "\x1b" not in record["answers"]["situation"]["text"]
    assert "\ufffd" in record["answers"]["situation"]["text"]
    assert len(record["answers"]["skills_tried"]["text"].split()) > 4000
    assert len(record["summary"].split()) <= 75


def test_invalid_worksheet_is_one_clear_line(tmp_path, companion_home):
    bad = tmp_path / "w.toml"
    bad.write_text('[[prompt]]\nid = "x"\nkind = "free"\n')
    code, out, err = run_cli(["prepare", "--typed", "--no-speak", "--worksheet", str(bad)], b"",
                             env_for(companion_home))
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and "missing field 'text'" in err and str(bad) in err


def test_unwritable_data_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    with read_only(locked):
        code, _, err = run_cli(["prepare", "--typed", "--no-speak"], b"x\n",
                               env_for(locked / "home"))
    assert code == 4 and "COMPANION_HOME" in err and "Traceback" not in err


def test_data_folder_that_is_a_file(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    code, _, err = run_cli(["prepare", "--typed", "--no-speak"], b"x\n", env_for(blocker / "home"))
    assert code == 4 and "COMPANION_HOME" in err and "Traceback" not in err


def test_killed_process_leaves_every_given_answer_on_disk(companion_home):
    env = dict(os.environ, COMPANION_HOME=str(companion_home))
    proc = subprocess.Popen([sys.executable, "-m", "companion", "prepare", "--typed",
                             "--no-speak"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)
    try:
        for line in ANSWERS[:3]:
            proc.stdin.write((line + "\n").encode())
        proc.stdin.flush()
        answers = {}
        for _ in range(300):  # poll for the third answer, up to ~30 s
            files = list((companion_home / "sessions").glob("*.json"))
            if files:
                try:
                    answers = json.loads(files[0].read_text())["answers"]
                except (ValueError, OSError):
                    answers = {}
            if len(answers) == 3:
                break
            time.sleep(0.1)
    finally:
        proc.kill()
        proc.wait()
    record = json.loads(files[0].read_text())
    assert [record["answers"][k]["text"] for k in ("situation", "emotions", "intensity")] == \
        ANSWERS[:3]
    assert record["complete"] is False
    assert not list((companion_home / "sessions").glob(".*.tmp"))
