"""Short replies: worksheet commands (whole-answer only) and yes/no answers."""

from __future__ import annotations

import re
from functools import cache

from companion.data import load_data
from companion.understand.crisis import detect_crisis
from companion.understand.text import BREAK, tokens
from companion.understand.vocab import Vocab, fuzzy_lookup, load, rewrite, spans

YESNO_REACH = 5
"""A yes and a no (or an 'unsure') within this many leading tokens make the answer unclear."""


def _strip(words: list[str], fillers: frozenset[str], leading: bool) -> list[str] | None:
    """The words without one filler phrase at the start (or end); None if none is there."""
    for n in range(min(5, len(words)), 0, -1):
        part = words[:n] if leading else words[-n:]
        if " ".join(part) in fillers:
            return words[n:] if leading else words[:-n]
    return None


def _cores(words: list[str], vocab: Vocab) -> list[list[str]]:
    """The answer, then ever shorter versions with polite or hesitant words peeled off."""
    leading, trailing = vocab.setting("leading"), vocab.setting("trailing")
    out = [words]
    for fillers, is_leading in ((trailing, False), (leading, True), (trailing, False)):
        while True:
            shorter = _strip(out[-1], fillers, is_leading)
            if not shorter:
                break
            out.append(shorter)
    return out


def detect_command(text: str) -> str | None:
    """'repeat', 'skip', 'back', 'stop' or 'help' when that is the whole answer, or when it
    leads a reason said as a sentence of its own (see command_with_words), else None."""
    return _command(text)[0]


def command_with_words(text: str) -> bool:
    """Whether the reply is a command followed by more words ("stop i can't do this anymore"):
    those words are the client's own and must be heard (the dialog engine triages them)."""
    return _command(text)[1]


def _command(text: str) -> tuple[str | None, bool]:
    words = [t for t in tokens(text) if t != BREAK]
    if not words:
        return None, False
    said = load("yesno").exact.get(" ".join(words))
    if said is not None and said.item != "unsure":  # "uh huh" is a yes, not "huh?"
        return None, False
    deduped = [w for i, w in enumerate(words) if i == 0 or w != words[i - 1]]
    vocab = load("commands")
    if len(words) <= 14:
        for core in _cores(deduped, vocab):
            found = _whole_command(core, vocab)
            if found is None:
                found = _repeated_command(core, vocab)
            if found is not None:
                return found, False
    led = _led_command(deduped, vocab) or _trailed_command(deduped, vocab)
    return led, led is not None


def _led_command(words: list[str], vocab: Vocab) -> str | None:
    """A command said first, then its reason as a sentence of its own ("skip this i'm not
    ready", "stop stop my kid just woke up"). Only commands that cannot be an answer's first word
    lead (`lead_words`, or a phrase of two words or more, never help), the reason must start
    like a new sentence (`reasons`), and reported speech ("stop it i told him") is not one."""
    core = _cores(words, vocab)[-1] if words[0] not in vocab.setting("lead_words") else words
    for cut in range(min(LEAD_MAX, len(core) - 1), 0, -1):
        lead, rest = core[:cut], core[cut:]
        if cut == 1 and lead[0] not in vocab.setting("lead_words"):
            continue
        reasons = vocab.setting("reasons") | (vocab.setting("phrase_reasons") if cut > 1 else set())
        found = _whole_command(lead, vocab)
        if found is None:
            continue
        crisis = cut > 1 and _navigates(found, lead) and _crisis(rest)
        # ("skip it doesn't matter i won't be here next week")
        if not crisis and (found == "help" or not _starts(rest, reasons)):
            continue
        if not _navigates(found, lead) and set(lead) & set(rest) & RESTATED:
            return None  # "i'm done i'm done i'm so done with this landlord": said of the landlord
        mistaken = found == "back" and bool(MISTAKEN & set(rest))
        if not (mistaken or crisis) and (_starts(rest, vocab.setting("reported"))
                                         or _holds(rest, vocab.setting("reported"), (2,))):
            return None  # ("go back i said seven i meant five" is no reported speech, nor
            # "go back i said i was fine but i took too many": its words are triaged)
        return found
    return None


TRAIL_MAX = 9
"""Longest command phrase that ends a reply after its reason ("sorry i was miles away the
kettle was going can you say that one again")."""
REPORTED_BEFORE = 4  # reported speech this many words before a request makes it a quote
OBJECTS = frozenset({"that", "it", "this"})  # may end a clause before 'can we ...'


