"""`tmux-sensei learn`: guided lessons, each step checked against a live practice server.

The student never practises on their own server: lessons use a private socket
(`-L sensei-practice`, or TMUX_SENSEI_PRACTICE_SOCKET), which works from inside tmux too, and
only that server is ever started, reset or ended — after asking. Lesson specs (checks and
solutions) are language-neutral TOML in lessons/; texts are Markdown per language.
"""

from __future__ import annotations

import json
import os
import time

from tmux_sensei import tmuxcmd
from tmux_sensei.paths import data_dir, state_dirs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from tmux_sensei.command import Result

PRACTICE_SOCKET = "sensei-practice"


# ---------------------------------------------------------------- lessons


class Step:
    __slots__ = ("args", "check", "hint", "solve", "task", "title")

    def __init__(self, spec: dict[str, Any], title: str, task: list[Any], hint: list[Any]) -> None:
        self.check = str(spec["check"])
        self.args = dict(spec.get("args", {}))
        self.solve = [list(map(str, action)) for action in spec.get("solve", [])]
        self.title = title
        self.task = task
        self.hint = hint


class Lesson:
    __slots__ = ("id", "intro", "order", "setup", "steps", "summary", "title")

    def __init__(
        self, lesson_id: str, spec: dict[str, Any], front: dict[str, Any], blocks: list[Any]
    ) -> None:
        self.id = lesson_id
        self.order = int(spec.get("order", 99))
        self.setup = [list(map(str, a)) for a in spec.get("setup", [])]
        self.title = str(front.get("title", lesson_id))
        self.summary = str(front.get("summary", ""))
        from tmux_sensei.conversation import sections as split

        sections = split(blocks, level=2)
        self.intro = sections[0]
        specs = spec.get("steps", [])
        if len(sections) - 1 != len(specs):
            raise ValueError(
                f"{lesson_id}: {len(specs)} steps in the spec, {len(sections) - 1} in the text"
            )
        self.steps = []
        for step_spec, section in zip(specs, sections[1:], strict=True):
            title = section[0][2]
            task, hint = _split_hint(section[1:])
            self.steps.append(Step(step_spec, title, task, hint))


def _split_hint(blocks: list[Any]) -> tuple[list[Any], list[Any]]:
    for i, block in enumerate(blocks):
        if block[0] == "h" and block[1] == 3:
            return blocks[:i], blocks[i + 1 :]
    return blocks, []


def lessons_dir(environ: Mapping[str, str] | None = None) -> str:
    """The lessons; TMUX_SENSEI_LESSONS points at another tree (tests)."""
    return (environ or {}).get("TMUX_SENSEI_LESSONS") or data_dir("lessons")


def load_lessons(lang: str, environ: Mapping[str, str] | None = None) -> list[Lesson]:
    import tomllib

    from tmux_sensei.knowledge import parse_markdown, split_front_matter

    root = lessons_dir(environ)
    lessons = []
    for name in sorted(os.listdir(root)):
        if not name.endswith(".toml"):
            continue
        lesson_id = name[:-5]
        with open(os.path.join(root, name), "rb") as f:
            spec = tomllib.load(f)
        with open(os.path.join(root, lang, f"{lesson_id}.md"), encoding="utf-8") as f:
            front_text, body = split_front_matter(f.read())
        blocks, _ = parse_markdown(body)
        lessons.append(Lesson(lesson_id, spec, tomllib.loads(front_text), blocks))
    return sorted(lessons, key=lambda lesson: lesson.order)


# ---------------------------------------------------------------- the practice server


class Practice:
    """The private practice server: the only tmux server lessons start, change or end."""

    def __init__(
        self, environ: Mapping[str, str], socket: str | None = None, shell: str | None = None
    ) -> None:
        self.shell = shell  # verify pins /bin/sh: a user's shell start-up files may be slow
        self.environ = {k: v for k, v in environ.items() if k not in ("TMUX", "TMUX_PANE")}
        self.socket = socket or environ.get("TMUX_SENSEI_PRACTICE_SOCKET") or PRACTICE_SOCKET
        self.conf = os.path.join(state_dirs(environ).data, "practice.tmux.conf")
        self.clients: list[tuple[int, int]] = []  # (pid, pty fd) of clients started by verify

    def tmux(self, argv: list[str], timeout: float = 3.0) -> Result:
        argv = [a.replace("{practice_conf}", self.conf) for a in argv]
        return tmuxcmd.run(argv, socket=self.socket, environ=self.environ, timeout=timeout)

    def running(self) -> bool:
        return self.tmux(["list-sessions"]).ok

    def reset(self, setup: list[list[str]]) -> None:
        """A fresh practice server: end the old one (ours), then run the lesson's setup."""
        self.end()
        from tmux_sensei.safefile import write_atomic

        os.makedirs(os.path.dirname(self.conf), exist_ok=True)
        head = "# tmux-sensei practice config: lessons add lines here, never to ~/.tmux.conf\n"
        write_atomic(self.conf, head.encode("utf-8"))  # never through a planted symlink
        # Start the server without the student's tmux.conf, so that lessons meet tmux's defaults;
        # a lesson with no setup still gets a server (with a "lobby" session) to type into.
        first, *rest = setup or [["new-session", "-d", "-s", "lobby"]]
        server_conf = os.devnull
        if self.shell:
            server_conf = os.path.join(os.path.dirname(self.conf), "verify.tmux.conf")
            write_atomic(server_conf, f"set -g default-shell {self.shell}\n".encode())
        self.tmux(["-f", server_conf, *first])
        for action in rest:
            self.tmux(action)

    def end(self) -> None:
        for pid, fd in self.clients:
            _stop_client(pid, fd)
        self.clients = []
        path = self.tmux(["display-message", "-p", "#{socket_path}"]).out.strip()
        self.tmux(["kill-server"])
        if path.endswith(self.socket):
            try:
                os.unlink(path)  # tmux leaves its socket file behind
            except OSError:
                pass

    def attach_client(self, session: str) -> None:
        """A real client in a pseudo-terminal, as a student's terminal would be."""
        import pty
        import threading

        binary = tmuxcmd.tmux_binary(self.environ) or "tmux"
        env = dict(self.environ, TERM=self.environ.get("TERM") or "xterm-256color")
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execve(binary, [binary, "-L", self.socket, "attach", "-t", f"={session}"], env)
            finally:
                os._exit(127)

        def drain() -> None:
            try:
                while os.read(fd, 65536):
                    pass
            except OSError:
                pass

        threading.Thread(target=drain, daemon=True).start()
        self.clients.append((pid, fd))


