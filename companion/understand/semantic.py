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
from companion.understand.crisis import ruled_out
from companion.understand.items import only_planned, someone_elses, taken_back

log = logging.getLogger(__name__)
BANK = ("semantic", "exemplars.npz")
SETTINGS = ("semantic", "exemplars.toml")
_CLAUSES = re.compile(
    r"\s*(?:,|;|\.|\band then\b|\bthen\b|\band also\b|(?<!pros )\band\b|\bbut\b)\s*")
"""Where an answer splits into clauses ('pros and cons' stays whole)."""
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
        self.rows = {g: [i for i, each in enumerate(self.groups) if each == g
                         and (g != "command" or not self.texts or len(self.texts[i].split())
                              <= settings.get("command_exemplar_words", 99))]
                     for g in set(self.groups)}
        self.full_rows = self.rows
        self.linear = {g: (bank[f"{g}_weights"], bank[f"{g}_bias"],
                           [str(c) for c in bank[f"{g}_classes"]])
                       for g in ITEM_KINDS if f"{g}_weights" in bank}
        """Linear models per group: (weights, biases, label names)."""

    def without(self, *texts: str) -> Semantic:
        """This layer with these exemplar texts left out (scoring a set the bank was built from,
        so a sentence is never judged by itself)."""
        clone = object.__new__(Semantic)
        clone.__dict__.update(self.__dict__)
        keys = {" ".join(text.lower().split()) for text in texts}
        clone.rows = {g: [i for i in rows if self.texts[i] not in keys] for g, rows in
                      self.full_rows.items()} if self.texts else self.rows
        clone.linear = {g: clone._retrained(g, classes) for g, (_, _, classes) in
                        self.linear.items()}  # trained again without them (a few seconds)
        return clone

    def _retrained(self, group: str, classes: list[str]) -> tuple[Any, Any, list[str]]:
        from companion.understand import linear

        rows = self.rows[group]
        weights, bias = linear.train(
            linear.features(self.vectors[rows], [self.texts[i] for i in rows]),
            linear.targets([self.labels[i] for i in rows], classes))
        return weights, bias, classes

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
        crisis = self._crisis(vectors, scores)
        if crisis == "full" and (told_as_context(text) or ruled_out(text)):
            crisis = "check"  # history, someone else's, or a context the rules rule out
            # ('counting pills at the med cart'): asked, not answered with the response
        if kind in ITEM_KINDS and not (kind == "emotions" and found):
            # emotions named by the rules are not added to (blind3 leave-one-out: F1 fell)
            done = [i for i, t in enumerate(texts) if kind != "skills" or not planned(texts, i)]
            guess = crisis in (None, "safe") and not says_none(text)
            items = self._items(kind, vectors[done], found, scores,
                                [texts[i] for i in done], guess) if done else ()
        if kind == "urges" and (crisis != "full" or found):  # a suicide urge comes from the
            # rules, or from a strong crisis match when the rules named no urge ("pills" is
            # the rules' substance use, weighed by its rating, not a suicide urge by meaning)
            items = tuple(x for x in items if x != "suicide")
        said = None
        if (command is None and crisis in (None, "safe")
                and len(text.split()) <= self.settings["command_max_words"]):
            said = self._command(vectors[0], scores)  # "i'm saying goodbye" is never a 'stop'
        return Verdict(items, said, crisis, scores)

    def _encode(self, texts: list[str]) -> Any:
        """Embeddings, each text encoded once: the dialog engine asks about a reply twice
        (is it a command? what does it mean?)."""
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self._recent]
        if missing:
            if len(self._recent) > RECENT:
                self._recent.clear()
                missing = list(dict.fromkeys(texts))
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
               scores: dict[str, float], texts: list[str], guess: bool = True
               ) -> tuple[str, ...]:
        """Labels of the nearest exemplars of the answer and of each clause: those a share of
        the k nearest agree on, when the nearest is close enough (closer still when the rules
        already named something)."""
        import numpy as np

        if kind in self.linear and len(vectors):
            return self._linear_items(kind, vectors, found, scores, texts, guess)
        rows = self.rows.get(kind, [])
        if not rows or not len(vectors):
            return ()
        threshold = self.settings[kind] + (self.settings.get(f"{kind}_found_extra", 0.0)
                                           if found else 0.0)
        k = min(int(self.settings.get("items_neighbours", 1)), len(rows))
        need = self.settings.get("items_share", 0.0)
        out: list[str] = []
        for column in (self.vectors[rows] @ vectors.T).T:
            nearest = np.argsort(-column)[:k]
            best = float(column[nearest[0]])
            scores[kind] = max(scores.get(kind, 0.0), best)
            if best < threshold:
                continue
            votes: dict[str, float] = {}
            for i in nearest:
                for label in self.labels[rows[i]]:
                    votes[label] = votes.get(label, 0.0) + max(float(column[i]), 0.0)
            total = sum(max(float(column[i]), 0.0) for i in nearest) or 1.0
            labels = [x for x, v in votes.items() if v / total >= need] if k > 1 else \
                self.labels[rows[nearest[0]]]
            out += [x for x in labels if x != "none" and x not in found and x not in out]
        return tuple(out)

    def _linear_items(self, kind: str, vectors: Any, found: tuple[str, ...],
                      scores: dict[str, float], texts: list[str], guess: bool = True
                      ) -> tuple[str, ...]:
        """Labels whose linear-model probability, for the answer or one of its clauses, reaches
        the threshold (higher when the rules already named something); with `guess`, the
        clear first label when none does (never for crisis language or 'nothing ...')."""
        from companion.understand.linear import features, probabilities

        weights, bias, classes = self.linear[kind]
        each = probabilities(weights, bias, features(vectors, texts))
        best = each.max(axis=0)
        scores[kind] = float(best.max())
        threshold = self.settings[f"{kind}_linear"] + (
            self.settings.get(f"{kind}_linear_found_extra", 0.0) if found else 0.0)
        order = sorted(range(len(classes)), key=lambda j: -best[j])
        out = [classes[j] for j in order if best[j] >= threshold and classes[j] not in found]
        if guess and not (out or found):
            out = self._clear_first(kind, each, classes)
        return tuple(out)

    def _clear_first(self, kind: str, each: Any, classes: list[str]) -> list[str]:
        """Nothing reached the threshold and the rules named nothing: for the answer and each
        clause, its most likely label when clearly ahead of the next (`{kind}_top1` and
        `{kind}_top1_ratio`; 'i imagined i was at the lake back home' is imagery at 0.30)."""
        floor = self.settings.get(f"{kind}_top1")
        if floor is None or len(classes) < 2:
            return []
        ratio = self.settings.get(f"{kind}_top1_ratio", 1.0)
        out: list[str] = []
        for row in each:
            first, second = sorted(range(len(classes)), key=lambda j: -row[j])[:2]
            if row[first] >= floor and row[first] >= ratio * row[second] \
                    and classes[first] not in out:
                out.append(classes[first])
        return out

    def _command(self, vector: Any, scores: dict[str, float]) -> str | None:
        """The command most of the nearest command exemplars agree on, when close enough."""
        rows = self.rows.get("command", [])
        if not rows:
            return None
        sims = self.vectors[rows] @ vector
        k = min(int(self.settings["command_neighbours"]), len(rows))
        nearest = sorted(range(len(rows)), key=lambda i: -sims[i])[:k]
        votes: dict[str, float] = {}
        for i in nearest:
            label = self.labels[rows[i]][0]
            votes[label] = votes.get(label, 0.0) + max(float(sims[i]), 0.0)
        label = max(votes, key=votes.get)
        share = votes[label] / (sum(votes.values()) or 1.0)
        scores["command"], scores["command_share"] = float(sims[nearest[0]]), share
        if (label != "none" and self.labels[rows[nearest[0]]][0] == label
                and float(sims[nearest[0]]) >= self.settings["command"]
                and share >= self.settings["command_share"]):  # the nearest one agrees too
            return label
        return None

    def _crisis(self, vectors: Any, scores: dict[str, float]) -> str | None:
        """Crisis language in the answer or in one of its clauses: each is weighed on its own
        ("i did the tipp thing but the razor's still right here": the first clause is close to
        a plain skills answer, the second to crisis language). The whole answer's veto stands
        over its clauses ("i'd rather die than go lol" is a joke as a whole)."""
        rows = self.rows.get("crisis", [])
        if not rows:
            return None
        sims = self.vectors[rows] @ vectors.T  # exemplars x (answer and its clauses)
        crisis = [i for i, r in enumerate(rows) if "crisis" in self.labels[r]]
        safe = [i for i, r in enumerate(rows) if "crisis" not in self.labels[r]]
        verdicts = [self._crisis_in(sims[:, j], crisis, safe, scores if j == 0 else {})
                    for j in range(sims.shape[1])]
        if verdicts[0] == "safe":
            return "safe"  # only the whole answer vetoes: "i did tipp" alone is a plain answer
        return next((level for level in ("full", "check") if level in verdicts), None)

    def _crisis_in(self, sims: Any, crisis: list[int], safe: list[int],
                   scores: dict[str, float]) -> str | None:
        """The verdict on one text (sims: exemplars x 1)."""
        pos = float(sims[crisis].max()) if crisis else 0.0
        neg = float(sims[safe].max()) if safe else 0.0
        scores["crisis"], scores["safe"] = pos, neg
        if neg - pos >= self.settings["crisis_veto"]:
            return "safe"  # much closer to jokes, history, other people's crises
        share = _crisis_share(sims, crisis, int(self.settings["crisis_neighbours"]))
        scores["crisis_share"] = share
        if pos - neg >= self.settings["crisis_margin"]:
            if pos >= self.settings["crisis_full"]:
                return "full"
            if pos >= self.settings["crisis_check"]:
                return "check"
        # among its nearest exemplars, enough are crisis language: worth asking "are you safe?"
        return "check" if share >= self.settings["crisis_share_check"] else None


