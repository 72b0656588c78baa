"""Biasing recognition per question without putting words in the client's mouth: the choice
among hypotheses (tables), Vosk's phrase lists and n-best through a scripted recognizer, and
Whisper's rule that a prompted word counts only when the audio backs it (a scripted model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.audio.chunk import AudioChunk
from companion.understand.analysis import detect_crisis
from companion.voice.hypotheses import (
    GRAMMAR,
    Hypothesis,
    choose,
    joined,
    phrase_count,
    posteriors,
)
from companion.voice.listen import with_open_words_if_crisis
from companion.voice.vosk_engine import VoskRecognizer, parse_result
from companion.voice.whisper_engine import WhisperRecognizer, default_support
from companion.voice.whisper_words import Support, sounds_alike, unsupported

NUMBERS = ["one", "two", "three", "seven", "eight", "nine", "half", "and a half"]
SKILLS = ["dear man", "give", "cold water", "tip", "check the facts", "opposite action"]
EMOTIONS = ["angry", "ashamed", "sad", "hurt", "guilty"]


# -- tier 1: counting the question's phrases --------------------------------------------------

@pytest.mark.parametrize("phrases, text, count", [
    (NUMBERS, "seven and a half", 2),             # "seven", then the longest: "and a half"
    (NUMBERS, "i'm at eight or nine", 2),
    (NUMBERS, "Eight.", 1),                        # punctuation and case do not matter
    (NUMBERS, "eighteen", 0),                      # whole words only
    (NUMBERS, "like a date", 0),
    (SKILLS, "i did dear man and then give", 2),
    (SKILLS, "dear", 0),                           # half a phrase is no phrase
    (SKILLS, "check the facts, check the facts", 2),  # each time it is said
    (EMOTIONS, "i'm not angry i'm just hurt", 2),
    ([], "anything at all", 0),
])
def test_phrase_count(phrases, text, count):
    assert phrase_count(phrases)(text) == count


# -- tier 1: choosing ------------------------------------------------------------------------

def test_the_hypothesis_saying_most_of_the_vocabulary_wins():
    hyps = [Hypothesis("like a date"), Hypothesis("like an eight")]
    assert choose(hyps, phrase_count(NUMBERS)).text == "like an eight"


def test_a_tie_goes_to_the_top_hypothesis():
    hyps = [Hypothesis("i feel angry"), Hypothesis("i feel angry and sad", source="open")]
    scorer = phrase_count(["angry"])
    assert choose(hyps, scorer) is hyps[0]
    assert choose(hyps, lambda text: 0.0) is hyps[0]  # nothing to choose by: the top


def test_a_phrase_list_decode_that_is_mostly_unknown_is_passed_over():
    """A long sentence: the grammar found one phrase in it; the client's words are the answer."""
    grammar = Hypothesis("ashamed", source=GRAMMAR, unknown=7)
    heard = Hypothesis("my sister yelled at me and i felt ashamed")
    assert grammar.unknown_share == pytest.approx(7 / 8)
    assert choose([grammar, heard], phrase_count(EMOTIONS)) is heard


def test_a_phrase_list_decode_that_skipped_words_gives_way_in_a_tie():
    """"[unk] dear man with my [unk]": open dictation names the skill too, and keeps every word."""
    grammar = Hypothesis("dear man with my", source=GRAMMAR, unknown=2)
    heard = Hypothesis("i tried dear man with my mom")
    assert choose([grammar, heard], phrase_count(SKILLS)) is heard
    assert choose([grammar, Hypothesis("i tried the ear man")], phrase_count(SKILLS)) is grammar


def test_a_phrase_list_decode_that_heard_every_word_wins_a_tie():
    grammar = Hypothesis("like an eight", source=GRAMMAR)
    assert choose([grammar, Hypothesis("like an eight")], phrase_count(NUMBERS)) is grammar


def test_a_mostly_unknown_decode_is_still_the_answer_when_it_is_all_there_is():
    only = Hypothesis("", source=GRAMMAR, unknown=3)
    assert choose([only], phrase_count(NUMBERS)) is only
    assert choose([], phrase_count(NUMBERS)).text == ""


