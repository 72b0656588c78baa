"""The model download through the real urllib opener, against a local HTTP server.

No test may reach the internet, so a server on 127.0.0.1 plays the model site: the real request,
headers, Content-Length, progress, a 404 and a connection that drops half-way.
"""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from companion.errors import DownloadError
from companion.voice import download
from companion.voice.model_files import Download, Part
from companion.voice.models import inspect
from tests.voice.test_models import EN, WHISPER_FILES, leftovers, model_zip, sha, whisper_download

DATA = model_zip()
LARGE = model_zip("vosk-model-en-us-0.22-lgraph")
PAGES = {"/model.zip": DATA, "/large.zip": LARGE,
         **{f"/whisper/{name}": data for name, data in WHISPER_FILES.items()},
         **{f"/broken/{name}": data for name, data in WHISPER_FILES.items()
            if name != "vocabulary.txt"}}
"""What the pretend model site serves (path: bytes)."""


class Site(BaseHTTPRequestHandler):
    """PAGES whole; /half.zip promises all of DATA, sends half and hangs up; else 404."""

    def do_GET(self):  # the http.server API names it so
        Site.user_agents.append(self.headers.get("User-Agent"))
        Site.paths.append(self.path)
        body = PAGES.get(self.path, DATA if self.path == "/half.zip" else None)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body if self.path != "/half.zip" else body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass

    user_agents: ClassVar[list[str | None]] = []
    paths: ClassVar[list[str]] = []


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_download_over_http_verifies_unpacks_and_shows_progress(site, tmp_path):
    progress = io.StringIO()
    folder = download.download_model(tmp_path, url=f"{site}/model.zip", sha256=sha(DATA),
                                     progress=progress)
    assert folder == tmp_path / EN and inspect(folder, "x").usable
    assert leftovers(tmp_path) == [EN]
    assert "100%" in progress.getvalue()
    assert Site.user_agents[-1] == "companion-model-download"


def test_a_missing_file_on_the_server_is_one_clear_message(site, tmp_path):
    with pytest.raises(DownloadError, match=r"Could not download the speech model \(Not Found\)"):
        download.download_model(tmp_path, url=f"{site}/gone.zip", sha256=sha(DATA))
    assert leftovers(tmp_path) == []


def test_a_connection_dropped_half_way_installs_nothing(site, tmp_path):
    with pytest.raises(DownloadError, match="The download stopped after"):
        download.download_model(tmp_path, url=f"{site}/half.zip", sha256=sha(DATA))
    assert leftovers(tmp_path) == []


def test_nothing_listening_is_the_offline_message(tmp_path):
    with ThreadingHTTPServer(("127.0.0.1", 0), Site) as closed:
        port = closed.server_address[1]  # bound, then closed: nobody answers there
    with pytest.raises(DownloadError, match="Check the internet connection"):
        download.download_model(tmp_path, url=f"http://127.0.0.1:{port}/model.zip",
                                sha256=sha(DATA))
    assert leftovers(tmp_path) == []


# -- the other models: the larger Vosk archive, and Whisper models file by file ----------------

def test_the_larger_vosk_model_over_http_is_verified_by_size_and_checksum(site, tmp_path):
    large = Download("vosk-large", "vosk-model-en-us-0.22-lgraph", "vosk", "test",
                     (Part(f"{site}/large.zip", len(LARGE), sha(LARGE)),))
    folder = download.install(large, tmp_path, progress=io.StringIO())
    assert inspect(folder, "x").usable and leftovers(tmp_path) == [large.name]


def test_a_whisper_model_over_http_file_by_file(site, tmp_path):
    progress = io.StringIO()
    model = whisper_download(url=f"{site}/whisper/")
    folder = download.install(model, tmp_path, progress=progress)
    assert inspect(folder, "x").engine == "whisper" and inspect(folder, "x").usable
    assert leftovers(tmp_path) == [model.name]
    assert Site.paths[-4:] == [f"/whisper/{name}" for name in WHISPER_FILES]
    shown = progress.getvalue()
    assert all(name in shown for name in WHISPER_FILES) and shown.count("100%") == 4


def test_one_missing_whisper_file_on_the_server_installs_nothing(site, tmp_path):
    with pytest.raises(DownloadError, match=r"\(Not Found\).*--from FOLDER"):
        download.install(whisper_download(url=f"{site}/broken/"), tmp_path)
    assert leftovers(tmp_path) == []
