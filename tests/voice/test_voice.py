"""Spoken answers: real synthesized WAVs and real voice detection, a scripted recognizer."""

from __future__ import annotations

import io

import numpy as np
import pytest

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import level_dbfs, samples_of
from companion.audio.sources import FileAudio
from companion.audio.vad import SileroVad
from companion.audio.wavfile import write_wav
from companion.dialog.worksheet import load_default
from companion.errors import MicrophoneUnavailable
from companion.interfaces import Answer
from companion.understand.analysis import detect_crisis
from companion.voice.endpoint import EndpointSettings
from companion.voice.listen import VoiceAnswers
from companion.voice.recognition import Transcript

RATE = 22050
WORD_SECONDS = 0.25


class ScriptedRecognizer:
    """Hears each answer's scripted text: one more word per 0.25 s of audible audio."""

    def __init__(self, *texts):
        self.texts = list(texts)
        self.answers = []
        self.current = None

    def start(self, kind, rate):
        text = self.texts.pop(0) if self.texts else ""
        self.current = {"kind": kind, "rate": rate, "seconds": 0.0, "audible": 0.0, "text": text}

    def accept(self, chunk):
        self.current["seconds"] += chunk.seconds
        if level_dbfs(chunk) > -50:
            self.current["audible"] += chunk.seconds
        words = self.current["text"].split()
        return " ".join(words[: int(self.current["audible"] / WORD_SECONDS)])

    def finish(self):
        self.answers.append(self.current)
        words = self.current["text"].split()
        return Transcript(self.current["text"], tuple((w, 0.9) for w in words),
                          self.current["seconds"], "scripted")


class RecordingPrompter:
    def __init__(self):
        self.said = []

    def say(self, text, role="info"):
        self.said.append((role, text))


@pytest.fixture(scope="module")
def speech():
    """Real speech synthesis (pyttsx3 over espeak-ng), as int16 samples at 22,050 Hz."""
    from companion.errors import SpeechUnavailable
    from companion.voice.speech import Pyttsx3Synth

    synth = Pyttsx3Synth(rate=160)
    try:
        synth.load()
    except SpeechUnavailable as exc:
        pytest.skip(f"no text-to-speech to make test answers: {exc}")

    def say(text):
        chunk = synth.synthesize(text)
        assert chunk.rate == RATE
        return samples_of(chunk)

    yield say
    synth.close()


def silence(seconds):
    return np.zeros(int(RATE * seconds), np.int16)


def noise(seconds, dbfs=-35.0):
    rng = np.random.default_rng(7)
    amp = 32768 * 10 ** (dbfs / 20)
    return np.clip(rng.normal(0, amp, int(RATE * seconds)), -32768, 32767).astype(np.int16)


def wav(tmp_path, name, *parts, rate=RATE):
    path = tmp_path / name
    write_wav(path, AudioChunk(rate, 2, 1, np.concatenate(parts).tobytes()))
    return path


def voice_answers(paths, recognizer, *, pause=2.0, prompter=None, ui=None, **kw):
    return VoiceAnswers(FileAudio(paths, fast=True), recognizer, SileroVad(),
                        prompter or RecordingPrompter(), ui or io.StringIO(),
                        endpoint=EndpointSettings(pause=pause), **kw, crisis_check=detect_crisis)


PROMPT = load_default().prompts[0]


def test_a_pause_mid_sentence_does_not_cut_the_answer_off(tmp_path, speech):
    first, second = speech("I have been feeling"), speech("really lonely tonight")
    path = wav(tmp_path, "a.wav", first, silence(1.5), second, silence(8))
    recognizer = ScriptedRecognizer("i have been feeling really lonely tonight")
    answers = voice_answers([path], recognizer)
    answer = answers.listen(PROMPT)
    assert answer == Answer("i have been feeling really lonely tonight",
                            tuple((w, 0.9) for w in answer.text.split()), "voice")
    heard = recognizer.answers[0]["seconds"]
    spoken = (first.size + second.size) / RATE + 1.5
    assert spoken < heard < spoken + 2.0 + 0.6  # the whole answer, then about the 2 s pause
    assert answers.last_reason == "pause"
    assert recognizer.answers[0]["rate"] == RATE and recognizer.answers[0]["kind"] == "free"


