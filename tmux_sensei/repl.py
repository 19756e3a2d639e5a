"""The conversation: `tmux-sensei` with no arguments (a prompt_toolkit REPL, or plain lines
when stdin is not a terminal). One answer path with `ask`: only the way questions come in and
answers go out differs.
"""

from __future__ import annotations

import os
import sys
import threading

from tmux_sensei.conversation import (
    Conversation,
    compact,
    example_blocks,
    fix_blocks,
    follow_up_kind,
    leaning_query,
    meaning_blocks,
    picked,
)
from tmux_sensei.lang import SUPPORTED, answer_language, ui_language
from tmux_sensei.textutil import fix_surrogates, sanitize

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, BinaryIO

    from tmux_sensei.env import Env
    from tmux_sensei.index import Index
    from tmux_sensei.keys import KeyMap
    from tmux_sensei.shapes import Answer, Block, Finding

COMMANDS = ("/help", "/lang", "/topics", "/doctor", "/config", "/learn", "/clear", "/quit")
MAX_LINE = 2000


class Indexes:
    """Indexes by language, loaded in a background thread that starts with the prompt; the
    greeting and the first answer wait for it (its lock) only if it has not finished."""

    def __init__(self, environ: dict[str, str], first: str) -> None:
        self.environ = environ
        self._loaded: dict[str, Index] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.get, args=(first,), daemon=True)
        self._thread.start()

    def get(self, lang: str) -> Index:
        with self._lock:
            if lang not in self._loaded:
                from tmux_sensei.loader import open_index

                self._loaded[lang] = open_index(lang, self.environ)
            return self._loaded[lang]


class ReplState:
    def __init__(self, env: Env) -> None:
        self.env = env
        self.environ = dict(env.environ)
        self.lang = ui_language(self.environ)
        self.lang_chosen = False  # /lang or F2: answers come in that language, whatever is asked
        self.conv = Conversation(self.lang)
        self.indexes = Indexes(self.environ, self.lang)
        self.keymap: KeyMap | None = None
        self.keymap_read = False
        self.diagnose = True

    @property
    def strings(self) -> dict[str, str]:
        return self.indexes.get(self.lang).strings

    def t(self, key: str, **values: str) -> str:
        text = self.strings.get(key, key)
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text

    def user_keys(self) -> KeyMap | None:
        if not self.keymap_read:
            from tmux_sensei.keys import read_keymap

            self.keymap = read_keymap(self.environ)
            self.keymap_read = True
        return self.keymap


# ---------------------------------------------------------------- one turn


def handle(text: str, state: ReplState, columns: int, color: bool) -> tuple[str, bool]:
    """The reply to one line, and whether the conversation goes on."""
    text = " ".join(sanitize(fix_surrogates(text)).split())[:MAX_LINE]
    if not text:
        return "", True
    if text.startswith("/"):
        return command(text, state, columns, color)
    return reply(text, state, columns, color), True


def reply(text: str, state: ReplState, columns: int, color: bool) -> str:
    kind = follow_up_kind(text, state.conv)
    if kind in ("example", "more", "meaning") and state.conv.last_topic:
        blocks = state.conv.last_blocks
        if kind == "example":
            chosen = example_blocks(blocks) or blocks
        elif kind == "more":
            if not state.conv.unseen:  # the whole page is on screen already: don't repeat it
                return nothing_left(state, "repl.all_said", columns, color)
            chosen = state.conv.unseen
            state.conv.unseen = []
        else:
            chosen = meaning_blocks(blocks) or blocks
            state.conv.mark_seen(chosen)
        return show_last(chosen, state, columns, color)

    asked = answer_language(text, state.environ, None)
    lang = state.lang if state.lang_chosen else asked
    index = state.indexes.get(lang)
    search = state.indexes.get(asked)
    query = text
    leans_on = state.conv.last_topic if kind == "context" else None  # "how do I stop that?"
    if leans_on is not None:
        from tmux_sensei.decision import stands_alone

        if not stands_alone(text, search):
            last = search.topic(leans_on)  # the same topic, in the asker's words
            query = leaning_query(text, last["title"])

    if kind == "pick":
        from tmux_sensei.ask import topic_answer

        choice = picked(text, state.conv)
        assert choice is not None
        lang = state.conv.lang  # the language the closest topics were offered in
        index = state.indexes.get(lang)
        answer = topic_answer(index, choice)
    else:
        from tmux_sensei.answer import answer_here

        def answer_for(diagnose: bool) -> Answer:
            return answer_here(
                text,
                index,
                state.environ,
                diagnose=diagnose,
                query=query,
                search=search,
                keys=state.user_keys,
            )

        # a follow-up may land on the topic just answered: this machine's checks only once
        # it is known not to
        answer = answer_for(state.diagnose and leans_on is None)
        if leans_on is not None and answer["confident"]:
            if answer["parts"][0]["topic"] == leans_on:
                return further(state, columns, color)
            if state.diagnose:
                answer = answer_for(True)
            if query != text:
                one_topic(answer, index)
    return show_answer(answer, kind, lang, state, columns, color)


