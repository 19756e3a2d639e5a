"""Dependencies are declared only for the platforms whose code imports them; probes run on
threading threads."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_psutil_and_platformdirs_only_off_linux() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    by_name = {d.split(">")[0].split(";")[0].strip(): d for d in deps}
    assert "sys_platform != 'linux'" in by_name["psutil"]
    assert "sys_platform != 'linux'" in by_name["platformdirs"]
    assert "'bsd' not in sys_platform" in by_name["platformdirs"]


def test_the_probe_runner_uses_threading() -> None:
    source = (ROOT / "tmux_sensei" / "probes" / "runner.py").read_text()
    assert "import threading" in source and "import _thread" not in source
