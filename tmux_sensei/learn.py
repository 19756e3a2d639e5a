"""`tmux-sensei learn`: guided lessons, each step checked against a live practice server.

The lesson model is in lessons.py, the practice server and its checks in practice.py, and the
teacher's `--verify` in lesson_verify.py; this module is the student's side: the command line,
the lesson list and the `Teacher` that walks a student through one lesson, after asking before
it starts the practice server.
"""

from __future__ import annotations

from tmux_sensei import tmuxcmd
from tmux_sensei.lessons import Lesson, Step, load_lessons, load_progress, save_progress
from tmux_sensei.practice import Practice, check

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from tmux_sensei.argv import Parsed
    from tmux_sensei.env import Env
    from tmux_sensei.keys import KeyMap


__all__ = ["Lesson", "Practice", "Step", "Teacher", "load_lessons", "load_progress", "pick"]


class Teacher:
    """Runs one lesson with a student: show a task, check the live server, hint, save."""

    def __init__(
        self,
        lesson: Lesson,
        practice: Practice,
        strings: Mapping[str, str],
        environ: Mapping[str, str],
        write: Callable[[str], None],
        read: Callable[[str], str | None],
        show: Callable[[list[Any]], str],
        lessons: list[Lesson] | None = None,
    ) -> None:
        self.lesson = lesson
        self.p = practice
        self.strings = strings
        self.environ = environ
        self.write = write
        self.read = read
        self.show = show
        self.lessons = lessons  # all of them, to name the next one; loaded when needed

    def t(self, key: str, **values: Any) -> str:
        return self.strings.get(key, key).format(**values)

    def say(self, key: str, **values: Any) -> None:
        self.write(self.t(key, **values) + "\n")

    def text(self, blocks: list[Any]) -> str:
        """Blocks as the student should read them: the practice config's real path in place of
        {practice_conf}, the practice socket's real name, and keys pressed the way the practice
        server takes them now (the texts are written with tmux's default `C-b`)."""
        import re

        from tmux_sensei.keys import rewrite_blocks

        socket = f"-L {self.p.socket}"

        def fill(value: Any) -> Any:
            if isinstance(value, str):
                value = value.replace("{practice_conf}", self.p.conf)
                return re.sub(r"-L sensei-practice\b(?!-)", lambda _: socket, value)
            if isinstance(value, list):
                return [fill(v) for v in value]
            return value

        filled = [tuple(fill(v) for v in block) for block in blocks]
        return self.show(rewrite_blocks(filled, self.p.keymap()))

    def yes(self, key: str) -> bool:
        answer = self.read(self.t(key, socket=self.p.socket))
        return answer is not None and answer.strip().lower() in ("", "y", "yes", "はい")

    def start(self) -> bool | None:
        """The practice server running with the lesson's setup: True when it was started just
        now, False when it already ran, None when the student would rather not start it."""
        if self.p.running():
            if self.lesson.setup and not self.p.has_session("practice"):
                for action in self.lesson.setup:
                    self.p.tmux(action)
            return False
        if not self.yes("learn.ask_start"):
            self.say("learn.not_started")
            return None
        self.p.reset(self.lesson.setup)
        return True

    def open_practice_pane(self, session: str) -> None:
        """A pane beside this one, attached to the practice server (the student said yes)."""
        binary = tmuxcmd.tmux_binary(self.environ) or "tmux"
        attach = [binary, "-L", self.p.socket, "attach", "-t", f"={session}"]  # argv: no shell
        target = ["-t", self.environ["TMUX_PANE"]] if self.environ.get("TMUX_PANE") else []
        tmuxcmd.run(["split-window", "-h", "-d", *target, *attach], environ=self.environ)

    def show_where(self) -> None:
        """Where the student works, said once the practice server has what it names: a terminal
        attached to the lesson's session when it exists now, else one for typing commands."""
        from tmux_sensei.keys import press, read_keymap

        inside = bool(self.environ.get("TMUX"))
        mine = read_keymap(self.environ) if inside else None  # the student's own tmux
        split, socket = press(mine, "%"), self.p.socket
        session = self.lesson.watch
        if not session or not self.p.has_session(session):
            self.say("learn.commands_inside" if inside else "learn.commands", split=split)
        elif not inside:
            self.say("learn.attach", socket=socket, session=session)
        elif not self.p.tmux(["list-clients"]).out.strip() and self.yes("learn.ask_pane"):
            self.open_practice_pane(session)
            self.say("learn.pane_opened", session=session, move=press(mine, "o"))
        else:
            self.say("learn.attach_inside", socket=socket, session=session, split=split)
        if mine is not None and self.lesson.presses_keys:
            self.nested_note(mine)

    def nested_note(self, mine: KeyMap) -> None:
        """In a pane of the student's own tmux, a prefix both servers share reaches theirs first:
        it takes send-prefix (by default the prefix pressed again) to pass it on."""
        from tmux_sensei.keys import DEFAULT_PREFIX, press

        keys = self.p.keymap()
        if keys is None or keys.prefix != mine.prefix:
            return
        twice = f"{mine.prefix} {mine.user_key(DEFAULT_PREFIX)} {keys.user_key('d')}"
        self.say("learn.nested", prefix=mine.prefix, example=press(keys, "d"), twice=twice)

    def all_lessons(self) -> list[Lesson]:
        if self.lessons is None:
            self.lessons = load_lessons(self.lesson.lang, self.environ)
        return self.lessons

    def number(self) -> int:
        ids = [lesson.id for lesson in self.all_lessons()]
        return ids.index(self.lesson.id) + 1 if self.lesson.id in ids else self.lesson.order

    def ending(self, finished: bool, progress: dict[str, list[int]]) -> None:
        """The next lesson (the first unfinished one after this, round to the start) or that all
        are done, then how to stop the practice server, which tmux-sensei leaves running."""
        from tmux_sensei.textutil import sanitize

        number = self.number()
        self.say("learn.finished" if finished else "learn.partly", number=number)
        lessons = self.all_lessons()
        after = lessons[number:] + lessons[: number - 1]
        left = [le for le in after if len(progress.get(le.id, [])) < len(le.steps)]
        if left:
            title = sanitize(left[0].title, keep_newlines=False)
            self.say("learn.next", number=lessons.index(left[0]) + 1, title=title)
        elif finished:
            self.say("learn.all_done", count=len(lessons))
        self.say("learn.server_running", socket=self.p.socket)

    def step(self, number: int, step: Step) -> str:
        """One step: "passed", "skipped" or "quit"."""
        title = f"{number}/{len(self.lesson.steps)} {step.title}"
        self.write(self.text([("h", 2, title), *step.task]))
        while True:
            answer = self.read(self.t("learn.prompt"))
            key = answer.strip().lower() if answer is not None else "q"
            if key in ("q", "quit", "/quit"):
                return "quit"
            if key == "h":
                self.write(self.text(step.hint) if step.hint else self.t("learn.no_hint") + "\n")
            elif key == "s":
                self.say("learn.skipped")
                return "skipped"
            elif check(self.p, step.check, step.args):
                self.say("learn.passed")
                return "passed"
            else:
                self.say("learn.not_yet")
                if step.hint:
                    self.write(self.text(step.hint))

    def run(self) -> bool:
        """True when every step is done (now or before)."""
        progress = load_progress(self.environ)
        done = set(progress.get(self.lesson.id, []))
        self.write(self.show([("h", 1, self.lesson.title)]))
        self.write(self.text(self.lesson.intro))
        started = self.start()
        if started is None:
            return False
        total = len(self.lesson.steps)
        if started and 0 < len(done) < total:  # a new server has none of the earlier steps' work
            done.clear()
            progress[self.lesson.id] = []
            save_progress(self.environ, progress)
            self.say("learn.restart")
        self.show_where()
        for number, step in enumerate(self.lesson.steps, 1):
            if number - 1 in done:
                continue
            result = self.step(number, step)
            if result == "quit":
                self.say("learn.saved", step=number, total=total, number=self.number())
                self.say("learn.server_quit", socket=self.p.socket)
                return False
            if result == "passed":
                done.add(number - 1)
                progress[self.lesson.id] = sorted(done)
                save_progress(self.environ, progress)
        finished = len(done) == total
        self.ending(finished, progress)
        return finished