def test_a_shorter_pause_setting_ends_at_the_mid_sentence_pause(tmp_path, speech):
    first = speech("I have been feeling")
    path = wav(tmp_path, "a.wav", first, silence(1.5), speech("really lonely tonight"), silence(8))
    recognizer = ScriptedRecognizer("i have been feeling")
    voice_answers([path], recognizer, pause=1.0).listen(PROMPT)
    assert recognizer.answers[0]["seconds"] < first.size / RATE + 1.5


def test_a_closing_phrase_ends_at_once_and_is_not_part_of_the_answer(tmp_path, speech):
    said = speech("I felt sad and ashamed. That's it.")
    path = wav(tmp_path, "c.wav", said, silence(8))
    recognizer = ScriptedRecognizer("i felt sad and ashamed that's it")
    answers = voice_answers([path], recognizer)
    answer = answers.listen(PROMPT)
    assert answer.text == "i felt sad and ashamed"
    assert [w for w, _ in answer.words] == answer.text.split()
    assert answers.last_reason == "closing"
    assert recognizer.answers[0]["seconds"] < said.size / RATE + 1.5


@pytest.mark.parametrize("background", ["silence", "noise"])
def test_no_speech_reprompts_gently_once_then_gives_up(tmp_path, background):
    filler = silence(30) if background == "silence" else noise(30)
    prompter = RecordingPrompter()
    answers = voice_answers([wav(tmp_path, "n.wav", filler)], ScriptedRecognizer(),
                            prompter=prompter)
    answer = answers.listen(PROMPT)
    assert answer.text == "" and answers.last_reason == "no_speech"
    hints = [t for r, t in prompter.said if r == "hint" and "still listening" in t]
    assert len(hints) == 1


def test_a_dead_microphone_gets_a_warning(tmp_path):
    prompter = RecordingPrompter()
    voice_answers([wav(tmp_path, "z.wav", silence(5))], ScriptedRecognizer(),
                  prompter=prompter).listen(PROMPT)
    assert any("can't hear you" in t for _, t in prompter.said)


def test_stereo_48k_file_goes_through_the_same_path(tmp_path, speech):
    mono = speech("I am angry")
    resampled = np.interp(np.arange(int(mono.size * 48000 / RATE)) * RATE / 48000,
                          np.arange(mono.size), mono).astype(np.int16)
    both = np.concatenate([resampled, np.zeros(48000 * 4, np.int16)])
    stereo = np.stack([both, both], axis=1).reshape(-1)
    path = tmp_path / "s.wav"
    write_wav(path, AudioChunk(48000, 2, 2, stereo.tobytes()))
    recognizer = ScriptedRecognizer("i am angry")
    answers = voice_answers([path], recognizer)
    assert answers.listen(PROMPT).text == "i am angry"
    assert recognizer.answers[0]["rate"] == 48000 and answers.last_reason == "pause"


def test_end_of_input_is_none(tmp_path, speech):
    answers = voice_answers([wav(tmp_path, "x.wav", speech("yes"), silence(3))],
                            ScriptedRecognizer("yes"))
    assert answers.listen(PROMPT).text == "yes"
    assert answers.listen(PROMPT) is None


def test_live_line_shows_the_meter_and_partial_words(tmp_path, speech):
    ui = io.StringIO()
    path = wav(tmp_path, "l.wav", speech("I feel scared and alone"), silence(3))
    voice_answers([path], ScriptedRecognizer("i feel scared and alone"), ui=ui,
                  live=True).listen(PROMPT)
    shown = ui.getvalue()
    assert "\r  [" in shown and "#" in shown and "i feel scared" in shown
    assert shown.endswith("  > i feel scared and alone\n")


class DyingMicrophone:
    """Delivers some speech, then stops as a pulled-out USB microphone does."""

    def __init__(self, samples):
        self.samples = samples

    def next_answer(self, question=""):
        def chunks():
            chunk = AudioChunk(RATE, 2, 1, self.samples.tobytes())
            from companion.audio.pcm import split

            yield from split(chunk)
            raise MicrophoneUnavailable("the microphone 'USB' stopped sending sound")
        return chunks()

    def discard_pending(self):
        pass

    def close(self):
        pass


class Typed:
    def __init__(self, *texts):
        self.texts = list(texts)

    def listen(self, prompt):
        return Answer(self.texts.pop(0), source="typed") if self.texts else None


