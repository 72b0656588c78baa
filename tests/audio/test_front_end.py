"""The front end for real rooms: noise floor, level normalisation, hesitations, with synthetic
audio (espeak-ng speech, numpy noise) and real voice detection (Silero). All timing is counted
in samples: what the recognizer was given, never the wall clock."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import GainSettings, LevelNormaliser, samples_of, split
from companion.audio.vad import NoiseFloor, SileroVad
from companion.audio.wavfile import read_wav
from companion.interfaces import Prompt
from companion.settings import VoiceSettings
from companion.voice.endpoint import EndpointSettings
from companion.voice.listen import VoiceAnswers
from companion.voice.recognition import Transcript
from tests.voice.test_asr_vosk import KO_MODEL, needs_ko

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is not installed (apt-get install espeak-ng)")
RATE = 22050
"""espeak-ng's own rate (hertz)."""
CEILING = 32768 * 10 ** (GainSettings().ceiling_dbfs / 20)
PROMPT = Prompt(id="situation", kind="free", text="What happened?")


def dbfs(samples: np.ndarray) -> float:
    samples = samples.astype(np.float64)
    return 20 * np.log10(np.sqrt(np.mean(samples * samples)) / 32768)


def scaled(samples: np.ndarray, db: float) -> np.ndarray:
    """`samples` (float) with their RMS set to `db` dBFS."""
    samples = samples.astype(np.float64)
    return samples / np.sqrt(np.mean(samples * samples)) * 32768 * 10 ** (db / 20)


def noise(kind: str, seconds: float, db: float, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(int(RATE * seconds))
    if kind == "pink":  # 1/f power: shape white noise's spectrum by 1/sqrt(f)
        spectrum = np.fft.rfft(white)
        spectrum /= np.sqrt(np.maximum(np.arange(spectrum.size), 1))
        white = np.fft.irfft(spectrum, white.size)
    return scaled(white, db)


def int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16)


class Spoken:
    """espeak-ng speech as float samples at 22,050 Hz, leading and trailing silence cut off."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, text: str, voice: str = "en-us") -> np.ndarray:
        path = self.folder / f"{abs(hash((text, voice)))}.wav"
        if not path.exists():
            subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text],
                           check=True)
        audio = read_wav(path)
        assert audio.rate == RATE
        samples = samples_of(audio).astype(np.float64)
        loud = np.nonzero(np.abs(samples) > 30)[0]
        return samples[loud[0]: loud[-1] + 1]


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    return Spoken(tmp_path_factory.mktemp("speech"))


class Stream:
    """A microphone stand-in: one continuous recording; each answer takes chunks from where the
    last one stopped, so audio after an answer's end belongs to the next answer."""

    def __init__(self, samples: np.ndarray) -> None:
        self.chunks = split(AudioChunk(RATE, 2, 1, int16(samples).tobytes()))
        self.done = False

    def next_answer(self, question: str = ""):
        if self.done:
            return None

        def chunks():
            # not `yield from`: that would close the shared stream when an answer stops early
            for chunk in self.chunks:  # noqa: UP028
                yield chunk
            self.done = True
        return chunks()

    def discard_pending(self) -> None:
        pass

    def close(self) -> None:
        pass


class RecordingRecognizer:
    """Hears nothing; keeps the samples it was given for each answer."""

    def __init__(self) -> None:
        self.answers: list[np.ndarray] = []
        self.current: list[np.ndarray] = []

    def start(self, kind: str, rate: int) -> None:
        self.current = []

    def accept(self, chunk: AudioChunk) -> str:
        self.current.append(samples_of(chunk))
        return ""

    def finish(self) -> Transcript:
        self.answers.append(np.concatenate(self.current))
        return Transcript("")


class Quiet:
    def say(self, text: str, role: str = "info") -> None:
        pass


