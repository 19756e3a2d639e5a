"""State files under hostile state: symlinks planted at their names or their temp names, FIFOs,
files that parse but have the wrong shape. None is followed, none hangs a run, none breaks one."""

from __future__ import annotations

import glob
import json
import marshal
import os
import shutil
import time
from pathlib import Path

import pytest
from conftest import requires_tmux, sensei

from tmux_sensei.index import INDEX_FORMAT, write_cache


def answered(p) -> None:  # type: ignore[no-untyped-def]
    assert p.returncode in (0, 1), p.stderr
    assert b"Traceback" not in p.stderr and b"went wrong" not in p.stderr


# ---------------------------------------------------------------- the index cache


def test_a_symlink_at_the_cache_temp_name_is_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me")
    path = tmp_path / "cache" / "index-en-0000.marshal"
    path.parent.mkdir()
    Path(f"{path}.{os.getpid()}.tmp").symlink_to(victim)  # the name a writer used to pick
    assert write_cache(str(path), {"format": INDEX_FORMAT})
    assert victim.read_bytes() == b"keep me"
    assert marshal.loads(path.read_bytes()) == {"format": INDEX_FORMAT}


def test_a_temp_cache_file_left_by_a_killed_writer_is_removed(warm: Path) -> None:
    cache = warm / "cache"
    for f in cache.glob("index-*.marshal"):
        f.unlink()  # a cold start writes the cache
    left = cache / "index-en-0123abcd.marshal.4242.tmp"
    left.write_bytes(b"half a file")
    old = time.time() - 3600
    os.utime(left, (old, old))
    answered(sensei("ask", "--no-diagnose", "how do I detach?"))
    assert not left.exists()
    assert list(cache.glob("index-en-*.marshal"))


def test_a_cache_of_the_right_format_but_the_wrong_shape_is_rebuilt(warm: Path) -> None:
    for f in glob.glob(str(warm / "cache" / "index-*.marshal")):
        Path(f).write_bytes(marshal.dumps({"format": INDEX_FORMAT, "lang": "en", "ids": 5}))
    p = sensei("ask", "--no-diagnose", "how do I detach?")
    answered(p)
    assert b"C-b d" in p.stdout


# ---------------------------------------------------------------- lessons.json


@pytest.mark.parametrize("content", ["[]", "null", "1e400", '{"first": [1e400, true, "x"]}', "7"])
def test_lessons_json_of_the_wrong_shape_is_no_progress(sensei_home: Path, content: str) -> None:
    path = sensei_home / "data" / "lessons.json"
    path.parent.mkdir(parents=True)
    path.write_text(content)
    p = sensei("learn", "--list")
    assert p.returncode == 0, p.stderr
    assert b"Traceback" not in p.stderr


def test_lessons_json_and_its_temp_name_are_never_followed(
    sensei_home: Path, tmp_path: Path
) -> None:
    from tmux_sensei.learn import load_progress, save_progress

    environ = {"TMUX_SENSEI_HOME": str(sensei_home)}
    victim = tmp_path / "victim"
    victim.write_text('{"basics": [0, 1]}')
    path = sensei_home / "data" / "lessons.json"
    path.parent.mkdir(parents=True)
    Path(f"{path}.{os.getpid()}.tmp").symlink_to(victim)
    save_progress(environ, {"basics": [0]})
    assert victim.read_text() == '{"basics": [0, 1]}'
    assert load_progress(environ) == {"basics": [0]}
    path.unlink()
    path.symlink_to(victim)
    assert load_progress(environ) == {}  # a symlink is not read ...
    save_progress(environ, {"basics": [2]})
    assert victim.read_text() == '{"basics": [0, 1]}'  # ... nor written through
    assert not path.is_symlink() and load_progress(environ) == {"basics": [2]}


