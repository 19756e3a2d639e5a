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
    ) -> None:
        self.lesson = lesson
        self.p = practice
        self.strings = strings
        self.environ = environ
        self.write = write
        self.read = read
        self.show = show

    def t(self, key: str, **values: Any) -> str:
        return self.strings.get(key, key).format(**values)

    def text(self, blocks: list[Any]) -> str:
        """Blocks shown with the practice config's real path in place of {practice_conf}."""

        def fill(value: Any) -> Any:
            if isinstance(value, str):
                return value.replace("{practice_conf}", self.p.conf)
            if isinstance(value, list):
                return [fill(v) for v in value]
            return value

        return self.show([tuple(fill(v) for v in block) for block in blocks])

    def open_practice_pane(self) -> None:
        """A pane beside this one, attached to the practice server (the student said yes)."""
        session = "practice" if self.p.tmux(["has-session", "-t", "=practice"]).ok else "lobby"
        binary = tmuxcmd.tmux_binary(self.environ) or "tmux"
        attach = [binary, "-L", self.p.socket, "attach", "-t", f"={session}"]  # argv: no shell
        target = ["-t", self.environ["TMUX_PANE"]] if self.environ.get("TMUX_PANE") else []
        tmuxcmd.run(["split-window", "-h", "-d", *target, *attach], environ=self.environ)

    def run(self) -> bool:
        """True when every step is done (now or before)."""
        progress = load_progress(self.environ)
        done = set(progress.get(self.lesson.id, []))
        self.write(self.show([("h", 1, self.lesson.title)]))
        self.write(self.text(self.lesson.intro))
        if not self.p.running():
            answer = self.read(self.t("learn.ask_start", socket=self.p.socket))
            if answer is None or answer.strip().lower() not in ("", "y", "yes", "はい"):
                self.write(self.t("learn.not_started") + "\n")
                return False
            self.p.reset(self.lesson.setup)
        elif self.lesson.setup and not self.p.tmux(["has-session", "-t", "=practice"]).ok:
            for action in self.lesson.setup:
                self.p.tmux(action)
        inside = bool(self.environ.get("TMUX"))
        if inside and not self.p.tmux(["list-clients"]).out.strip():
            answer = self.read(self.t("learn.ask_pane"))
            if answer is not None and answer.strip().lower() in ("", "y", "yes", "はい"):
                self.open_practice_pane()
        if inside:
            from tmux_sensei.keys import press, read_keymap

            split = press(read_keymap(self.environ), "%")  # the user's own prefix and key
            self.write(self.t("learn.attach_inside", socket=self.p.socket, split=split) + "\n")
        else:
            self.write(self.t("learn.attach", socket=self.p.socket) + "\n")
        for number, step in enumerate(self.lesson.steps, 1):
            if number - 1 in done:
                continue
            self.write(self.show([("h", 2, f"{number}/{len(self.lesson.steps)} {step.title}")]))
            self.write(self.text(step.task))
            tries = 0
            while True:
                answer = self.read(self.t("learn.prompt"))
                if answer is None or answer.strip().lower() in ("q", "quit", "/quit"):
                    self.write(self.t("learn.saved") + "\n")
                    return False
                key = answer.strip().lower()
                if key == "h":
                    self.write(
                        self.text(step.hint) if step.hint else self.t("learn.no_hint") + "\n"
                    )
                    continue
                if key == "s":
                    self.write(self.t("learn.skipped") + "\n")
                    break
                if check(self.p, step.check, step.args):
                    self.write(self.t("learn.passed") + "\n")
                    done.add(number - 1)
                    progress[self.lesson.id] = sorted(done)
                    save_progress(self.environ, progress)
                    break
                tries += 1
                self.write(self.t("learn.not_yet") + "\n")
                if step.hint:
                    self.write(self.text(step.hint))
        finished = len(done) == len(self.lesson.steps)
        self.write(self.t("learn.finished" if finished else "learn.partly") + "\n")
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

    teacher = Teacher(
        lesson, Practice(env.environ), strings, env.environ, write, ask_line(env), show
    )
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
