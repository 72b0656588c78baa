#!/usr/bin/env python3
"""Time `history` and `progress` over a generated journal of 1,000 sessions (target: well < 1 s).

Usage: .venv/bin/python scripts/bench_journal.py [--sessions N] [--repeat R]
Writes only inside a temporary COMPANION_HOME, removed afterwards.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from companion.cli.main import main
from companion.dialog import worksheet
from companion.dialog.session import new_record
from companion.dialog.summary import build_summary, suggest_skills
from companion.journal.history import Journal
from companion.journal.store import SessionStore

EMOTIONS = ["sadness", "anger", "fear", "shame", "guilt", "jealousy"]
URGES = ["self_harm", "substance_use", "isolation", "aggression", "disordered_eating"]
SKILLS = ["tipp", "stop", "self_soothe", "accepts", "opposite_action", "wise_mind", "dear_man"]


def answer(kind: str, text: str, **understood) -> dict:
    return {"prompt": "?", "kind": kind, "text": text, "skipped": False, "source": "typed",
            **understood}


def fake_record(rng: random.Random, sheet, sid: str, when: datetime) -> dict:
    record = new_record(sheet, sid, when, "typed")
    urges = rng.sample(URGES, rng.randint(0, 2))
    skills = rng.sample(SKILLS, rng.randint(0, 3))
    record["answers"] = {
        "situation": answer("free", "something hard happened " * rng.randint(1, 8)),
        "emotions": answer("emotions", "feelings", emotions=rng.sample(EMOTIONS, 2)),
        "intensity": answer("intensity", "n", intensity=rng.randint(2, 10)),
        "urges": answer("urges", "urges", urges=urges),
        "skills_tried": answer("skills", "skills", skills=skills),
        "goal": answer("free", "get through tonight"),
        "backup": answer("free", "a walk and a shower"),
    }
    if urges:
        record["answers"]["urge_intensity"] = answer("intensity", "n", intensity=rng.randint(0, 9))
    record["summary"] = build_summary(record["answers"])
    record["suggested_skills"] = suggest_skills(record["answers"])
    complete = rng.random() < 0.8
    record.update(complete=complete, status="complete" if complete else "interrupted")
    if rng.random() < 0.4:
        used = rng.sample(SKILLS, rng.randint(1, 3))
        record["reflection"] = {
            "complete": True, "status": "complete", "skills": used,
            "helped": {s: rng.randint(0, 10) for s in used},
            "urges": {u: {"acted": rng.random() < 0.3, "text": "x"} for u in urges or ["any"]},
            "remember": "breathe first", "answers": {}}
    return record


def generate(home: Path, count: int) -> None:
    rng, sheet, store = random.Random(5), worksheet.load_default(), SessionStore(home)
    start = datetime(2025, 1, 1, 20, tzinfo=UTC)
    for i in range(count):
        when = start + timedelta(hours=17 * i + rng.randint(0, 5))
        store.save(fake_record(rng, sheet, f"{i:06x}", when))


def time_subprocess(argv: list[str], env: dict[str, str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "companion", *argv], cwd=REPO, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - began)
    return times


def time_in_process(argv: list[str], env: dict[str, str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        out, err = io.StringIO(), io.StringIO()
        began = time.perf_counter()
        code = main(argv, env=env, stdin=io.BytesIO(), stdout=out, stderr=err)
        times.append(time.perf_counter() - began)
        if code != 0:
            raise SystemExit(f"companion {' '.join(argv)} failed: {err.getvalue()}")
    return times


def main_bench() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="companion-bench-") as tmp:
        home = Path(tmp) / "home"
        env = dict(os.environ, COMPANION_HOME=str(home))
        began = time.perf_counter()
        generate(home, args.sessions)
        print(f"generated {args.sessions} sessions in {time.perf_counter() - began:.2f} s "
              f"({sum(p.stat().st_size for p in (home / 'sessions').iterdir()) / 1e6:.1f} MB)")
        began = time.perf_counter()
        loaded = len(Journal(home).records())
        print(f"Journal.records(): {loaded} records in {time.perf_counter() - began:.3f} s\n")
        print(f"{'command':<22}{'subprocess median':>19}{'min':>8}{'in-process median':>20}"
              f"{'min':>8}")
        for argv in (["history"], ["history", "--json"], ["progress"], ["progress", "--json"],
                     ["--help"]):
            sub = time_subprocess(argv, env, args.repeat)
            inproc = time_in_process(argv, env, args.repeat) if argv != ["--help"] else [0.0]
            print(f"{' '.join(argv):<22}{statistics.median(sub):>18.3f}s{min(sub):>7.3f}s"
                  f"{statistics.median(inproc):>19.3f}s{min(inproc):>7.3f}s")
    print("\n(--help is the start-up cost of Python and the CLI alone, for comparison.)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main_bench())
