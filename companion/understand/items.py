"""Emotions, urges and skills named in an answer: matches minus negated or context-less ones."""

from __future__ import annotations

from companion.understand.text import BREAK, tokens
from companion.understand.vocab import Span, load, spans

NEGATORS = frozenset({"not", "no", "never", "without", "nor", "neither", "hardly", "zero"})
"""Words that deny what follows them."""

SCOPE = 4
"""How many tokens after a negator it reaches (clause breaks end it sooner)."""

CLAUSE_BREAKS = frozenset({
    BREAK, "but", "just", "and", "or", "so", "because", "though", "although", "instead",
    "rather", "more", "except", "i", "then", "now", "anymore", "yet", "only", "also", "mostly",
})
"""Words after which a negation no longer applies ('not angry, just hurt')."""


NOT_NEGATING = frozenset({"one", "body", "matter", "doubt", "wonder", "stop", "help", "sure",
                          "actually", "wait", "me", "him", "her", "them", "us"})
"""Words that make a negator part of an expression ('no one would miss me', 'can't stop crying',
'not sure'), or a correction ('no actually that's shame', 'no wait more like hurt')."""


LATE_DENIALS = frozenset({
    "i did not", "did not", "i have not", "i could not", "i never did", "i did not do it",
    "i did not use it", "i did not try it", "i did not really", "not really", "i forgot",
})
"""A clause 'but ...' that takes back what came before ('i wanted to use fast but i didn't')."""
PASSED = ("that passed", "it passed", "that is passed", "it is gone", "that is gone", "it went away",
          "that went away", "it faded", "not anymore", "the urge is gone", "the urge passed",
          "the urge went away", "i decided not to", "decided not to", "decided against it",
          "it is passed", "it has passed", "it is gone now", "that has passed",
          "i have decided against it", "i decided against it", "talked myself out of it")
"""A clause 'but ...' that starts by saying it is over ('i wanted to drink earlier but that
passed i'm okay now'), whatever follows."""

LATE_AFFIRMATIONS = frozenset({
    "i want to", "i still want to", "i really want to", "i kind of want to", "i do want to",
    "i really do want to", "i still do", "i want it", "i really want it",
})
"""A clause 'but ...' that affirms a denied urge ('i'm not going to drink but i want to')."""


def clause_ends(toks: tuple[str, ...]) -> list[int]:
    """For each position, where its clause ends (the next BREAK, or the end of the text)."""
    ends, end = [0] * (len(toks) + 1), len(toks)
    for i in range(len(toks), -1, -1):
        if i < len(toks) and toks[i] == BREAK:
            end = i
        ends[i] = end
    return ends


def _passed(tail: str) -> bool:
    """The 'but ...' clause starts or ends by saying the urge is over (PASSED)."""
    return any(tail == p or tail.startswith(f"{p} ") or tail.endswith(f" {p}") for p in PASSED)


def late_tail(toks: tuple[str, ...], span: Span, ends: list[int]) -> str | None:
    """The words after a 'but' that ends the span's clause ('but i didn't'), if short, or
    that comes right after the span ('drink but i decided not to and ...'), or shortly after
    it saying it is over ('angry at the meeting but that's passed now, i'm just tired ...')."""
    end = ends[span.end]
    for i in range(span.end, end):
        if toks[i] != "but":
            continue
        tail = " ".join(toks[i + 1:end])
        passed = i - span.end <= LATE_NEAR + PAST_OBJECT and any(
            tail.startswith(f"{p} ") for p in PASSED)
        if i - span.end <= LATE_NEAR or end - i <= LATE_TAIL or passed:
            if i - span.end > LATE_NEAR and _new_clause(toks[span.end:i]):
                return None  # "i did the ice and i was going to call but i didn't": the call
            return tail
    return None


def _new_clause(words: tuple[str, ...]) -> bool:
    """Whether the words start a clause of the client's own ('and i', 'then i')."""
    words = tuple(w for w in words if w not in ("um", "uh", "erm", "like"))
    return any(words[k] in ("and", "then", "so") and words[k + 1] == "i"
               for k in range(len(words) - 1))


LATE_NEAR, LATE_TAIL = 2, 8
"""A 'but' at most this many words after the item, or starting the last words of its clause."""


def _late_clause(toks: tuple[str, ...], span: Span, ends: list[int],
                 denial_starts: frozenset[str] = frozenset()) -> str | None:
    """'deny' or 'affirm' when the sentence ends with 'but <late denial/affirmation>', or
    (`denial_starts`) goes on 'but i don't think i am ...'."""
    tail = late_tail(toks, span, ends)
    if tail in LATE_DENIALS or (tail and _passed(tail)) or (tail and any(
            f"{tail} ".startswith(f"{d} ") for d in denial_starts)):
        return "deny"
    if tail in LATE_AFFIRMATIONS:
        return "affirm"
    return None


