"""The one orchestrator: walks a worksheet, understands each answer, saves as it goes."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from companion import analysis
from companion.errors import SessionInterrupted
from companion.store import SCHEMA_VERSION, SessionStore
from companion.summary import SAFETY_URGES, build_summary, suggest_skills
from companion.worksheet import Prompt, Worksheet

log = logging.getLogger(__name__)
SAFETY_LEVEL = 7
"""Urge intensity (0-10) at or above which a self-harm or suicide urge triggers the safety response."""
INTENSITY_HINT = "Please give a number from zero to ten."
CHECK_IN = Prompt(id="_check_in", kind="yesno", text="That sounds hard. Are you safe right now?")
RETRY = "awaiting_retry"
"""Marks a saved answer that was not understood yet and will be asked once more."""
COMMANDS_HELP = ("Answer in your own words. You can also say: repeat, skip, go back, or stop. "
                 "Everything you say is saved as you go.")


@dataclass(frozen=True)
class Answer:
    """What an answer source heard or read for one prompt."""

    text: str
    words: tuple[tuple[str, float], ...] = ()
    """Recognised words with confidences (0-1), when a recognizer produced them."""
    source: str = "typed"


class AnswerSource(Protocol):
    """Where answers come from: the keyboard, a microphone, audio files, a test script."""

    def listen(self, prompt: Prompt) -> Answer | None:
        """The answer to `prompt`, or None when no more input will come (end of input)."""


class Prompter(Protocol):
    """How prompts and messages reach the client: screen, speech, or both."""

    def say(self, text: str, role: str = "info") -> None:
        """Deliver `text`; role is one of prompt, hint, info, safety, summary. Blocks until done."""


class SafetyResponder(Protocol):
    """The immediate response to crisis language or a strong self-harm/suicide urge."""

    def respond(self, trigger: dict[str, Any], prompter: Prompter, source: AnswerSource) -> bool:
        """Show the safety information; True when the client wants to continue the worksheet."""


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


class Session:
    """A small state machine over the worksheet's prompts (index + history for 'back')."""

    def __init__(self, worksheet: Worksheet, record: dict[str, Any], *, source: AnswerSource,
                 prompter: Prompter, store: SessionStore, clock: Callable[[], datetime],
                 safety: SafetyResponder) -> None:
        self.worksheet, self.record = worksheet, record
        self.source, self.prompter, self.store = source, prompter, store
        self.clock, self.safety = clock, safety
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
        earlier = self._unclear_attempts(prompt)
        if earlier:  # back at a rating that was not understood last time
            self.prompter.say(INTENSITY_HINT, "hint")
        empties, reasked = 0, False
        while True:
            heard = self.source.listen(prompt)
            if heard is None:
                self._end("interrupted")
                return None
            text = clean_text(heard.text)
            if prompt.kind != "yesno" and text and analysis.reply_kind(text) == "filler":
                text = ""  # "um..." alone is not an answer yet
            command = analysis.detect_command(text) if text else None
            if command:
                self._event("command", prompt.id, command=command)
                nxt = self._command(command, index, prompt)
                if nxt != index or command in ("skip", "back"):
                    return nxt
                continue
            if not text:
                empties += 1
                if empties >= 2:
                    self._store_answer(prompt, Answer(""), None, skipped=True, earlier=earlier)
                    return self._advance(index)
                self.prompter.say("I didn't catch an answer. Try again, or say skip.", "hint")
                continue
            result = analysis.analyze(text, prompt.kind)
            if prompt.kind == "intensity" and result.intensity is None and not earlier:
                # on disk at once, marked to ask again; if nothing clearer comes, these words stay
                self._store_answer(prompt, Answer(text, heard.words, heard.source), result,
                                   retry=True)
                earlier.append(text)
                if not self._check_safety(prompt, text, result):
                    self._end("stopped")
                    return None
                self.prompter.say(INTENSITY_HINT, "hint")
                continue
            self._store_answer(prompt, Answer(text, heard.words, heard.source), result,
                               earlier=earlier)
            responses = len(self.record["safety"]["triggers"])
            if not self._check_safety(prompt, text, result):
                self._end("stopped")
                return None
            if (len(self.record["safety"]["triggers"]) > responses and not reasked
                    and not answers_the_prompt(prompt.kind, result)):
                # the safety response came first; the question itself is still unanswered
                reasked = True
                earlier.append(text)
                self.prompter.say(prompt.text, "prompt")
                continue
            return self._advance(index)

    def _command(self, command: str, index: int, prompt: Prompt) -> int | None:
        if command == "repeat":
            self.prompter.say(prompt.text, "prompt")
        elif command == "help":
            self.prompter.say(" ".join(filter(None, [prompt.hint, COMMANDS_HELP])), "hint")
        elif command == "skip":
            self._store_answer(prompt, Answer(""), None, skipped=True,
                               earlier=self._unclear_attempts(prompt))
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
        return names_something(answer.get("kind", "free"), answer.get("text", ""))

    def _unclear_attempts(self, prompt: Prompt) -> list[str]:
        """The saved words of an answer still waiting to be asked again (else [])."""
        saved = self.record["answers"].get(prompt.id) or {}
        if not saved.get(RETRY):
            return []
        return [*saved.get("earlier_attempts", []), saved.get("text", "")]

    def _store_answer(self, prompt: Prompt, heard: Answer, result: analysis.Analysis | None,
                      *, skipped: bool = False, earlier: list[str] | None = None,
                      retry: bool = False) -> None:
        entry: dict[str, Any] = {
            "prompt": prompt.text, "kind": prompt.kind, "text": heard.text, "skipped": skipped,
            "at": self._now(), "source": heard.source,
        }
        if retry:
            entry[RETRY] = True
        if result is not None:
            values = result.as_dict()
            values.pop("command", None)
            entry.update(values)
        if heard.words:
            entry["words"] = [{"word": w, "conf": round(c, 3)} for w, c in heard.words]
        if earlier:
            entry["earlier_attempts"] = list(earlier)
            _keep_crisis(entry, earlier)
        self.record["answers"][prompt.id] = entry
        self._save()

    def _check_safety(self, prompt: Prompt, text: str, result: analysis.Analysis) -> bool:
        """Run the safety response when needed; False when the client chose to stop."""
        reason = None
        if result.crisis:
            reason = "crisis_language"
        elif (result.intensity or 0) >= SAFETY_LEVEL and self._safety_urges(prompt, result):
            reason = "urge_intensity"
        named_urge = bool(set(result.urges) & set(SAFETY_URGES))  # rated at the next prompt
        if reason is None and not named_urge and analysis.risk_words(text):
            reason = self._check_in(prompt)
        if reason is None:
            return True
        trigger = {"prompt": prompt.id, "text": text, "reason": reason, "at": self._now(),
                   "kinds": list(result.crisis_kinds), "intensity": result.intensity}
        safety = self.record["safety"]
        safety["crisis"] = safety["crisis"] or result.crisis
        safety["triggers"].append(trigger)
        self._save()
        carry_on = self.safety.respond(trigger, self.prompter, self.source)
        safety["notice_shown"] = True
        trigger["continued"] = carry_on
        self._save()
        return carry_on

    def _check_in(self, prompt: Prompt) -> str | None:
        """Risk words without recognised crisis language: ask once whether the client is safe.
        Anything but a clear yes gets the safety response."""
        self.prompter.say(CHECK_IN.text, "prompt")
        heard = self.source.listen(CHECK_IN)
        reply = clean_text(heard.text) if heard is not None else ""
        result = analysis.analyze(reply, "yesno")
        self._event("check_in", prompt.id, reply=reply, answer=result.answer)
        if result.crisis:
            return "crisis_language"
        return None if result.answer == "yes" else "not_safe"

    def _safety_urges(self, prompt: Prompt, result: analysis.Analysis) -> bool:
        urges = set(result.urges)
        if prompt.condition:
            urges |= set(self.record["answers"].get(prompt.condition, {}).get("urges", []))
        return bool(urges & set(SAFETY_URGES))

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


