"""The microphone as an audio source (sounddevice/PortAudio), and the device list."""

from __future__ import annotations

import logging
import queue
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import CHUNK_SECONDS
from companion.errors import MicrophoneUnavailable

log = logging.getLogger(__name__)
PREFERRED_RATE = 16000
"""Tried first (hertz); otherwise the device's own default rate is used."""
FIRST_AUDIO_TIMEOUT = 5.0
"""Wait for the first audio after the stream starts (seconds; PulseAudio took up to 1.8 s here)."""
AUDIO_TIMEOUT = 2.0
"""Longest gap between chunks before the microphone counts as gone (seconds)."""
MAX_QUEUED = 2000
"""Chunks kept while nobody reads (about a minute); older ones are dropped."""
TYPED_HINT = "You can answer by typing instead: add --typed."


@dataclass(frozen=True)
class Device:
    """One PortAudio device."""

    index: int
    name: str
    hostapi: str
    inputs: int
    outputs: int
    default_rate: float
    default_input: bool
    default_output: bool


def sounddevice() -> Any:
    """The sounddevice module, or MicrophoneUnavailable saying how to install PortAudio."""
    try:
        import sounddevice as sd
    except (ImportError, OSError) as exc:
        raise MicrophoneUnavailable(f"the audio library PortAudio is missing ({exc}). Install it "
                                    f"with: sudo apt-get install libportaudio2. {TYPED_HINT}") from exc
    return sd


def refresh() -> None:
    """Re-scan devices (PortAudio only lists what existed when it started, e.g. a new PulseAudio)."""
    sd = sounddevice()
    sd._terminate()  # sounddevice has no public re-scan; these re-initialise PortAudio
    sd._initialize()


def list_devices() -> list[Device]:
    """Every input and output device PortAudio knows."""
    sd = sounddevice()
    try:
        devices, apis = sd.query_devices(), sd.query_hostapis()
        default_in, default_out = (int(x) for x in sd.default.device)
    except sd.PortAudioError as exc:
        raise MicrophoneUnavailable(f"cannot list audio devices ({exc}). {TYPED_HINT}") from exc
    return [Device(index=d["index"], name=d["name"], hostapi=apis[d["hostapi"]]["name"],
                   inputs=d["max_input_channels"], outputs=d["max_output_channels"],
                   default_rate=d["default_samplerate"], default_input=d["index"] == default_in,
                   default_output=d["index"] == default_out)
            for d in devices]


def find_input(spec: str | None, devices: list[Device]) -> Device:
    """The input device by index or part of its name (None: the default input)."""
    inputs = [d for d in devices if d.inputs > 0]
    if not inputs:
        raise MicrophoneUnavailable(f"no microphone was found. Plug one in and check it with "
                                    f"`companion devices`. {TYPED_HINT}")
    if spec is None or spec == "":
        return next((d for d in inputs if d.default_input), inputs[0])
    if spec.strip().isdigit():
        match = [d for d in inputs if d.index == int(spec)]
    else:
        match = [d for d in inputs if spec.lower() in d.name.lower()]
    if not match:
        names = "; ".join(f"{d.index}: {d.name}" for d in inputs)
        raise MicrophoneUnavailable(f"no input device matches --input-device {spec!r}. "
                                    f"Inputs here: {names}")
    return match[0]


class Microphone:
    """Int16 mono capture in fixed chunks; one stream kept open, drained at each answer."""

    def __init__(self, device: str | None = None, *, chunk_seconds: float = CHUNK_SECONDS,
                 timeout: float = AUDIO_TIMEOUT) -> None:
        self.spec, self.chunk_seconds, self.timeout = device, chunk_seconds, timeout
        self.queue: queue.Queue[bytes] = queue.Queue(MAX_QUEUED)
        self.stream: Any = None
        self.rate = 0
        self.device: Device | None = None
        self.heard_first = False

    def open(self) -> None:
        """Start capturing (if not already) at a rate the device supports."""
        if self.stream is not None:
            return
        sd = sounddevice()
        self.device = find_input(self.spec, list_devices())
        self.rate = self._pick_rate(sd, self.device)
        try:
            self.stream = sd.RawInputStream(
                samplerate=self.rate, channels=1, dtype="int16", device=self.device.index,
                blocksize=int(self.rate * self.chunk_seconds), callback=self._callback)
            self.stream.start()
        except sd.PortAudioError as exc:
            self.stream = None
            raise MicrophoneUnavailable(f"the microphone {self.device.name!r} could not be "
                                        f"opened ({exc}). {TYPED_HINT}") from exc
        log.info("microphone %s (%s) at %d Hz", self.device.index, self.device.name, self.rate)

    def _pick_rate(self, sd: Any, device: Device) -> int:
        for rate in (PREFERRED_RATE, int(device.default_rate)):
            try:
                sd.check_input_settings(device=device.index, samplerate=rate, channels=1,
                                        dtype="int16")
                return rate
            except (sd.PortAudioError, ValueError) as exc:
                log.debug("%s refuses %d Hz: %s", device.name, rate, exc)
        raise MicrophoneUnavailable(f"the microphone {device.name!r} accepts neither "
                                    f"{PREFERRED_RATE} Hz nor its default rate. {TYPED_HINT}")

    def _callback(self, data: Any, frames: int, time: Any, status: Any) -> None:
        if status:
            log.debug("input status: %s", status)
        try:
            self.queue.put_nowait(bytes(data))
        except queue.Full:  # nobody is listening (a long prompt): keep the newest audio
            self.discard_pending()
            self.queue.put_nowait(bytes(data))

    def next_answer(self, question: str = "") -> Iterator[AudioChunk]:
        """Chunks from now on (what was captured during the prompt is dropped)."""
        self.open()
        self.discard_pending()
        return self._chunks()

    def _chunks(self) -> Iterator[AudioChunk]:
        while True:
            wait = self.timeout if self.heard_first else FIRST_AUDIO_TIMEOUT
            try:
                data = self.queue.get(timeout=wait)
            except queue.Empty:
                name = self.device.name if self.device else "microphone"
                raise MicrophoneUnavailable(
                    f"the microphone {name!r} stopped sending sound (nothing for {wait:g} s). "
                    f"Check it is plugged in. {TYPED_HINT}") from None
            self.heard_first = True
            yield AudioChunk(self.rate, 2, 1, data)

    def wait_for_audio(self) -> None:
        """Block until the first chunk arrived (the stream is really running)."""
        next(self.next_answer())

    def discard_pending(self) -> None:
        while True:
            try:
                self.queue.get_nowait()
            except queue.Empty:
                return

    def close(self) -> None:
        if self.stream is not None:
            try:
                self.stream.stop()
                self.stream.close()
            except sounddevice().PortAudioError as exc:  # a vanished device can fail to close
                log.debug("closing the microphone: %s", exc)
            self.stream = None
