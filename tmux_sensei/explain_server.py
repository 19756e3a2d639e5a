"""The throwaway tmux server that judges a config for `explain`.

It runs on its own `-L` name inside its own TMUX_TMPDIR, starts with `-f /dev/null`, sees a small
clean environment (no TMUX, so it can never reach the user's server; no EDITOR, so defaults are
tmux's own) and is ended afterwards. Only statements that explain.py found safe are applied: it
never receives a line that runs a shell command.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile

from tmux_sensei import command, tmuxcmd

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

TIMEOUT = 3.0


class Judge:
    """One private server for one `explain` run. Use as a context manager."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.dir = tempfile.mkdtemp(prefix="sensei-explain-")
        os.makedirs(os.path.join(self.dir, "home"), exist_ok=True)
        self.name = f"sensei-explain-{os.getpid()}-{secrets.token_hex(3)}"
        self.env = {
            "PATH": environ.get("PATH", os.defpath),
            "HOME": os.path.join(self.dir, "home"),
            "TMUX_TMPDIR": self.dir,
            "SHELL": "/bin/sh",
            "LANG": "C.UTF-8",
            "TERM": "xterm-256color",
        }
        self.version = ""
        self.pid: int | None = None
        self.commands: dict[str, str] = {}  # name or alias -> full command name
        self.options: set[str] = set()
        self.defaults: dict[str, str] = {}  # option -> its `show-options` lines, as tmux prints
        self.count = 0
        self.ok = False

    def __enter__(self) -> Judge:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()

    def tmux(self, *argv: str) -> command.Result:
        return tmuxcmd.run(
            ["-f", os.devnull, *argv], socket=self.name, environ=self.env, timeout=TIMEOUT
        )

    def start(self) -> None:
        if tmuxcmd.tmux_binary(self.env) is None:
            return
        self.version = tmuxcmd.run(["-V"], environ=self.env).out.strip().removeprefix("tmux ")
        if not self._new_session():
            return
        for line in self.tmux("list-commands").out.splitlines():
            words = line.split()
            if words:
                self.commands[words[0]] = words[0]
                if len(words) > 1 and words[1].startswith("(") and words[1].endswith(")"):
                    self.commands[words[1][1:-1]] = words[0]
        for flags in ("-s", "-g", "-gw", "-gp"):
            for line in self.tmux("show-options", flags).out.splitlines():
                if not line.strip():
                    continue
                name = line.split()[0].split("[")[0]
                self.options.add(name)
                self.defaults[name] = self.defaults.get(name, "") + line + "\n"
        self.ok = True

    def _new_session(self) -> bool:
        r = self.tmux("new-session", "-d", "-s", "explain", "-x", "80", "-y", "24")
        if not r.ok:
            return False
        pid = self.tmux("display-message", "-p", "#{pid}").out.strip()
        self.pid = int(pid) if pid.isdigit() else None
        return True

    def write(self, text: str) -> str:
        """A statement as a file of its own in our directory (never the user's file)."""
        self.count += 1
        path = os.path.join(self.dir, f"s{self.count:05d}.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        return path

    def parse(self, paths: list[str]) -> dict[str, tuple[int, str]]:
        """Parse only (`source-file -n`, nothing runs): path -> (line in it, tmux's message)."""
        return self.parse_verbose(paths)[0]

    def parse_verbose(
        self, paths: list[str]
    ) -> tuple[dict[str, tuple[int, str]], dict[str, list[str]]]:
        """Parse only, with -v: tmux's errors, and each file's commands as tmux itself read
        them (path -> ["set-option -g mouse on ; run-shell ...", ...]). Every command list
        starts with a full command name; any other line is an error message."""
        errors: dict[str, tuple[int, str]] = {}
        parsed: dict[str, list[str]] = {}
        if not self.ok or not paths:
            return errors, parsed
        r = self.tmux("source-file", "-n", "-v", *paths)
        names = set(self.commands.values())
        for line in (r.out + r.err).splitlines():
            path, _, rest = line.partition(":")
            number, _, message = rest.partition(": ")
            if path not in paths or not number.strip().isdigit():
                continue
            if message.split(" ", 1)[0] in names:
                parsed.setdefault(path, []).append(message)
            else:
                errors.setdefault(path, (int(number), message.strip()))
        return errors, parsed

    def apply(self, path: str, show: list[str] | None = None) -> tuple[str, str]:
        """Run one safe statement file; tmux's complaint ("" if none) and, when asked, the
        `show-options` text of an option afterwards."""
        argv = ["source-file", path]
        if show:
            argv += [";", "show-options", *show]
        r = self.tmux(*argv)
        message = ""
        for line in r.err.splitlines():
            if line.strip():
                head, sep, rest = line.partition(": ")
                message = rest if sep and head.split(":")[0] == path else line
                break
        if r.code is None:
            message = message or r.err
        if not self._alive():  # a line such as exit-empty may end the server: start another
            self._new_session()
        return message.strip(), (r.out if not message else "")

    def _alive(self) -> bool:
        return self.tmux("has-session").ok

    def finish(self) -> None:
        """End our server (and only ours) and remove its directory; errors here are ignored so
        that a failing cleanup never hides the explanation."""
        if self.ok or self.pid:
            self.tmux("kill-server")
        if self.pid:
            try:
                os.kill(self.pid, 0)
            except OSError:
                pass
            else:
                command.end_process(self.pid, group=False)
        shutil.rmtree(self.dir, ignore_errors=True)
