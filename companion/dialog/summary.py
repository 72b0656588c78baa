"""The summary a client reads out on the call, and the skills they could ask about."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from companion.data import load_data
from companion.data.names import display, format_number, join_words
from companion.safety.policy import SAFETY_URGES

MAX_WORDS = 75
MAX_SUGGESTIONS = 3
Answers = dict[str, dict[str, Any]]


@dataclass
class _Sentence:
    """A sentence: fixed words around an optional quote of the client's own words."""

    before: str
    quote: str = ""
    after: str = "."

    def words(self) -> int:
        return len(self.render().split())

    def render(self) -> str:
        return f"{self.before}{self.quote}{self.after}"


def build_summary(answers: Answers, extra: list[tuple[str, dict[str, Any]]] = ()) -> str:
    """First-person, plain sentences, safety first, at most MAX_WORDS words. `answers` are
    keyed by summary role; `extra` are (question, answer) pairs no role covers (custom
    worksheets): each is quoted after its question."""
    sentences = _safety(answers) + [
        s
        for s in (
            _quoted(answers, "situation", "What's happening: ",
                    unsure="I'm not sure how to describe what's happening"),
            _emotions(answers),
            None if _has_safety_urge(answers) else _urges(answers),
            _skills(answers),
            _quoted(answers, "goal", "I want help with: ",
                    unsure="I'm not sure yet what I want help with"),
            _quoted(answers, "backup", "If you can't answer right away, I will: ",
                    none="I don't have a backup plan yet",
                    unsure="I don't have a backup plan yet"),
        )
        if s is not None
    ] + [_Sentence(f"{question.rstrip('?.! ')}: ", text) for question, answer in extra
         if (text := _said(answer))]
    _fit(sentences, MAX_WORDS)
    return " ".join(s.render() for s in sentences if s.render().strip(" ."))


def suggest_skills(answers: Answers) -> list[str]:
    """Up to three skill ids from the rules in suggestions.toml, never ones already tried."""
    data = load_data("suggestions.toml")
    facts = _facts(answers, data["words"])
    tried = set(_get(answers, "skills_tried", "skills") or [])
    matching = [r["skills"] for r in data["rule"] if not r.get("fallback") and _holds(r, facts)]
    if not matching:
        matching = [r["skills"] for r in data["rule"] if r.get("fallback")]
    chosen: list[str] = []
    for turn in range(max((len(s) for s in matching), default=0)):
        for skills in matching:
            if turn < len(skills) and skills[turn] not in tried and skills[turn] not in chosen:
                chosen.append(skills[turn])
    return chosen[:MAX_SUGGESTIONS]


def _get(answers: Answers, field: str, key: str) -> Any:
    answer = answers.get(field) or {}
    return None if answer.get("skipped") else answer.get(key)


def _said(answer: dict[str, Any]) -> str:
    text = "" if answer.get("skipped") else (answer.get("text") or "")
    return re.sub(r"\s+", " ", text).strip().rstrip(".!?,;: ")


def _text(answers: Answers, field: str) -> str:
    text = _get(answers, field, "text") or ""
    return re.sub(r"\s+", " ", text).strip().rstrip(".!?,;: ")


def _reply(text: str) -> str | None:
    """'none', 'unsure' or 'filler' for answers that name nothing (see data/replies.toml)."""
    from companion.understand.analysis import reply_kind

    return reply_kind(text)


def _has_safety_urge(answers: Answers) -> bool:
    return any(u in SAFETY_URGES for u in _get(answers, "urges", "urges") or [])


def _at(value: Any) -> str:
    return f", at {format_number(value)} out of 10" if isinstance(value, int | float) else ""


def _safety(answers: Answers) -> list[_Sentence]:
    """Crisis statements and self-harm/suicide urges come first."""
    out = []
    urges = _get(answers, "urges", "urges") or []
    said = {k for a in answers.values() for k in a.get("crisis_kinds", [])}  # skipped too
    if "overdose" in said:
        out.append(_Sentence("I have taken an overdose"))
    if "self_harm_done" in said:
        out.append(_Sentence("I have already hurt myself"))
    if "suicide" in said and "suicide" not in urges:
        out.append(_Sentence("I'm having thoughts of suicide"))
    if _has_safety_urge(answers):
        out.append(_urges(answers) or _Sentence(""))
    return out


