"""`learn --verify` (teachers, CI): perform every lesson's steps on a private server of its own;
each check must fail before its step and pass after it, and every session the student is told
to attach to must exist when they read it."""

from __future__ import annotations

import os
import re

from tmux_sensei.practice import Practice, check, perform, wait_check

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from tmux_sensei.env import Env
    from tmux_sensei.lessons import Lesson, Step

_ATTACH = re.compile(r"\battach(?:-session)?\s+-t\s+=?([\w.-]+)")


def attach_targets(blocks: list[Any]) -> set[str]:
    """The sessions a text tells the student to attach to (`attach -t NAME`)."""
    return set(_ATTACH.findall(repr(blocks)))


def _sessions(p: Practice) -> set[str]:
    listing = p.tmux(["list-sessions", "-F", "#{session_name}"])
    return set(listing.out.split()) if listing.ok else set()


def _missing(names: set[str], sessions: set[str]) -> str:
    return ", ".join(sorted(names - sessions))


def verify_lesson(lesson: Lesson, p: Practice) -> str:
    """The lesson's first problem, or "ok": a check that passes too early or fails after its
    step, or an attach to a session the server has not got (the lesson's own hint, named by
    `watch`, must hold before step 1 and after every step; a task's when it is read or once it
    is done; a hint's when it is read, before the step)."""
    p.reset(lesson.setup)
    watch = {lesson.watch} if lesson.watch else set()
    if missing := _missing(watch | attach_targets(lesson.intro), _sessions(p)):
        return f"attach to {missing}, missing after the setup"
    for number, step in enumerate(lesson.steps, 1):
        if result := _verify_step(p, step, watch):
            return f"step {number}: {result}"
    return "ok"


def _verify_step(p: Practice, step: Step, watch: set[str]) -> str:
    before = _sessions(p)
    if missing := _missing(attach_targets(step.hint), before):
        return f"its hint attaches to {missing}, missing before the step"
    if check(p, step.check, step.args):
        return "check passes before the step"
    for action in step.solve:
        perform(p, action)
    if not wait_check(p, step):
        return "check fails after the step"
    after = _sessions(p)
    if missing := _missing(attach_targets(step.task), before | after):
        return f"its task attaches to {missing}, missing before and after it"
    if missing := _missing(watch, after):
        return f"the lesson's session {missing} is gone after it"
    return ""


def verify(lessons: list[Lesson], p: Practice) -> list[tuple[str, int, str]]:
    """Perform every step of every lesson (see verify_lesson); one row a lesson."""
    rows = []
    for lesson in lessons:
        try:
            result = verify_lesson(lesson, p)
        except Exception as exc:  # a broken lesson is a row in the table, not a crash
            result = f"error: {type(exc).__name__}: {exc}"
        finally:
            p.end()
        rows.append((lesson.id, len(lesson.steps), result))
    return rows


def run_verify(lessons: list[Lesson], env: Env, strings: Mapping[str, str]) -> int:
    from tmux_sensei.env import ExitStatus

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
