"""Summary rules: the client's own words, order, safety first, never inventing facts, whole
phrases within about 30 seconds (measured with the real voice), suggestions."""

from __future__ import annotations

import shutil
import subprocess
import wave

import pytest

from companion.dialog.summary import (
    MAX_WORDS,
    build_summary,
    own_items,
    own_meanings,
    own_words,
    suggest_skills,
    summarise,
)
from tests.dialog.test_summary_set import saved_answers


def full_answers(**overrides):
    answers = {
        "situation": {"text": "my sister said i ruined her birthday and i locked myself in my room"},
        "emotions": {"text": "angry and ashamed", "emotions": ["anger", "shame"]},
        "intensity": {"text": "like an eight", "intensity": 8},
        "urges": {"text": "i want to drink", "urges": ["substance_use"]},
        "urge_intensity": {"text": "six", "intensity": 6},
        "skills_tried": {"text": "cold water", "skills": ["tipp"]},
        "goal": {"text": "how to talk to her without yelling"},
        "backup": {"text": "take a walk and text my friend"},
    }
    answers.update(overrides)
    return answers


def test_order_and_content():
    text = build_summary(full_answers())
    parts = ["My sister said I ruined her birthday", "I feel angry and ashamed, 8 out of 10",
             "I have an urge to drink, 6 out of 10", "I've tried cold water",
             "I want help with how to talk", "I will take a walk"]
    positions = [text.index(p) for p in parts]
    assert positions == sorted(positions)


def test_safety_urge_comes_first():
    answers = full_answers(urges={"text": "i want to cut", "urges": ["self_harm"]},
                           urge_intensity={"text": "8", "intensity": 8})
    text = build_summary(answers)
    assert text.startswith("I have urges to hurt myself, at 8 out of 10. I have an urge to cut.")
    assert text.count("urges to") == 1 and text.count("8 out of 10") == 2  # and the emotions


def test_crisis_statement_first_even_without_urge():
    answers = full_answers()
    answers["situation"]["crisis_kinds"] = ["self_harm_done"]
    assert build_summary(answers).startswith("I have already hurt myself.")


def test_never_more_than_75_words_and_never_cut_mid_phrase():
    long = " ".join(["everything went wrong again today"] * 200)
    text = build_summary(full_answers(situation={"text": long}, goal={"text": long},
                                      backup={"text": long}))
    assert len(text.split()) <= MAX_WORDS
    assert "I feel angry and ashamed" in text and "…" not in text
    assert text.lower().count("everything went wrong again today") == 3  # once, not 200 times


def test_long_answers_are_shortened_by_clauses_and_kept_for_the_screen():
    situation = ("so i went to my parents for dinner and my dad started on my weight again and "
                 "my mom said nothing and my brother laughed and then i left without eating and "
                 "now i'm sitting in my car outside their house")
    backup = "i will drive home slowly and take a bath and then call my friend sam"
    spoken, more = summarise(full_answers(situation={"text": situation},
                                          backup={"text": backup}))
    text = " ".join(spoken)
    assert len(text.split()) <= MAX_WORDS and "…" not in text
    assert text.startswith("I went to my parents for dinner")  # first clause
    assert "now I'm sitting in my car outside their house." in text  # and the news, whole
    assert "I want help with how to talk to her without yelling." in text  # the goal, whole
    assert any("my brother laughed" in m for m in more)  # the full words, for the screen
    for sentence in spoken:
        assert sentence.endswith(".") and sentence[0].isupper()


@pytest.mark.parametrize("field", ["situation", "goal", "backup", "skills_tried", "urges"])
def test_skipped_or_missing_answers_are_not_invented(field):
    answers = full_answers()
    answers[field] = {"text": "", "skipped": True}
    text = build_summary(answers)
    for banned in {"situation": ["happening"], "goal": ["help with"],
                   "backup": ["right away"], "skills_tried": ["tried"],
                   "urges": ["urge"]}[field]:
        assert banned not in text


def test_none_answers_are_plain():
    text = build_summary(full_answers(urges={"text": "no none", "urges": []},
                                      skills_tried={"text": "nothing yet", "skills": []}))
    assert "I have no urges right now." in text
    assert "I haven't tried any skills yet." in text


