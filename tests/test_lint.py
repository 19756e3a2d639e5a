"""The code stays ruff-clean and mypy-strict, and the README's commands stay true."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import REPO


@pytest.mark.skipif(
    shutil.which("ruff") is None and not (REPO / ".venv/bin/ruff").exists(),
    reason="ruff is not installed",
)
def test_ruff_clean() -> None:
    p = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=REPO, capture_output=True, text=True
    )
    assert p.returncode == 0, p.stdout[-3000:]


def test_mypy_strict() -> None:
    pytest.importorskip("mypy")
    p = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert p.returncode == 0, p.stdout[-3000:]


def test_readme_quick_start_and_ci_agree() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    assert "<!-- test-command -->" in readme and "<!-- test-command -->" in ci
    assert "tmux-sensei ask" in readme
    for cmd in ("ask", "kb check"):
        assert f"tmux-sensei {cmd}" in readme
