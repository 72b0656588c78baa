"""The packaged data files (TOML a clinician can review) and the one way they are read."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any


class DataError(ValueError):
    """A packaged or user data file that cannot be used; the message names file and problem."""


def read_text(*parts: str) -> str:
    """The text of a packaged data file, e.g. read_text("vocab", "crisis.toml")."""
    return resources.files(__name__).joinpath(*parts).read_text("utf-8")


def read_bytes(*parts: str) -> bytes:
    """The bytes of a packaged data file (e.g. precomputed embeddings)."""
    return resources.files(__name__).joinpath(*parts).read_bytes()


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """TOML text as a dict; DataError names the source when it does not parse."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{source}: not valid TOML ({exc})") from exc


@cache
def load_data(*parts: str) -> dict[str, Any]:
    """A packaged TOML data file under companion/data (cached per process)."""
    return parse_toml(read_text(*parts), "/".join(parts))


def list_files(folder: str, suffix: str = ".toml") -> dict[str, str]:
    """{stem: text} of the packaged data files in one folder."""
    root = resources.files(__name__).joinpath(folder)
    return {p.name.removesuffix(suffix): p.read_text("utf-8") for p in root.iterdir()
            if p.name.endswith(suffix)}


def check_keys(table: dict[str, Any], allowed: Iterable[str], where: str) -> None:
    """DataError when `table` has a key outside `allowed` (a misspelt key is never ignored)."""
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise DataError(f"{where}: unknown key(s) {', '.join(unknown)}; "
                        f"allowed: {', '.join(sorted(allowed))}")
