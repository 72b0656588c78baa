"""Table tests for companion.understand.analysis: how people actually answer, and what must come out."""

from __future__ import annotations

import pytest

from companion.understand import analysis
from companion.understand.analysis import Analysis, analyze

EMOTIONS = [
    ("i'm not angry i'm just hurt", ("sadness",)),
    ("not really sad more like anxious", ("fear",)),
    ("um sad and like kind of scared", ("sadness", "fear")),
    ("pissed off and embarrassed", ("anger", "shame")),
    ("jealous and angry and then guilty for being jealous", ("jealousy", "anger", "guilt")),
    ("i feel bad about what i did", ("guilt",)),
    ("i feel sick", ()),
    ("i can't stop crying", ("sadness",)),
    ("i'm not sure probably anger", ("anger",)),
    ("jellous", ("jealousy",)),
    ("really down", ("sadness",)),
    ("calm down", ()),
    ("hopefully it gets better", ()),
    ("", ()),
    # what is said last about a feeling holds: affirmed then plainly denied, it is dropped
    ("i was gonna say angry but actually no i'm not angry i'm hurt", ("sadness",)),
    ("i'm not even mad anymore i was mad earlier now i'm just sad", ("sadness",)),
    ("i'm angry but like not that angry", ("anger",)),  # softened, not denied
    ("it was anger at first and then sadness", ("anger", "sadness")),  # no 'now': both
    # a plain correction reaches back over a long clause, when the new feeling follows it
    ("grossed out by myself after what i said to him no actually that's shame", ("shame",)),
    ("angry at myself no not angry ashamed", ("shame",)),
    # felt toward the client, or denied after 'but': not the client's feeling
    ("everyone in the group chat is mad at me and i feel so much guilt", ("guilt",)),
    ("my therapist says i seem angry but i don't think i am it's more fear", ("fear",)),
]

URGES = [
    # other people's urges told first, further from their subject
    (("everybody at the party was doing shots and my friends were hyped to keep going but i just "
     "want to go home and be alone"), ("isolation",)),
    # another person's urge, said with a possessive; an urge given up even with more after it
    ("my brother's urge to fight everyone is the problem not mine", ()),
    ("i was gonna go out and drink but i decided not to and the urge is gone", ()),
    ("i want to drink but my mom's worried", ("substance_use",)),
    ("no urges", ()),
    ("no urges at all", ()),
    ("i don't have any urges", ()),
    ("i don't want to hurt myself but i want to drink", ("substance_use",)),
    ("cut and drink", ("self_harm", "substance_use")),
    ("i'm not going to drink but i want to", ("substance_use",)),
    ("binge and purge", ("disordered_eating",)),
    ("punch a wall", ("aggression",)),
    ("shut everyone out and stay in bed", ("isolation",)),
    ("shopping spree", ("impulsive_spending",)),
    ("i need to cut back on coffee", ()),
    # someone else's urge is context (but self-harm and suicide are always kept); an urge that
    # passed is over ("... but that passed"), one merely put off is not ("but not right now")
    ("my brother wants to fight the neighbor not me", ()),
    ("my friend wants to cut herself", ("self_harm",)),
    ("i wanted to drink earlier but that passed i'm okay now", ()),
    ("i want to drink but not right now", ("substance_use",)),
    ("i want to cut but not tonight", ("self_harm",)),
    ("my urge is to stop talking to everybody just ghost them all", ("isolation",)),
    ("urge to break something", ("aggression",)),
]

SKILLS = [
    ("deer man", ("dear_man",)),
    # a skill taken back for the next one; the same skill said as never reached
    ("i tried to get into wise mind no actually i just did the breathing i never got to wise mind",
     ("tipp",)),
    ("went for a run till i couldn't breathe", ("tipp",)),
    # acceptance chosen over and over is turning the mind; scrolling and work are no skill
    ("every time my mind went back to why me i chose acceptance again", ("turning_the_mind",)),
    ("i did radical acceptance and turned the mind like a hundred times",
     ("radical_acceptance", "turning_the_mind")),
    ("none i just scrolled tiktok for three hours", ()),
    ("i spent all shift counting pills at the med cart", ()),
    ("tried radical except ants", ("radical_acceptance",)),
    ("i tried to check the fax", ("check_the_facts",)),
    ("radical exceptance", ("radical_acceptance",)),
    ("cope a head", ("cope_ahead",)),
    ("i didn't use dear man", ()),
    ("haven't tried tipp", ()),
    ("i wanted to use fast but i didn't", ()),
    ("my heart is beating fast", ()),
    ("it happened so fast", ()),
    ("i used fast with my boss", ("fast",)),
    ("stop", ("stop",)),
    ("the stop skill", ("stop",)),
    ("i had to stop myself from yelling", ()),
    ("please just tell me what to do", ()),
    ("please skills i ate and slept", ("please",)),
    ("i gave him the phone", ()),
    ("observe and describe", ("observe", "describe")),
    ("accepts and radical acceptance", ("accepts", "radical_acceptance")),
    ("cold water and paced breathing", ("tipp",)),
    ("i took a bath and listened to music", ("self_soothe",)),
    ("i stopped and took a breath", ("stop",)),
]

