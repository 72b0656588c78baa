"""Read any PCM WAV file as int16 mono, write int16 WAVs, and expand --audio-in folders."""

from __future__ import annotations

import wave
from collections.abc import Iterable
from pathlib import Path

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import to_int16_mono
from companion.errors import AudioFileError

CONVERT_HINT = "Convert it to a PCM WAV, for example: ffmpeg -i INPUT -ac 1 -ar 16000 OUTPUT.wav"
_SIGNATURES = {b"ID3": "an MP3", b"\xff\xfb": "an MP3", b"\xff\xf3": "an MP3",
               b"\xff\xf2": "an MP3", b"OggS": "an Ogg file", b"fLaC": "a FLAC file",
               b"\x1aE\xdf\xa3": "a WebM/Matroska file"}


def read_wav(path: Path) -> AudioChunk:
    """The whole file as one int16 mono chunk at the file's own rate."""
    head = _head(path)
    if not head:
        raise AudioFileError(f"{path} is empty. {CONVERT_HINT}")
    for signature, what in _SIGNATURES.items():
        if head.startswith(signature):
            raise AudioFileError(f"{path} is not a WAV file (it looks like {what}). {CONVERT_HINT}")
    if not (head.startswith(b"RIFF") and head[8:12] == b"WAVE"):
        raise AudioFileError(f"{path} is not a WAV file. {CONVERT_HINT}")
    try:
        with wave.open(str(path), "rb") as wav:
            rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
            data = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioFileError(f"{path} cannot be read as a PCM WAV ({exc}). {CONVERT_HINT}") from exc
    except OSError as exc:
        raise AudioFileError(f"{path} cannot be read: {exc.strerror or exc}") from exc
    if width not in (1, 2, 3, 4) or rate <= 0 or channels <= 0:
        raise AudioFileError(f"{path} has an unusual format ({width * 8}-bit, {rate} Hz, "
                             f"{channels} channels). {CONVERT_HINT}")
    samples = to_int16_mono(data, width, channels)
    if samples.size == 0:
        raise AudioFileError(f"{path} holds no audio (the file may be truncated). {CONVERT_HINT}")
    return AudioChunk(rate=rate, width=2, channels=1, data=samples.tobytes())


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(12)
    except FileNotFoundError as exc:
        raise AudioFileError(f"{path} does not exist.") from exc
    except IsADirectoryError as exc:
        raise AudioFileError(f"{path} is a folder, not a WAV file.") from exc
    except OSError as exc:
        raise AudioFileError(f"{path} cannot be read: {exc.strerror or exc}") from exc


def write_wav(path: Path, chunk: AudioChunk) -> None:
    """Save a chunk as a PCM WAV file."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(chunk.channels)
        wav.setsampwidth(chunk.width)
        wav.setframerate(chunk.rate)
        wav.writeframes(chunk.data)


def answer_files(inputs: Iterable[Path]) -> list[Path]:
    """Files in the order given; a folder contributes its .wav files in name order."""
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            wavs = sorted(p for p in item.iterdir() if p.suffix.lower() == ".wav" and p.is_file())
            if not wavs:
                raise AudioFileError(f"{item} holds no .wav files (one per answer, in name order).")
            found += wavs
        elif item.exists():
            found.append(item)
        else:
            raise AudioFileError(f"{item} does not exist.")
    return found
