"""Plays a scripted conversation (tests/conversations/*.toml) through the real command line and
says what went wrong: an unexpected question, a question too many, or a wrong record."""

from __future__ import annotations

import io
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from companion.cli.main import main
from companion.interfaces import Answer
from tests.fakes import RecordingSpeaker

HERE = Path(__file__).resolve().parents[1] / "conversations"
SETUP_ANSWERS = {
    "typed_unfinished": ["my sister and i had a huge fight about money", "angry and hurt"],
    "voice_unfinished": ["my sister and i had a huge fight about money", "angry and hurt"],
    "finished": ["my partner forgot my birthday again", "angry", "7", "i want to drink", "5",
                 "paced breathing", "how to talk to him calmly", "go for a walk"],
}


class Mismatch(AssertionError):
    """The companion asked something the client did not expect."""


@dataclass
class Client:
    """An answer source that answers each question with the script's next turn, and checks
    that the question is the one the script expected."""

    turns: list[dict[str, Any]]
    asked: list[str] = field(default_factory=list)

    def listen(self, prompt: Any) -> Answer | None:
        self.asked.append(prompt.id)
        if not self.turns:
            return None  # input ends
        turn = self.turns.pop(0)
        if turn["expect"] != prompt.id:
            raise Mismatch(f"turn {len(self.asked)}: the companion asked {prompt.id!r} "
                           f"({prompt.text!r}); the client expected {turn['expect']!r}")
        return Answer(turn["say"])


def load(path: Path) -> dict[str, Any]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def play(path: Path, home: Path) -> tuple[dict[str, Any], dict[str, Any], str, int]:
    """Run one conversation; returns (script, record, screen text, exit code)."""
    script = load(path)
    home.mkdir(parents=True, exist_ok=True)
    _set_region(home, script.get("region", "US"))
    if script.get("before"):
        _setup(home, script["before"])
    command = script.get("command", "prepare")
    flags = [str(HERE / f) if f.endswith(".toml") else f for f in script.get("flags", [])]
    argv = [command, *_mode_flags(command, flags), *flags]
    client = Client([dict(t) for t in script.get("turn", [])])
    code, screen = _run(argv, home, client)
    if client.turns:
        raise Mismatch(f"the conversation ended after {client.asked} with turns left: "
                       f"{[t['expect'] for t in client.turns]}")
    record = _record(home)
    record["_asked"] = client.asked
    return script, record, screen, code


def _mode_flags(command: str, flags: list[str]) -> list[str]:
    """Silent always; typed unless the script says so or it resumes (resume keeps the mode)."""
    typed = "--typed" not in flags and command != "resume"
    return ["--typed", "--no-speak"] if typed else ["--no-speak"]


def _run(argv: list[str], home: Path, client: Any) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    env = {"COMPANION_HOME": str(home), "HOME": str(home.parent)}
    code = main(argv, env=env, stdin=io.BytesIO(b""), stdout=out, stderr=err,
                make_speaker=lambda voice: RecordingSpeaker(),
                make_source=(lambda: client) if client is not None else None)
    return code, out.getvalue() + err.getvalue()


def _set_region(home: Path, region: str) -> None:
    if region:
        code, screen = _run(["config", "set", "region", region], home, None)
        assert code == 0, screen


def _setup(home: Path, name: str) -> None:
    answers = SETUP_ANSWERS[name]
    stdin = ("\n".join(answers) + "\n").encode()
    out, err = io.StringIO(), io.StringIO()
    env = {"COMPANION_HOME": str(home), "HOME": str(home.parent)}
    main(["prepare", "--typed", "--no-speak"], env=env, stdin=io.BytesIO(stdin), stdout=out,
         stderr=err, make_speaker=lambda voice: RecordingSpeaker())
    if name == "voice_unfinished":
        path = _latest(home)
        record = json.loads(path.read_text("utf-8"))
        record["mode"] = "voice"
        path.write_text(json.dumps(record), "utf-8")


def _latest(home: Path) -> Path:
    files = sorted((home / "sessions").glob("*.json"), key=lambda p: p.stat().st_mtime)
    return files[-1]


def _record(home: Path) -> dict[str, Any]:
    folder = home / "sessions"
    if not folder.exists() or not list(folder.glob("*.json")):
        plan = home / "safety_plan.json"
        return json.loads(plan.read_text("utf-8")) if plan.exists() else {}
    return json.loads(_latest(home).read_text("utf-8"))


def problems(script: dict[str, Any], record: dict[str, Any], screen: str,
             code: int) -> list[str]:
    """What the record and screen got wrong against the script's [end]."""
    end = script.get("end", {})
    out: list[str] = []
    target = _target(script.get("command", "prepare"), record)
    if "status" in end and target.get("status") != end["status"]:
        out.append(f"status {target.get('status')!r}, expected {end['status']!r}")
    if "exit" in end and code != end["exit"]:
        out.append(f"exit code {code}, expected {end['exit']}")
    lower = screen.lower()
    out += [f"screen lacks {t!r}" for t in end.get("screen_has", []) if t.lower() not in lower]
    out += [f"screen has {t!r}" for t in end.get("screen_lacks", []) if t.lower() in lower]
    triggers = target.get("safety", {}).get("triggers", [])
    if "triggers" in end:
        got = [t.get("response", {}).get("message") for t in triggers]
        if got != end["triggers"]:
            out.append(f"safety responses {got}, expected {end['triggers']}")
    if "continued" in end:
        got = [t.get("continued") for t in triggers if "continued" in t]
        if got != end["continued"]:
            out.append(f"continued {got}, expected {end['continued']}")
    answers = target.get("answers", {})
    for qid, want in end.get("answers", {}).items():
        out += _answer_problems(qid, answers.get(qid), want)
    events = target.get("events", [])
    for want in end.get("replies", []):
        if not any(e.get("prompt") == want["question"] and want.get("text_has", "").lower()
                   in (e.get("text") or "").lower() for e in events if e.get("type") == "reply"):
            out.append(f"no saved reply to {want['question']} with {want.get('text_has')!r}")
    return out


def _target(command: str, record: dict[str, Any]) -> dict[str, Any]:
    """What the [end] checks look at: the session, its reflection, or the safety plan."""
    if command == "reflect":
        return record.get("reflection", {})
    if command == "plan":
        steps = record.get("steps", [])
        reached_end = "safe_environment" in record.get("_asked", [])
        return {"status": "complete" if reached_end else "stopped",
                "answers": {s["id"]: {"text": s["text"]} for s in steps},
                "safety": {"triggers": []}}
    return record


def _answer_problems(qid: str, saved: dict[str, Any] | None, want: dict[str, Any]) -> list[str]:
    if want.get("absent"):
        return [] if saved is None else [f"{qid}: saved {saved.get('text')!r}, expected none"]
    if saved is None:  # a skipped plan step is simply not in the plan
        return [] if want.get("skipped") is True and len(want) == 1 else [f"{qid}: no answer saved"]
    out = []
    for key in ("emotions", "urges", "skills"):
        if key in want and set(saved.get(key) or []) != set(want[key]):
            out.append(f"{qid}: {key} {saved.get(key)}, expected {want[key]}")
    for key in ("intensity", "answer", "skipped"):
        if key in want and saved.get(key) != want[key]:
            out.append(f"{qid}: {key} {saved.get(key)!r}, expected {want[key]!r}")
    if "text_has" in want and want["text_has"].lower() not in (saved.get("text") or "").lower():
        out.append(f"{qid}: text {saved.get('text')!r} lacks {want['text_has']!r}")
    return out