INTENSITY = [
    # a rating taken back for the next one: the later one
    ("nine nah eight", 8), ("eight no wait six", 6), ("a four no actually a five", 5),
    ("like a seven", 7), ("nine out of ten", 9), ("seventy out of a hundred", 7),
    ("fifty percent", 5), ("nine and a half", 9.5), ("8/10", 8), ("a solid 6", 6),
    ("maybe a 7 or 8", 8), ("six to seven", 7), ("was ten now six", 6),
    ("it was a 10 earlier now it's like a 6", 6), ("none", 0), ("zero", 0),
    ("not at all", 0), ("eleven", None), ("4000", None), ("i don't know", None),
    ("6.5", 6.5), ("50%", 5), ("like a ate", 8), ("fourish", 4), ("a hundred", None),
    ("really bad", None), ("", None),
    # "ten" in "out of ten" is the scale, never the rating (recognizer output, punctuation kept)
    ("And out of ten, seven.", 7), ("out of ten i'd say seven", 7), ("seven outta ten", 7),
    ("out of ten? eight.", 8), ("out of 10 a 6", 6), ("out of ten", None),
    ("on a scale of one to ten probably a six", 6), ("out of a hundred maybe eighty", 8),
    ("sam", None), ("Sambin.", None), ("a solid seven maybe eight", 8),
    ("it was a nine earlier now like a five", 5), ("it's like a seven now it was a ten", 7),
    ("it started at a nine now it's more like a five", 5),
    # another person's rating told as context is not the client's
    ("my boss is a ten out of ten jerk but me i'm maybe a four", 4),
    ("it's like a five my roommate's at a ten though", 5), ("my mom is a ten", 10),
    ("my sister would say it's a ten but she exaggerates it's a three", 3),
    # the rating said as the feeling's; a rating said as past beside one that is not
    ("a two for the feeling but a ten for sleepy", 2),
    ("five on the feelings scale but on the tacos scale it's a ten", 5),
    ("my back pain's a two but the feeling is like an eight", 8),
    ("four i think it was like a seven before i did the ice thing", 4),
    ("it's a six it was a ten earlier", 6),
]

YESNO = [
    ("no cap yes", "yes"), ("say less", "yes"), ("ugh fine", "yes"), ("hard pass", "no"),
    # "kinda" alone is unclear, a hedge beside a yes; a short reply's one answer said last
    ("kinda", None), ("yeah kind of", "yes"), ("kinda but also no", None),
    ("tak tak yes", "yes"), ("that is what i did", None),
    # regional forms: the last word of "yeah nah" / "nah yeah" is the answer
    ("yeah nah", "no"), ("nah yeah", "yes"), ("ah go on so", "yes"), ("haan yes", "yes"),
    # "um no" as a recognizer writes it; "i am" before anything else stays as said
    ("I'm no, not really.", "no"), ("i'm not sure", None),
    ("yeah", "yes"), ("yep", "yes"), ("yes please", "yes"), ("sure", "yes"),
    ("i think so", "yes"), ("i guess so", "yes"), ("definitely", "yes"), ("kind of", None),
    ("no", "no"), ("nope", "no"), ("nah", "no"), ("not really", "no"),
    ("i don't think so", "no"), ("not at all", "no"), ("maybe", None),
    ("i don't know", None), ("not sure", None), ("yes and no", None), ("yeah no", "no"),
    ("", None),
    # the answer settled on after a correction word
    ("yes no wait no", "no"), ("yes no i mean yes", "yes"), ("no sorry yes", "yes"),
    ("no i mean i don't know", None), ("yeah wait what", "yes"),
    # a later "i am" / "i don't" is part of the sentence, not a second answer
    ("nah i'm good", "no"), ("yeah keep going i don't want to stop yet", "yes"),
    ("not tonight", "no"), ("i'd rather not say", None),
    ("hell yeah", "yes"), ("i reckon so", "yes"), ("nuh uh", "no"),
    ("no i'm dead tired let's do it tomorrow", "no"),
]