def _stop_client(pid: int, fd: int) -> None:
    from tmux_sensei.command import end_process

    end_process(pid, 15, group=False)  # SIGTERM: the client says [terminated]; the session stays
    try:
        os.close(fd)
    except OSError:
        pass


# ---------------------------------------------------------------- checks


def _lines(result: Result) -> list[str]:
    return [line for line in result.out.splitlines() if line.strip()] if result.ok else []


def _fmt(p: Practice, session: str, fmt: str) -> str:
    result = p.tmux(["display-message", "-p", "-t", f"={session}:", fmt])
    return result.out.strip() if result.ok else ""


def check(p: Practice, name: str, args: Mapping[str, Any]) -> bool:
    s = str(args.get("session", ""))
    if name == "session":
        return p.tmux(["has-session", "-t", f"={args['name']}"]).ok
    if name == "windows":
        return len(_lines(p.tmux(["list-windows", "-t", f"={s}", "-F", "x"]))) >= int(args["count"])
    if name == "window_name":
        return args["name"] in _lines(
            p.tmux(["list-windows", "-t", f"={s}", "-F", "#{window_name}"])
        )
    if name == "panes":
        return len(_lines(p.tmux(["list-panes", "-t", f"={s}:", "-F", "x"]))) >= int(args["count"])
    if name == "zoomed":
        return _fmt(p, s, "#{window_zoomed_flag}") == "1"
    if name in ("attached", "detached"):
        count = _fmt(p, s, "#{session_attached}")
        if not count.isdigit():
            return False
        return (int(count) > 0) == (name == "attached")
    if name == "clients":
        return len(_lines(p.tmux(["list-clients", "-t", f"={s}"]))) >= int(args["count"])
    if name == "grouped":
        group = _fmt(p, str(args["group"]), "#{session_group}")
        return bool(group) and _fmt(p, s, "#{session_grouped} #{session_group}") == f"1 {group}"
    if name == "copy_mode":
        return _fmt(p, s, "#{pane_in_mode}") == "1"
    if name == "buffer":
        names = _lines(p.tmux(["list-buffers", "-F", "#{buffer_name}"]))
        text = str(args.get("text", ""))
        return (
            any(text in p.tmux(["show-buffer", "-b", n]).out for n in names)
            if text
            else bool(names)
        )
    if name == "option":
        flags = "-gwv" if args.get("scope") == "window" else "-gv"
        return p.tmux(["show-options", flags, str(args["name"])]).out.strip() == str(args["value"])
    if name == "bound":
        binding = p.tmux(["list-keys", "-T", "prefix", str(args["key"])]).out.strip()
        return bool(binding) and str(args.get("command", "")) in binding
    if name in ("pane_dead", "no_dead_pane"):
        dead = "1" in _lines(p.tmux(["list-panes", "-s", "-t", f"={s}", "-F", "#{pane_dead}"]))
        alive = p.tmux(["has-session", "-t", f"={s}"]).ok
        return alive and (dead if name == "pane_dead" else not dead)
    if name == "pane_text":
        return str(args["text"]) in p.tmux(["capture-pane", "-p", "-t", f"={s}:"]).out
    raise ValueError(f"unknown check {name}")


def perform(p: Practice, action: list[str]) -> None:
    """One `solve` action of `learn --verify`."""
    if action[0] == "@attach":
        p.attach_client(action[1])
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not p.tmux(["list-clients"]).out.strip():
            time.sleep(0.05)
    elif action[0] == "@sleep":
        time.sleep(float(action[1]))
    elif action[0] == "@append_conf":
        with open(p.conf, "a", encoding="utf-8") as f:
            f.write(action[1] + "\n")
    else:
        p.tmux(action)


