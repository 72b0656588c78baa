"""Guided-skill scripts: load and validate skills.toml into frozen dataclasses."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

from companion.data import DataError, parse_toml, read_text
from companion.guide.controls import parse_controls
from companion.guide.finder import find_skill, match_key, suggest
from companion.guide.model import (
    BREATH_TONES,
    DERIVED_FIELDS,
    EMOTIONS,
    ID,
    MAX_COUNT,
    MODES,
    QUESTION_KINDS,
    SKILL_KINDS,
    TONES,
    Action,
    Guide,
    GuideError,
    Part,
    Question,
    Repeat,
    Skill,
    Step,
    fields,
    spoken_steps,
)
from companion.guide.tone import parse_tones

__all__ = ["DATA_FILE", "GuideError", "builtin", "find_skill", "load", "suggest"]

DATA_FILE = "skills_guided.toml"
"""The packaged skills, under companion/data (a clinician reviews it there)."""
SCHEMA_VERSION = 1
_TOP_KEYS = {"schema_version", "end_question", "skill", "controls", "tones"}
_SKILL_KEYS = {
    "id",
    "name",
    "aliases",
    "kind",
    "description",
    "caution",
    "minutes",
    "part_of",
    "step",
    "readback",
    "lookup",
    "actions",
}
_SPOKEN_KEYS = {"text", "pause", "count", "seconds", "tone", "only"}
_QUESTION_KEYS = {"id", "question", "hint", "kind", "pause"}
_ACTION_KEYS = {"names", "urge", "opposite"}


def load(path: Path | str | None = None) -> Guide:
    """Read and validate a skills file (default: the packaged one); GuideError says what to fix."""
    if path is None:
        where, text = f"(built-in) {DATA_FILE}", read_text(DATA_FILE)
    else:
        where = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise GuideError(f"{where}: cannot read the skills file ({reason}).") from exc
    try:
        data = parse_toml(text, where)
    except DataError as exc:
        raise GuideError(f"{where}: not valid TOML: {exc.__cause__ or exc}.") from exc
    _no_unknown(data, _TOP_KEYS, where)
    if data.get("schema_version") != SCHEMA_VERSION:
        raise GuideError(f"{where}: schema_version must be {SCHEMA_VERSION}.")
    raws = _tables(data.get("skill"), f"{where}: [[skill]]")
    skills = tuple(_skill(raw, where, i) for i, raw in enumerate(raws, 1))
    if not skills:
        raise GuideError(f"{where}: no [[skill]] tables.")
    _unique_names(skills, where)
    controls = parse_controls(data["controls"], where) if "controls" in data else None
    tones = parse_tones(data["tones"], where) if "tones" in data else {}
    return Guide(skills, _text(data, "end_question", where), where, controls, tones)


@cache
def builtin() -> Guide:
    """The packaged skills, loaded and checked once per process."""
    return load()


def _skill(raw: Any, path: str, index: int) -> Skill:
    skill_id = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(skill_id, str) or not ID.match(skill_id):
        raise GuideError(
            f"{path}: skill {index}: id must be lowercase letters, digits and underscores."
        )
    where = f"{path}: skill '{skill_id}'"
    _no_unknown(raw, _SKILL_KEYS, where)
    kind = _text(raw, "kind", where)
    if kind not in SKILL_KINDS:
        raise GuideError(f"{where}: unknown kind '{kind}' (use timed or interactive).")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise GuideError(f"{where}: aliases must be a list of non-empty strings.")
    steps = tuple(
        _part(s, f"{where}, step {i}")
        for i, s in enumerate(_tables(raw.get("step"), f"{where}: [[skill.step]]"), 1)
    )
    skill = Skill(
        id=skill_id,
        name=_text(raw, "name", where),
        aliases=tuple(aliases),
        kind=kind,
        description=_text(raw, "description", where),
        steps=steps,
        caution=_text(raw, "caution", where) if "caution" in raw else None,
        minutes=_number(raw, "minutes", where, positive=True) if "minutes" in raw else None,
        part_of=_text(raw, "part_of", where) if "part_of" in raw else None,
        readback=_lines(raw.get("readback", []), where),
        lookup=_text(raw, "lookup", where) if "lookup" in raw else None,
        actions=_actions(raw.get("actions", {}), where),
    )
    (_check_timed if kind == "timed" else _check_interactive)(skill, where)
    return skill


def _part(raw: Any, where: str) -> Part:
    if not isinstance(raw, dict):
        raise GuideError(f"{where}: must be a table.")
    if "repeat" in raw:
        _no_unknown(raw, {"repeat"}, where)
        block = raw["repeat"]
        if not isinstance(block, list) or not block:
            raise GuideError(f"{where}: repeat must be a non-empty list of steps.")
        return Repeat(
            tuple(_spoken(s, f"{where}, repeat step {i}") for i, s in enumerate(block, 1))
        )
    if "question" in raw:
        _no_unknown(raw, _QUESTION_KEYS, where)
        kind = _text(raw, "kind", where)
        if kind not in QUESTION_KINDS:
            raise GuideError(
                f"{where}: unknown step kind '{kind}' "
                f"(use one of {', '.join(sorted(QUESTION_KINDS))})."
            )
        qid = _text(raw, "id", where)
        if not ID.match(qid):
            raise GuideError(f"{where}: question id '{qid}' must be lowercase_with_underscores.")
        return Question(
            qid,
            _text(raw, "question", where),
            _text(raw, "hint", where),
            kind,
            _number(raw, "pause", where) if "pause" in raw else 0.0,
        )
    if "kind" in raw:
        raise GuideError(
            f"{where}: kind '{raw['kind']}' is for question steps, and this step has no "
            'question (add question = "...", or remove kind).'
        )
    return _spoken(raw, where)


def _spoken(raw: Any, where: str) -> Step:
    if not isinstance(raw, dict):
        raise GuideError(f"{where}: must be a table.")
    if "repeat" in raw or "question" in raw:
        raise GuideError(f"{where}: a repeat block holds spoken steps only.")
    _no_unknown(raw, _SPOKEN_KEYS, where)
    count = raw.get("count")
    if count is not None and (type(count) is not int or not 2 <= count <= MAX_COUNT):
        raise GuideError(f"{where}: count must be a whole number from 2 to {MAX_COUNT}.")
    if count is not None and "seconds" in raw:
        raise GuideError(f"{where}: use count or seconds, not both.")
    tone = raw.get("tone")
    if tone is not None and tone not in TONES:
        raise GuideError(f"{where}: unknown tone '{tone}' (use one of {', '.join(sorted(TONES))}).")
    only = raw.get("only")
    if only is not None and only not in MODES:
        raise GuideError(f"{where}: only must be one of {', '.join(sorted(MODES))}, not {only!r}.")
    return Step(
        text=_text(raw, "text", where),
        pause=_number(raw, "pause", where) if "pause" in raw else 0.0,
        count=count,
        seconds=_number(raw, "seconds", where, positive=True) if "seconds" in raw else None,
        tone=tone,
        only=only,
    )


def _check_timed(skill: Skill, where: str) -> None:
    if any(isinstance(p, Question) for p in skill.steps) or skill.readback or skill.actions:
        raise GuideError(f"{where}: a timed skill has no questions, readback or actions.")
    if skill.lookup:
        raise GuideError(f"{where}: lookup belongs to interactive skills.")
    blocks = sum(isinstance(p, Repeat) for p in skill.steps)
    if blocks > 1:
        raise GuideError(f"{where}: at most one repeat block.")
    if blocks and skill.minutes is None:
        raise GuideError(f"{where}: a repeat block needs minutes (the default length).")
    if not blocks and skill.minutes is not None:
        raise GuideError(f"{where}: minutes is set but there is no repeat block to fill them.")
    if not skill.steps:
        raise GuideError(f"{where}: no steps.")
    if any(s.only for s in spoken_steps(skill)) and not skill.has_tones:
        raise GuideError(f"{where}: only = ... is for skills with breath tones "
                         f"({', '.join(sorted(BREATH_TONES))}).")


def _check_interactive(skill: Skill, where: str) -> None:
    if any(isinstance(p, Repeat) for p in skill.steps) or skill.minutes is not None:
        raise GuideError(f"{where}: an interactive skill has no repeat block or minutes.")
    if skill.has_tones or any(s.only for s in spoken_steps(skill)):
        raise GuideError(f"{where}: breath tones and only = ... are for timed skills.")
    ids = [p.id for p in skill.steps if isinstance(p, Question)]
    if not ids:
        raise GuideError(f"{where}: an interactive skill needs at least one question step.")
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise GuideError(f"{where}: duplicate question id '{dup}'.")
    if not skill.readback:
        raise GuideError(f"{where}: an interactive skill needs readback lines.")
    if bool(skill.lookup) != bool(skill.actions):
        raise GuideError(f"{where}: lookup and [actions] go together.")
    if skill.lookup and skill.lookup not in ids:
        raise GuideError(f"{where}: lookup '{skill.lookup}' is not a question id.")
    if skill.lookup and set(ids) & set(DERIVED_FIELDS):
        raise GuideError(
            f"{where}: question ids {', '.join(DERIVED_FIELDS)} are kept for "
            "the actions table; rename the question."
        )
    known = set(ids) | (set(DERIVED_FIELDS) if skill.actions else set())
    for n, line in enumerate(skill.readback, 1):
        for field in fields(line):
            if field not in known:
                raise GuideError(
                    f"{where}, readback line {n}: '{{{field}}}' is not a question "
                    f"id (known: {', '.join(sorted(known))})."
                )


def _actions(raw: Any, where: str) -> tuple[Action, ...]:
    if not isinstance(raw, dict):
        raise GuideError(f"{where}: actions must be a table of emotions.")
    out = []
    for emotion, entry in raw.items():
        here = f"{where}, actions.{emotion}"
        if emotion not in EMOTIONS:
            raise GuideError(
                f"{here}: unknown emotion id (use one of {', '.join(sorted(EMOTIONS))})."
            )
        if not isinstance(entry, dict):
            raise GuideError(f"{here}: must be a table.")
        _no_unknown(entry, _ACTION_KEYS, here)
        names = entry.get("names", [])
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise GuideError(f"{here}: names must be a list of words.")
        out.append(
            Action(
                emotion, tuple(names), _text(entry, "urge", here), _text(entry, "opposite", here)
            )
        )
    return tuple(out)


def _lines(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise GuideError(f"{where}: readback must be a list of non-empty lines.")
    for line in raw:
        try:
            fields(line)
        except GuideError as exc:
            raise GuideError(f"{where}: {exc}") from None
    return tuple(raw)


def _unique_names(skills: tuple[Skill, ...], where: str) -> None:
    owner: dict[str, str] = {}
    for skill in skills:
        if skill.id in owner.values():
            raise GuideError(
                f"{where}: skill '{skill.id}': duplicate skill id '{skill.id}'; ids must be unique."
            )
        for said in {match_key(x) for x in (skill.id, skill.name, *skill.aliases)}:
            if owner.setdefault(said, skill.id) != skill.id:
                raise GuideError(
                    f"{where}: skill '{skill.id}': name or alias '{said}' is "
                    f"also used by skill '{owner[said]}'."
                )


def _tables(raw: Any, where: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise GuideError(f"{where}: must be an array of tables ([[...]]).")
    return raw


def _no_unknown(raw: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise GuideError(
            f"{where}: unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})."
        )


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise GuideError(f"{where}: missing {key} (a non-empty string).")
    return value.strip()


def _number(raw: dict[str, Any], key: str, where: str, positive: bool = False) -> float:
    value = raw.get(key)
    number = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else -1
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        need = "a number above zero" if positive else "a number of seconds, zero or more"
        raise GuideError(f"{where}: {key} must be {need}, not {value!r}.")
    return number
