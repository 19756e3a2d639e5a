"""Questions that got no confident answer, kept locally so a teacher can see what the class
asked that the knowledge base lacks. `tmux-sensei report` lists them.

The log is a JSON-lines file in the data dir; nothing leaves the machine. It is on by default
and off with `log_unanswered = false` in config.toml (or TMUX_SENSEI_LOG_UNANSWERED=0).
"""

from __future__ import annotations

import json
import os
import time

from tmux_sensei.paths import state_dirs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from tmux_sensei.argv import Parsed
    from tmux_sensei.env import Env
    from tmux_sensei.shapes import Answer

MAX_ENTRIES = 5000  # the log is trimmed to the newest entries beyond this
TRIM_AT = MAX_ENTRIES * 400  # bytes: past this size the log is trimmed ...
KEEP_BYTES = TRIM_AT // 2  # ... to at most this many bytes of its newest lines, so that
# a trim happens once in thousands of appends, never on every ask
READ_LIMIT = TRIM_AT + (1 << 20)  # `report` reads at most the newest bytes of this size
LOCK_SECONDS = 10.0  # a writer holding the lock longer than this (hung) is not waited for
QUESTION_LIMIT = 500


def log_path(environ: Mapping[str, str]) -> str:
    return os.path.join(state_dirs(environ).data, "unanswered.jsonl")


def logging_enabled(environ: Mapping[str, str]) -> bool:
    flag = environ.get("TMUX_SENSEI_LOG_UNANSWERED", "").strip().lower()
    if flag in ("0", "false", "no", "off"):
        return False
    config = os.path.join(state_dirs(environ).config, "config.toml")
    if not os.path.exists(config):
        return True
    import tomllib

    from tmux_sensei.safefile import read_bytes

    try:
        raw, _ = read_bytes(config, 1 << 20)
        return bool(tomllib.loads(raw.decode("utf-8", "replace")).get("log_unanswered", True))
    except (OSError, tomllib.TOMLDecodeError):
        return True


def log_unanswered(question: str, answer: Answer, environ: Mapping[str, str]) -> None:
    """Append one unanswered question; never fails the answer.

    Writers take an exclusive lock (flock on a lock file beside the log) around the append and
    the trim, so concurrent asks never lose or interleave entries; the trim writes a temp file
    and renames it over the log. Neither the log nor the lock file is followed if a symlink,
    nor opened if not a regular file.
    """
    if not logging_enabled(environ):
        return
    entry = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "lang": str(answer["lang"]),
        "question": question[:QUESTION_LIMIT],
        "closest": [str(c["topic"]) for c in answer.get("closest", [])],
    }
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8", "replace")
    path = log_path(environ)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        append_entry(path, line)
    except OSError:
        pass


def append_entry(path: str, line: bytes) -> None:
    from tmux_sensei.safefile import open_regular

    lock = open_regular(path + ".lock", os.O_RDWR | os.O_CREAT)
    try:
        _lock(lock)
        fd = open_regular(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # the last entry was cut: ours starts on a line of its own
            os.write(fd, line)
            size += len(line)
        finally:
            os.close(fd)
        if size > TRIM_AT:
            _trim(path)
    finally:
        os.close(lock)  # closing the file releases the lock


def _lock(fd: int) -> None:
    import fcntl

    end = time.monotonic() + LOCK_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= end:
                raise
            time.sleep(0.005)


def _trim(path: str) -> None:
    """Keep the newest entries: read only the log's tail, write it to a temp file, rename.

    A sparse or huge log costs one bounded read; lines that hold NULs or are not entries
    (a cut line, garbage) are dropped on the way.
    """
    from tmux_sensei.safefile import read_tail, remove_stale_temps, write_atomic

    tail, _ = read_tail(path, KEEP_BYTES)
    kept = [ln for ln in tail.split(b"\n") if ln.strip() and b"\0" not in ln][-MAX_ENTRIES:]
    write_atomic(path, b"".join(ln + b"\n" for ln in kept))
    remove_stale_temps(os.path.dirname(path), os.path.basename(path) + ".")


def _entry(value: object) -> dict[str, Any] | None:
    """One log line's entry with every field of the right type, or None."""
    if not isinstance(value, dict) or not isinstance(value.get("question"), str):
        return None
    closest = value.get("closest")
    return {
        "time": value["time"] if isinstance(value.get("time"), str) else "",
        "lang": value["lang"] if isinstance(value.get("lang"), str) else "?",
        "question": value["question"][:QUESTION_LIMIT],
        "closest": [c for c in closest if isinstance(c, str)] if isinstance(closest, list) else [],
    }


def read_log(environ: Mapping[str, str]) -> list[dict[str, Any]]:
    """The logged entries (the newest READ_LIMIT bytes of the log), each checked for shape."""
    from tmux_sensei.safefile import read_tail

    try:
        raw, _ = read_tail(log_path(environ), READ_LIMIT)
    except OSError:
        return []
    entries = []
    for line in raw.decode("utf-8", "replace").split("\n"):
        if not line.strip():
            continue
        try:
            entry = _entry(json.loads(line))
        except (ValueError, RecursionError):
            continue
        if entry is not None:
            entries.append(entry)
    return entries


def cmd_report(opts: Parsed, env: Env, lang: str) -> int:
    from tmux_sensei.env import ExitStatus
    from tmux_sensei.locales import strings_for
    from tmux_sensei.textutil import dumps_json, sanitize

    as_json = opts.flag("json")
    entries = read_log(env.environ)
    groups: dict[str, dict[str, Any]] = {}
    for entry in entries:
        # the same question asked again, give or take case, spaces and punctuation
        key = "".join(c for c in entry["question"].lower() if c.isalnum())
        group = groups.setdefault(
            key,
            {
                "question": entry["question"],
                "lang": entry["lang"],
                "count": 0,
                "last": "",
                "closest": entry["closest"],
            },
        )
        group["count"] += 1
        group["last"] = max(group["last"], entry["time"])
    rows = sorted(groups.values(), key=lambda g: (-g["count"], g["last"]))
    if as_json:
        env.stdout.write(dumps_json(rows) + "\n")
        return ExitStatus.ANSWERED
    strings = strings_for(lang)
    if not rows:
        enabled = logging_enabled(env.environ)
        env.stdout.write(strings["report.empty" if enabled else "report.off"] + "\n")
        return ExitStatus.ANSWERED
    env.stdout.write(
        strings["report.header"].format(count=len(entries), distinct=len(rows)) + "\n\n"
    )

    def clean(text: str, limit: int = QUESTION_LIMIT) -> str:  # the log's text is not ours
        return sanitize(text, keep_newlines=False)[:limit]

    for row in rows:
        question = clean(row["question"])
        closest = ", ".join(clean(c, 80) for c in row["closest"][:3]) or "-"
        lang, last = clean(row["lang"], 8), clean(row["last"], 40)
        env.stdout.write(f"  {row['count']:>3}×  [{lang}] {question}\n")
        env.stdout.write(f"        {strings['report.closest']}: {closest}   ({last})\n")
    where = sanitize(log_path(env.environ), keep_newlines=False)
    env.stdout.write("\n" + strings["report.where"].format(path=where) + "\n")
    return ExitStatus.ANSWERED
