"""Probes under hostile conditions: a tmux that never answers (a stopped server), signals in the
middle of a run, files they cannot read. No program is left running; nothing unknown is
reported as known."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, wait_for

QUESTION = "why did my tmux session exit while I was away?"


def hanging_tmux(tmp_path: Path, marker: str) -> dict[str, str]:
    """A PATH whose `tmux` answers -V and then hangs, as a client of a stopped server does."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "tmux"
    script.write_text(
        f'#!/bin/sh\ncase "$1" in -V) echo "tmux 3.3a" ;; *) exec sleep {marker} ;; esac\n'
    )
    script.chmod(0o755)
    return dict(os.environ, PATH=f"{bin_dir}:/usr/bin:/bin")


def sleepers(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if cmdline == f"sleep\0{marker}\0".encode():
            found.append(int(entry))
    return found


def end_all(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def start(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tmux_sensei", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=REPO,
    )


def test_children_of_late_probes_are_ended_at_the_deadline(warm: Path, tmp_path: Path) -> None:
    marker = "3141.5926"
    env = hanging_tmux(tmp_path, marker)
    procs = [start(env, "ask", QUESTION) for _ in range(5)]
    try:
        for p in procs:
            p.communicate(timeout=60)
            assert p.returncode in (0, 1)
        time.sleep(0.3)
        assert sleepers(marker) == []
    finally:
        end_all(sleepers(marker))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("command", [["ask", QUESTION], ["doctor"]])
def test_a_signal_in_the_middle_of_the_probes_leaves_no_child(
    warm: Path, tmp_path: Path, sig: int, command: list[str]
) -> None:
    marker = f"2718.{sig}{len(command)}"
    env = hanging_tmux(tmp_path, marker)
    p = start(env, *command)
    try:
        assert wait_for(lambda: bool(sleepers(marker)), 20)
        p.send_signal(sig)
        _, err = p.communicate(timeout=20)
        assert p.returncode in (130, 143, -sig), err
        time.sleep(0.3)
        assert sleepers(marker) == []
    finally:
        p.kill()
        end_all(sleepers(marker))
