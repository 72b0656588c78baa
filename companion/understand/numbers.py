"""Intensity ratings (0 to 10) said in words or digits: 'like a seven', '70 percent', '8/10'."""

from __future__ import annotations

import itertools
from collections.abc import Collection
from dataclasses import dataclass

from companion.understand.text import BREAK, tokens

UNITS = {w: i for i, w in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen"])}
TENS = {w: 10 * (i + 2) for i, w in enumerate([
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])}
SOUNDALIKES = {"ate": 8, "for": 4, "fore": 4, "to": 2, "too": 2, "won": 1, "tree": 3, "nein": 9,
               "tin": 10, "fife": 5, "sex": 6, "sicks": 6, "free": 3}
"""Recognizer homophones, trusted only right after 'a'/'an' ('like a ate') or said alone."""

CUES = frozenset({"like", "a", "an", "at", "maybe", "about", "around", "is", "level", "rating",
                  "probably", "roughly", "say", "solid", "honestly", "intensity", "strong",
                  "urge", "urges"})
"""Words that announce a rating inside an emotion or urge answer ('angry like an eight')."""

NOT_RATINGS = frozenset({
    "times", "time", "hours", "hour", "minutes", "minute", "days", "day", "weeks", "week",
    "months", "month", "years", "year", "old", "oclock", "am", "pm", "people", "drinks",
    "pills", "beers", "dollars", "bucks", "kids", "of", "thing", "things", "more", "person",
})
"""Words after a number that show it counts something else ('3 times', 'one of those days')."""

SHIFT = frozenset({"now", "currently", "earlier", "was", "started", "before", "went", "dropped",
                   "down", "up", "then", "first", "since", "no", "actually", "mean", "wait",
                   "rather", "never"})
"""Words showing a rating changed or was corrected ('an eight no a six'): the last one said
is the current one."""


CURRENT = frozenset({"now", "currently", "today"})
"""Words marking the rating that holds right now ('a seven now, it was a ten')."""

SCALE_ENDS = frozenset({10.0, 100.0})
"""'one to ten', 'zero to a hundred': the bounds of the scale, never the rating itself."""

ZERO_ANSWERS = ("none", "not at all", "nothing at all", "none at all", "nothing", "no urges",
                "not there", "gone")


@dataclass(frozen=True)
class Rating:
    """A number said in the answer, already on the 0..10 scale (or out of range)."""

    value: float
    start: int
    end: int
    scaled: bool


def _word_value(tok: str) -> float | None:
    """One token as a number: '7', 'seven', 'fourish', '4ish'."""
    if tok.endswith("ish") and len(tok) > 3:
        tok = tok[:-3]
    if tok.isdigit():
        return float(int(tok[:6]))
    if tok in UNITS:
        return float(UNITS[tok])
    if tok in TENS:
        return float(TENS[tok])
    return None


def _read(toks: tuple[str, ...], i: int) -> tuple[float, int] | None:
    """The number starting at token i, with the index after it, or None."""
    value = _word_value(toks[i])
    if value is None:
        if toks[i] in SOUNDALIKES and ((i > 0 and toks[i - 1] in ("a", "an")) or len(toks) == 1):
            return float(SOUNDALIKES[toks[i]]), i + 1
        if toks[i] == "half" and toks[i - 1:i] != ("a",):
            return 5.0, i + 1
        if toks[i] == "hundred" or (toks[i] == "a" and toks[i + 1:i + 2] == ("hundred",)):
            return 100.0, i + (2 if toks[i] == "a" else 1)
        return None
    j = i + 1
    if toks[i] in TENS and j < len(toks) and toks[j] in UNITS and 0 < UNITS[toks[j]] < 10:
        value += UNITS[toks[j]]
        j += 1
    if toks[j:j + 1] == ("hundred",):
        value, j = value * 100, j + 1
    if toks[j:j + 1] == ("point",) and j + 1 < len(toks):
        frac = _word_value(toks[j + 1])
        if frac is not None and frac < 10:
            value, j = value + frac / 10, j + 2
    if toks[j:j + 3] == ("and", "a", "half"):
        value, j = value + 0.5, j + 3
    return value, j


def _scale(toks: tuple[str, ...], j: int) -> tuple[float, int] | None:
    """A scale after a number: 'out of ten', 'out of a hundred', 'percent'; (divisor, next)."""
    if toks[j:j + 1] in (("percent",), ("per",)):
        return 10.0, j + (2 if toks[j:j + 2] == ("per", "cent") else 1)
    if toks[j:j + 2] == ("out", "of") and j + 2 < len(toks):
        read = _read(toks, j + 2)
        if read and read[0] > 0:
            return read[0] / 10, read[1]
    k = j  # "six, up, up ten": 'out of ten' misheard (hearing benchmark)
    while k < len(toks) and k - j < 5 and (toks[k] in OUT_OF_HEARD or toks[k] == BREAK):
        k += 1
    if OUT_OF_HEARD & set(toks[j:k]) and toks[k:k + 1] == ("ten",):
        return 1.0, k + 1
    return None


OUT_OF_HEARD = frozenset({"up", "out", "outta", "of"})
"""What a recognizer writes for 'out of' before 'ten'."""


def _denominators(toks: tuple[str, ...]) -> tuple[set[int], float | None]:
    """Scale words said apart from a rating ('and out of ten, seven', 'on a scale of one to ten').

    Returns the token positions that are the scale, not a rating, and the divisor it implies for
    the bare ratings ('out of a hundred, maybe eighty' -> 10.0), or None.
    """
    skip: set[int] = set()
    divisor = None
    for i in range(len(toks)):
        if toks[i:i + 2] == ("out", "of") and (i == 0 or _read(toks, i - 1) is None):
            read = _read(toks, i + 2) if i + 2 < len(toks) else None
            if read and read[0] > 0:
                skip.update(range(i + 2, read[1]))
                divisor = read[0] / 10
        low = _read(toks, i)
        if low and low[0] in (0.0, 1.0) and toks[low[1]:low[1] + 1] == ("to",):
            high = _read(toks, low[1] + 1) if low[1] + 1 < len(toks) else None
            if high and high[0] in SCALE_ENDS:
                skip.update(range(i, high[1]))
                divisor = high[0] / 10
    return skip, divisor


def ratings(toks: tuple[str, ...]) -> list[Rating]:
    """Every number in the tokens, scaled to 0..10 where a scale was said."""
    skip, divisor = _denominators(toks)
    found: list[Rating] = []
    i = 0
    while i < len(toks):
        read = None if i in skip else _read(toks, i)
        if read is None:
            i += 1
            continue
        value, j = read
        scale = _scale(toks, j)
        if scale:
            value, j = value / scale[0], scale[1]
        elif divisor:
            value, scale = value / divisor, (divisor, j)
        found.append(Rating(round(value, 2), i, j, scale is not None))
        i = j
    return found


def _usable(toks: tuple[str, ...], r: Rating) -> bool:
    return 0 <= r.value <= 10 and (r.scaled or toks[r.end:r.end + 1] not in
                                   [(w,) for w in NOT_RATINGS])


PAST = frozenset({"was", "were", "earlier", "before", "started", "used"})
"""Words that put a rating in the past ('it was a ten')."""
CURRENT_REACH = 6
"""How many words before a rating a 'now' still marks it ('now it's more like a five')."""
TRAILING = frozenset({"maybe", "i", "guess", "think", "probably", "or", "so", "now", "right",
                      "honestly", "ish", "tops", "really", "though", "anyway"})
"""Words that may follow a rating said last without hiding it ('three maybe', 'zero i guess')."""


def _since(toks: tuple[str, ...], found: list[Rating], r: Rating) -> int:
    """Where the words that belong to `r` begin: after the rating before it."""
    end = max((f.end for f in found if f.end <= r.start), default=0)
    past = PAST & set(toks[end + 1:r.start])
    # 'a seven now it was a ten': that 'now' is the seven's; 'was ten now six': the six's
    return end + 1 if toks[end:end + 1] == ("now",) and past else end


def _is_current(toks: tuple[str, ...], r: Rating, since: int = 0) -> bool:
    """'now like a five', 'a seven now': the rating said as the present one."""
    return bool(CURRENT & set(toks[max(since, r.start - CURRENT_REACH):r.start])) or \
        toks[r.end:r.end + 1] == ("now",)


def _someone_elses(toks: tuple[str, ...], r: Rating, since: int) -> bool:
    """'my boss is a ten', 'my roommate's at a ten': a rating of another person, by the
    emotions vocabulary's list of others, said between the rating before and this one."""
    from companion.understand.vocab import load

    others = load("emotions").setting("others")
    words = toks[max(since, r.start - CURRENT_REACH):r.start]
    for n in range(len(words) - 1, -1, -1):
        w = words[n]
        if w in others or (w.endswith("s") and w[:-1] in others):
            return True
        if w in ("it", "i") and not (SAYS & set(words[max(0, n - 2):n])):
            return False  # "she always exaggerates, it's a three": the client's again
    return False


SAYS = frozenset({"say", "says", "said", "think", "thinks", "thought", "call", "calls"})
"""Words before 'it is' that make the rating another person's ('my sister would say it's a
ten')."""


def said_last(toks: tuple[str, ...], r: Rating) -> bool:
    """The rating ends the answer, maybe with a hedge after it ('three maybe')."""
    return r.start > 0 and all(t in TRAILING for t in toks[r.end:])


def _choose(toks: tuple[str, ...], found: list[Rating]) -> float | None:
    """Several ratings: the current one when it changed ('was ten now six'), the one not denied
    ('not a ten, more like a seven'; none when every one is denied), else the highest (a
    range, 'seven maybe eight', is read as its top: the cautious reading for an urge near the
    safety threshold)."""
    denied = [r for r in found if _denied(toks, r)]
    if len(denied) == len(found):
        return None  # none said, or "it's not a ten but it's up there": no rating given
    kept = [r for r in found
            if r not in denied and "not" not in toks[max(0, r.start - 2):r.start]]
    found = kept or found
    mine = [r for r in found if not _someone_elses(toks, r, _since(toks, found, r))]
    found = mine or found
    marked = [r for r in found if _marked(toks, r)] or _felt_not_bodily(toks, found)
    found = marked or found  # "a two for the feeling but a ten for sleepy"
    now = [r for r in found if not _said_as_past(toks, r)]
    found = now or found  # "four, i think it was like a seven before i did the ice"
    current = [r for r in found if _is_current(toks, r, _since(toks, found, r))]
    if len(found) > 1 and _taken_back(toks, found[-2], found[-1]):
        value = found[-1].value
    elif len(found) > 1 and current:
        value = current[-1].value
    elif len(found) > 1 and SHIFT & set(toks):
        value = found[-1].value
    else:
        value = max(r.value for r in found)
    return float(value)


def _denied(toks: tuple[str, ...], r: Rating) -> bool:
    """'not a ten', 'not even a ten', 'not ten' (but not "i don't need three")."""
    before = toks[max(0, r.start - 3):r.start]
    while before and before[-1] in ("a", "an", "even", "quite", "really"):
        before = before[:-1]
    return bool(before) and before[-1] == "not" and not set(before[-2:-1]) & VERB_NOT


VERB_NOT = frozenset({"do", "does", "did", "can", "could", "would", "will", "should", "need"})
"""Words before 'not' that deny a verb, not the number after it ("i promised i wouldn't,
seven")."""


MARKS = frozenset({"feeling", "feelings", "emotion", "emotions", "urge", "urges"})
"""Words next to a rating that say it is the one asked for ('a two for the feeling')."""
FEELINGS = frozenset({"sadness", "anger", "fear", "anxiety", "shame", "guilt", "mood", "panic",
                      "grief"})
BODY = frozenset({"pain", "pains", "ache", "aches", "back", "shoulder", "knee", "knees", "head",
                  "headache", "migraine", "hip", "neck", "tiredness", "energy", "hunger"})
"""A rating beside one of FEELINGS is the one asked for when another is beside one of BODY
("my shoulder pain's at eight but the sadness is more like five")."""
MARK_REACH = 4


def _felt_not_bodily(toks: tuple[str, ...], found: list[Rating]) -> list[Rating]:
    """The ratings said of a named feeling, when another is said of the body (FEELINGS, BODY)."""
    felt = [r for r in found if _marked(toks, r, FEELINGS)]
    bodily = [r for r in found if r not in felt and _marked(toks, r, BODY)]
    return felt if felt and bodily else []


def _marked(toks: tuple[str, ...], r: Rating, marks: frozenset[str] = MARKS) -> bool:
    """A rating said as the feeling's or the urge's ('five on the feelings scale')."""
    after = list(itertools.takewhile(lambda t: t not in MARK_BREAKS, toks[r.end:r.end + MARK_REACH]))
    before = list(itertools.takewhile(lambda t: t not in MARK_BREAKS,
                                      reversed(toks[max(0, r.start - MARK_REACH):r.start])))
    return bool(marks & set(after + before))


MARK_BREAKS = frozenset({"but", "and", "so", "or"})


PAST_AFTER = frozenset({"before", "earlier", "ago", "yesterday"})
"""Words right after a rating that put it in the past ('a seven before the ice')."""


def _said_as_past(toks: tuple[str, ...], r: Rating) -> bool:
    """'it was like a seven before', 'it started at a four': a rating that no longer holds."""
    return bool(PAST_AFTER & set(toks[r.end:r.end + 2])) or \
        bool(PAST & set(toks[max(0, r.start - 3):r.start]))


RETRACT = frozenset({"no", "nah", "nope", "wait", "actually", "mean", "sorry", "rather", "scratch"})
"""Words between two ratings that take the first back ('nine nah eight', 'eight no wait six')."""
RETRACT_GAP = 4


def _taken_back(toks: tuple[str, ...], first: Rating, then: Rating) -> bool:
    gap = toks[first.end:then.start]
    return len(gap) <= RETRACT_GAP and bool(RETRACT & set(gap))


def parse_intensity(text: str) -> float | None:
    """An answer to 'how strong, 0 to 10?' as a number, or None if there isn't one."""
    toks = tokens(text)
    found = [r for r in ratings(toks) if _usable(toks, r)]

    if counted_out(found):
        return None  # "three, two, three, four, five, six, seven": a recognizer run, asked again
    if not found:
        joined = " ".join(toks)
        zero = any(f" {z} " in f" {joined} " for z in ZERO_ANSWERS)
        return 0.0 if zero and not ratings(toks) else None
    return _choose(toks, found)


COUNTED_RUN = 3
"""This many numbers in a row, each one more than the last, are a count, not a rating."""


def counted_out(found: list[Rating]) -> bool:
    """Whether the numbers said run upward one by one (a recognizer counting, not a rating)."""
    run = 1
    for before, after in itertools.pairwise(found):
        run = run + 1 if after.value == before.value + 1 and not after.scaled else 1
        if run >= COUNTED_RUN:
            return True
    return False


def cued_intensity(text: str, named_ends: Collection[int] = ()) -> float | None:
    """A rating inside an emotion or urge answer, only when cued ('sad like a 7', '8 out of 10'),
    said right after the feeling or urge it rates ('shame ten, i've already ...': `named_ends`
    are the token positions where the named items end) or said last, as the answer to 'how
    strong?' ('rage, pure rage, eight')."""
    toks = tokens(text)
    found = []
    for r in ratings(toks):
        cued = (r.scaled or bool(CUES & set(toks[max(0, r.start - 2):r.start]))
                or r.start in named_ends or said_last(toks, r))
        if toks[r.start] == "one" and not r.scaled and toks[r.start - 1:r.start] != ("a",):
            cued = False
        if cued and _usable(toks, r):
            found.append(r)
    return _choose(toks, found)
