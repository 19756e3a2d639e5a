"""`tmux-sensei setup`: the tmux.conf lines that load the popup plugin; `--apply` appends them,
after asking, and keeps a backup. Nothing is run for the user: reloading is theirs to do.
"""

from __future__ import annotations

import os
import sys
import time

from tmux_sensei.command import which
from tmux_sensei.paths import PACKAGE_DIR

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.cli import Env

MARKER = "# tmux-sensei:"


def plugin_file() -> str:
    """The plugin entry file: inside the installed package, or at the top of a checkout."""
    inside = os.path.join(PACKAGE_DIR, "tmux-sensei.tmux")
    return (
        inside
        if os.path.exists(inside)
        else os.path.join(os.path.dirname(PACKAGE_DIR), "tmux-sensei.tmux")
    )


def sensei_command(env: Env) -> str | None:
    """How tmux should start us, when `tmux-sensei` on PATH is not it."""
    on_path = which("tmux-sensei", path=env.environ.get("PATH"))
    me = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if on_path and (not me.endswith("tmux-sensei") or os.path.samefile(on_path, me)):
        return None
    if me.endswith("tmux-sensei") and os.access(me, os.X_OK):
        return me
    return f"{sys.executable} -m tmux_sensei"


def conf_lines(env: Env, strings: dict[str, str]) -> list[str]:
    lines = [f"{MARKER} {strings.get('setup.comment', '')}"]
    command = sensei_command(env)
    if command:
        lines.append(f"set -g @sensei-command '{command}'")
    lines.append(f"run-shell '{plugin_file()}'")
    return lines


def conf_path(env: Env) -> str:
    home = env.environ.get("HOME") or os.path.expanduser("~")
    classic = os.path.join(home, ".tmux.conf")
    xdg = os.path.join(
        env.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"), "tmux", "tmux.conf"
    )
    if not os.path.exists(classic) and os.path.exists(xdg):
        return xdg
    return classic


def cmd_setup(args: list[str], env: Env, ui: str) -> int:
    from tmux_sensei.cli import ExitStatus, UsageError, safe_value, show_help, strings_for

    apply = "--apply" in args
    yes = "--yes" in args or "-y" in args
    for arg in args:
        if arg in ("-h", "--help"):
            return show_help(env, ui, "setup")
        if arg not in ("--apply", "--yes", "-y"):
            raise UsageError("errors.unknown_option", value=safe_value(arg), command="setup")
    strings = strings_for(ui)
    lines = conf_lines(env, strings)
    if not apply:
        env.stdout.write(strings["setup.intro"] + "\n\n" + "\n".join(lines) + "\n\n")
        env.stdout.write(strings["setup.then"].format(path=conf_path(env)) + "\n")
        return ExitStatus.ANSWERED
    path = conf_path(env)
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            current = f.read()
    except FileNotFoundError:
        current = ""
    except OSError as exc:
        env.stderr.write(strings["setup.cannot"].format(path=path, reason=exc.strerror) + "\n")
        return ExitStatus.PROBLEMS_FOUND
    if lines[-1] in current:
        env.stdout.write(strings["setup.already"].format(path=path) + "\n")
        return ExitStatus.ANSWERED
    backup = f"{path}.bak-{time.strftime('%Y%m%d-%H%M%S')}" if current else ""
    env.stdout.write("\n".join(lines) + "\n\n")
    if not yes:
        question = strings["setup.ask"].format(path=path, backup=backup or "-")
        if not confirm(question, env):
            env.stdout.write(strings["setup.unchanged"] + "\n")
            return ExitStatus.PROBLEMS_FOUND
    try:
        if backup:
            with open(backup, "w", encoding="utf-8") as f:
                f.write(current)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            f.write(
                ("" if not current or current.endswith("\n") else "\n") + "\n".join(lines) + "\n"
            )
    except OSError as exc:
        env.stderr.write(strings["setup.cannot"].format(path=path, reason=exc.strerror) + "\n")
        return ExitStatus.PROBLEMS_FOUND
    env.stdout.write(strings["setup.done"].format(path=path, backup=backup or "-") + "\n")
    return ExitStatus.ANSWERED


def confirm(question: str, env: Env) -> bool:
    """Ask on the terminal; without one there is nobody to say yes (use --yes)."""
    stdin = sys.stdin
    if env.stdin is not None or stdin is None or not stdin.isatty():
        env.stderr.write(question + " no terminal to ask; run with --yes to confirm\n")
        return False
    env.stdout.write(question + " ")
    env.stdout.flush()
    try:
        answer = stdin.readline()
    except (OSError, KeyboardInterrupt):
        return False
    return answer.strip().lower() in ("y", "yes", "はい")