COMMANDS = [
    ("can you run that back", "repeat"), ("brb", "stop"), ("ok i'm done for real", "stop"),
    ("can we pick this up tomorrow", "stop"), ("like what counts", "help"), ("pass", "skip"),
    # a command phrase, then crisis language: the command stands (the engine triages the words)
    ("skip it doesn't matter i won't be here next week anyway", "skip"),
    ("i need to stop this and i'm gonna end it all tonight anyway", "stop"),
    ("i'm done fighting i'm ready to go", None), ("skip meals and then take all my pills", None),
    # "go back i said ..." is a correction, not reported speech; a longer lead; 'the' as reason
    ("oops go back i said seven i meant five", "back"), ("stop it i told him", None),
    ("can we go back to the last one i messed up my answer", "back"),
    ("i gotta go the kids are up", "stop"), ("go back to the bottle", None),
    ("can you repeat that", "repeat"), ("say that again", "repeat"),
    ("um can you say that again please", "repeat"), ("skip this one", "skip"),
    ("next question", "skip"), ("go back", "back"), ("previous question", "back"),
    ("i want to stop", "stop"), ("stop", "stop"), ("stop stop", "stop"),
    # one command said twice in different words; mixed or content halves are not commands
    ("go back i said the wrong thing", "back"), ("stop i am done", "stop"),
    ("help what do you mean", "help"), ("stop it i said the wrong thing", None),
    ("next time i will stop", None), ("done with him", None),
    ("that's enough for now", "stop"), ("help", "help"), ("i don't understand", "help"),
    ("what do you mean", "help"), ("what can i say", "help"), ("um what can i say here", "help"),
    ("what can i say i'm a mess tonight", None),
    # ordinary content that merely contains a command word
    ("i don't know", None), ("i wanted to stop", None), ("he wouldn't stop it", None),
    ("i wanted to stop but i couldn't", None), ("i want to stop feeling like this", None),
    ("i don't understand why she left", None), ("my back hurts", None),
    ("it didn't help", None), ("i skipped class", None), ("next time", None),
    ("i'm done with him", None), ("", None),
    # a no before the command is part of it
    ("nah skip it", "skip"), ("oops go back", "back"), ("no i need to go back to work", None),
    ("eh whit was that", "repeat"), ("ah give that one a miss", "skip"), ("that'll do me", "stop"),
    ("can we do a different question", "skip"), ("i had a different question for her", None),
    # a command first, then its reason as a sentence of its own (the engine triages the words)
    ("skip this i'm not ready to talk about it", "skip"),
    ("skip that one my boss would kill me if he heard me answer it lol", "skip"),
    ("go back i don't care about any of this", "back"),
    ("stop stop i'm dying laughing my cat just fell off the couch", "stop"),
    ("stop i can't do this anymore", "stop"),
    # ... but not a verb's object, reported speech, a help or a lone ambiguous word
    ("skip my meals again tonight", None), ("i want to quit my job", None),
    ("stop it i told him", None), ("go back i said to her", None),
    ("help me i keep fighting with my mum", None), ("done i did wise mind", None),
    ("stop asking me that lol fine it's a six", None), ("i had to stop i was losing it", None),
]