def _crisis_share(sims: Any, crisis: list[int], k: int) -> float:
    """The similarity-weighted share of crisis exemplars among the k nearest to one text
    (sims: the similarity of each exemplar to it)."""
    import numpy as np

    is_crisis = np.zeros(sims.shape[0], dtype=bool)
    is_crisis[crisis] = True
    nearest = np.argpartition(-sims, min(k, sims.shape[0]) - 1)[:k]
    weights = np.maximum(sims[nearest], 0.0)
    return float(weights[is_crisis[nearest]].sum() / weights.sum()) if weights.sum() > 0 else 0.0


def told_as_context(text: str) -> bool:
    """An answer that tells history or someone else's crisis (risk.toml told_as_context)."""
    from companion.understand.text import normalise

    padded = f" {' '.join(normalise(text or '').split())} "
    return any(f" {p} " in padded for p in _context_phrases())


@cache
def _context_phrases() -> tuple[str, ...]:
    from companion.understand.vocab import data, expand

    return tuple(p for pattern in data("risk").get("told_as_context", ()) for p in expand(pattern))


NONE_FIRST = frozenset({"nothing", "none", "no", "nope", "nah", "not", "zero", "never"})
NONE_SAID = ("did not do any", "have not done any", "did not use any", "did not try any",
             "have not used any", "have not tried any", "did not really do any")
