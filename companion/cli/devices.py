"""`companion devices`: list microphones and speakers with index, name, rate and channels."""

from __future__ import annotations

import json
from argparse import Namespace, _SubParsersAction
from dataclasses import asdict
from typing import Any


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("devices", help="list microphones and speakers",
                       description="List audio input and output devices. Pick a microphone "
                       "with --input-device INDEX or part of its name.")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    from companion.audio.mic import list_devices

    devices = list_devices()
    if args.json:
        print(json.dumps({"inputs": [asdict(d) for d in devices if d.inputs],
                          "outputs": [asdict(d) for d in devices if d.outputs]}), file=ctx.stdout)
        return 0
    for title, attr, default in (("Input devices (microphones)", "inputs", "default_input"),
                                 ("Output devices (speakers)", "outputs", "default_output")):
        print(f"{title}:", file=ctx.stdout)
        found = [d for d in devices if getattr(d, attr)]
        for d in found:
            mark = "*" if getattr(d, default) else " "
            print(f" {mark} {d.index:>3}  {d.name}  ({d.hostapi}, {getattr(d, attr)} channels, "
                  f"{d.default_rate:g} Hz)", file=ctx.stdout)
        if not found:
            print("   none found", file=ctx.stdout)
    print("(* = default)", file=ctx.stdout)
    return 0
