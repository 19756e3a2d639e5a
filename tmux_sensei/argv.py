"""The command line's grammar: one table per subcommand, one parser, and help written from the
same tables in the UI's language.

Hand-written rather than argparse: argparse and the gettext it pulls in cost about 0.7x the
bare interpreter's start, on a command (`ask`) whose whole budget is 3x, and its messages would
be English only. Each option is (long name, short name or "", value's metavar or "" for a flag,
help key); a long option may be shortened to any unambiguous prefix (`--no-diag`), an
ambiguous one is a usage error naming the candidates. Every echoed value is sanitised.
"""

from __future__ import annotations

from tmux_sensei.env import ExitStatus, UsageError
from tmux_sensei.locales import safe_value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from tmux_sensei.env import Env

    Option = tuple[str, str, str, str]  # long, short, metavar ("" = a flag), help key

LANG: Option = ("--lang", "", "en|ja", "lang")
JSON: Option = ("--json", "", "", "json")
HELP: Option = ("--help", "-h", "", "help")

# name -> (options, positional metavar key or "", most positionals (-1 = any), exit codes)
COMMANDS: dict[str, tuple[tuple[Option, ...], str, int, tuple[tuple[int, str], ...]]] = {
    "ask": (
        (("--json", "", "", "json_answer"), LANG, ("--no-diagnose", "", "", "no_diagnose"), HELP),
        "question",
        -1,
        ((0, "answered"), (1, "no_confident"), (2, "usage"), (70, "internal"), (130, "int")),
    ),
    "doctor": (
        (("--verbose", "-v", "", "verbose"), ("--json", "", "", "json_findings"), LANG, HELP),
        "",
        0,
        ((0, "no_problem"), (1, "problem"), (2, "usage"), (70, "internal"), (130, "int")),
    ),
    "explain": (
        (("--json", "", "", "json_explain"), LANG, HELP),
        "file",
        1,
        ((0, "no_problem"), (1, "problem"), (2, "usage_file"), (70, "internal"), (130, "int")),
    ),
    "learn": (
        (("--list", "", "", "list"), ("--verify", "", "", "verify"), LANG, HELP),
        "lesson",
        1,
        ((0, "done"), (1, "verify_failed"), (2, "usage"), (70, "internal"), (130, "int")),
    ),
    "setup": (
        (("--apply", "", "", "apply"), ("--yes", "-y", "", "yes"), LANG, HELP),
        "",
        0,
        ((0, "done"), (1, "unchanged"), (2, "usage"), (70, "internal"), (130, "int")),
    ),
    "report": (
        (("--json", "", "", "json_report"), LANG, HELP),
        "",
        0,
        ((0, "done"), (2, "usage"), (70, "internal"), (130, "int")),
    ),
    "kb check": (
        (LANG, HELP),
        "",
        0,
        ((0, "all_good"), (1, "problems"), (2, "usage"), (70, "internal"), (130, "int")),
    ),
    "kb claims": (
        (("--json", "", "", "json_claims"), LANG, HELP),
        "topic",
        -1,
        ((0, "claims_hold"), (1, "claim_failed"), (2, "usage"), (70, "internal"), (130, "int")),
    ),
}
MAIN_ORDER = ("ask", "doctor", "explain", "learn", "setup", "report", "kb check", "kb claims")
MAIN_EXIT = ((0, "answered"), (1, "main_one"), (2, "usage"), (70, "internal"), (130, "int"))


class Parsed:
    """The options given (by long name without dashes, `no_diagnose`), the positionals, and
    whether help was asked for."""

    __slots__ = ("args", "help", "values")

    def __init__(self) -> None:
        self.values: dict[str, str | bool] = {}
        self.args: list[str] = []
        self.help = False

    def flag(self, name: str) -> bool:
        return bool(self.values.get(name))

    def value(self, name: str, default: str) -> str:
        value = self.values.get(name)
        return value if isinstance(value, str) else default


def _key(option: Option) -> str:
    return option[0][2:].replace("-", "_")


def _long(name: str, options: tuple[Option, ...], command: str) -> Option:
    """The option a long name means: itself, or the one option it is a prefix of."""
    for option in options:
        if option[0] == name:
            return option
    found = [o for o in options if o[0].startswith(name)]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(o[0] for o in found)
        raise UsageError(
            "errors.ambiguous_option", value=safe_value(name), candidates=names, command=command
        )
    raise UsageError("errors.unknown_option", value=safe_value(name), command=command)


def _check_value(option: Option, value: str) -> str:
    if option[2] == "en|ja" and value not in ("en", "ja"):
        raise UsageError("errors.unknown_lang", value=safe_value(value))
    return value


def parse(command: str, args: list[str]) -> Parsed:
    """Parse a subcommand's arguments by its table; UsageError on anything it does not know."""
    options, positional, most, _ = COMMANDS[command]
    out = Parsed()
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            rest = args[i:]
            break
        is_option = arg.startswith("-") and arg != "-" and not any(c.isspace() for c in arg)
        if not is_option:
            _positional(out, arg, positional, most, command)
            continue
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            option = _long(name, options, command)
        else:
            found = [o for o in options if o[1] and o[1] == arg]
            if not found:
                raise UsageError("errors.unknown_option", value=safe_value(arg), command=command)
            option, eq, value = found[0], "", ""
        if option is HELP:
            # `ask --help --lang ja`: the help is still printed in the language asked for
            out.help = True
            _, lang = help_language(args[i:], "")
            if lang:
                out.values["lang"] = lang
            return out
        if not option[2]:
            if eq:
                raise UsageError("errors.takes_no_value", option=option[0])
            out.values[_key(option)] = True
            continue
        if not eq:
            if i >= len(args):
                raise UsageError("errors.missing_value", option=option[0])
            value, i = args[i], i + 1
        out.values[_key(option)] = _check_value(option, value)
    else:
        rest = []
    for arg in rest:
        _positional(out, arg, positional, most, command)
    return out


