"""The phonetic layer: heard words matched to the DBT vocabulary by sound, and never ordinary ones."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from companion.data import DataError, read_text
from companion.understand import phonemes, phonetic
from companion.understand.phonemes import EspeakPhonemizer, PhonemesUnavailable, key_of
from companion.understand.phonetic import PhoneticIndex, Term, distance, find, match, similarity
from companion.understand.text import tokens

ROOT = Path(__file__).resolve().parents[2]
MISHEARINGS = tomllib.loads((ROOT / "tests" / "data" / "phonetic" / "mishearings.toml")
                            .read_text("utf-8"))
_skip = pytest.mark.skipif(not phonemes.available(),
                           reason="espeak-ng is not installed (sudo apt-get install espeak-ng): "
                           "the phoneme engine cannot run here")


def needs_espeak(test):
    """A real-engine test: skipped, with the reason, only where espeak-ng is missing."""
    return pytest.mark.real_engine(_skip(test))


def _script(name: str):
    sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# A small index with hand-written keys (one character per phoneme, as phonemes.PHONEMES gives).
TERMS = [
    Term("skills", "stop", "stop skill", "stɑpskɪl"),
    Term("skills", "stop", "the stop skill", "ðəstɑpskɪl", variant=True),
    Term("skills", "stop", "stop", ambiguous=True),
    Term("skills", "tipp", "paced breathing", "pestbriðɪŋ"),
    Term("skills", "tipp", "breathing", ambiguous=True),
    Term("skills", "_not", "keep breathing"),
    Term("emotions", "shame", "ashamed", "əʃemd"),
    Term("emotions", "sadness", "hopeless", "hopləs"),
    Term("emotions", "sadness", "lonely", "lonli"),
    Term("emotions", "sadness", "sadness", "sædnəs"),
    Term("emotions", "joy", "hopeful"),
    Term("emotions", "love", "loving", "lʌvɪŋ"),
    Term("emotions", "disgust", "sickened", "sɪkənd"),
    Term("urges", "disordered_eating", "skip dinner", "skɪpdɪnɚ"),
    Term("commands", "repeat", "repeat that", "rɪpitðæt"),
    Term("numbers", "7", "seven", "sɛvən"),
]
AROUND = {"commands": ["um", "please"], "numbers": ["like", "a", "um"]}
KEYS = {
    "this": "ðɪs", "top": "tɑp", "skill": "skɪl", "the": "ðə", "stop": "stɑp", "paste": "pest",
    "breathing": "briðɪŋ", "keep": "kip", "deep": "dip", "i": "Y", "did": "dɪd",
    "shained": "ʃend", "shamed": "ʃemd", "in": "ɪn", "hopeless": "hopləs", "hopeful": "hopfəl",
    "hope": "hop", "less": "lɛs", "only": "onli", "lone": "lon", "lee": "li", "slept": "slɛpt",
    "living": "lɪvɪŋ", "skipped": "skɪpt", "dinner": "dɪnɚ", "re": "ri", "peat": "pit",
    "that": "ðæt", "please": "pliz", "um": "əm", "can": "kæn", "you": "ju", "for": "fOr",
    "me": "mi", "sick": "sɪk", "and": "ænd", "tired": "tYɚd", "sadness": "sædnəs",
    "sevin": "sɛvɪn", "heaven": "hɛvən", "like": "lYk", "a": "ə", "was": "wʌz", "it": "ɪt",
}


class FakePhonemizer:
    """Keys from a table; records each call, as EspeakPhonemizer runs espeak-ng once per call."""

    def __init__(self, table: dict[str, str] = KEYS) -> None:
        self.table, self.calls = table, []

    def keys(self, words):
        words = list(words)
        self.calls.append(words)
        return {w: self.table.get(w, "") for w in words}


@pytest.fixture()
def index() -> PhoneticIndex:
    return PhoneticIndex(TERMS, AROUND)


@pytest.mark.parametrize("text,want", [
    # misheard vocabulary, found by sound
    ("i used this top skill", [("stop", "this top skill")]),
    ("i did paste breathing", [("tipp", "paste breathing")]),
    ("shained in hopeless", [("shame", "shained")]),   # 'hopeless' is spelled: left to the rules
    ("i felt shamed", [("shame", "shamed")]),
    ("hope less", [("sadness", "hope less")]),
    ("lone lee", [("sadness", "lone lee")]),
    ("um re peat that please", [("repeat", "re peat that")]),
    ("like a sevin", [("7", "sevin")]),
    # ordinary words, never matched
    ("i only slept", []),                    # 'only' ~ 'lonely': a consonant more than one word allows
    ("i am hopeful", []),                    # 'hopeful' is vocabulary (joy) as spelled
    ("living", []),                          # 'living' ~ 'loving': a stressed vowel apart
    ("i skipped dinner", []),                # 'skip dinner' in another tense: the rules decide
    ("sick and tired", []),                  # 'sick and' ~ 'sickened': ends on 'and'
    ("keep breathing", []),                  # an idiom of the vocabulary ([not]) as spelled
    ("the sadness", []),                     # 'sadness' is spelled; 'the' adds nothing
    ("heaven", []),                          # 'heaven' ~ 'seven' (h for s costs a whole phoneme)
    ("can you re peat that for me", []),     # commands count only as the whole answer
    ("stop skill", []),                      # spelled: the rules find it
])
def test_match_table(index, text, want):
    words = tokens(text)
    got = match(words, FakePhonemizer().keys(words), index)
    assert [(m.label, m.heard) for m in got] == want
    for m in got:
        assert " ".join(words[m.start:m.end]) == m.heard


def test_a_match_says_what_it_means_and_how_close(index):
    [m] = find("i used this top skill", index, FakePhonemizer())
    assert (m.kind, m.label, m.term, m.heard, m.start, m.end) == (
        "skills", "stop", "the stop skill", "this top skill", 2, 5)
    assert m.score == similarity("ðɪstɑpskɪl", "ðəstɑpskɪl") == 97.0


def test_kinds_limit_the_vocabulary(index):
    words = tokens("shained this top skill")
    keys = FakePhonemizer().keys(words)
    assert [m.label for m in match(words, keys, index, kinds=["skills"])] == ["stop"]
    assert [m.label for m in match(words, keys, index, kinds=["emotions"])] == ["shame"]
    assert match(words, keys, index, kinds=[]) == []


def test_find_asks_the_phonemizer_once_for_the_words_of_the_answer(index):
    fake = FakePhonemizer()
    find("Shained, in hopeless... like a 7", index, fake)
    assert fake.calls == [["shained", "in", "hopeless", "like", "a"]]  # no digits, no breaks


def test_no_match_crosses_a_clause_break(index):
    assert find("this top, skill", index, FakePhonemizer()) == []


def test_without_phonemes_nothing_is_matched(index):
    assert find("this top skill", index, FakePhonemizer({})) == []


def test_find_raises_when_the_phonemizer_cannot_run(index):
    class Broken:
        def keys(self, words):
            raise PhonemesUnavailable("espeak-ng could not be run")

    with pytest.raises(PhonemesUnavailable):
        find("this top skill", index, Broken())


@pytest.mark.parametrize("heard,meant,tenths", [
    ("dIr", "dIr", 0),
    ("ʃend", "ʃemd", 3),        # m for n: the sounds recognizers confuse most
    ("ʃemd", "əʃemd", 2),       # a dropped schwa
    ("pɪlz", "bɪlz", 6),        # voicing
    ("lɪvɪŋ", "lʌvɪŋ", 6),      # another full vowel
    ("kip", "dip", 10),         # unlike consonants
    ("onli", "lonli", 10),      # a consonant added
])
def test_distance_weighs_like_sounds_less(heard, meant, tenths):
    assert distance(heard, meant) == tenths
    assert distance(meant, heard) == tenths


def test_similarity_is_a_share_of_the_longer_key():
    assert similarity("pestbriðɪŋ", "pestbriðɪŋ") == 100.0
    assert similarity("ʃend", "əʃemd") == 90.0
    assert similarity("", "") == 0.0
    assert similarity("xyz", "stɑpskɪl") < phonetic.THRESHOLD


@pytest.mark.parametrize("word,base", [("skipped", "skip"), ("scratching", "scratch"),
                                       ("watched", "watch"), ("killed", "kil"), ("kill", "kil"),
                                       ("cones", "cones"), ("red", "red")])
def test_stem(word, base):
    assert phonetic.stem(word) == base


# -- the packaged index -----------------------------------------------------------------------

def test_the_packaged_index_loads():
    index = PhoneticIndex.load()
    kinds = {t.kind for t in index.sound}
    assert kinds == {"emotions", "skills", "urges", "commands", "yesno", "numbers"}
    alphabet = set(phonemes.PHONEMES.values())
    assert all(set(t.key) <= alphabet for t in index.sound)
    by_text = {(t.kind, t.text): t for t in index.terms}
    assert by_text["skills", "the stop skill"].key and by_text["skills", "the stop skill"].variant
    assert by_text["emotions", "ashamed"].key
    assert not by_text["urges", "pills"].key        # one syllable: spelling only
    assert not by_text["urges", "cut"].key
    assert not by_text["numbers", "four"].key
    assert by_text["numbers", "seven"].key
    assert set(index.around) == {"commands", "yesno", "numbers"}


def test_the_packaged_index_holds_the_current_vocabulary():
    build = _script("build_phonetic")
    data = json.loads(read_text(phonetic.DATA))
    in_file = [(t["kind"], t["label"], t["text"]) for t in data["terms"] if not t.get("variant")]
    assert in_file == [(k, lab, p) for k, lab, p, _ in build.selection()], (
        "the vocabulary changed: run scripts/build_phonetic.py")


@pytest.mark.parametrize("text,problem", [
    ("not json", "not a phonetic key file"),
    ('{"schema_version": 99, "terms": [], "around": {}}', "schema_version 99"),
    ('{"schema_version": 1, "terms": [{"kind": "skills"}], "around": {}}', "not a phonetic"),
    ('{"schema_version": 1, "terms": []}', "not a phonetic key file"),
])
def test_a_broken_key_file_says_what_to_do(text, problem):
    with pytest.raises(DataError, match=problem) as caught:
        PhoneticIndex.from_json(text, "phonetic_keys.json")
    assert "phonetic_keys.json" in str(caught.value)
    assert "build_phonetic.py" in str(caught.value)


# -- the espeak-ng adapter, with a fake process runner ------------------------------------------

class FakeRun:
    """Stands in for subprocess.run: answers each input line with a canned espeak-ng line."""

    def __init__(self, table: dict[str, str], returncode: int = 0, error: Exception | None = None):
        self.table, self.returncode, self.error, self.inputs = table, returncode, error, []

    def __call__(self, argv, input, **kwargs):
        if self.error:
            raise self.error
        self.inputs.append(input)
        lines = [self.table[w] for w in input.split("\n") if w]
        return subprocess.CompletedProcess(argv, self.returncode, "\n".join(lines) + "\n",
                                           "boom" if self.returncode else "")


ESPEAK_X = {"ashamed": "a#_S_'eI_m_d", "deer": "d_'i@3", "top": "t2_'0_p", "harm": "h_'A@_m",
            "i'm": "aI_m", "the": "D_@2", "x": "'E_k_s"}


@pytest.mark.parametrize("line,key", [("a#_S_'eI_m_d", "əʃemd"), ("d_'i@3", "dI"),
                                      ("t2_'0_p", "tɑp"), ("h_'A@_m", "hAm"),
                                      ("v_,i:_;_'E_s", "viɛs"), ("D_'@2", "ðə"),
                                      ("p_r_'oU_z__:__:", "proz")])
def test_espeak_output_becomes_one_character_per_phoneme(line, key):
    assert key_of(line) == key


def test_the_adapter_runs_espeak_once_per_batch_and_remembers():
    run = FakeRun(ESPEAK_X)
    espeak = EspeakPhonemizer(run=run)
    assert espeak.keys(["ashamed", "deer", "top", "deer"]) == {
        "ashamed": "əʃemd", "deer": "dI", "top": "tɑp"}
    assert run.inputs == ["ashamed\ndeer\ntop\n"]
    assert espeak.keys(["top", "ashamed"]) == {"top": "tɑp", "ashamed": "əʃemd"}
    assert espeak.calls == 1


def test_the_adapter_passes_espeak_only_plain_words():
    run = FakeRun({**ESPEAK_X, "harm": "h_'A@_m"})
    keys = EspeakPhonemizer(run=run).keys(["[[harm]]", "i'm", "--", ""])
    assert run.inputs == ["harm\ni'm\n"]
    assert keys == {"[[harm]]": "hAm", "i'm": "Ym", "--": "", "": ""}


def test_the_adapter_asks_word_by_word_when_lines_do_not_line_up():
    table = {**ESPEAK_X, "deer": "d_'i@3\nextra"}
    run = FakeRun(table)
    keys = EspeakPhonemizer(run=run).keys(["ashamed", "deer"])
    assert keys["ashamed"] == "əʃemd"
    assert run.inputs == ["ashamed\ndeer\n", "ashamed\n", "deer\n"]


@pytest.mark.parametrize("run", [
    FakeRun({}, error=FileNotFoundError("espeak-ng")),
    FakeRun({}, error=subprocess.TimeoutExpired("espeak-ng", 10)),
    FakeRun({"top": "t_'0_p"}, returncode=1),
])
def test_the_adapter_says_when_espeak_cannot_run(run):
    with pytest.raises(PhonemesUnavailable, match="espeak-ng"):
        EspeakPhonemizer(run=run).keys(["top"])


def test_a_missing_command_is_not_available():
    assert not phonemes.available("no-such-espeak-ng-here")


# -- real espeak-ng -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def espeak() -> EspeakPhonemizer:
    if not phonemes.available():
        pytest.skip("espeak-ng is not installed (sudo apt-get install espeak-ng)")
    return EspeakPhonemizer()


@needs_espeak
def test_real_espeak_hears_homophones_alike(espeak):
    keys = espeak.keys(["deer", "dear", "paste", "paced", "pills", "bills", "the"])
    assert keys["deer"] == keys["dear"]
    assert keys["paste"] == keys["paced"]
    assert keys["pills"] != keys["bills"]
    assert all(keys.values())


@needs_espeak
def test_real_espeak_finds_the_issue_examples(espeak):
    index = PhoneticIndex.load()
    assert [(m.label, m.heard) for m in find("i used this top skill", index, espeak)] == [
        ("stop", "this top skill")]
    assert ("shame", "shained") in [(m.label, m.heard)
                                    for m in find("shained in hopeless", index, espeak)]
    assert [m.label for m in find("i did some paste breathing", index, espeak)] == ["tipp"]


@needs_espeak
@pytest.mark.parametrize("case", [c for c in MISHEARINGS["heard"] if c.get("reach") is not False],
                         ids=lambda c: c["text"])
def test_real_mishearings_are_understood(espeak, case):
    """By sound, or by the phrase rules when the vocabulary lists the slip ('deer man')."""
    bench = _script("bench_phonetic")
    by_sound = {f"{m.kind}:{m.label}" for m in find(case["text"], PhoneticIndex.load(), espeak)}
    assert case["means"] in by_sound or bench.spelled(case["text"], case["means"])


@needs_espeak
@pytest.mark.parametrize("text", ["bills", "hit again", "around the floor", "do i guess"])
def test_real_one_syllable_sound_alikes_are_left_alone(espeak, text):
    """'pills', 'cut', 'four', 'two' need their spelling: ordinary words sound like them."""
    assert find(text, PhoneticIndex.load(), espeak) == []


@needs_espeak
@pytest.mark.parametrize("case", MISHEARINGS["ordinary"], ids=lambda c: c["text"])
def test_real_ordinary_words_are_not_matched(espeak, case):
    found = {f"{m.kind}:{m.label}" for m in find(case["text"], PhoneticIndex.load(), espeak)}
    assert case["not"] not in found, case["why"]


@needs_espeak
def test_no_false_matches_on_the_test_answers(espeak):
    """Every answer in tests/data against the whole vocabulary (see scripts/bench_phonetic.py)."""
    bench = _script("bench_phonetic")
    rows = bench.answers()
    espeak.keys({w for _, text, _ in rows for w in tokens(text) if w.isalpha()})  # one run
    index = PhoneticIndex.load()
    false = [(text, m.heard, m.term) for _, text, expected in rows
             for m in find(text, index, espeak) if f"{m.kind}:{m.label}" not in expected]
    assert len(rows) > 3000
    assert false == []


@needs_espeak
def test_the_packaged_keys_are_what_espeak_gives(espeak):
    build = _script("build_phonetic")
    assert build.dump(build.build(espeak)) == read_text(phonetic.DATA), (
        "run scripts/build_phonetic.py")
