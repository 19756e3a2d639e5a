"""Shell auto-logout: TMOUT in the environment or set by a shell start-up file."""

from __future__ import annotations

import os

from tmux_sensei.probes.base import ProbeContext, finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.shapes import Finding

ID = "tmout"

SYSTEM_FILES = [
    "/etc/profile",
    "/etc/bash.bashrc",
    "/etc/bashrc",
    "/etc/zsh/zshrc",
    "/etc/zsh/zprofile",
    "/etc/zshrc",
    "/etc/zprofile",
]
USER_FILES = [
    ".bashrc",
    ".bash_profile",
    ".bash_login",
    ".profile",
    ".zshrc",
    ".zprofile",
    ".zshenv",
]


def startup_files(ctx: ProbeContext) -> list[str]:
    files = [ctx.path(p) for p in SYSTEM_FILES]
    profile_d = ctx.path("/etc/profile.d")
    try:
        files += [
            os.path.join(profile_d, n) for n in sorted(os.listdir(profile_d)) if n.endswith(".sh")
        ]
    except OSError:
        pass
    files += [ctx.home_path(n) for n in USER_FILES]
    return files


_PREFIXES = frozenset(("then", "else", "do", "{", "(", "!", "if", "elif", "while", "until"))


def parse_line(line: str) -> tuple[str | None, bool]:
    """(value assigned to TMOUT or None, whether the line makes TMOUT readonly).

    Understands `TMOUT=600`, `export TMOUT=600`, `readonly TMOUT=600`, `declare -r TMOUT=600`,
    `typeset -rx TMOUT`, `readonly TMOUT` and a trailing `; export TMOUT`. Plain string work:
    importing `re` would cost more than all the other probes of an answer together.
    """
    value: str | None = None
    readonly = False
    for statement in line.replace("&&", ";").replace("||", ";").split(";"):
        words = statement.split()
        while words and words[0] in _PREFIXES:  # `if …; then TMOUT=600; fi`, `x && TMOUT=600`
            words = words[1:]
        if not words or words[0].startswith("#"):
            continue
        command = words[0]
        flags = [w for w in words[1:] if w.startswith("-")]
        names = [w for w in words if not w.startswith("-")]
        if command in ("readonly", "declare", "typeset", "export", "local"):
            names = names[1:]
            if command == "readonly" or any("r" in f for f in flags):
                readonly = readonly or any(n.split("=")[0] == "TMOUT" for n in names)
        elif len(names) > 1:
            names = names[:1]  # `TMOUT=600 cmd` sets it for cmd only: still an assignment here
        for name in names:
            if name.startswith("TMOUT="):
                value = name[len("TMOUT=") :].strip("\"'")
    return value, readonly


def find_settings(ctx: ProbeContext) -> list[tuple[str, int, str, bool]]:
    """(file, line, value, readonly) for every assignment of TMOUT."""
    found: list[tuple[str, int, str]] = []
    readonly = False
    for path in startup_files(ctx):
        text = ctx.read(path)
        if not text or "TMOUT" not in text:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if "TMOUT" not in line:
                continue
            value, ro = parse_line(line)
            readonly = readonly or ro
            if value is not None:
                found.append((path, number, value))
    return [(path, number, value, readonly) for path, number, value in found]


def _minutes(value: str) -> str:
    return f"{int(value) // 60}" if value.isdigit() and int(value) >= 60 else ""


def probe(ctx: ProbeContext) -> Finding:
    env_value = ctx.environ.get("TMOUT", "").strip()
    settings = find_settings(ctx)
    active = [s for s in settings if s[2] not in ("", "0")]
    if not env_value and not active:
        return finding(ID, "ok", ctx.t("probes.tmout.none"))
    value = env_value or active[-1][2]
    where = ", ".join(f"{path}:{line}" for path, line, _, _ in active) or ctx.t("probes.tmout.env")
    readonly = any(s[3] for s in active)
    seconds = value if value.isdigit() else "?"
    summary = ctx.t("probes.tmout.set", value=value, seconds=seconds, where=where)
    detail = ctx.t("probes.tmout.detail", minutes=_minutes(value) or "?")
    fix = ctx.t("probes.tmout.fix_readonly" if readonly else "probes.tmout.fix")
    return finding(ID, "warn", summary, detail, fix)
