"""Scores understanding on labelled sets: rules only, then rules + the semantic layer.

    .venv/bin/python scripts/score_understanding.py tests/data/heldout/utterances_heldout3.jsonl
    .venv/bin/python scripts/score_understanding.py --leave-out tests/data/heldout/*.jsonl

Prints, per set and layer: F1 for emotions/urges/skills, accuracy for ratings, yes/no and
commands, false commands, crisis recall (full response), crisis lines that get any response
(full or the check-in question), full responses and check-ins on the hard negatives (rows whose
note starts "hard negative" or "hardneg"), and `overall`, the mean of the seven per-kind scores (emotions,
urges, skills, intensity, yes/no, commands, crisis lines answered).

--leave-out scores each set with its own lines taken out of the exemplar bank (for sets the bank
was built from: an estimate of how it does on lines it has not seen). A set that was never in the
bank needs no --leave-out. --failures prints every wrong line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the CLI does (threads only contend)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KIND_SCORES = ("emotions_f1", "urges_f1", "skills_f1", "intensity_accuracy", "yesno_accuracy",
               "command_accuracy", "answered")


def _rows(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _outcome(result, text: str) -> str | None:
    """What the client would get from the safety triage (safety/triage.needs, the rule the
    dialog uses): the full safety response (crisis language, or a self-harm or suicide urge
    rated at the policy's level), the check-in question (risk words, a possible crisis, a
    safety urge rated under that level or named with the means at hand), or nothing."""
    from companion.safety.triage import SAFETY_URGES, needs

    found = needs(result, text, set(result.urges) & set(SAFETY_URGES))
    return "check" if found == "check" else "full" if found else None


def score(rows: list[dict], semantic) -> tuple[dict[str, float], list[str]]:
    from companion.understand import analysis
    from tests.understand.test_analysis_corpus import score as corpus_score

    if semantic is None:
        def analyze(text, kind):
            return analysis.analyze(text, kind)
        command = analysis.detect_command
    else:
        def analyze(text, kind):
            return analysis.understand(text, kind, semantic)[0]

        kinds = {r["text"]: r["kind"] for r in rows}

        def command(text):
            return analysis.command_in(text, semantic, kinds.get(text))
    metrics, failures = corpus_score(rows, analyze, command)
    crisis = [r for r in rows if r["expect"]["crisis"]]
    hard = [r for r in rows if not r["expect"]["crisis"]
            and (r.get("note") or "").lower().startswith(("hard negative", "hardneg"))]
    got = {r["text"]: _outcome(analyze(r["text"], r["kind"]), r["text"]) for r in crisis + hard}
    unanswered = [r["text"] for r in crisis if got[r["text"]] is None]
    metrics["answered"] = 1 - len(unanswered) / max(1, len(crisis))
    metrics["crisis_lines"], metrics["hard_negatives"] = len(crisis), len(hard)
    metrics["hard_full"] = sum(got[r["text"]] == "full" for r in hard)
    metrics["hard_checkin"] = sum(got[r["text"]] == "check" for r in hard)
    metrics["overall"] = sum(metrics[k] for k in KIND_SCORES) / len(KIND_SCORES)
    failures += [f"[crisis, no response] {t!r}" for t in unanswered]
    failures += [f"[hard negative, full response] {r['text']!r}" for r in hard
                 if got[r["text"]] == "full"]
    return metrics, failures


def line(name: str, layer: str, m: dict[str, float]) -> str:
    return (f"{name} [{layer}] overall={m['overall']:.3f} emotions={m['emotions_f1']:.3f} "
            f"urges={m['urges_f1']:.3f} skills={m['skills_f1']:.3f} "
            f"(recall {m['skills_recall']:.3f}) intensity={m['intensity_accuracy']:.3f} "
            f"yesno={m['yesno_accuracy']:.3f} commands={m['command_accuracy']:.3f} "
            f"false_commands={m['command_false_positives']} "
            f"crisis_recall={m['crisis_recall']:.3f} answered={m['answered']:.3f} "
            f"({m['crisis_lines']} crisis lines) hard_full={m['hard_full']}/{m['hard_negatives']} "
            f"hard_checkin={m['hard_checkin']}/{m['hard_negatives']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="+")
    parser.add_argument("--leave-out", action="store_true",
                        help="take each set's own lines out of the exemplar bank first")
    parser.add_argument("--failures", action="store_true", help="print every wrong line")
    parser.add_argument("--semantic-only", action="store_true", help="skip the rules-only score")
    args = parser.parse_args()

    from companion.understand.semantic import Semantic

    semantic = Semantic.load()
    for path in args.sets:
        rows = _rows(path)
        name = Path(path).name
        layers = [("rules+semantic", semantic.without(*(r["text"] for r in rows))
                   if args.leave_out else semantic)]
        if not args.semantic_only:
            layers.insert(0, ("rules", None))
        for layer, sem in layers:
            metrics, failures = score(rows, sem)
            print(line(name, layer, metrics), flush=True)
            if args.failures:
                print("\n".join(f"  FAIL {f}" for f in failures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
