"""Speed of tmux-sensei, as ratios against floors measured in the same run.

    python benchmarks/bench_speed.py [--quick]

The floor is the bare interpreter, `sys.executable -c pass` (run this with the venv's python:
a version-manager shim alone costs several times more). Rows:

- `ask --no-diagnose` end to end, warm cache (target <= 3x the floor, each ratio against the
  floor run alternately with it), and cold (first run);
- index load from the cache, and query time on the real knowledge base (target <= 5 ms warm);
- query time on synthetic knowledge bases of 1k and 10k pages (target <= 50 ms at 10k);
- the import-time breakdown of a warm `ask` (python -X importtime).
"""

from __future__ import annotations

import compileall
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmux_sensei.index import Index, build_data  # noqa: E402
from tmux_sensei.loader import open_index  # noqa: E402

QUESTIONS = [
    "why did my tmux session exit while I was away?",
    "なぜ放置してたらセッションが消えたの？",
    "how do I split panes and how do I detach?",
    "コピーモードから抜けられない",
    "tmux mouse scroll not working",
    "history-limit が効かない",
]


def timed_runs(argv: list[str], env: dict[str, str], n: int) -> float:
    """Median wall time of n runs, in milliseconds."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def paired_runs(argv: list[str], env: dict[str, str], n: int) -> tuple[float, float]:
    """Median milliseconds of `argv` and of the bare interpreter, run alternately: this VM's
    speed drifts by half within a minute, and a floor measured apart from its command would
    carry that drift into the ratio."""
    return paired_runs_of(argv, [sys.executable, "-c", "pass"], env, n)


def paired_runs_of(
    argv: list[str], other: list[str], env: dict[str, str], n: int
) -> tuple[float, float]:
    """Median milliseconds of two commands run alternately."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(n):
        for which, cmd in enumerate((argv, other)):
            start = time.perf_counter()
            subprocess.run(
                cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
            )
            times[which].append(time.perf_counter() - start)
    return statistics.median(times[0]) * 1000, statistics.median(times[1]) * 1000


def prompt_ms(argv: list[str], env: dict[str, str], n: int, marker: bytes = b"tmux?") -> float:
    """Median milliseconds from starting the REPL in a pseudo-terminal to its prompt on screen."""
    import pty
    import select

    times = []
    for _ in range(n):
        start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the REPL
            os.execve(argv[0], argv, env)
        seen = b""
        while marker not in seen:
            ready, _, _ = select.select([fd], [], [], 10)
            if not ready:
                break
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
        times.append(time.perf_counter() - start)
        os.write(fd, b"\x04")  # Ctrl-D: goodbye
        try:
            while os.read(fd, 65536):
                pass
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return statistics.median(times) * 1000


def console_script() -> list[str]:
    """The installed entry point if there is one beside this python, else `python -m`."""
    script = Path(sys.executable).with_name("tmux-sensei")
    if script.exists():
        return [sys.executable, str(script)]
    return [sys.executable, "-m", "tmux_sensei"]


class FakePage:
    def __init__(self, pid: str, title: str, questions: list[str], body: str) -> None:
        self.id = pid
        self.title = title
        self.questions = questions
        self.front = {"related": [], "tags": [], "probes": []}
        self.blocks = [("p", body)]


def synthetic_index(n: int, real: Index, seed: int = 7) -> Index:
    """n pages whose words are drawn from the real index's vocabulary (both scripts)."""
    rng = random.Random(seed)
    vocab = [t for t in real.postings if not t.startswith("~")]
    pages = []
    for i in range(n):
        words = rng.choices(vocab, k=120)
        questions = [" ".join(rng.choices(vocab, k=7)) for _ in range(8)]
        pages.append(FakePage(f"t{i}", " ".join(words[:6]), questions, " ".join(words)))
    data = build_data(pages, real.lang, real.synonyms, real.strings)
    return Index(data)


def query_ms(index: Index, questions: list[str], rounds: int) -> tuple[float, float]:
    """(mean, max) milliseconds of one search, over warm repeated rounds."""
    for q in questions:
        index.search(q)  # warm: idf cache, typo vocabulary
    samples = []
    for _ in range(rounds):
        for q in questions:
            start = time.perf_counter()
            index.search(q)
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.mean(samples), max(samples)


def importtime(cmd: list[str], env: dict[str, str]) -> list[tuple[int, str]]:
    p = subprocess.run(
        [cmd[0], "-X", "importtime", *cmd[1:]], env=env, capture_output=True, text=True
    )
    rows = []
    for line in p.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            try:
                rows.append((int(cumulative), name.rstrip()))
            except ValueError:
                continue
    top_level = [(us, name.strip()) for us, name in rows if not name.startswith("  ")]
    return sorted(top_level, reverse=True)[:8]