def test_open_dictation_hypotheses_are_never_passed_over_for_unknown_words():
    heard = Hypothesis("hello", unknown=5)  # only phrase-list decodes are judged by [unk]
    assert choose([heard], phrase_count(NUMBERS)) is heard


def test_stretches_join_into_one_hypothesis():
    parts = [Hypothesis("i feel", (("i", 0.9), ("feel", 0.8))),
             Hypothesis("", ()), Hypothesis("sad", (("sad", 0.7),), unknown=1)]
    whole = joined(parts)
    assert whole.text == "i feel sad" and whole.unknown == 1
    assert [w for w, _ in whole.words] == ["i", "feel", "sad"]
    assert joined(parts[:1]) is parts[0]


@pytest.mark.parametrize("scores", [[50.76, 49.76, 49.45], [3.0], [0.0, 0.0], [100.0, 1.0]])
def test_posteriors_are_shares_of_the_list(scores):
    shares = posteriors(scores)
    assert sum(shares) == pytest.approx(1.0)
    assert shares == sorted(shares, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in shares)


def test_no_scores_no_posteriors():
    assert posteriors([]) == []


# -- tier 1: Vosk's n-best JSON ----------------------------------------------------------------

def nbest(*entries: tuple[float, str]) -> str:
    """Vosk's Result() after SetMaxAlternatives: confidences, texts, word timings, no word conf."""
    return json.dumps({"alternatives": [
        {"confidence": conf, "text": text,
         "result": [{"word": w, "start": i * 0.3, "end": i * 0.3 + 0.3}
                    for i, w in enumerate(text.split())]}
        for conf, text in entries]})


def best(text: str, conf: float = 0.9) -> str:
    """Vosk's Result() without alternatives: one text, each word with its confidence."""
    return json.dumps({"text": text, "result": [
        {"word": w, "conf": conf, "start": 0.0, "end": 0.3} for w in text.split()]})


def test_parse_result_reads_alternatives():
    parsed = parse_result(nbest((50.76, "like a date"), (49.76, "like an eight"),
                                (40.0, "[unk] eight")))
    assert parsed["text"] == "like a date"
    assert [a.text for a in parsed["alternatives"]] == ["like a date", "like an eight", "eight"]
    assert parsed["alternatives"][2].unknown == 1
    top_share = posteriors([50.76, 49.76, 40.0])[0]
    assert parsed["words"] == [(w, pytest.approx(top_share)) for w in ("like", "a", "date")]


def test_parse_result_without_alternatives_is_one_hypothesis_with_word_confidences():
    parsed = parse_result(best("[unk] eight", 0.7))
    assert parsed["text"] == "eight" and parsed["unknown"] == 1
    assert parsed["words"] == [("eight", 0.7)]
    assert len(parsed["alternatives"]) == 1


@pytest.mark.parametrize("raw", ['{"alternatives": []}', '{"alternatives": [7]}',
                                 '{"alternatives": [{"confidence": 77.6, "text": ""}]}'])
def test_parse_result_odd_alternatives(raw):
    parsed = parse_result(raw)
    assert parsed["text"] == "" and parsed["words"] == [] and len(parsed["alternatives"]) == 1


# -- tier 2: the Vosk adapter over a scripted recognizer ----------------------------------------

class FakeModel:
    """Knows the words it is given (and [unk] when told)."""

    def __init__(self, words: set[str]) -> None:
        self.words = words

    def vosk_model_find_word(self, word: str) -> int:  # Vosk's name
        return 0 if word in self.words else -1


class ScriptedKaldi:
    """Stands in for a KaldiRecognizer: `results` come out one per AcceptWaveform (a pause
    ended a stretch), then `final` from FinalResult()."""

    def __init__(self, final: str, results: tuple[str, ...] = ()) -> None:
        self.final, self.results = final, list(results)
        self.alternatives: list[int] = []

    def SetWords(self, on):  # Vosk's names
        pass

    def SetMaxAlternatives(self, n):
        self.alternatives.append(n)

    def AcceptWaveform(self, data):
        return bool(self.results)

    def Result(self):
        return self.results.pop(0)

    def PartialResult(self):
        return '{"partial": ""}'

    def FinalResult(self):
        return self.final


