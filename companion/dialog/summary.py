"""The summary a client reads out on the call, in their own words, and the skills they could ask
about. The wording rules are data: data/summary.toml."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from companion.data import load_data
from companion.data.names import display, format_number, join_words
from companion.safety.policy import SAFETY_URGES

MAX_SUGGESTIONS = 3
Answers = dict[str, dict[str, Any]]
Token = tuple[str, str]
"""A word and the punctuation after it ("" or one of , ; : . ? !)."""
_TOKEN = re.compile(r"(\.{2,}|…|[,;:?!.]|\s[-–—]+\s)|([^\s,;:?!.…]+(?:[.:]\d+)*)")
_LIST_ROLES = ("emotions", "urges", "skills_tried")
"""Answers that are lists: their full stops read as commas ("Scared. Impatient.")."""


@cache
def _rules() -> dict[str, Any]:
    return load_data("summary.toml")


MAX_WORDS: int = _rules()["max_words"]


@dataclass
class _Sentence:
    """Fixed words around the client's words, split into clauses that may be left out."""

    role: str
    before: str
    clauses: list[list[Token]] = field(default_factory=list)
    after: str = "."
    keep_last: bool = False
    kept: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.kept = list(range(len(self.clauses)))

    def render(self, full: bool = False) -> str:
        chosen = range(len(self.clauses)) if full else self.kept
        words = _join([t for i in chosen for t in self.clauses[i]])
        return _capitalize(f"{self.before}{words.rstrip(',;:.?! ') if words else ''}{self.after}")

    def words(self) -> int:
        return len(self.render().split())

    def shorten(self) -> bool:
        """Leave out one clause: the second (keeping the last) or the last; False if none can."""
        if len(self.kept) <= (2 if self.keep_last else 1):
            return False
        self.kept.pop(1 if self.keep_last else -1)
        return True


def build_summary(answers: Answers, extra: list[tuple[str, dict[str, Any]]] = ()) -> str:
    """First-person sentences in the client's words, safety first, about 30 seconds spoken.
    `answers` are keyed by summary role; `extra` are (question, answer) pairs no role covers
    (custom worksheets): each follows its question."""
    return " ".join(summarise(answers, extra)[0])


def summarise(answers: Answers, extra: list[tuple[str, dict[str, Any]]] = ()
              ) -> tuple[list[str], list[str]]:
    """(the spoken sentences, the full sentences of those that were shortened or left out)."""
    sentences = _safety(answers, extra) + [s for s in (
        _situation(answers), _emotions(answers),
        None if _safety_urges(answers) else _urges(answers), _skills(answers),
        _goal(answers), _backup(answers)) if s is not None]
    for question, answer in extra:
        words = _clean(_said(answer), "extra")
        if words:
            sentences.append(_framed("extra", words, question=question.rstrip("?.! ")))
    sentences = [s for s in sentences if s.render().strip(" .")]
    spoken = _fit(sentences, MAX_WORDS)
    more = [s.render(full=True) for s in sentences
            if s not in spoken or len(s.kept) < len(s.clauses)]
    return [s.render() for s in spoken], more


def answers_by_role(record: dict[str, Any]) -> tuple[Answers, list[tuple[str, dict[str, Any]]]]:
    """A saved record's answers keyed by summary role, and the (question, answer) pairs no role
    covers (records made before prompts carried roles use the prompt id)."""
    from companion.dialog.worksheet import ROLES

    answers, extra = {}, []
    for prompt in record.get("prompts") or []:
        answer = (record.get("answers") or {}).get(prompt.get("id"))
        role = prompt.get("role") or (prompt.get("id") if prompt.get("id") in ROLES else None)
        if isinstance(answer, dict):
            if role:
                answers[role] = answer
            else:
                extra.append((prompt.get("text", ""), answer))
    return answers, extra


def own_words(answer: dict[str, Any] | None, role: str) -> str:
    """The client's words for an answer, cleaned and without its lead ("i want to get drunk"
    -> "get drunk"); "" when skipped or when it names nothing ("none", "idk")."""
    text = _said(answer or {})
    if not text or _reply(text):
        return ""
    tokens = _clean(text, role)
    lead = _rules()["leads"].get(role if role != "skills_tried" else "", [])
    tokens, _ = _strip_lead(tokens, [x if isinstance(x, str) else x[0] for x in lead])
    return _join(tokens).rstrip(",;:.?! ")


