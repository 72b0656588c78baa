"""`companion model download|list`: install the English speech model; show what is installed."""

from __future__ import annotations

import json
from argparse import Namespace, _SubParsersAction
from pathlib import Path
from typing import Any

from companion.errors import UsageError


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("model", help="download or list speech-recognition models",
                       description="Manage the offline speech-recognition models.")
    actions = p.add_subparsers(dest="model_action", metavar="ACTION")
    dl = actions.add_parser(
        "download", help="download the small English Vosk model (about 40 MB)",
        description="Download the official small English Vosk model, check its SHA-256 and "
        "unpack it into models/ (or the data folder). This is the only time companion uses "
        "the internet.")
    dl.add_argument("--force", action="store_true", help="download again even if installed")
    dl.add_argument("--from", dest="source", type=Path, metavar="FILE.zip",
                    help="install from an archive downloaded on another computer (verified too)")
    dl.add_argument("--dir", type=Path, metavar="DIR", help="unpack into DIR instead")
    dl.set_defaults(handler=handle_download)
    ls = actions.add_parser("list", help="show installed models and the engine `auto` uses")
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

    target = args.dir or download_dir(ctx.home)
    if args.source:
        opener, url = download.file_opener, str(args.source)
    else:
        opener, url = download.url_opener, download.MODEL_URL
        print(f"Downloading {download.MODEL_NAME} from {url}", file=ctx.stderr)
    folder = download.download_model(target, url=url, opener=opener, progress=ctx.stderr,
                                     force=args.force)
    print(f"Speech model ready: {folder}", file=ctx.stdout)
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
    return 0
