"""Soft tones: the sine chunks made from the [tones] table, played through the speaker's audio
output or marked on screen, and paced breathing by tones instead of counting aloud."""

from __future__ import annotations

import numpy as np
import pytest

from companion.audio.pcm import samples_of
from companion.errors import SpeechUnavailable
from companion.guide.model import GuideError
from companion.guide.player import play, timeline
from companion.guide.scripts import builtin, load
from companion.guide.tone import Chime, ToneSpec, sound_output, tone_chunk
from tests.fakes import RecordingSpeaker
from tests.guide.fakes import FakeClock, TimedSpeaker

GUIDE = builtin()
SKILLS = {s.id: s for s in GUIDE.skills}


@pytest.mark.parametrize("name", ["bell", "in", "out"])
def test_each_tone_is_a_soft_sine_at_its_pitch(name):
    spec = GUIDE.tones[name]
    chunk = tone_chunk(spec)
    samples = samples_of(chunk).astype(float) / 32767
    assert (chunk.rate, chunk.width, chunk.channels) == (22050, 2, 1)
    assert chunk.seconds == pytest.approx(spec.seconds, abs=1 / chunk.rate)
    spectrum = np.abs(np.fft.rfft(samples))
    peak = np.fft.rfftfreq(samples.size, 1 / chunk.rate)[int(np.argmax(spectrum))]
    assert peak == pytest.approx(spec.hz, abs=2 / spec.seconds)
    assert np.max(np.abs(samples)) <= spec.volume + 1e-3
    assert abs(samples[0]) < 0.01 and np.max(np.abs(samples[-50:])) < 0.001  # no clicks


def test_the_in_breath_tone_is_higher_than_the_out_breath_tone():
    assert GUIDE.tones["in"].hz > GUIDE.tones["out"].hz


IN_OUT = "in = { hz = 500, seconds = 1, volume = 0.2 }\nout = { hz = 400, seconds = 1, volume = 0.2 }"


@pytest.mark.parametrize("tones, expected", [
    ("bell = { hz = 660, seconds = 1, volume = 0.2 }", "needs exactly bell, in, out"),
    (f"bell = {{ hz = 660, seconds = 1, volume = 0.9 }}\n{IN_OUT}", "a soft tone"),
    (f"bell = {{ hz = 660, seconds = 1 }}\n{IN_OUT}", "bell needs hz, seconds and volume"),
])
def test_bad_tones_tables(tmp_path, tones, expected):
    path = tmp_path / "skills.toml"
    path.write_text('schema_version = 1\nend_question = "Help?"\n[[skill]]\nid = "s"\n'
                    'name = "S"\nkind = "timed"\ndescription = "d"\n[[skill.step]]\ntext = "t"\n'
                    f"[tones]\n{tones}\n")
    with pytest.raises(GuideError, match=r"\[tones\]") as caught:
        load(path)
    assert expected in str(caught.value)


def test_a_chime_plays_each_tone_through_the_output_once_made():
    played, shown = [], []
    chime = Chime(GUIDE.tones, played.append, shown.append)
    chime("bell")
    chime("bell")
    assert chime.audible and shown == [] and len(played) == 2 and played[0] is played[1]


def test_without_an_output_a_tone_is_a_mark_on_screen():
    shown = []
    chime = Chime(GUIDE.tones, None, shown.append)
    chime("bell")
    assert not chime.audible and shown == ["  (bell)"]


def test_an_output_that_fails_turns_tones_into_marks():
    shown, calls = [], []

    def broken(chunk):
        calls.append(chunk)
        raise SpeechUnavailable("no sound output")

    chime = Chime({"bell": ToneSpec(660, 0.2, 0.2)}, broken, shown.append)
    chime("bell")
    chime("bell")
    assert len(calls) == 1 and shown == ["  (bell)", "  (bell)"] and not chime.audible


class Output:
    def play(self, chunk):
        pass


class SpeakerWithOutput(RecordingSpeaker):
    def __init__(self):
        super().__init__()
        self.player = Output()


class Prompter:
    def __init__(self, speaker, failed=None):
        self.speaker, self.failed = speaker, failed


def test_sound_output_is_the_speakers_player_when_it_has_one():
    speaker = SpeakerWithOutput()
    assert sound_output(Prompter(speaker)).__self__ is speaker.player
    assert sound_output(Prompter(speaker, failed="no sound")) is None
    assert sound_output(Prompter(RecordingSpeaker())) is None
    assert sound_output(object()) is None


def test_tones_mode_paces_breathing_by_tones_at_the_same_times():
    clock = FakeClock()
    speaker, rung, shown = TimedSpeaker(clock), [], []
    practice = play(SKILLS["paced_breathing"], minutes=1, speaker=speaker, clock=clock,
                    tones=True, tone=lambda name: rung.append((clock.time, name)),
                    screen=shown.append)
    texts = speaker.texts()
    assert "Breathe in" not in texts and "two" not in texts
    assert any("high tone" in t for t in texts) and not any("count to four" in t for t in texts)
    names = [n for _, n in rung]
    assert names[:4] == ["in", "out", "in", "out"] and set(names) == {"in", "out"}
    assert np.allclose(np.diff([t for t, n in rung if n == "in"]), 10.0)
    assert shown[:2] == ["Breathe in", "And out, slow and long."]
    assert practice.completed and abs(practice.seconds - 60) <= 10


def test_counting_mode_plays_no_breath_tones():
    clock, rung = FakeClock(), []
    play(SKILLS["paced_breathing"], minutes=1, speaker=TimedSpeaker(clock), clock=clock,
         tone=rung.append)
    lines = [x for _, x in timeline(SKILLS["paced_breathing"], 1)]
    assert rung == [] and "two" in lines and not any("high tone" in x for x in lines)


def test_tones_mode_changes_nothing_for_a_skill_without_breath_tones():
    assert timeline(SKILLS["stop"], tones=True) == timeline(SKILLS["stop"])


def test_only_is_for_skills_with_breath_tones(tmp_path):
    path = tmp_path / "skills.toml"
    path.write_text('schema_version = 1\nend_question = "Help?"\n[[skill]]\nid = "s"\n'
                    'name = "S"\nkind = "timed"\ndescription = "d"\n[[skill.step]]\ntext = "t"\n'
                    'only = "tones"\n')
    with pytest.raises(GuideError, match="only = ... is for skills with breath tones"):
        load(path)
