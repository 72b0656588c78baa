"""What a spoken or typed answer means: emotions, urges, skills, ratings, commands and crisis."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from companion.understand import replies
from companion.understand.crisis import CRISIS_KINDS, detect_crisis, ruled_out
from companion.understand.items import (
    denied_items,
    find_items,
    find_spans,
    item_ids,
    only_denied,
)
from companion.understand.numbers import cued_intensity, parse_intensity
from companion.understand.replies import (
    detect_command,
    parse_yesno,
    plain_yes,
    reply_kind,
)
from companion.understand.text import BREAK, normalise, tokens
from companion.understand.vocab import data as vocab_data
from companion.understand.vocab import expand
from companion.understand.vocab import load as vocab_load

__all__ = [
    "CRISIS_KINDS", "KINDS", "Analysis", "analyze", "answers_the_prompt", "command_with_words",
    "crisis_in", "detect_command", "detect_crisis", "explained", "find_emotions", "find_skills", "find_urges",
    "means_at_hand", "names_something", "only_denied", "parse_intensity", "parse_yesno",
    "plain_yes", "reply_kind", "risk_words",
]

RISK_SCAN_WORDS = 2000
"""Risk words are looked for in this many words of an answer (plenty for one answer)."""
KINDS = ("emotions", "intensity", "urges", "skills", "command", "yesno", "crisis", "free")


@dataclass(frozen=True)
class Analysis:
    """The understood fields of one answer; fields the prompt did not ask about stay empty."""

    emotions: tuple[str, ...] = ()
    intensity: float | None = None
    """0 to 10; halves allowed (9.5)."""
    urges: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    command: str | None = None
    answer: str | None = None
    """'yes', 'no' or None."""
    crisis: bool = False
    crisis_kinds: tuple[str, ...] = ()
    """A subset of CRISIS_KINDS, in order of mention."""
    possible_crisis: bool = False
    """Close in meaning to crisis language without matching it: worth the check-in question."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: lists instead of tuples, whole-number ratings as ints (8, not 8.0)."""
        value = self.intensity
        if value is not None and float(value).is_integer():
            value = int(value)
        return {"emotions": list(self.emotions), "intensity": value, "urges": list(self.urges),
                "skills": list(self.skills), "command": self.command, "answer": self.answer,
                "crisis": self.crisis, "crisis_kinds": list(self.crisis_kinds),
                **({"possible_crisis": True} if self.possible_crisis else {})}


def risk_words(text: str) -> tuple[str, ...]:
    """Words near crisis language (vocab/risk.toml) found in the text; a prompt to check in."""
    padded = _scanned(text)
    if not padded.strip():
        return ()
    for idiom in _risk_idioms():  # "this traffic is killing me" is no reason to check in
        padded = padded.replace(f" {idiom} ", " | ")
    found = [w for w in vocab_data("risk")["words"] if f" {w} " in padded]
    return tuple(found + [p for p in _risk_phrases("phrases", "means_at_hand")
                          if f" {p} " in padded])


def means_at_hand(text: str) -> bool:
    """A means of harm said to be at hand (risk.toml means_at_hand: 'the blade is in my bag')."""
    padded = _scanned(text)
    return any(f" {p} " in padded for p in _risk_phrases("means_at_hand"))


def _scanned(text: str) -> str:
    """The normalised words risk.toml is matched against (the first RISK_SCAN_WORDS), padded
    with a space at each end."""
    return f" {' '.join(normalise(text or '').split()[:RISK_SCAN_WORDS])} "


@cache
def _risk_phrases(*keys: str) -> tuple[str, ...]:
    """risk.toml's phrase lists `keys`, patterns spelled out ('(decided|picked) it is ...')."""
    return tuple(dict.fromkeys(p for key in keys for pattern in vocab_data("risk").get(key, ())
                               for p in expand(pattern)))


@cache
def _risk_idioms() -> tuple[str, ...]:
    """risk.toml's idioms, spelled out, longest first (so the longest idiom is removed)."""
    patterns = vocab_data("risk").get("idioms", ())
    return tuple(sorted({p for pattern in patterns for p in expand(pattern)}, key=len,
                        reverse=True))


def find_emotions(text: str) -> tuple[str, ...]:
    """Emotion ids (anger, fear, sadness, ...) named in the text, in order of mention."""
    return find_items("emotions", text or "")


def find_urges(text: str) -> tuple[str, ...]:
    """Urge ids (self_harm, substance_use, ...) named in the text, in order of mention."""
    return find_items("urges", text or "")