CRISIS = [
    ("i want to kill myself", ("suicide",)),
    ("i want to kill my self", ("suicide",)),
    ("kys", ("suicide",)),
    ("i just want to and it all", ("suicide",)),  # a 4-word respelling: "to end it all"
    ("i want to die", ("suicide",)),
    ("i don't want to be alive", ("suicide",)),
    ("thinking about ending it all", ("suicide",)),
    ("i have pills saved up", ("suicide",)),
    ("everyone would be better off without me", ("suicide",)),
    ("i wrote a note", ("suicide",)),
    ("suicidal", ("suicide",)),
    ("i want to end my life", ("suicide",)),
    ("i hope i don't wake up", ("suicide",)),
    ("i just want it all to stop", ("suicide",)),
    ("i cut myself last night", ("self_harm_done",)),
    ("i burned myself", ("self_harm_done",)),
    ("i hurt myself again", ("self_harm_done",)),
    ("i relapsed on cutting", ("self_harm_done",)),
    ("i took a bunch of pills", ("overdose",)),
    ("i overdosed", ("overdose",)),
    ("i took the whole bottle", ("overdose",)),
    ("i cut myself and i want to die", ("self_harm_done", "suicide")),
    # idioms, denials, urges and other people
    ("this traffic is killing me", ()), ("i could die of embarrassment", ()),
    ("my feet are killing me", ()), ("i'm dying to see her", ()), ("kill time", ()),
    ("dead tired", ()), ("i nearly died laughing", ()), ("i'm not suicidal", ()),
    ("no thoughts of suicide", ()), ("i don't want to kill myself i just want it to stop", ()),
    ("i want to cut", ()), ("i want to cut myself", ()), ("i cut my hair", ()),
    ("i want to end it with him", ()), ("my friend tried to kill herself", ()),
    ("i took my pills this morning", ()), ("i couldn't wake up this morning", ()),
    # found by the blind audit: recognizer slips, fillers, purpose clauses, third parties
    ("um um i want to uh kill uh myself", ("suicide",)), ("i want to kill mice self", ("suicide",)),
    ("i just want to dye", ("suicide",)), ("i cut my rest", ("self_harm_done",)),
    ("took a hand full of pills", ("overdose",)), ("i kind of cut myself earlier", ("self_harm_done",)),
    ("i used distraction so i wouldn't kill myself", ("suicide",)),
    ("i didn't use any skills i just cut", ("self_harm_done",)),
    ("i wouldn't care if a car hit me", ("suicide",)),
    ("i've been looking at the pills all night", ("suicide",)),
    ("i used the stop skill so i wouldn't hurt myself", ()), ("i just cut my hair", ()),
    ("my friend told me she wants to die", ()), ("my cousin attempted suicide", ()),
    ("he was suicidal and so am i", ("suicide",)),
    ("suicide urge zero", ()), ("my therapist asked if i'm suicidal and i said no", ()),
    ("my therapist asked if i'm suicidal and i said no but i am", ("suicide",)),
    ("let's end it here for today", ()), ("i burned myself making toast", ()),
]

BAD_INPUT = ["", "   ", "?!?...", "4000", "🙂🙂🙂", "これは日本語です", "\x00\x07\x1b[31m",
             "a" * 10_000, "word " * 2_000, "i want to die " + "blah " * 2_000]


@pytest.mark.parametrize(("text", "expected"), EMOTIONS)
def test_emotions(text, expected):
    assert analysis.find_emotions(text) == expected


@pytest.mark.parametrize(("text", "expected"), URGES)
def test_urges(text, expected):
    assert analysis.find_urges(text) == expected


@pytest.mark.parametrize(("text", "expected"), SKILLS)
def test_skills(text, expected):
    assert analysis.find_skills(text) == expected


@pytest.mark.parametrize(("text", "expected"), INTENSITY)
def test_intensity(text, expected):
    assert analysis.parse_intensity(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("it's not a ten but it's up there", None), ("not even a ten", None),
    ("not a ten more like a seven", 7.0), ("i promised i wouldn't seven", 7.0),
    ("buy a new phone i don't need three", 3.0)])
def test_a_rating_only_denied_is_no_rating(text, expected):
    assert analysis.parse_intensity(text) == expected


@pytest.mark.parametrize(("text", "expected"), YESNO)
def test_yesno(text, expected):
    assert analysis.parse_yesno(text) == expected


@pytest.mark.parametrize(("text", "expected"), COMMANDS)
def test_commands(text, expected):
    assert analysis.detect_command(text) == expected


REPLIES = [
    ("um", "filler"), ("uh... hmm", "filler"), ("nope.", "none"), ("nothing really", "none"),
    ("i didn't try anything", "none"), ("havent tried any yet", "none"),
    ("no, i'm okay", "none"), ("not at the moment", "none"), ("idk", "unsure"),
    ("um i don't know", "unsure"), ("dunno lol", "unsure"), ("i'm not sure", "unsure"),
    ("i can't put a number on it", "unsure"), ("hard to put a number on it", "unsure"),
    ("no one would care", None), ("to text him like forty times", None), ("yeah", None),
    ("i want to drink", None), ("", None), ("!!!", None),
    ("nope none", "none"), ("no i don't have any", "none"), ("nah i'm good", "none"),
    ("idk man", "unsure"), ("i guess i don't know", "unsure"), ("nun really", "none"),
    # close to those, but they say something
    ("not okay", None), ("i'm not okay", None), ("nothing is okay", None),
    ("nothing feels real", None), ("no but yesterday i cut", None),
    ("none of your business", None), ("i don't know if i can stay safe", None),
]


@pytest.mark.parametrize(("text", "expected"), REPLIES)
def test_reply_kind(text, expected):
    assert analysis.reply_kind(text) == expected


@pytest.mark.parametrize(("text", "expected"), CRISIS)
def test_crisis(text, expected):
    assert set(analysis.detect_crisis(text)) == set(expected)


