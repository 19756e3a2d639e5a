"""Live probes: file probes on fixture trees, server probes on real tmux servers."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, requires_tmux, sensei

from tmux_sensei.cli import Env, main
from tmux_sensei.loader import load_strings
from tmux_sensei.probes import config as config_probe
from tmux_sensei.probes import logind, oom, options, reboot, server, socket, tmout, version
from tmux_sensei.probes.base import ProbeContext
from tmux_sensei.probes.runner import PROBES, run
from tmux_sensei.probes.version import parse_version

ROOTS = REPO / "tests" / "fixtures" / "roots"
NOBODY_UID = 65533  # a uid with no processes: "no tmux server of yours"


def strings(lang: str = "en") -> dict[str, str]:
    return load_strings(str(REPO / "locales"), lang)


def ctx_for(root: str, lang: str = "en", **kw: object) -> ProbeContext:
    base = ROOTS / root
    environ = {
        "PATH": os.environ["PATH"],
        "USER": "student",
        "HOME": str(base / "home" / "student"),
    }
    environ.update(kw.pop("environ", {}))  # type: ignore[arg-type]
    return ProbeContext(
        strings=strings(lang), lang=lang, environ=environ, root=str(base), user="student", **kw
    )  # type: ignore[arg-type]


# ---------------------------------------------------------------- files


def test_clean_fixture_blames_nothing() -> None:
    ctx = ctx_for("clean", uid=NOBODY_UID, tmux_args=["-L", "sensei-no-such-server"])
    found = run(PROBES, ctx, deadline=5)
    assert [f["probe"] for f in found] == list(PROBES)
    blamed = [f for f in found if f["status"] in ("warn", "problem")]
    assert blamed == [], blamed


@pytest.mark.parametrize(
    ("root", "status", "needle"),
    [
        ("clean", "ok", "isn't set"),
        ("killing", "problem", "KillUserProcesses=yes"),
        ("killing-linger", "warn", "even with lingering"),
        ("killing-excluded", "ok", "KillExcludeUsers"),
        ("dropin-order", "ok", "KillUserProcesses=no"),
        ("no-systemd", "unknown", "systemd isn't running"),
    ],
)
def test_logind(root: str, status: str, needle: str) -> None:
    f = logind.probe(ctx_for(root))
    assert f["status"] == status, f
    assert needle in f["summary"]


def test_logind_problem_names_the_fixes_and_the_file() -> None:
    f = logind.probe(ctx_for("killing"))
    assert "50-kill.conf:2" in f["summary"]
    assert "loginctl enable-linger" in f["fix"] and "systemd-run --user --scope" in f["fix"]


def test_logind_root_is_excluded_by_default() -> None:
    ctx = ctx_for("killing")
    ctx.user = "root"  # KillExcludeUsers defaults to root
    assert logind.probe(ctx)["status"] == "ok"


def test_tmout_found_with_file_line_and_readonly() -> None:
    f = tmout.probe(ctx_for("tmout"))
    assert f["status"] == "warn"
    assert "TMOUT=600" in f["summary"] and "autologout.sh:2" in f["summary"]
    assert "10 min" in f["detail"]
    assert "readonly" in f["fix"]


def test_tmout_from_environment_and_japanese() -> None:
    f = tmout.probe(ctx_for("clean", lang="ja", environ={"TMOUT": "300"}))
    assert f["status"] == "warn" and "TMOUT=300" in f["summary"] and "秒" in f["summary"]


def test_tmout_commented_and_mentioned_is_not_set() -> None:
    assert tmout.probe(ctx_for("clean"))["status"] == "ok"


@pytest.mark.parametrize(
    ("line", "value", "readonly"),
    [
        ("TMOUT=600", "600", False),
        ("export TMOUT=900", "900", False),
        ("readonly TMOUT=300", "300", True),
        ("declare -r TMOUT=120", "120", True),
        ("typeset -rx TMOUT", None, True),
        ("# TMOUT=5", None, False),
        ('echo "$TMOUT"', None, False),
    ],
)
def test_tmout_lines(line: str, value: str | None, readonly: bool) -> None:
    assert tmout.parse_line(line) == (value, readonly)


def test_oom_kill_of_tmux_is_a_problem() -> None:
    f = oom.probe(ctx_for("oom"))
    assert f["status"] == "problem"
    assert "tmux: server" in f["summary"] and "1187" in f["summary"]
    assert "python3" in f["detail"]


def test_oom_other_process_is_a_warning_and_clean_is_ok() -> None:
    assert oom.probe(ctx_for("oom-other"))["status"] == "warn"
    assert oom.probe(ctx_for("clean"))["status"] == "ok"


def test_missing_and_unreadable_files_give_unknown_or_ok_never_a_crash() -> None:
    ctx = ctx_for("broken", uid=NOBODY_UID)
    found = run(PROBES, ctx, deadline=5)
    assert all(f["summary"] for f in found)
    by = {f["probe"]: f for f in found}
    assert by["oom"]["status"] == "unknown" and "kern.log" in by["oom"]["detail"]
    assert by["tmout"]["status"] == "ok"  # /etc/profile is a directory here: skipped


def test_config_risky_line_is_shown_sanitized() -> None:
    f = config_probe.probe(ctx_for("config-risky"))
    assert f["status"] == "warn" and "destroy-unattached" in f["summary"]
    assert "tmux.conf:1" in f["detail"]
    assert "\x1b" not in f["detail"] and "\x07" not in f["detail"]


def test_version_parsing() -> None:
    assert parse_version("tmux 3.3a") == ("3.3a", (3, 3))
    assert parse_version("tmux next-3.6") == ("next-3.6", (3, 6))
    assert parse_version("tmux openbsd-7.4") == ("openbsd-7.4", ())
    assert parse_version("tmux 3.5a\n") == ("3.5a", (3, 5))


def test_no_tmux_installed(tmp_path: Path) -> None:
    ctx = ctx_for("clean", environ={"PATH": str(tmp_path)})
    f = version.probe(ctx)
    assert f["status"] == "warn" and "not installed" in f["summary"]
    assert options.probe(ctx)["status"] == "unknown"


# ---------------------------------------------------------------- real tmux servers


@pytest.fixture
def private_tmpdir(tmp_path: Path) -> Iterator[Path]:
    """A TMUX_TMPDIR of our own: servers started here never meet the user's."""
    d = tmp_path / "tmuxtmp"
    d.mkdir()
    yield d
    for sock in d.glob(f"tmux-{os.getuid()}/*"):
        subprocess.run(["tmux", "-S", str(sock), "kill-server"], capture_output=True, timeout=10)