def own_items(answer: dict[str, Any] | None, role: str) -> list[str]:
    """own_words split into its items: "humiliated, ashamed and angry" -> three."""
    words = own_words(answer, role)
    return [p for p in re.split(r"\s*[,;]\s*|\s+(?:and|or)\s+", words) if p]


def own_meanings(answer: dict[str, Any] | None, role: str) -> list[tuple[str, str | None]]:
    """What the client named, each with the id the vocabulary gives it (None when it knows
    none): "get drunk and text my ex" -> [("get drunk", "substance_use"), ("text my ex", None)].
    Unknown urge words stay one phrase; unknown emotions are one each."""
    from companion.understand.items import find_items

    group = "emotions" if role == "emotions" else "urges"
    out: list[tuple[str, str | None]] = []
    unknown: list[str] = []
    for item in own_items(answer, role):
        ids = find_items(group, item)
        if ids:
            out += [(item, i) for i in ids if i not in [x for _, x in out]]
        elif group == "emotions":
            out.append((item, None))
        else:
            unknown.append(item)
    if unknown:
        out.append((" and ".join(unknown), None))
    return out


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


# --- sentences, one per role ------------------------------------------------------------------

def _safety(answers: Answers, extra: list[tuple[str, dict[str, Any]]]) -> list[_Sentence]:
    """Crisis statements and self-harm/suicide urges come first, and are never shortened."""
    frames, out = _rules()["frames"], []
    urges = _get(answers, "urges", "urges") or []
    said = {k for a in [*answers.values(), *(a for _, a in extra)]
            for k in a.get("crisis_kinds", [])}  # skipped answers too
    for kind in ("overdose", "self_harm_done", "suicide"):
        if kind in said and not (kind == "suicide" and "suicide" in urges):
            out.append(_Sentence("safety", frames[f"crisis_{kind}"], after=""))
    safety = _safety_urges(answers)
    if safety:
        names = join_words([display("urges", u) for u in safety])
        level = _level(answers, "urge_intensity")
        rating = frames["safety_rating"].format(level=level) if level else ""
        out.append(_Sentence("safety", frames["safety_urge"].format(
            names=names, safety_rating=rating), after=""))
        own = _urges(answers, rated=False)
        if own is not None and not _words_in(own.render(), out[-1].render()):
            own.role = "safety"
            out.append(own)
    return out


def _situation(answers: Answers) -> _Sentence | None:
    text = _text(answers, "situation")
    if not text:
        return None
    if _reply(text) == "unsure":
        return _Sentence("situation", _rules()["frames"]["situation_unsure"], after="")
    sentence = _framed("situation", _clean(text, "situation"))
    sentence.keep_last = True
    return sentence


def _emotions(answers: Answers) -> _Sentence | None:
    frames = _rules()["frames"]
    rating, level = _rating(answers, "intensity"), _level(answers, "intensity")
    text = _text(answers, "emotions")
    if not text and (ids := _get(answers, "emotions", "emotions")):
        return _Sentence("emotions", frames["emotions"].format(
            words=join_words([display("emotions", e) for e in ids]), rating=rating), after="")
    if text and _reply(text) == "unsure":
        return _Sentence("emotions", frames["emotions_unsure"].format(rating=rating), after="")
    words, _ = _strip_lead(_clean(text, "emotions"), _rules()["leads"]["emotions"])
    if words:
        return _framed("emotions", words, rating=rating)
    if level:
        return _Sentence("emotions", frames["emotions_rating_only"].format(level=level), after="")
    raw = _clean(_text(answers, "intensity"), "emotions")
    return _framed("emotions_words_only", raw, role="emotions") if raw else None


def _urges(answers: Answers, rated: bool = True) -> _Sentence | None:
    frames = _rules()["frames"]
    rating = _rating(answers, "urge_intensity") if rated else ""
    text = _text(answers, "urges")
    if not text:
        ids = _get(answers, "urges", "urges") or []
        return _Sentence("urges", frames["urges_action"].format(
            words=join_words([display("urges", u) for u in ids]), rating=rating),
            after="") if ids and rated else None
    kind = _reply(text)
    if kind in ("none", "unsure"):
        return _Sentence("urges", frames[f"urges_{kind}"], after="")
    tokens, lead = _strip_lead(_clean(text, "urges"), _rules()["leads"]["urges"])
    if lead and tokens and _first(tokens) in _lower("subjects"):
        tokens, lead = _clean(text, "urges"), ""  # "i feel like i'm going to explode"
    tokens = _drop_repeated(tokens, lead)
    first = _first(tokens)
    words = {w.lower() for w, _ in tokens}
    if first in _lower("subjects") or (not lead and first not in _lower("actions")
                                       and words & set(_lower("verbs_of_being"))):
        frame = "urges_clause"
    elif lead or first in _lower("actions"):
        frame = "urges_action"
    else:
        frame = "urges_other"
    return _framed(frame, tokens, role="urges", rating=rating)


