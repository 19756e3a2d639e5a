"""The lesson model: lesson specs (language-neutral TOML in lessons/: checks and solutions) with
their texts (Markdown per language), and the student's saved progress."""

from __future__ import annotations

import json
import os

from tmux_sensei.paths import data_dir, state_dirs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


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
    __slots__ = ("id", "intro", "lang", "order", "setup", "steps", "summary", "title", "watch")

    def __init__(
        self,
        lesson_id: str,
        spec: dict[str, Any],
        front: dict[str, Any],
        blocks: list[Any],
        lang: str = "en",
    ) -> None:
        self.id = lesson_id
        self.lang = lang
        self.order = int(spec.get("order", 99))
        self.setup = [list(map(str, a)) for a in spec.get("setup", [])]
        # the session the student keeps a terminal attached to, offered before step 1; none when
        # the lesson's own steps create or attach it (then the student only types commands)
        self.watch = str(spec.get("watch", ""))
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

    @property
    def presses_keys(self) -> bool:
        """Whether the student presses prefix keys (texts write them `C-b X`), not only commands."""
        return "C-b " in repr([self.intro, *((s.task, s.hint) for s in self.steps)])


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
        lessons.append(Lesson(lesson_id, spec, tomllib.loads(front_text), blocks, lang))
    return sorted(lessons, key=lambda lesson: lesson.order)


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
