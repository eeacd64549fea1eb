"""The Lambda layers as `sam build` makes them (shared/Makefile), built here by uv from uv.lock's pins (from its
cache when the network is off): their size and what each holds, from the functions' own wheels (arm64, glibc up
to 2.34, CPython 3.12); and, from this machine's wheels (a handler must import here), each function's handler
imported with exactly its layers beside a Python holding only what Lambda's runtime holds (boto3 and its
dependencies), so a package missing from a layer fails here as it would on Lambda, and what the layers' compiled
modules save a cold start. A function's file system is read-only, so a layer shipped without .pyc files is
compiled again on every cold start; that is measured by importing a handler with the layer's .pyc files and
without them (and PYTHONDONTWRITEBYTECODE, as on Lambda), in turn in the same rounds of fresh processes."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sigap_tools.local.template import FunctionSpec

ROOT = Path(__file__).resolve().parents[1]
UV = ROOT / ".venv-tools" / "bin" / "uv"
# The functions whose cold start is timed: an API door, the reads, scoring and the heaviest (all three layers).
TIMED = ("IngestFunction", "QueryFunction", "ScoringFunction", "StatementsFunction")

LAYERS = ("SharedLayer", "NumpyLayer", "ReportLayer")
# The libraries a handler imports before any of Sigap's own code, timed alone in the same rounds: the floor under
# a function's ratio that only other libraries could lower. A queue consumer imports Powertools' batch utility
# before pydantic, as the consumers do: imported after pydantic, it loads Powertools' parser models too. (A bare
# `import pydantic` imports almost nothing: pydantic loads BaseModel's machinery when it is first named.)
LIBRARY_FLOORS = {
    "API libraries alone": (
        ("SharedLayer",),
        "import boto3; from pydantic import BaseModel; from aws_lambda_powertools import Logger, Metrics; "
        "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver; "
        "from aws_lambda_powertools.event_handler.openapi.params import Query; "
        "APIGatewayHttpResolver(enable_validation=True)",
    ),
    "scoring's libraries alone": (
        ("NumpyLayer", "SharedLayer"),
        "import boto3, numpy; from aws_lambda_powertools import Logger, Metrics; "
        "from aws_lambda_powertools.utilities.batch import BatchProcessor, process_partial_response; "
        "from pydantic import BaseModel",
    ),
}
# What the python3.12 runtime brings beside the layers: boto3 and what it needs, at uv.lock's pins.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")
# The functions' platform, as shared/Makefile asks pip for it (uv takes the newest glibc and every older one).
LAMBDA_PLATFORM = "--only-binary :all: --python-platform aarch64-manylinux_2_34 --python-version 3.12"


def _build(logical_id: str, artifacts: Path, *, for_lambda: bool) -> None:
    platform = LAMBDA_PLATFORM if for_lambda else f"--python {sys.executable}"
    install = f"{UV} pip install --quiet --no-deps {platform} --target $(TARGET)"
    subprocess.run(
        [
            "make",
            "-s",
            f"build-{logical_id}",
            f"ARTIFACTS_DIR={artifacts}",
            f"PYTHON={sys.executable}",
            f"INSTALL={install}",
        ],
        cwd=ROOT / "shared",
        check=True,
        capture_output=True,
    )


def _size(path: Path, *, compiled: bool) -> int:
    return sum(
        file.stat().st_size
        for file in path.rglob("*")
        if file.is_file() and (compiled or "__pycache__" not in file.parts)
    )


def _runtime(folder: Path) -> Path:
    """A Python holding only what Lambda's python3.12 runtime holds (boto3 and its dependencies, compiled), so a
    handler imported with its layers finds nothing the development venv would lend it."""
    exported = subprocess.run(
        [str(UV), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--no-header", "--no-annotate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    pins = [line.split(" ;")[0] for line in exported if line.split("==")[0] in RUNTIME_PACKAGES]
    subprocess.run(
        [str(UV), "venv", "--quiet", "--python", sys.executable, str(folder)], check=True, capture_output=True
    )
    python = folder / "bin" / "python"
    install = [str(UV), "pip", "install", "--quiet", "--no-deps", "--compile-bytecode", "--python", str(python)]
    subprocess.run([*install, *pins], check=True, capture_output=True)
    return python


def _import(python: Path, statement: str, paths: list[Path], env: dict[str, str] | None = None) -> float:
    """Milliseconds to run an import `statement` in a fresh process, with `paths` first (the handler's folder and
    the layers, as /var/task and /opt/python are) and the runtime's boto3 after them. -B: no .pyc is written, as
    on Lambda's read-only file system."""
    probe = (
        "import sys, time; sys.path[:0] = sys.argv[1:]; t = time.perf_counter(); "
        f"{statement}; print(time.perf_counter() - t)"
    )
    output = subprocess.run(
        [str(python), "-s", "-B", "-c", probe, *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return float(output.stdout.strip().splitlines()[-1]) * 1000


def _functions() -> dict[str, FunctionSpec]:
    from sigap_tools.local.template import Template

    return {spec.logical_id: spec for spec in Template.load(ROOT / "template.yaml").functions()}


def _layer_paths(function: FunctionSpec, layers: dict[str, Path]) -> list[Path]:
    # the last layer first on the path, as it is unzipped over the ones before it in /opt
    return [layers[name] for name in reversed(function.layers)]


def _every_handler_imports(python: Path, built: dict[str, Path]) -> None:
    """Each of the template's functions imported with exactly its layers and its environment, as a cold start."""
    functions = _functions()
    failed = []
    for logical_id, function in functions.items():
        env = {"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"}
        env |= {name: value for name, value in function.environment.items() if isinstance(value, str)}
        paths = [function.code_uri, *_layer_paths(function, {name: path / "python" for name, path in built.items()})]
        try:
            _import(python, "import handler", paths, env)
        except subprocess.CalledProcessError as exc:
            failed.append(f"{logical_id}: {exc.stderr.strip().splitlines()[-1]}")
    print(
        f"Every function's handler imported with its layers alone, beside only the runtime's boto3: "
        f"{len(functions) - len(failed)} of {len(functions)} imported.\n"
    )
    for failure in failed:
        print(f"- {failure}")


def _zipped(folder: Path, scratch: Path) -> int:
    """The layer's zip, as sam deploy uploads it (Lambda's quotas count it zipped and unzipped)."""
    return Path(shutil.make_archive(str(scratch / f"{folder.parent.name}-zip"), "zip", folder.parent)).stat().st_size


def layers(runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sigap-layers-") as scratch_name:
        scratch = Path(scratch_name)
        built = {name: scratch / name for name in LAYERS}
        shipped = {name: scratch / f"{name}-lambda" for name in LAYERS}
        try:
            for name in LAYERS:
                _build(name, built[name], for_lambda=False)
                _build(name, shipped[name], for_lambda=True)
            runtime = _runtime(scratch / "runtime")
        except subprocess.CalledProcessError as exc:
            said = exc.stderr.decode() if isinstance(exc.stderr, bytes) else str(exc.stderr)
            print(f"(layers not built here, so not measured: {said[-300:].strip()})\n")
            return
        _size_table(shipped, scratch)
        _cold_start_table(runtime, built, scratch, runs)
        _every_handler_imports(runtime, built)


def _size_table(shipped: dict[str, Path], scratch: Path) -> None:
    print("### Lambda layers as shared/Makefile builds them (the functions' arm64 wheels)\n")
    print("| layer | MiB unzipped, with .pyc | MiB of sources | MiB zipped | files |")
    print("|---|---:|---:|---:|---:|")
    for name in LAYERS:
        python = shipped[name] / "python"
        files = sum(1 for file in python.rglob("*") if file.is_file())
        print(
            f"| {name} | {_size(python, compiled=True) / 2**20:.1f} | "
            f"{_size(python, compiled=False) / 2**20:.1f} | {_zipped(python, scratch) / 2**20:.1f} | {files:,} |"
        )
    heaviest = _functions()["StatementsFunction"].layers
    carried = sum(_size(shipped[name] / "python", compiled=True) for name in heaviest) / 2**20
    print(f"\nThe statements function carries {', '.join(heaviest)}: {carried:.0f} MiB unzipped of the 250 MiB")
    print("Lambda allows a function and its layers; every function but it and the two that score, the shared")
    print("layer alone.\n")


def _cold_start_table(runtime: Path, built: dict[str, Path], scratch: Path, runs: int) -> None:
    sources = {name: scratch / f"{name}-sources" for name in built}
    for name, artifacts in built.items():
        shutil.copytree(artifacts / "python", sources[name], ignore=shutil.ignore_patterns("__pycache__"))
    compiled_layers = {name: path / "python" for name, path in built.items()}
    functions = _functions()
    # what each row imports, and what is on its path with the layers' .pyc files (True) and without them
    subjects: dict[str, tuple[str, dict[bool, list[Path]]]] = {}
    for name in TIMED:
        spec = functions[name]
        on_path = {compiled: [spec.code_uri, *_layer_paths(spec, compiled_layers if compiled else sources)]
                   for compiled in (True, False)}  # fmt: skip
        subjects[name] = ("import handler", on_path)
    for name, (layers, statement) in LIBRARY_FLOORS.items():
        on_path = {compiled: [(compiled_layers if compiled else sources)[layer] for layer in layers]
                   for compiled in (True, False)}  # fmt: skip
        subjects[name] = (statement, on_path)
    samples: dict[tuple[str, bool], list[float]] = {}
    ratios: dict[str, list[float]] = {}
    for _ in range(runs):
        boto3_ms = _import(runtime, "import boto3", [])
        for name, (statement, on_path) in subjects.items():
            for compiled, paths in on_path.items():
                took = _import(runtime, statement, paths)
                samples.setdefault((name, compiled), []).append(took)
                if compiled:
                    ratios.setdefault(name, []).append(took / boto3_ms)
    print(f"### Cold start: handler import from the built layers, as Lambda loads them (median of {runs} rounds)\n")
    print("| function | ms with the layer's .pyc | × import boto3 | ms compiling every module (no .pyc) | saved |")
    print("|---|---:|---:|---:|---:|")
    for name in subjects:
        with_pyc = statistics.median(samples[(name, True)])
        without = statistics.median(samples[(name, False)])
        ratio = statistics.median(ratios[name])
        print(f"| {name} | {with_pyc:.0f} | {ratio:.2f} | {without:.0f} | {1 - with_pyc / without:.0%} |")
    print(
        "\nHere a handler imports as on Lambda: its folder, then its layers, then a Python holding only what the"
        "\nruntime holds (boto3 and its dependencies, compiled), whose bare `import boto3` is the ratio's base. The"
        "\ntable above imports each from the development venv, which holds every development tool too. The last"
        "\nrows import only the libraries a handler imports before any of Sigap's code: the floor under its ratio.\n"
    )