def show_answer(
    answer: Answer, kind: str | None, lang: str, state: ReplState, columns: int, color: bool
) -> str:
    """An answer as the conversation shows it (short answer and steps first), remembered for
    the follow-ups."""
    from tmux_sensei.keys import rewrite_blocks

    index = state.indexes.get(lang)
    state.conv.offered = [] if answer["confident"] else [c["topic"] for c in answer["closest"]]
    if not answer["confident"]:
        state.conv.lang = lang
    if answer["findings"]:
        # a popup has room for what needs attention; /doctor shows everything
        notable = [f for f in answer["findings"] if f["status"] in ("warn", "problem")]
        clear: Finding = {
            "probe": "all",
            "status": "ok",
            "summary": index.strings.get("repl.all_clear", ""),
            "detail": "",
            "fix": "",
        }
        answer["findings"] = notable or [clear]
    if answer["confident"]:
        if kind == "pick":  # answer_here rewrote the others' keys
            for part in answer["parts"]:
                part["blocks"] = rewrite_blocks(part["blocks"], state.user_keys())
        first = answer["parts"][0]
        full = first["blocks"]
        shown, rest = compact(full) if len(answer["parts"]) == 1 else (full, [])
        if rest:
            first["blocks"] = shown
            answer["suggestions"] = [
                index.strings.get("repl.more_hint", ""),
                *answer["suggestions"][:2],
            ]
        state.conv.remember(first["topic"], full, rest)
        state.conv.lang = lang
    from tmux_sensei.render import answer_markdown, answer_terminal

    if columns <= 0:
        return answer_markdown(answer, index.strings)
    return answer_terminal(answer, index.strings, columns, color)


def further(state: ReplState, columns: int, color: bool) -> str:
    """A follow-up that lands on the topic just answered ("how do I stop that?"): what the page
    says to do that the user has not seen yet, never its short answer again; when all of that
    is shown, a short note and the related topics, numbered so that "2" opens one."""
    blocks = fix_blocks(state.conv)
    if blocks:
        state.conv.mark_seen(blocks)
        return show_last(blocks, state, columns, color)
    return nothing_left(state, "repl.all_shown", columns, color)


def nothing_left(state: ReplState, key: str, columns: int, color: bool) -> str:
    """A short note that the last topic has nothing more to show, and its related topics,
    numbered so that "2" opens one."""
    index = state.indexes.get(state.conv.lang)
    last = state.conv.last_topic
    assert last is not None
    related = [r for r in index.topic(last)["related"] if r in index.topics and r != last][:3]
    note: list[Block] = [("p", index.strings.get(key, ""))]
    if related:
        titles = [index.topic(r)["title"] for r in related]
        note += [("p", index.strings.get("repl.all_shown_next", "")), ("ol", titles, 1)]
    state.conv.offered = related
    return show_last(note, state, columns, color)


def one_topic(answer: Answer, index: Index) -> None:
    """Only the best page of a follow-up searched with the last topic's title: the title makes
    the question long enough for a runner-up page to join, and that is the old topic's doing."""
    if len(answer["parts"]) < 2:
        return
    best = answer["parts"][0]
    answer["parts"] = [best]
    related = [r for r in index.topic(best["topic"])["related"] if r in index.topics]
    answer["related"] = [r for r in related if r != best["topic"]]
    answer["suggestions"] = [index.topic(r)["title"] for r in answer["related"][:3]]


