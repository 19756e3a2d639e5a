"""Streams under hostile conditions: closed stdin or stdout, a full disk, a reader that goes away,
a 100 MB line. A clean exit with at most one line on stderr, never Python's noise."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, sensei

NOISE = (b"Traceback", b"Exception ignored", b"went wrong", b"BrokenPipe")


def via_sh(script: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run tmux-sensei from sh, so that the script can close or redirect its streams."""
    return subprocess.run(
        ["sh", "-c", script, sys.executable, *args],
        capture_output=True,
        timeout=60,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
    )


def clean(err: bytes) -> None:
    assert not [n for n in NOISE if n in err], err


def test_a_closed_stdin_is_an_empty_conversation(warm: Path) -> None:
    p = via_sh('"$0" -m tmux_sensei <&-')
    clean(p.stderr)
    assert p.returncode == 0


def test_a_closed_stdout_is_not_an_internal_error(warm: Path) -> None:
    p = via_sh('"$0" -m tmux_sensei ask --no-diagnose "how do I detach?" >&-')
    clean(p.stderr)
    assert p.returncode == 0
    p = via_sh('echo "how do I detach?" | "$0" -m tmux_sensei >&-')
    clean(p.stderr)
    assert p.returncode == 0


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("args", [["ask", "--no-diagnose", "how do I detach?"], ["--help"]])
def test_a_full_disk_is_one_line_on_stderr(warm: Path, args: list[str]) -> None:
    p = via_sh('"$0" -m tmux_sensei "$@" > /dev/full', *args)
    clean(p.stderr)
    assert p.returncode == 74
    assert b"could not write" in p.stderr and len(p.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["doctor"],
        ["report"],
        ["setup"],
        ["learn", "--list"],
        ["--help"],
        ["--version"],
        ["ask", "--no-diagnose", "how do I detach?"],
        ["kb", "check"],
    ],
)
def test_a_reader_that_closes_early_gets_no_noise(warm: Path, args: list[str]) -> None:
    r, w = os.pipe()
    os.close(r)  # the reader is gone before we write a byte
    p = subprocess.run(
        [sys.executable, "-m", "tmux_sensei", *args],
        stdout=w,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        timeout=120,
        cwd=REPO,
    )
    os.close(w)
    clean(p.stderr)
    assert p.returncode in (0, 1), p.stderr


def test_a_100_mb_line_on_stdin_is_cut_before_it_is_read_whole(warm: Path) -> None:
    data = b"x" * (100 * 1024 * 1024) + b"\nhow do I detach?\n"
    start = time.monotonic()
    p = sensei(input=data, timeout=30)
    assert time.monotonic() - start < 15
    clean(p.stderr)
    assert p.returncode == 0
    assert b"C-b d" in p.stdout