def _quoted(answers: Answers, field: str, before: str, **instead: str) -> _Sentence | None:
    """The client's words after `before`; `instead` maps a reply kind ('none', 'unsure') to a
    plain sentence used in place of quoting words like "idk"."""
    text = _text(answers, field)
    if not text:
        return None
    plain = instead.get(_reply(text) or "")
    return _Sentence(plain) if plain else _Sentence(before, text)


def _emotions(answers: Answers) -> _Sentence | None:
    emotions = _get(answers, "emotions", "emotions") or []
    level = _get(answers, "intensity", "intensity")
    if emotions:
        return _Sentence(f"I feel {join_words([display('emotions', e) for e in emotions])}"
                         + _at(level))
    raw = _text(answers, "emotions")
    if raw and _reply(raw) == "unsure":  # "nothing" or "i'm okay" are kept in their words
        return _Sentence(f"I'm not sure what I'm feeling{_at(level)}")
    if raw:
        return _Sentence("I feel: ", raw, _at(level) + ".")
    if level is not None:
        return _Sentence(f"My emotions are{_at(level)[1:]}")
    raw_level = _text(answers, "intensity")
    return _Sentence("How strong my feelings are: ", raw_level) if raw_level else None


def _urges(answers: Answers) -> _Sentence | None:
    urges = _get(answers, "urges", "urges") or []
    level = _get(answers, "urge_intensity", "intensity")
    if urges:
        names = join_words([display("urges", u) for u in urges])
        return _Sentence(f"I have urges to {names}{_at(level)}")
    raw = _text(answers, "urges")
    if not raw:
        return None
    kind = _reply(raw)
    if kind == "none":
        return _Sentence("I have no urges right now")
    if kind == "unsure":
        return _Sentence("I'm not sure about urges right now")
    return _Sentence("About urges: ", raw, _at(level) + ".")


def _skills(answers: Answers) -> _Sentence | None:
    skills = _get(answers, "skills_tried", "skills") or []
    if skills:
        return _Sentence(f"I've tried {join_words([display('skills', s) for s in skills])}")
    raw = _text(answers, "skills_tried")
    if not raw:
        return None
    if _reply(raw) in ("none", "unsure"):
        return _Sentence("I haven't tried any skills yet")
    return _Sentence("Skills I've tried: ", raw)


def _fit(sentences: list[_Sentence], limit: int) -> None:
    """Shorten the client's quoted words, longest first, until the total fits."""
    while sum(s.words() for s in sentences) > limit:
        longest = max(sentences, key=lambda s: len(s.quote.split()))
        words = longest.quote.rstrip("…").split()
        if len(words) <= 3:
            break
        longest.quote = " ".join(words[:-1]) + "…"
    while sum(s.words() for s in sentences) > limit and len(sentences) > 1:
        sentences.pop()  # last resort; keeps the safety-first sentences


def _facts(answers: Answers, words: dict[str, list[str]]) -> dict[str, Any]:
    situation = " " + re.sub(r"[^a-z' ]", " ", _text(answers, "situation").lower()) + " "
    return {
        "intensity": _get(answers, "intensity", "intensity"),
        "urge_intensity": _get(answers, "urge_intensity", "intensity"),
        "urges": set(_get(answers, "urges", "urges") or []),
        "emotions": set(_get(answers, "emotions", "emotions") or []),
        "mentions_person": any(f" {w} " in situation for w in words["person"]),
        "unchangeable": any(f" {p} " in situation for p in words["unchangeable"]),
    }


def _holds(rule: dict[str, Any], facts: dict[str, Any]) -> bool:
    checks = {
        "intensity_at_least": lambda n: (facts["intensity"] or -1) >= n,
        "urge_intensity_at_least": lambda n: (facts["urge_intensity"] or -1) >= n,
        "any_urge": lambda want: bool(facts["urges"]) == want,
        "urge": lambda u: u in facts["urges"],
        "emotion": lambda e: e in facts["emotions"],
        "mentions_person": lambda want: facts["mentions_person"] == want,
        "unchangeable": lambda want: facts["unchangeable"] == want,
    }
    return all(check(rule[key]) for key, check in checks.items() if key in rule)
