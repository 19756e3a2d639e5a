"""The user's actual prefix and key bindings, so answers say "press C-a d" when that is true.

Asked from the running tmux (the popup runs inside it): `show-options -gv prefix` and
`list-keys -T prefix`. Answers are written with the default prefix C-b; a key written as
`C-b X` is rewritten to the user's prefix, and to the user's own key for the same command
when they rebound it.
"""

from __future__ import annotations

from tmux_sensei import tmuxcmd

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

DEFAULT_PREFIX = "C-b"


class KeyMap:
    __slots__ = ("commands", "prefix")

    def __init__(self, prefix: str, commands: dict[str, str]) -> None:
        self.prefix = prefix
        self.commands = commands  # key -> command, in the prefix table

    @property
    def differs(self) -> bool:
        return self.prefix != DEFAULT_PREFIX


def read_keymap(environ: Mapping[str, str]) -> KeyMap | None:
    """The running tmux's prefix table, or None outside tmux or when tmux does not answer."""
    if not environ.get("TMUX"):
        return None
    prefix = tmuxcmd.run(["show-options", "-gv", "prefix"], environ=environ, timeout=0.5)
    if not prefix.ok or not prefix.out.strip():
        return None
    table = tmuxcmd.run(["list-keys", "-T", "prefix"], environ=environ, timeout=0.5)
    commands: dict[str, str] = {}
    for line in table.out.splitlines():
        words = line.split()
        # bind-key [-r] -T prefix KEY COMMAND...
        if "-T" in words:
            at = words.index("-T") + 2
            if at + 1 < len(words):
                key = words[at].replace("\\", "")
                commands[key] = " ".join(words[at + 1 :])
    return KeyMap(prefix.out.strip(), commands)


def rewrite_keys(text: str, keymap: KeyMap) -> str:
    """`C-b d` -> `C-a d`, in the user's own keys."""
    if not keymap.differs:
        return text
    return text.replace(f"{DEFAULT_PREFIX} ", f"{keymap.prefix} ").replace(
        f"prefix + {DEFAULT_PREFIX}", f"prefix + {keymap.prefix}"
    )


def rewrite_blocks(blocks: list[Any], keymap: KeyMap | None) -> list[Any]:
    if keymap is None or not keymap.differs:
        return blocks
    out: list[Any] = []
    for block in blocks:
        kind = block[0]
        if kind in ("p", "h"):
            out.append((*block[:-1], rewrite_keys(block[-1], keymap)))
        elif kind in ("ul", "ol"):
            out.append((kind, [rewrite_keys(i, keymap) for i in block[1]], *block[2:]))
        else:
            out.append(block)
    return out
