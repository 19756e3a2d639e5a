"""Retrieval quality: hit rates per language on question sets, with the misses listed.

    python benchmarks/eval_retrieval.py [--misses] [FILE.jsonl ...]

Default sets: ../shared/eval/dev.jsonl (when present) and tests/eval/questions.jsonl.
A hit follows ../shared/eval/README.md: `tmux-sensei ask --json --no-diagnose` answers in the
expected language and what a person reads (text, answers[].text, findings) names every `must`
entry (alternatives split by "|"; short or flag-like alternatives only as whole tokens).
Rows with `"topic": null` are questions the knowledge base must decline: a hit there is an
answer with exit status 1 (not confident). Questions run in-process through `cli.main`, which
prints exactly what the command prints.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmux_sensei.cli import Env, main  # noqa: E402

DEFAULT_SETS = [
    ROOT.parent / "shared" / "eval" / "dev.jsonl",
    ROOT / "tests" / "eval" / "questions.jsonl",
    ROOT / "tests" / "eval" / "questions-breadth.jsonl",
]


def found(alt: str, low: str) -> bool:
    alt = alt.strip().lower()
    if len(alt) <= 3 or re.fullmatch(r"-{1,2}[\w-]+", alt):
        pattern = r"(?<![A-Za-z0-9_-])" + re.escape(alt) + r"(?![A-Za-z0-9_])"
        return re.search(pattern, low) is not None
    return alt in low


def ask(question: str, environ: dict[str, str]) -> tuple[int, dict[str, object] | None]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["ask", "--json", "--no-diagnose", question], Env(out, err, environ, False))
    try:
        return code, json.loads(out.getvalue())
    except ValueError:
        return code, None


def readable_text(doc: dict[str, object]) -> str:
    parts = [str(doc.get("text") or "")]
    for a in doc.get("answers") or []:  # type: ignore[union-attr]
        parts.append(str(a.get("text") or ""))
    for f in doc.get("findings") or []:  # type: ignore[union-attr]
        parts += [str(f.get("summary") or ""), str(f.get("detail") or "")]
    return "\n".join(parts).lower()


def evaluate(
    path: Path, environ: dict[str, str]
) -> tuple[dict[str, list[int]], list[str], dict[str, list[int]]]:
    score: dict[str, list[int]] = {}
    topic_score: dict[str, list[int]] = {}
    misses: list[str] = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        code, doc = ask(row["q"], environ)
        lang = row["lang"]
        negative = "topic" in row and row["topic"] is None
        if doc is None:
            ok = False
        elif negative:
            ok = code == 1 and doc.get("lang") == lang
        else:
            low = readable_text(doc)
            ok = doc.get("lang") == lang and all(
                any(found(a, low) for a in m.split("|")) for m in row["must"]
            )
            if row.get("topic"):
                got = [a.get("topic") for a in doc.get("answers") or []]  # type: ignore[union-attr]
                t = topic_score.setdefault(lang, [0, 0])
                t[0] += row["topic"] in got
                t[1] += 1
        key = lang + (" (decline)" if negative else "")
        s = score.setdefault(key, [0, 0])
        s[0] += ok
        s[1] += 1
        if not ok:
            got = ",".join(str(a.get("topic")) for a in (doc or {}).get("answers") or []) or "-"  # type: ignore[union-attr]
            want = row.get("topic", "?")
            misses.append(f"  [{lang}] {row['q'][:80]!r} want={want} got={got} must={row['must']}")
    return score, misses, topic_score


def main_cli() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    show_misses = "--misses" in sys.argv
    sets = [Path(a) for a in args] or [p for p in DEFAULT_SETS if p.exists()]
    with tempfile.TemporaryDirectory() as home:
        environ = dict(os.environ, TMUX_SENSEI_HOME=home, NO_COLOR="1")
        for path in sets:
            score, misses, topic_score = evaluate(path, environ)
            print(f"\n{path.name}")
            print(f"  {'set':<16} {'hits':>7} {'rate':>7}")
            for key, (hit, total) in sorted(score.items()):
                print(f"  {key:<16} {hit:>3}/{total:<3} {100 * hit / total:6.1f}%")
            for key, (hit, total) in sorted(topic_score.items()):
                print(f"  {key + ' topic':<16} {hit:>3}/{total:<3} {100 * hit / total:6.1f}%")
            if show_misses and misses:
                print("  misses:")
                print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main_cli())
