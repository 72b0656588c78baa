"""`companion forget`: delete one session's files, or all of them after confirmation; the same
for the skills practised (--practices)."""

from __future__ import annotations

import io
from argparse import Namespace, _SubParsersAction
from typing import Any

from companion.errors import ExitCode, SessionBusy, UsageError
from companion.journal.history import Journal
from companion.journal.practices import PracticeStore

EVERY = "every"
"""--practices without a value: every practice."""


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("forget", help="delete a saved session (or all of them), or practices",
                       description="Delete a session's record and transcript from this "
                       "computer, or the skills you practised (--practices). This cannot be "
                       "undone.")
    p.add_argument("id", metavar="ID", nargs="?", help="session id, a unique prefix, or `last`")
    p.add_argument("--all", action="store_true", help="delete every saved session")
    p.add_argument("--practices", nargs="?", const=EVERY, metavar="WHICH",
                   help="delete practices instead: one (its id, a unique prefix, or `last`), "
                   "a day's (YYYY-MM-DD), or, with no WHICH, every one")
    p.add_argument("--yes", action="store_true",
                   help="do not ask for confirmation (with --all or --practices)")
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    journal = Journal(ctx.home)
    if args.practices is not None:
        if args.id or args.all:
            raise UsageError("Forget sessions (ID or --all) or practices (--practices), one "
                             "at a time.")
        return forget_practices(args.practices, args.yes, ctx)
    if args.all == bool(args.id):
        raise UsageError("Say which session to forget (an ID, or `last`), or --all for every "
                         "one (practices: --practices).")
    if args.id:
        session_id = journal.resolve(args.id)
        removed = journal.forget(session_id)
        print(f"Deleted session {session_id} ({len(removed)} file"
              f"{'' if len(removed) == 1 else 's'}).", file=ctx.stdout)
        return 0
    ids = journal.ids()
    if not ids:
        print("There are no saved sessions to delete.", file=ctx.stdout)
        return 0
    if not args.yes and not confirmed(len(ids), ctx, "saved sessions"):
        print("Nothing was deleted.", file=ctx.stdout)
        return ExitCode.NOT_CONFIRMED
    removed, busy = [], []
    for session_id in ids:
        try:
            removed.append(journal.forget(session_id))
        except SessionBusy as exc:
            busy.append(session_id)
            print(f"companion: {exc}", file=ctx.stderr)
    files = sum(len(paths) for paths in removed)
    print(f"Deleted {len(removed)} session{'' if len(removed) == 1 else 's'} ({files} file"
          f"{'' if files == 1 else 's'}).", file=ctx.stdout)
    if busy:
        print(f"Kept {len(busy)} open in another window: {', '.join(busy)}.", file=ctx.stdout)
        return SessionBusy.exit_code
    if kept := len(PracticeStore(ctx.home).records()):
        print(f"{kept} skill practice{' is' if kept == 1 else 's are'} kept; "
              "`companion forget --practices` deletes them.", file=ctx.stdout)
    return 0


def forget_practices(which: str, yes: bool, ctx: Any) -> int:
    """Delete the practices `which` names (EVERY: all of them, after confirmation)."""
    store = PracticeStore(ctx.home)
    if which == EVERY:
        ids = [r["id"] for r in store.records()]
        if not ids:
            print("There are no saved practices to delete.", file=ctx.stdout)
            return 0
        if not yes and not confirmed(len(ids), ctx, "saved practices"):
            print("Nothing was deleted.", file=ctx.stdout)
            return ExitCode.NOT_CONFIRMED
    else:
        ids = store.resolve(which)
    removed, busy = 0, []
    for practice_id in ids:
        try:
            removed += store.forget(practice_id)
        except SessionBusy as exc:
            if len(ids) == 1:
                raise
            busy.append(practice_id)
            print(f"companion: {exc}", file=ctx.stderr)
    print(f"Deleted {removed} practice{'' if removed == 1 else 's'}"
          f"{f' ({ids[0]})' if len(ids) == 1 else ''}.", file=ctx.stdout)
    if busy:
        print(f"Kept {len(busy)} being guided in another window: {', '.join(busy)}.",
              file=ctx.stdout)
        return SessionBusy.exit_code
    return 0


def confirmed(count: int, ctx: Any, what: str) -> bool:
    """A typed 'yes' at a terminal; without a terminal, --yes is required."""
    if not _is_terminal(ctx.stdin):
        raise UsageError(f"This would delete all {count} {what}. To confirm without "
                         "a terminal, add --yes.")
    print(f"This deletes all {count} {what} and cannot be undone. "
          "Type yes to continue: ", end="", file=ctx.stderr, flush=True)
    line = ctx.stdin.readline()
    if isinstance(line, bytes):
        line = line.decode("utf-8", errors="replace")
    return line.strip().lower() == "yes"


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return False
