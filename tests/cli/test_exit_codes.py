"""One table of exit codes: distinct per meaning, the same in --help and the README."""

from __future__ import annotations

import re
from pathlib import Path

from companion.errors import EXIT_MEANINGS, CompanionError, ExitCode
from tests.fakes import run_cli

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_code_has_one_meaning():
    assert set(EXIT_MEANINGS) == set(ExitCode)
    assert len({int(c) for c in ExitCode}) == len(ExitCode)


def test_every_error_maps_to_a_code_of_the_table():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)
    codes = [e.exit_code for e in subclasses(CompanionError)]
    assert all(isinstance(c, ExitCode) for c in codes)
    assert len(set(codes)) == len(codes)


def test_help_and_readme_list_the_table(tmp_path):
    code, out, _ = run_cli(["--help"], tmp_path)
    table = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", README.read_text("utf-8"), re.MULTILINE))
    assert code == 0
    for exit_code, meaning in EXIT_MEANINGS.items():
        assert f"{int(exit_code):>3}  {meaning}" in out
        assert table[str(int(exit_code))].split(" (")[0] in meaning
