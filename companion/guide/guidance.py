"""Running guided practices: the skill played or asked, "how much did that help?", and the
practice saved at every step (one record per practice, every reply triaged for safety)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime
from typing import Any

from companion.data import load_data
from companion.data.names import format_number
from companion.dialog.engine import Dialog
from companion.errors import SessionInterrupted
from companion.guide.answers import readback
from companion.guide.between import BetweenSteps
from companion.guide.controls import Ears
from companion.guide.model import Guide, Question, Skill, Step
from companion.guide.offer import Asker, Asking, choose_skill, offer_skill, words
from companion.guide.player import SLICE, Clock, Controls, NoControls, play
from companion.guide.scripts import builtin
from companion.guide.speaker import PrompterSpeaker
from companion.interfaces import AnswerSource, Prompt, Prompter, Reply
from companion.journal.practices import PracticeStore, new_practice
from companion.safety.triage import Responder, Triage

log = logging.getLogger(__name__)
HELPED_HINT = "A number from zero to ten. Zero is not at all, ten is a lot."
INTERRUPTED = "Stopped. The practice is saved as stopped."
SAFETY_OFFERED = ("paced_breathing", "self_soothe", "willing_hands")
"""Named first when a skill is offered after the safety response: gentle ones, no cautions
(for clinician review)."""
RATED_AFTER = (None, "stop")
"""How a timed practice ended when "how much did that help?" is still asked (completed, or
stopped with a key: part of a practice can help too)."""


def no_keys() -> AbstractContextManager[Controls]:
    return contextlib.nullcontext(NoControls())


class Guidance:
    """Guides skills for one client through one answer source and prompter."""

    def __init__(self, *, source: AnswerSource, prompter: Prompter, store: PracticeStore,
                 responder: Responder, clock: Clock, now: Callable[[], datetime],
                 voice_on: bool, mode: str,
                 keys: Callable[[], AbstractContextManager[Controls]] = no_keys,
                 tone: Callable[[str], None] | None = None, tones: bool = False,
                 ears: Ears | None = None, guide: Guide | None = None) -> None:
        """`clock` times the guidance (player pauses, counts); `now` stamps the record; `keys`
        gives the controls for the length of a timed skill (terminal keys, or none); `ears`
        hear the client between steps (voice control; None: not listening then); `tone` plays
        a named tone, and `tones` paces breathing by tones instead of counting aloud."""
        self.source, self.prompter, self.store, self.responder = source, prompter, store, responder
        self.clock, self.now, self.voice_on, self.mode = clock, now, voice_on, mode
        self.keys, self.tone, self.tones, self.ears = keys, tone, tones, ears
        self.guide = guide or builtin()
        self.control_words = self.guide.controls or builtin().controls
        self.words = words()
        self.first_question = load_data("dialog.toml")["first_question"]

    @property
    def skills(self) -> tuple[Skill, ...]:
        return self.guide.skills

    def start(self, offered_by: str) -> tuple[dict[str, Any], Dialog]:
        """A new practice record (no skill yet) and the dialog that asks for it."""
        record = new_practice(self.now(), mode=self.mode, offered_by=offered_by)
        return record, self.dialog_for(record)

    def dialog_for(self, record: dict[str, Any]) -> Dialog:
        """The engine, with safety triage of every reply recorded in the practice."""
        return Dialog(self.source, self.prompter, guard=self._triage(record),
                      note=lambda event: self._note(record, event))

    def _triage(self, record: dict[str, Any]) -> Triage:
        return Triage(record["safety"], responder=self.responder, say=self.prompter.say,
                      save=lambda: self._keep(record), now=self._stamp)

    def choose(self, suggested: Iterable[str] = (), *, minutes: float | None = None,
               offered_by: str = "command") -> dict[str, Any] | None:
        """Ask which skill (suggested ones first), then guide it; None when none was chosen."""
        record, dialog = self.start(offered_by)
        skill = choose_skill(dialog, skills=self.skills, suggested=suggested)
        if skill is None:
            self._keep(record)
            return None
        return self.practise(skill, minutes=minutes, record=record, dialog=dialog)

    def offer(self, suggested: Iterable[str] = (), *, offered_by: str = "prepare",
              dialog: Asker | None = None) -> dict[str, Any] | None:
        """"While you wait for your therapist, would you like me to guide a skill?" — and the
        practice if the client said yes. Pass the `dialog` already asking (inside the safety
        response: `Asking(ask, say)`) to triage through it; else a practice record keeps it."""
        if dialog is not None:
            return offer_skill(dialog, skills=self.skills, suggested=suggested,
                               run=lambda skill: self.practise(skill, dialog=dialog,
                                                               offered_by=offered_by))
        record, own = self.start(offered_by)
        done = offer_skill(own, skills=self.skills, suggested=suggested,
                           run=lambda skill: self.practise(skill, record=record, dialog=own))
        if done is None:
            self._keep(record)  # kept only if the safety response was given meanwhile
        return done

    def safety_offer(self, ask: Callable[..., Reply], say: Callable[[str, str], None]) -> Any:
        """The offer inside the safety response, once its numbers and plan were given: asked
        through the response's own `ask` (so its triage applies), gentle skills named first.
        Ctrl-C stays a KeyboardInterrupt here, so the session around it saves itself."""
        try:
            return self.offer(SAFETY_OFFERED, offered_by="safety", dialog=Asking(ask, say))
        except SessionInterrupted:
            raise KeyboardInterrupt from None

    def practise(self, skill: Skill, *, minutes: float | None = None,
                 record: dict[str, Any] | None = None, dialog: Asker | None = None,
                 offered_by: str = "command") -> dict[str, Any]:
        """Guide `skill` and ask how much it helped; returns the practice as saved. The
        practice is held (locked) meanwhile, so no other window deletes it half-way.

        Ctrl-C saves it as stopped and raises SessionInterrupted."""
        if record is None:
            record = new_practice(self.now(), mode=self.mode, offered_by=offered_by)
        with self.store.hold(record["id"]):
            return self._practise(skill, minutes, record, dialog or self.dialog_for(record))

    def _practise(self, skill: Skill, minutes: float | None, record: dict[str, Any],
                  asker: Asker) -> dict[str, Any]:
        timed = skill.kind == "timed"
        repeats = timed and skill.minutes is not None
        record.update(skill=skill.id, name=skill.name, kind=skill.kind, started_at=self._stamp(),
                      minutes_asked=(minutes or skill.minutes) if repeats else None,
                      status="in_progress")
        self._keep(record)
        began = self.clock.now()
        try:
            if timed:
                stopped_by, seconds = self._timed(skill, minutes, asker, record)
            else:
                stopped_by, seconds = self._interactive(skill, asker, record), None
        except KeyboardInterrupt:
            stopped_by, seconds = "interrupt", None
        self._finish(record, stopped_by, self.clock.now() - began if seconds is None else seconds)
        if stopped_by == "interrupt":
            raise SessionInterrupted(INTERRUPTED)
        if stopped_by in RATED_AFTER and (timed or stopped_by is None):
            self._rate(record, asker)
        return record

    def _timed(self, skill: Skill, minutes: float | None, asker: Asker,
               record: dict[str, Any]) -> tuple[str | None, float]:
        if skill.caution:
            asker.say(skill.caution, "info")
            reply = asker.ask(Prompt(id="_caution", kind="yesno", text=self.words["caution_check"],
                                     hint=self.words["caution_check_hint"]), retries=1)
            if reply.answer != "yes":
                if reply.status not in ("stop", "ended"):
                    asker.say(self.words["caution_declined"], "info")
                return _ended_by(reply, record), 0.0
            skill = replace(skill, caution=None)  # said, and agreed to
        speaker = PrompterSpeaker(self.prompter, self.clock, voice_on=self.voice_on)
        with self.keys() as controls:
            keys_on = not isinstance(controls, NoControls)
            between = BetweenSteps(
                self.control_words, self.ears, speaker=speaker, ask=asker.ask,
                show_note=(lambda: self.prompter.say(self.words["paused"], "screen")) if keys_on
                else (lambda: None),
                triage=lambda: self._triage(record), note=lambda e: self._note(record, e))
            if between.listener is not None:
                asker.say(self.control_words.say["listening"], "info")
            practice = play(skill, minutes=minutes, speaker=speaker, clock=self.clock,
                            controls=controls, listener=between.listener, tone=self.tone,
                            tones=self.tones, notice=between.notice,
                            screen=lambda text: self.prompter.say(text, "screen"))
        record["steps_done"] = practice.steps_done
        record["tones"] = bool(self.tones and skill.has_tones)
        return ("safety" if between.safety_stop else practice.stopped_by), practice.seconds

    def _interactive(self, skill: Skill, asker: Asker, record: dict[str, Any]) -> str | None:
        """Speak the steps, ask the questions (back goes to the one before), read back."""
        parts, index = skill.steps, 0
        while index < len(parts):
            part = parts[index]
            if isinstance(part, Step):
                asker.say(part.text, "info")
                self._rest(part.pause)
                index += 1
                continue
            assert isinstance(part, Question)
            reply = asker.ask(Prompt(id=f"{skill.id}.{part.id}", kind=part.kind, text=part.text,
                                     hint=part.hint))
            if reply.status in ("stop", "ended"):
                return _ended_by(reply, record)
            if reply.status == "back":
                earlier = [i for i, p in enumerate(parts[:index]) if isinstance(p, Question)]
                if not earlier:
                    asker.say(self.first_question, "hint")
                index = earlier[-1] if earlier else index
                continue
            if reply.status in ("answer", "unclear"):
                record["answers"][part.id] = _answer(part, reply)
            else:  # skip, or nothing said twice
                record["answers"].pop(part.id, None)
            self._keep(record)
            self._rest(part.pause)
            index += 1
        lines = readback(skill, {k: v["value"] for k, v in record["answers"].items()})
        record["readback"] = lines
        self._keep(record)
        for line in lines:
            asker.say(line, "summary")
        return None

    def _rate(self, record: dict[str, Any], asker: Asker) -> None:
        """"How much did that help, zero to ten?" — kept as a number (None if not given)."""
        reply = asker.ask(Prompt(id="helped", kind="intensity", text=self.guide.end_question,
                                 hint=HELPED_HINT))
        value = reply.result.intensity if reply.status == "answer" and reply.result else None
        record["helped"] = None if value is None else _number(value)
        self._keep(record)
        if reply.status not in ("stop", "ended"):
            asker.say(self.words["saved"], "info")

    def _finish(self, record: dict[str, Any], stopped_by: str | None, seconds: float) -> None:
        record.update(status="completed" if stopped_by is None else "stopped",
                      stopped_by=stopped_by, seconds=round(max(seconds, 0.0), 1),
                      finished_at=self._stamp())
        self._keep(record)

    def _rest(self, seconds: float) -> None:
        while seconds > 1e-9:
            self.clock.sleep(min(SLICE, seconds))
            seconds -= SLICE

    def _keep(self, record: dict[str, Any]) -> None:
        """Save the practice now; one never begun is kept only for a safety response."""
        if record["skill"] or record["safety"]["triggers"]:
            self.store.save(record)

    def _note(self, record: dict[str, Any], event: dict[str, Any]) -> None:
        record["events"].append({"at": self._stamp(), **event})
        self._keep(record)

    def _stamp(self) -> str:
        return self.now().isoformat(timespec="seconds")


def _ended_by(reply: Reply, record: dict[str, Any]) -> str:
    """Why asking stopped: input ended, the client stopped at the safety response, said stop,
    or (at a caution) did not say yes."""
    if reply.status == "ended":
        return "ended"
    if reply.status == "stop":
        triggers = record["safety"]["triggers"]
        return "safety" if triggers and triggers[-1].get("continued") is False else "stop"
    return "caution"


def _answer(question: Question, reply: Reply) -> dict[str, Any]:
    """An answer as kept: the words, what was understood, and the value read back."""
    result = reply.result.as_dict() if reply.result is not None else {}
    understood = {k: v for k, v in result.items() if v not in (None, [], False)}
    value = reply.text
    if question.kind == "intensity" and reply.result is not None \
            and reply.result.intensity is not None:
        value = format_number(reply.result.intensity)
    return {"question": question.text, "kind": question.kind, "text": reply.text,
            "understood": understood, "value": value}


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
