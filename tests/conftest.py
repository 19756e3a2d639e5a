"""Shared fixtures: private state for every test, and real tmux servers on private sockets."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
requires_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture(autouse=True)
def sensei_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the developer's real cache, data or config."""
    home = tmp_path / "sensei"
    monkeypatch.setenv("TMUX_SENSEI_HOME", str(home))
    monkeypatch.delenv("TMUX_SENSEI_LANG", raising=False)
    monkeypatch.delenv("TMUX_SENSEI_KB", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return home


def sensei(
    *args: str | bytes,
    env: dict[str, str] | None = None,
    timeout: float = 30,
    input: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run `tmux-sensei` as a user would: a separate process, the real console entry point."""
    argv: list[str | bytes] = [sys.executable, "-m", "tmux_sensei", *args]
    return subprocess.run(
        argv,
        capture_output=True,
        timeout=timeout,
        env=env if env is not None else dict(os.environ),
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        cwd=REPO,
    )


def tmux(sock: str, *args: str, env: dict[str, str] | None = None) -> str:
    """One tmux command on a private server; its stdout."""
    p = subprocess.run(
        ["tmux", "-L", sock, *args], capture_output=True, text=True, timeout=10, env=env
    )
    return p.stdout


def wait_for(check: Callable[[], bool], seconds: float = 15.0) -> bool:
    """Poll until a screen or server shows what a person would wait for."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.1)
    return False


def end_servers(*names: str) -> None:
    """End the private servers a test started, and remove the socket files tmux leaves."""
    for name in names:
        path = tmux(name, "display", "-p", "#{socket_path}").strip()
        tmux(name, "kill-server")
        if path.endswith(name):
            Path(path).unlink(missing_ok=True)


@pytest.fixture
def tmux_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real tmux server on a private socket; only this server is ended afterwards."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    conf = tmp_path / "tmux.conf"
    conf.write_text("set -g default-shell /bin/sh\n", "utf-8")
    monkeypatch.delenv("TMUX", raising=False)
    sock = f"sensei-test-{secrets.token_hex(4)}"
    started = subprocess.run(
        ["tmux", "-L", sock, "-f", str(conf), "new-session", "-d"],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert started.returncode == 0, started.stderr
    yield sock
    path = subprocess.run(
        ["tmux", "-L", sock, "display", "-p", "#{socket_path}"],
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.strip()
    subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True, timeout=10)
    if path.endswith(sock):
        Path(path).unlink(missing_ok=True)  # tmux leaves its socket file behind


@pytest.fixture(scope="session")
def _built_cache(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A snapshot of the knowledge base and its index cache, built once per session by a real
    run (a snapshot, so that pages edited while the tests run do not make every run cold)."""
    base = tmp_path_factory.mktemp("warm")
    kb = base / "knowledge"
    shutil.copytree(REPO / "knowledge", kb)
    home = base / "sensei"
    env = dict(os.environ, TMUX_SENSEI_HOME=str(home), TMUX_SENSEI_KB=str(kb))
    sensei("ask", "--no-diagnose", "how do I detach?", env=env, timeout=120)
    return kb, home / "cache"


@pytest.fixture
def warm(
    sensei_home: Path, _built_cache: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Path:
    """This test's private state, starting with a warm index cache (a copy of the session's)."""
    kb, cache = _built_cache
    monkeypatch.setenv("TMUX_SENSEI_KB", str(kb))
    shutil.copytree(cache, sensei_home / "cache", dirs_exist_ok=True)
    return sensei_home