def _trailed_command(words: list[str], vocab: Vocab) -> str | None:
    """A reason first, then the command as a request of its own at the end: the last words
    start with a request opener ('can you', 'just', 'what') and are a whole command of two words
    or more once polite words are peeled off."""
    for tail in _tails(words, vocab, vocab.setting("trail_openers")):
        core = _cores(tail, vocab)[-1]
        found = _whole_command(core, vocab) if len(core) >= 2 else None
        if found is not None:
            return found
    return None


def _tails(words: list[str], vocab: Vocab, openers: frozenset[str]) -> list[list[str]]:
    """The ends of a reply that can be a request of their own after a reason, longest first:
    they start with a request opener (`openers`) after a word that can end a clause (not
    one of `trail_not_after`: 'i tried to get him to just stop it'; a request to the
    companion, `ask_openers`, may follow an object: "i'd rather not answer that can we go to
    the next one"), at most TRAIL_MAX words; none right after reported speech ('he said can
    you just stop'; "the last one i said seven but i meant four can we go back" is a request)."""
    not_after, asks = vocab.setting("trail_not_after"), vocab.setting("ask_openers")
    reported = vocab.setting("reported")
    return [words[start:] for start in range(max(2, len(words) - TRAIL_MAX), len(words) - 1)
            if _starts(words[start:], openers, (1, 2))
            and (words[start - 1] not in not_after
                 or words[start - 1] in OBJECTS and _starts(words[start:], asks, (2,)))
            and not _holds(words[max(0, start - REPORTED_BEFORE):start], reported, (2, 3))]


def a_request(text: str) -> bool:
    """A reply that asks the companion for something ('ok um can we do the next one', 'let's
    skip this bit yeah'): it opens, after a yes-word and fillers, with a request opener
    (`ask_openers`); its 'ok' or 'yeah' is no answer to a question that was not a yes/no."""
    vocab = load("commands")
    words = [t for t in tokens(text) if t != BREAK]
    return any(_starts(core, vocab.setting("ask_openers"), (1, 2))
               for core in _cores(words, vocab))


def request_tails(text: str) -> list[str]:
    """The ends of a longer reply that may be a request of their own after its reason ("sorry
    i was miles away the kettle was going" + "can you say that one again"), for the semantic
    layer to judge as commands; longest first. Only requests made to the companion open them
    (`ask_openers`: 'can you', 'can we'): 'i don't know what to do' ends no reply with 'help'."""
    words = [t for t in tokens(text) if t != BREAK]
    vocab = load("commands")
    return [" ".join(tail) for tail in _tails(words, vocab, vocab.setting("ask_openers"))
            if " ".join(tail[2:]) not in vocab.setting("vague_requests")]


RESTATED = frozenset({"done", "finished", "enough", "out", "over"})
"""A stop said again in its reason is about what the reason names ('i'm done, i'm so done with
him'), not the session."""
MISTAKEN = frozenset({"meant", "wrong", "mistake", "messed"})
"""Words that make 'go back, i said ...' a correction of the client's own answer."""
LEAD_MAX = 7
"""Longest command phrase that leads a reply ("can we go back to the last one i messed up")."""


def _navigates(command: str, lead: list[str]) -> bool:
    """A lead that can only be about the worksheet: skip, back or repeat, or a stop said with
    'stop', 'pause', 'quit' or 'session' ('i'm done', 'help me' can be about anything)."""
    return command in ("skip", "back", "repeat") or (
        command == "stop" and bool({"stop", "pause", "quit", "session"} & set(lead)))


def _crisis(words: list[str]) -> bool:
    """Crisis language in the words after a command phrase: the command stands whatever they
    start with, and the dialog engine triages them before acting on it."""
    return bool(detect_crisis(" ".join(words)))


def _starts(words: list[str], phrases: frozenset[str], sizes: tuple[int, ...] = (1, 2, 3)
            ) -> bool:
    """Whether the words start with one of the phrases (of these word counts)."""
    return any(" ".join(words[:n]) in phrases for n in sizes)


def _holds(words: list[str], phrases: frozenset[str], sizes: tuple[int, ...]) -> bool:
    """Whether one of the phrases (of these word counts) is anywhere in the words."""
    return any(" ".join(words[i:i + n]) in phrases for n in sizes for i in range(len(words)))


