"""`tmux-sensei explain [FILE]`: a tmux.conf read line by line against the installed tmux.

The user's file is only read. tmux judges it on a throwaway server (explain_server.Judge): every
statement is parsed there (`source-file -n`, nothing runs), and the statements that only set
options or bind keys are applied there, one by one, to hear tmux's run-time complaints. Nothing
that runs a shell (`run-shell`, `if-shell`, `#(...)`) is ever sent to it: those lines are
explained, never executed. Files pulled in with `source-file` are read and explained the same way.
"""

from __future__ import annotations

import os

from tmux_sensei.explain_parse import Statement, Word, flags_and_args, statements
from tmux_sensei.explain_rules import (
    OLD_TABLES,
    REMOVED_OPTIONS,
    RENAMED_COPY_COMMANDS,
    quote,
    style_family,
    style_value,
)
from tmux_sensei.textutil import sanitize

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from tmux_sensei.argv import Parsed
    from tmux_sensei.env import Env
    from tmux_sensei.explain_server import Judge

MAX_BYTES = 1 << 20  # a tmux.conf is small; a bigger file is not one
MAX_DEPTH = 8  # source-file nesting we follow (tmux itself stops at 50)
MAX_GLOB = 20  # files one source-file line may pull in that we explain
SETS = {"set-option", "set-window-option"}
BINDS = {"bind-key", "unbind-key"}
SAFE = SETS | BINDS  # the only commands ever applied on the throwaway server
# a few aliases known without asking tmux (for the rules below, and when tmux is missing)
ALIASES = {
    "set": "set-option",
    "setw": "set-window-option",
    "bind": "bind-key",
    "unbind": "unbind-key",
    "run": "run-shell",
    "if": "if-shell",
    "source": "source-file",
    "setenv": "set-environment",
    "display": "display-message",
    "send": "send-keys",
    "neww": "new-window",
    "new": "new-session",
    "splitw": "split-window",
    "selectp": "select-pane",
    "selectw": "select-window",
    "resizep": "resize-pane",
}
# options whose built-in default depends on the build or the environment: setting them to the
# value this server shows is still worth keeping for another machine
NO_DEFAULT_NOTE = {"default-terminal", "default-shell", "mode-keys", "status-keys", "editor"}


class UsageProblem(Exception):
    """A file that cannot be explained: missing, unreadable, not text (exit 2)."""

    def __init__(self, key: str, **values: str) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


# ---------------------------------------------------------------- which file


def user_configs(environ: Mapping[str, str]) -> list[str]:
    """The user's files tmux loads at server start, in its order: every one that exists of
    ~/.tmux.conf, $XDG_CONFIG_HOME/tmux/tmux.conf and ~/.config/tmux/tmux.conf (tmux 3.3a reads
    them all, one after the other, so a later file's `set` wins)."""
    home = environ.get("HOME") or os.path.expanduser("~")
    xdg = environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    candidates = [
        os.path.join(home, ".tmux.conf"),
        os.path.join(xdg, "tmux", "tmux.conf"),
        os.path.join(home, ".config", "tmux", "tmux.conf"),
    ]
    found: dict[str, str] = {}  # real path -> the path as the user knows it
    for path in candidates:
        if os.path.isfile(path):
            found.setdefault(os.path.realpath(path), path)
    if not found:
        raise UsageProblem("explain.no_config", paths=", ".join(dict.fromkeys(candidates)))
    return list(found.values())


def default_config(environ: Mapping[str, str]) -> str:
    """The first file tmux loads for this user."""
    return user_configs(environ)[0]