# ---------------------------------------------------------------- command line


def cmd_learn(opts: Parsed, env: Env, lang: str) -> int:
    from tmux_sensei.env import ExitStatus, terminal_columns
    from tmux_sensei.locales import strings_for

    list_only, verify_all = opts.flag("list"), opts.flag("verify")
    wanted = opts.args[0] if opts.args else ""
    strings = strings_for(lang)
    lessons = load_lessons(lang, env.environ)
    if verify_all:
        from tmux_sensei.lesson_verify import run_verify

        return run_verify(lessons, env, strings)
    progress = load_progress(env.environ)
    if list_only:
        env.stdout.write(lesson_table(lessons, progress, strings) + "\n")
        return ExitStatus.ANSWERED
    lesson = pick(lessons, progress, wanted, env, strings)
    if lesson is None:
        return ExitStatus.ANSWERED if not wanted else ExitStatus.USAGE

    def show(blocks: list[Any]) -> str:
        from tmux_sensei.render import blocks_markdown, terminal_text, wants_color

        if not env.stdout_isatty:
            return blocks_markdown(blocks) + "\n\n"
        color = wants_color(env.environ, True)
        return terminal_text(blocks, terminal_columns(env), color) + "\n"

    def write(text: str) -> None:
        env.stdout.write(text)
        env.stdout.flush()

    practice = Practice(env.environ)
    teacher = Teacher(lesson, practice, strings, env.environ, write, ask_line(env), show, lessons)
    teacher.run()
    return ExitStatus.ANSWERED