def test_a_vanishing_microphone_keeps_the_answer_and_switches_to_typing(speech):
    prompter = RecordingPrompter()
    answers = VoiceAnswers(DyingMicrophone(speech("my sister yelled at me")),
                           ScriptedRecognizer("my sister yelled at me"), SileroVad(), prompter,
                           io.StringIO(), fallback=Typed("typed answer"), crisis_check=detect_crisis)
    said = "my sister yelled at me"
    assert answers.listen(PROMPT) == Answer(said, tuple((w, 0.9) for w in said.split()), "voice")
    assert any("stopped sending sound" in t and "type" in t for _, t in prompter.said)
    assert answers.listen(PROMPT) == Answer("typed answer", source="typed")


def test_without_a_fallback_the_error_comes_after_the_answer_is_kept(speech):
    answers = VoiceAnswers(DyingMicrophone(speech("hello there")),
                           ScriptedRecognizer("hello there"), SileroVad(), RecordingPrompter(),
                           io.StringIO(), crisis_check=detect_crisis)
    assert answers.listen(PROMPT).text == "hello there"
    with pytest.raises(MicrophoneUnavailable):
        answers.listen(PROMPT)


SESSION = ["my roommate ate my food again and laughed at me", "angry and kind of hurt",
           "like a seven", "i want to yell at her", "five", "i tried paced breathing that's it",
           "what to say to her tonight", "listen to music in my room"]


def test_a_whole_session_by_voice(tmp_path, speech):
    from companion.dialog.session import run_session
    from companion.journal.store import SessionStore
    from tests.fakes import RecordingSafety, StepClock

    folder = tmp_path / "answers"
    folder.mkdir()
    for i, text in enumerate(SESSION):
        wav(folder, f"{i:02}.wav", silence(0.5), speech(text), silence(4))
    from companion.audio.wavfile import answer_files

    recognizer = ScriptedRecognizer(*SESSION)
    source = voice_answers(answer_files([folder]), recognizer)
    record = run_session(load_default(), source=source, prompter=RecordingPrompter(),
                         store=SessionStore(tmp_path / "home"), clock=StepClock(),
                         safety=RecordingSafety(), mode="voice")
    assert record["complete"], record["status"]
    answers = record["answers"]
    assert {a["source"] for a in answers.values()} == {"voice"}
    assert "anger" in answers["emotions"]["emotions"]
    assert answers["intensity"]["intensity"] == 7
    assert answers["skills_tried"]["text"] == "i tried paced breathing"
    assert answers["situation"]["words"][0] == {"word": "my", "conf": 0.9}
    assert [a["kind"] for a in recognizer.answers] == [
        "free", "emotions", "intensity", "urges", "intensity", "skills", "free", "free"]


class PrefetchingRecognizer(ScriptedRecognizer):
    """Recognises only when asked, as Whisper does: a "transcription" is the scripted words of
    the audible audio up to that moment; counts them and logs prefetch calls."""

    def start(self, kind, rate):
        super().start(kind, rate)
        self.current.update(transcriptions=0, calls=[], speculation=None, used=False)

    def _transcribe(self):
        self.current["transcriptions"] += 1
        words = self.current["text"].split()
        return " ".join(words[: round(self.current["audible"] / WORD_SECONDS)])

    def prefetch(self):
        self.current["calls"].append(("prefetch", round(self.current["seconds"], 2)))
        self.current["speculation"] = self._transcribe()

    def discard_prefetch(self):
        self.current["calls"].append(("discard", round(self.current["seconds"], 2)))
        self.current["speculation"] = None

    def finish(self):
        self.answers.append(self.current)
        speculation = self.current["speculation"]
        self.current["used"] = speculation is not None
        text = speculation if speculation is not None else self._transcribe()
        return Transcript(text, tuple((w, 0.9) for w in text.split()), self.current["seconds"])


def test_the_answer_is_transcribed_at_the_lull_and_finish_uses_it(tmp_path, speech):
    said = speech("I feel angry and ashamed")
    path = wav(tmp_path, "p.wav", silence(0.5), said, silence(6))
    recognizer = PrefetchingRecognizer("i feel angry and ashamed")
    answers = voice_answers([path], recognizer)
    assert answers.listen(PROMPT).text == "i feel angry and ashamed"
    heard = recognizer.answers[0]
    assert heard["used"] and heard["transcriptions"] == 1  # nothing after the pause but a lookup
    [(call, at)] = heard["calls"]
    spoken = 0.5 + said.size / RATE
    assert call == "prefetch" and spoken < at < spoken + 1.0
    assert answers.last_reason == "pause"


