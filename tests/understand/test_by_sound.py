"""Heard answers are understood by sound as well as spelling; typed ones by spelling alone."""

from __future__ import annotations

import pytest

from companion.understand import analysis
from companion.understand.phonemes import PhonemesUnavailable, available
from companion.understand.phonetic import Hearing, PhoneticMatch, respelled

needs_espeak = pytest.mark.skipif(not available(), reason="espeak-ng is not installed")


def test_respelled_replaces_the_heard_run_only():
    match = PhoneticMatch("skills", "stop", "the stop skill", "this top skill", 2, 5, 93.0)
    assert respelled("i used this top skill today", [match]) == "i used the stop skill today"


class BrokenPhonemizer:
    def keys(self, words):
        raise PhonemesUnavailable("espeak-ng is not installed")


def test_without_espeak_the_spelling_stands():
    hearing = Hearing(phonemizer=BrokenPhonemizer())
    assert hearing.respell("this top skill") == ("this top skill", [])
    assert hearing.problem  # said once in the log, not retried for every answer


@needs_espeak
@pytest.mark.parametrize("text,kind,field,want", [
    ("this top skill helped", "skills", "skills", ("stop",)),
    ("i feel shained", "emotions", "emotions", ("shame",)),
    ("paste breathing", "skills", "skills", ("tipp",)),
])
def test_heard_answers_are_read_by_sound(text, kind, field, want):
    heard, layers = analysis.understand(text, kind, heard=True)
    typed, _ = analysis.understand(text, kind)
    assert getattr(heard, field) == want and "heard" in layers
    assert getattr(typed, field) != want


@needs_espeak
def test_a_command_heard_in_pieces():
    assert analysis.command_in("re peat that", heard=True) == "repeat"
    assert analysis.command_in("re peat that") is None


@needs_espeak
@pytest.mark.parametrize("text", ["i was living my life", "we went to the only store open",
                                  "my dad pays the bills"])
def test_ordinary_words_are_left_alone(text):
    assert analysis.understand(text, "free", heard=True)[1] == {}


class Heard:
    """Answers as a recognizer gives them (source 'voice'), or typed."""

    def __init__(self, text: str, source: str) -> None:
        self.text, self.source = text, source

    def listen(self, prompt):
        from companion.interfaces import Answer

        text, self.text = self.text, None
        return Answer(text, source=self.source) if text else None


@needs_espeak
@pytest.mark.parametrize("source,want", [("voice", ("stop",)), ("typed", ())])
def test_the_dialog_reads_voice_answers_by_sound(source, want):
    from companion.dialog.engine import Dialog
    from companion.interfaces import Prompt
    from tests.fakes import RecordingPrompter

    dialog = Dialog(Heard("this top skill", source), RecordingPrompter(), guard=None,
                    note=lambda event: None)
    reply = dialog.ask(Prompt(id="skills", kind="skills", text="Which skills?"), retries=0)
    assert reply.result.skills == want


@pytest.mark.parametrize(("text", "heard", "urges"), [
    ("Bills.", True, ("substance_use",)), ("bills", False, ()),
    ("i need to pay my bills", True, ())])
def test_a_word_heard_alone_at_its_question(text, heard, urges):
    """asr_vocabulary.toml [heard_alone]: a lone heard 'bills' at the urges question is 'pills';
    typed, or inside a sentence, it stays as it is."""
    assert analysis.understand(text, "urges", heard=heard)[0].urges == urges