ENGLISH = {"[unk]", "like", "an", "a", "eight", "i", "feel", "angry", "and", "ashamed", "not"}


def vosk(grammar: ScriptedKaldi | None, dictation: ScriptedKaldi, *, words=ENGLISH,
         **kw) -> VoskRecognizer:
    made = {"grammar": grammar, "open": dictation}
    kw.setdefault("grammars", {"intensity": ["eight", "like", "an", "a"],
                               "emotions": ["angry", "ashamed", "i feel", "and", "not"]})
    kw.setdefault("vocabularies", {"intensity": ["eight"], "emotions": ["angry", "ashamed"]})
    recognizer = VoskRecognizer(Path("unused"), loader=lambda path: FakeModel(words),
                                grammar_mode=True, sentence_kinds=["emotions"], alternatives=5,
                                kaldi=lambda model, rate, phrases: made[
                                    "grammar" if phrases else "open"], **kw)
    recognizer.wait()
    return recognizer


def answer(recognizer: VoskRecognizer, kind: str, pieces: int = 1):
    recognizer.start(kind, 16000)
    for _ in range(pieces):
        recognizer.accept(AudioChunk(16000, 2, 1, bytes(3200)))
    return recognizer.finish()


def test_a_rating_heard_by_the_phrase_list_beats_open_dictations_top():
    dictation = ScriptedKaldi(nbest((50.0, "like a date"), (49.0, "like an eight")))
    heard = answer(vosk(ScriptedKaldi(best("like an eight")), dictation), "intensity")
    assert heard.text == "like an eight" and heard.open_text == "like a date"
    assert heard.alternatives == ("like a date", "like an eight")
    assert dictation.alternatives == [5]  # open dictation kept its n-best for this kind


def test_a_long_sentence_keeps_the_clients_words_not_the_phrases_found_in_it():
    said = "my sister yelled at me and i felt ashamed"
    grammar = ScriptedKaldi(best("[unk] [unk] [unk] [unk] [unk] and [unk] [unk] ashamed"))
    dictation = ScriptedKaldi(nbest((80.0, "my sister yelled at me and i felt a shamed"),
                                    (79.5, said)))
    heard = answer(vosk(grammar, dictation), "emotions")
    assert heard.text == said  # the open alternative the vocabulary explains
    assert heard.open_text == "my sister yelled at me and i felt a shamed"


def test_a_short_feeling_answer_is_the_phrase_list_decode():
    grammar = ScriptedKaldi(best("i feel not angry"))
    dictation = ScriptedKaldi(nbest((60.0, "i feel not hungry")))
    heard = answer(vosk(grammar, dictation), "emotions")
    assert heard.text == "i feel not angry" and heard.open_text == "i feel not hungry"


def test_crisis_words_only_open_dictation_heard_still_reach_the_crisis_check():
    dictation = ScriptedKaldi(nbest((90.0, "eight i want to die"), (89.0, "eight i want to buy")))
    heard = answer(vosk(ScriptedKaldi(best("eight [unk] [unk] [unk]")), dictation), "intensity")
    assert heard.open_text == "eight i want to die"  # the top, whatever was chosen
    assert detect_crisis(with_open_words_if_crisis(heard, detect_crisis).text)


def test_crisis_words_in_the_top_survive_choosing_another_alternative():
    dictation = ScriptedKaldi(nbest((90.0, "i want to kill myself angry"),
                                    (89.9, "i want to fill my shelf angry ashamed")))
    heard = answer(vosk(None, dictation, grammars={}), "emotions")
    assert heard.text == "i want to fill my shelf angry ashamed"
    assert heard.open_text == "i want to kill myself angry"
    assert with_open_words_if_crisis(heard, detect_crisis).text == "i want to kill myself angry"


def test_a_sentence_kind_gets_no_phrase_list_from_a_model_without_unk():
    dictation = ScriptedKaldi(nbest((60.0, "i feel and cry"), (59.0, "i feel angry")))
    recognizer = vosk(ScriptedKaldi(best("angry")), dictation, words=ENGLISH - {"[unk]"})
    assert recognizer.grammar_for("emotions") is None
    assert recognizer.grammar_for("intensity") == ["eight", "like", "an", "a"]
    heard = answer(recognizer, "emotions")
    assert heard.text == "i feel angry" and heard.open_text == "i feel and cry"


