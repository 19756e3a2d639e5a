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
    from tmux_sensei.argv import Parsed
    from tmux_sensei.env import Env

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
        return shell_quote([me])
    return shell_quote([sys.executable, "-m", "tmux_sensei"])


def tmux_quote(text: str) -> str:
    """One tmux config word: double quotes, with \\, " and $ escaped (tmux would expand $)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def shell_quote(words: list[str]) -> str:
    import shlex

    return " ".join(shlex.quote(w) for w in words)


def conf_lines(env: Env, strings: dict[str, str]) -> list[str]:
    """The lines for tmux.conf. Paths are quoted twice: for the shell that run-shell (and the
    plugin) starts, then for tmux's own parser, with # doubled where tmux expands formats; a
    path with spaces, quotes, $ or # loads as it is and never runs anything else."""
    lines = [f"{MARKER} {strings.get('setup.comment', '')}"]
    command = sensei_command(env)
    if command:
        lines.append(f"set -g @sensei-command {tmux_quote(command)}")
    run = shell_quote([plugin_file()]).replace("#", "##")  # run-shell expands formats
    lines.append(f"run-shell {tmux_quote(run)}")
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


def cmd_setup(opts: Parsed, env: Env, lang: str) -> int:
    from tmux_sensei.env import ExitStatus
    from tmux_sensei.locales import strings_for

    apply, yes = opts.flag("apply"), opts.flag("yes")
    strings = strings_for(lang)
    lines = conf_lines(env, strings)
    if not apply:
        env.stdout.write(strings["setup.intro"] + "\n\n" + "\n".join(lines) + "\n\n")
        env.stdout.write(strings["setup.then"].format(path=conf_path(env)) + "\n")
        return ExitStatus.ANSWERED
    path = conf_path(env)
    try:
        with open(path, "rb") as f:
            raw = f.read(16 << 20)  # a tmux.conf is small; the backup keeps its exact bytes
    except FileNotFoundError:
        raw = b""
    except OSError as exc:
        env.stderr.write(strings["setup.cannot"].format(path=path, reason=exc.strerror) + "\n")
        return ExitStatus.PROBLEMS_FOUND
    current = raw.decode("utf-8", "surrogateescape")  # bytes that are not UTF-8 survive
    active = [ln.strip() for ln in current.splitlines() if not ln.lstrip().startswith("#")]
    if lines[-1] in active:  # a commented-out line does not load anything
        env.stdout.write(strings["setup.already"].format(path=path) + "\n")
        return ExitStatus.ANSWERED
    kept = without_old_block(current)  # an older install's block is replaced, not doubled
    backup = f"{path}.bak-{time.strftime('%Y%m%d-%H%M%S')}" if raw else ""
    env.stdout.write("\n".join(lines) + "\n\n")
    if not yes:
        question = strings["setup.ask"].format(path=path, backup=backup or "-")
        if not confirm(question, env):
            env.stdout.write(strings["setup.unchanged"] + "\n")
            return ExitStatus.PROBLEMS_FOUND
    block = ("" if not kept or kept.endswith("\n") else "\n") + "\n".join(lines) + "\n"
    try:
        if backup:
            with open(backup, "xb") as f:  # a new file: never one planted at that name
                f.write(raw)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        if kept == current:
            with open(path, "ab") as f:
                f.write(block.encode("utf-8", "surrogateescape"))
        else:
            with open(path, "wb") as f:
                f.write((kept + block).encode("utf-8", "surrogateescape"))
    except OSError as exc:
        env.stderr.write(strings["setup.cannot"].format(path=path, reason=exc.strerror) + "\n")
        return ExitStatus.PROBLEMS_FOUND
    env.stdout.write(strings["setup.done"].format(path=path, backup=backup or "-") + "\n")
    return ExitStatus.ANSWERED


def without_old_block(text: str) -> str:
    """The config without blocks an earlier `setup` wrote (the marker comment, then its
    @sensei-command and run-shell …tmux-sensei.tmux lines)."""
    out: list[str] = []
    in_block = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith(MARKER):
            in_block = True
            continue
        if in_block and (
            stripped.startswith("set -g @sensei-command ")
            or (stripped.startswith("run-shell ") and "tmux-sensei.tmux" in stripped)
        ):
            continue
        in_block = False
        out.append(line)
    return "".join(out)


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
