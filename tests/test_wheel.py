"""The wheel carries the knowledge base and locales: install it non-editable and ask."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import REPO


@pytest.mark.slow
def test_wheel_installs_and_answers(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--wheel",
            "--outdir",
            str(dist),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(dist.glob("tmux_sensei-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    env = dict(os.environ, TMUX_SENSEI_HOME=str(tmp_path / "home"))
    env.pop("TMUX_SENSEI_KB", None)
    for q, needle in (
        ("why did my tmux session exit while I was away?", "TMOUT"),
        ("なぜセッションが消えた？", "TMOUT"),
    ):
        p = subprocess.run(
            [str(env_dir / "bin" / "tmux-sensei"), "ask", "--no-diagnose", q],
            capture_output=True,
            timeout=60,
            env=env,
            cwd=tmp_path,
        )
        assert p.returncode == 0, p.stderr
        assert needle.encode() in p.stdout
    site = subprocess.run(
        [str(py), "-c", "import tmux_sensei, os; print(os.path.dirname(tmux_sensei.__file__))"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    ).stdout.strip()
    assert Path(site, "knowledge", "ja", "session-vanished.md").exists()
    assert Path(site, "locales", "ja.toml").exists()