def ask_line(env: Env) -> Callable[[str], str | None]:
    import sys

    def read(prompt: str) -> str | None:
        env.stdout.write(prompt)
        env.stdout.flush()
        line = sys.stdin.readline()
        return line if line else None  # EOF

    return read


def lesson_table(
    lessons: list[Lesson], progress: dict[str, list[int]], strings: Mapping[str, str]
) -> str:
    from tmux_sensei.textutil import sanitize, width

    lines = [strings.get("learn.list_header", "")]
    titles = [sanitize(lesson.title, keep_newlines=False) for lesson in lessons]
    column = max((width(t) for t in titles), default=0) + 2  # wide characters count as two
    for number, (lesson, title) in enumerate(zip(lessons, titles, strict=True), 1):
        done = len(progress.get(lesson.id, []))
        total = len(lesson.steps)
        mark = "✓" if done == total else (f"{done}/{total}" if done else "·")
        pad = " " * (column - width(title))
        lines.append(f"  {number:>2}. {title}{pad}{mark:>5}   ({lesson.id})")
    return "\n".join(lines)


def pick(
    lessons: list[Lesson],
    progress: dict[str, list[int]],
    wanted: str,
    env: Env,
    strings: Mapping[str, str],
) -> Lesson | None:
    if not wanted:
        env.stdout.write(lesson_table(lessons, progress, strings) + "\n")
        answer = ask_line(env)(strings.get("learn.choose", ""))
        if answer is None or answer.strip().lower() in ("q", "quit"):
            return None
        wanted = answer.strip()
        if not wanted:
            undone = [le for le in lessons if len(progress.get(le.id, [])) < len(le.steps)]
            return (undone or lessons)[0]
    for number, lesson in enumerate(lessons, 1):
        if wanted in (str(number), lesson.id):
            return lesson
    from tmux_sensei.textutil import sanitize

    value = sanitize(wanted, keep_newlines=False)[:40]  # the student's words, echoed
    env.stderr.write(strings.get("learn.unknown", "").format(value=value) + "\n")
    return None
