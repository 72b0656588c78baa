"""Model lookup order, incomplete folders, the automatic engine choice, and the downloader."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from companion.data import DataError
from companion.errors import DownloadError, ModelMissing, UsageError
from companion.settings import VoiceSettings
from companion.voice import download
from companion.voice.model_files import (
    Download,
    Part,
    _download,
    downloads,
    find_download,
    whisper_missing,
)
from companion.voice.models import (
    NO_MODEL,
    choose,
    describe_models,
    find_models,
    guess_language,
    inspect,
)

EN = "vosk-model-small-en-us-0.15"
VOSK_FILES = ("am/final.mdl", "conf/mfcc.conf", "conf/model.conf", "graph/HCLr.fst",
              "graph/Gr.fst", "ivector/final.ie")


def make_vosk(folder: Path, skip: tuple[str, ...] = ()) -> Path:
    for name in VOSK_FILES:
        if name not in skip:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(b"x")
    return folder


def make_whisper(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (folder / name).write_text("{}")
    return folder


def everything(module: str) -> bool:
    return True


def nothing_optional(module: str) -> bool:
    return module == "vosk"


@pytest.fixture
def places(tmp_path):
    """home, a stand-in for the checkout's models/ folder, and a place for other models."""
    return tmp_path / "home", tmp_path / "repo-models", tmp_path / "elsewhere"


# -- what a folder holds -----------------------------------------------------------------------

@pytest.mark.parametrize("name, language", [
    (EN, "en"), ("vosk-model-en-us-0.22-lgraph", "en"), ("vosk-model-small-ko-0.22", "ko"),
    ("vosk-model-small-de-0.15", "de"), ("my-model", None), ("VOSK-MODEL-SMALL-FR-0.22", "fr"),
])
def test_language_from_folder_name(tmp_path, name, language):
    assert guess_language(make_vosk(tmp_path / name)) == language


def test_language_from_readme(tmp_path):
    folder = make_vosk(tmp_path / "model")
    (folder / "README").write_text("Small Korean for Vosk (Android, RPi)\n")
    assert guess_language(folder) == "ko"


@pytest.mark.parametrize("skip, missing", [
    (("am/final.mdl",), ("am/final.mdl",)),
    (("graph/Gr.fst",), ("graph/Gr.fst",)),
    (("graph/HCLr.fst", "graph/Gr.fst"), ("graph/HCLG.fst",)),
    (("conf/mfcc.conf", "graph/HCLr.fst"), ("conf/mfcc.conf", "graph/HCLr.fst")),
])
def test_incomplete_vosk_folder_names_what_is_missing(tmp_path, skip, missing):
    info = inspect(make_vosk(tmp_path / EN, skip), "test")
    assert info.engine == "vosk" and info.missing == missing and not info.usable


def test_static_graph_model_is_complete(tmp_path):
    folder = make_vosk(tmp_path / EN, ("graph/HCLr.fst", "graph/Gr.fst"))
    (folder / "graph").mkdir()
    (folder / "graph" / "HCLG.fst").write_bytes(b"x")
    assert inspect(folder, "test").usable


def test_whisper_folder_and_non_models(tmp_path):
    assert inspect(make_whisper(tmp_path / "tiny.en"), "x").engine == "whisper"
    (tmp_path / "photos").mkdir()
    assert inspect(tmp_path / "photos", "x") is None


# -- lookup order and choice -------------------------------------------------------------------

def test_lookup_order_model_flag_env_repo_home(places):
    home, repo, elsewhere = places
    flag = make_vosk(elsewhere / "flag" / EN)
    env_model = make_vosk(elsewhere / "env" / EN)
    in_repo = make_vosk(repo / EN)
    in_home = make_vosk(home / "models" / EN)
    env = {"COMPANION_MODEL": str(env_model)}
    found = find_models(home, env, VoiceSettings(model=flag), repo=repo,
                        installed=nothing_optional)
    assert [m.path for m in found] == [flag, in_repo, in_home]  # --model beats the variable
    assert choose(VoiceSettings(), home, env, repo=repo).model.path == env_model
    assert choose(VoiceSettings(), home, {}, repo=repo).model.path == in_repo
    assert choose(VoiceSettings(), home, {}, repo=elsewhere / "none").model.path == in_home


