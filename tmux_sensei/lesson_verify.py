"""`learn --verify` (teachers, CI): perform every lesson's steps on a private server of its own;
each check must fail before its step and pass after it."""

from __future__ import annotations

import os

from tmux_sensei.practice import Practice, check, perform, wait_check

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from tmux_sensei.env import Env
    from tmux_sensei.lessons import Lesson


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
