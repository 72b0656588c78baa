"""Whole conversations, as a client would have them, played through the real command line."""

from __future__ import annotations

import pytest

from tests.dialog.conversation import HERE, Mismatch, play, problems

FILES = sorted(HERE.glob("*.toml"))


def test_there_are_enough_conversations():
    assert len(FILES) >= 60


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_conversation(path, tmp_path):
    try:
        script, record, screen, code = play(path, tmp_path / "home")
    except Mismatch as exc:
        pytest.fail(f"{path.name}: {exc}")
    wrong = problems(script, record, screen, code)
    assert wrong == [], f"{path.name} ({script.get('title')}):\n  " + "\n  ".join(wrong)