def test_auto_prefers_english_vosk_then_whisper(places):
    home, repo, _ = places
    make_vosk(repo / "vosk-model-small-ko-0.22")
    whisper = make_whisper(home / "models" / "whisper-tiny.en")
    choice = choose(VoiceSettings(), home, {}, repo=repo, installed=everything)
    assert (choice.engine, choice.model.path) == ("whisper", whisper)
    english = make_vosk(home / "models" / EN)
    choice = choose(VoiceSettings(), home, {}, repo=repo, installed=everything)
    assert (choice.engine, choice.model.path) == ("vosk", english)
    # --engine vosk without an English model still takes a non-English one over nothing
    english.joinpath("am", "final.mdl").unlink()
    forced = choose(VoiceSettings(engine="vosk"), home, {}, repo=repo, installed=everything)
    assert forced.model.language == "ko"


def test_nothing_installed_says_what_to_do(places):
    home, repo, _ = places
    with pytest.raises(ModelMissing) as caught:
        choose(VoiceSettings(), home, {}, repo=repo, installed=nothing_optional)
    assert str(caught.value) == NO_MODEL


def test_whisper_model_without_the_engine_is_not_chosen(places):
    home, repo, _ = places
    make_whisper(home / "models" / "tiny.en")
    with pytest.raises(ModelMissing, match="No speech model found"):
        choose(VoiceSettings(), home, {}, repo=repo, installed=nothing_optional)
    with pytest.raises(ModelMissing, match=r"whisper engine is not installed.*\[whisper\]"):
        choose(VoiceSettings(engine="whisper"), home, {}, repo=repo, installed=nothing_optional)


def test_incomplete_downloaded_model_is_named(places):
    home, repo, _ = places
    make_vosk(home / "models" / EN, skip=("am/final.mdl",))
    with pytest.raises(ModelMissing, match=r"incomplete: missing am/final\.mdl.*--force"):
        choose(VoiceSettings(), home, {}, repo=repo, installed=nothing_optional)


def test_explicit_folder_problems(places):
    home, repo, elsewhere = places
    with pytest.raises(ModelMissing, match="does not exist"):
        choose(VoiceSettings(model=elsewhere / "nope"), home, {}, repo=repo)
    (elsewhere / "empty").mkdir(parents=True)
    with pytest.raises(ModelMissing, match="not a speech model folder"):
        choose(VoiceSettings(), home, {"COMPANION_MODEL": str(elsewhere / "empty")}, repo=repo)
    broken = make_vosk(elsewhere / EN, skip=("conf/mfcc.conf",))
    with pytest.raises(ModelMissing, match=r"missing conf/mfcc\.conf"):
        choose(VoiceSettings(model=broken), home, {}, repo=repo)
    with pytest.raises(UsageError, match="Unknown engine"):
        choose(VoiceSettings(engine="siri"), home, {}, repo=repo)


def test_explicit_non_english_model_is_used_as_asked(places, caplog):
    home, repo, elsewhere = places
    korean = make_vosk(elsewhere / "model")
    (korean / "README").write_text("Small Korean for Vosk\n")
    choice = choose(VoiceSettings(model=korean), home, {}, repo=repo, installed=everything)
    assert choice.engine == "vosk" and choice.model.language == "ko"
    assert "may not be English" in caplog.text


def test_describe_models_lists_everything_and_the_choice(places):
    home, repo, _ = places
    make_vosk(home / "models" / EN)
    make_vosk(repo / "vosk-model-small-de-0.15", skip=("am/final.mdl",))
    report = describe_models(home, {}, repo=repo, installed=nothing_optional)
    assert [(m["language"], m["usable"]) for m in report["models"]] == [("de", False),
                                                                        ("en", True)]
    assert report["auto"]["engine"] == "vosk" and report["problem"] is None
    assert [s["source"] for s in report["searched"]] == ["models/", "home"]


# -- download ----------------------------------------------------------------------------------

