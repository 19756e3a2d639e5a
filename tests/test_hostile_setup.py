"""Quoting and setup under hostile paths and configs: a path with spaces, quotes, $ or # loads as
it is and runs nothing else; `/learn 1; touch X #` never reaches a shell; the backup is the
config's exact bytes; a commented-out line loads nothing; an older block is replaced."""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import requires_tmux, sensei, wait_for

from tmux_sensei import setup
from tmux_sensei.cli import Env


@requires_tmux
def test_setup_lines_quote_a_hostile_install_path_for_tmux_and_the_shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = tmp_path / "loaded"
    where = tmp_path / "a b'$(touch pwned)'c \"d\" #{pane_id} ;"
    where.mkdir()
    plugin = where / "tmux-sensei.tmux"
    plugin.write_text(f"#!/bin/sh\ntouch '{loaded}'\n")
    plugin.chmod(0o755)
    monkeypatch.setattr(setup, "plugin_file", lambda: str(plugin))
    monkeypatch.setattr(setup, "sensei_command", lambda env: setup.shell_quote([str(plugin)]))
    conf = tmp_path / "tmux.conf"
    lines = setup.conf_lines(Env(io.StringIO(), io.StringIO(), {}, False), {})
    conf.write_text("\n".join(lines) + "\n")
    sock = f"sensei-test-{secrets.token_hex(4)}"
    env = dict(os.environ, HOME=str(tmp_path))
    env.pop("TMUX", None)
    run = ["tmux", "-L", sock]
    started = subprocess.run(
        [*run, "-f", str(conf), "new-session", "-d"], env=env, cwd=tmp_path, timeout=10
    )
    try:
        assert started.returncode == 0
        assert wait_for(loaded.exists, 10), conf.read_text()
        value = subprocess.run(
            [*run, "show", "-gv", "@sensei-command"], capture_output=True, text=True, env=env
        ).stdout.strip()
        assert value == setup.shell_quote([str(plugin)])
        assert not list(tmp_path.rglob("pwned"))
    finally:
        subprocess.run([*run, "kill-server"], env=env, timeout=10, capture_output=True)


def test_learn_in_the_conversation_never_hands_a_shell_string_to_tmux(
    warm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tmux_sensei import repl

    record = tmp_path / "argv"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "tmux"
    # one "--call--" line, then one line per argument, for every call
    each = 'for a in "$@"; do printf "%s\\n" "$a"; done'
    fake.write_text(f'#!/bin/sh\n{{ echo --call--; {each}; }} >> "{record}"\n')
    fake.chmod(0o755)
    environ = dict(os.environ, PATH=f"{bin_dir}:/usr/bin:/bin", TMUX="/tmp/x,1,0")
    state = repl.ReplState(Env(io.StringIO(), io.StringIO(), environ, False))
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\ny\n"))
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.chdir(tmp_path)
    repl.learn("1; touch X #", state, 0, False)
    assert not (tmp_path / "X").exists()
    assert not record.exists() or "1; touch X #" not in record.read_text()
    repl.learn("1", state, 0, False)
    calls = [c.strip("\n").splitlines() for c in record.read_text().split("--call--\n")[1:]]
    (argv,) = [c for c in calls if c[:1] == ["new-window"]]  # the one call that opens it
    assert argv[:4] == ["new-window", "-d", "-n", "sensei-learn"]
    assert argv[4:] == [sys.executable, "-m", "tmux_sensei", "learn", "--lang", "en", "1"]


def home_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    home = tmp_path / "home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    return env, home / ".tmux.conf"


def test_the_backup_of_a_config_that_is_not_utf8_is_byte_identical(tmp_path: Path) -> None:
    env, conf = home_env(tmp_path)
    original = b"set -g status-left '\xff\xfe caf\xe9'\r\nset -g mouse on"
    conf.write_bytes(original)
    p = sensei("setup", "--apply", "--yes", env=env)
    assert p.returncode == 0, p.stderr
    backups = list(conf.parent.glob(".tmux.conf.bak-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert conf.read_bytes().startswith(original)  # the config keeps its own bytes too


def test_a_commented_out_run_shell_line_does_not_count(tmp_path: Path) -> None:
    env, conf = home_env(tmp_path)
    shown = sensei("setup", env=env).stdout.decode()
    run_line = next(ln for ln in shown.splitlines() if ln.startswith("run-shell"))
    conf.write_text(f"# {run_line}\n")
    p = sensei("setup", "--apply", "--yes", env=env)
    assert p.returncode == 0, p.stderr
    active = [ln for ln in conf.read_text().splitlines() if ln == run_line]
    assert len(active) == 1
    p = sensei("setup", "--apply", "--yes", env=env)  # now it does
    assert [ln for ln in conf.read_text().splitlines() if ln == run_line] == [run_line]


def test_an_older_install_path_is_replaced_not_doubled(tmp_path: Path) -> None:
    env, conf = home_env(tmp_path)
    conf.write_text(
        "set -g mouse on\n"
        f"{setup.MARKER} the popup\n"
        "set -g @sensei-command '/old/venv/bin/tmux-sensei'\n"
        "run-shell '/old/place/tmux-sensei.tmux'\n"
        "set -g history-limit 5000\n"
    )
    p = sensei("setup", "--apply", "--yes", env=env)
    assert p.returncode == 0, p.stderr
    text = conf.read_text()
    assert "/old/" not in text
    assert text.count(setup.MARKER) == 1 and text.count("tmux-sensei.tmux") == 1
    assert "set -g mouse on\n" in text and "set -g history-limit 5000\n" in text