def negated(toks: tuple[str, ...], span: Span, claimed: set[int], scope: int = SCOPE,
            items: set[int] | None = None) -> bool:
    """True when a negator a few words before the span, in the same clause, denies it; with
    `items` (positions of other items), not when another item lies between them."""
    for pos in range(span.start - 1, max(-1, span.start - 1 - scope), -1):
        tok = toks[pos]
        if pos in claimed:
            if items is not None and pos in items:
                return False  # "no not angry ashamed": the 'not' is angry's, the nearer one's
            continue
        if tok in NEGATORS and toks[pos + 1] not in NOT_NEGATING:
            return True
        if tok in CLAUSE_BREAKS:
            return False
    return False


PLAN_SCOPE = 6
"""How many words before a skill a 'going to' / 'thought about' reaches."""
PLAN_BREAKS = frozenset({BREAK, "but", "and", "so", "then", "because", "instead"})


def not_done(toks: tuple[str, ...], span: Span, ends: list[int],
             plans: tuple[frozenset[str], frozenset[str]]) -> bool:
    """A skill only planned or thought of: 'i was going to try ice', '... but i didn't'."""
    before, after = plans
    if not (before or after):
        return False
    start = span.start
    while start > max(0, span.start - PLAN_SCOPE) and toks[start - 1] not in PLAN_BREAKS:
        start -= 1
    window = f" {' '.join(toks[start:span.start])} "
    if any(f" {phrase} " in window for phrase in before):
        return True
    tail = toks[span.end:ends[span.end]]
    if _new_clause(tail):
        return False  # "i splashed my face and i was gonna journal but didn't": the later plan
    said = " ".join(tail)
    return any(said == phrase or said.endswith(f" {phrase}") for phrase in after)


SUBJECT_SCOPE = 5
"""How many words before an item its subject is looked for (a vocabulary's `subject_scope`
setting may reach further: 'everybody at the party was doing shots')."""
SELF = frozenset({"i", "me", "myself", "my"})
SUBJECT_BREAKS = frozenset({BREAK, "but", "and", "because", "while", "though"})
ASKED = frozenset({"asked", "texted", "called", "rang", "messaged", "phoned", "emailed"})
"""Verbs after which a person is the client's object, not a subject ('i asked my roommate')."""
GO_AND = frozenset({("go",), ("come",), ("went",), ("going",), ("gonna",), ("try",), ("out",)})
SO_THEN = frozenset({"just", "yeah", "um", "uh", "basically", "honestly", "overall", "mostly"})
"""Words after 'so' that make it start the client's own clause ('my sister lands tomorrow so
just joy'), unlike 'so' before a feeling ('my mom was so angry')."""


def someone_else(toks: tuple[str, ...], span: Span, others: frozenset[str],
                 after: frozenset[str] = frozenset(), scope: int = SUBJECT_SCOPE) -> bool:
    """The item's nearest subject is another person ('my mom is furious at me'), or it is felt
    toward the client (`after`: 'everyone in the group chat is mad at me')."""
    if any(" ".join(toks[span.end:span.end + len(a.split())]) == a for a in after):
        return True
    if not others:
        return False
    for pos in range(span.start - 1, max(-1, span.start - 1 - scope), -1):
        tok = toks[pos]
        if tok in others or (tok.endswith("s") and tok[:-1] in others):  # "my brother's"
            return not _object_of_mine(toks, pos)
        if tok == "and" and toks[pos - 1:pos] in GO_AND:
            continue  # "my cousin wants to go and fight the guy": one sentence, one subject
        if _subject_ends(toks, pos, others):
            return False  # "my mom" is the mom; "i", "me" and "my" alone are the client
    return False


def _subject_ends(toks: tuple[str, ...], pos: int, others: frozenset[str]) -> bool:
    """Looking back from an item, the word at `pos` starts the client's own clause."""
    tok, after = toks[pos], toks[pos + 1] if pos + 1 < len(toks) else ""
    return (tok in SUBJECT_BREAKS or (tok == "so" and after in SO_THEN)
            or (tok in SELF and after not in others))


def _object_of_mine(toks: tuple[str, ...], pos: int) -> bool:
    """The person at `pos` is the object of the client's own verb ("i asked my roommate for
    help the dear man way"): 'i <verb> my|the <person>'."""
    return (pos >= 3 and toks[pos - 1] in ("my", "the", "our") and toks[pos - 3] == "i"
            and toks[pos - 2] in ASKED)


CORRECTION_REACH = 6
"""Most words between a taken-back item and the one that replaces it."""


