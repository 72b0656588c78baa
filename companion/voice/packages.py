"""Model files that installed Python packages hold, found without importing the packages and
read as one file when split across several (`companion model download --from-packages`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Self

from companion.errors import DownloadError

PACKAGE_SEPARATOR = "|"


class Joined:
    """Several local files read as one, in order (a model file split across packages)."""

    def __init__(self, paths: list[Path]) -> None:
        self._paths = list(paths)
        self.length = sum(p.stat().st_size for p in self._paths)
        self._open: IO[bytes] | None = None

    def read(self, size: int = -1) -> bytes:
        while self._paths or self._open is not None:
            if self._open is None:
                self._open = open(self._paths.pop(0), "rb")  # noqa: SIM115 - closed below
            block = self._open.read(size)
            if block:
                return block
            self._open.close()
            self._open = None
        return b""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._open is not None:
            self._open.close()


def package_file(where: str, locate: Callable[[str], Path | None] | None = None) -> Path:
    """The file at "package/path/in/it" of an installed package (found without importing it);
    OSError when the package or the file is not there."""
    package, _, inside = where.partition("/")
    root = (locate or package_root)(package)
    if root is None:
        raise FileNotFoundError(f"the Python package {package} is not installed")
    path = root / inside
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing")
    return path


def package_root(package: str) -> Path | None:
    """An installed package's folder, without running its code; None if not installed."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    places = list(spec.submodule_search_locations or []) if spec else []
    return Path(places[0]) if places else None


def packages_opener(locate: Callable[[str], Path | None] | None = None) -> Callable[[str], Any]:
    """An opener for a part's `packages` list (joined by PACKAGE_SEPARATOR): its files joined."""
    def opener(spec: str) -> Joined:
        wheres = spec.split(PACKAGE_SEPARATOR)
        try:
            return Joined([package_file(w, locate) for w in wheres])
        except OSError as exc:
            names = " ".join(dict.fromkeys(w.split("/")[0].replace("_", "-") for w in wheres))
            raise DownloadError(f"Cannot read the model from Python packages ({exc}). "
                                f"Install them with `pip install {names}` and try again.") from exc
    return opener
