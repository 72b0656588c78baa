"""Atomic, owner-only storage and collision-free session ids."""

from __future__ import annotations

import json
import os
import stat

import pytest

from companion.errors import StorageError
from companion.journal import atomic
from companion.journal.store import SessionStore
from companion.paths import default_home


def test_atomic_write_is_owner_only_and_leaves_no_temp(tmp_path):
    path = tmp_path / "a" / "b.json"
    atomic.write_json(path, {"x": 1})
    atomic.write_json(path, {"x": 2})
    assert json.loads(path.read_text()) == {"x": 2}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["b.json"]


def test_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "keep.json"
    atomic.write_json(path, {"kept": True})
    with pytest.raises(TypeError):
        atomic.write_json(path, {"bad": object()})
    assert json.loads(path.read_text()) == {"kept": True}


def test_ids_are_short_unique_and_reserved(companion_home):
    store = SessionStore(companion_home)
    ids = {store.new_id() for _ in range(200)}
    assert len(ids) == 200 and all(len(i) == 6 for i in ids)
    assert all(store.json_path(i).exists() for i in ids)


def test_storage_error_when_home_is_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StorageError, match="COMPANION_HOME"):
        SessionStore(blocker / "x").new_id()


@pytest.mark.parametrize(
    "env, platform, expected",
    [
        ({"COMPANION_HOME": "/data/c", "HOME": "/h"}, "linux", "/data/c"),
        ({"HOME": "/h"}, "linux", "/h/.local/share/companion"),
        ({"HOME": "/h", "XDG_DATA_HOME": "/x"}, "linux", "/x/companion"),
        ({"HOME": "/h"}, "darwin", "/h/Library/Application Support/companion"),
        ({"HOME": "/h", "APPDATA": "/appdata"}, "win32", "/appdata/companion"),
    ],
)
def test_default_home(env, platform, expected):
    assert str(default_home(env, platform)) == expected
