"""The Lambda layers as `sam build` makes them (shared/Makefile), built here for this machine from uv's cache
(offline; `sam build` fetches the arm64 wheels instead): what each holds, and what their compiled modules save a
cold start. A function's file system is read-only, so a layer shipped without .pyc files is compiled again on
every cold start; that is measured by importing a handler with the layer's .pyc files and without them (and
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
HANDLERS = {"IngestFunction": "ingest", "QueryFunction": "query", "ScoringFunction": "scoring"}
HANDLERS_WITH_REPORT = {"StatementsFunction": "statements"}


def _build(logical_id: str, artifacts: Path) -> None:
    install = f"{UV} pip install --quiet --offline --no-deps --python {sys.executable} --target $(TARGET)"
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


def _import_ms(handler_dir: Path, layers: list[Path]) -> float:
    # The layers first, as /opt/python is; boto3 (the runtime's own on Lambda) from this venv, after them. -B: no
    # .pyc is written, as on Lambda's read-only file system.
    probe = (
        "import sys, time; sys.path[:0] = sys.argv[1:]; t = time.perf_counter(); "
        "import handler; print(time.perf_counter() - t)"
    )
    output = subprocess.run(
        [sys.executable, "-s", "-B", "-c", probe, str(handler_dir), *map(str, layers)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(output.stdout.strip().splitlines()[-1]) * 1000


def layers(runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sigap-layers-") as scratch:
        built = {name: Path(scratch) / name for name in ("SharedLayer", "ReportLayer")}
        try:
            for name, artifacts in built.items():
                _build(name, artifacts)
        except subprocess.CalledProcessError as exc:
            print(f"(layers not built offline here, so not measured: {exc.stderr.decode()[-300:].strip()})\n")
            return
        print("### Lambda layers as shared/Makefile builds them (this machine's wheels, unzipped)\n")
        print("| layer | MiB with .pyc | MiB of sources | files |")
        print("|---|---:|---:|---:|")
        for name, artifacts in built.items():
            python = artifacts / "python"
            files = sum(1 for file in python.rglob("*") if file.is_file())
            print(
                f"| {name} | {_size(python, compiled=True) / 2**20:.1f} | "
                f"{_size(python, compiled=False) / 2**20:.1f} | {files:,} |"
            )
        print()
        sources = {name: Path(scratch) / f"{name}-sources" for name in built}
        for name, artifacts in built.items():
            shutil.copytree(artifacts / "python", sources[name], ignore=shutil.ignore_patterns("__pycache__"))
        samples: dict[tuple[str, bool], list[float]] = {}
        for _ in range(runs):
            for function, folder in (HANDLERS | HANDLERS_WITH_REPORT).items():
                names = ["ReportLayer", "SharedLayer"] if function in HANDLERS_WITH_REPORT else ["SharedLayer"]
                for compiled in (True, False):
                    paths = [built[n] / "python" if compiled else sources[n] for n in names]
                    took = _import_ms(ROOT / "functions" / folder, paths)
                    samples.setdefault((function, compiled), []).append(took)
        print(f"### Cold start: handler import from the built layers (median of {runs} rounds)\n")
        print("| function | ms with the layer's .pyc | ms compiling every module (no .pyc) | saved |")
        print("|---|---:|---:|---:|")
        for function in HANDLERS | HANDLERS_WITH_REPORT:
            with_pyc = statistics.median(samples[(function, True)])
            without = statistics.median(samples[(function, False)])
            print(f"| {function} | {with_pyc:.0f} | {without:.0f} | {1 - with_pyc / without:.0%} |")
        print()
