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
def test_learn_verify_every_step_of_every_lesson() -> None:
    p = sensei("learn", "--verify", timeout=300)
    out = p.stdout.decode()
    assert p.returncode == 0, out + p.stderr.decode()
    for lesson_id in LESSON_IDS:
        assert f"  {lesson_id}" in out
    assert "All 10 lessons verified" in out or "lessons verified" in out


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
    teacher = Teacher(
        lesson,
        practice,
        strings(),
        dict(os.environ),
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
    assert "Not yet" in text and repr(lesson.steps[0].hint) in text
    assert load_progress(os.environ).get("panes", []) == []
    practice.tmux(["split-window", "-h", "-t", "practice"])  # the student splits, then comes back
    assert "Done" in take_lesson(lesson, practice, "", "q")
    assert load_progress(os.environ)["panes"] == [0]
    text = take_lesson(lesson, practice, "q")
    assert lesson.steps[1].title in text  # resumed at step 2
    assert lesson.steps[0].title not in text


def strings() -> dict[str, str]:
    from tmux_sensei.loader import load_strings

    return load_strings(str(REPO / "locales"), "en")


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
        screen = lambda: tmux(outer, "capture-pane", "-p", "-S", "-", "-t", "%0")  # noqa: E731
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