def find_skills(text: str) -> tuple[str, ...]:
    """DBT skill ids (dear_man, tipp, ...) named in the text, in order of mention; acceptance
    chosen over and over is turning the mind (skills.toml turning_cues)."""
    found = find_items("skills", text or "")
    if "radical_acceptance" not in found:
        return found
    padded = f" {' '.join(tokens(text))} "
    if "turning_the_mind" in found:  # "turning my mind back to accepting it": one skill
        return found if " radical " in padded else tuple(
            s for s in found if s != "radical_acceptance")
    if not any(f" {cue} " in padded for cue in vocab_load("skills").setting("turning_cues")):
        return found
    turned = ["turning_the_mind" if s == "radical_acceptance" else s for s in found]
    return tuple(dict.fromkeys(turned))


def _named_and_rated(group: str, text: str) -> tuple[tuple[str, ...], float | None]:
    """The emotions or urges named in an answer, and the rating said with them."""
    named = find_spans(group, text)[1]
    return item_ids(named), cued_intensity(text, {s.end for s in named})


def analyze(text: str, kind: str) -> Analysis:
    """Understand an answer to a prompt of the given kind; crisis is always checked."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}")
    text = text if isinstance(text, str) else ""
    crisis = detect_crisis(text)
    fields: dict[str, Any] = {}
    if kind == "emotions":
        emotions, intensity = _named_and_rated("emotions", text)
        fields = {"emotions": emotions, "intensity": intensity}
    elif kind == "urges":
        urges, intensity = _named_and_rated("urges", text)
        if "suicide" in crisis and "suicide" not in urges:
            urges = (*urges, "suicide")
        if "suicide" in urges and "suicide" not in crisis and intensity != 0:
            if "suicide" not in find_items("urges", text, own=True) and ruled_out(text):
                # "my patient kept saying she wanted to die": someone else's, asked about
                return Analysis(urges=urges, intensity=intensity, possible_crisis=True)
            crisis = (*crisis, "suicide")  # "suicide urge zero" is a denial, not a crisis
        if intensity == 0 and not crisis:
            urges = ()  # "i wanted to cut earlier but it's gone, zero": no urge now
        fields = {"urges": urges, "intensity": intensity}
    elif kind == "skills":
        fields = {"skills": find_skills(text)}
    elif kind == "intensity":
        fields = {"intensity": parse_intensity(text)}
    elif kind == "command":
        fields = {"command": detect_command(text)}
    elif kind == "yesno":
        fields = {"answer": parse_yesno(text)}
    if crisis and (set(crisis) <= {"suicide"} and softened(text) or told_as_past(text)):
        return Analysis(**fields, possible_crisis=True)  # graded: the check-in question
    return Analysis(**fields, crisis=bool(crisis), crisis_kinds=crisis)


def softened(text: str) -> tuple[str, ...]:
    """risk.toml's softeners in the text: a joke taken back, fiction, 'i feel safe now'."""
    padded = _scanned(text)
    return tuple(w for w in _risk_phrases("softeners") if f" {w} " in padded)


def told_as_past(text: str) -> bool:
    """An answer that dates what it tells long ago and says nothing happened recently (risk.toml
    history, recent): "my overdose from twenty fifteen came up in the assessment"."""
    padded = _scanned(text)
    return (any(f" {w} " in padded for w in _risk_phrases("history"))
            and not any(f" {w} " in padded for w in _risk_phrases("recent")))


def understand(text: str, kind: str, semantic: Any = None, heard: bool = False
               ) -> tuple[Analysis, dict[str, str]]:
    """The rules' analysis plus the semantic layer's additions when it is loaded (`semantic`:
    a Semantic, or None for the process's one if it has finished loading); returns the
    analysis and which layer decided each field it changed. `heard`: the text came from speech
    recognition, so words that sound like vocabulary are read as it first ('this top skill')."""
    text, layers = by_sound(heard_alone(text, kind)) if heard else (text, {})
    result = analyze(text, kind)
    if semantic is None:
        from companion.understand.semantic import loader

        semantic = loader().value
    if semantic is None or not text.strip():
        return result, layers
    from companion.understand.semantic import combine

    found: tuple[str, ...] = getattr(result, kind) if kind in ("skills", "emotions", "urges") else ()
    if kind in ("emotions", "urges"):  # a denied one ("no urge to drink") is not added back
        found = (*found, *denied_items(kind, text))
    command = result.command if kind == "command" else detect_command(text)
    verdict = semantic.judge(text, kind, tuple(found), command)
    if kind == "skills" and verdict.items:  # nor a skill the rules read as only suggested,
        # planned, someone else's or taken back ("she told me to use wise mind, i didn't")
        rejected = set(denied_items(kind, text, plain=True))
        verdict = replace(verdict, items=tuple(x for x in verdict.items if x not in rejected))
    if kind == "urges" and result.intensity == 0 and verdict.items:
        verdict = replace(verdict, items=())  # an urge rated zero is no urge now
    if command is not None and verdict.crisis in ("full", "check") and \
            not replies.command_with_words(text):
        verdict = replace(verdict, crisis=None)  # a command alone ("end") tells nothing more
    result, decided = combine(result, verdict, kind)
    return result, {**layers, **decided}


