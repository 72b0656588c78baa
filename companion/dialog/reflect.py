"""The reflection after a call: skills used, how much each helped, urges, one thing to remember."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from companion.data import load_data
from companion.data.names import display, format_number
from companion.dialog.engine import Dialog
from companion.dialog.session import RETRY, kept_entry, unclear_attempts
from companion.interfaces import AnswerSource, Prompt, Prompter, Reply
from companion.journal.progress import GENERAL_URGE
from companion.safety.policy import SAFETY_URGES
from companion.safety.triage import Responder, Triage

DATA = "reflect.toml"
OTHER_SKILL = "other"
SaveFn = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Question:
    """One reflection question; `key` says where its answer goes (skills, helped, urge...)."""

    prompt: Prompt
    key: str
    item: str | None = None


def new_reflection(now: datetime, mode: str) -> dict[str, Any]:
    """An empty reflection block, stored as `record["reflection"]`."""
    stamp = now.isoformat(timespec="seconds")
    return {"started_at": stamp, "finished_at": None, "mode": mode, "status": "in_progress",
            "complete": False, "skills": [], "helped": {}, "urges": {}, "remember": None,
            "answers": {}, "safety": {"crisis": False, "triggers": []}}


def questions(record: dict[str, Any], reflection: dict[str, Any]) -> list[Question]:
    """The questions, given the session and what has been answered so far."""
    data = load_data(DATA)
    out = [_question(data, "skills", "skills")]
    chosen = reflection["answers"].get("skills") or {}
    if not chosen.get("skipped"):
        named = chosen.get("skills") or []
        out += [_question(data, "helped", "helped", s, skill=display("skills", s)) for s in named]
        if not named and chosen.get("text") and not _names_nothing(chosen["text"]):
            out.append(_question(data, "helped_unnamed", "helped", OTHER_SKILL))
    urges = (record.get("answers", {}).get("urges") or {}).get("urges") or []
    out += [_question(data, "urge", "urge", u, urge=display("urges", u)) for u in urges]
    if not urges:
        out.append(_question(data, "urge_general", "urge", GENERAL_URGE))
    out.append(_question(data, "remember", "remember"))
    return out


def look_back(summary: list[dict[str, Any]]) -> list[str]:
    """The skills practised lately, counted: "You practised paced breathing 3 times this week;
    on average it helped 6 out of 10." `summary` is journal.practices.practice_summary for the
    last [practices] days (most practised first); [] when nothing was practised."""
    said = load_data(DATA)["practices"]
    lines = []
    for entry in summary[:said["most"]]:
        n = entry["practices"]
        times = said["once"] if n == 1 else said["twice"] if n == 2 else \
            said["times"].format(n=n)
        name = entry["name"]
        skill = name[0].lower() + name[1:] if name[1:2].islower() else name  # but "STOP"
        if entry["average_help"] is None:
            lines.append(said["unrated"].format(skill=skill, times=times))
        else:
            lines.append(said["rated"].format(skill=skill, times=times,
                                              helped=format_number(entry["average_help"])))
    return lines


class Reflection:
    """Asks the reflection questions one by one through the dialog engine, saving every reply."""

    def __init__(self, record: dict[str, Any], reflection: dict[str, Any], *,
                 source: AnswerSource, prompter: Prompter, safety: Responder,
                 save: SaveFn, clock: Callable[[], datetime]) -> None:
        self.record, self.reflection = record, reflection
        self.save, self.clock = save, clock
        self.data = load_data(DATA)
        reflection.setdefault("events", [])
        guard = Triage(reflection["safety"], responder=safety, say=prompter.say,
                       save=lambda: self.save(self.reflection), now=self._now,
                       acted_on=self._acted_on_safety_urge)
        self.dialog = Dialog(source, prompter, guard=guard, note=self._note)

    def run(self) -> dict[str, Any]:
        """Ask what is still unanswered; returns the reflection (complete, stopped or interrupted)."""
        index = self._first_unanswered()
        while True:
            asked = questions(self.record, self.reflection)
            if index >= len(asked):
                return self._end("complete")
            prompt = asked[index].prompt
            earlier = tuple(unclear_attempts(self.reflection["answers"].get(prompt.id)))
            reply = self.dialog.ask(prompt, keep=self._keep, earlier=earlier)
            if reply.status in ("stop", "ended"):
                return self._end("stopped" if reply.status == "stop" else "interrupted")
            if reply.status == "back" and index == 0:
                self.dialog.say(self.dialog.words["first_question"], "hint")
            index = max(index - 1, 0) if reply.status == "back" else index + 1

    def _first_unanswered(self) -> int:
        asked = questions(self.record, self.reflection)
        done = self.reflection["answers"]
        return next((i for i, q in enumerate(asked)
                     if q.prompt.id not in done or done[q.prompt.id].get(RETRY)), len(asked))

    def _keep(self, prompt: Prompt, reply: Reply, pending: bool) -> None:
        self.reflection["answers"][prompt.id] = kept_entry(
            prompt, reply, pending, self.reflection["answers"].get(prompt.id), self._now())
        self._derive()
        self.save(self.reflection)

    def _note(self, event: dict[str, Any]) -> None:
        self.reflection["events"].append({"at": self._now(), **event})
        self.save(self.reflection)

    def _acted_on_safety_urge(self, prompt: Prompt, reply: Reply) -> bool:
        """'Did you act on the urge to hurt yourself?' answered yes gets the safety response."""
        item = prompt.id.split(".", 1)[1] if prompt.id.startswith("urge.") else ""
        return item in SAFETY_URGES and reply.answer == "yes"

    def _derive(self) -> None:
        """The summary fields (skills, helped, urges, remember) from the current answers."""
        reflection = self.reflection
        answers = reflection["answers"]
        asked = questions(self.record, reflection)
        reflection["skills"] = list((answers.get("skills") or {}).get("skills") or [])
        reflection["helped"] = {q.item: answers[q.prompt.id].get("intensity")
                                for q in asked if q.key == "helped" and q.prompt.id in answers}
        reflection["urges"] = {q.item: _acted(answers[q.prompt.id])
                               for q in asked if q.key == "urge" and q.prompt.id in answers}
        remember = answers.get("remember") or {}
        reflection["remember"] = None if remember.get("skipped") else remember.get("text")

    def _end(self, status: str) -> dict[str, Any]:
        self.reflection["status"] = status
        self.reflection["complete"] = status == "complete"
        if status == "complete":
            self.reflection["finished_at"] = self._now()
        self._derive()
        if self.reflection["answers"] or self.reflection["safety"]["triggers"]:
            self.save(self.reflection)  # an untouched reflection must not replace an older one
        if status == "complete":
            self.dialog.say(self.data["outro"], "info")
        return self.reflection

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")


def _question(data: dict[str, Any], name: str, key: str, item: str | None = None,
              **names: str) -> Question:
    spec = data["prompt"][name]
    qid = key if item is None else f"{key}.{item}"
    prompt = Prompt(id=qid, kind=spec["kind"], text=spec["text"].format(**names),
                    hint=spec.get("hint", ""))
    return Question(prompt=prompt, key=key, item=item)


def _understood(kind: str, result: Any) -> bool:
    if kind == "intensity":
        return result.intensity is not None
    if kind == "yesno":
        return result.answer in ("yes", "no")
    return True


def _acted(answer: dict[str, Any]) -> dict[str, Any]:
    said = None if answer.get("skipped") else answer.get("answer")
    return {"acted": True if said == "yes" else False if said == "no" else None,
            "text": answer.get("text", "")}


def _names_nothing(text: str) -> bool:
    """'none', "i didn't use any", "i don't know": no rating question follows."""
    from companion.understand.analysis import reply_kind

    return reply_kind(text) is not None
