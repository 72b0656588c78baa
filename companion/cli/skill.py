"""`companion skill [NAME]`: a DBT skill guided out loud (and on screen), saved as a practice."""

from __future__ import annotations

import contextlib
from argparse import Namespace, _SubParsersAction
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from companion.errors import CompanionError, ExitCode, UsageError

MAX_MINUTES = 60.0


def register(sub: _SubParsersAction) -> None:
    from companion.cli.options import add_voice_options

    p = sub.add_parser("skill", help="a DBT skill guided out loud: breathing, STOP, pros and "
                       "cons...",
                       description="Guide a skill out loud, hands-free: paced breathing, "
                       "paired muscle relaxation, cold water, intense exercise, STOP, "
                       "self-soothe, riding the wave, willing hands, pros and cons, check the "
                       "facts, opposite action. With no NAME it asks which (your suggested "
                       "skills first). Between the steps you can say pause, go on, slower, "
                       "again, next or stop (it listens only while it is silent); in a "
                       "terminal, space pauses and goes on and q stops. Each practice is "
                       "saved, with how much it helped.")
    p.add_argument("name", nargs="*", metavar="NAME",
                   help='the skill, e.g. "paced breathing" (default: asks which)')
    p.add_argument("--minutes", type=float, metavar="N",
                   help="how long breathing, relaxation or riding the wave lasts "
                   "(default: the skill's own, 2-3)")
    p.add_argument("--tones", action="store_true",
                   help="paced breathing by soft tones instead of counting aloud (needs sound "
                   "output; otherwise it counts)")
    p.add_argument("--list", action="store_true", help="list the skills and exit")
    p.add_argument("--typed", action="store_true", help="answer by typing instead of speaking")
    p.add_argument("--no-speak", action="store_true", help="show the guidance without speaking")
    add_voice_options(p)
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    return run_skill(args, ctx)


def run_skill(args: Namespace, ctx: Any, *, clock: Any = None,
              now: Callable[[], datetime] | None = None) -> int:
    """The command, with the guide's clock (default: the real one) and the time stamps
    (default: local time) passed in, so tests run a minute of breathing in no time."""
    from companion.cli.options import voice_from
    from companion.dialog.wiring import build_io
    from companion.guide.finder import find_skill, suggest
    from companion.guide.scripts import builtin

    guide = builtin()
    if args.list:
        print("\n".join(f"{s.name}: {s.description}" for s in guide.skills), file=ctx.stdout)
        return 0
    said = " ".join(args.name).strip()
    skill = find_skill(said, guide.skills) if said else None
    if said and skill is None:
        raise UsageError(suggest(said, guide.skills))
    if args.minutes is not None and not 0 < args.minutes <= MAX_MINUTES:
        raise UsageError(f"--minutes must be above 0 and at most {MAX_MINUTES:g}.")
    voice = voice_from(args, ctx.env)
    io = build_io(voice, ctx, json_mode=False)
    try:
        guidance = guidance_for(io, voice, ctx, clock=clock, now=now, tones=args.tones)
        if args.tones and not guidance.tones:
            print("companion: note: tones need sound output; counting aloud instead.",
                  file=ctx.stderr)
        elif args.tones and skill is not None and not skill.has_tones:
            print(f"companion: note: {skill.name} has no tones; --tones is not used.",
                  file=ctx.stderr)
        if skill is None:
            record = guidance.choose(suggested_skills(ctx.home), minutes=args.minutes)
        else:
            _note_minutes(skill, args.minutes, ctx)
            record = guidance.practise(skill, minutes=args.minutes)
    finally:
        io.close()
    if record is None:
        return 0
    return ExitCode.INCOMPLETE if record.get("stopped_by") == "ended" else 0


def guidance_for(io: Any, voice: Any, ctx: Any, *, json_mode: bool = False, clock: Any = None,
                 now: Callable[[], datetime] | None = None, region: str | None = None,
                 tones: bool = False) -> Any:
    """The guide for a command's answer source and prompter (SessionIO from build_io): what
    `prepare` calls to offer a skill at its end, or inside the safety response. It listens
    between steps when answers come from a live microphone; tones sound through the speech
    output (a mark on screen without one), and `tones` paces breathing by them when they can
    sound."""
    from companion.cli.options import now as local_now
    from companion.guide.guidance import Guidance
    from companion.guide.hearing import gap_ears
    from companion.guide.ports import SystemClock
    from companion.guide.scripts import builtin
    from companion.guide.tone import Chime, sound_output
    from companion.journal.practices import PracticeStore
    from companion.safety.response import HomeResponder

    ui = ctx.stderr if json_mode else ctx.stdout
    chime = Chime(builtin().tones, sound_output(io.prompter) if voice.speak else None,
                  show=lambda text: print(text, file=ui, flush=True))
    return Guidance(source=io.source, prompter=io.prompter, store=PracticeStore(ctx.home),
                    responder=HomeResponder(ctx.home, region), clock=clock or SystemClock(),
                    now=now or local_now, voice_on=voice.speak, mode=io.mode,
                    keys=lambda: _keys(ctx.stdin, ui), tone=chime,
                    tones=tones and chime.audible, ears=gap_ears(io.source))


@contextlib.contextmanager
def _keys(stdin: Any, ui: Any) -> Iterator[Any]:
    """Space and q in a terminal (said on screen once they work); no controls otherwise."""
    from companion.guide.keys import KeyControls, terminal_keys
    from companion.guide.offer import words

    with terminal_keys(stdin) as controls:
        if isinstance(controls, KeyControls):
            print(words()["keys"], file=ui, flush=True)
        yield controls


def _note_minutes(skill: Any, minutes: float | None, ctx: Any) -> None:
    if minutes is not None and (skill.kind != "timed" or skill.minutes is None):
        print(f"companion: note: {skill.name} has a fixed length; --minutes is not used.",
              file=ctx.stderr)


def suggested_skills(home: Any) -> list[str]:
    """The skills the last session suggested (ids), [] when there is none or it is unreadable."""
    from companion.journal.history import Journal

    try:
        records = Journal(home).records()
    except CompanionError:
        return []
    return [s for s in (records[0].get("suggested_skills") or []) if isinstance(s, str)] \
        if records else []