def test_a_kind_without_vocabulary_is_plain_open_dictation():
    dictation = ScriptedKaldi(best("my boss yelled at me", 0.8))
    heard = answer(vosk(None, dictation), "free")
    assert dictation.alternatives == [0]  # the single best, with word confidences
    assert heard.text == "my boss yelled at me" and heard.open_text == ""
    assert heard.alternatives == () and heard.words[0] == ("my", 0.8)


def test_the_top_open_hypothesis_is_the_answer_when_it_is_chosen():
    dictation = ScriptedKaldi(nbest((60.0, "angry"), (59.0, "hungry")))
    heard = answer(vosk(None, dictation, grammars={}), "emotions")
    assert heard.text == "angry" and heard.open_text == ""  # nothing else to check


def test_each_stretch_of_an_answer_is_chosen_on_its_own():
    dictation = ScriptedKaldi(nbest((50.0, "and a shamed"), (49.0, "and ashamed")),
                              results=(nbest((40.0, "i feel hungry"), (39.0, "i feel angry")),))
    heard = answer(vosk(None, dictation, grammars={}), "emotions", pieces=2)
    assert heard.text == "i feel angry and ashamed"
    assert heard.open_text == "i feel hungry and a shamed"
    assert heard.alternatives == ("i feel hungry and a shamed", "i feel angry and ashamed")


def test_a_scorer_handed_in_replaces_the_phrase_counts():
    asked = []

    def scorer(kind: str, text: str) -> float:
        asked.append(kind)
        return float("hungry" in text)

    dictation = ScriptedKaldi(nbest((60.0, "angry"), (59.0, "hungry")))
    heard = answer(vosk(None, dictation, grammars={}, scorer=scorer), "free")
    assert heard.text == "hungry" and set(asked) == {"free"}
    assert dictation.alternatives == [5]  # a scorer handed in: every kind is weighed


def test_the_data_file_gives_every_grammar_kind_a_vocabulary():
    from companion.voice.vosk_engine import default_grammars

    grammars, vocabularies = default_grammars(), default_grammars("vocabulary")
    assert set(vocabularies) == set(grammars)
    for kind, phrases in vocabularies.items():
        assert set(phrases) <= set(grammars[kind]), kind
    assert "ashamed" in vocabularies["emotions"] and "i feel" not in vocabularies["emotions"]
    assert "not" in grammars["emotions"]  # a negation is heard, never dropped to [unk]
    assert "dear man" in vocabularies["skills"] and "eight" in vocabularies["intensity"]


# -- tier 1: Whisper's rule: a prompted word counts when the audio backs it ---------------------

URGES = frozenset({"drink", "binge", "hurt", "isolate"})
SKILL_WORDS = frozenset({"radical", "acceptance", "tipp", "accepts", "self", "soothing"})
RULE = Support({}, probability=0.1, alike=0.5)


def dropped(words, unprompted, checked):
    found = unsupported(words, unprompted, checked, RULE, sounds_alike)
    return [words[i][0] for i in sorted(found)]


@pytest.mark.parametrize("words, unprompted, checked, gone", [
    # inserted: unlikely without the prompt, and the unprompted decode heard something else
    ([("No", 0.6), ("no", 0.9), ("I'll", 0.2), ("drink", 0.03), ("tonight", 0.7)],
     "No, no urges tonight.", URGES, ["drink"]),
    ([("ACCEPTS", 0.26), ("I", 0.75), ("watch", 0.48), ("TIPP", 0.04)],
     "I watch Netflix.", SKILL_WORDS, ["TIPP"]),
    ([("I", 0.9), ("want", 0.9), ("to", 0.9), ("binge", 0.02)],  # nothing heard in its place
     "I want to", URGES, ["binge"]),
    # said: likely without the prompt
    ([("I", 0.9), ("want", 0.9), ("to", 0.9), ("drink", 0.92)], "I want a drink.", URGES, []),
    # said: unlikely, but the unprompted decode heard it too
    ([("drink", 0.05), ("maybe", 0.8)], "Drink, maybe.", URGES, []),
    # said: the prompt mended a mishearing of it (the unprompted words sound alike)
    ([("Radical", 0.01), ("acceptance", 0.3)], "radic luxeptance.", SKILL_WORDS, []),
    ([("Self-soothing", 0.05), ("I", 0.9), ("took", 0.9), ("a", 0.9), ("bath", 0.5)],
     "Self-food. I took a bath.", SKILL_WORDS, []),
    # not a word of the prompt: never the rule's business
    ([("urgency", 0.04), ("to", 0.4), ("die", 0.14)], "or just tonight", URGES, []),
])
def test_a_prompted_word_counts_only_when_the_audio_backs_it(words, unprompted, checked, gone):
    assert dropped(words, unprompted, checked) == gone


