"""The one orchestrator: walks a worksheet, understands each answer, saves as it goes."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from companion.dialog.summary import build_summary, suggest_skills
from companion.dialog.worksheet import Worksheet
from companion.errors import SessionInterrupted
from companion.interfaces import Answer, AnswerSource, Prompt, Prompter
from companion.journal.store import SCHEMA_VERSION, SessionStore
from companion.safety.triage import Responder, Triage
from companion.understand import analysis

log = logging.getLogger(__name__)
INTENSITY_HINT = "Please give a number from zero to ten."
LISTEN_AGAIN = -1
"""What an answer step returns when the same prompt keeps listening."""
RETRY = "awaiting_retry"
"""Marks a saved answer that was not understood yet and will be asked once more."""
COMMANDS_HELP = ("Answer in your own words. You can also say: repeat, skip, go back, or stop. "
                 "Everything you say is saved as you go.")


def new_record(worksheet: Worksheet, session_id: str, now: datetime, mode: str) -> dict[str, Any]:
    """A fresh, empty session record."""
    stamp = now.isoformat(timespec="seconds")
    return {
        "schema_version": SCHEMA_VERSION,
        "id": session_id,
        "started_at": stamp,
        "updated_at": stamp,
        "finished_at": None,
        "mode": mode,
        "status": "in_progress",
        "complete": False,
        "worksheet": {"name": worksheet.name, "title": worksheet.title, "source": worksheet.source},
        "prompts": [{"id": p.id, "kind": p.kind, "text": p.text} for p in worksheet.prompts],
        "answers": {},
        "events": [],
        "safety": {"crisis": False, "notice_shown": False, "triggers": []},
        "summary": None,
        "suggested_skills": [],
        "files": {},
    }


def clean_text(text: str) -> str:
    """Control characters become spaces; whitespace collapses."""
    chars = (" " if unicodedata.category(c) in ("Cc", "Cf", "Cs") else c for c in text)
    return " ".join("".join(chars).split())


def answer_text(text: str, kind: str) -> str:
    """The cleaned answer; "" when it is only sounds like "um" (not an answer yet), except at a
    yes/no question, where short sounds can be the answer."""
    text = clean_text(text)
    if kind != "yesno" and text and analysis.reply_kind(text) == "filler":
        return ""
    return text


@dataclass
class _Tries:
    """How one prompt has gone so far: earlier words, empty answers, a re-ask after safety."""

    earlier: list[str] = field(default_factory=list)
    empties: int = 0
    reasked: bool = False


class Session:
    """A small state machine over the worksheet's prompts (index + history for 'back')."""

    def __init__(self, worksheet: Worksheet, record: dict[str, Any], *, source: AnswerSource,
                 prompter: Prompter, store: SessionStore, clock: Callable[[], datetime],
                 safety: Responder) -> None:
        self.worksheet, self.record = worksheet, record
        self.source, self.prompter, self.store = source, prompter, store
        self.clock = clock
        self.triage = Triage(record, prompter=prompter, source=source, responder=safety,
                             save=self._save, now=self._now, clean=clean_text)
        self.history: list[int] = []

    def run(self) -> dict[str, Any]:
        """Ask every remaining prompt; returns the record (complete, stopped or interrupted)."""
        index = self._first_unanswered()
        try:
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
        self.prompter.say(prompt.text, "prompt")
        tries = _Tries(earlier=unclear_attempts(self.record["answers"].get(prompt.id)))
        if tries.earlier:  # back at a rating that was not understood last time
            self.prompter.say(INTENSITY_HINT, "hint")
        nxt: int | None = LISTEN_AGAIN
        while nxt == LISTEN_AGAIN:
            heard = self.source.listen(prompt)
            if heard is None:
                self._end("interrupted")
                return None
            nxt = self._take(index, prompt, heard, tries)
        return nxt

    def _take(self, index: int, prompt: Prompt, heard: Answer, tries: _Tries) -> int | None:
        """One thing heard at a prompt: a command, nothing, or an answer."""
        text = answer_text(heard.text, prompt.kind)
        command = analysis.detect_command(text) if text else None
        if command:
            self._event("command", prompt.id, command=command)
            nxt = self._command(command, index, prompt)
            return nxt if nxt != index or command in ("skip", "back") else LISTEN_AGAIN
        if not text:
            tries.empties += 1
            if tries.empties >= 2:
                self._store_answer(prompt, Answer(""), None, skipped=True, earlier=tries.earlier)
                return self._advance(index)
            self.prompter.say("I didn't catch an answer. Try again, or say skip.", "hint")
            return LISTEN_AGAIN
        return self._answer(index, prompt, Answer(text, heard.words, heard.source), tries)

    def _answer(self, index: int, prompt: Prompt, heard: Answer, tries: _Tries) -> int | None:
        """Understand, save, check safety; then move on, or ask once more when unclear."""
        result = analysis.analyze(heard.text, prompt.kind)
        unclear = prompt.kind == "intensity" and result.intensity is None and not tries.earlier
        # on disk at once; an unclear rating is marked to ask again (these words stay if not)
        self._store_answer(prompt, heard, result, earlier=None if unclear else tries.earlier,
                           retry=unclear)
        responses = len(self.record["safety"]["triggers"])
        if not self.triage.check(prompt, heard.text, result):
            self._end("stopped")
            return None
        if unclear:
            tries.earlier.append(heard.text)
            self.prompter.say(INTENSITY_HINT, "hint")
            return LISTEN_AGAIN
        if (len(self.record["safety"]["triggers"]) > responses and not tries.reasked
                and not analysis.answers_the_prompt(prompt.kind, result)):
            # the safety response came first; the question itself is still unanswered
            tries.reasked = True
            tries.earlier.append(heard.text)
            self.prompter.say(prompt.text, "prompt")
            return LISTEN_AGAIN
        return self._advance(index)

    def _command(self, command: str, index: int, prompt: Prompt) -> int | None:
        if command == "repeat":
            self.prompter.say(prompt.text, "prompt")
        elif command == "help":
            self.prompter.say(" ".join(filter(None, [prompt.hint, COMMANDS_HELP])), "hint")
        elif command == "skip":
            self._store_answer(prompt, Answer(""), None, skipped=True,
                               earlier=unclear_attempts(self.record["answers"].get(prompt.id)))
            return self._advance(index)
        elif command == "back":
            if not self.history:
                self.prompter.say("This is the first question.", "hint")
                return index
            return self.history.pop()
        elif command == "stop":
            self._end("stopped")
            return None
        return index

    def _advance(self, index: int) -> int:
        self.history.append(index)
        return index + 1

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

    def _store_answer(self, prompt: Prompt, heard: Answer, result: analysis.Analysis | None,
                      *, skipped: bool = False, earlier: list[str] | None = None,
                      retry: bool = False) -> None:
        entry = answer_entry(prompt, heard, result, self._now(), skipped=skipped,
                             earlier=earlier, retry=retry)
        kinds = analysis.crisis_in([*entry.get("crisis_kinds", [])], earlier or [])
        if kinds:  # crisis words said first stay on the answer, and so in the summary
            entry["crisis"], entry["crisis_kinds"] = True, kinds
        self.record["answers"][prompt.id] = entry
        self._save()

    def _event(self, kind: str, prompt_id: str, **details: Any) -> None:
        self.record["events"].append({"at": self._now(), "type": kind, "prompt": prompt_id,
                                      **details})

    def _finish(self) -> None:
        self.record["summary"] = build_summary(self.record["answers"])
        self.record["suggested_skills"] = suggest_skills(self.record["answers"])
        self.record["finished_at"] = self._now()
        self.record["complete"] = True
        self.record["status"] = "complete"
        self._save()

    def _end(self, status: str) -> None:
        """Leave the session resumable; a summary of what was said is still useful on the call."""
        if self.record["answers"]:
            self.record["summary"] = build_summary(self.record["answers"])
            self.record["suggested_skills"] = suggest_skills(self.record["answers"])
        self.record["status"] = status
        self.record["complete"] = False
        self._save()

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    def _save(self) -> None:
        self.record["updated_at"] = self._now()
        self.store.save(self.record)