@pytest.mark.parametrize("kind", analysis.KINDS)
@pytest.mark.parametrize("text", BAD_INPUT)
def test_bad_input_never_crashes(text, kind):
    result = analyze(text, kind)
    assert isinstance(result, Analysis)
    assert result.command is None and result.answer is None and result.intensity is None


def test_crisis_survives_a_long_ramble():
    assert analyze("blah " * 2_000 + "i want to kill myself", "free").crisis


def test_unknown_kind_raises():
    with pytest.raises(ValueError, match="unknown kind"):
        analyze("hello", "poem")


def test_as_dict_keys_and_number_format():
    d = analyze("angry like an eight", "emotions").as_dict()
    assert list(d) == ["emotions", "intensity", "urges", "skills", "command", "answer", "crisis",
                       "crisis_kinds"]
    assert d["emotions"] == ["anger"] and d["intensity"] == 8 and isinstance(d["intensity"], int)
    assert analyze("nine and a half", "intensity").as_dict()["intensity"] == 9.5


@pytest.mark.parametrize(("text", "kind", "fields"), [
    ("angry like an eight", "emotions", {"emotions": ["anger"], "intensity": 8}),
    ("sad 7 out of 10", "emotions", {"emotions": ["sadness"], "intensity": 7}),
    ("i'm 25 and sad", "emotions", {"emotions": ["sadness"], "intensity": None}),
    ("i want to cut myself like an eight", "urges", {"urges": ["self_harm"], "intensity": 8}),
    ("deer man", "skills", {"skills": ["dear_man"]}),
    ("skip this one", "command", {"command": "skip"}),
    ("yeah", "yesno", {"answer": "yes"}),
    ("like a seven", "intensity", {"intensity": 7}),
    ("angry and i used dear man", "free", {"emotions": [], "skills": []}),
    ("angry", "skills", {"emotions": [], "skills": []}),
])
def test_kind_decides_the_fields(text, kind, fields):
    d = analyze(text, kind).as_dict()
    for key, value in fields.items():
        assert d[key] == value, key


@pytest.mark.parametrize("kind", analysis.KINDS)
def test_crisis_is_checked_for_every_kind(kind):
    result = analyze("honestly i want to die", kind)
    assert result.crisis and result.crisis_kinds == ("suicide",)


def test_suicide_urge_rated_zero_is_not_a_crisis():
    result = analyze("zero urge to kill myself", "urges")
    assert not result.crisis and result.urges == ()
    assert not analyze("suicide urge zero", "urges").crisis


@pytest.mark.parametrize("text", ["i wanted to cut earlier but i held ice and it's gone zero",
                                  ("i'm a bartender so i pour shots all night but no urge to drink "
                                  "myself like zero")])
def test_an_urge_rated_zero_is_no_urge_now(text):
    result = analysis.analyze(text, "urges")
    assert result.urges == () and result.intensity == 0 and not result.crisis


def test_suicide_urge_is_a_crisis():
    result = analyze("end it", "urges")
    assert result.urges == ("suicide",) and result.crisis


def test_order_of_mention_without_duplicates():
    assert analysis.find_emotions("scared then sad then scared again") == ("fear", "sadness")


@pytest.mark.parametrize("text, found", [
    # idioms: no check-in (risk.toml `idioms`)
    ("this traffic is killing me", False), ("i'm dead tired", False),
    ("my boss is gonna kill me", False), ("i could die of embarrassment", False),
    ("i cut my finger chopping onions", False),
    # the same words meant, or denied, still bring the check-in
    ("this is killing me and i want to die", True), ("i cut my arm", True),
    ("i'm not going to kill myself tonight", True),
    ("i want to disappear", True),
    ("I can't go on", True),
    ("i keep staring at the pills", True),
    ("i will go for a walk and hang out with my sister", False),
    ("i jumped in the shower and left without saying goodbye", False),
    ("", False),
    ("😭😭😭", False),
])
def test_risk_words(text, found):
    from companion.understand.analysis import risk_words

    assert bool(risk_words(text)) is found


@pytest.mark.parametrize(("kind", "text", "expected"), [
    ("urges", "to text him like forty times", True), ("urges", "i want to quit my job", True),
    ("urges", "i don't want to drink", False), ("urges", "no urges", False),
    ("urges", "idk", False), ("urges", "um", False), ("urges", "", False),
    ("free", "no one would care", True),
])
def test_names_something(kind, text, expected):
    assert analysis.names_something(kind, text) is expected


