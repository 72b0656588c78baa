"""A worksheet session: walks the prompts through the dialog engine and saves as it goes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from companion.dialog.engine import Dialog, answer_text, clean_text
from companion.dialog.summary import build_summary, suggest_skills
from companion.dialog.worksheet import Worksheet
from companion.errors import SessionInterrupted
from companion.interfaces import AnswerSource, Prompt, Prompter, Reply
from companion.journal.store import SCHEMA_VERSION, SessionStore
from companion.safety.triage import Responder, Triage
from companion.understand import analysis

__all__ = ["RETRY", "Session", "answer_entry", "answer_text", "clean_text", "kept_entry",
           "new_record", "run_session", "unclear_attempts"]
log = logging.getLogger(__name__)
First = Callable[[Dialog], str]
RETRY = "awaiting_retry"
"""Marks a saved answer that was not understood yet and will be asked once more."""


def new_record(worksheet: Worksheet, session_id: str, now: datetime, mode: str,
               speak: bool = True) -> dict[str, Any]:
    """A fresh, empty session record."""
    stamp = now.isoformat(timespec="seconds")
    return {
        "schema_version": SCHEMA_VERSION,
        "id": session_id,
        "started_at": stamp,
        "updated_at": stamp,
        "finished_at": None,
        "mode": mode,
        "speak": speak,
        "status": "in_progress",
        "complete": False,
        "worksheet": {"name": worksheet.name, "title": worksheet.title, "source": worksheet.source},
        "prompts": [{"id": p.id, "kind": p.kind, "text": p.text, **_role(worksheet, p)}
                    for p in worksheet.prompts],
        "answers": {},
        "events": [],
        "safety": {"crisis": False, "notice_shown": False, "triggers": []},
        "summary": None,
        "suggested_skills": [],
        "files": {},
    }


def _role(worksheet: Worksheet, prompt: Prompt) -> dict[str, str]:
    role = worksheet.roles.get(prompt.id)
    return {"role": role} if role else {}


class Session:
    """The worksheet's prompts in order (an index plus the answered ones, for 'back')."""

    def __init__(self, worksheet: Worksheet, record: dict[str, Any], *, source: AnswerSource,
                 prompter: Prompter, store: SessionStore, clock: Callable[[], datetime],
                 safety: Responder, first: First | None = None) -> None:
        """`first(dialog)` asks something before the worksheet (the region on a first run),
        through the same engine; it returns the reply's status."""
        self.worksheet, self.record, self.store, self.clock = worksheet, record, store, clock
        self.first = first
        guard = Triage(record["safety"], responder=safety, say=prompter.say, save=self._save,
                       now=self._now, urges_of=self._urges_of)
        self.dialog = Dialog(source, prompter, guard=guard, note=self._note)
        self.history: list[int] = []

    def run(self) -> dict[str, Any]:
        """Ask every remaining prompt; returns the record (complete, stopped or interrupted)."""
        index: int | None = self._first_unanswered()
        try:
            if self.first is not None:
                index = self._before(index)
            while index is not None and index < len(self.worksheet.prompts):
                index = self._step(index)
        except KeyboardInterrupt:
            self._end("interrupted")
            raise SessionInterrupted(
                "Stopped. Everything you said is saved. Continue later with: "
                f"companion resume {self.record['id']}") from None
        if index is not None:
            self._finish()
        return self.record

    def _before(self, index: int) -> int | None:
        status = self.first(self.dialog) if self.first else "answer"
        if status in ("stop", "ended"):
            self._end("stopped" if status == "stop" else "interrupted")
            return None
        return index

    def _first_unanswered(self) -> int:
        answered = self.record["answers"]
        for i, prompt in enumerate(self.worksheet.prompts):
            if prompt.id not in answered or answered[prompt.id].get(RETRY):
                self.history = [j for j in range(i) if self.worksheet.prompts[j].id in answered]
                return i
        return len(self.worksheet.prompts)

    def _step(self, index: int) -> int | None:
        """Ask prompt `index`; returns the next index, or None when the session ends early."""
        prompt = self.worksheet.prompts[index]
        if not self._condition_met(prompt):
            if self.record["answers"].pop(prompt.id, None) is not None:
                self._save()
            return index + 1
        earlier = tuple(unclear_attempts(self.record["answers"].get(prompt.id)))
        reply = self.dialog.ask(prompt, keep=self._keep, earlier=earlier)
        if reply.status == "ended":
            self._end("interrupted")
            return None
        if reply.status == "stop":
            self._end("stopped")
            return None
        if reply.status == "back":
            if not self.history:
                self.dialog.say(self.dialog.words["first_question"], "hint")
                return index
            return self.history.pop()
        self.history.append(index)
        return index + 1

    def _keep(self, prompt: Prompt, reply: Reply, pending: bool) -> None:
        """Every reply on disk at once; an unclear rating is marked to be asked again."""
        saved = self.record["answers"].get(prompt.id)
        entry = kept_entry(prompt, reply, pending, saved, self._now())
        tries = list(reply.earlier) or unclear_attempts(saved)
        kinds = analysis.crisis_in([*entry.get("crisis_kinds", [])], tries)
        if kinds:  # crisis words said first stay on the answer, and so in the summary
            entry["crisis"], entry["crisis_kinds"] = True, kinds
        self.record["answers"][prompt.id] = entry
        self._save()

    def _condition_met(self, prompt: Prompt) -> bool:
        if prompt.condition is None:
            return True
        answer = self.record["answers"].get(prompt.condition)
        if not answer or answer.get("skipped"):
            return False
        if answer.get("emotions") or answer.get("urges") or answer.get("skills"):
            return True
        if answer.get("kind") in ("intensity", "yesno"):
            return answer.get("intensity") is not None or answer.get("answer") == "yes"
        return analysis.names_something(answer.get("kind", "free"), answer.get("text", ""))

    def _urges_of(self, prompt_id: str) -> list[str]:
        return list(self.record["answers"].get(prompt_id, {}).get("urges", []))

    def _note(self, event: dict[str, Any]) -> None:
        self.record["events"].append({"at": self._now(), **event})
        self._save()

    def _finish(self) -> None:
        self._summarise()
        self.record["finished_at"] = self._now()
        self.record["complete"] = True
        self.record["status"] = "complete"
        self._save()

    def _end(self, status: str) -> None:
        """Leave the session resumable; a summary of what was said is still useful on the call."""
        if self.record["answers"]:
            self._summarise()
        self.record["status"] = status
        self.record["complete"] = False
        self._save()

    def _summarise(self) -> None:
        answers = self.worksheet.by_role(self.record["answers"])
        self.record["summary"] = build_summary(answers, extra=self.worksheet.unroled(
            self.record["answers"]))
        self.record["suggested_skills"] = suggest_skills(answers)

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    def _save(self) -> None:
        self.record["updated_at"] = self._now()
        self.store.save(self.record)