def wait_check(p: Practice, step: Step, seconds: float = 3.0) -> bool:
    end = time.monotonic() + seconds
    while True:
        if check(p, step.check, step.args):
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(0.05)


# ---------------------------------------------------------------- verify (teachers, CI)


def verify(lessons: list[Lesson], p: Practice) -> list[tuple[str, int, str]]:
    """Perform every step; each check must fail before its step and pass after it."""
    rows = []
    for lesson in lessons:
        result = "ok"
        try:
            p.reset(lesson.setup)
            for number, step in enumerate(lesson.steps, 1):
                if check(p, step.check, step.args):
                    result = f"step {number}: check passes before the step"
                    break
                for action in step.solve:
                    perform(p, action)
                if not wait_check(p, step):
                    result = f"step {number}: check fails after the step"
                    break
        except Exception as exc:  # a broken lesson is a row in the table, not a crash
            result = f"error: {type(exc).__name__}: {exc}"
        finally:
            p.end()
        rows.append((lesson.id, len(lesson.steps), result))
    return rows


# ---------------------------------------------------------------- progress


def progress_path(environ: Mapping[str, str]) -> str:
    return os.path.join(state_dirs(environ).data, "lessons.json")


def load_progress(environ: Mapping[str, str]) -> dict[str, list[int]]:
    """Done steps by lesson; a file of the wrong shape (`[]`, `null`, `1e400`) is no progress,
    a lesson of the wrong shape is skipped, and a FIFO or symlink is never opened."""
    from tmux_sensei.safefile import read_bytes

    try:
        raw, _ = read_bytes(progress_path(environ), 1 << 20)
        data = json.loads(raw)
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    progress = {}
    for key, steps in data.items():
        if isinstance(steps, list) and all(
            type(i) is int and 0 <= i < 10_000
            for i in steps  # a bool is no step
        ):
            progress[str(key)] = sorted(set(steps))
    return progress


def save_progress(environ: Mapping[str, str], progress: dict[str, list[int]]) -> None:
    from tmux_sensei.safefile import write_atomic

    path = progress_path(environ)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        text = json.dumps(progress, ensure_ascii=False, indent=1)
        write_atomic(path, text.encode("utf-8"))  # a new temp file, renamed: never followed
    except OSError:
        pass  # a read-only home still gets lessons, without saved progress


# ---------------------------------------------------------------- the student's side


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
        self.write(
            self.t("learn.attach_inside" if inside else "learn.attach", socket=self.p.socket) + "\n"
        )
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


def cmd_learn(args: list[str], env: Any, ui: str) -> int:
    from tmux_sensei.cli import (
        ExitStatus,
        UsageError,
        lang_option,
        safe_value,
        show_help,
        strings_for,
        terminal_columns,
    )

    lang, list_only, verify_all, wanted = ui, False, False, ""
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg in ("-h", "--help"):
            return show_help(env, ui, "learn")
        if arg == "--list":
            list_only = True
        elif arg == "--verify":
            verify_all = True
        elif arg == "--lang" or arg.startswith("--lang="):
            lang, i = lang_option(arg, args, i)
        elif arg.startswith("-"):
            raise UsageError("errors.unknown_option", value=safe_value(arg), command="learn")
        else:
            wanted = arg
    strings = strings_for(lang)
    lessons = load_lessons(lang, env.environ)
    if verify_all:
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


def ask_line(env: Any) -> Callable[[str], str | None]:
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
    for number, lesson in enumerate(lessons, 1):
        title = sanitize(lesson.title, keep_newlines=False)
        done = len(progress.get(lesson.id, []))
        total = len(lesson.steps)
        mark = "✓" if done == total else (f"{done}/{total}" if done else "·")
        pad = " " * max(1, 34 - width(title))
        lines.append(f"  {number:>2}. {title}{pad}{mark:>5}   ({lesson.id})")
    return "\n".join(lines)


def pick(
    lessons: list[Lesson],
    progress: dict[str, list[int]],
    wanted: str,
    env: Any,
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


def run_verify(lessons: list[Lesson], env: Any, strings: Mapping[str, str]) -> int:
    from tmux_sensei.cli import ExitStatus

    socket = f"sensei-verify-{os.getpid()}"  # never the student's practice server
    env.stdout.write(strings.get("learn.verify_header", "") + "\n")
    rows = verify(lessons, Practice(env.environ, socket=socket, shell="/bin/sh"))
    width = max(len(r[0]) for r in rows) + 2
    env.stdout.write(f"  {'lesson':<{width}} {'steps':>5}  result\n")
    for lesson_id, steps, result in rows:
        env.stdout.write(f"  {lesson_id:<{width}} {steps:>5}  {result}\n")
    failed = sum(r[2] != "ok" for r in rows)
    key = "learn.verify_failed" if failed else "learn.verify_ok"
    env.stdout.write(strings.get(key, "").format(count=failed or len(rows)) + "\n")
    return ExitStatus.PROBLEMS_FOUND if failed else ExitStatus.ANSWERED
