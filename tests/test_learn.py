"""Lessons: every step verified on a private server, progress saved and resumed, and one whole
lesson driven in Japanese as a student would, in a real tmux client."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, end_servers, requires_tmux, sensei, tmux, wait_for

from tmux_sensei.learn import Lesson, Practice, Teacher, load_lessons, load_progress
from tmux_sensei.practice import drain_in_background

LESSON_IDS = sorted(p.stem for p in (REPO / "lessons").glob("*.toml"))


def test_ten_lessons_in_both_languages_with_matching_steps() -> None:
    assert len(LESSON_IDS) >= 10
    for lang in ("en", "ja"):
        lessons = load_lessons(lang)  # raises when a text's steps don't match its spec
        assert [le.id for le in lessons] != []
        assert {le.id for le in lessons} == set(LESSON_IDS)
        for lesson in lessons:
            assert lesson.title and lesson.intro, lesson.id
            for step in lesson.steps:
                assert step.task and step.hint, (lesson.id, step.title)


@requires_tmux
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_learn_verify_every_step_of_every_lesson(lang: str) -> None:
    """Each language's texts too: every `attach -t NAME` in them names a session that exists
    when the student reads it."""
    p = sensei("learn", "--verify", "--lang", lang, timeout=300)
    out = p.stdout.decode()
    assert p.returncode == 0, out + p.stderr.decode()
    for lesson_id in LESSON_IDS:
        assert f"  {lesson_id} " in out and out.count(" ok\n") == len(LESSON_IDS), out
    assert strings(lang)["learn.verify_ok"].format(count=len(LESSON_IDS)) in out


@requires_tmux
def test_learn_verify_finds_an_attach_to_a_session_that_is_not_there(tmp_path: Path) -> None:
    """A lesson whose hint would send the student to a session the server has not got fails
    verification: its `watch` session missing after the setup, or a hint's `attach -t` target
    missing when the hint is read."""
    import shutil

    tree = tmp_path / "lessons"
    shutil.copytree(REPO / "lessons", tree)
    spec = tree / "first-session.toml"  # no setup: step 1 is what creates practice
    spec.write_text(spec.read_text().replace("order = 1\n", 'order = 1\nwatch = "practice"\n'))
    text = tree / "en" / "windows.md"
    text.write_text(
        text.read_text().replace("### Hint\n", "### Hint\nRun `tmux attach -t editor` first.\n", 1)
    )
    env = dict(os.environ, TMUX_SENSEI_LESSONS=str(tree))
    p = sensei("learn", "--verify", "--lang", "en", env=env, timeout=300)
    rows = {line.split()[0]: line for line in p.stdout.decode().splitlines() if "  " in line}
    assert p.returncode == 1, p.stdout.decode()
    assert "attach to practice, missing after the setup" in rows["first-session"]
    assert "step 1: its hint attaches to editor, missing before the step" in rows["windows"]
    assert rows["panes"].endswith(" ok")


def test_list_shows_progress(tmp_path: Path) -> None:
    home = Path(os.environ["TMUX_SENSEI_HOME"])
    (home / "data").mkdir(parents=True)
    (home / "data" / "lessons.json").write_text(json.dumps({"panes": [0, 1, 2], "windows": [0]}))
    p = sensei("learn", "--list")
    out = p.stdout.decode()
    assert p.returncode == 0
    panes_line = next(line for line in out.splitlines() if "(panes)" in line)
    windows_line = next(line for line in out.splitlines() if "(windows)" in line)
    assert "✓" in panes_line and "1/3" in windows_line


@pytest.fixture
def practice(tmp_path: Path) -> Iterator[Practice]:
    p = Practice(dict(os.environ), socket=f"sensei-practice-test-{secrets.token_hex(3)}")
    yield p
    p.end()


def take_lesson(lesson: Lesson, practice: Practice, *answers: str) -> str:
    """Run a lesson with scripted answers at its prompts; what the student would read."""
    out: list[str] = []
    replies = iter(answers)
    environ = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
    teacher = Teacher(
        lesson,
        practice,
        strings(),
        environ,  # outside tmux, even when the tests run inside it
        out.append,
        lambda prompt: next(replies, None),
        lambda blocks: repr(blocks),
    )
    teacher.run()
    return "".join(out)


@requires_tmux
def test_a_wrong_try_gets_a_hint_and_progress_resumes(practice: Practice) -> None:
    lesson = next(le for le in load_lessons("en") if le.id == "panes")
    text = take_lesson(lesson, practice, "y", "", "q")  # start the server; check too early; quit
    hint = repr(lesson.steps[0].hint).replace("-L sensei-practice", f"-L {practice.socket}")
    assert "Not yet" in text and hint in text  # the commands name the server the checks ask
    assert load_progress(os.environ).get("panes", []) == []
    practice.tmux(["split-window", "-h", "-t", "practice"])  # the student splits, then comes back
    assert "Done" in take_lesson(lesson, practice, "", "q")
    assert load_progress(os.environ)["panes"] == [0]
    text = take_lesson(lesson, practice, "q")
    assert lesson.steps[1].title in text  # resumed at step 2
    assert lesson.steps[0].title not in text


def strings(lang: str = "en") -> dict[str, str]:
    from tmux_sensei.loader import load_strings

    return load_strings(str(REPO / "locales"), lang)


@requires_tmux
def test_a_whole_lesson_in_japanese_in_a_real_client(tmp_path: Path) -> None:
    outer = f"sensei-outer-{secrets.token_hex(3)}"
    practice = f"sensei-practice-test-{secrets.token_hex(3)}"
    env = dict(
        os.environ,
        TMUX_SENSEI_PRACTICE_SOCKET=practice,
        LANG="ja_JP.UTF-8",
        TERM="xterm-256color",
        NO_COLOR="1",
    )
    for key in ("TMUX", "TMUX_PANE", "LC_ALL", "LANGUAGE"):
        env.pop(key, None)
    conf = tmp_path / "outer.conf"
    # remain-on-exit: the last words of the lesson stay readable after it ends
    conf.write_text(
        "set -g default-shell /bin/sh\nset -g status off\nset -g prefix C-q\n"
        "set -g remain-on-exit on\n"
    )
    learn = f"{sys.executable} -m tmux_sensei learn --lang ja panes"
    try:
        subprocess.run(
            [
                "tmux",
                "-L",
                outer,
                "-f",
                str(conf),
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "50",
                "-c",
                str(REPO),
                learn,
            ],
            env=env,
            check=True,
            timeout=10,
        )
        # -J: a line the narrow pane wrapped is one line again ("できた" + "ね")
        screen = lambda: tmux(outer, "capture-pane", "-pJ", "-S", "-", "-t", "%0")  # noqa: E731
        assert wait_for(lambda: "[Y/n]" in screen()), screen()
        tmux(outer, "send-keys", "-t", "%0", "y", "Enter")  # yes, start the practice server
        # inside tmux it offers the student's terminal: a pane beside, attached to the practice
        # server (a real client)
        assert wait_for(lambda: screen().count("[Y/n]") == 2), screen()
        tmux(outer, "send-keys", "-t", "%0", "y", "Enter")
        assert wait_for(lambda: tmux(practice, "list-clients") != ""), screen()
        assert wait_for(lambda: "確認" in screen()), screen()
        tmux(outer, "send-keys", "-t", "%0", "Enter")  # checks before doing anything
        assert wait_for(lambda: "まだみたい" in screen()), screen()
        tmux(outer, "send-keys", "-t", "%1", "C-b", "%")  # split, in the practice client
        assert wait_for(
            lambda: len(tmux(practice, "list-panes", "-t", "practice").splitlines()) == 2
        )
        tmux(outer, "send-keys", "-t", "%0", "Enter")
        assert wait_for(lambda: "できたね" in screen()), screen()
        tmux(outer, "send-keys", "-t", "%1", "C-b", '"')
        assert wait_for(
            lambda: len(tmux(practice, "list-panes", "-t", "practice").splitlines()) == 3
        )
        tmux(outer, "send-keys", "-t", "%0", "Enter")
        assert wait_for(lambda: screen().count("できたね") == 2), screen()
        tmux(outer, "send-keys", "-t", "%1", "C-b", "z")
        tmux(outer, "send-keys", "-t", "%0", "Enter")
        assert wait_for(lambda: "レッスン完了" in screen()), screen()
        assert load_progress(os.environ)["panes"] == [0, 1, 2]
        # their prefix (C-q) is not the practice server's: lesson keys stay C-b, which passes
        # through their tmux, and no note about pressing it twice
        assert "2回押せば" not in screen() and "C-b %" in screen() and "C-q %" not in screen()
    finally:
        end_servers(outer, practice)


def test_lesson_list_columns_line_up_with_wide_characters() -> None:
    """Japanese titles count two columns a character: the marks still form one column."""
    from tmux_sensei.learn import lesson_table
    from tmux_sensei.lessons import load_lessons
    from tmux_sensei.locales import strings_for
    from tmux_sensei.textutil import width

    for lang in ("en", "ja"):
        rows = lesson_table(load_lessons(lang, {}), {}, strings_for(lang)).splitlines()[1:]
        assert len(rows) >= 10
        mark_at = {width(row[: row.index("·")]) for row in rows}
        assert len(mark_at) == 1, rows


# ---------------------------------------------------------------- a student at the command line


class Student:
    """`tmux-sensei learn ...` in a process of its own, its stdin typed line by line as a
    student would, its output read as it comes."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        import threading

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tmux_sensei", "learn", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO,
        )
        self.out = b""
        self.seen = 0  # how much of the output has been checked for attach hints
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        while chunk := os.read(self.proc.stdout.fileno(), 65536):
            self.out += chunk

    @property
    def text(self) -> str:
        return self.out.decode("utf-8", "replace")

    def wait(self, marker: str, count: int = 1) -> str:
        assert wait_for(lambda: self.text.count(marker) >= count), self.text
        return self.text

    def type(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def new_text(self) -> str:
        """What was printed since the last call."""
        text, self.seen = self.text[self.seen :], len(self.text)
        return text

    def finish(self) -> str:
        assert self.proc.wait(timeout=20) == 0, self.text
        return self.text

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def classroom(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a student's terminal, outside tmux, whose tmux servers all live in a
    private TMUX_TMPDIR: the practice server, the student's "own" server, an outer terminal.
    Every server found there afterwards was started by this test, and each is ended."""
    import shutil
    import tempfile

    tmpdir = tempfile.mkdtemp(prefix="sst-", dir="/tmp")  # short: socket paths have a limit
    env = dict(
        os.environ,
        TMUX_TMPDIR=tmpdir,
        TMUX_SENSEI_PRACTICE_SOCKET=f"sensei-practice-test-{secrets.token_hex(3)}",
        TERM="xterm-256color",
        NO_COLOR="1",
        HOME=str(tmp_path),  # the shells in the panes read no personal rc files
    )
    for key in ("TMUX", "TMUX_PANE", "LC_ALL", "LANGUAGE", "TMUX_SENSEI_LANG"):
        env.pop(key, None)
    try:
        yield env
    finally:
        for sock in Path(tmpdir).glob("tmux-*/*"):
            subprocess.run(
                ["tmux", "-S", str(sock), "kill-server"], capture_output=True, timeout=10
            )
        shutil.rmtree(tmpdir, ignore_errors=True)


def tx(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """One tmux command on the practice server of `env`."""
    sock = env["TMUX_SENSEI_PRACTICE_SOCKET"]
    return subprocess.run(
        ["tmux", "-L", sock, *args], capture_output=True, text=True, timeout=10, env=env
    )


def attach_hints(text: str) -> list[tuple[str, str]]:
    """(socket, session) of every `tmux -L SOCKET attach -t SESSION` in the text."""
    import re

    return re.findall(r"tmux -L ([\w.-]+) attach -t =?([\w.-]+)", text)


def check_attach_hints(student: Student, env: dict[str, str]) -> list[tuple[str, str]]:
    """Every attach the student was told about since the last look names a session that
    exists now, while the lesson waits for them (the moment they would run it)."""
    hints = attach_hints(student.new_text())
    for sock, session in hints:
        assert sock == env["TMUX_SENSEI_PRACTICE_SOCKET"], (sock, student.text)
        assert tx(env, "has-session", "-t", f"={session}").returncode == 0, (session, student.text)
    return hints


def run_in_a_terminal(env: dict[str, str], command: str, name: str = "terminal") -> None:
    """A printed command run as the student would type it into another terminal: in a window
    of a private outer tmux server (a real pseudo-terminal) under /bin/sh."""
    outer = ["tmux", "-L", "sensei-terminal", "-f", os.devnull]
    exists = subprocess.run([*outer, "has-session"], capture_output=True, env=env).returncode == 0
    if exists:
        argv = [*outer, "new-window", "-d", "-n", name, command]
    else:
        argv = [*outer, "new-session", "-d", "-x", "100", "-y", "30", "-n", name, command]
    subprocess.run(argv, check=True, timeout=10, env=env)


def begin_lesson(env: dict[str, str], lang: str, number: str) -> tuple[Student, str]:
    """A student who opened lesson `number` and said yes to the practice server; the lesson's
    prompt. The caller stops the student."""
    prompt, ask = prompts(lang)
    student = Student(env, "--lang", lang, number)
    try:
        student.wait(ask)
        student.type("y")
        student.wait(prompt)
    except BaseException:
        student.stop()
        raise
    return student, prompt


def prompts(lang: str) -> tuple[str, str]:
    """The step prompt and the start question, as the student sees them."""
    s = strings(lang)
    return s["learn.prompt"].strip(), "[Y/n]"


def do_step(env: dict[str, str], lesson: Lesson, number: int) -> None:
    """What the student does for a step, by the step's own commands (`learn --verify`'s)."""
    for action in lesson.steps[number - 1].solve:
        assert not action[0].startswith("@"), action  # attaching is done by a printed command
        tx(env, *action)


@requires_tmux
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_lesson_1_never_names_a_session_before_it_exists_and_ends_naming_lesson_2(
    classroom: dict[str, str], lang: str
) -> None:
    """Lesson 1 creates its session itself (and renames it): no attach hint may name it before
    it is there. Its end names lesson 2 and the exact kill-server command, which ends the
    practice server only: the student's own server lives on."""
    env, sock = classroom, classroom["TMUX_SENSEI_PRACTICE_SOCKET"]
    mine = ["tmux", "-L", "mine", "-f", os.devnull]  # the student's own tmux, in the same dir
    subprocess.run([*mine, "new-session", "-d", "-s", "work"], check=True, env=env, timeout=10)
    lessons = load_lessons(lang)
    lesson, following = lessons[0], lessons[1]
    student, _ = begin_lesson(env, lang, "1")
    try:
        check_attach_hints(student, env)  # before step 1: no session but the server's lobby
        for number in range(1, len(lesson.steps) + 1):
            do_step(env, lesson, number)
            student.type("")
            student.wait(strings(lang)["learn.passed"], number)
            check_attach_hints(student, env)
        text = student.finish()
    finally:
        student.stop()
    end = text[text.rindex(strings(lang)["learn.finished"]) :]
    assert "tmux-sensei learn 2" in end and following.title in end, end
    kill = f"tmux -L {sock} kill-server"
    assert kill in end, end
    # tmux-sensei said it leaves the server running, and it does
    assert tx(env, "has-session", "-t", "=study").returncode == 0
    import shlex

    subprocess.run(shlex.split(kill), check=True, env=env, timeout=10)  # as printed
    assert tx(env, "list-sessions").returncode != 0  # the practice server is gone
    assert subprocess.run([*mine, "has-session", "-t", "=work"], env=env).returncode == 0


@requires_tmux
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_lesson_with_keys_names_a_session_its_printed_command_attaches_to(
    classroom: dict[str, str], lang: str
) -> None:
    """Lesson 4: the attach line is printed once its session exists, and the command exactly
    as printed attaches a real client to it. Quitting says how to carry on (learn 4) and how
    to stop the practice server."""
    env, sock = classroom, classroom["TMUX_SENSEI_PRACTICE_SOCKET"]
    student, prompt = begin_lesson(env, lang, "4")
    try:
        hints = check_attach_hints(student, env)
        assert (sock, "practice") in hints, student.text
        line = next(
            ln for ln in student.text.splitlines() if strings(lang)["learn.attach"][:8] in ln
        )
        command = line[line.index(f"tmux -L {sock}") :].strip()
        run_in_a_terminal(env, command)
        assert wait_for(lambda: "practice" in tx(env, "list-clients", "-F", "#S").stdout)
        student.type("q")
        text = student.finish()
    finally:
        student.stop()
    quit_text = text[text.rindex(prompt) :]
    assert "tmux-sensei learn 4" in quit_text and f"tmux -L {sock} kill-server" in quit_text
    assert tx(env, "has-session", "-t", "=practice").returncode == 0  # left running, as it says


@requires_tmux
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_last_lesson_ends_saying_all_are_done(classroom: dict[str, str], lang: str) -> None:
    """Lesson 10 with the other nine done: two terminals attached with the printed command,
    a grouped session made; the end says every lesson is done, and how to stop the server."""
    env, sock = classroom, classroom["TMUX_SENSEI_PRACTICE_SOCKET"]
    lessons = load_lessons(lang)
    data = Path(os.environ["TMUX_SENSEI_HOME"]) / "data"
    data.mkdir(parents=True)
    done = {le.id: list(range(len(le.steps))) for le in lessons[:-1]}
    (data / "lessons.json").write_text(json.dumps(done))
    student, _ = begin_lesson(env, lang, "10")
    try:
        hints = check_attach_hints(student, env)
        assert hints, student.text
        command = f"tmux -L {hints[0][0]} attach -t {hints[0][1]}"
        run_in_a_terminal(env, command, "one")
        run_in_a_terminal(env, command, "two")
        assert wait_for(lambda: len(tx(env, "list-clients").stdout.splitlines()) == 2)
        student.type("")
        student.wait(strings(lang)["learn.passed"])
        do_step(env, lessons[-1], 2)
        student.type("")
        text = student.finish()
    finally:
        student.stop()
    end = text[text.rindex(strings(lang)["learn.finished"]) :]
    assert strings(lang)["learn.all_done"].format(count=len(lessons)) in end, end
    assert "tmux-sensei learn " not in end  # no next lesson to name
    assert f"tmux -L {sock} kill-server" in end


@requires_tmux
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_keys_in_a_lesson_are_the_ones_the_practice_server_takes(
    classroom: dict[str, str], lang: str
) -> None:
    """A student left lesson 6 after step 1, so the practice server's prefix is C-a: lesson 4
    then says C-a % (spelled out too), never C-b %, and C-a % typed in the attached terminal
    does split the practice window."""
    env = classroom
    student, prompt = begin_lesson(env, lang, "6")
    try:
        tx(env, "set", "-g", "prefix", "C-a")
        student.type("")
        student.wait(strings(lang)["learn.passed"])
        student.type("q")
        student.finish()
    finally:
        student.stop()
    student = Student(env, "--lang", lang, "4")
    try:
        text = student.wait(prompt)
        assert "C-a %" in text and "C-b %" not in text, text
        spelled = "Ctrl+a, release, then %" if lang == "en" else "Ctrl+a を押して離してから %"
        assert spelled in text, text
        command = f"tmux -L {env['TMUX_SENSEI_PRACTICE_SOCKET']} attach -t practice"
        assert command in text
        run_in_a_terminal(env, command)
        assert wait_for(lambda: tx(env, "list-clients").stdout != "")
        outer = ["tmux", "-L", "sensei-terminal"]
        subprocess.run([*outer, "send-keys", "-t", "terminal", "C-a", "%"], env=env, check=True)
        student.type("")
        student.wait(strings(lang)["learn.passed"])
        student.type("q")
        student.finish()
    finally:
        student.stop()


@requires_tmux
def test_a_lesson_started_on_a_new_server_starts_from_step_1(practice: Practice) -> None:
    """Saved progress of a lesson half done means nothing on a new practice server (the
    earlier steps' work went with the old one): the lesson starts over, and says why."""
    from tmux_sensei.lessons import save_progress

    save_progress(os.environ, {"first-session": [0, 1]})
    lesson = load_lessons("en")[0]
    text = take_lesson(lesson, practice, "y", "q")
    assert strings()["learn.restart"] in text
    assert lesson.steps[0].title in text and load_progress(os.environ)["first-session"] == []


@requires_tmux
def test_inside_a_tmux_with_the_same_prefix_it_says_to_press_it_twice(
    classroom: dict[str, str],
) -> None:
    """The student's own tmux keeps the default prefix C-b, as the practice server does: in the
    pane beside, C-b reaches their tmux first. The lesson says so, and the keys it gives
    (C-b C-b %), typed on a real terminal attached to their tmux, split the practice window."""
    import pty
    import time

    env = classroom
    outer = f"sensei-outer-{secrets.token_hex(3)}"
    conf = Path(env["HOME"]) / "outer.conf"
    conf.write_text("set -g default-shell /bin/sh\nset -g remain-on-exit on\n")  # prefix: C-b
    learn = f"{sys.executable} -m tmux_sensei learn --lang en panes"
    new = ["new-session", "-d", "-x", "120", "-y", "40", "-c", str(REPO), learn]
    subprocess.run(["tmux", "-L", outer, "-f", str(conf), *new], env=env, check=True, timeout=10)
    screen = lambda: tmux(outer, "capture-pane", "-pJ", "-S", "-", "-t", "%0", env=env)  # noqa: E731
    binary = subprocess.run(["which", "tmux"], capture_output=True, text=True).stdout.strip()
    pid, fd = pty.fork()  # the student's terminal, attached to their own tmux
    if pid == 0:
        os.execve(binary, [binary, "-L", outer, "attach"], env)
    drain_in_background(fd)
    try:
        assert wait_for(lambda: "[Y/n]" in screen()), screen()
        os.write(fd, b"y\r")  # start the practice server
        assert wait_for(lambda: screen().count("[Y/n]") == 2), screen()
        os.write(fd, b"y\r")  # and a pane beside, attached to it
        assert wait_for(lambda: tx(env, "list-clients").stdout != ""), screen()
        note = strings()["learn.nested"].format(prefix="C-b", example="C-b d", twice="C-b C-b d")
        assert wait_for(lambda: note in screen()), screen()
        os.write(fd, b"\x02o")  # C-b o: over to the practice pane, in the student's own tmux
        assert wait_for(lambda: tmux(outer, "display", "-p", "#{pane_id}", env=env) == "%1\n")
        os.write(fd, b"\x02\x02%")  # C-b C-b %: the second C-b goes on to the practice server

        def practice_panes() -> list[str]:
            return tx(env, "list-panes", "-t", "practice").stdout.splitlines()

        assert wait_for(lambda: len(practice_panes()) == 2), practice_panes()
        time.sleep(0.2)
        assert len(tmux(outer, "list-panes", env=env).splitlines()) == 2  # theirs: unchanged
        os.write(fd, b"\x02%")  # one C-b alone is their own tmux's: it splits their window
        assert wait_for(lambda: len(tmux(outer, "list-panes", env=env).splitlines()) == 3)
        assert len(practice_panes()) == 2
    finally:
        os.kill(pid, 15)
        os.waitpid(pid, 0)
        os.close(fd)