def said_alone(text: str, word: str) -> bool:
    """Whether `word` is the whole reply once the polite or hesitant words the command reader
    peels off are gone ("um stop please", "i want to stop")."""
    words = [t for t in tokens(text) if t != BREAK]
    return [word] in _cores(words, load("commands"))


def _whole_command(words: list[str], vocab: Vocab) -> str | None:
    """The command these words say as one phrase, exactly or as a close misrecognition."""
    entry = vocab.exact.get(" ".join(words)) or fuzzy_lookup(vocab, tuple(words), 85)
    return entry.item if entry is not None else None


def _repeated_command(words: list[str], vocab: Vocab) -> str | None:
    """One command said twice in different words ("go back i said the wrong thing"), else None.

    Both halves must each be the whole of a phrase for the same command, so content that only
    contains a command word never qualifies.
    """
    for cut in range(1, len(words)):
        first = _whole_command(words[:cut], vocab)
        if first is not None and _whole_command(words[cut:], vocab) == first:
            return first
    return None


def parse_yesno(text: str, context: str = "") -> str | None:
    """'yes' or 'no' only when the reply is one: the whole reply is a yes/no phrase, or it
    leads with one ("yeah i'm okay", "no not really"); None for anything else ("i have an urge
    to cut myself", "i am scared", "maybe"). context "safe" adds "i'm safe" / "not safe"."""
    vocab = load("yesno")
    words = _reply_words(text, vocab)
    if not words:
        return None
    if context == "safe":
        for answer in ("no", "yes"):  # "i am not safe" holds "safe": no is checked first
            if _leads_with(words, vocab.setting(f"safe_{answer}")):
                return answer
    found = spans(vocab, tuple(words))
    plain = [s for s in found if " ".join(words[s.start:s.end]) not in vocab.setting("hedges")]
    if any(s.item != "unsure" for s in plain):
        found = plain  # "yeah kind of": the hedge leaves the yes a yes
    found = [s for s in found if not _a_state(words, s)]
    if len(words) > 2 and words[-2] in ANSWER_AFTER and found and found[-1].end == len(words) \
            and found[-1].start == len(words) - 1 and found[-1].item != "unsure":
        return found[-1].item  # "i said yes before but no", "my mum says i should but no"
    if found and found[0].start != 0:
        return _said_last(words, found, vocab)
    if not found or found[0].item == "unsure":
        return None
    first = found[0]
    rest = [s for s in found[1:] if s.item == first.item]
    covered = sum(s.end - s.start for s in rest) == len(words) - first.end
    if (" ".join(words[:first.end]) in vocab.setting("whole_only") and first.end < len(words)
            and not covered):  # "not really no" is a no; "i have an urge" is not a yes
        return None
    last = _last_correction(words, found)
    if last is not None:  # "no wait yes", "yes actually no", "yes no wait no", "yes no i mean yes"
        return last
    whole_only = vocab.setting("whole_only")
    early = {s.item for s in found if s.start < first.end + YESNO_REACH
             and (s is first or " ".join(words[s.start:s.end]) not in whole_only)}
    # ("nah i'm good": a later "i am" is part of the sentence, not a second answer)
    return None if "unsure" in early or {"yes", "no"} <= early else first.item


ANSWER_AFTER = frozenset({"but", "so"})
"""A one-word answer after these ends a reply with its answer ('... so yes')."""
STATE_WORDS = frozenset({"fine", "okay", "ok", "alright", "good"})


def _a_state(words: list[str], span) -> bool:
    """'fine' in 'no thanks i'm fine', 'it's fine': how someone is, not a second answer."""
    said = " ".join(words[span.start:span.end])
    return span.start > 1 and said in STATE_WORDS and words[span.start - 1] in ("am", "is")


LAST_MAX = 6
"""Longest reply whose answer may come last ('tak tak yes', 'do i have to ok fine yes')."""


def _said_last(words: list[str], found: list, vocab: Vocab) -> str | None:
    """A short reply that ends with its one answer, after words that are not one ('oo yes po',
    'do i have to, ok fine, yes'); a safety question still needs its yes first (plain_yes)."""
    items = {s.item for s in found}
    last = found[-1]
    if (len(words) > LAST_MAX or last.end != len(words) or len(items) != 1 or "unsure" in items
            or "but" in words  # "kinda but also no" is mixed
            or " ".join(words[last.start:last.end]) in vocab.setting("whole_only")):
        return None
    return last.item


