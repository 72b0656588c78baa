"""`companion summary [ID]`: the summary to read on the call (the last session's by default)."""

from __future__ import annotations

import json
import time
from argparse import Namespace, _SubParsersAction
from typing import Any

from companion.errors import RecordError, SpeechUnavailable, UsageError
from companion.journal.history import LAST, Journal
from companion.settings import VoiceSettings

CALM_RATE = VoiceSettings.rate
"""Words per minute the summary is read at unless --rate says otherwise."""
GAP = 0.6
"""Seconds of quiet between sentences when the summary is read aloud."""


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("summary", help="show (or speak) a session's summary",
                       description="Show the summary to read out on the call; the last "
                       "session's unless you give an ID (any unique start of it).")
    p.add_argument("id", metavar="ID", nargs="?", default=LAST,
                   help="session id or a unique prefix (default: last)")
    p.add_argument("--speak", action="store_true",
                   help="also read the summary aloud, one sentence at a time")
    p.add_argument("--rate", type=int, default=CALM_RATE, metavar="WPM",
                   help=f"speaking rate in words per minute (default {CALM_RATE})")
    p.add_argument("--gap", type=float, default=GAP, metavar="SECONDS",
                   help=f"quiet between sentences when speaking (default {GAP})")
    p.add_argument("--voice", metavar="NAME", help="text-to-speech voice (id, language or name)")
    p.add_argument("--json", action="store_true", help="print id, summary and skills as JSON")
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    from companion.cli.output import render_summary

    if not 80 <= args.rate <= 300:
        raise UsageError("--rate must be between 80 and 300 words per minute.")
    if not 0 <= args.gap <= 5:
        raise UsageError("--gap must be between 0 and 5 seconds.")
    record = Journal(ctx.home).get(args.id)
    if not record.get("summary"):
        raise RecordError(f"Session {record['id']} has no summary yet: nothing was answered. "
                          f"Continue it with `companion resume {record['id']}`.")
    if args.json:
        data = {key: record.get(key) for key in ("id", "started_at", "complete", "summary",
                                                 "suggested_skills")}
        print(json.dumps(data, ensure_ascii=False), file=ctx.stdout)
    ui = ctx.stderr if args.json else ctx.stdout
    if not args.json or args.speak:
        print(render_summary(record), file=ui)
    if args.speak:
        voice = VoiceSettings(speak=True, listen=False, rate=args.rate, voice=args.voice)
        speak(record["summary"], voice, ctx, ui, gap=args.gap)
    return 0


def speak(summary: str, voice: VoiceSettings, ctx: Any, ui: Any, *, gap: float = GAP,
          sleep: Any = None) -> None:
    """Read the summary one sentence at a time, with `gap` seconds of quiet between them, so it
    is easy to follow and to repeat; if speech cannot start, say why (the text is on screen)."""
    from companion.cli.output import _sentences
    from companion.data import load_data

    make = getattr(ctx, "make_speaker", None)
    if make is None:
        from companion.voice.speech import build_speaker as make
    speaker = None
    try:
        speaker = make(voice)
        for i, sentence in enumerate(_sentences(summary)):
            if i and gap:
                (sleep or time.sleep)(gap)
            speaker.say(sentence)
    except SpeechUnavailable as exc:
        message = load_data("voice.toml")["messages"]["speech_off"]
        print(message.format(reason=exc), file=ui)
    finally:
        getattr(speaker, "close", lambda: None)()
