"""Builds the answer source and prompter a command uses: typed, microphone or audio files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from companion.dialog.console import ConsolePrompter, TypedAnswers, stdin_is_terminal
from companion.errors import MicrophoneUnavailable
from companion.interfaces import AnswerSource, Prompter
from companion.settings import VoiceSettings
from companion.understand.analysis import detect_crisis, explained


@dataclass
class SessionIO:
    """The pieces a worksheet session talks through, and how to release them."""

    source: AnswerSource
    prompter: Prompter
    closers: list[Callable[[], None]] = field(default_factory=list)
    mode: str = "typed"
    """typed or voice: how answers come in (a voice session that fell back to typing says so
    through `actual_mode`)."""
    by_question: bool = False
    """The source knows which question it answers (a person at a terminal or microphone, a
    folder of answers named by question id): side questions like the region can be asked
    without taking a scripted answer meant for another question."""

    def actual_mode(self) -> str:
        """The mode as it really went: 'voice, then typed' after a fallback to typing."""
        if self.mode == "voice" and getattr(self.source, "broken", None) is not None:
            return "voice, then typed"
        return self.mode

    def close(self) -> None:
        for close in reversed(self.closers):
            close()


def build_prompter(voice: VoiceSettings, ui: Any, make_speaker: Callable[[VoiceSettings], Any]
                   | None = None) -> tuple[Prompter, list[Callable[[], None]]]:
    """On-screen prompts, spoken too unless --no-speak; `make_speaker` replaces the real
    pyttsx3/sounddevice speaker (tests record what would have been said)."""
    prompter: Prompter = ConsolePrompter(ui)
    if not voice.speak:
        return prompter, []
    from companion.dialog.prompters import SpeakingPrompter

    if make_speaker is None:
        from companion.voice.speech import build_speaker as make_speaker
    speaker = make_speaker(voice)
    return SpeakingPrompter(prompter, speaker), [getattr(speaker, "close", lambda: None)]


def build_io(voice: VoiceSettings, ctx: Any, *, json_mode: bool) -> SessionIO:
    """Typed answers, or voice from the microphone or --audio-in files; stderr carries the UI
    when stdout holds JSON."""
    ui = ctx.stderr if json_mode else ctx.stdout
    prompter, closers = build_prompter(voice, ui, getattr(ctx, "make_speaker", None))
    if getattr(ctx, "make_source", None) is not None:  # a scripted client (tests)
        return SessionIO(ctx.make_source(), prompter, closers, "typed", by_question=True)
    interactive = stdin_is_terminal()
    typed = TypedAnswers(ctx.stdin, echo=ui, interactive=interactive)
    if not voice.listen:
        return SessionIO(typed, prompter, closers, "typed", by_question=interactive)
    from companion.audio.vad import SileroVad
    from companion.voice import models
    from companion.voice.endpoint import EndpointSettings
    from companion.voice.listen import VoiceAnswers

    try:
        audio, rates = _audio_input(voice)
    except MicrophoneUnavailable as exc:
        if not interactive:
            raise
        from companion.audio.mic import TYPED_HINT

        problem = str(exc).removesuffix(TYPED_HINT).strip()  # its advice: we switch for them
        prompter.say(f"{problem} You can type your answers instead.", "info")
        return SessionIO(typed, prompter, closers, "voice, then typed", by_question=True)
    closers.append(audio.close)
    try:
        recognizer = models.open_recognizer(voice, ctx.home, ctx.env, rates=rates,
                                            scorer=explained)
    except Exception:
        SessionIO(typed, prompter, closers).close()
        raise
    source = VoiceAnswers(audio, recognizer, SileroVad(), prompter, ui,
                          endpoint=EndpointSettings(pause=voice.pause),
                          live=getattr(ui, "isatty", lambda: False)(),
                          fallback=typed if interactive and not voice.audio_in else None,
                          crisis_check=detect_crisis)
    by_question = not voice.audio_in or getattr(audio, "by_question", False)
    return SessionIO(source, prompter, closers, "voice", by_question=by_question)


def _audio_input(voice: VoiceSettings) -> tuple[Any, tuple[int, ...]]:
    """Audio files, or the opened microphone and its real rate."""
    if voice.audio_in:
        from companion.audio.sources import FileAudio, QuestionAudio, question_folder
        from companion.audio.wavfile import answer_files

        named = question_folder(voice.audio_in)
        if named is not None:
            return QuestionAudio(named, fast=voice.fast), _first_rate(list(named.values()))
        files = answer_files(voice.audio_in)
        return FileAudio(files, fast=voice.fast), _first_rate(files)
    from companion.audio.mic import Microphone

    mic = Microphone(voice.input_device)
    mic.open()  # fail early with a clear message, and learn the real rate
    return mic, (mic.rate,)


def _first_rate(files: list[Any]) -> tuple[int, ...]:
    """The first answer file's rate (hertz), so its recognizer warms up in the background; ()
    when unreadable (FileAudio reports that, with advice, when the answer is due)."""
    import wave

    try:
        with wave.open(str(files[0]), "rb") as wav:
            return (wav.getframerate(),)
    except (IndexError, OSError, EOFError, wave.Error):
        return ()
