#!/bin/sh
# tmux-sensei: a TPM plugin entry file. prefix + @sensei-key (default T, "tutor") opens
# tmux-sensei in a popup, in the current pane's directory.
#
#   set -g @plugin 'OWNER/tmux-sensei'          # with TPM, or without it:
#   run-shell /path/to/tmux-sensei/tmux-sensei.tmux
#
# Options (set them before the plugin loads):
#   @sensei-key      key after the prefix; "none" binds nothing            (default: T)
#   @sensei-width    popup width                                           (default: 80%)
#   @sensei-height   popup height                                          (default: 80%)
#   @sensei-command  the command to run                  (default: tmux-sensei on PATH)
#
# Plain POSIX sh: it runs before anything is known about Python on this machine.

opt() {
    v=$(tmux show-option -gqv "$1")
    if [ -n "$v" ]; then echo "$v"; else echo "$2"; fi
}

here=$(cd "$(dirname "$0")" && pwd)
key=$(opt @sensei-key T)
width=$(opt @sensei-width 80%)
height=$(opt @sensei-height 80%)
cmd=$(opt @sensei-command "")

if [ -z "$cmd" ]; then
    if command -v tmux-sensei >/dev/null 2>&1; then
        cmd=$(command -v tmux-sensei)
    elif [ -x "$here/.venv/bin/tmux-sensei" ]; then
        cmd="$here/.venv/bin/tmux-sensei"
    else
        # Not installed: the popup says how to install instead of failing silently.
        cmd="printf 'tmux-sensei is not installed. Install it with:\n  pip install --user $here\nthen set -g @sensei-command to its path if it is not on PATH.\n'; read _"
    fi
fi

case $(printf '%s' "$key" | tr '[:upper:]' '[:lower:]') in
    none | "") exit 0 ;;
esac

# Feature test, not a version number: tmux 3.3a exits 0 even for an unknown command name,
# so look at what list-commands prints.
if [ -n "$(tmux list-commands display-popup 2>/dev/null)" ]; then
    tmux bind-key "$key" display-popup -E -w "$width" -h "$height" -d "#{pane_current_path}" "$cmd"
else  # tmux before 3.2 has no popups
    tmux bind-key "$key" split-window -v -l 15 -c "#{pane_current_path}" "$cmd"
fi
