"""A real headless browser for the e2e tests: Chromium from Debian's packages (`make browser` installs it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

_NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str:
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("no Chromium on PATH: run 'make browser' (apt-get install chromium)")


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", *arguments],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )


def rendered_dom(url: str) -> str:
    """The page's DOM after the browser loaded it: what a visitor's browser made of it."""
    return _run("--dump-dom", url).stdout


def screenshot(url: str, path: Path, width: int = 420, height: int = 1100) -> Path:
    _run("--hide-scrollbars", f"--window-size={width},{height}", f"--screenshot={path}", url)
    return path
