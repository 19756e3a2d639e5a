"""The practice server and the checks run against it.

The student never practises on their own server: lessons use a private socket
(`-L sensei-practice`, or TMUX_SENSEI_PRACTICE_SOCKET), which works from inside tmux too, and
only that server is ever started, reset or ended.
"""

from __future__ import annotations

import os
import time

from tmux_sensei import tmuxcmd
from tmux_sensei.paths import state_dirs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from tmux_sensei.command import Result
    from tmux_sensei.keys import KeyMap
    from tmux_sensei.lessons import Step

PRACTICE_SOCKET = "sensei-practice"


class Practice:
    """The private practice server: the only tmux server lessons start, change or end."""

    def __init__(
        self, environ: Mapping[str, str], socket: str | None = None, shell: str | None = None
    ) -> None:
        self.shell = shell  # verify pins /bin/sh: a user's shell start-up files may be slow
        self.environ = {k: v for k, v in environ.items() if k not in ("TMUX", "TMUX_PANE")}
        self.socket = socket or environ.get("TMUX_SENSEI_PRACTICE_SOCKET") or PRACTICE_SOCKET
        self.conf = os.path.join(state_dirs(environ).data, "practice.tmux.conf")
        self.clients: list[tuple[int, int]] = []  # (pid, pty fd) of clients started by verify

    def tmux(self, argv: list[str], timeout: float = 3.0) -> Result:
        argv = [a.replace("{practice_conf}", self.conf) for a in argv]
        return tmuxcmd.run(argv, socket=self.socket, environ=self.environ, timeout=timeout)

    def running(self) -> bool:
        return self.tmux(["list-sessions"]).ok

    def has_session(self, name: str) -> bool:
        return self.tmux(["has-session", "-t", f"={name}"]).ok

    def keymap(self) -> KeyMap | None:
        """The keys that work on the practice server now: its own prefix and prefix table (it
        starts with tmux's defaults, but a lesson, or a student, may change them), or None when
        it does not answer."""
        prefix = self.tmux(["show-options", "-gv", "prefix"], timeout=1.0)
        if not prefix.ok or not prefix.out.strip():
            return None
        from tmux_sensei.installed import installed_facts
        from tmux_sensei.keys import KeyMap
        from tmux_sensei.tmux_names import parse_key_table

        table = parse_key_table(self.tmux(["list-keys", "-T", "prefix"], timeout=1.0).out)
        facts = installed_facts(self.environ)
        return KeyMap(prefix.out.strip(), table, dict(facts["prefix_keys"]) if facts else {})

    def reset(self, setup: list[list[str]]) -> None:
        """A fresh practice server: end the old one (ours), then run the lesson's setup."""
        self.end()
        from tmux_sensei.safefile import write_atomic

        os.makedirs(os.path.dirname(self.conf), exist_ok=True)
        head = "# tmux-sensei practice config: lessons add lines here, never to ~/.tmux.conf\n"
        write_atomic(self.conf, head.encode("utf-8"))  # never through a planted symlink
        # Start the server without the student's tmux.conf, so that lessons meet tmux's defaults;
        # a lesson with no setup still gets a server (with a "lobby" session) to type into.
        first, *rest = setup or [["new-session", "-d", "-s", "lobby"]]
        server_conf = os.devnull
        if self.shell:
            server_conf = os.path.join(os.path.dirname(self.conf), "verify.tmux.conf")
            write_atomic(server_conf, f"set -g default-shell {self.shell}\n".encode())
        self.tmux(["-f", server_conf, *first])
        for action in rest:
            self.tmux(action)

    def end(self) -> None:
        for pid, fd in self.clients:
            _stop_client(pid, fd)
        self.clients = []
        path = self.tmux(["display-message", "-p", "#{socket_path}"]).out.strip()
        self.tmux(["kill-server"])
        if path.endswith(self.socket):
            try:
                os.unlink(path)  # tmux leaves its socket file behind
            except OSError:
                pass

    def attach_client(self, session: str) -> None:
        """A real client in a pseudo-terminal, as a student's terminal would be."""
        import pty

        binary = tmuxcmd.tmux_binary(self.environ) or "tmux"
        env = dict(self.environ, TERM=self.environ.get("TERM") or "xterm-256color")
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execve(binary, [binary, "-L", self.socket, "attach", "-t", f"={session}"], env)
            finally:
                os._exit(127)
        drain_in_background(fd)
        self.clients.append((pid, fd))


