"""The unanswered log under hostile state: concurrent writers, cut lines, sparse and huge files,
symlinks, FIFOs and lines of the wrong shape. Nothing is lost, nothing followed, nothing hangs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, sensei

TRIM_AT = 5000 * 400  # report.TRIM_AT: past this size the log is trimmed
KEEP_BYTES = TRIM_AT // 2  # report.KEEP_BYTES: to at most this

DECLINED = "kubernetes helm chart"


def log_file(home: Path) -> Path:
    return home / "data" / "unanswered.jsonl"


def entries(path: Path) -> list[dict[str, object]]:
    out = []
    for line in path.read_bytes().split(b"\n"):
        if line:
            out.append(json.loads(line))  # every line is one whole entry
    return out


def filler(n: int, size: int = 390) -> bytes:
    lines = []
    for i in range(n):
        entry = {"time": "2024-01-01T00:00:00", "lang": "en", "question": "", "closest": []}
        entry["question"] = f"old question {i} " + "x" * (size - 90)
        lines.append(json.dumps(entry).encode() + b"\n")
    return b"".join(lines)


def test_fifty_concurrent_declined_asks_near_the_trim_size_keep_fifty(warm: Path) -> None:
    path = log_file(warm)
    path.parent.mkdir(parents=True)
    data = filler(TRIM_AT // 390)
    path.write_bytes(data[: data.rfind(b"\n", 0, TRIM_AT - 2000) + 1])  # just under the trim
    env = dict(os.environ)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tmux_sensei", "ask", "--no-diagnose", f"{DECLINED} {i}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=REPO,
        )
        for i in range(50)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 1, err
    assert b"\0" not in path.read_bytes()
    questions = [str(e["question"]) for e in entries(path)]
    for i in range(50):
        assert f"{DECLINED} {i}" in questions, i
    assert path.stat().st_size <= TRIM_AT


def test_an_entry_after_a_cut_last_line_starts_on_its_own_line(warm: Path) -> None:
    path = log_file(warm)
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"time": "2024", "lang": "en", "question": "cut sho')
    assert sensei("ask", "--no-diagnose", f"{DECLINED} after").returncode == 1
    lines = path.read_bytes().split(b"\n")
    assert json.loads(lines[1])["question"] == f"{DECLINED} after"
    doc = json.loads(sensei("report", "--json").stdout)
    assert [row["question"] for row in doc] == [f"{DECLINED} after"]


def test_a_sparse_huge_log_is_trimmed_from_its_tail_once(warm: Path) -> None:
    path = log_file(warm)
    path.parent.mkdir(parents=True)
    with open(path, "wb") as f:
        f.truncate(200 * 1024 * 1024)  # 200 MB of holes
    p = sensei("ask", "--no-diagnose", f"{DECLINED} sparse", timeout=20)
    assert p.returncode == 1
    st = path.stat()
    assert st.st_size <= KEEP_BYTES
    assert [e["question"] for e in entries(path)] == [f"{DECLINED} sparse"]
    # below the trim size an ask only appends: the file is not rewritten
    sensei("ask", "--no-diagnose", f"{DECLINED} again")
    assert path.stat().st_ino == st.st_ino
    assert len(entries(path)) == 2


def test_a_trim_keeps_the_newest_entries_and_drops_garbage(warm: Path) -> None:
    path = log_file(warm)
    path.parent.mkdir(parents=True)
    path.write_bytes(filler(TRIM_AT // 390 + 10) + b"\0\0\0\n")
    sensei("ask", "--no-diagnose", f"{DECLINED} newest")
    kept = entries(path)
    assert kept[-1]["question"] == f"{DECLINED} newest"
    assert path.stat().st_size <= KEEP_BYTES
    assert str(kept[-2]["question"]).startswith(f"old question {TRIM_AT // 390 + 9} ")


def test_a_symlinked_log_is_not_followed(warm: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    body = b"".join(b"precious line %d\n" % i for i in range(6000)) + b"x" * TRIM_AT
    victim.write_bytes(body)
    path = log_file(warm)
    path.parent.mkdir(parents=True)
    path.symlink_to(victim)
    p = sensei("ask", "--no-diagnose", f"{DECLINED} link")
    assert p.returncode == 1 and b"Traceback" not in p.stderr
    assert victim.read_bytes() == body
    assert path.is_symlink()
    p = sensei("report", "--json")
    assert p.returncode == 0 and json.loads(p.stdout) == []


def test_a_symlinked_lock_file_is_not_followed(warm: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"keep me")
    path = log_file(warm)
    path.parent.mkdir(parents=True)
    Path(str(path) + ".lock").symlink_to(victim)
    assert sensei("ask", "--no-diagnose", f"{DECLINED} lock").returncode == 1
    assert victim.read_bytes() == b"keep me"


def test_a_fifo_at_the_log_path_never_hangs(warm: Path) -> None:
    path = log_file(warm)
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    p = sensei("ask", "--no-diagnose", f"{DECLINED} fifo", timeout=10)
    assert p.returncode == 1 and b"Traceback" not in p.stderr
    p = sensei("report", timeout=10)
    assert p.returncode == 0


def test_log_lines_of_the_wrong_shape_are_skipped_or_mended(warm: Path) -> None:
    path = log_file(warm)
    path.parent.mkdir(parents=True)
    lines = [
        {"time": "t1", "lang": "en", "question": "closest is null", "closest": None},
        {"time": 5, "lang": ["x"], "question": "wrong types", "closest": [1, "panes", None]},
        {"question": 7},
        [1, 2],
        "a string",
        {"time": "t2", "lang": "en", "question": "fine", "closest": ["panes"]},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n[[[[[[[[[[\n" + "[" * 100000)
    p = sensei("report")
    assert p.returncode == 0, p.stderr
    for q in (b"closest is null", b"wrong types", b"fine"):
        assert q in p.stdout
    doc = json.loads(sensei("report", "--json").stdout)
    assert sorted(r["question"] for r in doc) == ["closest is null", "fine", "wrong types"]
    assert all(isinstance(c, str) for r in doc for c in r["closest"])


def test_report_prints_crafted_fields_without_controls(warm: Path) -> None:
    path = log_file(warm)
    path.parent.mkdir(parents=True)
    evil = "\x1b]0;pwned\x07\x9b2J\u2066\u061c"
    entry = {"time": evil + "t", "lang": evil + "en", "question": "q" + evil, "closest": [evil]}
    path.write_text(json.dumps(entry, ensure_ascii=False) + "\n")
    for args in (["report"], ["report", "--json"]):
        p = sensei(*args)
        assert p.returncode == 0
        text = p.stdout.decode("utf-8")
        assert not any(c in text for c in "\x1b\x07\x9b\u2066\u061c"), args
        assert "pwned" not in text or args == ["report"] or "\\u001b" not in text
