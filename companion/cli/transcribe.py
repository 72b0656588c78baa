"""`companion transcribe FILE.wav ...`: what the recognizer hears in each file, with timing."""

from __future__ import annotations

import json
import time
from argparse import Namespace, _SubParsersAction
from pathlib import Path
from typing import Any

from companion.dialog.worksheet import PROMPT_KINDS
from companion.errors import AudioFileError


def register(sub: _SubParsersAction) -> None:
    from companion.cli.options import add_denoise_option
    from companion.voice.models import ENGINES

    p = sub.add_parser("transcribe", help="transcribe WAV files offline (with timing)",
                       description="Print what the speech recognizer hears in each WAV file "
                       "(any rate and channel count), how long the audio is, how long "
                       "recognition took and the real-time factor (processing / audio).")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE.wav")
    p.add_argument("--engine", choices=ENGINES, default="auto",
                   help="recognition engine (default: auto)")
    p.add_argument("--model", type=Path, metavar="DIR", help="speech-recognition model folder")
    p.add_argument("--as", dest="kind", choices=PROMPT_KINDS, metavar="KIND",
                   help="treat each file as the answer to a KIND prompt "
                   f"({', '.join(PROMPT_KINDS)}): uses that grammar and shows what is understood")
    p.add_argument("--json", action="store_true", help="one JSON object per file on stdout")
    add_denoise_option(p)
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    from companion.cli.options import denoise_from
    from companion.settings import VoiceSettings
    from companion.voice.models import open_recognizer

    voice = VoiceSettings(engine=args.engine, model=args.model,
                          denoise=denoise_from(args.denoise, ctx.env))
    began = time.perf_counter()
    from companion.understand.analysis import explained

    recognizer = open_recognizer(voice, ctx.home, ctx.env, background=False, scorer=explained)
    load_seconds = time.perf_counter() - began
    if not args.json:
        print(f"{recognizer.engine} model {recognizer.path} loaded in {load_seconds:.2f} s",
              file=ctx.stderr)
    failed = 0
    for path in args.files:
        try:
            result = transcribe_file(recognizer, path, args.kind)
        except AudioFileError as exc:
            failed += 1
            print(f"companion: {exc}", file=ctx.stderr)
            continue
        result["load_seconds"] = round(load_seconds, 3)
        if args.json:
            print(json.dumps(result, ensure_ascii=False), file=ctx.stdout)
        else:
            _print_text(result, ctx.stdout)
        ctx.stdout.flush()
    return AudioFileError.exit_code if failed else 0


def transcribe_file(recognizer: Any, path: Path, kind: str | None) -> dict[str, Any]:
    """Feed one WAV file through `recognizer` in live-sized chunks; the transcript and timing."""
    from companion.audio.pcm import split
    from companion.audio.wavfile import read_wav

    audio = read_wav(path)
    began = time.perf_counter()
    recognizer.start(kind or "free", audio.rate)
    for piece in split(audio):
        recognizer.accept(piece)
    transcript = recognizer.finish()
    seconds = time.perf_counter() - began
    from companion.understand.analysis import detect_crisis
    from companion.voice.listen import with_open_words_if_crisis

    chosen = with_open_words_if_crisis(transcript, detect_crisis)  # as a session would hear it
    result: dict[str, Any] = {
        "file": str(path),
        "text": chosen.text,
        "words": [[w, round(c, 3)] for w, c in chosen.words],
        "engine": transcript.engine,
        "audio_seconds": round(audio.seconds, 3),
        "processing_seconds": round(seconds, 3),
        "real_time_factor": round(seconds / audio.seconds, 3) if audio.seconds else None,
    }
    if transcript.open_text:
        result["grammar_text"] = transcript.text
        result["open_text"] = transcript.open_text
    if kind:
        from companion.understand import analysis
        from companion.understand.semantic import loader

        result["kind"] = kind  # as a session would understand it: by sound, rules and meaning
        understood, layers = analysis.understand(chosen.text, kind, loader().wait(), heard=True)
        result["understood"] = understood.as_dict()
        if layers:
            result["layers"] = layers
    return result


def _print_text(result: dict[str, Any], out: Any) -> None:
    print(f"{result['file']}: {result['text'] or '(nothing heard)'}", file=out)
    if "open_text" in result:
        print(f"  kept for the question: {result['grammar_text'] or '-'}; open dictation's "
              f"best guess: {result['open_text'] or '-'}", file=out)
    print(f"  {result['audio_seconds']:.2f} s of audio, {result['processing_seconds']:.2f} s "
          f"to recognise (real-time factor {result['real_time_factor'] or 0:.2f}), "
          f"{result['engine']}", file=out)
    understood = {k: v for k, v in (result.get("understood") or {}).items()
                  if v not in (None, [], {}, "", False)}
    if understood:
        shown = "; ".join(f"{k}: {_plain(v)}" for k, v in understood.items())
        print(f"  understood as {result['kind']}: {shown}", file=out)


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
