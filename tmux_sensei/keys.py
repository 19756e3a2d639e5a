"""The user's actual prefix and key bindings, so answers say "press C-a d" when that is true.

Asked from the running tmux (the popup runs inside it): `show-options -gv prefix` and
`list-keys -T prefix`, compared with the default prefix table of the installed tmux
(`installed.installed_facts`). Answers are written with the default keys; `C-b X` is rewritten
to the user's prefix, and to the user's own key for X's default command when they rebound it.
"""

from __future__ import annotations

from tmux_sensei import tmuxcmd
from tmux_sensei.tmux_names import parse_key_table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from tmux_sensei.shapes import Block

DEFAULT_PREFIX = "C-b"
_TRAILING = ".,):;"  # punctuation after a key in prose, never part of the key here


class KeyMap:
    __slots__ = ("commands", "defaults", "prefix")

    def __init__(self, prefix: str, commands: dict[str, str], defaults: dict[str, str]) -> None:
        self.prefix = prefix
        self.commands = commands  # the user's prefix table: key -> command
        self.defaults = defaults  # tmux's default prefix table

    def user_key(self, key: str) -> str:
        """The user's key for what `key` does by default (the same key if they kept it)."""
        default = self.defaults.get(key)
        if default is None or self.commands.get(key) == default:
            return key
        return next((k for k, cmd in self.commands.items() if cmd == default), key)

    @property
    def differs(self) -> bool:
        return self.prefix != DEFAULT_PREFIX or any(self.user_key(k) != k for k in self.defaults)


def press(keymap: KeyMap | None, key: str) -> str:
    """How this user presses what `C-b KEY` does by default: "C-a %", or "C-b %" outside tmux."""
    if keymap is None:
        return f"{DEFAULT_PREFIX} {key}"
    return f"{keymap.prefix} {keymap.user_key(key)}"


def read_keymap(environ: Mapping[str, str]) -> KeyMap | None:
    """The running tmux's prefix table, or None outside tmux or when tmux does not answer."""
    if not environ.get("TMUX"):
        return None
    prefix = tmuxcmd.run(["show-options", "-gv", "prefix"], environ=environ, timeout=0.5)
    if not prefix.ok or not prefix.out.strip():
        return None
    table = tmuxcmd.run(["list-keys", "-T", "prefix"], environ=environ, timeout=0.5)
    from tmux_sensei.installed import installed_facts

    facts = installed_facts(environ)
    defaults = dict(facts["prefix_keys"]) if facts else {}
    return KeyMap(prefix.out.strip(), parse_key_table(table.out), defaults)


# How pages spell out a key press; rewritten with the user's prefix spelled the same way.
_SPELLED = ("Ctrl+b, release, then ", "Ctrl+b を押して離してから ")


def _ctrl(prefix: str) -> str:
    """ "C-a" -> "Ctrl+a", as pages spell the default "Ctrl+b"; other prefixes as they are."""
    return f"Ctrl+{prefix[2:]}" if prefix.startswith("C-") and len(prefix) > 2 else prefix


def _rewrite_after(text: str, marker: str, lead: str, keymap: KeyMap) -> str:
    """Each `marker` + KEY becomes `lead` + the user's key for it."""
    out: list[str] = []
    i = 0
    while (at := text.find(marker, i)) >= 0:
        out.append(text[i:at])
        start = end = at + len(marker)
        # a key is ASCII ("d", "%", "C-l", "Up"); Japanese prose runs straight on after it
        while end < len(text) and text[end].isascii() and text[end] not in " \t\n`":
            end += 1
        token = text[start:end]
        key = token
        while key and key not in keymap.defaults and key[-1] in _TRAILING:
            key = key[:-1]
        if key in keymap.defaults:
            token = keymap.user_key(key) + token[len(key) :]
        out.append(lead + token)
        i = end
    out.append(text[i:])
    return "".join(out)


def rewrite_keys(text: str, keymap: KeyMap) -> str:
    """`C-b d` -> `C-a d` (or `C-a e` when the user moved detach-client to e); the spelled-out
    "Ctrl+b, release, then d" follows."""
    if not keymap.differs:
        return text
    text = _rewrite_after(text, f"{DEFAULT_PREFIX} ", f"{keymap.prefix} ", keymap)
    ctrl = _ctrl(keymap.prefix)
    for spelled in _SPELLED:
        text = _rewrite_after(text, spelled, spelled.replace("Ctrl+b", ctrl), keymap)
    # a bare "C-b" or "Ctrl+b" names the default prefix itself ("the prefix key is C-b (Ctrl+b)"):
    # only key presses change, so a page never says "C-b (Ctrl+a)"
    return text.replace(f"prefix + {DEFAULT_PREFIX}", f"prefix + {keymap.prefix}")


def rewrite_blocks(blocks: list[Block], keymap: KeyMap | None) -> list[Block]:
    if keymap is None or not keymap.differs:
        return blocks
    out: list[Block] = []
    for block in blocks:
        # one branch per kind: a starred slice of a block would be typed tuple[Any, ...]
        if block[0] == "p":
            out.append(("p", rewrite_keys(block[1], keymap)))
        elif block[0] == "h":
            out.append(("h", block[1], rewrite_keys(block[2], keymap)))
        elif block[0] == "ul":
            out.append(("ul", [rewrite_keys(i, keymap) for i in block[1]]))
        elif block[0] == "ol":
            out.append(("ol", [rewrite_keys(i, keymap) for i in block[1]], block[2]))
        else:
            out.append(block)
    return out
