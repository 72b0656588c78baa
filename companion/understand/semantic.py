"""The semantic layer: answers compared in meaning with labelled exemplars (sentence embeddings),
adding to what the phrase rules found — skills described, not named; paraphrased crisis."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from companion.data import load_data, read_bytes

log = logging.getLogger(__name__)
BANK = ("semantic", "exemplars.npz")
SETTINGS = ("semantic", "exemplars.toml")
_CLAUSES = re.compile(r"\s*(?:,|;|\.|\band then\b|\bthen\b|\band also\b|\band\b|\bbut\b)\s*")
ITEM_KINDS = ("skills", "emotions", "urges")
RECENT = 256
"""Embeddings kept for reuse (the latest replies and their clauses)."""


@dataclass(frozen=True)
class Verdict:
    """What the semantic layer adds for one answer."""

    items: tuple[str, ...] = ()
    """Emotion, urge or skill ids it found that the rules did not."""
    command: str | None = None
    crisis: str | None = None
    """'full' (the safety response), 'check' (the check-in question), 'safe' (clearly like the
    jokes, history and other people's crises: a rule's crisis match becomes a check-in) or None."""
    scores: dict[str, float] | None = None


class Semantic:
    """A loaded encoder plus the exemplar bank with its embeddings."""

    def __init__(self, encoder: Any, bank: dict[str, Any], settings: dict[str, float]) -> None:
        self.encoder, self.settings = encoder, settings
        self.vectors = bank["vectors"].astype("float32")
        self.groups = [str(g) for g in bank["groups"]]
        self.labels = [str(x).split("|") for x in bank["labels"]]
        self.texts = [str(t) for t in bank.get("texts", [])]
        self._recent: dict[str, Any] = {}
        self.rows = {g: [i for i, each in enumerate(self.groups) if each == g]
                     for g in set(self.groups)}
        self.full_rows = self.rows

    def without(self, text: str) -> Semantic:
        """This layer with one exemplar text left out (leave-one-out scoring of a training set,
        so a sentence is never judged by itself)."""
        clone = object.__new__(Semantic)
        clone.__dict__.update(self.__dict__)
        key = " ".join(text.lower().split())
        clone.rows = {g: [i for i in rows if self.texts[i] != key] for g, rows in
                      self.full_rows.items()} if self.texts else self.rows
        return clone

    @classmethod
    def load(cls) -> Semantic:
        """The encoder and the packaged bank; EncoderUnavailable when they cannot be used."""
        import io

        import numpy as np

        from companion.understand.encoder import SentenceEncoder

        encoder = SentenceEncoder.load()
        bank = dict(np.load(io.BytesIO(read_bytes(*BANK)), allow_pickle=False))
        return cls(encoder, bank, load_data(*SETTINGS)["settings"])

    def judge(self, text: str, kind: str, found: tuple[str, ...] = (),
              command: str | None = None) -> Verdict:
        """What the meaning of `text` adds at a question of `kind`, given what rules found."""
        clauses = [c for c in _CLAUSES.split(text.lower()) if len(c.split()) >= 2]
        texts = [text.lower(), *clauses[:8]] if kind in ITEM_KINDS else [text.lower()]
        vectors = self._encode(texts)
        scores: dict[str, float] = {}
        items: tuple[str, ...] = ()
        if kind in ITEM_KINDS and not (kind == "emotions" and found):
            # emotions named by the rules are not added to (blind3 leave-one-out: F1 fell)
            items = self._items(kind, vectors, found, scores)
        said = None
        if command is None and len(text.split()) <= self.settings["command_max_words"]:
            said = self._command(vectors[0], scores)
        return Verdict(items, said, self._crisis(vectors, scores), scores)

    def _encode(self, texts: list[str]) -> Any:
        """Embeddings, each text encoded once: the dialog engine asks about a reply twice
        (is it a command? what does it mean?)."""
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self._recent]
        if missing:
            if len(self._recent) > RECENT:
                self._recent.clear()
            self._recent.update(zip(missing, self.encoder.encode(missing), strict=True))
        return np.stack([self._recent[t] for t in texts])

    def _nearest(self, group: str, vector: Any) -> tuple[float, list[str]]:
        rows = self.rows.get(group, [])
        if not rows:
            return 0.0, []
        sims = self.vectors[rows] @ vector
        best = int(sims.argmax())
        return float(sims[best]), self.labels[rows[best]]

    def _items(self, kind: str, vectors: Any, found: tuple[str, ...],
               scores: dict[str, float]) -> tuple[str, ...]:
        out: list[str] = []
        for vector in vectors:
            sim, labels = self._nearest(kind, vector)
            scores[kind] = max(scores.get(kind, 0.0), sim)
            if sim >= self.settings[kind]:
                out += [x for x in labels if x != "none" and x not in found and x not in out]
        return tuple(out)

    def _command(self, vector: Any, scores: dict[str, float]) -> str | None:
        sim, labels = self._nearest("command", vector)
        scores["command"] = sim
        if sim >= self.settings["command"] and labels and labels[0] != "none":
            return labels[0]
        return None

    def _crisis(self, vectors: Any, scores: dict[str, float]) -> str | None:
        rows = self.rows.get("crisis", [])
        if not rows:
            return None
        sims = self.vectors[rows] @ vectors.T  # exemplars x (answer and its clauses)
        crisis = [i for i, r in enumerate(rows) if "crisis" in self.labels[r]]
        safe = [i for i, r in enumerate(rows) if "crisis" not in self.labels[r]]
        pos = float(sims[crisis].max()) if crisis else 0.0
        neg = float(sims[safe].max()) if safe else 0.0
        scores["crisis"], scores["safe"] = pos, neg
        if neg - pos >= self.settings["crisis_veto"]:
            return "safe"  # much closer to jokes, history, other people's crises
        if pos - neg < self.settings["crisis_margin"]:
            return None
        if pos >= self.settings["crisis_full"]:
            return "full"
        return "check" if pos >= self.settings["crisis_check"] else None


class Loader:
    """Loads the semantic layer once, in the background; understanding never waits for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.value: Semantic | None = None
        self.problem: str | None = None
        self.disabled = False

    def disable(self, reason: str = "turned off (--rules-only)") -> None:
        """Rules only from now on (a flag, or tests that must not depend on load timing)."""
        self.disabled, self.value, self.problem = True, None, reason

    def start(self) -> None:
        with self._lock:
            if self._thread is None and not self.disabled:
                self._thread = threading.Thread(target=self._load, name="semantic-load",
                                                daemon=True)
                self._thread.start()

    def wait(self, timeout: float | None = None) -> Semantic | None:
        """The layer once loaded (None if it cannot be: the rules work alone)."""
        self.start()
        if self._thread is not None:
            self._thread.join(timeout)
        return self.value

    def _load(self) -> None:
        from companion.understand.encoder import EncoderUnavailable

        try:
            value = Semantic.load()
            if not self.disabled:
                self.value = value
        except (EncoderUnavailable, OSError, KeyError, ValueError) as exc:
            self.problem = str(exc)
            log.info("semantic understanding unavailable, rules only: %s", exc)


