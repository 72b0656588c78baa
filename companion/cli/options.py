"""Options shared by several commands, checked once into frozen settings; the clock commands use."""

from __future__ import annotations

from argparse import BooleanOptionalAction, Namespace
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from companion.errors import UsageError
from companion.settings import PrepareSettings, VoiceSettings
from companion.voice.models import ENGINES


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
    voice.add_argument("--engine", choices=ENGINES, default="auto",
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
    add_denoise_option(voice)


def add_denoise_option(p: Any) -> None:
    """--denoise / --no-denoise (default: COMPANION_DENOISE, else VoiceSettings.denoise)."""
    default = "on" if VoiceSettings.denoise else "off"
    p.add_argument("--denoise", action=BooleanOptionalAction, default=None,
                   help="turn steady background noise down before Whisper hears an answer "
                   f"(default: COMPANION_DENOISE=1 or 0, else {default})")


def denoise_from(flag: bool | None, env: Mapping[str, str]) -> bool:
    """The --denoise flag, else COMPANION_DENOISE (1/0, on/off, yes/no), else the default."""
    if flag is not None:
        return flag
    value = env.get("COMPANION_DENOISE", "").strip().lower()
    if value in ("1", "on", "yes", "true"):
        return True
    if value in ("0", "off", "no", "false"):
        return False
    if value:
        raise UsageError(f"COMPANION_DENOISE must be 1 or 0, not {value!r}.")
    return VoiceSettings.denoise


def settings_from(args: Namespace, ctx: Any) -> PrepareSettings:
    """Frozen settings from the command line (values checked here, once)."""
    return PrepareSettings(home=ctx.home, worksheet=args.worksheet, json=args.json,
                           voice=voice_from(args, ctx.env))


def voice_from(args: Namespace, env: Mapping[str, str]) -> VoiceSettings:
    """The voice options (see add_voice_options) and COMPANION_DENOISE from `env`, checked."""
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
        audio_in=tuple(args.audio_in or ()), fast=args.fast,
        denoise=denoise_from(args.denoise, env))


def now() -> datetime:
    """The local time, with its offset."""
    return datetime.now().astimezone()