def _skills(answers: Answers) -> _Sentence | None:
    text = _text(answers, "skills_tried")
    if not text and (ids := _get(answers, "skills_tried", "skills")):
        return _framed("skills_tried", [(join_words([display("skills", s) for s in ids]), "")])
    if not text:
        return None
    if _reply(text) in ("none", "unsure"):
        return _Sentence("skills_tried", _rules()["frames"]["skills_none"], after="")
    tokens = _clean(text, "skills_tried")
    rest, said = _strip_lead(tokens, list(_lower("none_first")))
    if said and rest and _first(rest) in _lower("subjects"):  # "none, i just called you"
        return _framed("skills_none_then", rest, role="skills_tried")
    first = _first(tokens)
    if first in _lower("subjects"):
        return _framed("skills_clause", tokens, role="skills_tried")
    if first in _lower("past"):
        return _framed("skills_clause", _with_i(tokens), role="skills_tried")
    return _framed("skills_tried", tokens)


def _goal(answers: Answers) -> _Sentence | None:
    text = _text(answers, "goal")
    if not text:
        return None
    if _reply(text) == "unsure":
        return _Sentence("goal", _rules()["frames"]["goal_unsure"], after="")
    leads = _rules()["leads"]
    tokens = _clean(text, "goal")
    rest, said = _strip_lead(tokens, [lead for lead, _ in leads["goal"]])
    if said:
        lead = dict(leads["goal"])[said]
        rest = _drop_repeated(rest, said)
        if lead.endswith(" to") and _first(rest) == "to":
            rest = rest[1:]
        return _framed("goal", rest, lead=lead)
    _, said = _strip_lead(tokens, leads["goal_own"])
    if said:
        subject = _first(tokens) in _lower("subjects")
        return _framed("goal_clause", tokens if subject else _with_i(tokens), role="goal")
    tokens, _ = _strip_lead(tokens, leads["goal_leading"])
    first = _first(tokens[1:] if _first(tokens) == "not" else tokens)  # "not sending ..."
    if first in _lower("subjects"):
        return _framed("goal_clause", tokens, role="goal")
    if _first(tokens) in leads["goal_to"]:
        return _framed("goal", tokens[1:], lead="I want help to")
    if first in _lower("actions"):
        if len(tokens) > 1 and tokens[1][0].lower() == "me":
            return _framed("goal_you", tokens, role="goal")
        return _framed("goal", tokens, lead="I want help to")
    if first.endswith("ing") and first not in leads["goal_with"]:
        return _framed("goal", tokens, lead="I want help")
    return _framed("goal", tokens, lead="I want help with")


def _backup(answers: Answers) -> _Sentence | None:
    text = _text(answers, "backup")
    if not text:
        return None
    if _reply(text) in ("none", "unsure"):
        return _Sentence("backup", _rules()["frames"]["backup_none"], after="")
    tokens = _clean(text, "backup")
    _, said = _strip_lead(tokens, _rules()["leads"]["backup_add_i"])
    if said:
        tokens = _with_i(tokens, "I'm" if said != "will" else "I")
    first = _first(tokens)
    if first in _lower("subjects"):
        return _framed("backup_clause", tokens, role="backup")
    if first in _lower("actions"):
        return _framed("backup_action", tokens, role="backup")
    return _framed("backup_other", tokens, role="backup")


def _framed(frame: str, tokens: list[Token], role: str | None = None, **values: str
            ) -> _Sentence:
    """A sentence from a frame in summary.toml with the client's words where {words} is."""
    role = role or frame
    text = _rules()["frames"][frame]
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    before, _, after = text.partition("{words}")
    if role in _LIST_ROLES or before:
        tokens = _lower_first(tokens, role in _LIST_ROLES)
    return _Sentence(role, before, _clauses(tokens, role), after)


# --- fitting ----------------------------------------------------------------------------------

