"""systemd-logind: does logging out kill this user's processes, tmux included?"""

from __future__ import annotations

import os

from tmux_sensei.probes.base import ProbeContext, finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.shapes import Finding

ID = "logind"
MAIN_FILES = [
    "/etc/systemd/logind.conf",
    "/run/systemd/logind.conf",
    "/usr/local/lib/systemd/logind.conf",
    "/usr/lib/systemd/logind.conf",
]
DROPIN_DIRS = [
    "/etc/systemd/logind.conf.d",
    "/run/systemd/logind.conf.d",
    "/usr/local/lib/systemd/logind.conf.d",
    "/usr/lib/systemd/logind.conf.d",
]
KEYS = ("KillUserProcesses", "KillExcludeUsers", "KillOnlyUsers")


def config_files(ctx: ProbeContext) -> list[str]:
    """In systemd's order: the first main file that exists, then every drop-in by file name;
    a drop-in in an earlier directory hides one of the same name in a later one."""
    files = [next((ctx.path(p) for p in MAIN_FILES if os.path.exists(ctx.path(p))), "")]
    dropins: dict[str, str] = {}
    for directory in DROPIN_DIRS:
        try:
            names = os.listdir(ctx.path(directory))
        except OSError:
            continue
        for name in names:
            if name.endswith(".conf") and name not in dropins:
                dropins[name] = os.path.join(ctx.path(directory), name)
    return [f for f in files if f] + [dropins[n] for n in sorted(dropins)]


def read_settings(ctx: ProbeContext) -> dict[str, tuple[str, str]]:
    """key -> (value, 'file:line') as the last assignment in [Login] leaves it."""
    settings: dict[str, tuple[str, str]] = {}
    for path in config_files(ctx):
        text = ctx.read(path)
        if text is None:
            continue
        section = ""
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            key, _, value = line.partition("=")
            if section == "Login" and key.strip() in KEYS:
                settings[key.strip()] = (value.strip(), f"{path}:{number}")
    return settings


def _yes(value: str) -> bool:
    return value.lower() in ("yes", "true", "1", "on", "y", "t")


def _from_loginctl(ctx: ProbeContext) -> dict[str, str] | None:
    """The manager's live values, when loginctl answers (only on the real machine)."""
    if ctx.root not in ("", "/") or not os.path.isdir("/run/systemd/system"):
        return None  # a fixture tree, or no systemd to ask
    result = ctx.run(["loginctl", "show-session", "-p", KEYS[0], "-p", KEYS[1], "-p", KEYS[2]])
    if not result.ok:
        return None
    values = dict(line.partition("=")[::2] for line in result.out.splitlines() if "=" in line)
    return values if KEYS[0] in values else None


def lingering(ctx: ProbeContext, live: bool) -> bool:
    """The linger flag file, or loginctl's word for it when loginctl answers."""
    if os.path.exists(ctx.path(f"/var/lib/systemd/linger/{ctx.user}")):
        return True
    if live:
        result = ctx.run(["loginctl", "show-user", ctx.user, "-p", "Linger"])
        return result.ok and result.out.strip() == "Linger=yes"
    return False


def probe(ctx: ProbeContext) -> Finding:
    has_systemd = os.path.isdir(ctx.path("/run/systemd/system"))
    settings = read_settings(ctx)
    live = _from_loginctl(ctx)
    unseen = [p for p in ctx.unreadable if p in config_files(ctx)]
    if live is None and unseen and KEYS[0] not in settings:
        return finding(ID, "unknown", ctx.t("probes.unreadable", path=unseen[0]))
    if not has_systemd and not settings and live is None:
        return finding(ID, "unknown", ctx.t("probes.logind.no_systemd"))
    if live is not None:
        kill = _yes(live.get(KEYS[0], ""))
        exclude = live.get(KEYS[1], "").split()
        only = live.get(KEYS[2], "").split()
        where = "loginctl"
    else:
        if KEYS[0] not in settings:
            return finding(
                ID, "ok", ctx.t("probes.logind.unset"), ctx.t("probes.logind.unset_detail")
            )
        kill = _yes(settings[KEYS[0]][0])
        where = settings[KEYS[0]][1]
        # KillExcludeUsers defaults to root; setting it replaces that default
        exclude = settings[KEYS[1]][0].split() if KEYS[1] in settings else ["root"]
        only = settings[KEYS[2]][0].split() if KEYS[2] in settings else []
    if not kill:
        return finding(ID, "ok", ctx.t("probes.logind.off", where=where))
    if ctx.user in exclude:
        return finding(ID, "ok", ctx.t("probes.logind.excluded", user=ctx.user, where=where))
    if only and ctx.user not in only:
        return finding(ID, "ok", ctx.t("probes.logind.not_listed", user=ctx.user, where=where))
    if lingering(ctx, live is not None):
        return finding(
            ID,
            "warn",
            ctx.t("probes.logind.on_linger", where=where),
            ctx.t("probes.logind.detail"),
            ctx.t("probes.logind.fix_scope"),
        )
    return finding(
        ID,
        "problem",
        ctx.t("probes.logind.on", where=where, user=ctx.user),
        ctx.t("probes.logind.detail"),
        ctx.t("probes.logind.fix"),
    )
