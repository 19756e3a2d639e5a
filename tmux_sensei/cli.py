"""Command line: parse the arguments, dispatch, and report a failure in one line.

The parser is written by hand rather than with argparse: argparse and the gettext it pulls in
cost about 0.7x the bare interpreter's start, on a command whose whole budget is 3x, and its
messages would be English only. The grammar is small enough to keep here.
"""

from __future__ import annotations

import os
import sys

from tmux_sensei import __version__
from tmux_sensei.answer import answer_here, format_answer
from tmux_sensei.argv import lang_option, show_help
from tmux_sensei.env import Env, ExitStatus, UsageError, terminal_columns
from tmux_sensei.locales import safe_value, say, strings_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

MAX_QUESTION = 2000  # characters read of one question; a pasted log beyond that is noise


class AskOptions:
    __slots__ = ("diagnose", "help", "json", "lang", "words")

    def __init__(self) -> None:
        self.json = False
        self.lang: str | None = None
        self.diagnose = True
        self.help = False
        self.words: list[str] = []


def parse_ask(args: list[str]) -> AskOptions:
    opts = AskOptions()
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            opts.words += args[i:]
            break
        if arg in ("-h", "--help"):
            opts.help = True
        elif arg == "--json":
            opts.json = True
        elif arg == "--no-diagnose":
            opts.diagnose = False
        elif arg == "--lang" or arg.startswith("--lang="):
            opts.lang, i = lang_option(arg, args, i)
        elif arg.startswith("-") and len(arg) > 1 and not any(c.isspace() for c in arg):
            raise UsageError("errors.unknown_option", value=safe_value(arg), command="ask")
        else:
            opts.words.append(arg)
    return opts


def main(argv: list[str] | None = None, env: Env | None = None) -> int:
    env = env or Env()
    args = sys.argv[1:] if argv is None else list(argv)
    ui = _ui_lang(env)
    try:
        if not args:
            return cmd_chat(env)
        command, rest = args[0], args[1:]
        if command in ("-h", "--help", "help"):
            return show_help(env, ui, "main")
        if command in ("-V", "--version"):
            env.stdout.write(f"tmux-sensei {__version__}\n")
            return ExitStatus.ANSWERED
        if command == "ask":
            return cmd_ask(parse_ask(rest), env, ui)
        if command == "kb":
            if rest[:1] in (["-h"], ["--help"]) or not rest:
                return show_help(env, ui, "kb")
            if rest[0] == "claims":
                from tmux_sensei.claims import cmd_claims

                return cmd_claims(rest[1:], env, ui)
            if rest[0] != "check":
                raise UsageError("errors.unknown_command", value=safe_value("kb " + rest[0]))
            if len(rest) > 1:
                raise UsageError("errors.extra_argument", value=safe_value(rest[1]), command="kb")
            from tmux_sensei.kbcheck import run_check

            return run_check(env, ui)
        if command == "doctor":
            return cmd_doctor(rest, env, ui)
        if command == "explain":
            from tmux_sensei.explain import cmd_explain

            return cmd_explain(rest, env, ui)
        if command == "learn":
            from tmux_sensei.learn import cmd_learn

            return cmd_learn(rest, env, ui)
        if command == "report":
            from tmux_sensei.report import cmd_report

            return cmd_report(rest, env, ui)
        if command == "setup":
            from tmux_sensei.setup import cmd_setup

            return cmd_setup(rest, env, ui)
        raise UsageError("errors.unknown_command", value=safe_value(command))
    except UsageError as exc:
        say(env, ui, exc.key, **exc.values)
        return ExitStatus.USAGE
    except KeyboardInterrupt:
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return ExitStatus.ANSWERED
    except OSError as exc:
        if not _stdout_broken(env, exc):
            return _internal(env, ui, exc)
        _silence_stdout()
        say(env, ui, "errors.output", reason=exc.strerror or type(exc).__name__)
        return ExitStatus.OUTPUT
    except Exception as exc:  # one line, never a traceback (set TMUX_SENSEI_DEBUG=1 to see it)
        return _internal(env, ui, exc)


def _internal(env: Env, ui: str, exc: Exception) -> int:
    if env.environ.get("TMUX_SENSEI_DEBUG"):
        raise exc
    say(env, ui, "errors.internal", detail=type(exc).__name__)
    return ExitStatus.INTERNAL


def _stdout_broken(env: Env, exc: OSError) -> bool:
    """Whether the error is our output failing (a full disk, a closed stream), not a bug: state
    files never let such errors out, so one of these numbers comes from writing stdout."""
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF):
        return True
    try:
        env.stdout.flush()
    except (OSError, ValueError):
        return True
    return False