def help_language(args: list[str], default: str) -> tuple[list[str], str]:
    """The words of `help ask --lang ja` without `--lang X` (or `--lang=X`, or a prefix of it
    such as `--la`), and the language it names, else `default`."""
    words: list[str] = []
    lang = default
    i = 0
    while i < len(args):
        name, eq, value = args[i].partition("=")
        i += 1
        if len(name) > 3 and "--lang".startswith(name):
            if not eq:
                if i >= len(args):
                    raise UsageError("errors.missing_value", option="--lang")
                value, i = args[i], i + 1
            lang = _check_value(LANG, value)
        else:
            words.append(args[i - 1])
    return words, lang


def _positional(out: Parsed, arg: str, positional: str, most: int, command: str) -> None:
    if most >= 0 and len(out.args) >= most:
        key = "errors.unknown_option" if arg.startswith("-") else "errors.extra_argument"
        raise UsageError(key, value=safe_value(arg), command=command)
    out.args.append(arg)


# ---------------------------------------------------------------- help


def _exit_line(codes: tuple[tuple[int, str], ...], t: Mapping[str, str], width: int = 80) -> str:
    """ "Exit status: 0 answered, 1 ...", wrapped between codes, never inside one."""
    from tmux_sensei.textutil import width as cells

    sep, end = t.get("help.exit_sep", ", "), t.get("help.exit_end", ".")
    parts = [f"{code} {t.get('help.exit.' + key, key)}" for code, key in codes]
    units = [part + (sep if n < len(parts) - 1 else end) for n, part in enumerate(parts)]
    lines, line = [], t.get("help.exit_status", "Exit status") + ":"
    for unit in units:
        if cells(line) + 1 + cells(unit) > width:
            lines.append(line.rstrip())
            line = unit
        elif line.endswith(sep) and not sep.endswith(" "):
            line += unit  # 、 needs no space after it
        else:
            line = f"{line.rstrip()} {unit}"
    return "\n".join([*lines, line.rstrip()])


def synopsis(command: str, t: Mapping[str, str]) -> str:
    options, positional, most, _ = COMMANDS[command]
    words = [f"tmux-sensei {command}"]
    for long, short, metavar, _help in options:
        if (long, short) != HELP[:2]:
            words.append(f"[{short or long}{' ' + metavar if metavar else ''}]")
    if positional:
        name = t.get(f"help.arg.{positional}", positional.upper())
        words.append(f"[{name}]" if most == 1 else name)
    return " ".join(words)


def help_text(command: str, t: Mapping[str, str]) -> str:
    """A subcommand's help: usage, what it does, each option of its table, its exit codes."""
    options, positional, _, codes = COMMANDS[command]
    head = t.get("help.usage", "Usage")
    lines = [f"{head}: {synopsis(command, t)}", "", t.get(f"help.about.{command}", "").strip()]
    lines += ["", t.get("help.options", "Options") + ":"]
    rows = []
    for long, short, metavar, key in options:
        name = f"{short}, {long}" if short else long
        rows.append((f"{name} {metavar}".rstrip(), t.get(f"help.opt.{key}", key)))
    if positional:
        rows.append((t.get(f"help.arg.{positional}", ""), t.get(f"help.argdesc.{positional}", "")))
    from tmux_sensei.textutil import width as cells

    column = max(cells(name) for name, _ in rows) + 3
    for name, text in rows:
        pad = " " * (column - cells(name))
        text = text.replace("\n", "\n" + " " * (column + 2))
        lines.append(f"  {name}{pad}{text}")
    lines += ["", _exit_line(codes, t)]
    return "\n".join(lines)


def main_help(t: Mapping[str, str], version: str) -> str:
    rows = [("tmux-sensei", t.get("help.main_chat", ""))]
    for command in MAIN_ORDER:
        options, positional, most, _ = COMMANDS[command]
        arg = t.get(f"help.arg.{positional}", "") if positional else ""
        arg = f"[{arg}]" if arg and most == 1 else arg
        more = " [options]" if len(options) > 1 else ""
        more = more.replace("options", t.get("help.options_word", "options"))
        rows.append(
            (f"tmux-sensei {command}{more} {arg}".rstrip(), t.get(f"help.summary.{command}", ""))
        )
    rows.append(("tmux-sensei --version", t.get("help.main_version", "")))
    rows.append(("tmux-sensei help COMMAND", t.get("help.main_help", "")))
    from tmux_sensei.textutil import width as cells

    column = max(cells(name) for name, _ in rows) + 3
    lines = [t.get("help.main_head", "").replace("{version}", version), ""]
    lines.append(t.get("help.usage", "Usage") + ":")
    lines += [f"  {name}{' ' * (column - cells(name))}{text}" for name, text in rows]
    lines += ["", t.get("help.main_tail", "").strip(), "", _exit_line(MAIN_EXIT, t)]
    return "\n".join(lines)


def show_help(env: Env, lang: str, which: str) -> int:
    """`which`: "main", "kb" (its two subcommands) or a subcommand of the table."""
    from tmux_sensei.locales import strings_for

    t = strings_for(lang)
    if which == "main":
        text = main_help(t, version())
    elif which == "kb":
        text = "\n\n".join(help_text(c, t) for c in ("kb check", "kb claims"))
    else:
        text = help_text(which, t)
    env.stdout.write(text.strip("\n") + "\n")
    return ExitStatus.ANSWERED


def version() -> str:
    from tmux_sensei import __version__

    return __version__
