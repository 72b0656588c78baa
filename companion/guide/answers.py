"""Interactive skills: their questions, and the answers read back in the skill's own lines."""

from __future__ import annotations

import re
from collections.abc import Mapping

from companion.guide.model import Action, GuideError, Question, Skill, fields, normalise


def questions(skill: Skill) -> tuple[Question, ...]:
    """The questions an interactive skill asks, in order (none for a timed skill)."""
    return tuple(p for p in skill.steps if isinstance(p, Question))


def opposite_action(skill: Skill, said: str) -> Action | None:
    """The action-table entry for the emotion named in `said` (an id or an everyday word).

    When several emotions are named, the first one said wins.
    """
    text = f" {normalise(said)} "
    found: list[tuple[int, Action]] = []
    for action in skill.actions:
        for word in (action.emotion, *action.names):
            at = text.find(f" {normalise(word)} ")
            if at >= 0:
                found.append((at, action))
    return min(found, key=lambda pair: pair[0])[1] if found else None


def readback(skill: Skill, answers: Mapping[str, str | None]) -> list[str]:
    """The skill's readback lines with the answers filled in.

    A line that needs an answer that is missing or blank is left out, so nothing reads
    "None" or an empty gap; lines with no answers in them are always kept.
    """
    if skill.kind != "interactive":
        raise GuideError(f"Skill '{skill.id}' is timed: it has no answers to read back.")
    values = {k: _clean(v) for k, v in answers.items() if _clean(v)}
    if skill.lookup and skill.lookup in values:
        action = opposite_action(skill, values[skill.lookup])
        if action is not None:
            values.update(feeling=action.emotion, urge=action.urge, opposite=action.opposite)
    lines = []
    for line in skill.readback:
        names = fields(line)
        if all(name in values for name in names):
            lines.append(line.format(**{name: values[name] for name in names}))
    return lines


def _clean(value: str | None) -> str:
    """An answer as it reads inside a sentence: trimmed, without closing punctuation."""
    if value is None:
        return ""
    return re.sub(r"[\s.!?,;:]+$", "", " ".join(str(value).split()))
