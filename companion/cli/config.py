"""`companion config`: show and change settings, such as the region used for crisis numbers."""

from __future__ import annotations

from argparse import Namespace, _SubParsersAction
from typing import Any

from companion.errors import ExitCode
from companion.journal.config import KEYS, Config
from companion.safety import crisis_lines


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("config", help="show or change settings (e.g. your region)",
                       description="Show or change your settings. `region` picks the emergency "
                       "number and crisis lines shown when you are in danger.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    s = actions.add_parser("set", help="set KEY to VALUE, e.g. `config set region UK`")
    s.add_argument("key", choices=sorted(KEYS))
    s.add_argument("value", nargs="+", help="the value (a region code, name, or 'other')")
    g = actions.add_parser("get", help="show one setting, or all of them")
    g.add_argument("key", nargs="?", choices=sorted(KEYS))
    actions.add_parser("list-regions", help="the regions with their own crisis numbers")
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    config = crisis_lines.user_config(ctx.home)
    if args.action == "set":
        stored = config.set(args.key, " ".join(args.value))
        print(f"{args.key} = {stored}{_region_name(stored)}", file=ctx.stdout)
        return 0
    if args.action == "get":
        return _get(config, args.key, ctx)
    for line in region_table():
        print(line, file=ctx.stdout)
    return 0


def _get(config: Config, key: str | None, ctx: Any) -> int:
    if key:
        value = config.get(key)
        if value is None:
            print(f"companion: {key} is not set. Set it with: companion config set {key} VALUE",
                  file=ctx.stderr)
            return ExitCode.NOT_SET
        print(value, file=ctx.stdout)
        return 0
    values = config.read()
    for name in sorted(KEYS):
        print(f"{name} = {values.get(name, '(not set)')}", file=ctx.stdout)
    return 0


def region_table() -> list[str]:
    """One line per region: code, country, emergency number and crisis lines."""
    rows = []
    for code in [*crisis_lines.known_regions(), crisis_lines.OTHER]:
        lines = crisis_lines.load(code)
        emergency = (f"emergency {lines.emergency.numbers()}" if lines.emergency
                     else "call your local emergency number")
        helps = [f"{ln.name} ({ln.action()})" for ln in lines.lines]
        where = "anywhere else" if code == crisis_lines.OTHER else lines.name
        rows.append(f"{code:<6} {where}: " + "; ".join([emergency, *helps]))
    return rows


def _region_name(value: Any) -> str:
    if value in crisis_lines.known_regions():
        return f" ({crisis_lines.load(value).name})"
    return ""