def show_last(blocks: list[Block], state: ReplState, columns: int, color: bool) -> str:
    """Blocks of the last topic under its title, in the language it was answered in."""
    from tmux_sensei.keys import rewrite_blocks

    assert state.conv.last_topic is not None
    index = state.indexes.get(state.conv.lang)
    title = index.topic(state.conv.last_topic)["title"]
    return show_blocks(
        [("h", 1, title), *rewrite_blocks(blocks, state.user_keys())], state, columns, color
    )


def show_blocks(blocks: list[Block], state: ReplState, columns: int, color: bool) -> str:
    from tmux_sensei.render import blocks_markdown, terminal_text

    if columns <= 0:
        return blocks_markdown(blocks) + "\n"
    return terminal_text(blocks, columns, color)


def command(text: str, state: ReplState, columns: int, color: bool) -> tuple[str, bool]:
    name, _, arg = text.partition(" ")
    arg = arg.strip()
    name = name.lower()
    if name in ("/quit", "/exit", "/q"):
        return state.t("repl.bye"), False
    if name == "/help":
        return state.t("repl.help"), True
    if name == "/lang":
        if arg and arg not in SUPPORTED:
            return state.t(
                "errors.unknown_lang", value=sanitize(arg, keep_newlines=False)[:20]
            ), True
        state.lang = arg or ("ja" if state.lang == "en" else "en")
        state.lang_chosen = True
        return state.t("repl.lang_switched"), True
    if name == "/topics":
        return topics(arg, state), True
    if name == "/doctor":
        from tmux_sensei.doctor import doctor_text, run_doctor

        findings = run_doctor(state.strings, state.lang, state.environ)
        return doctor_text(
            findings, state.strings, verbose=False, color=color, columns=max(columns, 40)
        ), True
    if name == "/learn":
        return learn(arg, state, columns, color), True
    if name == "/config":  # the config tmux would load, explained line by line (read only)
        from tmux_sensei.explain import explain_default_text

        return explain_default_text(
            state.lang, state.strings, state.environ, max(columns, 40), color
        ), True
    if name == "/clear":
        state.conv.clear()
        return "\x1b[H\x1b[2J" if columns > 0 else "", True
    return state.t("repl.unknown_command", value=sanitize(name, keep_newlines=False)[:30]), True


def learn(arg: str, state: ReplState, columns: int, color: bool) -> str:
    """Inside tmux (the popup is modal), lessons open in a window of their own, after asking;
    outside, they run right here while the student practises in another terminal."""
    import sys

    from tmux_sensei.learn import Practice, Teacher, load_lessons, load_progress, pick

    lang = state.conv.lang if state.conv.last_topic else state.lang
    strings = state.indexes.get(lang).strings
    if state.environ.get("TMUX"):
        sys.stdout.write(strings.get("learn.open_window", ""))
        sys.stdout.flush()
        answer = sys.stdin.readline()
        if answer.strip().lower() not in ("", "y", "yes", "はい"):
            return strings.get("learn.not_started", "")
        from tmux_sensei import tmuxcmd

        # an argv list, never a shell string: a lesson is a number or a name, nothing else
        # (`/learn 1; touch X #` is no lesson); several arguments make tmux run it directly
        wanted = arg.strip()
        if wanted and not all(c.isalnum() or c in "-_" for c in wanted):
            value = sanitize(wanted, keep_newlines=False)[:40]
            return strings.get("learn.unknown", "").format(value=value)
        me = [sys.executable, "-m", "tmux_sensei", "learn", "--lang", lang]
        me += [wanted] if wanted else []
        tmuxcmd.run(["new-window", "-d", "-n", "sensei-learn", *me], environ=state.environ)
        from tmux_sensei.keys import press

        return strings.get("learn.opened", "").format(next=press(state.user_keys(), "n"))

    from tmux_sensei.env import Env
    from tmux_sensei.learn import ask_line

    env = Env(sys.stdout, sys.stderr, state.environ, columns > 0)
    lessons = load_lessons(lang, state.environ)
    lesson = pick(lessons, load_progress(state.environ), arg, env, strings)
    if lesson is None:
        return ""

    def show(blocks: list[Block]) -> str:
        return show_blocks(blocks, state, columns, color) + "\n"

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    Teacher(
        lesson, Practice(state.environ), strings, state.environ, write, ask_line(env), show
    ).run()
    return ""