def _corrected(toks: tuple[str, ...], kept: list[Span],
               corrections: frozenset[str], far: frozenset[str] = frozenset()) -> list[Span]:
    """Drops an item the client took back for the next ('angry no wait more like hurt'); a
    plain correction ('no actually', `far`) reaches back however long the first item's clause
    was ('grossed out by myself after what i said to him no actually that's shame'), as long as
    the next item comes right after it."""
    if not (corrections or far) or len(kept) < 2:
        return kept
    out = []
    for span, after in zip(kept, [*kept[1:], None]):
        between = f" {' '.join(toks[span.end:after.start])} " if after else ""
        if (after is not None and after.item != span.item
                and ((after.start - span.end <= CORRECTION_REACH
                      and any(f" {c} " in between for c in corrections))
                     or _corrected_far(toks, span.end, after.start, far))):
            continue
        out.append(span)
    return out


FAR_NEAR = 4
"""Most words between a plain correction ('no actually') and the item it puts instead."""


def _corrected_far(toks: tuple[str, ...], start: int, end: int, far: frozenset[str]) -> bool:
    """A plain correction between positions start and end, at most FAR_NEAR words before end."""
    for n in range(start, end):
        for k in (1, 2, 3, 4):
            if " ".join(toks[n:n + k]) in far and n + k <= end and end - (n + k) <= FAR_NEAR:
                return True
    return False


def _past(toks: tuple[str, ...], span: Span, past_after: frozenset[str]) -> bool:
    """'i was mad earlier', 'i wanted to drink before', 'i used to cut': a feeling or urge said
    as over."""
    if not past_after:
        return False
    before = toks[max(0, span.start - 3):span.start]
    if " used to " in f" {' '.join(toks[max(0, span.start - 5):span.start])} " and not (
            {BREAK, "but", "and", "now"} & set(toks[max(0, span.start - 3):span.start])):
        return True  # "i used to (want to) cut in high school but no urges like that now"
    if not set(before) & {"was", "were", "wanted", "had"}:
        return False
    for skip in range(PAST_OBJECT + 1):  # "i wanted to punch the wall earlier"
        if set(toks[span.end:span.end + skip]) & {BREAK, "but", "and"}:
            break
        after = " ".join(toks[span.end + skip:span.end + skip + 3])
        if any(f" {after} ".startswith(f" {p} ") for p in past_after):
            return True
    return False


PAST_OBJECT = 2
"""Most words of an object between an urge and the word that dates it ('punch the wall
earlier')."""


def _last_said(toks: tuple[str, ...], kept: list[Span], denied: list[Span],
               past_after: frozenset[str], gone_now: frozenset[str] = frozenset()
               ) -> list[Span]:
    """What the client says last about an item holds: an item affirmed, then denied later
    ('i was gonna say angry but no i'm not angry i'm hurt'), is dropped; so is one said as
    over ('i was mad earlier') beside another that is not, or beside a plain 'none now'
    (`gone_now`)."""
    flat = [s for s in denied if _flatly_denied(toks, s)]
    last = {toks[s.start:s.end]: s for s in sorted([*kept, *flat], key=lambda s: s.start)}
    out = [s for s in kept if last[toks[s.start:s.end]] not in flat]
    now = [s for s in out if not _past(toks, s, past_after)]
    if out and not now and _joined_has(toks, gone_now):
        return []  # "i had urges to cut earlier but they went, so none now"
    return now if now and NOW & set(toks) else out


def _joined_has(toks: tuple[str, ...], phrases: frozenset[str]) -> bool:
    padded = f" {' '.join(toks)} "
    return any(f" {p} " in padded for p in phrases)


NOW = frozenset({"now", "anymore"})
"""Words that set what is felt now against what was felt before ('i was mad earlier, now ...')."""
FLAT = frozenset({"not", "never"})
FLAT_BETWEEN = frozenset({"am", "even", "really", "actually", "feeling", "feel"})


def _flatly_denied(toks: tuple[str, ...], span: Span) -> bool:
    """'i'm not angry', 'not even mad': a plain denial ('not that angry', 'not like crying
    sad' only soften it; 'angry no jealous' is a correction)."""
    for pos in range(span.start - 1, max(-1, span.start - 4), -1):
        if toks[pos] in FLAT:
            return True
        if toks[pos] not in FLAT_BETWEEN:
            return False
    return False


PLANNER_REACH = 3
"""How many words before a plan phrase its subject ('i', 'we') is looked for."""
PLANNERS = frozenset({"i", "we"})


def only_planned(text: str) -> bool:
    """A sentence that only plans or thinks of a skill ('i'm going to try the ice later'), by
    the same phrases as not_done, said by the client ('going to the party', 'it will pass' are
    not plans), or taken back at its end (the semantic layer skips such clauses)."""
    before = load("skills").setting("not_done_before")
    toks = tokens(text)
    for n in range(len(toks)):
        for k in (1, 2, 3, 4, 5):
            if " ".join(toks[n:n + k]) in before and (
                    n == 0 or PLANNERS & set(toks[max(0, n - PLANNER_REACH):n])):
                return True
    return taken_back(text)


