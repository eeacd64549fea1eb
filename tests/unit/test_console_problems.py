"""What the console says when it cannot do what was asked is written in every language its pages speak."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sigap.console.problems import PROBLEMS, say
from sigap.kernel.language import Language

NAMING = {"problem_page", "say", "SignInRefusedError"}  # calls whose string arguments are problem keys
CONSOLE = Path(__file__).resolve().parents[2] / "shared" / "sigap" / "console"


def test_every_problem_is_written_in_each_language_with_the_same_blanks() -> None:
    english = PROBLEMS[Language.ENGLISH]
    for language, written in PROBLEMS.items():
        assert written.keys() == english.keys(), language
        for key, text in written.items():
            assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", english[key])), (language, key)


def test_every_problem_the_console_names_is_written() -> None:
    # Given every problem key the console's code passes to problem_page, say or a sign-in refusal
    named = set()
    for path in CONSOLE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in NAMING:
                named |= {
                    arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                }
    # Then each is written (a typo would be a KeyError on the page that needs it)
    assert named
    assert named <= PROBLEMS[Language.ENGLISH].keys()


def test_a_missing_thing_is_named_in_the_pages_language_and_the_apis_words_are_quoted() -> None:
    assert say(Language.ENGLISH, "no_such", what="alert") == "no such alert"
    assert say(Language.INDONESIAN, "no_such", what="alert") == "Peringatan ini tidak ada."
    assert say(Language.ENGLISH, "api", detail="approval needs a second person") == "approval needs a second person"
    indonesian = say(Language.INDONESIAN, "api", detail="approval needs a second person")
    assert indonesian.startswith("Sigap menolak permintaan ini.")
    assert indonesian.endswith("approval needs a second person")