def read_text(path: str) -> str:
    """The file's text, read once and never written."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UsageProblem("explain.not_found", path=_safe(path)) from None
    except IsADirectoryError:
        raise UsageProblem("explain.unreadable", path=_safe(path), detail="directory") from None
    except OSError as exc:
        detail = exc.strerror or type(exc).__name__
        raise UsageProblem("explain.unreadable", path=_safe(path), detail=detail) from None
    if len(data) > MAX_BYTES or b"\0" in data:
        raise UsageProblem("explain.not_text", path=_safe(path))
    return data.decode("utf-8", "replace").replace("\r\n", "\n")


def _safe(text: str) -> str:
    return sanitize(text, keep_newlines=False)


# ---------------------------------------------------------------- knowledge


def load_glossary(lang: str, environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """{"options": {name: meaning}, "commands": {...}, "topics": {name: topic id}}."""
    import tomllib

    from tmux_sensei.loader import knowledge_dir

    folder = os.path.join(knowledge_dir(environ), "glossary")
    out: dict[str, dict[str, str]] = {"options": {}, "commands": {}, "topics": {}}
    for name, keys in ((f"{lang}.toml", ("options", "commands")), ("topics.toml", ("topics",))):
        try:
            with open(os.path.join(folder, name), "rb") as f:
                data = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError):
            continue
        for key in keys:
            out[key].update({str(k): str(v) for k, v in dict(data.get(key, {})).items()})
    return out


def newer_names(environ: Mapping[str, str]) -> dict[str, str]:
    """Names of newer tmux versions (tmux-names.toml `newer`): name -> version ("" unknown)."""
    import tomllib

    from tmux_sensei.loader import knowledge_dir

    try:
        with open(os.path.join(knowledge_dir(environ), "tmux-names.toml"), "rb") as f:
            return {str(k): str(v) for k, v in tomllib.load(f).get("newer", {}).items()}
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def topic_title(topic: str, lang: str, environ: Mapping[str, str]) -> str:
    """A knowledge page's title, read from its front matter ("" when there is no page)."""
    import tomllib

    from tmux_sensei.loader import knowledge_dir

    try:
        with open(os.path.join(knowledge_dir(environ), lang, topic + ".md"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("title"):
                    return str(tomllib.loads(line).get("title", ""))
    except (OSError, tomllib.TOMLDecodeError):
        pass
    return ""


def has_terminfo(term: str, environ: Mapping[str, str]) -> bool | None:
    """Whether this machine has a terminfo entry for `term` (None: cannot tell)."""
    if not term or "/" in term or term.startswith("."):
        return False
    home = environ.get("HOME") or os.path.expanduser("~")
    dirs = [environ.get("TERMINFO", ""), os.path.join(home, ".terminfo")]
    dirs += environ.get("TERMINFO_DIRS", "").split(":")
    dirs += ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", "/usr/lib/terminfo"]
    dirs += ["/usr/local/share/terminfo", "/opt/homebrew/share/terminfo"]
    for d in filter(None, dirs):
        for sub in (term[0], f"{ord(term[0]):x}"):
            if os.path.isfile(os.path.join(d, sub, term)):
                return True
    from tmux_sensei import command

    if command.which("infocmp", path=environ.get("PATH")) is None:
        return None
    result = command.run(["infocmp", "-x", term], timeout=1.0, environ=environ)
    if result.code is None:
        return None
    return result.ok


# ---------------------------------------------------------------- judging


class Explainer:
    """Explains one file (and the files it sources) in one language, with one Judge."""

    def __init__(
        self,
        lang: str,
        strings: Mapping[str, str],
        environ: Mapping[str, str],
        judge: Judge | None,
    ) -> None:
        self.lang = lang
        self.sep = "" if lang == "ja" else " "  # Japanese sentences follow each other unspaced
        self.strings = strings
        self.environ = environ
        self.judge = judge if judge is not None and judge.ok else None
        self.version = judge.version if judge is not None and judge.version else "?"
        self.glossary = load_glossary(lang, environ)
        self.newer = newer_names(environ)
        self.visiting: list[str] = []
        self.included: list[dict[str, Any]] = []
        self.set_at: dict[tuple[str, str], str] = {}  # -> where: "12", or "other.conf:12"
        self.bound_at: dict[tuple[str, str], str] = {}
        self.tpm_line = 0
        self.titles: dict[str, str] = {}
        self.names_toml: dict[str, set[str]] = {}
        self.tmux_safe: set[int] = set()  # statements tmux parsed as set/bind commands only

    def t(self, name: str, /, **values: Any) -> str:
        text = self.strings.get(name, name)
        try:
            return text.format(**{k: _safe(str(v)) for k, v in values.items()})
        except (KeyError, IndexError, ValueError):
            return text

    # ------------------------------------------------------------ a whole file

    def explain_file(self, path: str, text: str) -> dict[str, Any]:
        self.visiting.append(os.path.realpath(path))
        sts = statements(text)
        stop: dict[str, Any] | None = None
        parse_errors: dict[int, tuple[int, str]] = {}
        if self.judge is not None:
            whole = self.judge.write(text.rstrip("\n"))
            first = self.judge.parse([whole]).get(whole)
            if first is not None:
                stop = {"line": first[0], "error": _safe(first[1])}
            files = {self.judge.write(st.text): n for n, st in enumerate(sts) if not st.directive}
            errors, parsed = self.judge.parse_verbose(list(files))
            for p, (line, message) in errors.items():
                parse_errors[files[p]] = (line, message)
            for p, lists in parsed.items():
                if all(_only_safe(cmds) for cmds in lists):
                    self.tmux_safe.add(id(sts[files[p]]))
            if stop is not None and not parse_errors:
                # an error of the file's structure (%if, braces): it belongs to its line
                for n, st in enumerate(sts):
                    if st.line <= stop["line"] <= st.last:
                        parse_errors[n] = (stop["line"] - st.line + 1, stop["error"])
        lines = [self.explain(st, parse_errors.get(n)) for n, st in enumerate(sts)]
        self.visiting.pop()
        doc: dict[str, Any] = {
            "file": _safe(path),
            "tmux": self.version,
            "lines": lines,
            "parse_error": stop,
            "physical": text.split("\n"),
        }
        return doc

    # ------------------------------------------------------------ one statement

    def explain(self, st: Statement, parse_error: tuple[int, str] | None) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "line": st.line,
            "text": _safe(st.text.strip()) if "\n" not in st.text else _multi(st.text),
            "status": "ok",
            "explanation": "",
            "fix": None,
            "topic": None,
            "last": st.last,  # for the terminal view (not in the JSON)
        }
        said: list[str] = []
        if st.directive:
            key = "explain.if" if st.directive in ("%if", "%elif") else "explain.if_part"
            if st.directive == "%hidden":
                key = "explain.hidden"
            said.append(self.t(key))
            entry["topic"] = "config-conditionals"
            entry["explanation"] = self.sep.join(said)
            return entry
        commands = st.commands()
        # applied only when both readers agree it sets options or binds keys, and nothing else:
        # ours, and tmux's own parser (`source-file -n -v` lists the commands it read)
        safe = (
            "#(" not in st.text
            and id(st) in self.tmux_safe
            and all(self.full(c[0].text) in SAFE for c in commands)
        )
        if parse_error is not None:
            self.parse_problem(entry, st, commands, parse_error[1])
        else:
            for cmd in commands:
                self.explain_command(entry, st, cmd, safe and len(commands) == 1, said)
        if "#(" in st.text:
            status_like = (
                commands
                and self.full(commands[0][0].text) in SETS
                and any(w.text.startswith(("status-", "window-status-")) for w in commands[0][1:3])
            )
            key = "explain.jobs" if status_like else "explain.jobs_other"
            said.append(self.t(key, cmd=_job(st.text)))
            entry["topic"] = entry["topic"] or "status-interval-jobs"
        if said:
            entry["explanation"] = self.sep.join(filter(None, [entry["explanation"], *said]))
        if entry["topic"]:
            title = self.title(entry["topic"])
            if title:
                entry["read_next"] = title
            else:
                entry["topic"] = None
        return entry

    def where(self, st: Statement) -> str:
        """A line's place for a later note: its number, with the file name outside the main file."""
        if len(self.visiting) > 1:
            return f"{os.path.basename(self.visiting[-1])}:{st.line}"
        return str(st.line)

    def title(self, topic: str) -> str:
        if topic not in self.titles:
            self.titles[topic] = topic_title(topic, self.lang, self.environ)
        return self.titles[topic]

    def full(self, name: str) -> str:
        """A command's full name, as tmux resolves it (alias, unique prefix), or ""."""
        if self.judge is not None:
            if name in self.judge.commands:
                return self.judge.commands[name]
            fulls = {c for c in self.judge.commands.values() if c.startswith(name)}
            return fulls.pop() if len(fulls) == 1 else ""
        if name in ALIASES:
            return ALIASES[name]
        return name if name in self.static_names("commands") | self.static_names("aliases") else ""

    def option_known(self, name: str) -> bool:
        if self.judge is None:  # without tmux, the names of tmux 3.3a (tmux-names.toml)
            return name in self.static_names("options")
        return name in self.judge.options

    def static_names(self, kind: str) -> set[str]:
        if not self.names_toml:
            import tomllib

            from tmux_sensei.loader import knowledge_dir

            try:
                path = os.path.join(knowledge_dir(self.environ), "tmux-names.toml")
                with open(path, "rb") as f:
                    data = tomllib.load(f)
            except (OSError, tomllib.TOMLDecodeError):
                data = {}
            for key in ("commands", "aliases", "options"):
                self.names_toml[key] = {str(n) for n in data.get(key, [])}
        return self.names_toml.get(kind, set())

    # ------------------------------------------------------------ problems tmux's parser found

    def parse_problem(
        self, entry: dict[str, Any], st: Statement, commands: list[list[Word]], message: str
    ) -> None:
        entry["status"] = "problem"
        stops = self.t("explain.stops_file", version=self.version)
        for cmd in commands:
            if self.old_table(entry, st, cmd):
                entry["explanation"] += self.sep + stops
                return
        name = commands[0][0].text if commands else ""
        if message.startswith("unknown command") and name:
            if name in self.newer:
                entry["explanation"] = self.t(
                    "explain.newer_command", name=name, version=self.newer[name] or "?"
                )
                entry["fix"] = self.t("explain.fix_upgrade")
            else:
                meant = self.closest(name, list(self.judge.commands) if self.judge else [])
                entry["explanation"] = self.t("explain.unknown_command", name=name)
                if meant:
                    fixed = meant + st.text.strip()[len(name) :]
                    entry["fix"] = self.t("explain.fix_typo", meant=meant, line=_one(fixed))
                    entry["topic"] = self.glossary["topics"].get(self.full(meant))
        else:
            entry["explanation"] = self.t("explain.parse_error", error=message)
            entry["topic"] = "config-errors"
        entry["explanation"] += self.sep + self.t("explain.stops_file", version=self.version)

    def closest(self, name: str, choices: list[str]) -> str:
        if not choices:
            return ""
        from rapidfuzz import fuzz, process

        found = process.extractOne(name, choices, scorer=fuzz.ratio, score_cutoff=70)
        return str(found[0]) if found else ""

    def old_table(self, entry: dict[str, Any], st: Statement, cmd: list[Word]) -> bool:
        """`bind -t vi-copy KEY CMD` (the key tables before tmux 2.4) with its modern form."""
        full = ALIASES.get(cmd[0].text, cmd[0].text)
        if full not in BINDS:
            return False
        flags, args = flags_and_args(cmd[1:], "tTNR")
        table = flags.get("t")
        if table is None:
            return False
        new = OLD_TABLES.get(table, "")
        entry["status"] = "problem"
        entry["topic"] = "copy-mode-vi-keys"
        if not new:
            entry["explanation"] = self.t("explain.why.old_table", table=table)
            entry["fix"] = self.t("explain.fix_delete")
            return True
        key = args[0].text if args else ""
        parts = [cmd[0].text, "-T", new, *([quote(key)] if key else [])]
        if full == "bind-key" and len(args) > 1:
            action = RENAMED_COPY_COMMANDS.get(args[1].text, args[1].text)
            repeat = flags.get("R")
            parts += ["send", *(["-N", repeat] if repeat else []), "-X", action]
            parts += [quote(w.text) for w in args[2:]]
        entry["explanation"] = self.t("explain.why.vi_copy", table=table, new=new)
        entry["fix"] = self.t("explain.fix_write", line=" ".join(parts))
        return True

    # ------------------------------------------------------------ one command of a statement

    def explain_command(
        self, entry: dict[str, Any], st: Statement, cmd: list[Word], apply: bool, said: list[str]
    ) -> None:
        name = cmd[0].text
        full = self.full(name)
        if full in SETS:
            self.explain_set(entry, st, cmd, full, apply, said)
        elif full in BINDS:
            self.explain_bind(entry, st, cmd, full, apply, said)
        elif full == "run-shell":
            self.explain_run(entry, st, cmd, said)
        elif full == "if-shell":
            flags, args = flags_and_args(cmd[1:], "t")
            key = "explain.if_format" if "F" in flags else "explain.if_shell"
            said.append(self.t(key, cmd=args[0].text if args else ""))
            entry["topic"] = "config-conditionals"
        elif full == "source-file":
            self.explain_source(entry, st, cmd, said)
        elif full:
            meaning = self.glossary["commands"].get(full, "")
            said.append(self.t("explain.command", name=full, meaning=meaning))
            entry["topic"] = entry["topic"] or self.glossary["topics"].get(full)
        else:
            entry["status"] = "problem"
            said.append(self.t("explain.unknown_command", name=name))
            meant = self.closest(name, sorted(self.static_names("commands") | set(ALIASES)))
            if meant:
                fixed = meant + st.text.strip()[len(name) :]
                entry["fix"] = self.t("explain.fix_typo", meant=meant, line=_one(fixed))

    def explain_set(
        self,
        entry: dict[str, Any],
        st: Statement,
        cmd: list[Word],
        full: str,
        apply: bool,
        said: list[str],
    ) -> None:
        flags, args = flags_and_args(cmd[1:], "t")
        if not args:
            said.append(self.t("explain.command", name=full, meaning=""))
            return
        name = args[0].text.split("[")[0]
        value = " ".join(w.text for w in args[1:])
        topics = self.glossary["topics"]
        if full == "set-window-option":
            flags["w"] = ""
        rule = REMOVED_OPTIONS.get(name)
        family = style_family(name)
        if rule is not None and not self.option_known(name):
            version, why, new = rule
            entry["status"] = "problem"
            entry["explanation"] = self.t("explain.removed", name=name, version=version)
            said.append(self.t(f"explain.why.{why}"))
            if new:
                line = _replace_option(st.text, args, new, value or "on")
                entry["fix"] = self.t("explain.fix_write", line=line)
            else:
                entry["fix"] = self.t("explain.fix_delete")
            entry["topic"] = {"mouse": "mouse", "mouse_utf8": "mouse", "utf8": "locale-utf8"}.get(
                why, topics.get(new) or "upgrade-gotchas"
            )
            return
        if family is not None and family[0] and not self.option_known(name):
            style, kind = family
            entry["status"] = "problem"
            entry["explanation"] = self.t("explain.removed", name=name, version="2.9")
            said.append(self.t("explain.why.style", style=style))
            line = _replace_option(st.text, args, style, style_value(kind, value))
            entry["fix"] = self.t("explain.fix_write", line=line)
            entry["topic"] = "style-options-migration"
            return
        if family is not None and not family[0]:
            entry["status"] = "problem"
            entry["explanation"] = self.t("explain.removed", name=name, version="2.0")
            said.append(self.t("explain.why.content"))
            entry["fix"] = self.t("explain.fix_delete")
            return
        message, shown = "", ""
        if self.judge is not None and apply:
            show = None
            plain = not ({"a", "u", "o", "F"} & set(flags)) and not name.startswith("@")
            if plain and name not in NO_DEFAULT_NOTE:
                show = [f"-{s}" for s in "gswp" if s in flags]
                show += ["-t", flags["t"]] if "t" in flags else []
                show.append(name)
            message, shown = self.judge.apply(self.judge.write(st.text), show)
        elif not name.startswith("@") and not self.option_known(name):
            message = f"invalid option: {name}"
        if message:
            self.set_error(entry, st, args, name, value, message, said)
            return
        meaning = self.glossary["options"].get(name, "")
        if name == "@plugin":
            said.append(self.t("explain.plugin", value=value))
            entry["topic"] = "tpm"
        elif name.startswith("@"):
            said.append(self.t("explain.user_option", name=name))
            entry["topic"] = "tpm" if self.tpm_line else None
        elif meaning:
            said.append(self.t("explain.set", name=name, value=value or "-", meaning=meaning))
        else:
            said.append(self.t("explain.set_plain", name=name, value=value or "-"))
        entry["topic"] = entry["topic"] or topics.get(name)
        if family is not None:  # status-fg/-bg: still there in 3.3a, replaced by status-style
            style, kind = family
            entry["status"] = "note"
            said.append(self.t("explain.prefer_style", name=name, style=style))
            line = _replace_option(st.text, args, style, style_value(kind, value))
            entry["fix"] = self.t("explain.fix_write", line=line)
            entry["topic"] = "style-options-migration"
        if name.startswith("@") and self.tpm_line:
            entry["status"] = "note"
            said.append(self.t("explain.after_tpm", line=self.tpm_line))
            entry["topic"] = "tpm-troubleshooting"
        if shown and self.judge is not None and shown == self.judge.defaults.get(name):
            entry["status"] = "note"
            said.append(self.t("explain.default"))
        key = (name, flags.get("t", ""))
        if (
            not name.startswith("@")
            and key in self.set_at
            and not ({"a", "o", "u"} & set(flags))
            and not st.in_condition
        ):
            entry["status"] = "note"
            said.append(self.t("explain.override", line=self.set_at[key]))
        if not st.in_condition:
            self.set_at[key] = self.where(st)
        if name == "default-terminal" and value:
            found = has_terminfo(value, self.environ)
            if found is False:
                entry["status"] = "note"
                said.append(self.t("explain.no_terminfo", term=value))
                entry["fix"] = self.t("explain.fix_terminfo", term=value)
                entry["topic"] = "terminfo-term"

    def set_error(
        self,
        entry: dict[str, Any],
        st: Statement,
        args: list[Word],
        name: str,
        value: str,
        message: str,
        said: list[str],
    ) -> None:
        if message.startswith(("invalid option", "unknown option")):
            if name in self.newer:
                entry["status"] = "note"
                version = self.newer[name] or "?"
                entry["explanation"] = self.t(
                    "explain.newer_option", name=name, version=version, installed=self.version
                )
                entry["fix"] = self.t("explain.fix_upgrade")
                entry["topic"] = "version-differences"
                return
            entry["status"] = "problem"
            entry["explanation"] = self.t("explain.invalid_option", name=name, version=self.version)
            options = sorted(self.judge.options) if self.judge is not None else []
            meant = self.closest(name, options)
            if meant:
                line = _replace_option(st.text, args, meant, value)
                entry["fix"] = self.t("explain.fix_typo", meant=meant, line=line)
                entry["topic"] = self.glossary["topics"].get(meant)
            return
        # a target (-t) that exists on the user's server, not on the throwaway one
        entry["status"] = "note" if message.startswith(("can't find", "no current")) else "problem"
        entry["explanation"] = self.t("explain.rejected", error=message, version=self.version)
        entry["topic"] = self.glossary["topics"].get(name) or "config-errors"

    def explain_bind(
        self,
        entry: dict[str, Any],
        st: Statement,
        cmd: list[Word],
        full: str,
        apply: bool,
        said: list[str],
    ) -> None:
        if self.old_table(entry, st, cmd):
            return
        flags, args = flags_and_args(cmd[1:], "TN")
        table = "root" if "n" in flags else flags.get("T", "prefix")
        key = args[0].text if args else ""
        message = ""
        if self.judge is not None and apply:
            message, _ = self.judge.apply(self.judge.write(st.text))
        if message:
            entry["status"] = "problem"
            entry["explanation"] = self.t("explain.rejected", error=message, version=self.version)
            entry["topic"] = "key-bindings"
            return
        where = (_norm_key(key), table)
        if full == "unbind-key":
            if "a" in flags:
                said.append(self.t("explain.unbind_all", table=table))
                self.bound_at = {k: v for k, v in self.bound_at.items() if k[1] != table}
            else:
                said.append(self.t("explain.unbind", key=key, table=table))
                self.bound_at.pop(where, None)
            entry["topic"] = "key-bindings"
            return
        action = args[1:]
        first = action[0].text if action else ""
        if first == "{" and len(action) > 1:
            first = action[1].text
        target = self.full(first)
        meaning = self.glossary["commands"].get(target, "")
        shown = st.text[action[0].start : action[-1].end] if action else ""
        if table == "prefix":
            said.append(self.t("explain.bind_prefix", key=key, command=_short(shown)))
        elif table == "root":
            said.append(self.t("explain.bind_root", key=key, command=_short(shown)))
        else:
            said.append(self.t("explain.bind_table", key=key, table=table, command=_short(shown)))
        if meaning:
            said.append(meaning)
        if target == "run-shell" or "#(" in shown:
            said.append(self.t("explain.bind_shell"))
        entry["topic"] = {"copy-mode-vi": "copy-mode-vi-keys", "copy-mode": "copy-mode"}.get(
            table, self.glossary["topics"].get(target) or "key-bindings"
        )
        if where in self.bound_at and not st.in_condition:
            entry["status"] = "note"
            said.append(self.t("explain.rebind", key=key, line=self.bound_at[where], table=table))
        if not st.in_condition:
            self.bound_at[where] = self.where(st)

    def explain_run(
        self, entry: dict[str, Any], st: Statement, cmd: list[Word], said: list[str]
    ) -> None:
        flags, args = flags_and_args(cmd[1:], "dt")
        text = args[-1].text if args else ""
        if "C" in flags:
            said.append(self.t("explain.run_tmux", cmd=text))
        elif "tpm" in text.lower():
            self.tpm_line = self.tpm_line or st.line
            said.append(self.t("explain.tpm_run", cmd=text))
            entry["topic"] = "tpm"
        else:
            key = "explain.run_background" if "b" in flags else "explain.run_shell"
            said.append(self.t(key, cmd=text))
            entry["topic"] = "default-shell-command"

    def explain_source(
        self, entry: dict[str, Any], st: Statement, cmd: list[Word], said: list[str]
    ) -> None:
        flags, args = flags_and_args(cmd[1:], "t")
        entry["topic"] = "reload-config"
        for arg in args:
            pattern = arg.text
            if "#{" in pattern or "#(" in pattern or "F" in flags:
                said.append(self.t("explain.source_format", path=pattern))
                continue
            paths = _expand(pattern, self.environ)
            if not paths:
                if "q" in flags:
                    said.append(self.t("explain.source_quiet_missing", path=pattern))
                else:
                    entry["status"] = "problem"
                    said.append(self.t("explain.source_missing", path=pattern))
                    entry["fix"] = self.t("explain.fix_source_q")
                continue
            for path in paths[:MAX_GLOB]:
                real = os.path.realpath(path)
                if real in self.visiting:
                    entry["status"] = "note" if entry["status"] == "ok" else entry["status"]
                    said.append(self.t("explain.source_loop", path=path))
                    continue
                if len(self.visiting) >= MAX_DEPTH:
                    said.append(self.t("explain.source_deep", path=path))
                    continue
                try:
                    text = read_text(path)
                except UsageProblem:
                    entry["status"] = "problem"
                    said.append(self.t("explain.source_unreadable", path=path))
                    continue
                if any(os.path.realpath(d["file"]) == real for d in self.included):
                    said.append(self.t("explain.source_again", path=path))
                    continue
                doc = self.explain_file(path, text)
                self.included.append(doc)
                problems = sum(line["status"] == "problem" for line in doc["lines"])
                said.append(
                    self.t("explain.source", path=path, lines=len(doc["lines"]), problems=problems)
                )


# ---------------------------------------------------------------- small helpers


def _only_safe(command_list: str) -> bool:
    """Whether a command list as tmux prints it (`cmd args ; cmd args`) only sets options or
    binds keys. Braces (a nested list) make it unsafe: it is simpler to never apply those."""
    if "{" in command_list or "}" in command_list:
        return False
    return all(part.split(" ", 1)[0] in SAFE for part in command_list.split(" ; "))


def _multi(text: str) -> str:
    return "\n".join(_safe(line) for line in text.strip().split("\n"))


def _one(text: str) -> str:
    return " ".join(text.split())


def _short(text: str, limit: int = 60) -> str:
    text = _one(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _norm_key(key: str) -> str:
    """`^A` and `C-a` name the same key."""
    if len(key) == 2 and key[0] == "^":
        return "C-" + key[1].lower()
    return key


def _job(text: str) -> str:
    """The shell command inside the first #(...) of a line."""
    start = text.find("#(") + 2
    depth, i = 1, start
    while i < len(text) and depth:
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        i += 1
    return _short(text[start : i - 1] if depth == 0 else text[start:])


def _replace_option(text: str, args: list[Word], name: str, value: str) -> str:
    """The user's line with its option (and value) replaced, flags kept as written."""
    head = text[: args[0].start].rstrip()
    rest = quote(value) if value else ""
    return _one(f"{head} {name} {rest}")


def _expand(pattern: str, environ: Mapping[str, str]) -> list[str]:
    """A source-file path as tmux expands it: ~, $VARIABLES, then glob(3)."""
    import glob

    home = environ.get("HOME") or os.path.expanduser("~")
    if pattern == "~" or pattern.startswith("~/"):
        pattern = home + pattern[1:]
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "$":
            j = i + 1
            if j < len(pattern) and pattern[j] == "{":
                end = pattern.find("}", j)
                name = pattern[j + 1 : end] if end > 0 else ""
                i = end + 1 if end > 0 else len(pattern)
            else:
                while j < len(pattern) and (pattern[j].isalnum() or pattern[j] == "_"):
                    j += 1
                name, i = pattern[i + 1 : j], j
            out.append(environ.get(name, ""))
            continue
        out.append(pattern[i])
        i += 1
    expanded = "".join(out)
    if any(c in expanded for c in "*?["):
        return sorted(p for p in glob.glob(expanded) if os.path.isfile(p))
    return [expanded] if os.path.isfile(expanded) else []


# ---------------------------------------------------------------- the report


def explain_path(
    path: str, lang: str, strings: Mapping[str, str], environ: Mapping[str, str]
) -> dict[str, Any]:
    """The whole report for one config file (raises UsageProblem when it can't be read)."""
    from tmux_sensei.explain_server import Judge

    text = read_text(path)
    with Judge(environ) as judge:
        ex = Explainer(lang, strings, environ, judge)
        doc = ex.explain_file(path, text)
    doc["included"] = ex.included
    doc["also_loaded"] = []
    every = doc["lines"] + [line for d in ex.included for line in d["lines"]]
    doc["problems"] = sum(line["status"] == "problem" for line in every)
    doc["notes"] = sum(line["status"] == "note" for line in every)
    doc["checked"] = judge.ok
    return doc


def explain_user_configs(
    lang: str, strings: Mapping[str, str], environ: Mapping[str, str]
) -> dict[str, Any]:
    """The report for every file tmux loads for this user: the first, then the others it also
    reads (`also_loaded`), so a setting made twice is seen where it ends up."""
    first, *others = user_configs(environ)
    doc = explain_path(first, lang, strings, environ)
    for path in others:
        try:
            other = explain_path(path, lang, strings, environ)
        except UsageProblem:
            continue  # unreadable: the first report stands, and `explain FILE` says why
        doc["also_loaded"].append(other)
        doc["problems"] += other["problems"]
        doc["notes"] += other["notes"]
        doc["checked"] = doc["checked"] and other["checked"]
    return doc


def report_json(doc: Mapping[str, Any]) -> str:
    import json

    def lines(d: Mapping[str, Any]) -> list[dict[str, Any]]:
        keys = ("line", "text", "status", "explanation", "fix", "topic")
        return [{k: line.get(k) for k in keys} for line in d["lines"]]

    def one_file(d: Mapping[str, Any]) -> dict[str, Any]:
        return {"file": d["file"], "parse_error": d["parse_error"], "lines": lines(d)}

    out = {
        "file": doc["file"],
        "tmux": doc["tmux"],
        "lines": lines(doc),
        "parse_error": doc["parse_error"],
        "included": [one_file(d) for d in doc["included"]],
        "also_loaded": [
            {**one_file(d), "included": [one_file(i) for i in d["included"]]}
            for d in doc["also_loaded"]
        ],
        "problems": doc["problems"],
        "notes": doc["notes"],
    }
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


MARKS = {"ok": ("✓", "mark"), "note": ("!", "warnmark"), "problem": ("✗", "problemmark")}


def report_text(
    doc: Mapping[str, Any], strings: Mapping[str, str], columns: int, color: bool
) -> str:
    """The file with a mark per statement and its explanation beneath."""
    from tmux_sensei.render import inline_pieces, paint_line, text_width
    from tmux_sensei.textutil import wrap_pieces

    width = text_width(columns)
    out: list[str] = []

    def t(name: str, /, **values: Any) -> str:
        try:
            return strings.get(name, name).format(**values)
        except (KeyError, IndexError, ValueError):
            return strings.get(name, name)

    def one_file(d: Mapping[str, Any], title_key: str) -> None:
        out.append(
            paint_line([("title", t(title_key, file=d["file"], version=doc["tmux"]))], color)
        )
        out.append("")
        by_line = {line["line"]: line for line in d["lines"]}
        physical = d["physical"]
        if physical and physical[-1] == "":
            physical = physical[:-1]
        pad = len(str(len(physical)))
        skip_to = 0
        for number, raw in enumerate(physical, 1):
            if number <= skip_to:
                continue  # printed with its statement
            entry = by_line.get(number)
            if entry is None:
                text = _safe(raw)
                out.append(
                    paint_line([("dim", "  " + str(number).rjust(pad) + "  " + text)], color)
                )
                continue
            mark, style = MARKS[entry["status"]]
            skip_to = int(entry.get("last", number))
            for n in range(number, min(skip_to, len(physical)) + 1):
                head = (style, mark) if n == number else ("", " ")
                number_text = " " + str(n).rjust(pad) + "  "
                out.append(
                    paint_line([head, ("", number_text), ("", _safe(physical[n - 1]))], color)
                )
            indent = " " * (pad + 5)
            for line in wrap_pieces(inline_pieces(entry["explanation"]), width, indent):
                out.append(paint_line(line, color))
            if entry.get("fix"):
                pieces = [("", "→ "), *inline_pieces(entry["fix"])]
                for line in wrap_pieces(pieces, width, indent + "  ", indent):
                    out.append(paint_line(line, color))
            if entry.get("read_next"):
                pieces = [("dim", t("explain.read_next", title=entry["read_next"]))]
                for line in wrap_pieces(pieces, width, indent + "  ", indent):
                    out.append(paint_line(line, color))
        if d["parse_error"]:
            out.append("")
            stop = t("explain.parse_stop", line=d["parse_error"]["line"], version=doc["tmux"])
            for line in wrap_pieces([("problemmark", stop)], width):
                out.append(paint_line(line, color))

    def with_included(d: Mapping[str, Any], title_key: str) -> None:
        one_file(d, title_key)
        for i in d["included"]:
            out.append("")
            one_file(i, "explain.header_included")

    with_included(doc, "explain.header")
    for other in doc["also_loaded"]:
        out.append("")
        with_included(other, "explain.header_also")
    out.append("")
    if not doc["checked"]:
        out.append(t("explain.unchecked"))
    if doc["problems"] or doc["notes"]:
        out.append(t("explain.summary", problems=doc["problems"], notes=doc["notes"]))
    else:
        out.append(t("explain.all_good"))
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- the command


def cmd_explain(opts: Parsed, env: Env, lang: str) -> int:
    """`explain [FILE] [--json] [--lang en|ja]`: 0 no problem, 1 a problem, 2 usage."""
    from tmux_sensei.env import ExitStatus, terminal_columns
    from tmux_sensei.locales import strings_for
    from tmux_sensei.render import wants_color

    as_json, files = opts.flag("json"), opts.args
    strings = strings_for(lang)
    try:
        if files:
            doc = explain_path(files[0], lang, strings, env.environ)
        else:
            doc = explain_user_configs(lang, strings, env.environ)
    except UsageProblem as exc:  # one line, in the language asked for
        text = strings.get(exc.key, exc.key)
        try:
            text = text.format(**exc.values)
        except (KeyError, IndexError, ValueError):
            pass
        env.stderr.write(text + "\n")
        return ExitStatus.USAGE
    if as_json:
        env.stdout.write(report_json(doc))
    else:
        color = wants_color(env.environ, env.stdout_isatty)
        env.stdout.write(report_text(doc, strings, terminal_columns(env), color))
    env.stdout.flush()
    return ExitStatus.PROBLEMS_FOUND if doc["problems"] else ExitStatus.ANSWERED


def explain_default_text(
    lang: str, strings: Mapping[str, str], environ: Mapping[str, str], columns: int, color: bool
) -> str:
    """The report for the config tmux would load (the conversation's /config)."""
    try:
        doc = explain_user_configs(lang, strings, environ)
    except UsageProblem as exc:
        text = strings.get(exc.key, exc.key)
        try:
            return text.format(**exc.values)
        except (KeyError, IndexError, ValueError):
            return text
    return report_text(doc, strings, columns, color)