OPENERS = frozenset({"um", "uh", "well", "honestly", "so", "like", "i", "mean", "guess", "er"})


def says_none(text: str) -> bool:
    """An answer that starts by saying there was none ('nothing today i'm too tired', 'i
    didn't do any skills i just ...')."""
    from companion.understand.text import tokens

    words = [t for t in tokens(text) if t.isalpha()]
    first = next((w for w in words if w not in OPENERS), "")
    joined = f" {' '.join(words)} "
    return first in NONE_FIRST or any(f" {p} " in joined for p in NONE_SAID)


TAIL_WORDS = 9
"""A clause this short after a skill's clause can take it back ('... but i chickened out',
'... but i couldn't actually make myself do it')."""


def planned(texts: list[str], i: int) -> bool:
    """Whether texts[i] (the answer, or one of its clauses after it) only plans a skill, or
    tells what someone else did ('my sister tried the stop skill'): by its own words, or a short
    next clause that takes it back ('i wanted to do dear man with my boss' + 'i chickened
    out')."""
    if only_planned(texts[i]) or someone_elses(texts[i]):
        return True
    after = texts[i + 1] if 0 < i < len(texts) - 1 else ""
    return bool(after) and len(after.split()) <= TAIL_WORDS and taken_back(after)


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
    full = verdict.crisis == "full" and not (kind == "urges" and result.urges)
    if full and not result.crisis:
        # (at the urges question an urge the rules named, "hurt myself", is the safety policy's
        # to weigh by its rating: meaning alone brings the check-in there, not a suicide crisis)
        changes["crisis"], changes["crisis_kinds"] = True, ("suicide",)
        layers["crisis"] = "semantic"
    elif verdict.crisis in ("check", "full") and not result.crisis:
        changes["possible_crisis"] = True
        layers["crisis"] = "semantic (check-in)"
    elif verdict.crisis == "safe" and result.crisis and kind != "urges":
        # graded: the full response becomes the check-in question, never nothing
        changes["crisis"], changes["crisis_kinds"] = False, ()
        changes["possible_crisis"] = True
        layers["crisis"] = "semantic (rule match downgraded to check-in)"
    return (replace(result, **changes) if changes else result), layers
