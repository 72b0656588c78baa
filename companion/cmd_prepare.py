"""`companion prepare`: walk the worksheet, then show (and speak) the summary."""

from __future__ import annotations

import json
from argparse import Namespace, _SubParsersAction
from datetime import datetime
from pathlib import Path
from typing import Any

from companion import safety
from companion import worksheet as worksheets
from companion.config import Config, ask_region_once
from companion.console import stdin_is_terminal
from companion.errors import UsageError
from companion.session import run_session
from companion.settings import PrepareSettings, VoiceSettings
from companion.store import SessionStore
from companion.vocabulary import display
from companion.wiring import build_io

EXIT_INCOMPLETE = 3


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("prepare", help="prepare a coaching call (the default command)",
                       description="Walk through the coaching-call worksheet, then show the "
                       "summary to read out on the call.")
    add_session_options(p)
    p.set_defaults(handler=handle)


def add_session_options(p: Any) -> None:
    """Options shared by every command that runs a worksheet session."""
    p.add_argument("--typed", action="store_true", help="answer by typing instead of speaking")
    p.add_argument("--no-speak", action="store_true", help="show prompts without speaking them")
    p.add_argument("--json", action="store_true",
                   help="print the finished session record as JSON on stdout (nothing else)")
    p.add_argument("--worksheet", type=Path, metavar="FILE", help="use your therapist's worksheet")
    add_voice_options(p)


def add_voice_options(p: Any) -> None:
    """How to speak and listen: shared by every command that asks questions."""
    voice = p.add_argument_group("voice")
    voice.add_argument("--engine", choices=("auto", "vosk", "whisper"), default="auto",
                       help="speech recognition engine (default: auto)")
    voice.add_argument("--model", type=Path, metavar="DIR", help="speech model folder")
    voice.add_argument("--input-device", metavar="DEVICE",
                       help="microphone: index or part of its name (see `companion devices`)")
    voice.add_argument("--pause", type=float, default=VoiceSettings.pause, metavar="SECONDS",
                       help="silence that ends an answer, after you start speaking (default 2)")
    voice.add_argument("--audio-in", type=Path, nargs="+", metavar="FILE_OR_DIR",
                       help="WAV files (one per prompt) instead of the microphone")
    voice.add_argument("--fast", action="store_true",
                       help="with --audio-in: feed the files as fast as possible")
    voice.add_argument("--rate", type=int, default=VoiceSettings.rate, metavar="WPM",
                       help="speaking rate in words per minute (default 150)")
    voice.add_argument("--voice", metavar="NAME", help="text-to-speech voice (id, language or name)")
    voice.add_argument("--volume", type=float, default=VoiceSettings.volume, metavar="0-1",
                       help="speech volume from 0 to 1 (default 0.9)")


def settings_from(args: Namespace, ctx: Any) -> PrepareSettings:
    """Frozen settings from the command line (values checked here, once)."""
    return PrepareSettings(home=ctx.home, worksheet=args.worksheet, json=args.json,
                           voice=voice_from(args))


def voice_from(args: Namespace) -> VoiceSettings:
    """The voice options (see add_voice_options), checked."""
    if not 0.5 <= args.pause <= 10:
        raise UsageError("--pause must be between 0.5 and 10 seconds.")
    if not 80 <= args.rate <= 300:
        raise UsageError("--rate must be between 80 and 300 words per minute.")
    if not 0 <= args.volume <= 1:
        raise UsageError("--volume must be between 0 and 1.")
    if args.fast and not args.audio_in:
        raise UsageError("--fast only applies with --audio-in.")
    return VoiceSettings(
        speak=not args.no_speak, listen=not args.typed, rate=args.rate, voice=args.voice,
        volume=args.volume, engine=args.engine, model=args.model,
        input_device=args.input_device, pause=args.pause,
        audio_in=tuple(args.audio_in or ()), fast=args.fast)


def handle(args: Namespace, ctx: Any) -> int:
    settings = settings_from(args, ctx)
    sheet = worksheets.load(settings.worksheet) if settings.worksheet else worksheets.load_default()
    io = build_io(settings.voice, ctx, json_mode=settings.json)
    try:
        io.prompter.say(sheet.title + ". Say or type 'help' at any time.", "info")
        if stdin_is_terminal() and not settings.voice.audio_in:  # never eat a scripted answer
            ask_region_once(Config(settings.home), io.prompter, io.source)
        record = run_session(sheet, source=io.source, prompter=io.prompter,
                             store=SessionStore(settings.home), clock=now,
                             safety=safety.for_home(settings.home, settings.region),
                             mode="voice" if settings.voice.listen else "typed")
        return finish(record, settings, ctx, io.prompter)
    finally:
        io.close()


def now() -> datetime:
    """The local time, with its offset."""
    return datetime.now().astimezone()


def finish(record: dict[str, Any], settings: PrepareSettings, ctx: Any, prompter: Any) -> int:
    """Show the summary and where it was saved; the JSON record goes alone to stdout."""
    if record.get("summary"):
        prompter.say(render_summary(record), "summary")
    if record["complete"]:
        prompter.say(f"Saved to {record['files']['markdown']}", "info")
    else:
        print(f"companion: this session is not finished ({record['status']}); everything you "
              f"said is saved. Continue it later with: companion resume {record['id']}",
              file=ctx.stderr)
    if settings.json:
        print(json.dumps(record, ensure_ascii=False), file=ctx.stdout)
    return 0 if record["complete"] or record["status"] == "stopped" else EXIT_INCOMPLETE


def render_summary(record: dict[str, Any]) -> str:
    """The summary as a block that is easy to read at a glance: one sentence per line."""
    bar = "─" * 60
    lines = ["", bar, "  READ THIS ON YOUR CALL", bar]
    lines += [f"  {s.strip()}" for s in _sentences(record["summary"])]
    if record.get("suggested_skills"):
        lines += ["", "  Skills I could ask about:"]
        lines += [f"   • {display('skills', s)}" for s in record["suggested_skills"]]
    lines.append(bar)
    return "\n".join(lines)


def _sentences(text: str) -> list[str]:
    out, current = [], []
    for word in text.split(" "):
        current.append(word)
        if word.endswith((".", "?", "!")) and not word.endswith("…."):
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out
