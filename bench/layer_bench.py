"""The Lambda layers as `sam build` makes them (shared/Makefile), built here by uv from uv.lock's pins (from its
cache when the network is off): their size and what each holds, from the functions' own wheels (arm64, glibc up
to 2.34, CPython 3.12), and what their compiled modules save a cold start, from this machine's wheels (a handler
must import here). A function's file system is read-only, so a layer shipped without .pyc files is compiled again
on every cold start; that is measured by importing a handler with the layer's .pyc files and without them (and
PYTHONDONTWRITEBYTECODE, as on Lambda), in turn in the same rounds of fresh processes."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UV = ROOT / ".venv-tools" / "bin" / "uv"
# Each measured function's handler folder and its layers, in the order the template gives them.
HANDLERS = {
    "IngestFunction": ("ingest", ["SharedLayer"]),
    "QueryFunction": ("query", ["SharedLayer"]),
    "ScoringFunction": ("scoring", ["SharedLayer", "NumpyLayer"]),
    "StatementsFunction": ("statements", ["SharedLayer", "NumpyLayer", "ReportLayer"]),
}


LAYERS = ("SharedLayer", "NumpyLayer", "ReportLayer")
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


def _import_ms(module: str, paths: list[Path]) -> float:
    # The handler's folder and the layers first, as /var/task and /opt/python are; boto3 (the runtime's own on
    # Lambda) from this venv, after them. -B: no .pyc is written, as on Lambda's read-only file system.
    probe = (
        "import sys, time; sys.path[:0] = sys.argv[1:]; t = time.perf_counter(); "
        f"import {module}; print(time.perf_counter() - t)"
    )
    output = subprocess.run(
        [sys.executable, "-s", "-B", "-c", probe, *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(output.stdout.strip().splitlines()[-1]) * 1000


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
        except subprocess.CalledProcessError as exc:
            print(f"(layers not built here, so not measured: {exc.stderr.decode()[-300:].strip()})\n")
            return
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
        _, heaviest = HANDLERS["StatementsFunction"]
        carried = sum(_size(shipped[name] / "python", compiled=True) for name in heaviest) / 2**20
        print(f"\nThe statements function carries {', '.join(heaviest)}: {carried:.0f} MiB unzipped of the 250 MiB")
        print("Lambda allows a function and its layers; every function but it and the two that score, the shared")
        print("layer alone.\n")
        sources = {name: Path(scratch) / f"{name}-sources" for name in built}
        for name, artifacts in built.items():
            shutil.copytree(artifacts / "python", sources[name], ignore=shutil.ignore_patterns("__pycache__"))
        samples: dict[tuple[str, bool], list[float]] = {}
        ratios: dict[str, list[float]] = {}
        for _ in range(runs):
            boto3_ms = _import_ms("boto3", [])
            for function, (folder, names) in HANDLERS.items():
                for compiled in (True, False):
                    # the last layer first on the path, as it is unzipped over the ones before it in /opt
                    paths = [built[n] / "python" if compiled else sources[n] for n in reversed(names)]
                    took = _import_ms("handler", [ROOT / "functions" / folder, *paths])
                    samples.setdefault((function, compiled), []).append(took)
                    if compiled:
                        ratios.setdefault(function, []).append(took / boto3_ms)
        print(f"### Cold start: handler import from the built layers, as Lambda loads them (median of {runs} rounds)\n")
        print("| function | ms with the layer's .pyc | × import boto3 | ms compiling every module (no .pyc) | saved |")
        print("|---|---:|---:|---:|---:|")
        for function in HANDLERS:
            with_pyc = statistics.median(samples[(function, True)])
            without = statistics.median(samples[(function, False)])
            ratio = statistics.median(ratios[function])
            print(f"| {function} | {with_pyc:.0f} | {ratio:.2f} | {without:.0f} | {1 - with_pyc / without:.0%} |")
        print(
            "\nHere a handler imports as on Lambda: its folder, then the layers, then boto3 (the runtime's). The table"
            "\nabove imports each from the development venv, which holds every development tool too.\n"
        )
