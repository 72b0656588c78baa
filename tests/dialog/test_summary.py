"""Summary rules: order, safety first, never inventing facts, 75 words, suggestions."""

from __future__ import annotations

import pytest

from companion.dialog.summary import MAX_WORDS, build_summary, suggest_skills


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
    parts = ["What's happening: my sister", "I feel angry and ashamed, at 8 out of 10",
             "I have urges to drink or use, at 6 out of 10", "I've tried TIPP",
             "I want help with: how to talk", "I will: take a walk"]
    positions = [text.index(p) for p in parts]
    assert positions == sorted(positions)


def test_safety_urge_comes_first():
    answers = full_answers(urges={"text": "i want to cut", "urges": ["self_harm"]},
                           urge_intensity={"text": "8", "intensity": 8})
    text = build_summary(answers)
    assert text.startswith("I have urges to hurt myself, at 8 out of 10.")
    assert text.count("urges to") == 1


def test_crisis_statement_first_even_without_urge():
    answers = full_answers()
    answers["situation"]["crisis_kinds"] = ["self_harm_done"]
    assert build_summary(answers).startswith("I have already hurt myself.")


def test_never_more_than_75_words():
    long = " ".join(["everything went wrong again today"] * 200)
    text = build_summary(full_answers(situation={"text": long}, goal={"text": long},
                                      backup={"text": long}))
    assert len(text.split()) <= MAX_WORDS
    assert "I feel angry and ashamed" in text and "…" in text


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
    assert "About urges: no one would care, at 5 out of 10." in text
    assert "no urges" not in text


def test_unrecognised_words_are_quoted_not_guessed():
    text = build_summary(full_answers(emotions={"text": "just weird and off", "emotions": []}))
    assert "I feel: just weird and off, at 8 out of 10." in text


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
