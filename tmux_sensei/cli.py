"""Command line: parse the arguments, dispatch, and wire an answer with what this machine adds
(`answer_here`, shared by `ask` and the conversation).

The parser is written by hand rather than with argparse: argparse and the gettext it pulls in
cost about 0.7x the bare interpreter's start, on a command whose whole budget is 3x, and its
messages would be English only. The grammar is small enough to keep here.
"""

from __future__ import annotations

import os
import sys

from tmux_sensei import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, BinaryIO, NoReturn, TextIO

    from tmux_sensei.index import Index

MAX_QUESTION = 2000  # characters read of one question; a pasted log beyond that is noise


class ExitStatus:
    ANSWERED = 0
    NO_CONFIDENT_ANSWER = 1
    PROBLEMS_FOUND = 1
    USAGE = 2
    INTERNAL = 70  # EX_SOFTWARE: a bug of ours, reported in one line
    OUTPUT = 74  # EX_IOERR: stdout cannot be written (a full disk, /dev/full)
    INTERRUPTED = 130


class Env:
    """The outside world of one run: streams, whether stdout is a terminal, the environment."""

    __slots__ = ("environ", "stderr", "stdin", "stdout", "stdout_isatty")

    def __init__(
        self,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
        stdout_isatty: bool | None = None,
        stdin: BinaryIO | None = None,
    ) -> None:
        self.stdin = stdin  # None: the process's own (binary) stdin
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.environ = environ if environ is not None else os.environ
        if stdout_isatty is None:
            try:
                stdout_isatty = self.stdout.isatty()
            except (AttributeError, ValueError):
                stdout_isatty = False
        self.stdout_isatty = stdout_isatty


class UsageError(Exception):
    def __init__(self, key: str, **values: str) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def strings_for(lang: str) -> dict[str, str]:
    from tmux_sensei.loader import load_strings
    from tmux_sensei.paths import data_dir

    return load_strings(data_dir("locales"), lang)


def say(env: Env, lang: str, key: str, **values: str) -> None:
    """One localized line on stderr."""
    text = strings_for(lang).get(key, key)
    try:
        text = text.format(**values)
    except (KeyError, IndexError, ValueError):
        pass
    env.stderr.write(text + "\n")


class AskOptions:
    __slots__ = ("diagnose", "help", "json", "lang", "words")

    def __init__(self) -> None:
        self.json = False
        self.lang: str | None = None
        self.diagnose = True
        self.help = False
        self.words: list[str] = []


def lang_option(arg: str, args: list[str], i: int) -> tuple[str, int]:
    """`--lang X` or `--lang=X` at args[i-1]: the language and the index after the option."""
    if "=" in arg:
        value = arg.split("=", 1)[1]
    elif i < len(args):
        value, i = args[i], i + 1
    else:
        raise UsageError("errors.missing_value", option="--lang")
    if value not in ("en", "ja"):
        raise UsageError("errors.unknown_lang", value=_safe(value))
    return value, i


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
            raise UsageError("errors.unknown_option", value=_safe(arg), command="ask")
        else:
            opts.words.append(arg)
    return opts


def _safe(value: str) -> str:
    from tmux_sensei.textutil import sanitize

    return sanitize(value, keep_newlines=False)[:80]


safe_value = _safe  # an argument echoed in a message: one line, no controls, bounded


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
                raise UsageError("errors.unknown_command", value=_safe("kb " + rest[0]))
            if len(rest) > 1:
                raise UsageError("errors.extra_argument", value=_safe(rest[1]), command="kb")
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
        raise UsageError("errors.unknown_command", value=_safe(command))
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


def show_help(env: Env, lang: str, which: str) -> int:
    text = strings_for(lang).get(f"help.{which}", "")
    env.stdout.write(text.replace("{version}", __version__).strip("\n") + "\n")
    return ExitStatus.ANSWERED


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


def answer_here(
    text: str,
    index: Index,
    environ: Mapping[str, str],
    *,
    diagnose: bool,
    query: str | None = None,
    search: Index | None = None,
) -> dict[str, Any]:
    """An answer with what this machine adds: its probes, its tmux's version and names; a
    question without a confident answer is logged for `report`. `ask` and the REPL share it."""
    from tmux_sensei.ask import answer_question

    def run_probes(names: list[str], lang: str) -> list[dict[str, str]]:
        from tmux_sensei.probes import run_for_topics

        return run_for_topics(names, lang, index.strings, environ)

    answer = answer_question(
        query or text,
        index,
        diagnose=diagnose,
        run_probes=run_probes if diagnose else None,
        installed_version=lambda: installed_tmux(environ),
        fix_names=lambda q: name_fixes(q, search or index, environ),
        search=search,
    )
    if not answer["confident"]:
        from tmux_sensei.report import log_unanswered

        log_unanswered(text, answer, environ)
    return answer


def installed_tmux(environ: Mapping[str, str]) -> tuple[str, tuple[int, ...]] | None:
    """The version of the tmux on PATH ("3.3a", (3, 3)), or None without one."""
    from tmux_sensei import tmuxcmd
    from tmux_sensei.probes.version import parse_version

    result = tmuxcmd.run(["-V"], environ=environ, timeout=0.5)
    return parse_version(result.out) if result.ok else None  # sanitised there


def name_fixes(question: str, index: Index, environ: Mapping[str, str]) -> list[tuple[str, str]]:
    from tmux_sensei.didyoumean import corrections

    return corrections(question, index, environ)


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
            raise UsageError("errors.unknown_option", value=_safe(arg), command="doctor")
    from tmux_sensei.doctor import counts, doctor_json, doctor_text, run_doctor
    from tmux_sensei.loader import open_index

    strings = open_index(lang, env.environ).strings
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


def format_answer(answer: dict[str, object], strings: Mapping[str, str], env: Env) -> str:
    """Markdown when piped; wrapped (and coloured, unless NO_COLOR or TERM=dumb) on a terminal."""
    from tmux_sensei import render

    if not env.stdout_isatty and not env.environ.get("FORCE_COLOR"):
        return render.answer_markdown(answer, strings)
    color = render.wants_color(env.environ, env.stdout_isatty)
    return render.answer_terminal(answer, strings, terminal_columns(env), color)


def terminal_columns(env: Env) -> int:
    try:
        return os.get_terminal_size(env.stdout.fileno()).columns
    except (OSError, AttributeError, ValueError):
        try:
            return int(env.environ.get("COLUMNS", "80"))
        except ValueError:
            return 80


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
