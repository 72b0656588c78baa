"""`companion plan`: record your personal safety plan, or show / read it back."""

from __future__ import annotations

import json
from argparse import Namespace, _SubParsersAction
from dataclasses import replace
from datetime import datetime
from typing import Any

from companion.cli.options import add_voice_options, voice_from
from companion.dialog.planning import PlanRecorder, load_sheet
from companion.dialog.wiring import build_io
from companion.errors import CompanionError, ExitCode
from companion.journal.config import Config
from companion.safety import crisis_lines
from companion.safety.plan import PlanStore, SafetyPlan, render
from companion.safety.response import emergency_call

INTRO = ("Let's write your safety plan: what helps you stay safe when things get hard. "
         "There are six short questions. Say skip, go back, or stop at any time. "
         "Each answer is saved as you go.")
SAVED = ("Your safety plan is saved. Hear it any time with: companion plan --speak. "
         "It's a good idea to go through it with your therapist.")
REMINDER = "If you feel this way right now, your safety comes first."
NO_PLAN = "You have no safety plan yet. Record one with: companion plan"


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("plan", help="record, show or read back your personal safety plan",
                       description="Record your personal safety plan by voice or typing, in six "
                       "steps: warning signs; things you can do on your own; people and places "
                       "that distract you; people you can ask for help; professionals and "
                       "services; making your surroundings safer. When you are in danger, "
                       "companion shows it with your region's crisis numbers.")
    p.add_argument("--show", action="store_true", help="print your saved plan")
    p.add_argument("--speak", action="store_true", help="read your saved plan aloud")
    p.add_argument("--json", action="store_true",
                   help="print the plan as JSON on stdout (nothing else)")
    p.add_argument("--typed", action="store_true", help="answer by typing instead of speaking")
    p.add_argument("--no-speak", action="store_true", help="show questions without speaking them")
    add_voice_options(p)
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    store = PlanStore(ctx.home)
    if args.show or args.speak:
        return show(store.load(), args, ctx)
    return record(store, args, ctx)


def show(plan: SafetyPlan | None, args: Namespace, ctx: Any) -> int:
    """Print (--show), speak (--speak) or dump (--json) the saved plan."""
    if plan is None or not plan.steps:
        print(f"companion: {NO_PLAN}", file=ctx.stderr)
        return ExitCode.NO_PLAN
    if args.json:
        print(json.dumps(plan.as_dict(), ensure_ascii=False), file=ctx.stdout)
    elif args.show:
        print(render(plan), file=ctx.stdout)
    if args.speak:
        io = build_io(replace(voice_from(args, ctx.env), speak=True, listen=False), ctx,
                      json_mode=args.json)
        try:
            io.prompter.say("Your safety plan.", "info")
            for step in plan.steps:
                io.prompter.say(step.spoken(), "info")
        finally:
            io.close()
    return 0


def record(store: PlanStore, args: Namespace, ctx: Any) -> int:
    """Ask the six steps; the plan is saved after every answer."""
    sheet, titles = load_sheet()
    voice = voice_from(args, ctx.env)
    io = build_io(voice, ctx, json_mode=args.json)
    try:
        danger = _danger_line(ctx)
        io.prompter.say(f"{INTRO} {danger}", "info")
        plan = PlanRecorder(sheet, titles, source=io.source, prompter=io.prompter, store=store,
                            clock=now, danger_line=f"{REMINDER} {danger}").run()
        if plan.steps:
            io.prompter.say(render(plan), "summary")
            io.prompter.say(SAVED, "info")
    finally:
        io.close()
    if args.json:
        print(json.dumps(plan.as_dict(), ensure_ascii=False), file=ctx.stdout)
    return 0 if plan.steps else ExitCode.INCOMPLETE


def _danger_line(ctx: Any) -> str:
    try:
        region = Config(ctx.home).get("region")
    except CompanionError:
        region = None
    call = emergency_call(crisis_lines.load(region))
    return f"If you are in danger right now, stop and {call}."


def now() -> datetime:
    return datetime.now().astimezone()