def model_zip(name: str = EN, skip: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for f in VOSK_FILES:
            if f not in skip:
                zf.writestr(f"{name}/{f}", b"model data " * 100)
    return buffer.getvalue()


class Served(io.BytesIO):
    """An HTTP response stand-in: a length, and optionally a connection that drops."""

    def __init__(self, data: bytes, length: int | None = None, fail_after: int | None = None):
        super().__init__(data[:fail_after] if fail_after is not None else data)
        self.length = len(data) if length is None else length
        self.fail_after = fail_after

    def read(self, size=-1):
        block = super().read(size)
        if not block and self.fail_after is not None:
            raise ConnectionResetError(104, "Connection reset by peer")
        return block


def serve(data: bytes, **kw):
    return lambda url: Served(data, **kw)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_verifies_and_unpacks(tmp_path):
    data = model_zip()
    progress = io.StringIO()
    folder = download.download_model(tmp_path, opener=serve(data), sha256=sha(data),
                                     progress=progress)
    assert folder == tmp_path / EN and inspect(folder, "x").usable
    assert leftovers(tmp_path) == [EN]  # no archive or staging folder left behind
    assert "100%" in progress.getvalue()
    # already there: nothing fetched again
    assert download.download_model(tmp_path, opener=None, sha256="unused") == folder


def test_force_replaces_an_incomplete_model(tmp_path):
    make_vosk(tmp_path / EN, skip=("am/final.mdl",))
    data = model_zip()
    download.download_model(tmp_path, opener=serve(data), sha256=sha(data), force=True)
    assert inspect(tmp_path / EN, "x").usable and leftovers(tmp_path) == [EN]


def test_checksum_mismatch_installs_nothing(tmp_path):
    with pytest.raises(DownloadError, match="did not verify"):
        download.download_model(tmp_path, opener=serve(model_zip()), sha256="0" * 64)
    assert leftovers(tmp_path) == []


def test_interrupted_download_installs_nothing(tmp_path):
    data = model_zip()
    with pytest.raises(DownloadError, match="stopped after"):
        download.download_model(tmp_path, opener=serve(data, fail_after=len(data) // 2),
                                sha256=sha(data))
    with pytest.raises(DownloadError, match="stopped after .* of "):
        short = Served(data[: len(data) // 2], length=len(data))
        download.download_model(tmp_path, opener=lambda url: short, sha256=sha(data))
    assert leftovers(tmp_path) == []


def test_offline_says_what_to_do(tmp_path):
    def offline(url):
        raise OSError("[Errno -3] Temporary failure in name resolution")

    with pytest.raises(DownloadError, match=r"Could not download.*--from FILE\.zip"):
        download.download_model(tmp_path, opener=offline)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("data, message", [
    (b"<html>not found</html>", "not a zip archive"),
    (model_zip(skip=("am/final.mdl",)), r"missing am/final\.mdl"),
    (model_zip(name="something-else"), "does not hold a complete"),
])
def test_archives_that_are_not_the_model(tmp_path, data, message):
    with pytest.raises(DownloadError, match=message):
        download.download_model(tmp_path, opener=serve(data), sha256=sha(data))
    assert leftovers(tmp_path) == []


def test_unsafe_archive_paths_are_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("../escape.txt", b"x")
    data = buffer.getvalue()
    with pytest.raises(DownloadError, match="unsafe path"):
        download.download_model(tmp_path / "models", opener=serve(data), sha256=sha(data))
    assert not (tmp_path / "escape.txt").exists()


# -- more model choice: the catalogue of downloads ---------------------------------------------

def test_the_catalogue_offers_small_and_large_models_of_both_engines():
    table = downloads()
    assert list(table) == ["vosk-small", "vosk-large", "whisper-base", "whisper-base-multi",
                           "whisper-small"]
    assert table["vosk-small"].name == EN and table["vosk-small"].archive
    assert table["vosk-large"].name == "vosk-model-en-us-0.22-lgraph"
    assert [table[k].name for k in ("whisper-base", "whisper-base-multi", "whisper-small")] == [
        "faster-whisper-base.en", "faster-whisper-base", "faster-whisper-small.en"]
    assert table["vosk-small"].size < table["vosk-large"].size  # the large one is larger
    assert table["whisper-base"].size < table["whisper-small"].size


@pytest.mark.parametrize("key", ["vosk-small", "vosk-large", "whisper-base", "whisper-small"])
def test_every_download_comes_from_its_official_place_pinned(key, tmp_path):
    model = downloads()[key]
    for part in model.parts:
        if model.engine == "vosk":
            assert part.url == f"https://alphacephei.com/vosk/models/{model.name}.zip"
        else:  # Systran's conversion at one fixed commit, so the checksums can never drift
            prefix = f"https://huggingface.co/Systran/{model.name}/resolve/"
            assert part.url.startswith(prefix) and part.url.endswith("/" + part.name)
            assert len(part.url[len(prefix):].split("/")[0]) == 40
    if model.engine == "whisper":  # the files it fetches make a usable folder
        for part in model.parts:
            (tmp_path / part.name).write_bytes(b"x")
        assert whisper_missing(tmp_path) == ()


def test_a_download_is_found_by_key_or_by_folder_name():
    assert find_download("vosk-large") == find_download("vosk-model-en-us-0.22-lgraph")
    assert find_download("vosk-large").engine == "vosk"
    assert find_download("whisper-small").parts[0].name == "model.bin"
    assert find_download("siri") is None


@pytest.mark.parametrize("entry, message", [
    ({"key": "k", "name": "n", "engine": "kaldi", "url": "u", "bytes": 1, "sha256": "0" * 64},
     "engine must be"),
    ({"key": "k", "name": "n", "engine": "vosk", "url": "u", "bytes": 1, "sha256": "abc"},
     "sha256"),
    ({"key": "k", "name": "n", "engine": "vosk", "url": "u", "bytes": 0, "sha256": "0" * 64},
     "bytes"),
    ({"key": "k", "name": "n", "engine": "vosk", "url": "u", "bytes": 1, "sha256": "0" * 64,
      "checksum": "trust me"}, "unknown key"),
    ({"key": "k", "name": "n", "engine": "whisper", "url": "u/",
      "files": [{"name": "model.bin", "bytes": 1}]}, "sha256"),
])
def test_a_malformed_catalogue_entry_is_refused(entry, message):
    with pytest.raises(DataError, match=message):
        _download(entry, "test")


WHISPER_FILES = {"model.bin": b"weights " * 300, "config.json": b'{"x": 1}',
                 "tokenizer.json": b'{"tokens": []}', "vocabulary.txt": b"a\nb\n"}


def whisper_download(files=WHISPER_FILES, url="https://example.invalid/model/", **changed):
    """A Whisper download whose parts are `files` (with their real sizes and SHA-256)."""
    parts = tuple(Part(url + name, len(data), sha(data), name) for name, data in files.items())
    fields = {"key": "whisper-test", "name": "faster-whisper-test.en", "engine": "whisper",
              "about": "test", "parts": parts} | changed
    return Download(**fields)


class Files:
    """An opener serving named files (by the last part of the URL); records what was asked."""

    def __init__(self, files):
        self.files, self.asked = files, []

    def __call__(self, url):
        self.asked.append(url)
        name = url.rsplit("/", 1)[-1]
        if name not in self.files:
            raise OSError(f"404 {name}")
        return Served(self.files[name])


def test_a_whisper_model_is_fetched_file_by_file_verified_and_installed(tmp_path):
    progress = io.StringIO()
    model = whisper_download()
    folder = download.install(model, tmp_path, opener=Files(WHISPER_FILES), progress=progress)
    assert folder == tmp_path / model.name and leftovers(tmp_path) == [model.name]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == WHISPER_FILES
    info = inspect(folder, "models/")
    assert (info.engine, info.language, info.usable) == ("whisper", "en", True)
    assert "model.bin" in progress.getvalue() and "100%" in progress.getvalue()
    again = Files(WHISPER_FILES)
    assert download.install(model, tmp_path, opener=again) == folder and again.asked == []


@pytest.mark.parametrize("served, message", [
    ({**WHISPER_FILES, "config.json": b'{"x": 2}'}, r"config\.json did not verify \(SHA-256"),
    ({**WHISPER_FILES, "vocabulary.txt": b"a\nb\nc\n"}, r"vocabulary\.txt did not verify \(6"),
    ({k: v for k, v in WHISPER_FILES.items() if k != "tokenizer.json"}, "404 tokenizer.json"),
])
def test_one_bad_file_installs_nothing_of_the_whisper_model(tmp_path, served, message):
    with pytest.raises(DownloadError, match=message):
        download.install(whisper_download(), tmp_path, opener=Files(served))
    assert leftovers(tmp_path) == []


def test_a_whisper_download_without_the_needed_files_is_refused(tmp_path):
    partial = {k: v for k, v in WHISPER_FILES.items() if k != "config.json"}
    with pytest.raises(DownloadError, match=r"not hold a complete .* \(missing config\.json\)"):
        download.install(whisper_download(partial), tmp_path, opener=Files(partial))
    assert leftovers(tmp_path) == []


def test_a_whisper_model_from_a_folder_copied_from_another_computer(tmp_path):
    copied = tmp_path / "usb-stick"
    copied.mkdir()
    for name, data in WHISPER_FILES.items():
        (copied / name).write_bytes(data)
    folder = download.install(whisper_download(), tmp_path / "models", source=copied)
    assert inspect(folder, "x").usable
    (copied / "model.bin").write_bytes(b"tampered")
    with pytest.raises(DownloadError, match=r"model\.bin did not verify"):
        download.install(whisper_download(), tmp_path / "other", source=copied)


def test_the_larger_vosk_archive_is_checked_for_its_exact_size(tmp_path):
    data = model_zip("vosk-model-en-us-0.22-lgraph")
    right = Download("vosk-large", "vosk-model-en-us-0.22-lgraph", "vosk", "test",
                     (Part("https://example.invalid/l.zip", len(data), sha(data)),))
    wrong = Download("vosk-large", right.name, "vosk", "test",
                     (Part("https://example.invalid/l.zip", len(data) + 1, sha(data)),))
    with pytest.raises(DownloadError, match=r"file did not verify \(\d[\d,]* bytes, expected"):
        download.install(wrong, tmp_path, opener=serve(data, length=len(data)))
    assert leftovers(tmp_path) == []
    folder = download.install(right, tmp_path, opener=serve(data))
    assert inspect(folder, "x").language == "en" and leftovers(tmp_path) == [right.name]


def test_the_offline_message_names_the_model_to_fetch_elsewhere(tmp_path):
    def offline(url):
        raise OSError("[Errno -3] Temporary failure in name resolution")

    with pytest.raises(DownloadError, match=r"--name whisper-test --from FOLDER"):
        download.install(whisper_download(), tmp_path, opener=offline)
    large = downloads()["vosk-large"]
    with pytest.raises(DownloadError, match=r"lgraph\.zip and run .*--name vosk-large --from"):
        download.install(large, tmp_path, opener=offline)


def test_the_larger_of_two_models_in_one_folder_is_used(places):
    home, repo, _ = places
    small = make_vosk(repo / EN)
    large = make_vosk(repo / "vosk-model-en-us-0.22-lgraph")
    (large / "am" / "final.mdl").write_bytes(b"x" * 1000)
    assert choose(VoiceSettings(), home, {}, repo=repo).model.path == large
    (small / "am" / "final.mdl").write_bytes(b"x" * 2000)  # whichever is larger
    assert choose(VoiceSettings(), home, {}, repo=repo).model.path == small
    tiny, better = make_whisper(repo / "w-tiny"), make_whisper(repo / "faster-whisper-small.en")
    (better / "model.bin").write_bytes(b"x" * 100)
    chosen = choose(VoiceSettings(engine="whisper"), home, {}, repo=repo, installed=everything)
    assert chosen.model.path == better and tiny.exists()


def test_model_list_says_what_can_be_downloaded_and_what_is_installed(places):
    home, repo, _ = places
    make_vosk(repo / "vosk-model-en-us-0.22-lgraph")
    report = describe_models(home, {}, repo=repo, installed=nothing_optional)
    offered = {d["key"]: d for d in report["downloads"]}
    assert list(offered) == ["vosk-small", "vosk-large", "whisper-base",
                             "whisper-base-multi", "whisper-small"]
    assert offered["vosk-large"]["installed"] and not offered["vosk-small"]["installed"]
    assert offered["whisper-small"]["bytes"] == downloads()["whisper-small"].size