def test_speech_after_the_lull_voids_the_prefetch_and_the_next_lull_covers_it(tmp_path, speech):
    first, second = speech("I have been feeling"), speech("really lonely tonight")
    path = wav(tmp_path, "r.wav", first, silence(1.5), second, silence(6))
    recognizer = PrefetchingRecognizer("i have been feeling really lonely tonight")
    answer = voice_answers([path], recognizer).listen(PROMPT)
    assert answer.text == "i have been feeling really lonely tonight"  # not the first half
    heard = recognizer.answers[0]
    assert [c for c, _ in heard["calls"]] == ["prefetch", "discard", "prefetch"]
    resumed = first.size / RATE + 1.5
    assert heard["calls"][0][1] < resumed < heard["calls"][1][1] < heard["calls"][2][1]
    assert heard["used"] and heard["transcriptions"] == 2  # one wasted, one used


def test_speech_resuming_until_the_file_ends_means_a_fresh_transcription(tmp_path, speech):
    first, second = speech("I have been feeling"), speech("really lonely tonight")
    path = wav(tmp_path, "e.wav", first, silence(1.0), second)  # ends mid-speech, no lull
    recognizer = PrefetchingRecognizer("i have been feeling really lonely tonight")
    answers = voice_answers([path], recognizer)
    assert answers.listen(PROMPT).text == "i have been feeling really lonely tonight"
    heard = recognizer.answers[0]
    assert [c for c, _ in heard["calls"]] == ["prefetch", "discard"]
    assert not heard["used"] and heard["transcriptions"] == 2
    assert answers.last_reason == "end_of_audio"


class GrammarRecognizer(ScriptedRecognizer):
    """Like Vosk in grammar mode: rating answers come back as their numbers only, with what
    open dictation heard of the same audio beside them."""

    def __init__(self, *texts, grammar=("eight", "seven", "six", "five")):
        super().__init__(*texts)
        self.grammar = set(grammar)

    def finish(self):
        heard = super().finish()
        if self.current["kind"] != "intensity":
            return heard
        kept = " ".join(w for w in heard.text.split() if w in self.grammar)
        return Transcript(kept, tuple((w, 0.9) for w in kept.split()), heard.audio_seconds,
                          "grammar", open_text=heard.text, open_words=heard.words)


@pytest.mark.parametrize(("transcript", "expected"), [
    (Transcript("eight", open_text="eight and i just want to die"), "eight and i just want to die"),
    (Transcript("eight", open_text="eight out of ten"), "eight"),
    (Transcript("eight", open_text=""), "eight"),
])
def test_open_dictation_replaces_the_grammar_words_only_for_crisis(transcript, expected):
    from companion.voice.listen import with_open_words_if_crisis

    assert with_open_words_if_crisis(transcript, detect_crisis).text == expected


def test_crisis_words_at_a_rating_prompt_reach_the_safety_response(tmp_path, speech):
    """A grammar of numbers cannot write 'i want to die'; open dictation beside it can."""
    from companion.dialog.session import run_session
    from companion.journal.store import SessionStore
    from tests.fakes import RecordingSafety, StepClock

    said = ["my mom yelled at me", "sad", "eight and i just want to die", "none",
            "nothing", "how to get through tonight", "call my aunt"]
    paths = [wav(tmp_path, f"{i:02}.wav", silence(0.3), speech(text), silence(3))
             for i, text in enumerate(said)]
    safety = RecordingSafety()
    record = run_session(load_default(), source=voice_answers(paths, GrammarRecognizer(*said)),
                         prompter=RecordingPrompter(), store=SessionStore(tmp_path / "home"),
                         clock=StepClock(), safety=safety, mode="voice")
    assert [t["prompt"] for t in safety.triggers] == ["intensity"]
    assert record["answers"]["intensity"]["intensity"] == 8
    assert record["answers"]["intensity"]["crisis_kinds"] == ["suicide"]
    assert record["summary"].startswith("I'm having thoughts of suicide.")