def test_numbers_negations_and_yes_no_are_never_checked():
    """A counted-out run must reach the rating check whole (it is asked again, never guessed),
    and taking out a 'no' or 'not' would turn an answer around."""
    support = default_support()
    assert not support.checked["intensity"]  # "three, two, three, four, five..." stays whole
    assert {"no", "not", "yes"}.isdisjoint(support.checked["yesno"])
    assert {"skip", "repeat"} <= support.checked["yesno"]
    assert {"drink", "binge", "hurt"} <= support.checked["urges"]
    assert "love" in support.checked["emotions"] and "tipp" in support.checked["skills"]
    assert 0.0 < support.probability < 1.0 and 0.0 < support.alike < 1.0


@pytest.mark.parametrize("a, b, alike", [
    ("radical acceptance", "radic luxeptance", True),
    ("check the facts", "check the fax", True),
    ("tipp", "netflix", False),
    ("i'll drink", "urges", False),
])
def test_sounds_alike_by_spelling(a, b, alike):
    assert (sounds_alike(a, b) >= RULE.alike) == alike


# -- tier 2: the Whisper adapter over a scripted model -----------------------------------------

class Word:
    def __init__(self, word: str, probability: float) -> None:
        self.word, self.probability = word, probability


class Segment:
    def __init__(self, text: str, words=None) -> None:
        self.text, self.words = text, words
        self.avg_logprob, self.no_speech_prob = -0.2, 0.01


def prompted(*pairs: tuple[str, float]) -> Segment:
    """What Whisper writes with the prompt: each word with its probability without it."""
    return Segment("".join(w for w, _ in pairs), [Word(w, p) for w, p in pairs])


class PromptAware:
    """Stands in for faster_whisper.WhisperModel: one answer with the prompt, another without."""

    def __init__(self, with_prompt: list[Segment], without: list[Segment]) -> None:
        self.with_prompt, self.without = with_prompt, without
        self.calls: list[dict] = []
        self.consumed = 0

    def transcribe(self, audio, **options):
        self.calls.append({"seconds": len(audio) / 16000, **options})
        segments = self.with_prompt if options["initial_prompt"] else self.without

        def lazily():  # faster-whisper decodes a window only when it is asked for
            for segment in segments:
                self.consumed += 1
                yield segment

        return lazily(), None


INSERTED = [prompted((" No,", 0.6), (" no,", 0.9), (" I'll", 0.2), (" drink", 0.003),
                     (" tonight.", 0.7)),
            Segment(" Thank you.")]  # what Whisper invents after the last word: never read


def whisper(model, **kw) -> WhisperRecognizer:
    kw.setdefault("prompts", {"urges": "hurt myself, drink or use, binge.",
                              "intensity": "zero, one, two, three."})
    recognizer = WhisperRecognizer(Path("unused"), loader=lambda path: model, **kw)
    recognizer.wait()
    return recognizer


def hear(recognizer, kind: str, seconds: float = 2.0):
    recognizer.start(kind, 16000)
    recognizer.accept(AudioChunk(16000, 2, 1, bytes(int(16000 * seconds) * 2)))
    return recognizer.finish()


