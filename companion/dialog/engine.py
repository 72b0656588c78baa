"""The one dialog engine: every question the companion asks goes through `Dialog.ask`, with the
same rules for commands, silence, re-asks, safety triage and saving."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from companion.data import load_data
from companion.interfaces import Answer, AnswerSource, Prompt, Prompter, Reply
from companion.safety.policy import SAFETY_URGES
from companion.understand import analysis
from companion.understand.replies import said_alone
from companion.understand.semantic import loader as semantic_loader

log = logging.getLogger(__name__)
SAFETY_QUESTIONS = ("_check_in", "_continue")
"""Side questions of the safety response itself: their disclosures go to the response's own
loop (a new trigger there), not to a second, nested response."""


PLAIN = 10
"""A yes at a safety question is clear only in a reply of at most this many words."""
DESCRIBED = 4
"""A yes/no reply longer than this many words without a yes or no is a description, kept as the
answer rather than asked again (the safety questions decide for themselves)."""


class Guard(Protocol):
    """Safety triage of a reply (safety.triage.Triage)."""

    def check(self, prompt: Prompt, reply: Reply, ask: Callable[..., Reply]) -> bool:
        """Give the safety response when needed; False when the client chose to stop."""

    @property
    def responses(self) -> int:
        """How many safety responses have been given so far."""


Keep = Callable[[Prompt, Reply, bool], None]
"""keep(prompt, reply, pending): save a reply the moment it is given (pending: asked again)."""


def clean_text(text: str) -> str:
    """Control characters become spaces; whitespace collapses."""
    chars = (" " if unicodedata.category(c) in ("Cc", "Cf", "Cs") else c for c in text)
    return " ".join("".join(chars).split())


def answer_text(text: str, kind: str) -> str:
    """The cleaned reply; "" when it is only sounds like "um" (not an answer yet), except at a
    yes/no question, where short sounds can be the answer."""
    text = clean_text(text)
    if kind != "yesno" and text and analysis.reply_kind(text) == "filler":
        return ""
    return text


class Dialog:
    """Asks questions one at a time through an answer source and a prompter."""

    def __init__(self, source: AnswerSource, prompter: Prompter, *, guard: Guard | None,
                 note: Callable[[dict[str, Any]], None]) -> None:
        """`note(event)` keeps what happened (side-question replies, commands) in the record."""
        self.source, self.prompter, self.guard, self.note = source, prompter, guard, note
        self.words: dict[str, Any] = load_data("dialog.toml")
        semantic_loader().start()  # loads while the first question is spoken; never waited for

    def say(self, text: str, role: str = "info") -> None:
        self.prompter.say(text, role)

    def ask(self, prompt: Prompt, *, keep: Keep | None = None, retries: int = 1,
            earlier: tuple[str, ...] = (), commands: bool = True,
            on_repeat: Callable[[], None] | None = None) -> Reply:
        """Ask `prompt` until it is answered, skipped, left or input ends.

        Commands in natural words (repeat, help: asked again; skip, back, stop: returned),
        silence (the hint once, then "empty"), an unclear rating or yes/no (the hint, `retries`
        times), and a reply that only answered with crisis words (asked once more after the
        safety response) follow the same rules at every question."""
        self.say(prompt.text, "prompt")
        tries, empties, reasked = list(earlier), 0, False
        if tries:  # back at a question that was not understood last time
            self.say(self._hint(prompt), "hint")
        while True:
            heard = self.source.listen(prompt)
            if heard is None:
                return Reply("ended", earlier=tuple(tries))
            text = answer_text(heard.text, prompt.kind)
            if not text:
                empties += 1
                if empties >= 2:
                    return self._kept(prompt, Reply("empty", earlier=tuple(tries)), keep)
                self.say(self.words["empty_hint"], "hint")
                continue
            command = self._command(prompt, text, heard.source) if commands else None
            said = Answer(text, heard.words, heard.source)
            safe = self._command_safe(prompt, said, tries) if command and \
                analysis.command_with_words(text, heard=heard.source != "typed") else True
            if safe is False:
                return Reply("stop", text, earlier=tuple(tries))
            if safe is None and command == "stop":  # chose to go on after the safety response
                self.say(prompt.text, "prompt")
                continue
            if command == "repeat" and on_repeat is not None:
                on_repeat()  # e.g. the safety message again, not only its question
            if command in ("repeat", "help"):
                self.say(prompt.text if command == "repeat" else self._help(prompt),
                         "prompt" if command == "repeat" else "hint")
                continue
            if command:
                self.note({"type": "command", "prompt": prompt.id, "command": command,
                           "text": text})
                reply = Reply(command, earlier=tuple(tries))
                return self._kept(prompt, reply, keep) if command == "skip" else reply
            reply = self._understood(prompt, said, tries)
            pending = not _answered(prompt, reply) and len(tries) < retries
            self._keep(prompt, reply, keep, pending)
            responses = self.guard.responses if self.guard else 0
            if not self._safe(prompt, reply):
                return replace(reply, status="stop")
            if pending:
                tries.append(text)
                self.say(self._hint(prompt), "hint")
                continue
            answered = analysis.answers_the_prompt(prompt.kind, reply.result)
            if self.guard and self.guard.responses > responses and not answered and not reasked:
                reasked = True  # the safety response came first; the question is still open
                tries.append(text)
                self.say(prompt.text, "prompt")
                continue
            return reply if _answered(prompt, reply) else replace(reply, status="unclear")

    def _understood(self, prompt: Prompt, heard: Answer, tries: list[str]) -> Reply:
        kind = prompt.kind if prompt.kind in analysis.KINDS else "free"
        result, layers = analysis.understand(heard.text, kind, heard=heard.source != "typed")
        if layers:
            log.debug("understood %r by %s", heard.text, layers)
        disclosure = disclosed(heard.text, result)
        if kind == "yesno":
            answer = read_yesno(heard.text, result, safety=prompt.id in SAFETY_QUESTIONS,
                                context="safe" if prompt.id == "_check_in" else "",
                                disclosure=disclosure)
            result = replace(result, answer=answer)
        return Reply("answer", heard.text, result, heard.words, heard.source, tuple(tries),
                     disclosure)

    def _command(self, prompt: Prompt, text: str, source: str) -> str | None:
        command = analysis.command_in(text, kind=prompt.kind, heard=source != "typed")
        if command == "stop" and prompt.kind == "skills" and said_alone(text, "stop"):
            return self._stop_or_skill()
        return command

    def _stop_or_skill(self) -> str | None:
        """'stop' alone where STOP is also a skill: ask which one is meant."""
        question = Prompt(id="_stop_or_skill", kind="free", text=self.words["stop_or_skill"],
                          hint=self.words["stop_or_skill_hint"])
        reply = self.ask(question, retries=0)
        if reply.status in ("ended", "stop"):
            return "stop"
        said = reply.text.lower()
        if any(w in said for w in ("for now", "finish", "end ", "quit")) and "skill" not in said:
            return "stop"
        return None

    def _command_safe(self, prompt: Prompt, said: Answer, tries: list[str]) -> bool | None:
        """A command said with more words ("stop i want it all to end") goes through the
        safety triage before it is acted on (a command alone, "end", does not: its one word
        is no disclosure). False: the client chose to stop; None: a safety response was given
        and the client chose to go on; True: none was needed."""
        if self.guard is None or prompt.id in SAFETY_QUESTIONS:
            return True
        before = self.guard.responses
        if not self.guard.check(prompt, self._understood(prompt, said, tries), self.ask):
            return False
        return None if self.guard.responses > before else True

    def _safe(self, prompt: Prompt, reply: Reply) -> bool:
        if self.guard is None or prompt.id in SAFETY_QUESTIONS:
            return True
        return self.guard.check(prompt, reply, self.ask)

    def _keep(self, prompt: Prompt, reply: Reply, keep: Keep | None, pending: bool) -> None:
        if keep is not None:
            keep(prompt, reply, pending)
            return
        result = reply.result.as_dict() if reply.result is not None else {}
        self.note({"type": "reply", "prompt": prompt.id, "text": reply.text,
                   "understood": {k: v for k, v in result.items() if v not in (None, [], False)},
                   **({"disclosure": list(reply.disclosure)} if reply.disclosure else {})})

    def _kept(self, prompt: Prompt, reply: Reply, keep: Keep | None) -> Reply:
        if keep is not None:
            keep(prompt, reply, False)
        return reply

    def _hint(self, prompt: Prompt) -> str:
        return self.words["hints"].get(prompt.kind) or prompt.hint or self.words["empty_hint"]

    def _help(self, prompt: Prompt) -> str:
        return " ".join(filter(None, [prompt.hint, self.words["commands_help"]]))


def read_yesno(text: str, result: Any, *, safety: bool = False, context: str = "",
               disclosure: tuple[str, ...] | None = None) -> str | None:
    """A yes or a no only when the reply is one and carries no crisis words or safety urge
    (`disclosure`: what disclosed() found, when the caller has it already).
    At a safety question a yes must also be plain: a yes followed by risk words or a long story
    ("yeah i'm safe, the pills are in the drawer though") is not a clear yes."""
    if disclosed(text, result) if disclosure is None else disclosure:
        return None
    answer = analysis.parse_yesno(text, context)
    if answer == "yes" and safety and (analysis.risk_words(text) or len(text.split()) > PLAIN
                                       or not analysis.plain_yes(text)):
        return None
    return answer


def disclosed(text: str, result: Any) -> tuple[str, ...]:
    """Crisis kinds in the reply, plus safety urges it names (whatever was asked)."""
    urges = [u for u in analysis.find_urges(text) if u in SAFETY_URGES]
    return tuple(dict.fromkeys([*result.crisis_kinds, *urges]))


def _answered(prompt: Prompt, reply: Reply) -> bool:
    if prompt.kind == "intensity":
        return reply.result.intensity is not None
    if prompt.kind == "yesno":  # a description ("i texted them but didn't call") is kept as said
        return reply.result.answer in ("yes", "no") or len(reply.text.split()) > DESCRIBED
    return True