@pytest.mark.parametrize(("field", "text", "sentence"), [
    ("goal", "idk", "I'm not sure yet what I want help with."),
    ("goal", "um i don't know", "I'm not sure yet what I want help with."),
    ("backup", "nothing", "I don't have a backup plan yet."),
    ("backup", "i'm not sure", "I don't have a backup plan yet."),
    ("situation", "i dont know", "I'm not sure how to describe what's happening."),
    ("skills_tried", "i didn't try anything", "I haven't tried any skills yet."),
    ("urges", "not really", "I have no urges right now."),
    ("urges", "dunno", "I'm not sure about urges right now."),
])
def test_none_and_unsure_answers_become_plain_sentences(field, text, sentence):
    overrides = {field: {"text": text, "urges": [], "skills": []}}
    if field == "urges":
        overrides["urge_intensity"] = {"skipped": True}
    summary = build_summary(full_answers(**overrides))
    assert sentence in summary
    assert text not in summary


def test_a_sentence_starting_with_no_is_not_a_none_answer():
    text = build_summary(full_answers(urges={"text": "no one would care", "urges": []},
                                      urge_intensity={"text": "5", "intensity": 5}))
    assert "Urges: no one would care, 5 out of 10." in text
    assert "no urges" not in text


def test_unrecognised_words_are_quoted_not_guessed():
    text = build_summary(full_answers(emotions={"text": "just weird and off", "emotions": []}))
    assert "I feel weird and off, 8 out of 10." in text


def test_empty_session_gives_empty_summary():
    assert build_summary({}) == ""


def test_suggestions_skip_tried_skills_and_cap_at_three():
    skills = suggest_skills(full_answers())
    assert 1 <= len(skills) <= 3
    assert "tipp" not in skills
    assert "stop" in skills  # high intensity / urges
    assert "dear_man" in skills  # another person


def test_unchangeable_situation_suggests_radical_acceptance():
    answers = {"situation": {"text": "my dog died this morning and nothing i can do"},
               "emotions": {"text": "sad", "emotions": ["sadness"]},
               "intensity": {"text": "4", "intensity": 4}}
    assert "radical_acceptance" in suggest_skills(answers)


def test_fallback_when_nothing_matches():
    assert suggest_skills({"situation": {"text": "hard day"}}) == ["wise_mind", "self_soothe"]


EXAMPLE = {
    "situation": "um so my boss yelled at me in front of everyone and I just stood there and then "
                 "I went to the bathroom and cried",
    "emotions": "humiliated, like ashamed and angry",
    "intensity": "eight",
    "urges": "i want to get drunk and text my ex",
    "urge_intensity": "six",
    "skills_tried": "i tried paced breathing",
    "goal": "i want help not texting my ex tonight and i want help figuring out what to say to "
            "my boss tomorrow",
    "backup": "i will go for a walk with my dog and put my phone in the drawer",
}
"""The answers of issue 14, as a new user gave them."""
BREAKUP = dict(EXAMPLE, situation="so yeah everything has been falling apart since the breakup "
               "and i mean i can't sleep and i keep checking his instagram and today i saw he has "
               "a new girlfriend and i lost it")


@pytest.mark.parametrize("said", [EXAMPLE, BREAKUP], ids=["example", "breakup"])
def test_the_issue_example_in_the_clients_own_words(said):
    text = build_summary(saved_answers(said))
    assert "…" not in text and "..." not in text
    assert "I feel humiliated, ashamed and angry, 8 out of 10." in text
    assert "I have an urge to get drunk and text my ex, 6 out of 10." in text
    assert ("I want help not texting my ex tonight and figuring out what to say to my boss "
            "tomorrow.") in text
    doubled_lead = "I want help not texting my ex tonight and I want help"
    for doubled in ("I want help with: I want help", "I will: I will", doubled_lead,
                    "About urges"):
        assert doubled not in text
    for invented in ("drink or use", "sad", "scared", "binge"):
        assert invented not in text
    assert len(text.split()) <= MAX_WORDS
    if said is BREAKUP:
        assert "breakup" in text


def _spoken_seconds(text, tmp_path):
    wav = tmp_path / "summary.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), text], check=True,
                   capture_output=True, timeout=60)
    with wave.open(str(wav)) as w:
        return w.getnframes() / w.getframerate()


@pytest.mark.skipif(shutil.which("espeak-ng") is None,
                    reason="espeak-ng (the product's voice) is not installed here")
@pytest.mark.parametrize("said", [EXAMPLE, BREAKUP], ids=["example", "breakup"])
def test_the_summary_takes_at_most_30_seconds_in_the_real_voice(said, tmp_path):
    """Real synthesis at the default 150 words a minute; the WAV's length is the measure."""
    text = build_summary(saved_answers(said))
    seconds = _spoken_seconds(text, tmp_path)
    print(f"\nspoken in {seconds:.1f} s ({len(text.split())} words)")
    assert 5 < seconds <= 30


