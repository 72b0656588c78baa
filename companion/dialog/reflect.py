"""The reflection after a call: skills used, how much each helped, urges, one thing to remember."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from companion.data import load_data
from companion.data.names import display
from companion.dialog.session import RETRY, answer_entry, answer_text, unclear_attempts
from companion.interfaces import Answer, AnswerSource, Prompt, Prompter
from companion.journal.progress import GENERAL_URGE
from companion.safety.policy import SAFETY_URGES
from companion.safety.triage import Responder

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


class Reflection:
    """Asks the reflection questions one by one, saving after every answer."""

    def __init__(self, record: dict[str, Any], reflection: dict[str, Any], *,
                 source: AnswerSource, prompter: Prompter, safety: Responder,
                 save: SaveFn, clock: Callable[[], datetime]) -> None:
        self.record, self.reflection = record, reflection
        self.source, self.prompter, self.safety = source, prompter, safety
        self.save, self.clock = save, clock
        self.data = load_data(DATA)

    def run(self) -> dict[str, Any]:
        """Ask what is still unanswered; returns the reflection (complete, stopped or interrupted)."""
        index = self._first_unanswered()
        while True:
            asked = questions(self.record, self.reflection)
            if index >= len(asked):
                return self._end("complete")
            outcome = self._ask(asked[index])
            if outcome in ("stopped", "interrupted"):
                return self._end(outcome)
            if outcome == "back" and index == 0:
                self.prompter.say("This is the first question.", "hint")
            index = max(index - 1, 0) if outcome == "back" else index + 1

    def _first_unanswered(self) -> int:
        asked = questions(self.record, self.reflection)
        done = self.reflection["answers"]
        return next((i for i, q in enumerate(asked)
                     if q.prompt.id not in done or done[q.prompt.id].get(RETRY)), len(asked))

    def _ask(self, question: Question) -> str:
        """Returns next, back, stopped or interrupted."""
        from companion.understand import analysis

        prompt = question.prompt
        self.prompter.say(prompt.text, "prompt")
        earlier = unclear_attempts(self.reflection["answers"].get(question.prompt.id))
        if earlier:  # back at a rating or yes/no that was not understood last time
            self.prompter.say(self._hint(prompt.kind), "hint")
        empties = 0
        while True:
            heard = self.source.listen(prompt)
            if heard is None:
                return "interrupted"
            text = answer_text(heard.text, prompt.kind)
            command = analysis.detect_command(text) if text else None
            if command:
                outcome = self._command(command, question, heard.source)
                if outcome:
                    return outcome
                continue
            if not text:
                empties += 1
                if empties >= 2:  # two empty answers: move on, as the session does
                    self._store(question, "", None, heard.source, earlier)
                    return "next"
                self.prompter.say(self._hint(""), "hint")
                continue
            result = analysis.analyze(text, prompt.kind)
            if not _understood(prompt.kind, result) and not earlier:
                # on disk at once, marked to ask again; crisis words are checked all the same
                self._store(question, text, result, heard.source, retry=True)
                earlier.append(text)
                if not self._safe(question, text, result):
                    return "stopped"
                self.prompter.say(self._hint(prompt.kind), "hint")
                continue
            self._store(question, text, result, heard.source, earlier)
            return "next" if self._safe(question, text, result) else "stopped"

    def _command(self, command: str, question: Question, source: str) -> str | None:
        """Handle a spoken command; returns the outcome, or None to keep listening."""
        if command == "repeat":
            self.prompter.say(question.prompt.text, "prompt")
        elif command == "help":
            self.prompter.say(f"{question.prompt.hint} {self.data['help']}".strip(), "hint")
        elif command == "skip":
            self._store(question, "", None, source, unclear_attempts(self.reflection["answers"].get(question.prompt.id)))
            return "next"
        elif command in ("back", "stop"):
            return "back" if command == "back" else "stopped"
        return None

    def _hint(self, kind: str) -> str:
        hints = {"intensity": self.data["intensity_hint"], "yesno": self.data["yesno_hint"]}
        return hints.get(kind, self.data["empty_hint"])

    def _store(self, question: Question, text: str, result: Any, source: str,
               earlier: list[str] | None = None, *, retry: bool = False) -> None:
        self.reflection["answers"][question.prompt.id] = answer_entry(
            question.prompt, Answer(text, source=source), result, self._now(),
            skipped=result is None, earlier=earlier, retry=retry)
        self._derive()
        self.save(self.reflection)

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

    def _safe(self, question: Question, text: str, result: Any) -> bool:
        """Crisis words, or acting on a self-harm or suicide urge, get the safety response."""
        reason = None
        if result.crisis:
            reason = "crisis_language"
        elif question.key == "urge" and question.item in SAFETY_URGES and result.answer == "yes":
            reason = "acted_on_urge"
        if reason is None:
            return True
        trigger = {"prompt": question.prompt.id, "text": text, "reason": reason,
                   "at": self._now(), "kinds": list(result.crisis_kinds)}
        safety = self.reflection["safety"]
        safety["crisis"] = safety["crisis"] or bool(result.crisis)
        safety["triggers"].append(trigger)
        self.save(self.reflection)
        trigger["continued"] = self.safety.respond(trigger, self.prompter, self.source)
        self.save(self.reflection)
        return trigger["continued"]

    def _end(self, status: str) -> dict[str, Any]:
        self.reflection["status"] = status
        self.reflection["complete"] = status == "complete"
        if status == "complete":
            self.reflection["finished_at"] = self._now()
        self._derive()
        if self.reflection["answers"] or self.reflection["safety"]["triggers"]:
            self.save(self.reflection)  # an untouched reflection must not replace an older one
        if status == "complete":
            self.prompter.say(self.data["outro"], "info")
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
