"""End-of-answer detection: tables of chunk sequences (speech probability, partial text, level)."""

from __future__ import annotations

import pytest

from companion.voice.endpoint import Endpointer, EndpointSettings, closing_phrase, strip_closing

STEP = 0.03


def run(script, settings=None):
    """Feed (seconds, probability, partial, level) segments; returns (reason, end time, events)."""
    ep = Endpointer(settings or EndpointSettings())
    events = []
    for seconds, prob, partial, level in script:
        for _ in range(round(seconds / STEP)):
            step = ep.feed(STEP, prob, partial, level)
            events += step.events
            if step.done:
                return step.reason, round(ep.elapsed, 2), events
    return "", round(ep.elapsed, 2), events


def talk(seconds, words=""):
    return (seconds, 0.95, words, -20.0)


def hush(seconds, words=""):
    return (seconds, 0.02, words, -50.0)


@pytest.mark.parametrize("name, script, reason, ends_at", [
    ("short answer then a pause", [talk(1.0, "sad"), hush(5)], "pause", 3.0),
    ("1.5 s pause mid-sentence does not cut off",
     [talk(1.0, "i feel"), hush(1.5, "i feel"), talk(1.0, "i feel so alone"), hush(5)],
     "pause", 5.5),
    ("several long thinking pauses",
     [talk(0.6, "um"), hush(1.9, "um"), talk(0.6, "um angry"), hush(1.9, "um angry"),
      talk(0.6, "um angry really"), hush(3)], "pause", 7.6),
    ("pause only counts after speech began", [hush(4), talk(1.0, "ok"), hush(3)], "pause", 7.0),
    ("a click is not speech", [hush(1), (0.03, 0.9, "", -20.0), hush(9.5)], "", 10.53),
    ("closing phrase ends at once", [talk(2.0, "i feel sad that's it"), hush(5)], "closing", 2.42),
    ("closing word 'done'", [talk(1.0, "anger and shame done"), hush(5)], "closing", 1.42),
    ("'i'm done' as part of the sentence waits for the full pause",
     [talk(1.5, "i feel like i'm done"), hush(5)], "pause", 3.5),
    ("maximum answer length", [talk(130, "and then")], "max_length", 120.0),
])
def test_end_of_answer(name, script, reason, ends_at):
    got_reason, at, _ = run(script)
    assert got_reason == reason, name
    assert at == pytest.approx(ends_at, abs=STEP * 1.5), name


def test_no_speech_reprompts_once_then_offers_skip():
    reason, at, events = run([hush(25)])
    assert reason == "no_speech" and at == pytest.approx(20.0, abs=0.1)
    assert events == ["quiet", "reprompt", "offer_skip"] or events == ["reprompt", "offer_skip"]


def test_speech_after_the_reprompt_is_an_answer():
    reason, at, events = run([hush(11), talk(1.0, "okay i am here"), hush(5)])
    assert reason == "pause" and at == pytest.approx(14.0, abs=0.05)
    assert "reprompt" in events and "offer_skip" not in events


def test_custom_pause():
    settings = EndpointSettings(pause=4.0)
    reason, at, _ = run([talk(1.0, "x"), hush(3.0), talk(1.0, "x y"), hush(9)], settings)
    assert reason == "pause" and at == pytest.approx(9.0, abs=0.05)


def test_partial_words_count_as_speech_when_the_detector_misses_them():
    # A whisper the detector scores low, but louder than the room (-50 dBFS), and the recognizer
    # keeps hearing new words (the last at 1.6 s): the answer is under way, and the pause counts
    # from the last new word.
    quiet = [(0.3, 0.2, "i", -40.0), (0.3, 0.2, "i am", -40.0), (0.3, 0.2, "i am scared", -40.0)]
    reason, at, _ = run([hush(1.0), *quiet, hush(4, "i am scared")])
    assert reason == "pause" and at == pytest.approx(1.63 + 2.0, abs=0.05)


@pytest.mark.parametrize("level, event", [(-90.0, "quiet"), (-0.5, "loud")])
def test_level_warnings_once(level, event):
    _, _, events = run([(6.0, 0.9 if event == "loud" else 0.0, "", level)])
    assert events.count(event) == 1


def test_normal_level_gives_no_warning():
    _, _, events = run([talk(1.0, "fine"), hush(3)])
    assert "quiet" not in events and "loud" not in events


