"""Offering a skill ("would you like me to guide a skill?") and asking which one, through the
dialog engine, the client's suggested skills first."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

from companion.data import load_data
from companion.guide.finder import find_skill, match_key, ranked, suggest
from companion.guide.model import Skill, normalise
from companion.interfaces import Prompt, Reply
from companion.understand.analysis import reply_kind

T = TypeVar("T")
GENTLE = "paced_breathing"
"""The skill offered for a wider suggestion (tipp) with no caution of its own to give."""
LISTED = 3
"""Suggested skills named in the question; the rest are in the hint."""
WHICH_ASKS = 2
"""A name that matches no skill is answered with the list and asked once more."""
SURE = 90.0
"""A skill named in the reply to the offer itself must match this well (0-100): "yeah go on"
must never start a skill by a near miss."""
YES_WORDS = frozenset({"yes", "yeah", "yep", "yup", "sure", "ok", "okay", "please", "go", "on",
                       "ahead", "alright", "right", "fine", "thanks", "thank", "you", "that",
                       "would", "be", "good", "great", "nice", "some", "one"})


class Asker(Protocol):
    """What the offer needs of the dialog engine: a Dialog, or ask/say inside a response."""

    def ask(self, prompt: Prompt, **options: Any) -> Reply: ...

    def say(self, text: str, role: str = "info") -> None: ...


class Asking:
    """An Asker from the two functions a safety responder is handed (ask, say)."""

    def __init__(self, ask: Callable[..., Reply], say: Callable[[str, str], None]) -> None:
        self._ask, self._say = ask, say

    def ask(self, prompt: Prompt, **options: Any) -> Reply:
        return self._ask(prompt, **options)

    def say(self, text: str, role: str = "info") -> None:
        self._say(text, role)


def words() -> dict[str, str]:
    """The guide's wording (dialog.toml [guide])."""
    return load_data("dialog.toml")["guide"]


def guided(suggested: Iterable[str], skills: Sequence[Skill]) -> list[Skill]:
    """The guided skills for suggested skill ids (the vocabulary's: tipp, stop, half_smile...),
    in order, without repeats: the same id, else the gentle part of a wider skill (tipp: paced
    breathing), else the skill that name means."""
    by_id = {s.id: s for s in skills}
    out: list[Skill] = []
    for name in suggested:
        gentle = sorted((s for s in skills if s.part_of == name and s.caution is None),
                        key=lambda s: s.id != GENTLE)
        found = by_id.get(name) or next(iter(gentle), None) \
            or find_skill(name.replace("_", " "), skills)
        if found is not None and found not in out:
            out.append(found)
    return out


def offer_skill(dialog: Asker, *, skills: Sequence[Skill], suggested: Iterable[str] = (),
                run: Callable[[Skill], T]) -> T | None:
    """"While you wait for your therapist, would you like me to guide a skill?" A no (or
    silence, or stop) costs one word and ends it; a yes asks which skill (a reply that already
    names one skips that question), then `run(skill)`'s result is returned."""
    said = words()
    reply = dialog.ask(Prompt(id="_offer_skill", kind="yesno", text=said["offer"],
                              hint=said["offer_hint"]), retries=1)
    named = named_in(reply.text, skills) if reply.status == "answer" and \
        reply.answer != "no" else None
    if named is None and reply.answer != "yes":
        if reply.status == "answer":
            dialog.say(said["offer_declined"], "info")
        return None
    skill = named or choose_skill(dialog, skills=skills, suggested=suggested)
    return None if skill is None else run(skill)


def named_in(text: str, skills: Sequence[Skill]) -> Skill | None:
    """A skill the reply to the offer names clearly ("yes, paced breathing"), else None."""
    key = match_key(" ".join(w for w in normalise(text).split() if w not in YES_WORDS))
    if len(key) < 3:
        return None
    scores = ranked(key, skills)
    if not scores or scores[0][0] < SURE or (len(scores) > 1 and scores[1][0] >= scores[0][0]):
        return None
    return scores[0][1]


def choose_skill(dialog: Asker, *, skills: Sequence[Skill],
                 suggested: Iterable[str] = ()) -> Skill | None:
    """Ask which skill, naming the client's suggested ones first (all of them when there are
    none); a name that matches nothing gets the list and one more try. None: skipped, stopped,
    or still no match."""
    said = words()
    first = guided(suggested, skills)
    prompt = which_prompt(skills, first)
    for _ in range(WHICH_ASKS):
        reply = dialog.ask(prompt, retries=0)
        if reply.status not in ("answer", "unclear") or reply_kind(reply.text) is not None:
            return None  # skipped, stopped, or "nothing" / "i don't know"
        skill = find_skill(reply.text, skills) or next(iter(guided(reply.result.skills, skills)
                                                            if reply.result else ()), None)
        if skill is not None:
            return skill
        dialog.say(suggest(reply.text, skills), "hint")
        prompt = Prompt(id=prompt.id, kind=prompt.kind, text=said["which"].format(
            skills=spoken_list([spoken_name(s) for s in first or skills])), hint=prompt.hint)
    return None


def which_prompt(skills: Sequence[Skill], first: Sequence[Skill]) -> Prompt:
    """"Which skill would you like? You can say paced breathing, STOP or pros and cons, or
    another skill." (every skill, when nothing was suggested)."""
    said = words()
    if first:
        names = said["which_more"].format(skills=", ".join(spoken_name(s)
                                                           for s in first[:LISTED]))
    else:
        names = spoken_list([spoken_name(s) for s in skills])
    example = spoken_name((first or skills)[0])
    return Prompt(id="_which_skill", kind="skills", text=said["which"].format(skills=names),
                  hint=f"{said['which_hint'].format(example=example)} "
                       f"The skills I can guide are: {', '.join(s.name for s in skills)}.")


def spoken_name(skill: Skill) -> str:
    """A name as it reads inside a sentence: 'paced breathing', but 'STOP'."""
    name = skill.name
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def spoken_list(names: Sequence[str]) -> str:
    """'a, b or c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
