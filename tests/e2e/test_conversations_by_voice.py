"""The voice subset of the scripted conversations: each answer synthesized by Festival's HTS
voice (cmu_us_slt, not the product's own espeak-ng voice) into a WAV named after its question id,
played with `--audio-in DIR`, heard by real Whisper."""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from companion.cli.main import main
from tests.dialog.conversation import HERE, _record, _set_region, _setup, load, problems
from tests.fakes import RecordingSpeaker

VOICE = sorted(p for p in HERE.glob("*.toml") if load(p).get("voice"))
pytestmark = [
    pytest.mark.real_engine,
    pytest.mark.skipif(shutil.which("text2wave") is None,
                       reason="Festival is not installed (scripts/setup.sh --test installs "
                       "festival and festvox-us-slt-hts)"),
    pytest.mark.skipif(importlib.util.find_spec("faster_whisper") is None,
                       reason="faster-whisper is not installed (pip install '.[whisper]')"),
]


def answer_folder(script: dict, folder: Path) -> Path:
    folder.mkdir(parents=True)
    asked: dict[str, int] = {}
    for turn in script.get("turn", []):
        n = asked[turn["expect"]] = asked.get(turn["expect"], 0) + 1
        name = turn["expect"] if n == 1 else f"{turn['expect']}-{n}"
        subprocess.run(["text2wave", "-eval", "(voice_cmu_us_slt_arctic_hts)", "-o",
                        str(folder / f"{name}.wav")], input=turn["say"].encode(), check=True,
                       capture_output=True)
    return folder


def test_the_voice_subset_is_there():
    assert len(VOICE) >= 10


@pytest.mark.parametrize("path", VOICE, ids=[p.stem for p in VOICE])
def test_conversation_by_voice(path, tmp_path):
    script, home = load(path), tmp_path / "home"
    home.mkdir()
    _set_region(home, script.get("region", "US"))
    if script.get("before"):
        _setup(home, script["before"])
    folder = answer_folder(script, tmp_path / "answers")
    argv = [script.get("command", "prepare"), "--audio-in", str(folder), "--engine", "whisper",
            "--fast", "--no-speak", *script.get("flags", [])]
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, env={"COMPANION_HOME": str(home), "HOME": str(tmp_path)},
                stdin=io.BytesIO(b""), stdout=out, stderr=err,
                make_speaker=lambda voice: RecordingSpeaker())
    record = _record(home)
    record["_asked"] = [t["expect"] for t in script.get("turn", [])]
    wrong = problems(script, record, out.getvalue() + err.getvalue(), code)
    assert wrong == [], f"{path.name} by voice:\n  " + "\n  ".join(wrong)
