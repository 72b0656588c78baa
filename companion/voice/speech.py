"""Speaking: pyttsx3/espeak-ng synthesis to audio, played through sounddevice until it ends."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Protocol

from companion.audio.chunk import AudioChunk
from companion.errors import AudioFileError, SpeechUnavailable
from companion.settings import VoiceSettings

log = logging.getLogger(__name__)
WARM_UP = "Hello."
_UNSPEAKABLE = re.compile(r"[─━│•»«▮▯#*_`>|]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PATH = re.compile(r"(?<!\S)(?:~|\.{1,2})?/\S+")


class Player(Protocol):
    """Plays audio, returning only when it has finished."""

    def play(self, chunk: AudioChunk) -> None: ...


def speakable(text: str) -> str:
    """Text as it should be read aloud: no box drawing, bullets, file paths or control codes."""
    text = _CONTROL.sub(" ", _PATH.sub("your data folder", text))
    return " ".join(_UNSPEAKABLE.sub(" ", text).split())


class Pyttsx3Synth:
    """Text to a 22,050 Hz int16 mono chunk with pyttsx3 over espeak-ng; no sound card needed."""

    _lock = threading.Lock()

    def __init__(self, rate: int = 150, voice: str | None = None, volume: float = 0.9) -> None:
        self.rate, self.voice, self.volume = rate, voice, volume
        self.engine: Any = None
        self.voice_id = ""
        self.tmp = tempfile.TemporaryDirectory(prefix="companion-tts-")

    def load(self) -> None:
        """Start the engine, choose the voice, and make the warm-up call pyttsx3 needs."""
        if self.engine is not None:
            return
        try:
            import pyttsx3

            engine = pyttsx3.init()
        except Exception as exc:  # pyttsx3 raises many kinds when espeak-ng is missing
            raise SpeechUnavailable(
                f"text-to-speech could not start ({exc}). Install espeak-ng "
                "(sudo apt-get install espeak-ng), or use --no-speak") from exc
        self.voice_id = choose_voice(engine.getProperty("voices"), self.voice)
        self.engine = engine
        # pyttsx3 2.99's first save_to_file in a process writes nothing for longer texts.
        self._save(WARM_UP, Path(self.tmp.name) / "warm-up.wav")

    def synthesize(self, text: str) -> AudioChunk:
        """The spoken text as audio."""
        from companion.audio.wavfile import read_wav

        self.load()
        text = _CONTROL.sub(" ", text)  # a stray control code would be read as an espeak command
        path = Path(self.tmp.name) / "speech.wav"
        for _attempt in range(2):
            path.unlink(missing_ok=True)
            self._save(text, path)
            try:
                return read_wav(path)
            except AudioFileError as exc:
                log.debug("synthesis wrote no audio, retrying: %s", exc)
        raise SpeechUnavailable("text-to-speech produced no audio")

    def _save(self, text: str, path: Path) -> None:
        # pyttsx3 prints "Audio saved to ..." with print(); keep it out of our stdout (--json).
        with self._lock, contextlib.redirect_stdout(io.StringIO()):
            try:
                # pyttsx3 shares one engine per process: apply our properties every time.
                self.engine.setProperty("voice", self.voice_id)
                self.engine.setProperty("rate", int(self.rate))
                self.engine.setProperty("volume", self._volume())
                self.engine.save_to_file(self._embedded() + text, str(path))
                self.engine.runAndWait()
            except Exception as exc:
                raise SpeechUnavailable(f"text-to-speech failed ({exc})") from exc

    def _volume(self) -> float:
        return max(0.0, min(1.0, float(self.volume)))

    def _embedded(self) -> str:
        """espeak-ng commands for rate and amplitude at the start of the text. With pyttsx3 2.99
        the rate property reached about half of the utterances here; these reach every one."""
        if not sys.platform.startswith("linux"):  # pyttsx3 uses espeak-ng on Linux only
            return ""
        return f"\x01{int(self.rate)}S\x01{round(self._volume() * 100)}A"

    def close(self) -> None:
        self.tmp.cleanup()


def choose_voice(voices: list[Any], wanted: str | None) -> str:
    """The voice id for `wanted` (id, name part or language), or a US English voice."""
    def langs(v: Any) -> list[str]:
        return [x.decode(errors="ignore") if isinstance(x, bytes) else str(x)
                for x in (getattr(v, "languages", None) or [])]

    if wanted:
        key = wanted.lower()
        for test in (lambda v: v.id.lower() == key,
                     lambda v: key in langs(v),
                     lambda v: key in (v.name or "").lower() or key in v.id.lower()):
            for v in voices:
                if test(v):
                    return v.id
        english = ", ".join(v.id for v in voices if any(x.startswith("en") for x in langs(v)))
        raise SpeechUnavailable(f"no voice matches --voice {wanted!r}; English voices here: "
                                f"{english or 'none'}")
    for lang in ("en-us", "en"):
        for v in voices:
            if lang in langs(v):
                return v.id
    if not voices:
        raise SpeechUnavailable("espeak-ng has no voices installed")
    return voices[0].id


class SoundDevicePlayer:
    """Blocking playback on the default (or given) output device."""

    def __init__(self, device: int | str | None = None) -> None:
        self.device = device

    def play(self, chunk: AudioChunk) -> None:
        from companion.audio.pcm import resample, samples_of

        sd = _sounddevice()
        samples = samples_of(chunk)
        try:
            self._play(sd, samples, chunk.rate)
        except sd.PortAudioError as exc:
            rate = _default_output_rate(sd, self.device)
            if not rate or rate == chunk.rate:
                raise SpeechUnavailable(f"no sound output ({exc})") from exc
            log.debug("output refused %d Hz (%s); playing at %d Hz", chunk.rate, exc, rate)
            try:
                self._play(sd, resample(samples, chunk.rate, rate), rate)
            except sd.PortAudioError as again:
                raise SpeechUnavailable(f"no sound output ({again})") from again

    def _play(self, sd: Any, samples: Any, rate: int) -> None:
        try:
            sd.play(samples, samplerate=rate, device=self.device, blocking=True)
        except KeyboardInterrupt:
            sd.stop()
            raise


def _sounddevice() -> Any:
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        raise SpeechUnavailable(f"no sound output: PortAudio is missing ({exc}); install it "
                                "with sudo apt-get install libportaudio2") from exc
    return sounddevice


def _default_output_rate(sd: Any, device: int | str | None) -> int:
    try:
        return int(sd.query_devices(device, "output")["default_samplerate"])
    except (sd.PortAudioError, ValueError, KeyError):
        return 0


class Speaker:
    """Says text out loud and returns when it has been heard (half-duplex)."""

    def __init__(self, synth: Any, player: Player) -> None:
        self.synth, self.player = synth, player

    def say(self, text: str) -> None:
        text = speakable(text)
        if text:
            self.player.play(self.synth.synthesize(text))

    def close(self) -> None:
        getattr(self.synth, "close", lambda: None)()


def build_speaker(voice: VoiceSettings) -> Speaker:
    """The real speaker for these settings (engines load on first use)."""
    return Speaker(Pyttsx3Synth(voice.rate, voice.voice, voice.volume), SoundDevicePlayer())
