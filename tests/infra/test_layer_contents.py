"""The Lambda layers (`ContentUri: shared/`) ship what the functions import and nothing else: every module of
the `sigap` package is reached from some function's handler, and none of the developer tools is; numpy goes only
where mentions are scored or the report drawn, and the report's drawing packages only where it is drawn; every
pinned package has a wheel for the functions' platform; and the build leaves every module compiled."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

import grimp
import pytest

if TYPE_CHECKING:
    from sigap_tools.local.template import FunctionSpec

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
    # Then it holds the sigap package, the three layers' pinned requirements and the Makefile that builds them
    # (tools live in tools/)
    assert entries == {"sigap", "requirements.txt", "numpy-requirements.txt", "report-requirements.txt", "Makefile"}


REPORT_PACKAGES = {"matplotlib", "fpdf"}


def _function_specs() -> list[FunctionSpec]:
    from sigap_tools.local.template import Template

    return Template.load(ROOT / "template.yaml").functions()


def _functions_layers() -> dict[str, tuple[str, list[str]]]:
    """Each function's handler folder and its layers, the global ones first (as SAM merges them)."""
    return {spec.logical_id: (str(spec.code_uri.relative_to(ROOT)), list(spec.layers)) for spec in _function_specs()}


def test_a_function_carries_the_numpy_and_report_layers_exactly_when_its_imports_reach_them() -> None:
    # Given the import graph with the third-party packages in it, lazy imports included
    graph = grimp.build_graph("sigap", include_external_packages=True, cache_dir=None)
    carriers: dict[str, list[str]] = {"NumpyLayer": [], "ReportLayer": []}
    for logical_id, (code_uri, layers) in _functions_layers().items():
        # When we follow this function's handler's imports
        handler = ROOT / code_uri / "handler.py"
        roots = {
            node.module
            for node in ast.walk(ast.parse(handler.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sigap")
        }
        reached = _reached_from(roots, graph)
        draws = bool(reached & REPORT_PACKAGES)
        computes = "numpy" in reached or draws  # matplotlib and contourpy compute with numpy
        # Then it has the report layer exactly when it can reach matplotlib or fpdf2, and the numpy layer exactly
        # when it can reach numpy, above the shared layer and in the order they build on each other
        assert layers[0] == "SharedLayer", logical_id
        assert ("ReportLayer" in layers) == draws, logical_id
        assert ("NumpyLayer" in layers) == computes, logical_id
        assert layers == sorted(layers, key=["SharedLayer", "NumpyLayer", "ReportLayer"].index), logical_id
        for layer in carriers:
            if layer in layers:
                carriers[layer].append(logical_id)
    assert carriers == {
        "NumpyLayer": ["ScoreFunction", "ScoringFunction", "StatementsFunction"],
        "ReportLayer": ["StatementsFunction"],
    }


def test_each_layer_is_built_by_the_makefile_and_leaves_every_module_compiled(tmp_path: Path) -> None:
    import importlib.util
    import shutil
    import subprocess
    import sys

    from sigap_tools.local.template import load_template

    # Given each layer the template builds with shared/Makefile
    layers = {
        logical_id: resource
        for logical_id, resource in load_template(ROOT / "template.yaml")["Resources"].items()
        if resource["Type"] == "AWS::Serverless::LayerVersion"
    }
    assert set(layers) == {"SharedLayer", "NumpyLayer", "ReportLayer"}
    source = tmp_path / "source"
    shutil.copytree(ROOT / "shared", source, ignore=shutil.ignore_patterns("*.egg-info"))
    (source / "sigap" / "tests").mkdir()  # a test suite, as a package's wheel may hold one
    for logical_id, resource in layers.items():
        assert resource["Properties"]["ContentUri"] == "shared/"
        assert resource["Metadata"] == {"BuildMethod": "makefile", "BuildArchitecture": "arm64"}
        # When sam build would run its target (offline here: the pip step, which needs PyPI, is left out)
        artifacts = tmp_path / logical_id
        subprocess.run(
            [
                "make",
                "-s",
                f"build-{logical_id}",
                f"ARTIFACTS_DIR={artifacts}",
                f"PYTHON={sys.executable}",
                "INSTALL=:",
            ],
            cwd=source,
            check=True,
        )
        # Then what the layer ships is compiled ahead, as .pyc the runtime takes without checking timestamps
        built = artifacts / "python"
        if logical_id != "SharedLayer":
            assert not (built / "sigap").exists()
            continue
        modules = sorted((built / "sigap").rglob("*.py"))
        assert len(modules) > 100
        assert not (built / "sigap" / "tests").exists()
        for module in modules:
            compiled = Path(importlib.util.cache_from_source(str(module)))
            header = compiled.read_bytes()[:8]
            assert header[:4] == importlib.util.MAGIC_NUMBER, module
            assert int.from_bytes(header[4:8], "little") == 0b01, module  # hash-based, never checked


# What a function's cold start may load beyond boto3, pydantic and Powertools: a library every one of its requests
# needs. The rest (jinja2 for e-mails, pages and templates; markdown-it for statements' HTML) is imported on the
# first use, so an invocation that sends or renders nothing does not pay for it.
HEAVY_LIBRARIES = {"jinja2", "markdown_it", "numpy", "matplotlib", "fpdf", "PIL"}
LOADED_AT_COLD_START = {"ConsoleFunction": {"jinja2"}, "ScoreFunction": {"numpy"}, "ScoringFunction": {"numpy"}}


def _modules_on_import(code_uri: str) -> set[str]:
    """Every module a fresh process holds once it has imported the function's handler, as a cold start does."""
    import subprocess
    import sys

    probe = "import sys; sys.path.insert(0, '.'); import handler; print(' '.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT / code_uri, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


@pytest.fixture(scope="module")
def cold_starts() -> dict[str, set[str]]:
    """Each function's modules after its handler's import, each in a fresh process."""
    from concurrent.futures import ThreadPoolExecutor

    functions = {logical_id: code_uri for logical_id, (code_uri, _) in _functions_layers().items()}
    with ThreadPoolExecutor(4) as pool:
        return dict(zip(functions, pool.map(_modules_on_import, functions.values()), strict=True))


def test_a_cold_start_loads_only_the_heavy_libraries_every_request_of_its_function_needs(
    cold_starts: dict[str, set[str]],
) -> None:
    # Given every function's handler, imported alone in a fresh process
    loaded = {
        name: {module.split(".")[0] for module in modules} & HEAVY_LIBRARIES for name, modules in cold_starts.items()
    }
    # Then only the console loads jinja2 (its every answer is a page) and only scoring loads numpy (the model)
    assert {name: found for name, found in loaded.items() if found} == LOADED_AT_COLD_START


# The functions through which mentions come in: they claim what they receive, and never read mentions back.
DOORS = {"IngestFunction", "HooksFunction", "EmailFunction", "FeedFunction", "ImportFunction", "ScoreFunction"}
QUERY_SIDE = {"sigap.mentions.domain", "sigap.mentions.store", "sigap.kernel.minute_counts"}


def test_a_door_loads_the_claims_and_not_the_query_side_of_mentions(cold_starts: dict[str, set[str]]) -> None:
    # Given every function through which mentions come in, imported alone in a fresh process
    for door in DOORS:
        # Then it has the claims, and none of the listing, reading and counting side (its pydantic models took
        # about a tenth of a door's import)
        assert "sigap.mentions.claim_store" in cold_starts[door], door
        assert cold_starts[door] & QUERY_SIDE == set(), door
    # And the functions that read mentions back do load it: the list is not vacuous
    assert cold_starts["QueryFunction"] >= QUERY_SIDE


def test_only_a_queue_consumer_loads_the_batch_machinery(cold_starts: dict[str, set[str]]) -> None:
    # Given which functions an SQS queue invokes, from the template
    consumers = {
        spec.logical_id for spec in _function_specs() if any(event["Type"] == "SQS" for event in spec.events.values())
    }
    # When every function's handler is imported alone in a fresh process
    batch = {name for name, modules in cold_starts.items() if "aws_lambda_powertools.utilities.batch" in modules}
    # Then exactly the consumers load Powertools' batch utility: an API function that imported a consumer's wiring
    # for one helper (the statements API did, for the site's address) paid 16 ms of it and 18 more of the
    # consumer's own modules on every cold start
    assert batch == consumers


def _install_platform(makefile_dir: Path) -> tuple[tuple[int, int], list[str]]:
    """The Python version and platforms the layers' pip install fetches wheels for, as the Makefile spells them."""
    import subprocess

    shown = subprocess.run(
        ["make", "-s", "--eval=show-install: ; @echo $(INSTALL)", "show-install", "ARTIFACTS_DIR=/layer"],
        cwd=makefile_dir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert shown[shown.index("--implementation") + 1] == "cp"
    assert "--only-binary=:all:" in shown
    major, minor = shown[shown.index("--python-version") + 1].split(".")
    platforms = [shown[at + 1] for at, word in enumerate(shown) if word == "--platform"]
    return (int(major), int(minor)), platforms


def _locked_wheels() -> dict[tuple[str, str], list[str]]:
    import tomllib

    from packaging.utils import canonicalize_name

    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {
        (canonicalize_name(package["name"]), package["version"]): [
            wheel["url"].rsplit("/", 1)[-1] for wheel in package.get("wheels", [])
        ]
        for package in lock["package"]
    }


def test_every_pinned_layer_package_has_a_locked_wheel_for_the_functions_platform() -> None:
    from packaging.requirements import Requirement
    from packaging.tags import compatible_tags, cpython_tags
    from packaging.utils import canonicalize_name, parse_wheel_filename

    # Given the platforms the Makefile's pip install asks for (the functions: CPython 3.12 on arm64 Linux)
    version, platforms = _install_platform(ROOT / "shared")
    assert all(platform.endswith("_aarch64") for platform in platforms)
    accepted = {
        *cpython_tags(version, platforms=platforms),
        *compatible_tags(version, f"cp{version[0]}{version[1]}", platforms),
    }
    runtime = {
        "python_version": f"{version[0]}.{version[1]}",
        "python_full_version": f"{version[0]}.{version[1]}.0",
        "platform_machine": "aarch64",
        "sys_platform": "linux",
        "platform_system": "Linux",
    }
    locked = _locked_wheels()
    # When each pinned requirement of the three layers is looked up in uv.lock
    missing = []
    pinned = 0
    for requirements in ("requirements.txt", "numpy-requirements.txt", "report-requirements.txt"):
        for line in (ROOT / "shared" / requirements).read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate(runtime):
                continue
            (specifier,) = requirement.specifier
            wheels = locked[(canonicalize_name(requirement.name), specifier.version)]
            pinned += 1
            if not any(set(parse_wheel_filename(wheel)[3]) & accepted for wheel in wheels):
                missing.append(f"{requirement.name}=={specifier.version}")
    # Then each has a wheel pip takes for that platform (sam build installs wheels only: one missing fails the
    # build), as a wheel built for a newer glibc than the Makefile names would not be
    assert pinned > 20
    assert not missing, f"no locked wheel for {platforms}: {missing}"
