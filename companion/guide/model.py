"""The guided-skill types: steps, questions, skills, and the one error they raise."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from companion.errors import CompanionError, ExitCode

EMOTIONS = frozenset(
    {"anger", "disgust", "envy", "fear", "joy", "jealousy", "love", "sadness", "shame", "guilt"}
)
SKILL_KINDS = frozenset({"timed", "interactive"})
QUESTION_KINDS = frozenset({"free", "intensity", "emotions", "urges"})
TONES = frozenset({"bell", "in", "out"})
BREATH_TONES = frozenset({"in", "out"})
"""Tones that mark a breath change: heard only in a skill's tones mode, instead of the counting."""
MODES = frozenset({"counts", "tones"})
"""How a skill with breath tones is paced: counted aloud (the default) or by soft tones."""
MAX_COUNT = 10  # count words exist for "two" .. "ten"
DERIVED_FIELDS = ("feeling", "urge", "opposite")  # filled from [skill.actions] for readback
ID = re.compile(r"^[a-z][a-z0-9_]*$")


class GuideError(CompanionError):
    """A skills file that cannot be loaded, or a skill asked to do what it cannot; the message
    names file, skill, step and problem."""

    exit_code = ExitCode.ERROR


@dataclass(frozen=True)
class Step:
    """One spoken line and the silence after it."""

    text: str
    pause: float = 0.0
    """Seconds of silence after the text (and after the count or `seconds`, if any)."""
    count: int | None = None
    """The text is beat one of `count` one-second beats; "two", "three"... fill the rest."""
    seconds: float | None = None
    """The step lasts this long from its start, speech included (for exact timers)."""
    tone: str | None = None
    """A tone played just before the text, where the app can play one ("bell"); a breath tone
    ("in", "out") is played only in tones mode, and then stands for the text and its count."""
    only: str | None = None
    """"counts" or "tones": a step said only when the skill is paced that way."""


@dataclass(frozen=True)
class Repeat:
    """A block of steps repeated until the practice's minutes are up."""

    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Question:
    """A question an interactive skill asks; its answer is kept under `id`."""

    id: str
    text: str
    hint: str
    kind: str
    pause: float = 0.0


Part: TypeAlias = Step | Repeat | Question


@dataclass(frozen=True)
class Action:
    """Opposite action for one emotion: what the emotion urges, and its opposite."""

    emotion: str
    names: tuple[str, ...]
    urge: str
    opposite: str


@dataclass(frozen=True)
class Skill:
    """One guided skill, timed (run by the player) or interactive (asked by the app)."""

    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    description: str
    steps: tuple[Part, ...]
    caution: str | None = None
    minutes: float | None = None
    """Default length of the whole practice, for timed skills with a repeat block (minutes)."""
    part_of: str | None = None
    readback: tuple[str, ...] = ()
    lookup: str | None = None
    actions: tuple[Action, ...] = ()

    @property
    def has_tones(self) -> bool:
        """Whether the skill can be paced by breath tones instead of counting aloud."""
        return any(s.tone in BREATH_TONES for s in spoken_steps(self))


@dataclass(frozen=True)
class Guide:
    """Every skill in a file, and the question asked after any of them."""

    skills: tuple[Skill, ...]
    end_question: str
    source: str
    controls: Any = None
    """The words for hands-free control between steps (guide.controls.ControlWords), when the
    file has a [controls] table."""
    tones: Mapping[str, Any] = field(default_factory=dict)
    """Each tone's sound (guide.tone.ToneSpec by name), from the file's [tones] table."""


def spoken_steps(skill: Skill) -> list[Step]:
    """Every spoken step of a skill, those inside its repeat block included."""
    out: list[Step] = []
    for part in skill.steps:
        out += part.steps if isinstance(part, Repeat) else [part] if isinstance(part, Step) else []
    return out


def normalise(text: str) -> str:
    """Lower case, punctuation and underscores to spaces, single-spaced."""
    return " ".join(re.sub(r"[^a-z0-9']+", " ", text.lower().replace("_", " ")).split())


def fields(template: str) -> list[str]:
    """The {placeholders} in a readback line, in order."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise GuideError(f"readback line '{template}': {exc}.") from exc
    names = [name for _, name, spec, conv in parsed if name is not None]
    for _, name, spec, conv in parsed:
        if name is not None and (not ID.match(name) or spec or conv):
            raise GuideError(f"readback line '{template}': use plain {{answer_id}} placeholders.")
    return names