@pytest.mark.parametrize("text, stripped", [
    ("I felt angry at my sister. That's it.", "I felt angry at my sister."),
    ("i felt angry at my sister that's it", "i felt angry at my sister"),
    ("shame and fear, done", "shame and fear"),
    ("seven next", "seven"),
    ("i want to use opposite action i'm done", "i want to use opposite action"),
    ("Mostly sadness. That’s all.", "Mostly sadness."),
    ("I feel like I'm done", "I feel like I'm done"),
    ("I'm just done", "I'm just done"),
    ("next", "next"),
    ("done", "done"),
    ("that's it", "that's it"),
    ("nothing to strip here", "nothing to strip here"),
    ("", ""),
])
def test_strip_closing(text, stripped):
    assert strip_closing(text)[0] == stripped


def test_strip_closing_trims_the_words_too():
    words = (("sad", 0.9), ("that's", 0.8), ("it", 0.7))
    assert strip_closing("sad that's it", words) == ("sad", (("sad", 0.9),))


@pytest.mark.parametrize("text, count", [
    ("angry that is it", 3), ("angry that's it", 2), ("angry", 0), ("what's next", 0),
    # a hesitation after these is mid-thought, not a closing word
    ("what i'll do next", 0), ("and then next", 0), ("shame and next", 0),
    ("i don't know what comes next", 0), ("the week after next", 0), ("i'm not done", 0),
    ("i tried paced breathing next", 1), ("sad and angry done", 1),
])
def test_closing_phrase(text, count):
    assert closing_phrase(text) == count


def test_late_partial_revisions_in_silence_do_not_restart_the_pause():
    """Vosk revises its partial text for about a second after speech ends: not new speech."""
    script = [talk(1.0, "i feel"), hush(0.3, "i feel sad"), hush(0.3, "i feel so sad"),
              hush(0.4, "i feel so sad today"), hush(5, "i feel so sad today")]
    assert run(script)[:2] == ("pause", 3.0)


def test_new_words_with_a_hint_of_voice_keep_the_answer_open():
    """Quiet speech the detector only half hears still counts while words keep coming."""
    faint = [(0.3, 0.3, " ".join(["word"] * (i + 2)), -40.0) for i in range(6)]
    reason, at, _ = run([talk(0.5, "word"), *faint, hush(5, faint[-1][2])])
    assert reason == "pause" and at == pytest.approx(0.5 + 1.5 + 0.03 + 2.0, abs=0.05)


def timeline(script, settings=None):
    """Like run(), but every event with the time it happened; and the end (reason, time)."""
    ep = Endpointer(settings or EndpointSettings())
    events = []
    for seconds, prob, partial, level in script:
        for _ in range(round(seconds / STEP)):
            step = ep.feed(STEP, prob, partial, level)
            events += [(e, round(ep.elapsed, 2)) for e in step.events if e in ("lull", "resume")]
            if step.done:
                return events, (step.reason, round(ep.elapsed, 2))
    return events, ("", round(ep.elapsed, 2))


@pytest.mark.parametrize("name, script, expected", [
    ("an answer, then quiet: one lull half a second in",
     [talk(1.0, "sad"), hush(5)], [("lull", 1.5)]),
    ("a thinking pause: lull, speech again, lull",
     [talk(1.0, "i feel"), hush(1.5), talk(1.0, "so alone"), hush(5)],
     [("lull", 1.5), ("resume", 2.53), ("lull", 4.0)]),
    ("a breath shorter than the lull is not one",
     [talk(1.0, "i feel"), hush(0.3), talk(1.0, "so alone"), hush(5)], [("lull", 2.8)]),
    ("no lull before the answer began", [hush(4), talk(1.0, "ok"), hush(3)], [("lull", 5.5)]),
    ("a closing phrase ends before any lull", [talk(1.0, "sad that's it"), hush(5)], []),
    ("nothing said, nothing to prefetch", [hush(25)], []),
    ("late word revisions in silence neither resume nor delay the lull",
     [talk(1.0, "i feel"), hush(0.3, "i feel sad"), hush(0.4, "i feel so sad"), hush(5)],
     [("lull", 1.5)]),
])
def test_lull_events(name, script, expected):
    events, _ = timeline(script)
    assert events == [(e, pytest.approx(t, abs=STEP * 1.5)) for e, t in expected], name


def test_the_lull_does_not_change_when_the_answer_ends():
    script = [talk(1.0, "i feel"), hush(1.5), talk(1.0, "so alone"), hush(5)]
    with_lull, without = timeline(script)[1], timeline(script, EndpointSettings(lull=0))[1]
    assert with_lull == without and with_lull[0] == "pause"
    assert with_lull[1] == pytest.approx(5.5, abs=STEP * 1.5)


@pytest.mark.parametrize("lull, expected", [(0.0, []), (1.0, [("lull", 2.0)]),
                                            (3.0, [])])  # a lull beyond the pause never comes
def test_lull_setting(lull, expected):
    events, end = timeline([talk(1.0, "sad"), hush(5)], EndpointSettings(lull=lull))
    assert events == [(e, pytest.approx(t, abs=STEP * 1.5)) for e, t in expected]
    assert end[0] == "pause" and end[1] == pytest.approx(3.0, abs=STEP * 1.5)