def answer_entry(prompt: Prompt, heard: Answer, result: analysis.Analysis | None, at: str, *,
                 skipped: bool = False, earlier: list[str] | None = None,
                 retry: bool = False) -> dict[str, Any]:
    """One saved answer: the words, what they were understood to mean, and earlier tries;
    `retry` marks one that was not understood and will be asked again."""
    entry: dict[str, Any] = {
        "prompt": prompt.text, "kind": prompt.kind, "text": heard.text, "skipped": skipped,
        "at": at, "source": heard.source,
    }
    if retry:
        entry[RETRY] = True
    if result is not None:
        values = result.as_dict()
        values.pop("command", None)
        entry.update(values)
    if heard.words:
        entry["words"] = [{"word": w, "conf": round(c, 3)} for w, c in heard.words]
    tries = [e for e in earlier or () if e]
    if tries:
        entry["earlier_attempts"] = tries
    return entry


def unclear_attempts(saved: dict[str, Any] | None) -> list[str]:
    """The words of a saved answer still waiting to be asked again (else [])."""
    if not saved or not saved.get(RETRY):
        return []
    return [*saved.get("earlier_attempts", []), saved.get("text", "")]


def run_session(worksheet: Worksheet, *, source: AnswerSource, prompter: Prompter,
                store: SessionStore, clock: Callable[[], datetime], safety: Responder,
                record: dict[str, Any] | None = None, mode: str = "typed") -> dict[str, Any]:
    """Run (or resume, when `record` is given) a session; the record is saved after every answer."""
    if record is None:
        record = new_record(worksheet, store.new_id(), clock(), mode)
        store.save(record)
    with store.hold(record["id"]):  # a resuming caller already holds it (and loaded it inside)
        return Session(worksheet, record, source=source, prompter=prompter, store=store,
                       clock=clock, safety=safety).run()
