"""What every probe shares: the Finding it returns and the ProbeContext it reads through.

Probes only read. Files are read through `ctx.path()`, so that tests can point a probe at a
fixture tree (`root`); outside programs run through `ctx.run()` with a timeout. Everything a
probe shows comes from the locale catalog (`probes.<id>.<key>`) and is sanitized, because
file contents and command output can hold terminal escapes.
"""

from __future__ import annotations

import os
import time

from tmux_sensei.textutil import sanitize

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any

    from tmux_sensei.command import Result
    from tmux_sensei.shapes import Finding, Status

STATUSES = ("ok", "warn", "problem", "unknown")


class ProbeContext:
    """The machine as probes see it. Every field can be replaced by tests."""

    def __init__(
        self,
        *,
        strings: Mapping[str, str],
        lang: str = "en",
        environ: Mapping[str, str] | None = None,
        root: str = "/",
        home: str | None = None,
        uid: int | None = None,
        user: str | None = None,
        tmux_args: Sequence[str] = (),
        proc: str = "/proc",
        commands: bool = True,
        timeout: float = 0.25,
    ) -> None:
        self.strings = strings
        self.lang = lang
        self.environ = dict(os.environ if environ is None else environ)
        # TMUX_SENSEI_ROOT points every file probe at another tree (fixtures, a teacher's demo)
        self.root = self.environ.get("TMUX_SENSEI_ROOT") or root
        self.home = home or self.environ.get("HOME") or os.path.expanduser("~")
        self.uid = os.getuid() if uid is None else uid
        self.user = (
            user or self.environ.get("USER") or self.environ.get("LOGNAME") or _user(self.uid)
        )
        self.tmux_args = list(tmux_args)  # which server to ask: [] follows $TMUX / the default
        self.proc = proc
        self.commands = commands  # False: probes that need a program report unknown
        self.timeout = timeout
        self.now = time.time()
        self.unreadable: list[str] = []  # files that exist but could not be read (read())
        self.cut: list[str] = []  # files read only in part (longer than READ_LIMIT)
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute a shared fact once per run (the process table is read by several probes).
        Probes run in threads; a duplicate computation in a race is harmless."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def path(self, absolute: str) -> str:
        """A system path under the probe root ("/etc/profile" -> ROOT/etc/profile)."""
        if self.root in ("", "/"):
            return absolute
        return os.path.join(self.root, absolute.lstrip("/"))

    def home_path(self, relative: str) -> str:
        return os.path.join(self.home, relative)

    READ_LIMIT = 1_000_000

    def read(self, absolute: str) -> str | None:
        """A file's text, or None when it is missing or unreadable (never an exception).

        A FIFO or device is not read (it could block forever); a file that exists but cannot
        be read is noted in `self.unreadable`, one longer than READ_LIMIT in `self.cut`, so
        that a probe can say what it could not see instead of "all clear"."""
        import stat

        try:
            fd = os.open(absolute, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError:
            self.unreadable.append(absolute)
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                self.unreadable.append(absolute)
                return None
            os.set_blocking(fd, True)
            with os.fdopen(fd, "rb", closefd=False) as f:
                raw = f.read(self.READ_LIMIT + 1)
        except (OSError, ValueError):
            self.unreadable.append(absolute)
            return None
        finally:
            os.close(fd)
        if len(raw) > self.READ_LIMIT:
            self.cut.append(absolute)
            raw = raw[: self.READ_LIMIT]
        return raw.decode("utf-8", "replace")

    def run(self, argv: Sequence[str], timeout: float | None = None) -> Result:
        from tmux_sensei.command import Result, run

        if not self.commands:
            return Result(list(argv), None, "", "disabled")
        return run(argv, timeout=timeout or self.timeout, environ=self.environ)

    def tmux(self, argv: Sequence[str]) -> Result:
        return self.run(["tmux", *self.tmux_args, *argv])

    def t(self, key: str, **values: Any) -> str:
        """A localized string with sanitized values."""
        text = self.strings.get(key, key)
        clean = {k: sanitize(str(v), keep_newlines=False) for k, v in values.items()}
        try:
            return text.format(**clean)
        except (KeyError, IndexError, ValueError):
            return text


def _user(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def finding(probe: str, status: Status, summary: str, detail: str = "", fix: str = "") -> Finding:
    assert status in STATUSES, status
    return {
        "probe": probe,
        "status": status,
        "summary": sanitize(summary, keep_newlines=False),
        "detail": sanitize(detail),
        "fix": sanitize(fix),
    }


def when(ctx: ProbeContext, epoch: float) -> str:
    """A local timestamp the reader can compare with their memory."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch))


def ago(ctx: ProbeContext, seconds: float) -> str:
    """'3 h 5 min' / '3時間5分'."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return ctx.t("probes.duration.days", days=days, hours=hours)
    if hours:
        return ctx.t("probes.duration.hours", hours=hours, minutes=minutes)
    return ctx.t("probes.duration.minutes", minutes=minutes)