def topics(tag: str, state: ReplState) -> str:
    index = state.indexes.get(state.lang)
    by_tag: dict[str, list[str]] = {}
    for tid in index.ids:
        for t in index.topic(tid)["tags"]:
            title = sanitize(index.topic(tid)["title"], keep_newlines=False)  # page text
            by_tag.setdefault(sanitize(t, keep_newlines=False), []).append(title)
    if tag in by_tag:
        return "\n".join([state.t("repl.topics_in", tag=tag), *(f"  • {t}" for t in by_tag[tag])])
    lines = [state.t("repl.topics_header")]
    lines += [f"  {t:<16} {len(v)}" for t, v in sorted(by_tag.items())]
    return "\n".join(lines)


# ---------------------------------------------------------------- the two loops


def run_piped(env: Env) -> int:
    """Without a terminal: answer each line of stdin in plain text, stop at EOF."""
    state = ReplState(env)
    state.diagnose = False  # scripts piping questions want answers, not this machine's state
    stdin = getattr(sys.stdin, "buffer", None) if env.stdin is None else env.stdin
    if stdin is None:  # stdin closed (`<&-`): nothing to answer
        return 0
    for raw in bounded_lines(stdin):
        if b"\0" in raw:
            env.stderr.write(state.t("repl.skipped_binary") + "\n")
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            env.stderr.write(state.t("repl.skipped_binary") + "\n")
            continue
        out, go_on = handle(line, state, 0, False)
        if out:
            env.stdout.write(out.rstrip("\n") + "\n\n")
            env.stdout.flush()
        if not go_on:
            break
    return 0


LINE_BYTES = 64 * 1024  # bytes read of one line; a question is cut far below this anyway