def start_server(tmpdir: Path, name: str, *extra: str, binary: str = "tmux") -> int:
    env = dict(os.environ, TMUX_TMPDIR=str(tmpdir))
    env.pop("TMUX", None)
    subprocess.run(
        [binary, "-L", name, "-f", os.devnull, "new-session", "-d", *extra],
        env=env,
        check=True,
        timeout=10,
    )
    out = subprocess.run(
        [binary, "-L", name, "display", "-p", "#{pid}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=10,
    )
    return int(out.stdout.strip())


@requires_tmux
def test_server_probe_sees_a_real_server(private_tmpdir: Path) -> None:
    pid = start_server(private_tmpdir, "seen")
    ctx = ctx_for("clean", environ={"TMUX_TMPDIR": str(private_tmpdir)})
    f = server.probe(ctx)
    assert f["status"] == "ok"
    assert f"PID {pid}" in f["detail"] and str(private_tmpdir) in f["detail"]
    assert "after the machine booted" in f["detail"]


@requires_tmux
def test_destroy_unattached_server_is_reported(private_tmpdir: Path) -> None:
    # exit-empty off keeps the server up once destroy-unattached has taken the detached session
    start_server(private_tmpdir, "du", ";", "set", "-s", "exit-empty", "off")
    env = dict(os.environ, TMUX_TMPDIR=str(private_tmpdir))
    subprocess.run(
        ["tmux", "-L", "du", "set", "-g", "destroy-unattached", "on"], env=env, timeout=10
    )
    gone = subprocess.run(["tmux", "-L", "du", "ls"], env=env, capture_output=True, timeout=10)
    assert gone.stdout == b""  # the option really destroyed the detached session
    ctx = ctx_for("clean", environ={"TMUX_TMPDIR": str(private_tmpdir)}, tmux_args=["-L", "du"])
    f = options.probe(ctx)
    assert f["status"] == "warn", f
    assert "destroy-unattached is on" in f["summary"]
    assert "tmux set -g destroy-unattached off" in f["fix"]


@requires_tmux
def test_deleted_socket_is_found_and_the_fix_works(private_tmpdir: Path) -> None:
    pid = start_server(private_tmpdir, "lost")
    sock = private_tmpdir / f"tmux-{os.getuid()}" / "lost"
    sock.unlink()
    ctx = ctx_for("clean", environ={"TMUX_TMPDIR": str(private_tmpdir)})
    f = socket.probe(ctx)
    assert f["status"] == "problem", f
    assert str(pid) in f["summary"] and f"kill -USR1 {pid}" in f["fix"]
    os.kill(pid, 10)  # do what the fix says: SIGUSR1 recreates the socket
    for _ in range(50):
        if sock.exists():
            break
        time.sleep(0.05)
    assert (
        socket.probe(ctx_for("clean", environ={"TMUX_TMPDIR": str(private_tmpdir)}))["status"]
        == "ok"
    )


@requires_tmux
def test_no_server_at_all(private_tmpdir: Path) -> None:
    ctx = ctx_for(
        "clean",
        uid=NOBODY_UID,
        environ={"TMUX_TMPDIR": str(private_tmpdir)},
        tmux_args=["-L", "sensei-none"],
    )
    assert server.probe(ctx)["status"] == "ok" and "No tmux server" in server.probe(ctx)["summary"]
    f = options.probe(ctx)  # it says which socket it asked: others (-L, -S) are not asked
    assert f["status"] == "unknown" and f"tmux-{NOBODY_UID}/sensei-none" in f["summary"], f
    assert socket.probe(ctx)["status"] == "ok"


@requires_tmux
def test_upgraded_binary_is_explained(private_tmpdir: Path, tmp_path: Path) -> None:
    binary = tmp_path / "tmux"
    shutil.copy2(shutil.which("tmux") or "tmux", binary)
    pid = start_server(private_tmpdir, "old", binary=str(binary))
    binary.unlink()  # what a package upgrade does to a running server's binary
    f = server.probe(ctx_for("clean", environ={"TMUX_TMPDIR": str(private_tmpdir)}))
    assert f["status"] == "warn", f
    assert str(pid) in f["summary"] and f"/proc/{pid}/exe attach" in f["fix"]


def test_socket_older_than_boot_was_ended_by_a_reboot(private_tmpdir: Path) -> None:
    d = private_tmpdir / f"tmux-{os.getuid()}"
    d.mkdir(mode=0o700)
    old = d / "default"
    old.write_text("")
    ctx = ctx_for("clean", environ={"TMUX_TMPDIR": str(private_tmpdir)})
    boot = reboot.boot_time(ctx)
    assert boot is not None
    os.utime(old, (boot - 3600, boot - 3600))
    f = reboot.probe(ctx)
    assert f["status"] == "warn" and "reboot" in f["summary"]


def test_unsafe_socket_directory(private_tmpdir: Path) -> None:
    d = private_tmpdir / f"tmux-{os.getuid()}"
    d.mkdir()
    d.chmod(0o777)
    f = socket.probe(ctx_for("clean", environ={"TMUX_TMPDIR": str(private_tmpdir)}))
    assert f["status"] == "problem" and "chmod 700" in f["fix"]
    assert stat.S_IMODE(d.stat().st_mode) == 0o777  # the probe only read


# ---------------------------------------------------------------- runner, ask, doctor


def test_a_hanging_command_is_cut_by_the_deadline(tmp_path: Path) -> None:
    fake = tmp_path / "tmux"
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(0o755)
    ctx = ctx_for("clean", environ={"PATH": f"{tmp_path}:{os.environ['PATH']}"})
    start = time.monotonic()
    found = run(["options", "version", "tmout", "logind", "oom"], ctx, deadline=0.3)
    elapsed = time.monotonic() - start
    assert elapsed < 0.6, elapsed
    by = {f["probe"]: f for f in found}
    assert by["options"]["status"] == "unknown" and by["version"]["status"] == "unknown"
    assert by["tmout"]["status"] == "ok" and by["oom"]["status"] == "ok"


def ask_json(question: str, environ: dict[str, str]) -> dict:  # type: ignore[type-arg]
    out = io.StringIO()
    main(["ask", "--json", question], Env(out, io.StringIO(), environ, False))
    return json.loads(out.getvalue())


def test_ask_shows_only_the_findings_that_bear_on_the_question() -> None:
    environ = dict(
        os.environ,
        TMUX_SENSEI_ROOT=str(ROOTS / "tmout"),
        USER="student",
        HOME=str(ROOTS / "tmout" / "home" / "student"),
    )
    doc = ask_json("why did my tmux session exit while I was away?", environ)
    probes = {f["probe"] for f in doc["findings"]}
    assert "tmout" in probes and "logind" in probes and "version" not in probes
    tm = next(f for f in doc["findings"] if f["probe"] == "tmout")
    assert tm["status"] == "warn" and "TMOUT=600" in tm["summary"]
    assert "On this machine" in doc["text"] and "TMOUT=600" in doc["text"]
    doc = ask_json("how do I split panes?", environ)
    assert doc["findings"] == []


def test_ask_no_diagnose_runs_no_probe() -> None:
    out = io.StringIO()
    main(
        ["ask", "--json", "--no-diagnose", "why did my tmux session exit?"],
        Env(out, io.StringIO(), None, False),
    )
    assert json.loads(out.getvalue())["findings"] == []


def test_doctor_exit_codes_and_json() -> None:
    base = dict(os.environ, USER="student")
    clean = dict(
        base, TMUX_SENSEI_ROOT=str(ROOTS / "clean"), HOME=str(ROOTS / "clean/home/student")
    )
    killing = dict(
        base, TMUX_SENSEI_ROOT=str(ROOTS / "killing"), HOME=str(ROOTS / "killing/home/student")
    )
    p = sensei("doctor", "--json", env=killing)
    assert p.returncode == 1, p.stderr
    doc = json.loads(p.stdout)
    assert doc["problems"] >= 1
    assert {f["probe"] for f in doc["findings"]} == set(PROBES)
    p = sensei("doctor", "-v", env=clean)
    text = p.stdout.decode()
    assert "[✓]" in text and "Traceback" not in p.stderr.decode()
    p = sensei("doctor", "--lang", "ja", env=killing)
    assert p.returncode == 1 and "[✗]" in p.stdout.decode() and "問題" in p.stdout.decode()
    assert sensei("doctor", "--bogus").returncode == 2


def test_japanese_durations_read_as_japanese() -> None:
    """「（4分前）」, not 「（4 分 前）」: Japanese puts no spaces between a number and its unit."""
    from tmux_sensei.probes.base import ago

    ctx = ctx_for("clean", "ja")
    assert ago(ctx, 4 * 60 + 5) == "4分"
    assert ago(ctx, 3 * 3600 + 5 * 60) == "3時間5分"
    from tmux_sensei.locales import strings_for

    line = strings_for("ja")["probes.server.running"].format(
        count=2, started="2026-12-02 03:16", age=ago(ctx, 4 * 60 + 5)
    )
    assert "（4分前）" in line, line
