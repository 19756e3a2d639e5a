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

MAX_ENTRIES = 5000  # the log is trimmed to the newest entries beyond this


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

    try:
        with open(config, "rb") as f:
            return bool(tomllib.load(f).get("log_unanswered", True))
    except (OSError, tomllib.TOMLDecodeError):
        return True


def log_unanswered(question: str, answer: Mapping[str, Any], environ: Mapping[str, str]) -> None:
    """Append one unanswered question; never fails the answer."""
    if not logging_enabled(environ):
        return
    entry = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "lang": answer["lang"],
        "question": question[:500],
        "closest": [c["topic"] for c in answer.get("closest", [])],
    }
    path = log_path(environ)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        if os.path.getsize(path) > MAX_ENTRIES * 400:
            _trim(path)
    except OSError:
        pass


def _trim(path: str) -> None:
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.readlines()[-MAX_ENTRIES:]
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines)


def read_log(environ: Mapping[str, str]) -> list[dict[str, Any]]:
    entries = []
    try:
        with open(log_path(environ), encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict) and isinstance(entry.get("question"), str):
                    entries.append(entry)
    except OSError:
        pass
    return entries


def cmd_report(args: list[str], env: Any, ui: str) -> int:
    from tmux_sensei.cli import ExitStatus, UsageError, show_help, strings_for
    from tmux_sensei.textutil import sanitize

    as_json = False
    for arg in args:
        if arg in ("-h", "--help"):
            return show_help(env, ui, "report")
        if arg == "--json":
            as_json = True
        else:
            raise UsageError("errors.unknown_option", value=arg[:40], command="report")
    entries = read_log(env.environ)
    groups: dict[str, dict[str, Any]] = {}
    for entry in entries:
        # the same question asked again, give or take case, spaces and punctuation
        key = "".join(c for c in entry["question"].lower() if c.isalnum())
        group = groups.setdefault(
            key,
            {
                "question": entry["question"],
                "lang": entry.get("lang", "?"),
                "count": 0,
                "last": "",
                "closest": entry.get("closest", []),
            },
        )
        group["count"] += 1
        group["last"] = max(group["last"], str(entry.get("time", "")))
    rows = sorted(groups.values(), key=lambda g: (-g["count"], g["last"]))
    if as_json:
        env.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return ExitStatus.ANSWERED
    strings = strings_for(ui)
    if not rows:
        enabled = logging_enabled(env.environ)
        env.stdout.write(strings["report.empty" if enabled else "report.off"] + "\n")
        return ExitStatus.ANSWERED
    env.stdout.write(
        strings["report.header"].format(count=len(entries), distinct=len(rows)) + "\n\n"
    )
    for row in rows:
        question = sanitize(row["question"], keep_newlines=False)
        closest = ", ".join(row["closest"][:3]) or "-"
        env.stdout.write(f"  {row['count']:>3}×  [{row['lang']}] {question}\n")
        env.stdout.write(f"        {strings['report.closest']}: {closest}   ({row['last']})\n")
    env.stdout.write("\n" + strings["report.where"].format(path=log_path(env.environ)) + "\n")
    return ExitStatus.ANSWERED
