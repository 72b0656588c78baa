"""The dialog engine and commands: a command said with more words is triaged before it is acted
on; a command alone is acted on at once (its one word is no disclosure, whatever a meaning-based
reader makes of "end")."""

from __future__ import annotations

import pytest

from companion.dialog.engine import Dialog
from companion.interfaces import Prompt
from tests.fakes import RecordingPrompter, ScriptedAnswers

QUESTION = Prompt(id="emotions", kind="emotions", text="What emotions are you feeling?")


class RecordingGuard:
    """Stands in for the safety triage: records what it was shown; `stop` says the client
    chose to stop at the safety response."""

    def __init__(self, stop: bool = False) -> None:
        self.seen: list[str] = []
        self.stop = stop
        self.responses = 0

    def check(self, prompt, reply, ask):
        self.seen.append(reply.text)
        if "end it all" in reply.text:
            self.responses += 1
            return not self.stop
        return True


def ask(*said: str, guard: RecordingGuard):
    dialog = Dialog(ScriptedAnswers(*said), RecordingPrompter(), guard=guard, note=lambda e: None)
    return dialog.ask(QUESTION)


@pytest.mark.parametrize("said", ["end", "stop", "skip", "go back"])
def test_a_command_alone_is_acted_on_without_triage(said):
    guard = RecordingGuard()
    reply = ask(said, guard=guard)
    assert reply.status in ("stop", "skip", "back") and guard.seen == []


def test_a_command_with_words_is_triaged_first():
    guard = RecordingGuard()
    assert ask("skip this i'm not ready", guard=guard).status == "skip"
    assert guard.seen == ["skip this i'm not ready"]


def test_a_stop_with_crisis_words_stops_when_the_client_chooses_to():
    guard = RecordingGuard(stop=True)
    assert ask("stop i want to end it all", guard=guard).status == "stop"
    assert guard.responses == 1


def test_a_stop_with_crisis_words_then_going_on_asks_the_question_again():
    guard = RecordingGuard(stop=False)
    reply = ask("stop i want to end it all", "sad", guard=guard)
    assert reply.status == "answer" and reply.text == "sad" and guard.responses == 1


def test_a_command_phrase_then_crisis_words_is_triaged_then_acted_on():
    """'skip it, doesn't matter, i won't be here next week': the words after the command need
    not start like a reason when they are crisis language; the safety triage sees them first."""
    guard = RecordingGuard()
    said = "skip it doesn't matter i want to end it all"
    assert ask(said, guard=guard).status == "skip"
    assert guard.seen == [said] and guard.responses == 1


@pytest.mark.parametrize(("said", "status"), [
    # reported speech in the words after the command ("i said i was fine") does not hide them
    ("go back i said i was fine but i'm not i want to end it all", "back"),
    ("skip it none of this matters i want to end it all", "skip"),
])
def test_crisis_words_after_a_command_are_triaged_whatever_they_start_with(said, status):
    guard = RecordingGuard()
    assert ask(said, guard=guard).status == status
    assert guard.seen == [said] and guard.responses == 1
