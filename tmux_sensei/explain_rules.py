"""Options and syntax that tmux removed or renamed, with their modern forms (from tmux's CHANGES).

Each rule names the version that removed the old form, a locale key under `explain.why` that
says what changed, and how to write the line today. The fixes are built from the user's own line,
so the flags they chose (`-g`, `-w`, `-q`) stay as they were.
"""

from __future__ import annotations

# option -> (tmux version that removed it, explain.why.<key>, new option or "" to delete the line)
REMOVED_OPTIONS: dict[str, tuple[str, str, str]] = {
    "mode-mouse": ("2.1", "mouse", "mouse"),
    "mouse-select-pane": ("2.1", "mouse", "mouse"),
    "mouse-resize-pane": ("2.1", "mouse", "mouse"),
    "mouse-select-window": ("2.1", "mouse", "mouse"),
    "mouse-utf8": ("2.2", "mouse_utf8", "mouse"),
    "utf8": ("2.2", "utf8", ""),
    "status-utf8": ("2.2", "utf8", ""),
    "c0-change-trigger": ("2.1", "c0", ""),
    "c0-change-interval": ("2.1", "c0", ""),
    "monitor-content": ("2.0", "content", ""),
    "visual-content": ("2.0", "content", ""),
    "default-path": ("1.9", "default_path", ""),
    "bell-on-alert": ("2.6", "bell_on_alert", ""),
    "set-remain-on-exit": ("2.4", "set_remain", "remain-on-exit"),
}

# old -fg/-bg/-attr families whose -style option has another name
STYLE_BASES = {
    "window-status-alert": "window-status-bell-style",
    "window-status-content": "",  # went away with monitor-content
}

# the key tables of tmux before 2.4 (`bind -t TABLE`) -> the key table that replaced them
OLD_TABLES = {
    "vi-copy": "copy-mode-vi",
    "emacs-copy": "copy-mode",
    "vi-edit": "",
    "emacs-edit": "",
    "vi-choose": "",
    "emacs-choose": "",
}

# copy-mode commands whose meaning changed with the -X form
RENAMED_COPY_COMMANDS = {"copy-pipe": "copy-pipe-and-cancel"}


def style_family(name: str) -> tuple[str, str] | None:
    """`pane-border-fg` -> ("pane-border-style", "fg"); None for other names."""
    for suffix in ("-fg", "-bg", "-attr"):
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            style = STYLE_BASES.get(base, base + "-style")
            return style, suffix[1:]
    return None


def style_value(kind: str, value: str) -> str:
    """The value of an -fg/-bg/-attr option as a style: fg=red, bg=colour235, or `bold`."""
    if kind == "attr":
        return value
    return f"{kind}={value}"


def quote(value: str) -> str:
    """A value as tmux reads it back: bare when it is one plain word, else in double quotes."""
    if value and all(c.isalnum() or c in "-_=,.:/@%+" for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
