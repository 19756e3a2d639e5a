"""Lines of the user's tmux.conf files that change when sessions and the server end."""

from __future__ import annotations

import os

from tmux_sensei.probes.base import ProbeContext, finding
from tmux_sensei.probes.options import LIFETIME

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.shapes import Finding, Status

ID = "config"


def config_files(ctx: ProbeContext) -> list[str]:
    """Where tmux 3.3a reads its configuration, in order."""
    xdg = ctx.environ.get("XDG_CONFIG_HOME") or ctx.home_path(".config")
    files = [
        ctx.path("/etc/tmux.conf"),
        ctx.home_path(".tmux.conf"),
        os.path.join(xdg, "tmux", "tmux.conf"),
    ]
    return list(dict.fromkeys(files))


def lifetime_lines(ctx: ProbeContext) -> tuple[list[str], list[tuple[str, str]], int]:
    """('file:line: text' of each setting, [(option, value)], files read)."""
    lines: list[str] = []
    settings: list[tuple[str, str]] = []
    read = 0
    for path in config_files(ctx):
        text = ctx.read(path)
        if text is None:
            continue
        read += 1
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            words = line.replace(";", " ").split()
            for name in LIFETIME:
                if name in words:
                    at = words.index(name)
                    value = words[at + 1] if at + 1 < len(words) else ""
                    lines.append(f"{path}:{number}: {line[:120]}")
                    settings.append((name, value.strip("'\"")))
    return lines, settings, read


def probe(ctx: ProbeContext) -> Finding:
    lines, settings, read = lifetime_lines(ctx)
    files = config_files(ctx)
    unseen = [p for p in ctx.unreadable if p in files]
    cut = [p for p in ctx.cut if p in files]
    if unseen or cut:  # what was not read may hold the setting: never "all clear" then
        notes = [ctx.t("probes.unreadable", path=p) for p in unseen]
        notes += [ctx.t("probes.cut", path=p, limit=ctx.READ_LIMIT) for p in cut]
        status: Status = "warn" if any(v == "on" for _, v in settings) else "unknown"
        return finding(ID, status, notes[0], "\n".join([*notes[1:], *lines]))
    if not read:
        return finding(ID, "ok", ctx.t("probes.config.none"))
    if not lines:
        return finding(ID, "ok", ctx.t("probes.config.clean", count=read))
    risky = [
        (k, v)
        for k, v in settings
        if (k, v) in {("destroy-unattached", "on"), ("exit-unattached", "on")}
    ]
    status = "warn" if risky else "ok"
    summary = (
        ctx.t("probes.config.risky", option=risky[0][0])
        if risky
        else ctx.t("probes.config.sets", count=len(lines))
    )
    return finding(ID, status, summary, "\n".join(lines))
