"""Audio files and PCM helpers: real WAVs at odd formats, broken files, streaming, resampling."""

from __future__ import annotations

import shutil
import subprocess
import wave

import numpy as np
import pytest

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import level_dbfs, mono_chunk, resample, split, to_int16_mono
from companion.audio.sources import FileAudio, stream
from companion.audio.wavfile import answer_files, read_wav, write_wav
from companion.errors import AudioFileError

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is not installed (apt-get install espeak-ng)")


def tone(rate=16000, seconds=1.0, freq=440.0, amp=0.5):
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * freq * t) * amp * 32767).astype(np.int16)


def save(path, data: bytes, rate, width, channels):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data)
    return path


def test_48k_stereo_becomes_mono_at_its_own_rate(tmp_path):
    left = tone(48000, 0.5)
    stereo = np.stack([left, left], axis=1).reshape(-1).astype("<i2").tobytes()
    chunk = read_wav(save(tmp_path / "s.wav", stereo, 48000, 2, 2))
    assert (chunk.rate, chunk.width, chunk.channels) == (48000, 2, 1)
    assert chunk.seconds == pytest.approx(0.5)
    assert np.array_equal(np.frombuffer(chunk.data, "<i2"), left)


def test_8bit_unsigned(tmp_path):
    samples = np.array([0, 128, 255], np.uint8)
    chunk = read_wav(save(tmp_path / "8.wav", samples.tobytes(), 8000, 1, 1))
    assert list(np.frombuffer(chunk.data, "<i2")) == [-32768, 0, 127 << 8]


def test_32bit_and_24bit(tmp_path):
    values = np.array([-2**31, 0, 2**31 - 1], "<i4")
    chunk = read_wav(save(tmp_path / "32.wav", values.tobytes(), 16000, 4, 1))
    assert list(np.frombuffer(chunk.data, "<i2")) == [-32768, 0, 32767]
    raw24 = bytes([0x00, 0x00, 0x80, 0xFF, 0xFF, 0x7F, 0x00, 0x01, 0x00])
    assert list(to_int16_mono(raw24, 3, 1)) == [-32768, 32767, 1]


@needs_espeak
def test_espeak_wav_is_read(tmp_path):
    path = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(path), "I feel anxious"], check=True)
    chunk = read_wav(path)
    assert chunk.rate == 22050 and 0.5 < chunk.seconds < 3
    assert level_dbfs(chunk) > -40


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 100, "looks like an MP3"),
    (b"\xff\xfb\x90\x64" + b"\x00" * 400, "looks like an MP3"),
    (b"hello, this is text", "is not a WAV file"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "cannot be read as a PCM WAV"),
])
def test_broken_files_name_the_file(tmp_path, content, message):
    path = tmp_path / "answer.wav"
    path.write_bytes(content)
    with pytest.raises(AudioFileError) as err:
        read_wav(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_truncated_data_keeps_what_is_there(tmp_path):
    path = save(tmp_path / "t.wav", tone(16000, 1.0).tobytes(), 16000, 2, 1)
    path.write_bytes(path.read_bytes()[:44 + 16000])  # half the samples are gone
    assert read_wav(path).seconds == pytest.approx(0.5)


def test_header_only_file_has_no_audio(tmp_path):
    path = save(tmp_path / "h.wav", b"", 16000, 2, 1)
    with pytest.raises(AudioFileError, match="holds no audio"):
        read_wav(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(AudioFileError, match="does not exist"):
        read_wav(tmp_path / "nope.wav")
    with pytest.raises(AudioFileError, match="is a folder"):
        read_wav(tmp_path)


def test_answer_files_in_name_order(tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    for name in ("02.wav", "01.wav", "10.WAV", "notes.txt"):
        (folder / name).write_bytes(b"x")
    single = tmp_path / "extra.wav"
    single.write_bytes(b"x")
    assert [p.name for p in answer_files([folder, single])] == [
        "01.wav", "02.wav", "10.WAV", "extra.wav"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(AudioFileError, match="holds no .wav files"):
        answer_files([empty])
    with pytest.raises(AudioFileError, match="does not exist"):
        answer_files([tmp_path / "missing"])


def test_resample_keeps_duration_and_pitch():
    src = tone(22050, 1.0, freq=300)
    out = resample(src, 22050, 16000)
    assert out.size == 16000
    spectrum = np.abs(np.fft.rfft(out))
    assert np.argmax(spectrum) == pytest.approx(300, abs=2)  # 1 s of audio: bin = hertz


def test_split_into_30ms_chunks():
    chunk = AudioChunk(16000, 2, 1, tone(16000, 1.0).tobytes())
    pieces = list(split(chunk))
    assert len(pieces) == 34 and pieces[0].seconds == pytest.approx(0.03)
    assert b"".join(p.data for p in pieces) == chunk.data


@pytest.mark.parametrize("amp, low, high", [(0.0, -101, -99), (1.0, -4, -2), (0.01, -44, -42)])
def test_level_dbfs(amp, low, high):
    assert low < level_dbfs(AudioChunk(16000, 2, 1, tone(amp=amp).tobytes())) < high


def test_mono_chunk_converts_stereo():
    stereo = AudioChunk(8000, 2, 2, np.array([100, 300, -100, -300], "<i2").tobytes())
    assert list(np.frombuffer(mono_chunk(stereo).data, "<i2")) == [200, -200]


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_real_time_streaming_is_paced_by_the_audio():
    fake = FakeTime()
    chunk = AudioChunk(16000, 2, 1, tone(16000, 0.3).tobytes())
    pieces = list(stream(chunk, fast=False, sleep=fake.sleep, clock=fake.clock))
    assert len(pieces) == 10
    assert fake.now == pytest.approx(0.27)  # the last chunk is delivered when the 9th ends


def test_fast_streaming_never_sleeps():
    fake = FakeTime()
    list(stream(AudioChunk(16000, 2, 1, tone().tobytes()), fast=True, sleep=fake.sleep,
                clock=fake.clock))
    assert fake.slept == []


def test_file_audio_one_file_per_answer_then_none(tmp_path):
    paths = []
    for i, rate in enumerate((8000, 44100)):
        path = tmp_path / f"{i}.wav"
        write_wav(path, AudioChunk(rate, 2, 1, tone(rate, 0.2).tobytes()))
        paths.append(path)
    audio = FileAudio(paths, fast=True)
    rates = []
    while (chunks := audio.next_answer()) is not None:
        got = list(chunks)
        rates.append(got[0].rate)
        assert sum(c.seconds for c in got) == pytest.approx(0.2, abs=0.001)
    assert rates == [8000, 44100]