# -- the noise floor: speech must stand out from the background by `noise_margin` --------------

def voice_at(seconds, level, probability=0.95):
    """A voice-like sound (the detector is sure) at `level` dBFS."""
    return (seconds, probability, "", level)


def room(seconds, level):
    """Background with no voice in it at `level` dBFS."""
    return (seconds, 0.02, "", level)


def start_and_end(script, settings=None, floor=None):
    """(time the answer began or None, reason it ended, time it ended)."""
    ep = Endpointer(settings or EndpointSettings(), floor)
    began = None
    for seconds, prob, partial, level in script:
        for _ in range(round(seconds / STEP)):
            step = ep.feed(STEP, prob, partial, level)
            if "speech" in step.events:
                began = round(ep.elapsed, 2)
            if step.done:
                return began, step.reason, round(ep.elapsed, 2)
    return began, "", round(ep.elapsed, 2)


@pytest.mark.parametrize("background", [-80.0, -60.0, -45.0, -30.0, -20.0])
def test_noise_at_any_level_then_speech_above_it(background):
    """The threshold follows the room: 3 s of it, then 1 s of speech 10 dB above it."""
    script = [room(3.0, background), voice_at(1.0, background + 10), room(5.0, background)]
    began, reason, end = start_and_end(script)
    assert began == pytest.approx(3.0 + 0.1, abs=STEP * 1.5)  # min_speech after the onset
    assert (reason, end) == ("pause", pytest.approx(4.0 + 2.0, abs=STEP * 1.5))


@pytest.mark.parametrize("margin, expected_start", [(6.0, 5.1), (0.0, 2.1)])
def test_a_voice_no_louder_than_the_room_is_not_the_answer(margin, expected_start):
    """A fan at -40 dBFS, then voices from the next room just above it (a detector hears speech
    in them), then the client at -20 dBFS. With the noise floor the answer begins with the
    client; without it (margin 0) with the voices next door."""
    script = [room(2.0, -40.0), voice_at(3.0, -37.0), voice_at(1.0, -20.0), room(5.0, -40.0)]
    began, reason, end = start_and_end(script, EndpointSettings(noise_margin=margin))
    assert began == pytest.approx(expected_start, abs=STEP * 1.5)
    assert (reason, end) == ("pause", pytest.approx(8.0, abs=STEP * 1.5))


def test_voices_at_the_floor_keep_teaching_it_and_never_start_an_answer():
    script = [room(2.0, -40.0), voice_at(20.0, -37.0)]
    ep = Endpointer()
    # never begun: the gentle re-prompt at 10 s, then the offer to skip at 20 s
    assert start_and_end(script, floor=ep.floor) == (None, "no_speech", pytest.approx(20.0, abs=STEP * 1.5))
    assert ep.floor.level == pytest.approx(-37.0)


def test_speaking_at_once_is_heard_before_the_room_is_known():
    """No background heard yet: every level clears the floor (as if there were none)."""
    began, reason, end = start_and_end([voice_at(1.0, -30.0), room(5.0, -60.0)])
    assert (began, reason) == (pytest.approx(0.12, abs=STEP * 1.5), "pause")
    assert end == pytest.approx(3.0, abs=STEP * 1.5)


def test_the_clients_softer_syllables_do_not_lift_the_floor():
    """During the answer only clear non-speech teaches the floor; half-voiced chunks (the
    client's quieter sounds) would otherwise raise it over the client's own voice."""
    ep = Endpointer()
    syllables = [voice_at(0.3, -20.0), voice_at(0.3, -33.0, probability=0.3)] * 5
    start_and_end([room(2.0, -50.0), *syllables, room(3.0, -50.0)], floor=ep.floor)
    assert ep.floor.level == pytest.approx(-50.0)


def test_the_floor_is_carried_from_answer_to_answer():
    first = Endpointer()
    start_and_end([room(2.0, -40.0), voice_at(1.0, -20.0), room(3.0, -40.0)], floor=first.floor)
    # the next answer starts with the voices next door at once: not taken for the client
    assert start_and_end([voice_at(4.0, -37.0), voice_at(1.0, -20.0), room(3.0, -40.0)],
                         floor=first.floor)[0] == pytest.approx(4.1, abs=STEP * 1.5)


def test_words_heard_at_the_floor_do_not_begin_the_answer():
    """A recognizer transcribing the television is not the client beginning to speak."""
    tv = [(0.5, 0.3, "the weather", -41.0), (0.5, 0.3, "the weather today", -41.0)]
    began, _, _ = start_and_end([room(2.0, -40.0), *tv, room(1.0, -40.0)])
    assert began is None