def drain_in_background(fd: int) -> None:
    """Read and drop a pseudo-terminal's output until it closes, so that the client writing to
    it never blocks on a full buffer."""
    import threading

    def drain() -> None:
        try:
            while os.read(fd, 65536):
                pass
        except OSError:
            pass

    threading.Thread(target=drain, daemon=True).start()


def _stop_client(pid: int, fd: int) -> None:
    from tmux_sensei.command import end_process

    end_process(pid, 15, group=False)  # SIGTERM: the client says [terminated]; the session stays
    try:
        os.close(fd)
    except OSError:
        pass


# ---------------------------------------------------------------- checks


def _lines(result: Result) -> list[str]:
    return [line for line in result.out.splitlines() if line.strip()] if result.ok else []


def _fmt(p: Practice, session: str, fmt: str) -> str:
    result = p.tmux(["display-message", "-p", "-t", f"={session}:", fmt])
    return result.out.strip() if result.ok else ""


def check(p: Practice, name: str, args: Mapping[str, Any]) -> bool:
    s = str(args.get("session", ""))
    if name == "session":
        return p.tmux(["has-session", "-t", f"={args['name']}"]).ok
    if name == "windows":
        return len(_lines(p.tmux(["list-windows", "-t", f"={s}", "-F", "x"]))) >= int(args["count"])
    if name == "window_name":
        return args["name"] in _lines(
            p.tmux(["list-windows", "-t", f"={s}", "-F", "#{window_name}"])
        )
    if name == "panes":
        return len(_lines(p.tmux(["list-panes", "-t", f"={s}:", "-F", "x"]))) >= int(args["count"])
    if name == "zoomed":
        return _fmt(p, s, "#{window_zoomed_flag}") == "1"
    if name in ("attached", "detached"):
        count = _fmt(p, s, "#{session_attached}")
        if not count.isdigit():
            return False
        return (int(count) > 0) == (name == "attached")
    if name == "clients":
        return len(_lines(p.tmux(["list-clients", "-t", f"={s}"]))) >= int(args["count"])
    if name == "grouped":
        group = _fmt(p, str(args["group"]), "#{session_group}")
        return bool(group) and _fmt(p, s, "#{session_grouped} #{session_group}") == f"1 {group}"
    if name == "copy_mode":
        return _fmt(p, s, "#{pane_in_mode}") == "1"
    if name == "buffer":
        names = _lines(p.tmux(["list-buffers", "-F", "#{buffer_name}"]))
        text = str(args.get("text", ""))
        return (
            any(text in p.tmux(["show-buffer", "-b", n]).out for n in names)
            if text
            else bool(names)
        )
    if name == "option":
        flags = "-gwv" if args.get("scope") == "window" else "-gv"
        return p.tmux(["show-options", flags, str(args["name"])]).out.strip() == str(args["value"])
    if name == "bound":
        binding = p.tmux(["list-keys", "-T", "prefix", str(args["key"])]).out.strip()
        return bool(binding) and str(args.get("command", "")) in binding
    if name in ("pane_dead", "no_dead_pane"):
        dead = "1" in _lines(p.tmux(["list-panes", "-s", "-t", f"={s}", "-F", "#{pane_dead}"]))
        alive = p.tmux(["has-session", "-t", f"={s}"]).ok
        return alive and (dead if name == "pane_dead" else not dead)
    if name == "pane_text":
        return str(args["text"]) in p.tmux(["capture-pane", "-p", "-t", f"={s}:"]).out
    raise ValueError(f"unknown check {name}")


def perform(p: Practice, action: list[str]) -> None:
    """One `solve` action of `learn --verify`."""
    if action[0] == "@attach":
        p.attach_client(action[1])
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not p.tmux(["list-clients"]).out.strip():
            time.sleep(0.05)
    elif action[0] == "@sleep":
        time.sleep(float(action[1]))
    elif action[0] == "@append_conf":
        with open(p.conf, "a", encoding="utf-8") as f:
            f.write(action[1] + "\n")
    else:
        p.tmux(action)


def wait_check(p: Practice, step: Step, seconds: float = 3.0) -> bool:
    end = time.monotonic() + seconds
    while True:
        if check(p, step.check, step.args):
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(0.05)