@pytest.mark.parametrize(("kind", "text", "expected"), [
    ("emotions", "i want to kill myself", False), ("emotions", "so sad i want to die", True),
    ("intensity", "i want to die", False), ("intensity", "eight", True),
    ("urges", "i want to kill myself", True), ("yesno", "whatever", False),
    ("free", "i want to die", True),
])
def test_answers_the_prompt(kind, text, expected):
    assert analysis.answers_the_prompt(kind, analyze(text, kind)) is expected


def test_crisis_in_adds_kinds_from_earlier_words_once():
    assert analysis.crisis_in(["suicide"], ["i want to die", "i cut myself last night"]) == [
        "suicide", "self_harm_done"]
    assert analysis.crisis_in([], ["eight", "skip"]) == []


@pytest.mark.parametrize(("text", "command"), [
    ("no i'm done for tonight", None), ("nah skip it", None), ("i'd rather not say", "skip"),
    ("can we move on", "skip"), ("huh", "repeat")])
def test_at_a_yes_no_question_an_answer_is_not_a_command(text, command):
    assert analysis.command_in(text, kind="yesno") == command


@pytest.mark.parametrize(("text", "command"), [
    ("sorry my dog was barking can you say it again", "repeat"),
    ("this is pointless just stop it", "stop"),
    ("sorry i zoned out can you repeat it", "repeat"),
    ("i tried to get my dog to just stop it", None),  # a clause inside a sentence
    ("he said can you just stop", None),  # reported speech
    ("she kept saying that can you stop it", None),
    ("i'd rather not answer that can we go to the next one please", "skip"),  # after an object
    ("the last one i said seven but i meant four can we go back", "back"),  # 'said' far before
    ("my landlord raised the rent and i don't know what to do", None),
])
def test_a_command_after_its_reason(text, command):
    assert analysis.detect_command(text) == command


@pytest.mark.parametrize(("text", "answer"), [
    ("no thanks i'm fine", "no"), ("i said yes before but no", "no"),
    ("my mum says i should but no", "no"), ("course", "yes"), ("i am fine", None),
])
def test_yes_and_no_said_with_more(text, answer):
    assert analysis.parse_yesno(text) == answer


@pytest.mark.parametrize(("text", "skills"), [
    ("i held an ice cube in my hand till it melted", ("accepts",)),  # a sensation
    ("i held an ice pack on my face", ("tipp",)),  # temperature
    ("the group leader said to try the tipp thing but i couldn't be bothered", ()),
    ("i kept turning my mind back to accepting it", ("turning_the_mind",)),
    ("i did radical acceptance and turned the mind like a hundred times",
     ("radical_acceptance", "turning_the_mind")),
    ("i did my physio exercises and took the anti inflammatories", ("please",)),
    ("i asked my roommate for help the dear man way and it worked", ("dear_man",)),  # an object
    ("i splashed my face and um i was gonna journal but didn't", ("tipp",)),  # the journal wasn't
    ("i did the ice and i was going to call but i didn't do it", ("tipp",)),
    ("i was going to do the ice but i didn't", ()),
    ("i tried to find some meaning in it like what it's teaching me", ("improve",)),
])
def test_skills_described(text, skills):
    assert set(analysis.find_skills(text)) == set(skills)


@pytest.mark.parametrize(("text", "urges"), [
    ("i had urges to cut earlier but they went after i talked to my sponsor so none now", ()),
    ("my cousin wants to go and fight the guy", ()),
    ("my mates want to go out drinking but i just wanna stay home", ("isolation",)),
    ("i want to drink and i was going to call my sponsor but i didn't", ("substance_use",)),
    ("i helped my friend through her urge to drink and i don't have any myself", ()),
])
def test_urges_over_or_someone_elses(text, urges):
    assert analysis.find_urges(text) == urges


@pytest.mark.parametrize(("text", "command"), [
    ("nah skip it bro", "skip"), ("next question this commute was killing me today", "skip"),
    ("let's end it there", None),  # (by meaning: see test_semantic) no risk words, no check-in
])
def test_casual_commands(text, command):
    assert analysis.detect_command(text) == command
    assert not analysis.risk_words(text)


@pytest.mark.parametrize(("text", "crisis"), [
    ("i've been reading up on how to do it online most of the night", True),
    ("i keep going over how i'd do it", True),
    ("i'm so done trying to live like this", True),
    ("i know exactly what dose would do it", True),
    ("i googled how to do it for my sewing project", False),
    ("i keep going over how to do it in the essay", False),
])
def test_research_and_method_in_mind(text, crisis):
    assert analyze(text, "free").crisis is crisis