@cache
def loader() -> Loader:
    """The process's one loader (started by the commands that listen to answers)."""
    return Loader()


def combine(result: Any, verdict: Verdict, kind: str) -> tuple[Any, dict[str, str]]:
    """The rules' Analysis with the semantic additions, and which layer decided what."""
    layers: dict[str, str] = {}
    changes: dict[str, Any] = {}
    if verdict.items and kind in ITEM_KINDS:
        changes[kind] = (*getattr(result, kind), *verdict.items)
        layers[kind] = "rule+semantic" if getattr(result, kind) else "semantic"
    if verdict.command and result.command is None:
        changes["command"] = verdict.command
        layers["command"] = "semantic"
    if verdict.crisis == "full" and not result.crisis:
        changes["crisis"], changes["crisis_kinds"] = True, ("suicide",)
        layers["crisis"] = "semantic"
    elif verdict.crisis == "check" and not result.crisis:
        changes["possible_crisis"] = True
        layers["crisis"] = "semantic (check-in)"
    elif verdict.crisis == "safe" and result.crisis and kind != "urges":
        # graded: the full response becomes the check-in question, never nothing
        changes["crisis"], changes["crisis_kinds"] = False, ()
        changes["possible_crisis"] = True
        layers["crisis"] = "semantic (rule match downgraded to check-in)"
    return (replace(result, **changes) if changes else result), layers
