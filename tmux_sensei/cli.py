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
from tmux_sensei.argv import COMMANDS, Parsed, help_language, parse, show_help
from tmux_sensei.env import Env, ExitStatus, UsageError, terminal_columns
from tmux_sensei.locales import safe_value, say, strings_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

MAX_QUESTION = 2000  # characters read of one question; a pasted log beyond that is noise


def main(argv: list[str] | None = None, env: Env | None = None) -> int:
    env = env or Env()
    args = sys.argv[1:] if argv is None else list(argv)
    ui = _ui_lang(env)
    try:
        if not args:
            return cmd_chat(env)
        command, rest = args[0], args[1:]
        if command in ("-h", "--help", "help"):
            # `help doctor --lang ja` and `--help --lang ja` print in the language asked for
            words, lang = help_language(rest, ui)
            topic = _help_topic(words) if command == "help" else "main"
            return show_help(env, lang, topic)
        if command in ("-V", "--version"):
            env.stdout.write(f"tmux-sensei {__version__}\n")
            return ExitStatus.ANSWERED
        if command == "kb":
            if not rest or rest[0] in ("-h", "--help"):
                return show_help(env, help_language(rest[1:], ui)[1], "kb")
            command, rest = f"kb {rest[0]}", rest[1:]
        if command not in COMMANDS:
            raise UsageError("errors.unknown_command", value=safe_value(command))
        opts = parse(command, rest)
        lang = opts.value("lang", ui)
        if opts.help:
            return show_help(env, lang, command)
        return _run(command, opts, env, lang)
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


def _help_topic(rest: list[str]) -> str:
    """`help`, `help ask`, `help kb`, `help kb claims`: which help to show."""
    topic = " ".join(rest[:2])
    if not rest:
        return "main"
    if topic in COMMANDS or (rest[0] == "kb" and len(rest) == 1):
        return topic
    if rest[0] in COMMANDS:
        return rest[0]
    raise UsageError("errors.unknown_command", value=safe_value(topic))


def _run(command: str, opts: Parsed, env: Env, lang: str) -> int:
    """Run a parsed subcommand; `lang` is --lang or the UI's language."""
    if command == "ask":
        return cmd_ask(opts, env)
    if command == "doctor":
        return cmd_doctor(opts, env, lang)
    if command == "kb check":
        from tmux_sensei.kbcheck import run_check

        return run_check(env, lang)
    if command == "kb claims":
        from tmux_sensei.claims import cmd_claims

        return cmd_claims(opts, env, lang)
    if command == "explain":
        from tmux_sensei.explain import cmd_explain

        return cmd_explain(opts, env, lang)
    if command == "learn":
        from tmux_sensei.learn import cmd_learn

        return cmd_learn(opts, env, lang)
    if command == "report":
        from tmux_sensei.report import cmd_report

        return cmd_report(opts, env, lang)
    from tmux_sensei.setup import cmd_setup

    return cmd_setup(opts, env, lang)


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


def read_question(words: list[str]) -> tuple[str, list[str]]:
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


def cmd_ask(opts: Parsed, env: Env) -> int:
    text, notes = read_question(opts.args)
    from tmux_sensei.lang import answer_language
    from tmux_sensei.loader import open_index

    asked = answer_language(text, env.environ, None)  # the question's own language
    lang = opts.value("lang", "") or asked
    index = open_index(lang, env.environ)
    search = index if asked == lang else open_index(asked, env.environ)
    for key in notes:
        env.stderr.write(index.strings.get(key, key).format(limit=MAX_QUESTION) + "\n")
    answer = answer_here(
        text, index, env.environ, diagnose=not opts.flag("no_diagnose"), search=search
    )
    if opts.flag("json"):
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


def cmd_doctor(opts: Parsed, env: Env, lang: str) -> int:
    verbose, as_json = opts.flag("verbose"), opts.flag("json")
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