def test_someone_elses_suicide_urge_told_as_context_is_asked_about():
    text = "my patient kept saying she wanted to die all shift but me no urges just wiped out"
    result = analyze(text, "urges")
    assert result.possible_crisis and not result.crisis
    own = analyze("not really an urge more like i just wish i wouldn't wake up like a six", "urges")
    assert own.crisis


@pytest.mark.parametrize("text", [
    "i tried to kill myself back in twenty nineteen and i talked about it in group today",
    "i tried to kill myself when i was seventeen but i've been okay for years now",
    "i used to want to kill myself all the time back in college",  # a pattern: now expanded
    "my therapist brought up my overdose from twenty fifteen and it was weird but i'm fine now",
    "i had an overdose like four years ago and i'm writing about it for my recovery speech",
])
def test_a_past_attempt_told_as_history_gets_the_check_in(text):
    result = analyze(text, "free")
    assert result.possible_crisis and not result.crisis


@pytest.mark.parametrize("text", [
    "one of our service users overdosed at the shelter today",
    "my son's friend at school died by suicide and i don't know how to talk to him",
    "i cut myself chopping onions but that was an accident",
    "my mum's the one who's suicidal not me i'm just scared for her",
    "my ex's new girlfriend posted about her suicide attempt as an awareness thing",
    "i scratched my arm gardening and my mum thought i'd been self harming but i haven't",
    "nobody will find me at the party lol i'll be hiding in the kitchen",
])
def test_other_peoples_crises_and_accidents_are_no_crisis(text):
    assert not analyze(text, "free").crisis


@pytest.mark.parametrize(("text", "kind"), [
    ("i overdosed years ago and i took too many again tonight", "free"),  # recent: not history
    ("my ex got remarried and i went home and hit myself with my belt", "free"),
    ("to take the whole packet a nine", "urges"),
    ("i keep thinking about just not waking up like a six", "urges"),
    ("the kids are at their dad's so she won't be the one to find me", "free"),
    ("my flatmate's away so nobody will find me until it's over", "free"),
])
def test_crisis_told_plainly_or_recently(text, kind):
    result = analyze(text, kind)
    assert result.crisis and not result.possible_crisis


@pytest.mark.parametrize(("text", "emotions", "intensity"), [
    # a rating said right after the feeling it rates, with a story after it
    ("shame ten i've already told you about the letters", ("shame",), 10.0),
    ("anger eight at my ex she let the kids stay up till midnight again", ("anger",), 8.0),
    ("sad five one of my patients passed this morning", ("sadness",), 5.0),  # 'one of': a count
    ("angry two of my kids were fighting", ("anger",), None),
    # 'so' starting the client's own clause ends another person's sentence; 'so' before a
    # feeling does not
    ("my sister lands tomorrow so just joy honestly like an eight", ("joy",), 8.0),
    ("my mom was so angry at the dentist", (), None),
])
def test_a_rating_said_right_after_the_feeling(text, emotions, intensity):
    result = analyze(text, "emotions")
    assert (result.emotions, result.intensity) == (emotions, intensity)


@pytest.mark.parametrize(("text", "command"), [
    ("what are my options", "help"), ("so what do i do here", "help"),
    ("how am i meant to answer this", "help"), ("i don't get what you want me to do", "help"),
    ("back up a sec", "back"), ("can i redo the one before", "back"),
    ("that's not what i meant at all go back", "back"), ("go back a step please", "back"),
    ("can we leave that one for now", "skip"),
    ("lol you're killing me with these questions next one", "skip"),
    ("right i'm knackered let's wrap this up", "stop"), ("can we finish here please", "stop"),
    ("okay i think that's me for tonight i'm gonna head off", "stop"),
    # lookalikes: the request belongs to someone else's sentence, or names no command
    ("i wanted to go back", None), ("so i had to go back to my mum's", None),
    ("i'll get to the next one tomorrow", None), ("i don't know what to do with my son", None),
])
def test_commands_said_plainly_or_after_a_reason(text, command):
    assert analysis.detect_command(text) == command


