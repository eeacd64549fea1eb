"""The Lambda layer (`ContentUri: shared/`) ships what the functions import and nothing else: every module of
the `sigap` package is reached from some function's handler, and none of the developer tools is."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]


def _handler_imports() -> set[str]:
    modules: set[str] = set()
    for handler in (ROOT / "functions").glob("*/handler.py"):
        for node in ast.walk(ast.parse(handler.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0].startswith("sigap"):
                modules.add(node.module)
    return modules


def _reached_from(roots: set[str], graph: grimp.ImportGraph) -> set[str]:
    """Every module a handler can import, lazy imports inside functions included (grimp reads them all)."""
    reached: set[str] = set()
    waiting = list(roots)
    while waiting:
        module = waiting.pop()
        if module in reached:
            continue
        reached.add(module)
        parts = module.split(".")
        waiting.extend(".".join(parts[:end]) for end in range(1, len(parts)))  # importing a.b runs a first
        waiting.extend(graph.find_modules_directly_imported_by(module))
    return reached


def test_every_module_in_the_layer_is_imported_by_a_function_and_no_tool_is() -> None:
    # Given the import graph of the layer's package and of the developer tools
    graph = grimp.build_graph("sigap", "sigap_tools", cache_dir=None)
    # When we follow every function's imports
    reached = _reached_from(_handler_imports(), graph)
    shipped = {module for module in graph.modules if module == "sigap" or module.startswith("sigap.")}
    # Then nothing in the layer is dead weight, and no function reaches the tools
    assert shipped - reached == set(), "move these out of shared/sigap (into tools/) or import them"
    assert {module for module in reached if module.startswith("sigap_tools")} == set()


def test_the_layer_folder_holds_only_the_package_and_its_requirements() -> None:
    # Given shared/, the layer's ContentUri
    entries = {
        path.name for path in (ROOT / "shared").iterdir() if not path.name.endswith((".egg-info", "__pycache__"))
    }
    # Then it holds the sigap package and the pinned requirements only (tools live in tools/)
    assert entries == {"sigap", "requirements.txt"}
