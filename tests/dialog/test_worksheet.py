"""The default worksheet's fixed shape, and clear errors for a therapist's invalid worksheet."""

from __future__ import annotations

import pytest

from companion.dialog import worksheet
from companion.errors import WorksheetError

FIXED_IDS = ["situation", "emotions", "intensity", "urges", "urge_intensity", "skills_tried",
             "goal", "backup"]


def test_default_worksheet_has_fixed_ids_in_order():
    sheet = worksheet.load_default()
    assert [p.id for p in sheet.prompts] == FIXED_IDS


def test_default_prompts_are_short_enough_to_speak():
    for prompt in worksheet.load_default().prompts:
        assert len(prompt.text.split()) <= 15, prompt.id
        assert prompt.kind in worksheet.PROMPT_KINDS


def test_urge_intensity_is_conditional_on_urges():
    sheet = worksheet.load_default()
    assert sheet.prompts[sheet.index("urge_intensity")].condition == "urges"
    assert sheet.prompts[sheet.index("intensity")].kind == "intensity"


def _write(tmp_path, body):
    path = tmp_path / "mine.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body, fragment",
    [
        ('[[prompt]]\nid = "a"\nkind = "free"\n', "missing field 'text'"),
        ('[[prompt]]\nid = "a"\nkind = "poem"\ntext = "Hi"\n', "unknown kind 'poem'"),
        ('[[prompt]]\nkind = "free"\ntext = "Hi"\n', "missing field 'id'"),
        ('title = "x"\n', "has no prompts"),
        ('[[prompt]]\nid = "a"\nkind = "free"\ntext = "Hi"\ncondition = "zzz"\n',
         "condition 'zzz'"),
        (('[[prompt]]\nid = "a"\nkind = "free"\ntext = "Hi"\n'
         '[[prompt]]\nid = "a"\nkind = "free"\ntext = "Again"\n'), "used twice"),
        ("[[prompt]\nid=", "not valid TOML"),
    ],
)
def test_invalid_worksheet_names_file_prompt_and_problem(tmp_path, body, fragment):
    path = _write(tmp_path, body)
    with pytest.raises(WorksheetError) as err:
        worksheet.load(path)
    assert str(path) in str(err.value)
    assert fragment in str(err.value)


def test_error_names_the_prompt_by_id(tmp_path):
    path = _write(tmp_path, '[[prompt]]\nid = "feelings"\nkind = "colour"\ntext = "Hi"\n')
    with pytest.raises(WorksheetError, match=r"prompt 1 \('feelings'\)"):
        worksheet.load(path)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(WorksheetError, match="does not exist"):
        worksheet.load(tmp_path / "nope.toml")
    bad = tmp_path / "bin.toml"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(WorksheetError, match="cannot be read"):
        worksheet.load(bad)


def test_a_therapists_own_worksheet_loads(tmp_path):
    path = _write(tmp_path, 'title = "Mine"\n[[prompt]]\nid = "mood"\nkind = "emotions"\n'
                            'text = "How do you feel?"\nhint = "Any words."\n')
    sheet = worksheet.load(path)
    assert sheet.title == "Mine" and sheet.prompts[0].hint == "Any words."
