"""Shared fixtures: every test gets its own empty COMPANION_HOME."""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the CLI does: small matrices, 2 cores

import pytest


@pytest.fixture(autouse=True)
def companion_home(tmp_path, monkeypatch):
    """A private data folder per test, so no test touches the real journal."""
    home = tmp_path / "companion-home"
    monkeypatch.setenv("COMPANION_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def rules_only():
    """Sessions understand by the phrase rules alone unless a test loads the semantic layer
    itself: whether the background load finished must never change a test's outcome."""
    from companion.understand.semantic import loader

    loader().disable("tests use the rules unless they load the semantic layer")
    yield
