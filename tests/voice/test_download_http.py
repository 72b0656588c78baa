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
from companion.voice.models import inspect
from tests.voice.test_models import EN, leftovers, model_zip, sha

DATA = model_zip()


class Site(BaseHTTPRequestHandler):
    """/model.zip whole; /half.zip promises all of it, sends half and hangs up; else 404."""

    def do_GET(self):  # the http.server API names it so
        Site.user_agents.append(self.headers.get("User-Agent"))
        if self.path not in ("/model.zip", "/half.zip"):
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(DATA)))
        self.end_headers()
        self.wfile.write(DATA if self.path == "/model.zip" else DATA[: len(DATA) // 2])
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass

    user_agents: ClassVar[list[str | None]] = []


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
