"""Resume after a killed process: the answers given before the kill survive and are kept."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ANSWERS = ["my partner left for the weekend without saying goodbye", "scared and sad", "nine",
           "i want to drink so badly", "7", "i tried self soothing",
           "how to get through tonight", "take a warm shower"]
REPO = Path(__file__).resolve().parents[2]


def wait_for_answers(folder: Path, count: int, seconds: float = 30.0) -> Path:
    """The session file once it holds `count` answers (polls the disk, as a user could)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in folder.glob("*.json"):
            try:
                if len(json.loads(path.read_text())["answers"]) >= count:
                    return path
            except (ValueError, OSError, KeyError):
                pass  # not written yet (the id is reserved by an empty file first)
        time.sleep(0.05)
    pytest.fail(f"no session file with {count} answers appeared in {seconds} s")


def test_resume_after_sigkill_keeps_the_first_answers(companion_home):
    """The kill also releases the session's lock: no stale lock blocks the resume."""
    env = dict(os.environ, COMPANION_HOME=str(companion_home))
    command = [sys.executable, "-m", "companion"]
    proc = subprocess.Popen([*command, "prepare", "--typed", "--no-speak"], cwd=REPO, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        proc.stdin.write("".join(a + "\n" for a in ANSWERS[:3]).encode())
        proc.stdin.flush()
        path = wait_for_answers(companion_home / "sessions", 3)
        before = path.read_text()
        # while the first window is still asking, a second one may neither resume nor delete it
        for args in (["resume", path.stem, "--typed", "--no-speak"], ["forget", path.stem]):
            busy = subprocess.run([*command, *args], cwd=REPO, env=env, capture_output=True,
                                  timeout=60, check=False, input=b"stop\n")
            assert busy.returncode == 11, busy.stderr.decode()
            assert b"open in another companion window" in busy.stderr
            assert b"Traceback" not in busy.stderr
        assert path.read_text() == before
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    killed = json.loads(path.read_text())
    assert killed["complete"] is False and len(killed["answers"]) == 3

    done = subprocess.run([*command, "resume", killed["id"][:3], "--typed", "--no-speak",
                           "--json"], cwd=REPO, env=env, capture_output=True, timeout=60, check=False,
                          input="".join(a + "\n" for a in ANSWERS[3:]).encode())
    assert done.returncode == 0, done.stderr.decode()
    record = json.loads(done.stdout)
    assert record["id"] == killed["id"] and record["complete"] is True
    for field, text in zip(("situation", "emotions", "intensity"), ANSWERS[:3], strict=True):
        assert record["answers"][field] == killed["answers"][field]
        assert record["answers"][field]["text"] == text
    assert record["answers"]["backup"]["text"] == ANSWERS[-1]
    assert record["answers"]["intensity"]["intensity"] == 9
    assert json.loads(path.read_text()) == record
    assert "9 out of 10" in record["summary"]
    assert not list((companion_home / "sessions").glob(".*.tmp"))