def _reply_words(text: str, vocab: Vocab) -> list[str]:
    """The reply's words without the hesitations before its answer ("um yeah" -> "yeah"), but
    "uh huh (yeah)" stays whole: it is a yes before "uh" could be peeled off."""
    words = [t for t in tokens(text) if t != BREAK]
    for um in vocab.setting("um_before_no"):
        n = len(um.split())
        if " ".join(words[:n]) == um and words[n:n + 1] == ["no"]:
            words = words[n:]  # "i'm no, not really": a misheard "um no"
    leading = spans(vocab, tuple(words))
    if " ".join(words) in vocab.exact or (
            leading and leading[0].start == 0 and leading[0].item != "unsure"):
        return words
    return _peeled(words, vocab.setting("leading"))


def plain_yes(text: str) -> bool:
    """Every word after the leading yes is a plain one (yesno.toml plain_after_yes)."""
    vocab = load("yesno")
    words = _reply_words(text, vocab)
    found = spans(vocab, tuple(words))
    if not found or found[0].start != 0:
        return False
    return set(words[found[0].end:]) <= vocab.setting("plain_after_yes")


CORRECTIONS = frozenset({"wait", "actually", "sorry", "mean"})
"""A word after a yes or no that takes it back for what follows ('no wait yes')."""
CORRECTION_REACH = 2
"""The answer that replaces a taken-back one comes this close after the correction word."""


def _last_correction(words: list[str], found: list) -> str | None:
    """The yes or no said right after the last correction word, when a different answer came
    before it: the one the client settled on."""
    marks = [i for i, w in enumerate(words[:found[-1].start]) if w in CORRECTIONS]
    if not marks:
        return None
    after = [s for s in found if 0 < s.start - marks[-1] <= CORRECTION_REACH]
    before = {s.item for s in found if s.end <= marks[-1]}
    if not after or after[0].item == "unsure" or not before - {after[0].item}:
        return None
    return after[0].item


def _peeled(words: list[str], fillers: frozenset[str]) -> list[str]:
    while (shorter := _strip(words, fillers, leading=True)) is not None and shorter != words:
        words = shorter
    return words


def _leads_with(words: list[str], phrases: frozenset[str]) -> bool:
    return any(words[:len(p.split())] == p.split() for p in phrases)


_SOUND = re.compile(r"u+m+|u+h+|h+m+|e+r+m*|a+h+|m+h*m+|o+h+")
"""Hesitation sounds however they are spelled: 'ummm', 'hmmm', 'uhhh'."""


@cache
def _replies() -> dict:
    """replies.toml compiled: filler phrases, whole phrases, word sets, respellings."""
    data = load_data("replies.toml")
    phrases = {p: "unsure" for p in data["unsure"]} | {p: "none" for p in data["none"]}
    fillers = {tuple(f.split()): () for f in data["fillers"]}  # rewritten to nothing
    respell = {tuple(k.split()): tuple(v.split()) for k, v in data.get("respell", {}).items()}
    sets = {kind: (frozenset(data[f"{kind}_core"]),
                   frozenset(w for p in data[f"{kind}_words"] for w in p.split()))
            for kind in ("none", "unsure")}
    return {"fillers": fillers, "phrases": phrases, "respell": respell, "sets": sets}


def reply_kind(text: str) -> str | None:
    """'filler' (only sounds like 'um'), 'none' ('nothing', "i didn't try anything"), 'unsure'
    ("i don't know"), or None when the answer says something (see data/replies.toml)."""
    data = _replies()
    words = [t for t in tokens(text) if t != BREAK]
    if not words:
        return None
    words = rewrite(words, data["respell"])
    kept = [w for w in rewrite(words, data["fillers"]) if not _SOUND.fullmatch(w)]
    kept = [w for i, w in enumerate(kept) if i == 0 or w != kept[i - 1]]
    if not kept:
        return "filler"
    phrase = data["phrases"].get(" ".join(kept))
    if phrase:
        return phrase
    for kind in ("none", "unsure"):
        core, allowed = data["sets"][kind]
        if set(kept) <= allowed and core & set(kept) and not _negates_wellbeing(kept):
            return kind
    return None


def _negates_wellbeing(words: list[str]) -> bool:
    """'not okay', 'nothing is fine': words about being unwell are content, never 'none'."""
    return any(w in ("okay", "ok", "fine", "good", "alright") for w in words)