def taken_back(text: str) -> bool:
    """A sentence ending with a phrase that says the skill was not done ('... but i chickened
    out', '... i didn't')."""
    joined = f" {' '.join(tokens(text))}"
    return any(joined.endswith(f" {p}") for p in load("skills").setting("not_done_after"))


LEADING = frozenset({"um", "uh", "so", "well", "like", "okay", "ok", "honestly", "and", "but",
                     "my", "our", "her", "his", "their", "the"})
"""Words before a sentence's subject ('um so my sister ...')."""


def someone_elses(text: str, group: str = "skills") -> bool:
    """A sentence whose subject is another person ('my mom said i should pray', 'my sister
    tried the stop skill'): what it tells is theirs (the semantic layer skips such clauses)."""
    others = load(group).setting("others")
    for tok in tokens(text)[:6]:
        if tok not in LEADING:
            return tok in others
    return False


def _has_context(toks: tuple[str, ...], span: Span, others: list[Span], settings) -> bool:
    """An ambiguous phrase counts only with a cue word, next to another item, or alone."""
    before = set(toks[max(0, span.start - 3):span.start])
    after = set(toks[span.end:span.end + 2])
    if before & settings["context_before"] or after & settings["context_after"]:
        return True
    for other in others:
        if other is not span and not other.ambiguous and (
                0 <= span.start - other.end <= 2 or 0 <= other.start - span.end <= 2):
            return True
    covered = {i for s in others for i in range(s.start, s.end)}
    rest = [t for i, t in enumerate(toks) if i not in covered and t != BREAK]
    return all(t in settings["fillers"] for t in rest)


def _others_at(found: list[Span], span: Span) -> set[int]:
    """Positions of the spans of other items than `span`'s."""
    return {i for s in found if s.item != span.item for i in range(s.start, s.end)}


def find_spans(group: str, text: str, own: bool = False) -> tuple[tuple[str, ...], list[Span]]:
    """Tokens and the affirmed spans of one vocabulary ('emotions', 'urges', 'skills', ...);
    with `own`, only the client's (not even the `others_kept` items of someone else)."""
    vocab = load(group)
    toks = tokens(text)
    found = spans(vocab, toks)
    claimed = {i for s in found for i in range(s.start, s.end)}
    settings = {name: vocab.setting(name)
                for name in ("context_before", "context_after", "fillers")}
    plans = (vocab.setting("not_done_before"), vocab.setting("not_done_after"))
    others, corrections = vocab.setting("others"), vocab.setting("corrections")
    others_kept, others_after = vocab.setting("others_kept"), vocab.setting("others_after")
    denial_starts = vocab.setting("late_denial_starts")
    scope = vocab.settings.get("subject_scope", SUBJECT_SCOPE)
    ends = clause_ends(toks)
    kept, denied = [], []
    for span in found:
        late = _late_clause(toks, span, ends, denial_starts)
        if late == "deny" or (negated(toks, span, claimed, items=_others_at(found, span))
                              and late != "affirm"):
            denied.append(span)
            continue
        if span.ambiguous and not _has_context(toks, span, found, settings):
            continue
        if not_done(toks, span, ends, plans) or (someone_else(toks, span, others, others_after,
                                                               scope)
                                                  and (own or span.item not in others_kept)):
            continue
        kept.append(span)
    kept = _last_said(toks, kept, denied, vocab.setting("past_after"),
                      vocab.setting("gone_now"))
    return toks, _corrected(toks, kept, corrections, vocab.setting("corrections_far"))


def find_items(group: str, text: str, own: bool = False) -> tuple[str, ...]:
    """Ids named in the text, in order of first mention, without duplicates (`own`: see
    find_spans)."""
    return item_ids(find_spans(group, text, own)[1])


def item_ids(found: list[Span]) -> tuple[str, ...]:
    """The ids of spans, in order of first mention, without duplicates."""
    return tuple(dict.fromkeys(s.item for s in found))


def denied_items(group: str, text: str, plain: bool = False) -> tuple[str, ...]:
    """Ids the text mentions only to deny them ('no urge to drink', 'i'm not angry'); with
    `plain`, only those it names plainly (not an ambiguous word such as 'observed' that lacked
    its cue)."""
    mentioned = dict.fromkeys(s.item for s in spans(load(group), tokens(text))
                              if not (plain and s.ambiguous))
    return tuple(i for i in mentioned if i not in find_items(group, text))


def only_denied(group: str, text: str) -> bool:
    """True when the text mentions items of `group` and denies every one ('no urges to drink')."""
    toks = tokens(text)
    mentioned = spans(load(group), toks)
    return bool(mentioned) and not find_spans(group, text)[1]
