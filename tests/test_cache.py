"""The index is cached: a warm `ask` parses nothing and imports only what it needs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

PROBE = """
import io, sys
from tmux_sensei.cli import Env, main
code = main(["ask", "--no-diagnose", sys.argv[1]], Env(io.StringIO(), io.StringIO(), None, False))
heavy = [m for m in ("markdown_it", "tomllib", "rapidfuzz", "prompt_toolkit", "psutil", "json",
                     "argparse", "platformdirs", "re", "pathlib", "subprocess") if m in sys.modules]
print(code, ",".join(heavy))
"""


def run_probe(question: str, env: dict[str, str]) -> tuple[int, set[str]]:
    p = subprocess.run(
        [sys.executable, "-c", PROBE, question],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    code, heavy = p.stdout.split()[0], p.stdout.split()[1:]
    return int(code), set(heavy[0].split(",")) if heavy else set()


def test_warm_ask_imports_nothing_heavy() -> None:
    env = dict(os.environ)
    code, cold = run_probe("how do I detach?", env)
    assert code == 0 and {"markdown_it", "tomllib"} <= cold  # cold: the pages were parsed
    code, warm = run_probe("how do I detach?", env)
    assert code == 0 and warm == set(), warm


def test_typo_loads_rapidfuzz_only_then() -> None:
    env = dict(os.environ)
    run_probe("warm up", env)
    _, heavy = run_probe("how do I detatch from tmux", env)
    assert "rapidfuzz" in heavy and "markdown_it" not in heavy


def test_cache_is_rebuilt_when_a_page_changes(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(REPO / "knowledge", kb)
    env = dict(os.environ, TMUX_SENSEI_KB=str(kb))
    run_probe("how do I detach?", env)
    cache = Path(os.environ["TMUX_SENSEI_HOME"]) / "cache"
    before = sorted(p.name for p in cache.glob("index-*"))
    page = kb / "en" / "detach-attach.md"
    page.write_text(
        page.read_text("utf-8").replace("+++\n**", "+++\n**Freshly edited. ", 1), "utf-8"
    )
    _, heavy = run_probe("how do I detach?", env)
    after = sorted(p.name for p in cache.glob("index-*"))
    assert "markdown_it" in heavy and before != after
    assert len(after) == 2  # the stale files were removed: one per language


def test_corrupt_cache_is_rebuilt_quietly() -> None:
    env = dict(os.environ)
    run_probe("how do I detach?", env)
    cache = Path(os.environ["TMUX_SENSEI_HOME"]) / "cache"
    for f in cache.glob("index-*"):
        f.write_bytes(b"garbage")
    code, heavy = run_probe("how do I detach?", env)
    assert code == 0 and "markdown_it" in heavy


def test_the_fingerprint_reads_only_what_the_index_is_built_from() -> None:
    """Claims and the glossary feed `kb claims` and `explain`, not the index: stat'ing their
    files on every start only cost time, and editing them must not rebuild the index."""
    from conftest import REPO

    from tmux_sensei.index import source_files

    files = source_files(str(REPO / "knowledge"), str(REPO / "locales"))
    assert any(f.endswith("/en/detach-attach.md") for f in files)
    assert any(f.endswith("synonyms.toml") for f in files)
    assert any(f.endswith("locales/ja.toml") for f in files)
    assert not any("/claims/" in f or "/glossary/" in f for f in files)