def bounded_lines(stdin: BinaryIO) -> Iterator[bytes]:
    """stdin's lines, each at most LINE_BYTES: the rest of a longer line is read and dropped
    a piece at a time, so that a 100 MB line costs neither memory nor sanitising time."""
    while True:
        raw = stdin.readline(LINE_BYTES)
        if not raw:
            return
        if len(raw) >= LINE_BYTES and not raw.endswith(b"\n"):
            while True:
                rest = stdin.readline(LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            for cut in range(4):  # do not leave half a UTF-8 character at the cut
                try:
                    (raw[: len(raw) - cut] if cut else raw).decode("utf-8")
                except UnicodeDecodeError:
                    continue
                raw = raw[: len(raw) - cut] if cut else raw
                break
        yield raw


def run_repl(env: Env) -> int:
    """The prompt_toolkit conversation."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.formatted_text import ANSI
    from prompt_toolkit.key_binding import KeyBindings

    from tmux_sensei.paths import state_dirs

    state = ReplState(env)
    history = None
    data_dir = state_dirs(state.environ).data
    try:
        os.makedirs(data_dir, exist_ok=True)
        from prompt_toolkit.history import FileHistory

        history = FileHistory(os.path.join(data_dir, "history"))
    except OSError:
        history = None  # a read-only home still gets a conversation, without history

    bindings = KeyBindings()

    @bindings.add("f2")
    def _switch_language(event: Any) -> None:
        """F2 switches the language of the answers and the interface; the toolbar shows it."""
        state.lang = "ja" if state.lang == "en" else "en"
        state.lang_chosen = True

    session: PromptSession[str] = PromptSession(
        history=history,
        completer=make_completer(state),
        complete_while_typing=False,
        bottom_toolbar=make_toolbar(state),
        key_bindings=bindings,
    )
    from tmux_sensei.render import wants_color

    color = wants_color(state.environ, True)
    columns, _rows = terminal_size(env)
    env.stdout.write(greeting(state, columns, color) + "\n")
    env.stdout.flush()
    while True:
        try:
            text = session.prompt(ANSI(f"\x1b[1;36m{state.t('repl.prompt')}\x1b[0m "))
        except KeyboardInterrupt:
            continue  # Ctrl-C drops the line but keeps the conversation
        except EOFError:
            env.stdout.write(state.t("repl.bye") + "\n")
            return 0
        try:
            columns, rows = terminal_size(env)
            out, go_on = handle(text, state, columns, color)
        except Exception as exc:  # one broken answer must not end the conversation
            if state.environ.get("TMUX_SENSEI_DEBUG"):
                raise
            out, go_on = state.t("errors.internal", detail=type(exc).__name__), True
        if out:
            page(out, rows, env, state)
        if not go_on:
            return 0


def greeting(state: ReplState, columns: int, color: bool) -> str:
    blocks: list[Block] = [("p", line) for line in state.t("repl.greeting").split("\n") if line]
    keymap = state.user_keys()
    if keymap is not None and keymap.differs:
        blocks.append(("p", state.t("repl.your_prefix", prefix=keymap.prefix)))
    from tmux_sensei.render import render_blocks, text_width

    return "\n".join(line for line in render_blocks(blocks, text_width(columns), color) if line)


def make_toolbar(state: ReplState) -> Callable[[], str]:
    return lambda: state.t("repl.toolbar", lang=state.lang)


def make_completer(state: ReplState) -> Any:
    from prompt_toolkit.completion import Completer, Completion

    class SenseiCompleter(Completer):
        """Slash commands, /lang values, /topics tags, and topic titles."""

        def get_completions(self, document: Any, complete_event: Any) -> Any:
            text = document.text_before_cursor
            if text.startswith("/"):
                name, _, arg = text.partition(" ")
                if not _:
                    for c in COMMANDS:
                        if c.startswith(name):
                            yield Completion(c, start_position=-len(text))
                    return
                options: list[str] = []
                if name == "/lang":
                    options = list(SUPPORTED)
                elif name == "/topics":
                    index = state.indexes.get(state.lang)
                    options = sorted({t for tid in index.ids for t in index.topic(tid)["tags"]})
                for option in options:
                    if option.startswith(arg):
                        yield Completion(option, start_position=-len(arg))
                return
            words = text.lower().split()
            if not words:
                return
            index = state.indexes.get(state.lang)
            for tid in index.ids:
                title = index.topic(tid)["title"]
                if all(w in title.lower() for w in words):
                    yield Completion(title, start_position=-len(text))

    return SenseiCompleter()


def terminal_size(env: Env) -> tuple[int, int]:
    try:
        size = os.get_terminal_size(env.stdout.fileno())
        return size.columns, size.lines
    except (OSError, AttributeError, ValueError):
        return 80, 24


def page(text: str, rows: int, env: Env, state: ReplState) -> None:
    """Print; an answer taller than the screen goes through `less` (a popup has no scrollback)."""
    lines = text.count("\n") + 1
    pager = state.environ.get("TMUX_SENSEI_PAGER", "less")
    if lines < rows - 2 or pager in ("", "off", "none"):
        env.stdout.write(text if text.endswith("\n") else text + "\n")
        env.stdout.flush()
        return
    import subprocess

    from tmux_sensei.command import which

    binary = which(pager, path=state.environ.get("PATH"))
    if binary is None:
        env.stdout.write(text)
        return
    env.stdout.flush()
    pager_env = dict(state.environ, LESSCHARSET="utf-8")
    try:
        # -R colours, -F quits when it fits, -X leaves the text on screen, -K Ctrl-C quits
        prompt = "-Ps" + state.t("repl.pager_prompt").replace("?", "\\?").replace(":", "\\:")
        subprocess.run(
            [binary, "-R", "-F", "-X", "-K", prompt],
            input=text.encode("utf-8"),
            env=pager_env,
            timeout=3600,
        )
    except (OSError, subprocess.SubprocessError):
        env.stdout.write(text)