def test_a_fifo_at_lessons_json_never_hangs(sensei_home: Path) -> None:
    path = sensei_home / "data" / "lessons.json"
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    p = sensei("learn", "--list", timeout=10)
    assert p.returncode == 0, p.stderr


# ---------------------------------------------------------------- the installed tmux's facts


def facts_path(environ: dict[str, str]) -> Path:
    from zlib import crc32

    from tmux_sensei import tmuxcmd
    from tmux_sensei.paths import state_dirs

    binary = tmuxcmd.tmux_binary(environ)
    assert binary
    st = os.stat(binary)
    key = f"{crc32(f'{binary}|{st.st_size}|{st.st_mtime_ns}'.encode()):08x}"
    return Path(state_dirs(environ).cache) / f"tmux-facts-{key}.json"


@requires_tmux
@pytest.mark.parametrize(
    "content",
    ['{"names": 5, "prefix_keys": {}}', '{"names": ["a"], "prefix_keys": [1]}', "[]", "1e400"],
)
def test_tmux_facts_of_the_wrong_shape_are_asked_again(sensei_home: Path, content: str) -> None:
    from tmux_sensei.installed import installed_facts

    environ = dict(os.environ)
    path = facts_path(environ)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    facts = installed_facts(environ)
    assert facts is not None and isinstance(facts["names"], list) and facts["names"]
    assert json.loads(path.read_text())["names"] == facts["names"]  # replaced


@requires_tmux
def test_a_symlink_at_the_tmux_facts_file_is_not_written_through(
    sensei_home: Path, tmp_path: Path
) -> None:
    from tmux_sensei.installed import installed_facts

    environ = dict(os.environ)
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    path = facts_path(environ)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(victim)
    assert installed_facts(environ) is not None
    assert victim.read_text() == "keep me"


# ---------------------------------------------------------------- knowledge pages


@pytest.fixture
def kb_copy(warm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    kb = tmp_path / "kb"
    shutil.copytree(os.environ["TMUX_SENSEI_KB"], kb)
    monkeypatch.setenv("TMUX_SENSEI_KB", str(kb))
    return kb


def set_front(page: Path, key: str, value: str) -> None:
    text = page.read_text("utf-8")
    lines = [ln for ln in text.split("\n") if not ln.startswith(f"{key} =")]
    lines.insert(1, f"{key} = {value}")
    page.write_text("\n".join(lines), "utf-8")


@pytest.mark.parametrize(("key", "value"), [("tags", "7"), ("needs", '"3.4"'), ("title", "[1]")])
def test_a_page_with_front_matter_of_the_wrong_type_does_not_silence_the_rest(
    kb_copy: Path, key: str, value: str
) -> None:
    set_front(kb_copy / "en" / "panes.md", key, value)
    p = sensei("ask", "--no-diagnose", "how do I detach?")
    answered(p)
    assert b"C-b d" in p.stdout
    p = sensei("kb", "check", timeout=120)
    assert p.returncode == 1, p.stderr
    assert b"Traceback" not in p.stderr and b"went wrong" not in p.stderr
    assert b"panes.md" in p.stdout and key.encode() in p.stdout


def test_fifos_in_the_knowledge_tree_never_hang(kb_copy: Path) -> None:
    os.mkfifo(kb_copy / "en" / "zz-fifo.md")
    os.mkfifo(kb_copy / "extra.toml")
    p = sensei("ask", "--no-diagnose", "how do I detach?", timeout=20)
    answered(p)
    assert b"C-b d" in p.stdout


def test_a_fifo_at_the_cache_path_is_not_waited_on(tmp_path: Path) -> None:
    from tmux_sensei.index import read_cache

    fifo = tmp_path / "index-en-0.marshal"
    os.mkfifo(fifo)
    assert read_cache(str(fifo)) is None  # returns at once: a FIFO is not a cache
    link = tmp_path / "index-ja-0.marshal"
    link.symlink_to(tmp_path / "elsewhere")
    assert read_cache(str(link)) is None