def main() -> int:
    quick = "--quick" in sys.argv
    # pip compiles an installed package to bytecode; an editable checkout (or a machine with
    # PYTHONDONTWRITEBYTECODE) may not have it, and then every run would compile from source.
    compileall.compile_dir(str(ROOT / "tmux_sensei"), quiet=1)
    n = 10 if quick else 30
    home = tempfile.mkdtemp(prefix="sensei-bench-")
    env = dict(os.environ, TMUX_SENSEI_HOME=home, NO_COLOR="1")
    try:
        floor = timed_runs([sys.executable, "-c", "pass"], env, n)
        ask = [*console_script(), "ask", "--no-diagnose", QUESTIONS[0]]
        cold_times = []
        for _ in range(3 if quick else 5):
            shutil.rmtree(os.path.join(home, "cache"), ignore_errors=True)
            cold_times.append(timed_runs(ask, env, 1))
        cold = statistics.median(cold_times)
        warm_en, floor_en = paired_runs(ask, env, n)
        ja = [*console_script(), "ask", "--no-diagnose", QUESTIONS[1]]
        warm_ja, floor_ja = paired_runs(ja, env, n)
        json_ask = [*console_script(), "ask", "--json", "--no-diagnose", QUESTIONS[0]]
        warm_json, floor_json = paired_runs(json_ask, env, n)
        # the probes' share: ask with and without them, alternately
        probes_en, warm_en2 = paired_runs_of([*console_script(), "ask", QUESTIONS[0]], ask, env, n)
        pt_import = timed_runs([sys.executable, "-c", "import prompt_toolkit"], env, n)
        prompt = prompt_ms(console_script(), dict(env, TERM="xterm-256color"), max(5, n // 3))
        doctor = timed_runs([*console_script(), "doctor"], env, n)

        loads = []
        for _ in range(n):
            start = time.perf_counter()
            open_index("en", env)
            loads.append((time.perf_counter() - start) * 1000)
        load_ms = statistics.median(loads)

        real_en, real_ja = open_index("en", env), open_index("ja", env)
        q_en = query_ms(real_en, [q for q in QUESTIONS if q.isascii()], 50)
        q_ja = query_ms(real_ja, [q for q in QUESTIONS if not q.isascii()], 50)
        synth = {}
        for size in (1000, 10000):
            start = time.perf_counter()
            index = synthetic_index(size, real_en)
            build_s = time.perf_counter() - start
            synth[size] = (query_ms(index, QUESTIONS, 3 if quick else 10), build_s)
        imports = importtime([*console_script(), "ask", "--no-diagnose", QUESTIONS[0]], env)
    finally:
        shutil.rmtree(home, ignore_errors=True)

    rows = [
        ("floor: python -c pass (apart)", floor, "1.00x", ""),
        ("floor beside ask en / ja", floor_en, f"{floor_ja:.2f} ms", ""),
        ("ask --no-diagnose (en, warm)", warm_en, f"{warm_en / floor_en:.2f}x", "<= 3x"),
        ("ask --no-diagnose (ja, warm)", warm_ja, f"{warm_ja / floor_ja:.2f}x", "<= 3x"),
        ("ask --json --no-diagnose (warm)", warm_json, f"{warm_json / floor_json:.2f}x", ""),
        ("ask with its probes (en, warm)", probes_en, f"{probes_en / floor:.2f}x", ""),
        (
            "  probes added over --no-diagnose",
            probes_en - warm_en2,
            f"{(probes_en - warm_en2) / floor:.2f}x",
            "<= 2x",
        ),
        ("doctor (every probe)", doctor, f"{doctor / floor:.2f}x", ""),
        ("floor 2: python -c 'import prompt_toolkit'", pt_import, "1.00x", ""),
        ("REPL: prompt on screen (pty)", prompt, f"{prompt / pt_import:.2f}x pt", "<= 1.5x pt"),
        ("ask --no-diagnose (cold cache)", cold, f"{cold / floor:.2f}x", ""),
        ("index load from cache (in-process)", load_ms, f"{load_ms / floor:.2f}x", ""),
        ("query, real KB en (mean/max)", q_en[0], f"max {q_en[1]:.2f} ms", "<= 5 ms"),
        ("query, real KB ja (mean/max)", q_ja[0], f"max {q_ja[1]:.2f} ms", "<= 5 ms"),
    ]
    for size, ((mean, worst), _build_s) in synth.items():
        rows.append(
            (
                f"query, synthetic {size // 1000}k pages (mean/max)",
                mean,
                f"max {worst:.1f} ms",
                "<= 50 ms" if size == 10000 else "",
            )
        )
    print(f"python: {sys.executable} ({sys.version.split()[0]})")
    print(f"{'measure':<40} {'ms':>8} {'ratio':>12} {'target':>9}")
    print("-" * 72)
    for name, ms, ratio, target in rows:
        print(f"{name:<40} {ms:8.2f} {ratio:>12} {target:>9}")
    print("\nimport time of a warm ask (top-level modules, cumulative):")
    for us, name in imports:
        print(f"  {us / 1000:6.2f} ms  {name}")
    if "--json" in sys.argv:
        print(json.dumps({name: round(ms, 3) for name, ms, _, _ in rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