@pytest.mark.skipif(shutil.which("espeak-ng") is None,
                    reason="espeak-ng (the product's voice) is not installed here")
def test_the_longest_possible_summary_still_fits_in_30_seconds(tmp_path):
    """Every answer long: what is spoken is cut down to whole clauses that fit."""
    long = {k: v + " and then " + v for k, v in EXAMPLE.items()
            if k not in ("intensity", "urge_intensity")}
    text = build_summary(saved_answers(dict(EXAMPLE, **long)))
    assert _spoken_seconds(text, tmp_path) <= 30


@pytest.mark.parametrize(("role", "said", "sentence"), [
    ("emotions", "heartbroken and um kind of humiliated", "I feel heartbroken and kind of humiliated"),
    ("emotions", "angry, no, more like hurt. and left out", "I feel hurt and left out"),
    ("emotions", "anxious, well, not anxious, more like dread", "I feel dread"),
    ("emotions", "Embarrassed... mostly embarrassed. And frustrated.",
     "I feel mostly embarrassed and frustrated"),
    ("emotions", "guilty, like the worst mom", "I feel guilty, like the worst mom"),
    ("urges", "i want to text her like forty times", "I have an urge to text her forty times"),
    ("urges", "idk maybe check his location over and over",
     "I have an urge to check his location over and over"),
    ("urges", "suicidal thoughts are back", "Suicidal thoughts are back"),
    ("urges", "Skipping dinner. Also cancelling my membership.",
     "Urges: skipping dinner, also cancelling my membership"),
    ("skills_tried", "Called my sister, did TIP", "I called my sister, did TIP."),
    ("skills_tried", "paced breathing a little", "I've tried paced breathing a little."),
    ("skills_tried", "none, i just called you", "I haven't tried any skills yet. I just called you."),
    ("goal", "i want help with i want help deciding whether to say something",
     "I want help deciding whether to say something."),
    ("goal", "help me not take them", "I want help to not take them."),
    ("goal", "talk me down", "I want you to talk me down."),
    ("goal", "just need to say it out loud", "I just need to say it out loud."),
    ("goal", "Help with: figuring out if I should tell her", "I want help with figuring out if I"),
    ("backup", "i will i will go for a walk", "While I wait, I will go for a walk."),
    ("backup", "Ill go to the bathroom and do box breathing",
     "While I wait, I'll go to the bathroom and do box breathing."),
    ("backup", "i'll text my friend, no, i'll call my friend instead",
     "While I wait, I'll call my friend instead."),
    ("backup", "Will go for a drive", "While I wait, I will go for a drive."),
    ("backup", "music", "My plan while I wait: music."),
    ("situation", "uh my um my boss emailed everyone", "My boss emailed everyone."),
    ("situation", "so my mom, wait no, my stepdad said i'm ungrateful",
     "My stepdad said I'm ungrateful."),
    ("situation", "im in the er waiting room", "I'm in the ER waiting room."),
])
def test_how_people_talk_becomes_plain_sentences(role, said, sentence):
    answers = {role: {"text": said}}
    if role == "urges":
        answers["urge_intensity"] = {"text": "7", "intensity": 7}
    assert sentence in build_summary(answers)


def test_a_rating_given_as_a_range_keeps_both_numbers():
    answers = {"emotions": {"text": "excluded", "emotions": []},
               "intensity": {"text": "between 6 and 7", "intensity": 7}}
    assert build_summary(answers) == "I feel excluded, 6 to 7 out of 10."


def test_custom_worksheet_answers_each_follow_their_question():
    text = build_summary({}, extra=[("Where do you notice it in your body?",
                                     {"text": "um a tight knot in my stomach"})])
    assert text == "Where do you notice it in your body: a tight knot in my stomach."


def test_own_words_items_and_meanings_for_tables():
    urges = {"text": "i want to get drunk and text my ex", "urges": ["substance_use"]}
    assert own_words(urges, "urges") == "get drunk and text my ex"
    assert own_meanings(urges, "urges") == [("get drunk", "substance_use"), ("text my ex", None)]
    emotions = {"text": "um humiliated, ashamed and kind of small"}
    assert own_items(emotions, "emotions") == ["humiliated", "ashamed", "kind of small"]
    assert own_words({"text": "none"}, "urges") == ""
    assert own_words({"text": "x", "skipped": True}, "urges") == ""
