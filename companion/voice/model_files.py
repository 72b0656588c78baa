"""Which files make a model folder usable, per engine (no engine imported); and the models
`companion model download` can fetch, read from data/voice.toml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.data import DataError, check_keys, load_data

VOSK_FILES = ("am/final.mdl", "conf/mfcc.conf")
VOSK_GRAPHS = (("graph/HCLG.fst",), ("graph/HCLr.fst", "graph/Gr.fst"))
"""A Vosk model needs one of these sets of graph files."""
WHISPER_FILES = ("model.bin", "config.json")
WHISPER_TOKENIZERS = ("tokenizer.json", "vocabulary.txt", "vocabulary.json")
DEFAULT_DOWNLOAD = "vosk-small"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def vosk_missing(path: Path) -> tuple[str, ...]:
    """The Vosk files a folder lacks; () for a complete model."""
    missing = [f for f in VOSK_FILES if not (path / f).is_file()]
    static, lookahead = ([f for f in group if not (path / f).is_file()] for group in VOSK_GRAPHS)
    if static and lookahead:  # neither graph is complete: name the one begun, else HCLG.fst
        missing += lookahead if len(lookahead) < len(VOSK_GRAPHS[1]) else static
    return tuple(missing)


def whisper_missing(path: Path) -> tuple[str, ...]:
    """The CTranslate2 Whisper files a folder lacks; () for a complete model."""
    missing = [f for f in WHISPER_FILES if not (path / f).is_file()]
    if not any((path / f).is_file() for f in WHISPER_TOKENIZERS):
        missing.append("tokenizer.json")
    return tuple(missing)


def missing_files(engine: str, path: Path) -> tuple[str, ...]:
    """The files a model folder of `engine` (vosk or whisper) lacks."""
    return vosk_missing(path) if engine == "vosk" else whisper_missing(path)


def weights_size(engine: str, path: Path) -> int:
    """Bytes of a model's weights (Vosk am/final.mdl, Whisper model.bin); 0 when unreadable."""
    try:
        return (path / ("model.bin" if engine == "whisper" else "am/final.mdl")).stat().st_size
    except OSError:
        return 0


@dataclass(frozen=True)
class Part:
    """One file to fetch, and how to know it is the right one."""

    url: str
    size: int
    """Exact length (bytes)."""
    sha256: str
    """Lower-case hex digest."""
    name: str = ""
    """Its name in the model folder; "" for a zip archive that holds the whole folder."""
    packages: tuple[str, ...] = ()
    """Where installed Python packages hold the same bytes, in order ("package/path/in/it"):
    joined, they are this file (`companion model download --from-packages`)."""


@dataclass(frozen=True)
class Download:
    """A model `companion model download --name KEY` can install."""

    key: str
    name: str
    """The model folder's name (and, for an archive, the folder inside it)."""
    engine: str
    about: str
    parts: tuple[Part, ...]

    @property
    def archive(self) -> bool:
        """One zip holding the folder (Vosk), rather than the folder's files one by one."""
        return len(self.parts) == 1 and not self.parts[0].name

    @property
    def size(self) -> int:
        """Bytes to download."""
        return sum(p.size for p in self.parts)

    @property
    def packaged(self) -> bool:
        """Whether every file also comes from Python packages."""
        return all(p.packages for p in self.parts)


def downloads() -> dict[str, Download]:
    """{key: Download} in the order of data/voice.toml; DataError when an entry is malformed."""
    found: dict[str, Download] = {}
    for i, entry in enumerate(load_data("voice.toml").get("download", [])):
        item = _download(entry, f"voice.toml [[download]] #{i + 1}")
        found[item.key] = item
    return found


def find_download(name: str) -> Download | None:
    """The download called `name`: its key (vosk-large) or its folder name."""
    table = downloads()
    return table.get(name) or next((d for d in table.values() if d.name == name), None)


def _download(entry: dict[str, Any], where: str) -> Download:
    check_keys(entry, ("key", "name", "engine", "about", "url", "bytes", "sha256", "files"), where)
    if entry.get("engine") not in ("vosk", "whisper"):
        raise DataError(f"{where}: engine must be vosk or whisper")
    if "files" in entry:
        parts = tuple(_part(f, f"{where} file {f.get('name')}", entry["url"])
                      for f in entry["files"])
    else:
        parts = (_part({k: entry.get(k) for k in ("bytes", "sha256")}, where, entry["url"]),)
    return Download(str(entry["key"]), str(entry["name"]), entry["engine"],
                    str(entry.get("about", "")), parts)


def _part(item: dict[str, Any], where: str, url: str) -> Part:
    check_keys(item, ("name", "bytes", "sha256", "packages"), where)
    size, digest = item.get("bytes"), str(item.get("sha256", ""))
    if not isinstance(size, int) or size <= 0 or not _SHA256.fullmatch(digest):
        raise DataError(f"{where}: needs bytes (a positive length) and sha256 (64 hex digits)")
    name = str(item.get("name", ""))
    packages = item.get("packages", [])
    if not isinstance(packages, list) or not all(isinstance(p, str) and "/" in p
                                                 for p in packages):
        raise DataError(f"{where}: packages must be a list of \"package/path\" strings")
    return Part(url + name, size, digest, name, tuple(packages))