@pytest.mark.parametrize(("text", "crisis"), [
    ("i just want to tell my kids i love them one last time", True),
    ("i said goodbye to my brother tonight like properly goodbye", True),
    ("i took double my dose tonight on purpose to see what would happen", True),
    ("i want to see my kids one last time before they move to australia", False),
    ("i took two extra strength tylenol for my back like the label says", False),
    ("i'm a paramedic and we had three overdoses on the same street tonight", False),
    ("i kept practising accepting that my mate's suicide happened", False),
    ("my mate was talking about ending it last night so i stayed up with him", False),
    ("i had an urge to cut this morning but i held ice and it's gone now", False),
    ("i took a whole bottle of extra strength tylenol", True),
    ("my grandpa used to say he'd rather die than sell the land", False),
    ("i'm writing my will because the lawyer says everyone over sixty should have one", False),
    ("i wrote my will because i won't need anything after friday", True),
    ("i need to give away a lot of my stuff because we're downsizing to a flat", False),
    ("i'm giving away all my stuff", True),
    ("i relapsed and i think i took way too much i feel really weird", True),
    ("a guest screamed at me and then i came home and cut my wrist in the shower", True),
    ("i binged and purged and then cut tonight", True),
    ("i slipped and cut my wrist on a broken glass", False),
    ("we went to the salon and then cut today short", False),
])
def test_goodbyes_doses_and_other_peoples_crises(text, crisis):
    assert bool(analyze(text, "free").crisis) is crisis


@pytest.mark.parametrize(("text", "urges"), [
    # an urge dated past a short object ('the wall earlier'), with none now
    ("i wanted to punch the wall earlier but that's passed now honestly nothing right now", ()),
    ("i wanted to punch the wall earlier and i still do now", ("aggression",)),
    ("my flatmate wants to get hammered but i just want to stay in and be on my own",
     ("isolation",)),
    ("buy a new set of golf clubs i absolutely cannot afford haha like three",
     ("impulsive_spending",)),
    ("the pokies have been calling me all arvo i just want to put my pay through them",
     ("impulsive_spending",)),
    ("go down the bottle o and grab a slab five", ("substance_use",)),
    ("take an extra oxy not for the pain just to feel nothing", ("substance_use",)),
    # an urge said as long past, with a plain 'not in months': none now, with or without 'now'
    ("nothing big i used to cut years ago but i haven't had the urge in ages", ()),
    ("i used to want to hurt myself all the time but not for months now none", ()),
    ("i used to cut and i want to again tonight", ("self_harm",)),
    # 'used to' as words, not inside 'refused to': an urge is not put in the past by accident
    ("i refused to cut but now i want to drink", ("self_harm", "substance_use")),
    ("my boyfriend wants to go out and get wasted but i don't want to i'm good", ()),
    ("go out and get hammered with the lads and not come home six", ("substance_use",)),
    ("i want to disappear like permanently not like a holiday nine", ("suicide",)),
])
def test_urges_in_everyday_words_and_over(text, urges):
    assert analyze(text, "urges").urges == urges


@pytest.mark.parametrize(("text", "kind"), [
    ("drink and then take all my sleeping tablets together ten", "urges"),
    ("the cutting one is a five but the not being alive one is higher like eight", "urges"),
    ("nine it's not the pain it's that i'm done i've been saving up my pain meds", "intensity"),
])
def test_means_stockpiled_and_the_wish_not_to_be_alive(text, kind):
    assert analyze(text, kind).crisis


@pytest.mark.parametrize(("text", "command"), [
    ("go back i said i was fine but i'm not i took too many of my pills", "back"),
    ("skip it none of this matters after tonight", "skip"),
    ("go back i said seven and she said no", None),  # reported speech, no crisis: no command
])
def test_a_command_before_crisis_words_stands_for_the_triage(text, command):
    assert analysis.detect_command(text) == command
    if command:
        assert analysis.command_with_words(text) and analyze(text, "free").crisis


@pytest.mark.parametrize(("text", "rating"), [
    ("my shoulder pain's at about eight today but the sadness is more like five", 5.0),
    ("the anger was a nine earlier now it's a four", 4.0),  # no body rating: the current one
    ("anger somewhere between a four and a five", 5.0),
])
def test_the_feelings_rating_beside_a_bodily_one(text, rating):
    assert analyze(text, "intensity").intensity == rating


@pytest.mark.parametrize(("text", "kind", "field", "want"), [
    ("i was angry at the meeting but that's passed now i'm just tired not feeling much",
     "emotions", "emotions", ()),
    ("they'd be better off without me sadness i guess ten", "emotions", "emotions", ("sadness",)),
    ("you betcha", "yesno", "answer", "yes"),
    ("i kind of want to disappear not like die just go off the grid", "free", "crisis", False),
    ("my lawyer finally made me write my will", "free", "crisis", False),
    ("go back i need to change my rating cause i'm going through with it tonight", "free",
     "crisis", True),
])
def test_heldout24_studied(text, kind, field, want):
    assert getattr(analyze(text, kind), field) == want
