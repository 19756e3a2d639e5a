"""The names the installed tmux itself knows, asked on a throw-away server on a private socket:
its commands (with aliases), options, hooks and default prefix-key table. `kb check` checks
pages against them; `installed.py` caches them for "did you mean" and the user's own keys."""

from __future__ import annotations

import os
import secrets

from tmux_sensei import tmuxcmd

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


def parse_key_table(listing: str) -> dict[str, str]:
    """key -> command from `list-keys -T prefix` lines (`bind-key [-r] -T prefix KEY CMD...`)."""
    table: dict[str, str] = {}
    for line in listing.splitlines():
        words = line.split()
        if "-T" in words:
            at = words.index("-T") + 2
            if at + 1 < len(words):
                key = words[at]
                table[key[1:] if key.startswith("\\") and len(key) > 1 else key] = " ".join(
                    words[at + 1 :]
                )
    return table


class TmuxNames:
    """The commands (with aliases), options and hooks the installed tmux knows."""

    def __init__(
        self,
        version: str,
        commands: set[str],
        options: set[str],
        hooks: set[str],
        prefix_keys: dict[str, str] | None = None,
    ) -> None:
        self.prefix_keys = prefix_keys or {}  # the default prefix table: key -> command
        self.version = version
        self.commands = commands
        self.full_names = {c for c in commands if "-" in c}  # prefixes match names, not aliases
        self.options = options
        self.hooks = hooks

    def knows_command(self, name: str) -> bool:
        """As tmux resolves it: a name, an alias, or an unambiguous prefix (`tmux a`)."""
        if name in self.commands:
            return True
        return len([c for c in self.full_names if c.startswith(name)]) == 1


def ask_tmux(environ: Mapping[str, str] | None = None) -> TmuxNames | None:
    """Start a throw-away server on a private socket, read its names, and end it."""
    if tmuxcmd.tmux_binary(environ) is None:
        return None
    env = {k: v for k, v in (environ or os.environ).items() if k not in ("TMUX", "TMUX_PANE")}
    sock = f"sensei-kbcheck-{os.getpid()}-{secrets.token_hex(3)}"
    version = tmuxcmd.run(["-V"], environ=env).out.strip().removeprefix("tmux ")
    started = tmuxcmd.run(["-f", os.devnull, "new-session", "-d"], socket=sock, environ=env)
    try:
        if not started.ok:
            return None
        commands: set[str] = set()
        for line in tmuxcmd.run(["list-commands"], socket=sock, environ=env).out.splitlines():
            words = line.split()
            if words:
                commands.add(words[0])
                if len(words) > 1 and words[1].startswith("(") and words[1].endswith(")"):
                    commands.add(words[1][1:-1])
        # command-alias adds names such as `info` and `splitp`
        alias_out = tmuxcmd.run(["show-options", "-s", "command-alias"], socket=sock, environ=env)
        for line in alias_out.out.splitlines():
            value = line.split(" ", 1)[-1].strip().strip('"')
            if "=" in value:
                commands.add(value.split("=", 1)[0])
        options: set[str] = set()
        for flags in ("-g", "-gw", "-s", "-gp"):
            out = tmuxcmd.run(["show-options", flags], socket=sock, environ=env).out
            options.update(_first_words(out))
        hooks = _first_words(tmuxcmd.run(["show-hooks", "-g"], socket=sock, environ=env).out)
        hooks |= _first_words(tmuxcmd.run(["show-hooks", "-gw"], socket=sock, environ=env).out)
        table = tmuxcmd.run(["list-keys", "-T", "prefix"], socket=sock, environ=env).out
        return TmuxNames(version, commands, options, hooks, parse_key_table(table))
    finally:
        path = tmuxcmd.run(["display-message", "-p", "#{socket_path}"], socket=sock, environ=env)
        tmuxcmd.run(["kill-server"], socket=sock, environ=env)  # only the server we started
        if path.ok and path.out.strip().endswith(sock):
            try:
                os.unlink(path.out.strip())  # tmux leaves its socket file behind
            except OSError:
                pass


def _first_words(out: str) -> set[str]:
    names = set()
    for line in out.splitlines():
        if line.strip():
            names.add(line.split()[0].split("[")[0])
    return names
