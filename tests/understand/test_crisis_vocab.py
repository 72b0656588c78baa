"""crisis.toml and the other vocabulary files: every key checked on load, and crisis results on the
labelled test sets kept exactly as they are (the file was reorganised by meaning)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from companion.data import DataError, read_text
from companion.understand import analysis, vocab

DATA = next(p / "data" for p in Path(__file__).resolve().parents
            if (p / "data" / "utterances.jsonl").is_file())
UNTOUCHED = set((DATA / "heldout" / "UNTOUCHED").read_text("utf-8").split())
SETS = sorted(p for p in [*DATA.glob("*.jsonl"), *DATA.glob("heldout/*.jsonl")]
              if p.name not in UNTOUCHED)  # never tuned on: not even the crisis vocabulary

CRISIS_LIKE = """
[ids.suicide_wish]
means = "suicide"
phrases = ["want to die"]

[rules.suicide_wish]
kind = "suicide"
window = 8
cues = ["want"]
targets = ["die"]

[not.idioms]
phrases = ["die laughing"]

[settings]
fillers = ["um"]

[respell]
"mice self" = "myself"
"""


def test_a_crisis_like_file_parses_and_compiles():
    data = vocab.parse(CRISIS_LIKE, "crisis")
    compiled = vocab.compile_vocab(data)
    assert compiled.exact["want to die"].item == "suicide"
    assert compiled.exact["die laughing"].item == vocab.VETO
    assert compiled.respell[("mice", "self")] == ("myself",)


def test_a_misspelt_key_names_file_table_and_key():
    text = CRISIS_LIKE.replace('phrases = ["want to die"]', 'phrase = ["want to die"]')
    with pytest.raises(DataError, match=r"vocab/crisis\.toml \[ids\.suicide_wish\].*\bphrase\b"):
        vocab.parse(text, "crisis")


@pytest.mark.parametrize(("wrong", "right", "named"), [
    ("[rules.suicide_wish]", "[rule.suicide_wish]", r"vocab/crisis\.toml: unknown key\(s\) rule;"),
    ("window = 8", "windw = 8", r"\[rules\.suicide_wish\]: unknown key\(s\) windw;"),
    ("window = 8", 'window = "8"', r"\[rules\.suicide_wish\]: window must be a whole number"),
    ('targets = ["die"]', "", r"\[rules\.suicide_wish\]: missing targets"),
    ('kind = "suicide"', 'kind = "suicidal"', r"\[rules\.suicide_wish\]: kind 'suicidal'"),
    ('phrases = ["die laughing"]', 'phrase = ["die laughing"]',
     r"\[not\.idioms\]: unknown key\(s\) phrase;"),
    ('fillers = ["um"]', 'filler = ["um"]', r"\[settings\]: unknown key\(s\) filler;"),
    ('fillers = ["um"]', 'fillers = "um"', r"\[settings\]: fillers must be a list of strings"),
    ('"mice self" = "myself"', '"mice self" = 1', r'\[respell\]: "mice self" must be a string'),
    ('means = "suicide"', 'means = "suicde"', r"\[ids\.suicide_wish\]: means 'suicde'"),
    ('means = "suicide"', "", r"\[ids\.suicide_wish\]: means 'suicide_wish'"),
])
def test_every_kind_of_mistake_is_refused(wrong, right, named):
    assert wrong in CRISIS_LIKE
    with pytest.raises(DataError, match=named):
        vocab.parse(CRISIS_LIKE.replace(wrong, right), "crisis")


def test_keys_of_one_file_are_not_allowed_in_another():
    with pytest.raises(DataError, match=r"vocab/emotions\.toml: unknown key\(s\) respell, rules;"):
        vocab.parse(CRISIS_LIKE.replace("[ids.suicide_wish]\nmeans", "[ids.x]\nmeans"),
                    "emotions")
    with pytest.raises(DataError, match=r"\[ids\.sad\]: unknown key\(s\) whole"):
        vocab.parse('[ids.sad]\nwhole = ["sad"]\n', "emotions")


def test_invalid_toml_names_the_file():
    with pytest.raises(DataError, match=r"vocab/crisis\.toml: not valid TOML"):
        vocab.parse("[ids.suicide\n", "crisis")


def test_the_packaged_vocabularies_all_validate():
    names = vocab.packaged()
    assert set(names) == {"commands", "crisis", "emotions", "people", "risk", "skills", "urges",
                          "yesno"}
    assert set(names) <= set(vocab.SCHEMAS)
    for name in names:
        vocab.data(name)
        if name not in ("risk", "people"):  # plain word lists, not compiled vocabularies
            assert vocab.load(name).exact


def test_the_item_vocabularies_share_people_tomls_others():
    others = frozenset(vocab.data("people")["others"])
    assert "mom" in others
    for name in ("emotions", "urges", "skills"):
        assert vocab.load(name).setting("others") == others


@pytest.mark.parametrize("name", ["commands", "crisis", "emotions", "risk", "skills", "urges",
                                  "yesno"])
def test_a_misspelt_key_in_each_packaged_file_is_caught(name):
    text = read_text("vocab", f"{name}.toml")
    key = "words" if name == "risk" else "phrases"
    assert f"\n{key} = [" in text
    with pytest.raises(DataError, match=rf"vocab/{name}\.toml.*\b{key}x\b"):
        vocab.parse(text.replace(f"\n{key} = [", f"\n{key}x = [", 1), name)


def test_crisis_toml_has_no_audit_round_names():
    data = vocab.data("crisis")
    names = [*data["ids"], *data["rules"], *data["not"]]
    assert not [n for n in names if "audit" in n or n[-1].isdigit() or n == "more"]


# --- crisis results on the labelled sets ------------------------------------------------------

KNOWN_DISAGREEMENTS = {
    # Lines whose crisis label the detector does not match today (missed crises and false
    # alarms). Only a deliberate, reviewed change to the vocabulary may change this list.
    # (risk.toml's softeners took 7 false alarms out of heldout, 3 out of blind3 and 1 out of
    # blind: jokes taken back, a lyric, a past attempt told as history now get the check-in.
    # A firearm and "how easy it would be" took blind3 line 343 off, and "already said goodbye
    # to everyone" heldout line 321: crises now caught; blind3 383, another's crisis, is not.
    # "my cousin's suicide attempt" took heldout 244 off: another's crisis, no longer raised;
    # "take all my sleeping pills" (a means) blind3 145: a crisis now caught; "disappear not
    # like die" heldout 155 no longer a crisis; "already written the letters" blind3 30 caught.)
    "heldout/utterances_heldout.jsonl": [62, 95, 143, 148, 151, 246, 303, 323, 351,
                                         359, 361, 392, 394, 403, 406, 408, 411, 413, 415],
    "utterances_blind2.jsonl": [105, 108],
    "utterances_blind3.jsonl": [89, 96, 154, 159, 211, 314, 315, 330, 338, 340, 341,
                                342, 347, 354, 361, 364, 366, 376, 390],
}
CRISIS_DIGESTS = {
    # sha256 of [[line, crisis, crisis_kinds], ...] for each set, taken before crisis.toml was
    # reorganised: any change in which lines raise which crisis kinds shows up here. (A set
    # added later is not covered until its digest is added.)
    "heldout/utterances_heldout.jsonl":
        "9dfae14c131a71bb16175f31307827883930a730caa74e6bf85b96839fd8b95a",
    "replies_blind.jsonl": "21b0fb35255d89c16d1d75a145c4bc5ebed4f4a54b6a6bdaa74cdc38c8d03031",
    "utterances.jsonl": "6e45c0dcf184d5337c797a41dd7e79cdb8915238b116621bac34c151432e4d43",
    "utterances_blind.jsonl": "6eeb8089604e4c6b214b29ccf2d96df96bcc8f70fb032911d15a89fb246c38e0",
    "utterances_blind2.jsonl": "4643d4f5e76cdff5aa01a0c7914eced9fe4ec756efeba91b1f26cbb718ad88c9",
    "utterances_blind3.jsonl": "74e49c7eb8a1b26049419a2af3cde20bcde87c5b9a8711ee658bd87deb4f02ad",
    "utterances_hard.jsonl": "5f9d713fe3fefd298a9524ebff96273b05275874f7f7cdf12737d274ee02080e",
}


def _rows(path: Path) -> list[tuple[int, dict]]:
    with open(path, encoding="utf-8") as fh:
        return [(n, json.loads(line)) for n, line in enumerate(fh, 1) if line.strip()]


def crisis_results() -> dict[str, list[tuple[int, dict, dict]]]:
    """{set: [(line, labelled row, analyze().as_dict())]} for every labelled line."""
    found = {}
    for path in SETS:
        name = path.relative_to(DATA).as_posix()
        found[name] = [(n, row, analysis.analyze(row["text"], row["kind"]).as_dict())
                       for n, row in _rows(path) if "text" in row and "kind" in row]
    return {name: rows for name, rows in found.items() if rows}


def disagreements(results) -> dict[str, list[int]]:
    found = {name: [n for n, row, got in rows
                    if isinstance(row.get("expect"), dict) and "crisis" in row["expect"]
                    and got["crisis"] != row["expect"]["crisis"]]
             for name, rows in results.items()}
    return {name: lines for name, lines in found.items() if lines}


def digests(results) -> dict[str, str]:
    return {name: hashlib.sha256(json.dumps(
        [[n, got["crisis"], got["crisis_kinds"]] for n, _row, got in rows]).encode()).hexdigest()
        for name, rows in results.items()}


@pytest.fixture(scope="module")
def results():
    return crisis_results()


def test_every_set_is_covered(results):
    assert set(CRISIS_DIGESTS) <= set(results)


def test_crisis_labels_agree_as_before(results):
    covered = {name: rows for name, rows in results.items() if name in CRISIS_DIGESTS}
    assert disagreements(covered) == KNOWN_DISAGREEMENTS


def test_crisis_results_are_unchanged(results):
    changed = {name for name, digest in digests(results).items()
               if name in CRISIS_DIGESTS and CRISIS_DIGESTS[name] != digest}
    assert not changed, (f"crisis results changed in {sorted(changed)}; if that was meant, "
                         "review the lines and update CRISIS_DIGESTS")


def test_self_hatred_is_not_self_harm_misheard():
    """'self hatred' was read as a slip of 'self harmed' (a crisis): it is a feeling."""
    assert analysis.analyze("i want help with the self hatred", "free").crisis is False
    assert analysis.analyze("self harmed last night", "free").crisis_kinds == ("self_harm_done",)


def test_a_nested_group_is_refused_not_silently_unmatched():
    with pytest.raises(DataError, match="cannot nest"):
        vocab.expand("(he|she) (wants|keeps saying (he|she) wants) to die")
    assert vocab.expand("(a|b) c (d|)") == ["a c d", "a c", "b c d", "b c"]