def _fit(sentences: list[_Sentence], limit: int) -> list[_Sentence]:
    """Shorten by whole clauses, lowest priority first (steps in summary.toml), until the total
    fits; safety sentences and the goal are never shortened."""
    spoken = list(sentences)
    for step in _rules()["shorten"]["steps"]:
        action, role = step.split()
        for sentence in [s for s in spoken if s.role == role]:
            if action == "drop" and _total(spoken) > limit:
                spoken.remove(sentence)
            while action == "shorten" and _total(spoken) > limit and sentence.shorten():
                pass
    return spoken


def _total(sentences: list[_Sentence]) -> int:
    return sum(s.words() for s in sentences)


def _clauses(tokens: list[Token], role: str) -> list[list[Token]]:
    """The words split where a clause may end: after , ; . ? ! and before "and then", "but"..."""
    rules = _rules()["clauses"]
    before = [b.split() for b in rules["before"]]
    after_and = {w.lower() for w in rules["and_before"]}
    if role in rules["and_before_actions"]:  # "go for a walk | and put my phone away"
        after_and |= set(_lower("actions"))
    out: list[list[Token]] = [[]]
    for i, (word, punct) in enumerate(tokens):
        lower = [w.lower() for w, _ in tokens[i:i + 3]]
        starts = any(lower[:len(b)] == b for b in before) or (
            lower[:1] == ["and"] and len(lower) > 1 and lower[1] in after_and)
        if starts and len(out[-1]) >= rules["min_words"]:
            out.append([])
        out[-1].append((word, punct))
        if punct in (",", ";", ".", "?", "!") and len(out[-1]) >= rules["min_words"]:
            out.append([])
    out = [c for c in out if c]
    if len(out) > 1 and len(out[-1]) < rules["min_words"]:
        last = out.pop()
        out[-1] += last
    return out


# --- cleaning the client's words --------------------------------------------------------------

def _clean(text: str, role: str) -> list[Token]:
    """The words without fillers, repeats, false starts and hedges; spelling and "I" fixed."""
    rules = _rules()
    tokens = _respell(_tokens(text), rules["respell"])
    if tokens and tokens[0][0].lower() in rules["start_respell"] and len(tokens) > 1 \
            and tokens[1][0].lower() in _lower("actions"):
        tokens[0] = (rules["start_respell"][tokens[0][0].lower()], tokens[0][1])
    tokens = _drop_fillers(tokens)
    tokens = _drop_repeats(tokens)
    tokens = _corrections(tokens)
    tokens = _trim(tokens)
    if role in _LIST_ROLES:  # "Scared. Impatient." and "hurt, and left out" read as lists
        tokens = [(w.lower() if w.lower() in ("and", "or") else w,
                   "" if i + 1 < len(tokens) and tokens[i + 1][0].lower() in ("and", "or")
                   else "," if p in (".", "?", "!", ":", ";") else p)
                  for i, (w, p) in enumerate(tokens)]
    return tokens


def _tokens(text: str) -> list[Token]:
    out: list[Token] = []
    for punct, word in _TOKEN.findall(text.replace("’", "'")):
        if word:
            out.append((word, ""))
        elif out and not out[-1][1]:
            dash = punct.strip()[:1] in ("-", "–", "—")
            out[-1] = (out[-1][0], "," if dash or punct[:2] == ".." or punct == "…" else punct)
    return out


def _respell(tokens: list[Token], table: dict[str, str]) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        for n in (2, 1):
            key = " ".join(w.lower() for w, _ in tokens[i:i + n])
            if len(tokens[i:i + n]) == n and key in table:
                words = table[key].split()
                out += [(w, "") for w in words[:-1]] + [(words[-1], tokens[i + n - 1][1])]
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _drop_fillers(tokens: list[Token]) -> list[Token]:
    rules = _rules()
    numbers = {w for n in rules["numbers"] for w in n.split()}
    phrases = [p.split() for p in rules["filler_phrases"]]
    out: list[Token] = []
    dropped = True  # the start counts as after a dropped filler
    i = 0
    while i < len(tokens):
        word, punct = tokens[i]
        lower = word.lower()
        after = out[-1][0].lower() if out and not out[-1][1] else ""
        nxt = [w.lower() for w, _ in tokens[i + 1:i + 3]]
        phrase = next((p for p in phrases if [w.lower() for w, _ in tokens[i:i + len(p)]] == p),
                      None)
        if phrase and after not in rules["phrase_not_after"]:
            i, dropped = i + len(phrase), True
            _carry(out, tokens[i - 1][1])
            continue
        is_number = bool(nxt) and (nxt[0] in numbers or nxt[0][:1].isdigit() or (
            nxt[0] in ("a", "an") and len(nxt) > 1 and (nxt[1] in numbers or nxt[1][:1].isdigit())))
        segment_start = bool(out) and bool(out[-1][1])
        simile = bool(nxt) and nxt[0] in rules["like_before"]
        if (lower in rules["fillers"] and after not in rules["not_after"]) or (
                lower == "like" and (dropped or is_number or nxt[:1] == ["like"]
                                     or after == "like" or (segment_start and not simile))):
            i, dropped = i + 1, True
            _carry(out, punct)
            continue
        out.append((word, punct))
        dropped = False
        i += 1
    return out


