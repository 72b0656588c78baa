"""The project's own exceptions; only the CLI turns them into messages and exit codes."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Every exit status companion returns, one meaning each (listed in `companion --help`)."""

    OK = 0
    ERROR = 1
    """An unexpected problem, or a check (`companion check`) that found something to fix."""
    USAGE = 2
    WORKSHEET = 3
    STORAGE = 4
    RECORD = 5
    MODEL_MISSING = 6
    MICROPHONE = 7
    SPEECH = 8
    AUDIO_FILE = 9
    DOWNLOAD = 10
    SESSION_BUSY = 11
    INCOMPLETE = 12
    """Input ended before the session, reflection or plan was finished (saved; resumable)."""
    NOT_SET = 13
    """A setting asked for was never set."""
    NOT_CONFIRMED = 14
    """A deletion was not confirmed."""
    NO_PLAN = 15
    """No safety plan recorded yet."""
    ENCODER = 16
    """The sentence encoder (semantic understanding) cannot be loaded."""
    INTERRUPTED = 130
    """Ctrl-C; everything said so far is saved."""


EXIT_MEANINGS = {
    ExitCode.OK: "done",
    ExitCode.ERROR: "unexpected error, or `check` found something to fix",
    ExitCode.USAGE: "bad command-line usage",
    ExitCode.WORKSHEET: "worksheet file invalid",
    ExitCode.STORAGE: "data folder cannot be read or written",
    ExitCode.RECORD: "saved session missing, corrupt or ambiguous",
    ExitCode.MODEL_MISSING: "no usable speech model",
    ExitCode.MICROPHONE: "no microphone, or it stopped",
    ExitCode.SPEECH: "speech output unavailable",
    ExitCode.AUDIO_FILE: "audio file unreadable",
    ExitCode.DOWNLOAD: "model download failed",
    ExitCode.SESSION_BUSY: "session open in another window",
    ExitCode.INCOMPLETE: "input ended before the end (saved; resume later)",
    ExitCode.NOT_SET: "setting not set",
    ExitCode.NOT_CONFIRMED: "deletion not confirmed",
    ExitCode.NO_PLAN: "no safety plan yet",
    ExitCode.ENCODER: "sentence encoder unavailable (understanding falls back to the rules)",
    ExitCode.INTERRUPTED: "stopped with Ctrl-C (saved)",
}


class CompanionError(Exception):
    """Base class. The message says what went wrong and what to do next."""

    exit_code = ExitCode.ERROR


class SessionInterrupted(CompanionError):
    """Ctrl-C during a session; everything said so far is saved and resumable."""

    exit_code = ExitCode.INTERRUPTED


class UsageError(CompanionError):
    """A command-line argument or value that cannot be used."""

    exit_code = ExitCode.USAGE


class WorksheetError(CompanionError):
    """A worksheet file that cannot be loaded or is invalid."""

    exit_code = ExitCode.WORKSHEET


class StorageError(CompanionError):
    """The data folder cannot be read or written."""

    exit_code = ExitCode.STORAGE


class RecordError(CompanionError):
    """A saved session that is missing, corrupt, ambiguous or from a newer version."""

    exit_code = ExitCode.RECORD


class ModelMissing(CompanionError):
    """No usable speech-recognition model."""

    exit_code = ExitCode.MODEL_MISSING


class MicrophoneUnavailable(CompanionError):
    """No input device, or it stopped delivering audio."""

    exit_code = ExitCode.MICROPHONE


class SpeechUnavailable(CompanionError):
    """Speech output (text-to-speech) cannot be used."""

    exit_code = ExitCode.SPEECH


class AudioFileError(CompanionError):
    """An audio file that cannot be read as speech."""

    exit_code = ExitCode.AUDIO_FILE


class DownloadError(CompanionError):
    """A model download that failed or did not verify."""

    exit_code = ExitCode.DOWNLOAD


class SessionBusy(CompanionError):
    """The session is open in another companion process right now."""

    exit_code = ExitCode.SESSION_BUSY