def answer_entry(prompt: Prompt, reply: Reply, at: str, *, skipped: bool = False,
                 earlier: list[str] | None = None, retry: bool = False) -> dict[str, Any]:
    """One saved answer: the words, what they were understood to mean, and earlier tries;
    `retry` marks one that was not understood and will be asked again."""
    entry: dict[str, Any] = {
        "prompt": prompt.text, "kind": prompt.kind, "text": "" if skipped else reply.text,
        "skipped": skipped, "at": at, "source": reply.source,
    }
    if retry:
        entry[RETRY] = True
    if reply.result is not None and not skipped:
        values = reply.result.as_dict()
        values.pop("command", None)
        entry.update(values)
    if reply.words and not skipped:
        entry["words"] = [{"word": w, "conf": round(c, 3)} for w, c in reply.words]
    tries = [e for e in earlier or () if e]
    if tries:
        entry["earlier_attempts"] = tries
    return entry


def kept_entry(prompt: Prompt, reply: Reply, pending: bool, saved: dict[str, Any] | None,
               at: str) -> dict[str, Any]:
    """The saved answer for a reply the dialog engine just got: a skipped or empty reply keeps
    the words of an earlier unclear try; a pending one is marked to be asked again."""
    earlier = list(reply.earlier) or unclear_attempts(saved)
    return answer_entry(prompt, reply, at, skipped=reply.status in ("skip", "empty"),
                        earlier=None if pending else earlier, retry=pending)


def unclear_attempts(saved: dict[str, Any] | None) -> list[str]:
    """The words of a saved answer still waiting to be asked again (else [])."""
    if not saved or not saved.get(RETRY):
        return []
    return [*saved.get("earlier_attempts", []), saved.get("text", "")]


def run_session(worksheet: Worksheet, *, source: AnswerSource, prompter: Prompter,
                store: SessionStore, clock: Callable[[], datetime], safety: Responder,
                record: dict[str, Any] | None = None, mode: str = "typed",
                speak: bool = True, first: First | None = None) -> dict[str, Any]:
    """Run (or resume, when `record` is given) a session; the record is saved after every answer."""
    if record is None:
        record = new_record(worksheet, store.new_id(), clock(), mode, speak)
        store.save(record)
    with store.hold(record["id"]):  # a resuming caller already holds it (and loaded it inside)
        return Session(worksheet, record, source=source, prompter=prompter, store=store,
                       clock=clock, safety=safety, first=first).run()
