"""`companion resume [ID]`: continue an unfinished session at its first unanswered prompt."""

from __future__ import annotations

import logging
from argparse import Namespace, _SubParsersAction
from dataclasses import replace
from pathlib import Path
from typing import Any

from companion.errors import RecordError
from companion.journal.history import Journal

log = logging.getLogger(__name__)
BUILT_IN = "(built-in)"


def register(sub: _SubParsersAction) -> None:
    from companion.cli.options import add_session_options

    p = sub.add_parser("resume", help="continue an unfinished session",
                       description="Continue a session that was interrupted or stopped, at the "
                       "first question not yet answered. Everything already said is kept. "
                       "Without ID, the newest unfinished session.")
    p.add_argument("id", metavar="ID", nargs="?",
                   help="session id or a unique prefix (default: the newest unfinished one)")
    add_session_options(p)
    p.add_argument("--spoken", action="store_true",
                   help="answer by speaking, even if the session was typed")
    p.add_argument("--speak", action="store_true",
                   help="read prompts aloud, even if the session was silent")
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    from companion.cli.options import settings_from

    settings = settings_from(args, ctx)
    journal = Journal(settings.home)
    session_id = journal.resolve(args.id) if args.id else newest_unfinished(journal)["id"]
    with journal.store.hold(session_id):  # read it only once no other window can write it
        return resume(journal.load(session_id), journal, settings, args, ctx)


def resume(record: dict[str, Any], journal: Journal, settings: Any, args: Namespace,
           ctx: Any) -> int:
    """Continue `record` (this process holds its lock)."""
    from companion.cli.options import now
    from companion.cli.output import finish_then_offer
    from companion.cli.skill import guidance_for
    from companion.dialog.session import run_session
    from companion.dialog.wiring import build_io
    from companion.safety import response as safety

    if record.get("complete"):
        raise RecordError(f"Session {record['id']} is already complete. See it with "
                          f"`companion show {record['id']}`, or start a new one with "
                          "`companion prepare`.")
    sheet = worksheet_for(record, settings.worksheet)
    merge_prompts(record, sheet)
    settings = replace(settings, voice=kept_mode(record, settings.voice, args))
    mode = "voice" if settings.voice.listen else "typed"
    record["status"] = "in_progress"
    record.setdefault("events", []).append(
        {"at": now().isoformat(timespec="seconds"), "type": "resumed", "prompt": None,
         "mode": mode})
    io = build_io(settings.voice, ctx, json_mode=settings.json)
    guidance = guidance_for(io, settings.voice, ctx, json_mode=settings.json,
                            region=settings.region)
    try:
        saved = sum(1 for a in record["answers"].values() if not a.get("skipped"))
        io.prompter.say(f"{sheet.title}. Picking up where you left off; {saved} answer"
                        f"{'' if saved == 1 else 's'} already saved.", "info")
        record = run_session(sheet, source=io.source, prompter=io.prompter,
                             store=journal.store, clock=now,
                             safety=safety.HomeResponder(settings.home, settings.region,
                                                         offer=guidance.safety_offer),
                             record=record, mode=mode)
        return finish_then_offer(record, settings, ctx, io, guidance)
    finally:
        io.close()


def kept_mode(record: dict[str, Any], voice: Any, args: Namespace) -> Any:
    """The session's own mode (typed stays typed, silent stays silent) unless flags say
    otherwise (--typed, --no-speak, --spoken, --audio-in, --speak)."""
    listen = voice.listen
    if not args.typed and not args.spoken and not args.audio_in:
        listen = not str(record.get("mode", "voice")).endswith("typed")
    speak = voice.speak
    if not args.no_speak and not args.speak:
        speak = bool(record.get("speak", True))
    return replace(voice, listen=listen, speak=speak)


def newest_unfinished(journal: Journal) -> dict[str, Any]:
    """The most recent session that is not complete."""
    for record in journal.records():
        if not record.get("complete"):
            return record
    raise RecordError("There is no unfinished session to continue. Start a new one with "
                      "`companion prepare`.")


def worksheet_for(record: dict[str, Any], override: Path | None) -> Any:
    """The worksheet the session used: --worksheet, the built-in one, its file, or its prompts."""
    from companion.dialog import worksheet as worksheets

    if override is not None:
        return worksheets.load(override)
    sheet = record.get("worksheet") or {}
    source = str(sheet.get("source") or "")
    if not source or source.startswith(BUILT_IN):
        return worksheets.load_default()
    if Path(source).is_file():
        return worksheets.load(Path(source))
    log.warning("The worksheet %s is no longer there; continuing with the questions saved "
                "in the session.", source)
    prompts = tuple(worksheets.Prompt(id=p["id"], kind=p["kind"], text=p["text"])
                    for p in record.get("prompts", []) if p.get("kind") in worksheets.PROMPT_KINDS)
    if not prompts:
        raise RecordError(f"Session {record['id']} saved no questions and its worksheet "
                          f"{source} is gone. Pass the worksheet with --worksheet FILE.")
    return worksheets.Worksheet(name=str(sheet.get("name") or "worksheet"),
                                title=str(sheet.get("title") or "Your worksheet"),
                                prompts=prompts, source=source)


def merge_prompts(record: dict[str, Any], sheet: Any) -> None:
    """The record lists the worksheet's prompts, plus any older ones that hold an answer."""
    current = [{"id": p.id, "kind": p.kind, "text": p.text} for p in sheet.prompts]
    ids = {p["id"] for p in current}
    kept = [p for p in record.get("prompts", [])
            if p.get("id") not in ids and p.get("id") in record["answers"]]
    record["prompts"] = current + kept
