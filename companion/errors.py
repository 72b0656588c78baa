"""The project's own exceptions; only the CLI turns them into messages and exit codes."""

from __future__ import annotations


class CompanionError(Exception):
    """Base class. The message says what went wrong and what to do next."""

    exit_code = 1


class SessionInterrupted(CompanionError):
    """Ctrl-C during a session; everything said so far is saved and resumable."""

    exit_code = 130


class UsageError(CompanionError):
    """A command-line argument or value that cannot be used."""

    exit_code = 2


class WorksheetError(CompanionError):
    """A worksheet file that cannot be loaded or is invalid."""

    exit_code = 3


class StorageError(CompanionError):
    """The data folder cannot be read or written."""

    exit_code = 4


class RecordError(CompanionError):
    """A saved session that is missing, corrupt, ambiguous or from a newer version."""

    exit_code = 5


class ModelMissing(CompanionError):
    """No usable speech-recognition model."""

    exit_code = 6


class MicrophoneUnavailable(CompanionError):
    """No input device, or it stopped delivering audio."""

    exit_code = 7


class SpeechUnavailable(CompanionError):
    """Speech output (text-to-speech) cannot be used."""

    exit_code = 8


class AudioFileError(CompanionError):
    """An audio file that cannot be read as speech."""

    exit_code = 9


class DownloadError(CompanionError):
    """A model download that failed or did not verify."""

    exit_code = 10


class SessionBusy(CompanionError):
    """The session is open in another companion process right now."""

    exit_code = 11