def _carry(out: list[Token], punct: str) -> None:
    """A dropped word's punctuation stays with the word before it."""
    if out and punct and not out[-1][1]:
        out[-1] = (out[-1][0], punct)


def _drop_repeats(tokens: list[Token]) -> list[Token]:
    """A run of words said twice in a row is said once ("i will i will go" -> "i will go")."""
    words = [w.lower() for w, _ in tokens]
    n = 6
    while n >= 1:
        i = 0
        while i + 2 * n <= len(words):
            if words[i:i + n] == words[i + n:i + 2 * n]:
                del words[i + n:i + 2 * n]
                tokens = tokens[:i] + tokens[i + n:]  # keep the second (its punctuation)
                continue
            i += 1
        n -= 1
    restate = _rules()["restate"]
    out: list[Token] = []
    for word, punct in tokens:  # "embarrassed really embarrassed" -> "really embarrassed"
        if out and word.lower() not in restate:
            j = len(out) - 1
            while j >= 0 and out[j][0].lower() in restate and not out[j][1]:
                j -= 1
            if 0 <= j < len(out) - 1 and out[j][0].lower() == word.lower() and not out[j][1]:
                del out[j]
        out.append((word, punct))
    return out


def _corrections(tokens: list[Token]) -> list[Token]:
    """A segment that starts with a correction replaces the one before it; "X, not X" and "X,
    mostly X" keep only what the client settled on."""
    rules = _rules()
    markers = [m.split() for m in rules["corrections"]]
    kept: list[list[Token]] = []
    corrected = False
    for segment in _segments(tokens):
        words = [w.lower() for w, _ in segment]
        if words in [p.split() for p in rules["pauses"]]:
            continue
        marker = next((m for m in sorted(markers, key=len, reverse=True)
                       if words == m or (len(m) > 1 and words[:len(m)] == m)), None)
        if marker is not None:
            if kept and not corrected:
                kept.pop()
            segment = segment[len(marker):]
            corrected = not segment
            if not segment:
                continue
        elif words[:1] == ["not"] and any(words[1:] == [w.lower() for w, _ in k] for k in kept):
            kept = [k for k in kept if [w.lower() for w, _ in k] != words[1:]]
            continue
        elif kept and len(kept[-1]) <= 3 and {w.lower() for w, _ in kept[-1]} <= set(words):
            kept.pop()  # "embarrassed, mostly embarrassed"
        corrected = False
        kept.append(segment)
    return [t for s in kept for t in s]


def _segments(tokens: list[Token]) -> list[list[Token]]:
    out: list[list[Token]] = [[]]
    for token in tokens:
        out[-1].append(token)
        if token[1]:
            out.append([])
    return [s for s in out if s]


def _trim(tokens: list[Token]) -> list[Token]:
    """Hedges off both ends ("so like ...", "... i guess"), never the last words."""
    rules = _rules()
    lead = [p.split() for p in rules["leading"]]
    subject_lead = [p.split() for p in rules["leading_before_subject"]]
    subjects = _lower("subjects")
    trail = [p.split() for p in rules["trailing"]]
    changed = True
    while changed and tokens:
        changed = False
        words = [w.lower() for w, _ in tokens]
        for phrase in sorted(lead + subject_lead, key=len, reverse=True):
            n = len(phrase)
            if words[:n] == phrase and len(words) > n and (
                    phrase in lead or words[n] in subjects or words[n] in rules["fillers"]
                    or words[n] == "like" or [words[n]] in lead):
                tokens, changed = tokens[n:], True
                break
        words = [w.lower() for w, _ in tokens]
        for phrase in sorted(trail, key=len, reverse=True):
            n = len(phrase)
            if words[-n:] == phrase and len(words) > n:
                tokens, changed = tokens[:-n], True
                tokens[-1] = (tokens[-1][0], "")
                break
    return tokens


