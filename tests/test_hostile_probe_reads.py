"""Probes that cannot know say so: an unreadable or FIFO file is "could not read", a file beyond
the size bound says what was not read, TMOUT set inside `if` or after `&&` is found, and a
zombie tmux server does not count as running."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tmux_sensei.loader import load_strings
from tmux_sensei.paths import data_dir
from tmux_sensei.probes import config, logind, procs, tmout
from tmux_sensei.probes.base import ProbeContext


def context(root: Path, home: Path) -> ProbeContext:
    strings = load_strings(data_dir("locales"), "en")
    env = {"TMUX_SENSEI_ROOT": str(root), "HOME": str(home), "USER": "student", "PATH": ""}
    return ProbeContext(strings=strings, lang="en", environ=env, commands=False)


@pytest.mark.parametrize(
    "line",
    [
        'if [ -n "$SSH_TTY" ]; then TMOUT=600; fi',
        '[ -n "$SSH_TTY" ] && TMOUT=600',
        '[ -z "$X" ] || export TMOUT=600',
        "if true; then readonly TMOUT=600; fi",
    ],
)
def test_tmout_inside_if_or_after_and_is_found(line: str) -> None:
    value, _ = tmout.parse_line(line)
    assert value == "600"


def test_a_tmux_conf_beyond_the_size_bound_says_what_was_not_read(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    conf = home / ".tmux.conf"
    padding = "# padding\n" * 110_000
    conf.write_text("set -g mouse on\n" + padding + "set -g destroy-unattached on\n")
    found = config.probe(context(tmp_path, home))
    assert found["status"] != "ok"
    assert "first" in found["summary"] and ".tmux.conf" in found["summary"]


def test_a_fifo_tmux_conf_is_not_read_and_never_hangs(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    os.mkfifo(home / ".tmux.conf")
    found = config.probe(context(tmp_path, home))
    assert found["status"] == "unknown" and "Could not read" in found["summary"]


def test_an_unreadable_logind_conf_is_unknown_not_unset(tmp_path: Path) -> None:
    conf = tmp_path / "etc" / "systemd" / "logind.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("[Login]\nKillUserProcesses=yes\n")
    (tmp_path / "run" / "systemd" / "system").mkdir(parents=True)
    conf.chmod(0)
    try:
        if os.access(conf, os.R_OK):
            pytest.skip("running as root: permissions cannot make a file unreadable")
        found = logind.probe(context(tmp_path, tmp_path))
        assert found["status"] == "unknown" and "Could not read" in found["summary"]
    finally:
        conf.chmod(0o644)


def test_a_zombie_tmux_server_is_not_counted(tmp_path: Path) -> None:
    proc = tmp_path / "proc"
    (proc / "stat").parent.mkdir(parents=True)
    (proc / "stat").write_text("cpu 1 2 3\nbtime 1700000000\n")
    for pid, state in (("100", "S"), ("200", "Z")):
        base = proc / pid
        base.mkdir()
        (base / "comm").write_text("tmux: server\n")
        fields = [state] + ["0"] * 30
        (base / "stat").write_text(f"{pid} (tmux: server) " + " ".join(fields) + "\n")
    ctx = context(tmp_path, tmp_path)
    ctx.proc = str(proc)
    ctx.uid = os.getuid()
    servers = procs._from_proc(ctx)
    assert [s.pid for s in servers] == [100]


def test_a_fifo_logind_conf_is_unknown_not_unset(tmp_path: Path) -> None:
    conf = tmp_path / "etc" / "systemd" / "logind.conf"
    conf.parent.mkdir(parents=True)
    os.mkfifo(conf)
    (tmp_path / "run" / "systemd" / "system").mkdir(parents=True)
    found = logind.probe(context(tmp_path, tmp_path))
    assert found["status"] == "unknown" and "Could not read" in found["summary"]