def _ui_lang(env: Env) -> str:
    from tmux_sensei.lang import ui_language

    return ui_language(env.environ)


def read_question(words: list[str], env: Env, ui: str) -> tuple[str, list[str]]:
    """The question as clean text, and notes for stderr."""
    from tmux_sensei.textutil import fix_surrogates, sanitize

    raw = " ".join(words)
    notes: list[str] = []
    fixed = fix_surrogates(raw)
    if fixed != raw:
        notes.append("errors.invalid_utf8")
        fixed = fixed.replace("\ufffd", " ")
    text = " ".join(sanitize(fixed, keep_newlines=True).split())
    if not raw.strip():
        raise UsageError("errors.empty")
    if not text:
        raise UsageError("errors.no_text")
    if len(text) > MAX_QUESTION:
        text = text[:MAX_QUESTION]
        notes.append("answer.truncated")
    return text, notes


def cmd_ask(opts: AskOptions, env: Env, ui: str) -> int:
    if opts.help:
        return show_help(env, ui, "ask")
    text, notes = read_question(opts.words, env, ui)
    from tmux_sensei.lang import answer_language
    from tmux_sensei.loader import open_index

    asked = answer_language(text, env.environ, None)  # the question's own language
    lang = opts.lang or asked
    index = open_index(lang, env.environ)
    search = index if asked == lang else open_index(asked, env.environ)
    for key in notes:
        env.stderr.write(index.strings.get(key, key).format(limit=MAX_QUESTION) + "\n")
    answer = answer_here(text, index, env.environ, diagnose=opts.diagnose, search=search)
    if opts.json:
        from tmux_sensei.render import answer_json

        env.stdout.write(answer_json(answer, index.strings))
    else:
        env.stdout.write(format_answer(answer, index.strings, env))
    env.stdout.flush()
    return ExitStatus.ANSWERED if answer["confident"] else ExitStatus.NO_CONFIDENT_ANSWER


def cmd_chat(env: Env) -> int:
    """The conversation: a REPL on a terminal, one answer per line when piped."""
    from tmux_sensei import repl

    stdin_tty = env.stdin is None and sys.stdin is not None and sys.stdin.isatty()
    if stdin_tty and env.stdout_isatty:
        return repl.run_repl(env)
    return repl.run_piped(env)


def cmd_doctor(args: list[str], env: Env, ui: str) -> int:
    verbose = as_json = False
    lang = ui
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg in ("-h", "--help"):
            return show_help(env, ui, "doctor")
        if arg in ("-v", "--verbose"):
            verbose = True
        elif arg == "--json":
            as_json = True
        elif arg == "--lang" or arg.startswith("--lang="):
            lang, i = lang_option(arg, args, i)
        else:
            raise UsageError("errors.unknown_option", value=safe_value(arg), command="doctor")
    from tmux_sensei.doctor import counts, doctor_json, doctor_text, run_doctor

    strings = strings_for(lang)  # the UI's words: no search index opened
    findings = run_doctor(strings, lang, env.environ)
    if as_json:
        env.stdout.write(doctor_json(findings))
    else:
        from tmux_sensei.render import wants_color

        color = wants_color(env.environ, env.stdout_isatty)
        env.stdout.write(
            doctor_text(
                findings, strings, verbose=verbose, color=color, columns=terminal_columns(env)
            )
        )
    problems, _ = counts(findings)
    return ExitStatus.PROBLEMS_FOUND if problems else ExitStatus.ANSWERED


def _silence_stdout() -> None:
    """After a closed pipe (`| head`), stop Python from complaining while it flushes at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def run() -> NoReturn:
    """The console script: the only place that calls sys.exit.

    A closed stdin reads as empty, a closed stdout or stderr writes to nothing; output that
    cannot be flushed at the end (a reader gone, a full disk) is one line on stderr, never
    Python's "Exception ignored" at exit."""
    if sys.stdin is None:
        sys.stdin = open(os.devnull)  # noqa: SIM115 (ours until exit)
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    try:
        code = main()
    except KeyboardInterrupt:
        code = ExitStatus.INTERRUPTED
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        _silence_stdout()
    except (OSError, ValueError) as exc:
        _silence_stdout()
        say(Env(), _ui_lang(Env()), "errors.output", reason=getattr(exc, "strerror", "") or "")
        code = ExitStatus.OUTPUT
    sys.exit(code)