def _strip_lead(tokens: list[Token], leads: list[str]) -> tuple[list[Token], str]:
    """The words after the longest lead they start with, and that lead ("" if none); a lead
    started again ("i want help with i want help deciding") counts once, as said last."""
    found = ""
    while True:
        words = [w.lower() for w, _ in tokens]
        for lead in sorted(leads, key=lambda x: len(x.split()), reverse=True):
            n = len(lead.split())
            if words[:n] == lead.lower().split() and all(not p for _, p in tokens[:n - 1]) \
                    and (not found or n > 1):
                tokens, found = tokens[n:], lead
                break
        else:
            return tokens, found


def _drop_repeated(tokens: list[Token], lead: str) -> list[Token]:
    """The lead said again later ("... and i want help figuring out") is said once."""
    n = len(lead.split())
    if not n:
        return tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        ahead = [w.lower() for w, _ in tokens[i:i + n]]
        joins = out and (out[-1][0].lower() in ("and", "or") or out[-1][1] == ",")
        if joins and ahead == lead.lower().split():
            i += n
            continue
        out.append(tokens[i])
        i += 1
    return out


def _join(tokens: list[Token]) -> str:
    return " ".join(f"{w}{p}" for w, p in tokens)


def _capitalize(text: str) -> str:
    return re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def _lower_first(tokens: list[Token], every_segment: bool) -> list[Token]:
    """Typed capitals at the start of words placed inside a frame ("I feel Panicked")."""
    out = []
    for i, (word, punct) in enumerate(tokens):
        start = i == 0 or (every_segment and tokens[i - 1][1] in (",", ";"))
        if start and word[:1].isupper() and word[1:].islower() and not word.startswith("I'"):
            word = word.lower()
        out.append((word, punct))
    return out


def _with_i(tokens: list[Token], subject: str = "I") -> list[Token]:
    """'Called my sister' -> 'I called my sister'."""
    return [(subject, ""), *_lower_first(tokens, False)]


def _first(tokens: list[Token]) -> str:
    return tokens[0][0].lower() if tokens else ""


@cache
def _lower(key: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _rules()["words"][key])


def _words_in(part: str, whole: str) -> bool:
    def words(text: str) -> set[str]:
        return set(re.findall(r"[a-z']+", text.lower()))

    return words(part) - {"i", "have", "an", "urge", "to", "urges", "at", "out", "of"} \
        <= words(whole)


# --- answers and ratings ----------------------------------------------------------------------

def _get(answers: Answers, field: str, key: str) -> Any:
    answer = answers.get(field) or {}
    return None if answer.get("skipped") else answer.get(key)


def _said(answer: dict[str, Any]) -> str:
    text = "" if answer.get("skipped") else (answer.get("text") or "")
    return re.sub(r"\s+", " ", text).strip()


def _text(answers: Answers, field: str) -> str:
    return _said(answers.get(field) or {})


def _reply(text: str) -> str | None:
    """'none', 'unsure' or 'filler' for answers that name nothing (see data/replies.toml)."""
    from companion.understand.analysis import reply_kind

    return reply_kind(text)


def _safety_urges(answers: Answers) -> list[str]:
    return [u for u in _get(answers, "urges", "urges") or [] if u in SAFETY_URGES]


def _level(answers: Answers, field: str) -> str:
    """'8 out of 10', or '6 to 7 out of 10' when the client gave a range; '' without one."""
    frames = _rules()["frames"]
    value = _get(answers, field, "intensity")
    if field == "intensity" and value is None:
        value = _get(answers, "emotions", "intensity")
    text = re.sub(r"(out of|/)\s*(10|ten)\b", " ", _text(answers, field).lower())
    names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
             "ten"]
    found = [float(n) if n[0].isdigit() else float(names.index(n)) for n in
             re.findall(r"\b(?:10|\d(?:\.5)?|" + "|".join(names) + r")\b", text)]
    spread = sorted({n for n in found if 0 <= n <= 10})
    if isinstance(value, int | float) and len(spread) >= 2 and spread[0] <= value <= spread[-1]:
        return frames["level_range"].format(low=format_number(spread[0]),
                                            high=format_number(spread[-1]))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return frames["level"].format(value=format_number(value))
    return ""


def _rating(answers: Answers, field: str) -> str:
    level = _level(answers, field)
    return _rules()["frames"]["rating"].format(level=level) if level else ""


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
