"""Which files make a model folder usable, per engine (no engine imported)."""

from __future__ import annotations

from pathlib import Path

VOSK_FILES = ("am/final.mdl", "conf/mfcc.conf")
VOSK_GRAPHS = (("graph/HCLG.fst",), ("graph/HCLr.fst", "graph/Gr.fst"))
"""A Vosk model needs one of these sets of graph files."""
WHISPER_FILES = ("model.bin", "config.json")
WHISPER_TOKENIZERS = ("tokenizer.json", "vocabulary.txt", "vocabulary.json")


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