def _keep_crisis(entry: dict[str, Any], earlier: list[str]) -> None:
    """Crisis words said in an earlier attempt at this prompt stay on the answer (and so in the
    summary), whatever the final words were."""
    kinds = [k for text in earlier for k in analysis.detect_crisis(text)]
    if kinds:
        entry["crisis"] = True
        entry["crisis_kinds"] = list(dict.fromkeys([*entry.get("crisis_kinds", []), *kinds]))


def names_something(kind: str, text: str) -> bool:
    """Whether an answer named something the vocabulary doesn't know ("to text him forty
    times"), rather than none, "i don't know", or only denials ("i don't want to drink")."""
    if not text or analysis.reply_kind(text) is not None:
        return False
    return not (kind in ("emotions", "urges", "skills") and analysis.only_denied(kind, text))


def answers_the_prompt(kind: str, result: analysis.Analysis) -> bool:
    """Whether an answer holds what its prompt asked for (free answers always do)."""
    wanted = {"emotions": result.emotions, "urges": result.urges, "skills": result.skills,
              "intensity": result.intensity is not None, "yesno": result.answer}
    return bool(wanted.get(kind, True))


def run_session(worksheet: Worksheet, *, source: AnswerSource, prompter: Prompter,
                store: SessionStore, clock: Callable[[], datetime], safety: SafetyResponder,
                record: dict[str, Any] | None = None, mode: str = "typed") -> dict[str, Any]:
    """Run (or resume, when `record` is given) a session; the record is saved after every answer."""
    if record is None:
        record = new_record(worksheet, store.new_id(), clock(), mode)
        store.save(record)
    with store.hold(record["id"]):  # a resuming caller already holds it (and loaded it inside)
        return Session(worksheet, record, source=source, prompter=prompter, store=store,
                       clock=clock, safety=safety).run()