def explained(kind: str, text: str) -> float:
    """How much of a heard hypothesis the question's understanding explains, by sound as well
    as by spelling: the items it names (emotions, urges, skills) and its rating, a yes or no,
    a command; 0 for a free answer or an unknown kind. A recognizer's n-best is ranked by it
    (Vosk: the hypothesis the question's vocabulary explains best is the answer)."""
    if kind not in KINDS or kind == "free" or not text.strip():
        return 0.0
    result = analyze(by_sound(heard_alone(text, kind))[0], kind)
    found = {"emotions": len(result.emotions), "urges": len(result.urges),
             "skills": len(result.skills), "yesno": result.answer is not None,
             "command": result.command is not None}.get(kind, 0)
    return float(found) + (result.intensity is not None)


ALONE_BESIDE = frozenset({"just", "um", "uh", "er", "erm", "hmm", "like", "so", "really", "oh",
                          "well", "the"})
"""Words that may come with a heard_alone word without making it part of a sentence ('just
said' is 'just sad')."""


def heard_alone(text: str, kind: str) -> str:
    """A heard answer that is one word alone (with at most the hesitant words of ALONE_BESIDE),
    read as asr_vocabulary.toml [heard_alone] says for this question ('Bills.' at the urges
    question is 'pills')."""
    from companion.data import load_data

    alone = load_data("asr_vocabulary.toml").get("heard_alone", {}).get(kind, {})
    words = [t for t in tokens(text) if t != BREAK]
    content = [w for w in words if w not in ALONE_BESIDE]
    if len(content) != 1 or content[0] not in alone:
        return text
    return " ".join(alone[w] if w == content[0] else w for w in words)


def by_sound(text: str) -> tuple[str, dict[str, str]]:
    """A heard answer respelled where runs of words sound like vocabulary terms, and a note of
    what changed (understand/phonetic.py; spelling alone when espeak-ng cannot run)."""
    from companion.understand.phonetic import hearing

    meant, found = hearing().respell(text)
    if not found:
        return text, {}
    return meant, {"heard": "sound: " + ", ".join(f"{m.heard!r} as {m.term!r}" for m in found)}


def command_in(text: str, semantic: Any = None, kind: str | None = None,
               heard: bool = False) -> str | None:
    """A command said as the whole reply: the rules, then (short replies only) the semantic
    layer when it is loaded — never for a yes or no, "i don't know", crisis language (by rules
    or meaning), or a reply that answers the question of `kind` by the rules."""
    if heard:
        text = by_sound(text)[0]
    answer = parse_yesno(text)
    if kind == "yesno" and answer is not None:
        return None  # "no i'm done for tonight" answers the question
    found = detect_command(text)
    if found is not None or not text.strip():
        return found
    if answer is not None and kind != "yesno" and replies.a_request(text):
        answer = None  # "ok um can we do the next one", "let's skip this bit yeah"
    if answer is not None or reply_kind(text) is not None or risk_words(text) or detect_crisis(text):
        return None  # a yes/no, "i don't know", or words near crisis language
    if kind in ("emotions", "intensity", "urges", "skills", "yesno"):
        said = analyze(text, kind)
        if answers_the_prompt(kind, said) or (kind in ("emotions", "urges")
                                              and said.intensity is not None):
            return None  # an answer by the rules, or a rating ("lock the door ... five")
    result, _ = understand(text, "command", semantic)
    for tail in () if result.command else replies.request_tails(text):
        result, _ = understand(tail, "command", semantic)  # "sorry the kettle was going" +
        if result.command:                                  # "can you say that one again"
            break
    return result.command


def command_with_words(text: str, heard: bool = False) -> bool:
    """Whether a command in the reply came with more words ("stop i can't do this anymore"),
    read as command_in reads it (by sound first when `heard`)."""
    return replies.command_with_words(by_sound(text)[0] if heard else text)


def answers_the_prompt(kind: str, result: Analysis) -> bool:
    """Whether an answer holds what its prompt asked for (free answers always do)."""
    wanted = {"emotions": result.emotions, "urges": result.urges, "skills": result.skills,
              "intensity": result.intensity is not None, "yesno": result.answer}
    return bool(wanted.get(kind, True))


def names_something(kind: str, text: str) -> bool:
    """Whether an answer named something the vocabulary doesn't know ("to text him forty
    times"), rather than none, "i don't know", or only denials ("i don't want to drink")."""
    if not text or reply_kind(text) is not None:
        return False
    return not (kind in ("emotions", "urges", "skills") and only_denied(kind, text))


def crisis_in(kinds: list[str], texts: list[str]) -> list[str]:
    """`kinds` plus the crisis kinds in `texts`, without repeats; [] when there are none."""
    return list(dict.fromkeys([*kinds, *(k for t in texts for k in detect_crisis(t))]))
