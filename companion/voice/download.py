"""Downloads the small English Vosk model, checks its SHA-256, and unpacks it atomically."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any, TextIO

from companion.errors import DownloadError

log = logging.getLogger(__name__)

MODEL_NAME = "vosk-model-small-en-us-0.15"
MODEL_URL = f"https://alphacephei.com/vosk/models/{MODEL_NAME}.zip"
MODEL_SHA256 = "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"
BLOCK = 64 * 1024
TIMEOUT = 30.0
"""Seconds without data before the download gives up."""

Opener = Callable[[str], Any]
"""url -> a readable file-like object; its `length` attribute (bytes) is used when present."""


def url_opener(url: str) -> Any:
    """The one network call in companion: an HTTPS GET of the model archive."""
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "companion-model-download"})
    return urllib.request.urlopen(request, timeout=TIMEOUT)


def file_opener(url: str) -> Any:
    """Opens a local archive (`--from FILE`) the same way."""
    try:
        handle = open(url, "rb")  # noqa: SIM115 - closed by the caller
    except OSError as exc:
        raise DownloadError(f"Cannot read {url}: {exc.strerror or exc}.") from exc
    handle.length = os.fstat(handle.fileno()).st_size  # type: ignore[attr-defined]
    return handle


def download_model(target: Path, *, url: str = MODEL_URL, sha256: str = MODEL_SHA256,
                   name: str = MODEL_NAME, opener: Opener = url_opener,
                   progress: TextIO | None = None, force: bool = False) -> Path:
    """Fetch, verify and unpack the model into target/name; returns that folder.

    Nothing is left behind on failure: the archive and the unpacked files live in temporary
    names beside the target until the final os.replace.
    """
    from companion.voice.model_files import vosk_missing

    final = Path(target) / name
    if final.exists() and not force and not vosk_missing(final):
        log.info("%s is already installed", final)
        return final
    try:
        Path(target).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"Cannot create {target}: {exc.strerror or exc}.") from exc
    handle, name_ = tempfile.mkstemp(prefix=".download-", suffix=".zip", dir=target)
    os.close(handle)
    archive = Path(name_)
    try:
        _fetch(url, archive, sha256, opener, progress)
        _install(archive, final, name)
    finally:
        archive.unlink(missing_ok=True)
    return final


def _fetch(url: str, archive: Path, sha256: str, opener: Opener,
           progress: TextIO | None) -> None:
    try:
        source = opener(url)
    except OSError as exc:  # URLError, socket.timeout and missing files are all OSErrors
        raise DownloadError(_offline(url, exc)) from exc
    digest = hashlib.sha256()
    total = _length(source)
    received = 0
    bar = ProgressBar(progress, total)
    try:
        with source, open(archive, "wb") as out:
            while block := source.read(BLOCK):
                digest.update(block)
                out.write(block)
                received += len(block)
                bar.update(received)
    except OSError as exc:
        raise DownloadError(f"The download stopped after {_mb(received)}: {_reason(exc)}. "
                            "Nothing was installed; run `companion model download` again.") from exc
    finally:
        bar.close()
    if total is not None and received < total:
        raise DownloadError(f"The download stopped after {_mb(received)} of {_mb(total)}. "
                            "Nothing was installed; run `companion model download` again.")
    if digest.hexdigest() != sha256.lower():
        raise DownloadError(
            f"The downloaded file did not verify (SHA-256 {digest.hexdigest()}, expected "
            f"{sha256}). It may be damaged or not the official model; nothing was installed. "
            "Try again later.")


def _install(archive: Path, final: Path, name: str) -> None:
    from companion.voice.model_files import vosk_missing

    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=final.parent))
    try:
        _unzip(archive, staging)
        unpacked = staging / name
        missing = vosk_missing(unpacked)
        if missing:
            raise DownloadError(f"The archive does not hold a complete {name} model (missing "
                                f"{', '.join(missing)}); nothing was installed.")
        _swap_in(unpacked, final, staging / ".old")
    except OSError as exc:
        raise DownloadError(f"Could not unpack the model into {final.parent}: "
                            f"{exc.strerror or exc}.") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_in(new: Path, final: Path, old: Path) -> None:
    """Put `new` at `final`; an existing copy is set aside and comes back if that fails."""
    if not final.exists():
        os.replace(new, final)
        return
    os.replace(final, old)
    try:
        os.replace(new, final)
    except OSError:
        os.replace(old, final)
        raise


def _unzip(archive: Path, into: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in zf.infolist():
                parts = PurePosixPath(member.filename).parts
                if member.filename.startswith("/") or ".." in parts:
                    raise DownloadError(f"The archive has an unsafe path: {member.filename}")
            zf.extractall(into)
    except zipfile.BadZipFile as exc:
        raise DownloadError(f"The downloaded file is not a zip archive ({exc}).") from exc


def _length(source: Any) -> int | None:
    length = getattr(source, "length", None)
    if length is None:
        headers = getattr(source, "headers", None)
        length = headers.get("Content-Length") if headers is not None else None
    try:
        return int(length) if length is not None else None
    except (TypeError, ValueError):
        return None


def _offline(url: str, exc: OSError) -> str:
    return (f"Could not download the speech model ({_reason(exc)}). Check the internet "
            f"connection and try again. Or, on a computer that is online, download {url} and "
            "run `companion model download --from FILE.zip` here; or use --typed.")


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
    return str(reason) or type(exc).__name__


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


class ProgressBar:
    """`[#####.....]  45%  18.2/40.0 MB` redrawn in place on stderr, at most ten times a second."""

    def __init__(self, stream: IO[str] | None, total: int | None, width: int = 30) -> None:
        self.stream, self.total, self.width = stream, total, width
        self._last = 0.0
        self._drawn = False

    def update(self, received: int) -> None:
        now = time.monotonic()
        if self.stream is None or (now - self._last < 0.1 and received != self.total):
            return
        self._last = now
        if self.total:
            done = min(1.0, received / self.total)
            fill = int(done * self.width)
            line = (f"[{'#' * fill}{'.' * (self.width - fill)}] {done:4.0%}  "
                    f"{received / 1e6:.1f}/{self.total / 1e6:.1f} MB")
        else:
            line = f"downloaded {received / 1e6:.1f} MB"
        self.stream.write("\r" + line)
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self.stream is not None and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