def listen(samples: np.ndarray, *, endpoint: EndpointSettings | None = None,
           normaliser: LevelNormaliser | None = None, answers: int = 1):
    """Play `samples` as one continuous microphone stream; (VoiceAnswers, recognizer, reasons)."""
    recognizer = RecordingRecognizer()
    voice = VoiceAnswers(Stream(samples), recognizer, SileroVad(), Quiet(), io.StringIO(),
                         endpoint=endpoint, normaliser=normaliser, crisis_check=lambda t: False)
    reasons = []
    for _ in range(answers):
        voice.listen(PROMPT)
        reasons.append(voice.last_reason)
    return voice, recognizer, reasons


def scene(*parts: tuple[np.ndarray | float, ...], background: np.ndarray | None = None
          ) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Speech arrays and pauses (seconds) in a row, over `background` (trimmed or padded with
    silence); also where each speech part lies (sample offsets)."""
    pieces, spans, at = [], [], 0
    for part in parts:
        piece = np.zeros(int(RATE * part)) if isinstance(part, float) else np.asarray(part)
        if not isinstance(part, float):
            spans.append((at, at + piece.size))
        pieces.append(piece)
        at += piece.size
    audio = np.concatenate(pieces)
    if background is not None:
        audio = audio + np.pad(background, (0, max(0, audio.size - background.size)))[: audio.size]
    return audio, spans


# -- the noise floor (pure) --------------------------------------------------------------------

def test_noise_floor_is_unknown_until_it_settles_then_a_high_percentile():
    floor = NoiseFloor(window=3.0, percentile=80.0, settle=0.5)
    for _ in range(16):  # 0.48 s
        floor.update(-50.0, 0.03)
    assert floor.level is None and floor.clears(-100.0, 6.0)
    floor.update(-50.0, 0.03)
    assert floor.level == -50.0
    for i in range(50):  # a fluctuating background: -50, -40, -50, -40 ...
        floor.update(-40.0 if i % 2 else -50.0, 0.03)
    assert floor.level == -40.0  # its loud moments, not its gaps
    assert floor.clears(-34.0, 6.0) and not floor.clears(-35.0, 6.0)


def test_noise_floor_forgets_what_is_older_than_its_window():
    floor = NoiseFloor(window=3.0, percentile=80.0)
    for _ in range(100):
        floor.update(-30.0, 0.03)  # a loud fan ...
    for _ in range(90):
        floor.update(-60.0, 0.03)  # ... switched off: after 2.7 s only a tenth is the fan
    assert floor.level == -60.0


# -- level normalisation (pure) ----------------------------------------------------------------

def tone(seconds: float, db: float, freq: float = 220.0) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return np.sin(2 * np.pi * freq * t) * np.sqrt(2) * 32768 * 10 ** (db / 20)


def through(normaliser: LevelNormaliser, samples: np.ndarray, speech: bool = True) -> np.ndarray:
    out = [normaliser.apply(c, speech) for c in split(AudioChunk(RATE, 2, 1, int16(samples)
                                                                 .tobytes()))]
    return np.concatenate([samples_of(c) for c in out])


def test_quiet_speech_is_raised_to_the_target():
    out = through(LevelNormaliser(), tone(2.0, -43.0))
    assert dbfs(out[RATE:]) == pytest.approx(GainSettings().target_dbfs, abs=0.5)


def test_the_gain_is_capped():
    out = through(LevelNormaliser(GainSettings(max_gain=24.0)), tone(2.0, -70.0))
    assert dbfs(out[RATE:]) == pytest.approx(-70.0 + 24.0, abs=0.5)


def test_loud_speech_is_not_turned_down_and_passes_unchanged():
    loud = int16(tone(1.0, -12.0))
    assert np.array_equal(through(LevelNormaliser(), loud), loud)


def test_normalising_never_clips():
    """A quiet speaker raised by 20 dB, then a knock near full scale: the gain gives way at
    once, so no sample is pushed past the ceiling (the knock passes as it was)."""
    normaliser = LevelNormaliser()
    quiet = through(normaliser, tone(1.0, -43.0))
    assert normaliser.gain == pytest.approx(20.0, abs=0.5)
    knock = np.zeros(RATE // 2)
    knock[1000:1300] = 30000 * np.sign(np.sin(np.arange(300) + 0.5))
    out = through(normaliser, knock)
    assert np.max(np.abs(quiet)) <= CEILING
    assert np.array_equal(out[1000:1300], int16(knock[1000:1300]))
    assert np.max(np.abs(out)) == 30000


def test_non_speech_does_not_set_the_gain():
    normaliser = LevelNormaliser()
    hiss = int16(noise("white", 1.0, -70.0))
    assert np.array_equal(through(normaliser, hiss, speech=False), hiss)
    assert normaliser.gain == 0.0


def test_gain_changes_glide_within_a_chunk():
    """The first speech chunk jumps the wanted gain by 20 dB; it is ramped, not stepped."""
    normaliser = LevelNormaliser()
    chunk = AudioChunk(RATE, 2, 1, int16(np.full(600, 200.0)).tobytes())
    out = samples_of(normaliser.apply(chunk, True)).astype(np.float64)
    steps = np.abs(np.diff(out))
    assert out[-1] > 5 * out[0] and steps.max() < 0.02 * out[-1]


# -- real rooms, real voice detection ----------------------------------------------------------

ANSWER = "I felt really anxious and then I tried paced breathing"


@needs_espeak
@pytest.mark.parametrize("kind", ["white", "pink"])
@pytest.mark.parametrize("level", [-60.0, -45.0, -30.0, -20.0])
def test_noise_at_several_levels_then_speech(speech, kind, level):
    """3 s of noise, then an answer 15 dB above it: the answer ends 2 s after the speech, and
    the noise floor has followed the noise."""
    said = scaled(speech(ANSWER), level + 15)
    audio, spans = scene(3.0, said, 6.0, background=noise(kind, 12.0, level))
    voice, recognizer, reasons = listen(audio)
    assert reasons == ["pause"]
    heard = recognizer.answers[0].size / RATE
    assert spans[0][1] / RATE + 2.0 - 0.1 < heard < spans[0][1] / RATE + 2.0 + 0.4
    assert level - 1.0 < voice.floor.level < level + 3.0  # a high percentile of the noise


def babble(speech, seconds: float, db: float) -> np.ndarray:
    """Three other voices talking at once, all the time (a television, people next door)."""
    lines = ["the weather today is mostly cloudy with a chance of rain later this evening",
             "and the news at nine will cover the results from the northern districts",
             "traffic on the bridge is slow in both directions after an earlier accident"]
    total = np.zeros(int(RATE * seconds))
    for i, (line, voice) in enumerate(zip(lines, ("en-us+m3", "en-gb+f2", "en-us+m7"),
                                          strict=True)):
        talk = np.tile(speech(line, voice), 4)[: total.size]
        total[: talk.size] += np.roll(talk, i * RATE // 3)
    return scaled(total, db)


@needs_espeak
@pytest.mark.parametrize("margin, reasons", [(6.0, ["pause"]), (0.0, ["end_of_audio"])])
def test_voices_next_door_do_not_hold_the_answer_open(speech, margin, reasons):
    """A fan (pink noise, -40 dBFS), then voices next door barely above it, then the client
    15 dB above the fan, then the voices go on. With the noise floor the answer ends 2 s after
    the client; without it (margin 0) the voices keep it open to the end of the recording."""
    room = noise("pink", 16.0, -40.0)
    next_door = np.concatenate([np.zeros(2 * RATE), babble(speech, 14.0, -38.0)])
    said = scaled(speech(ANSWER), -25.0)
    audio, spans = scene(8.0, said, 5.0, background=room + next_door[: room.size])
    _, recognizer, got = listen(audio, endpoint=EndpointSettings(noise_margin=margin))
    assert got == reasons
    if margin:
        heard = recognizer.answers[0].size / RATE
        assert spans[0][1] / RATE + 2.0 - 0.1 < heard < spans[0][1] / RATE + 2.0 + 0.4


@needs_espeak
def test_a_quiet_speaker_is_raised_for_the_recognizer_without_clipping(speech):
    """A speaker 20 dB quieter than usual, in a quiet room: the recognizer gets the speech near
    the target level, and no sample over the ceiling."""
    quiet = speech(ANSWER) * 10 ** (-20 / 20)
    audio, spans = scene(1.0, quiet, 4.0, background=noise("white", 6.0, -80.0))
    _, recognizer, reasons = listen(audio)
    got = recognizer.answers[0]
    start, end = spans[0]
    assert reasons == ["pause"]
    assert dbfs(got[start:end]) == pytest.approx(GainSettings().target_dbfs, abs=2.0)
    assert dbfs(got[start:end]) > dbfs(quiet) + 15
    assert np.max(np.abs(got)) <= CEILING
    # the same recording without normalisation reaches the recognizer as it was
    _, plain, _ = listen(audio, normaliser=LevelNormaliser(GainSettings(max_gain=0.0)))
    assert dbfs(plain.answers[0][start:end]) == pytest.approx(dbfs(quiet), abs=0.1)


@needs_espeak
def test_a_usual_speaker_reaches_the_recognizer_unchanged(speech):
    said = speech(ANSWER)
    audio, spans = scene(1.0, said, 4.0)
    _, recognizer, _ = listen(audio)
    start, end = spans[0]
    assert dbfs(recognizer.answers[0][start:end]) == pytest.approx(dbfs(said), abs=1.5)


@needs_espeak
@pytest.mark.parametrize("room", ["quiet room", "pink noise", "quiet speaker"])
def test_a_hesitation_neither_ends_nor_splits_the_answer(speech, room):
    """Speech, 1.5 s of silence, speech, then the next answer, all in one stream at the default
    settings: the first answer holds both halves, the second only the next answer."""
    assert VoiceSettings().pause == EndpointSettings().pause == 2.0
    first, second = speech("I have been feeling"), speech("really lonely tonight")
    then = speech("yes")
    db = -20.0 if room == "quiet speaker" else 0.0
    parts = [p * 10 ** (db / 20) for p in (first, second, then)]
    total = sum(p.size for p in parts) / RATE + 0.5 + 1.5 + 3.0 + 4.0
    background = noise("pink", total, dbfs(first) - 15) if room == "pink noise" else None
    audio, spans = scene(0.5, parts[0], 1.5, parts[1], 3.0, parts[2], 4.0, background=background)
    _, recognizer, reasons = listen(audio, answers=2)
    assert reasons == ["pause", "pause"]
    one, two = recognizer.answers
    assert spans[1][1] / RATE + 1.9 < one.size / RATE < spans[1][1] / RATE + 2.4
    # the second answer starts where the first stopped, and holds the third utterance whole
    assert one.size < spans[2][0] and one.size + two.size > spans[2][1]


# -- a real recognizer: quiet Korean speech through the Korean Vosk model ----------------------

@pytest.mark.real_engine
@needs_espeak
@needs_ko
def test_vosk_hears_a_quiet_speaker_once_normalised(speech):
    """'네' (yes) 20 dB quieter than usual: the Korean model hears nothing in it as it is, and
    'yes' once the front end has raised it."""
    from companion.voice.vosk_engine import VoskRecognizer

    recognizer = VoskRecognizer(KO_MODEL).load_async(rates=[RATE])
    recognizer.wait()
    quiet = speech("네", "ko") * 10 ** (-20 / 20)
    audio, _ = scene(0.5, quiet, 3.0, background=noise("white", 4.0, -80.0))

    def heard(normaliser: LevelNormaliser) -> str:
        voice = VoiceAnswers(Stream(audio), recognizer, SileroVad(), Quiet(), io.StringIO(),
                             normaliser=normaliser, crisis_check=lambda t: False)
        return voice.listen(PROMPT).text

    assert heard(LevelNormaliser()) in ("네", "예")  # both are Korean for "yes"
    assert heard(LevelNormaliser(GainSettings(max_gain=0.0))) not in ("네", "예")
