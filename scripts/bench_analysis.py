"""Times companion.understand.analysis: cold first call, warm per-answer latency, long input, CLI start-up."""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the CLI does
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
sys.path.insert(0, str(ROOT))


def _rows() -> list[tuple[str, str]]:
    rows = []
    for name in ("utterances.jsonl", "utterances_hard.jsonl", "utterances_blind.jsonl",
                 "utterances_blind2.jsonl"):
        with open(DATA / name, encoding="utf-8") as fh:
            rows += [(r["text"], r["kind"]) for r in map(json.loads, fh) if r]
    return rows


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def cold_first_call() -> float:
    """Import plus the first analysis (vocabularies loaded and compiled)."""
    start = time.perf_counter()
    from companion.understand import analysis

    for kind in ("emotions", "urges", "skills", "command", "yesno", "intensity"):
        analysis.analyze("i'm so angry", kind)
    return time.perf_counter() - start


def warm(rows: list[tuple[str, str]], rounds: int = 5) -> list[float]:
    """Per-answer times, texts made unique per round so no cache flatters the numbers."""
    from companion.understand import analysis

    times = []
    for r in range(rounds):
        for text, kind in rows:
            text = f"{text} {'um ' * r}".strip()
            start = time.perf_counter()
            analysis.analyze(text, kind)
            times.append(time.perf_counter() - start)
    return times


def long_input() -> float:
    from companion.understand import analysis

    text = ("so yeah i was really angry at my mom and then i went to my room " * 160)[:10_000]
    start = time.perf_counter()
    analysis.analyze(text, "emotions")
    return time.perf_counter() - start


def cli_startup() -> str:
    if importlib.util.find_spec("companion.cli.main") is None:
        return "cli not available"
    cmd = [sys.executable, "-m", "companion", "analyze", "--as", "emotions", "i'm so angry"]
    start = time.perf_counter()
    done = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        return f"cli not available (exit {done.returncode}: {done.stderr.strip()[-200:]})"
    return f"{_ms(elapsed)}  -> {done.stdout.strip()}"


def semantic(rows: list[tuple[str, str]]) -> None:
    """Load time of the semantic layer and per-answer time of rules + semantic."""
    from companion.errors import CompanionError
    from companion.understand import analysis
    from companion.understand.semantic import Semantic

    start = time.perf_counter()
    try:
        layer = Semantic.load()
    except (CompanionError, ImportError, OSError, ValueError) as exc:  # reported, not fatal
        print(f"semantic layer unavailable: {exc}")
        return
    print(f"semantic layer load (encoder + {len(layer.groups)} exemplars): "
          f"{_ms(time.perf_counter() - start)}")
    times = []
    for text, kind in rows[:400]:
        start = time.perf_counter()
        analysis.understand(text, kind, layer)
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"rules + semantic per answer over {len(times)}: median {_ms(statistics.median(times))}, "
          f"p99 {_ms(times[int(len(times) * 0.99) - 1])}, max {_ms(times[-1])}")
    times = []
    for text, kind in rows[:400]:  # a voice answer: by sound (one espeak-ng run), rules, meaning
        start = time.perf_counter()
        analysis.understand(f"{text} um", kind, layer, heard=True)
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"heard answer (sound + rules + semantic) over {len(times)}: median "
          f"{_ms(statistics.median(times))}, p99 {_ms(times[int(len(times) * 0.99) - 1])}, "
          f"max {_ms(times[-1])}")


def main() -> int:
    rows = _rows()
    print(f"cold first call (import + vocab load): {_ms(cold_first_call())}")
    times = sorted(warm(rows))
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"warm per answer over {len(times)} analyses: median {_ms(statistics.median(times))}, "
          f"p99 {_ms(p99)}, max {_ms(times[-1])}")
    print(f"10,000-character answer: {_ms(long_input())}")
    print(f"`python -m companion analyze --as emotions \"i'm so angry\"` start-up: {cli_startup()}")
    semantic(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