def test_an_inserted_prompt_word_is_taken_out(caplog):
    import logging

    model = PromptAware(INSERTED, [Segment(" No, no urges tonight.")])
    caplog.set_level(logging.DEBUG, logger="companion.voice.whisper_engine")
    heard = hear(whisper(model), "urges")
    assert heard.text == "No, no, I'll tonight."
    assert [w for w, _ in heard.words] == ["No", "no", "I'll", "tonight"]
    assert heard.open_text == "No, no, I'll drink tonight."  # the crisis check reads all of it
    assert "'drink' not backed by the audio" in caplog.text
    first, second = model.calls
    assert first["initial_prompt"] and first["word_timestamps"] and first["without_timestamps"]
    assert second["initial_prompt"] is None and not second["word_timestamps"]
    assert model.consumed == 2  # the prompted decode's invented tail was never decoded


def test_a_said_prompt_word_stays_and_costs_no_second_decode():
    model = PromptAware([prompted((" I", 0.9), (" want", 0.9), (" to", 0.9), (" drink.", 0.8))],
                        [Segment(" I want to drink.")])
    heard = hear(whisper(model), "urges")
    assert heard.text == "I want to drink." and heard.open_text == ""
    assert len(model.calls) == 1 and heard.words[-1] == ("drink", 0.8)


def test_an_unlikely_word_the_unprompted_decode_also_heard_stays():
    model = PromptAware([prompted((" Binge.", 0.004))], [Segment(" Binge.")])
    heard = hear(whisper(model), "urges")
    assert heard.text == "Binge." and len(model.calls) == 2


def test_a_counted_out_run_of_numbers_is_left_whole_for_the_rating_check():
    run = Segment(" Three, two, three, four, five, six, seven.")
    model = PromptAware([run], [Segment(" Uh, three.")])
    heard = hear(whisper(model), "intensity")
    assert heard.text == "Three, two, three, four, five, six, seven."
    assert len(model.calls) == 1 and not model.calls[0]["word_timestamps"]  # as before


def test_a_long_answer_is_decoded_as_before_without_the_check():
    model = PromptAware(INSERTED, [Segment(" No, no urges tonight.")])
    heard = hear(whisper(model), "urges", seconds=31.0)
    assert len(model.calls) == 1 and not model.calls[0]["word_timestamps"]
    assert "drink" in heard.text  # one Whisper window only: longer answers are not checked


def test_a_support_rule_handed_in_is_used():
    model = PromptAware(INSERTED, [Segment(" No, no urges tonight.")])
    rule = Support({"urges": frozenset({"tonight"})}, probability=0.9, alike=0.5)
    heard = hear(whisper(model, support=rule, alike=lambda a, b: 0.0), "urges")
    assert heard.text == "No, no, I'll drink tonight."  # "tonight" was heard unprompted too
    assert len(model.calls) == 2


def test_the_understandings_own_scorer_picks_a_hypothesis_that_only_sounds_right():
    """The scorer the product hands in (analysis.explained): words that sound like the
    vocabulary count ('this top skill' is the STOP skill; 'shained' is ashamed), which the
    spelling-only phrase counts cannot see."""
    from companion.understand.analysis import explained

    dictation = ScriptedKaldi(nbest((60.0, "this talk skill"), (59.0, "this top skill")))
    heard = answer(vosk(None, dictation, grammars={}, scorer=explained), "skills")
    assert heard.text == "this top skill" and heard.open_text == "this talk skill"
    dictation = ScriptedKaldi(nbest((60.0, "shade and hopeless"), (59.0, "shained in hopeless")))
    heard = answer(vosk(None, dictation, grammars={}, scorer=explained), "emotions")
    assert heard.text == "shained in hopeless"
    dictation = ScriptedKaldi(nbest((60.0, "my boss yelled"), (59.0, "my boss held")))
    assert answer(vosk(None, dictation, grammars={}, scorer=explained), "free").text == \
        "my boss yelled"  # nothing to explain: the recognizer's top


def test_explained_counts_what_the_question_asks_for():
    from companion.understand.analysis import explained

    assert explained("intensity", "around a four") == 1.0
    assert explained("intensity", "around the floor") == 0.0
    assert explained("emotions", "angry and sad like a six") == 3.0
    assert explained("yesno", "um no not really") == 1.0
    assert explained("free", "i want to stop") == 0.0 and explained("nonsense", "x") == 0.0
