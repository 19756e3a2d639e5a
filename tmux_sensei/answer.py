"""An answer with what this machine adds (`answer_here`), shared by `ask` and the conversation:
its probes, its tmux's version and names, the user's own keys inside tmux; a question without a
confident answer is logged."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from tmux_sensei.env import Env
    from tmux_sensei.index import Index
    from tmux_sensei.keys import KeyMap
    from tmux_sensei.shapes import Answer, Finding


def answer_here(
    text: str,
    index: Index,
    environ: Mapping[str, str],
    *,
    diagnose: bool,
    query: str | None = None,
    search: Index | None = None,
    keys: Callable[[], KeyMap | None] | None = None,
) -> Answer:
    """An answer with what this machine adds: its probes, its tmux's version and names, and
    inside tmux the user's own keys ("C-a d" for a prefix of C-a); a question without a
    confident answer is logged for `report`. `ask` and the REPL share it (the REPL passes
    `keys`, its keymap read once; otherwise tmux is asked, only from inside tmux)."""
    from tmux_sensei.ask import answer_question

    def run_probes(names: list[str], lang: str) -> list[Finding]:
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
    elif environ.get("TMUX"):
        from tmux_sensei.keys import read_keymap, rewrite_blocks

        keymap = keys() if keys is not None else read_keymap(environ)
        for part in answer["parts"]:
            part["blocks"] = rewrite_blocks(part["blocks"], keymap)
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


def format_answer(answer: Answer, strings: Mapping[str, str], env: Env) -> str:
    """Markdown when piped; wrapped (and coloured, unless NO_COLOR or TERM=dumb) on a terminal."""
    from tmux_sensei import render
    from tmux_sensei.env import terminal_columns

    if not env.stdout_isatty and not env.environ.get("FORCE_COLOR"):
        return render.answer_markdown(answer, strings)
    color = render.wants_color(env.environ, env.stdout_isatty)
    return render.answer_terminal(answer, strings, terminal_columns(env), color)
