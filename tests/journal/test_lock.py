"""The per-session lock: one process at a time, re-entrant within it, released by a crash."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from companion.errors import SessionBusy
from companion.journal import lock
from companion.journal.store import SessionStore

HOLDER = """
import sys, time
from pathlib import Path
from companion.journal import lock
with lock.hold(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def holder(path: Path) -> subprocess.Popen:
    """Another process holding `path`'s lock until it is killed."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE,
                            cwd=Path(__file__).resolve().parents[2])
    assert proc.stdout.readline().strip() == b"held"
    return proc


def test_another_process_holding_it_blocks_us_until_it_is_killed(tmp_path):
    path = tmp_path / ".abc123.lock"
    proc = holder(path)
    try:
        assert lock.is_held(path)
        with pytest.raises(lock.Held), lock.hold(path):
            pass
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 10
    while lock.is_held(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not lock.is_held(path)
    with lock.hold(path):
        assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    assert not path.exists()  # tidied away when released


def test_holding_it_again_inside_our_own_block_is_allowed(tmp_path):
    path = tmp_path / ".abc123.lock"
    with lock.hold(path):
        with lock.hold(path):
            assert not lock.is_held(path)  # ours, so not "held by another"
        assert path.exists()  # the inner block did not release the outer one
    assert not path.exists()


def test_store_turns_a_held_lock_into_session_busy(companion_home):
    store = SessionStore(companion_home)
    session_id = store.new_id()
    proc = holder(store.lock_path(session_id))
    try:
        assert lock.is_held(store.lock_path(session_id))
        with pytest.raises(SessionBusy, match=f"Session {session_id} is open in another"), \
                store.hold(session_id):
            pass
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def test_a_read_only_folder_is_not_an_error_for_the_lock(tmp_path):
    missing = tmp_path / "no-such-folder" / ".abc123.lock"
    with lock.hold(missing):
        entered = True
    assert entered and not missing.exists()
