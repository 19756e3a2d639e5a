"""Give each new row of the real-question sets its split, once, by a seeded hash of its source.

    python tests/eval/split.py FILE.jsonl [...]

A row keeps the split it has: the test split is frozen the day a row joins the set, before any
tuning, and nothing is ever moved between splits. A new row gets `test` with probability 0.4
(more than the third the measure needs), decided by sha256(SEED + source), so the draw is random
but repeatable and does not depend on the order or the number of rows.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

SEED = "tmux-sensei real questions 2026-12-02"
TEST_SHARE = 0.4


def draw(key: str) -> str:
    digest = hashlib.sha256((SEED + key).encode("utf-8")).digest()
    return "test" if int.from_bytes(digest[:8], "big") / 2**64 < TEST_SHARE else "dev"


def assign(path: Path) -> tuple[int, int]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    new = 0
    for row in rows:
        if row.get("split") not in ("dev", "test"):
            source = str(row.get("source") or "")
            row["split"] = draw(row["q"] if source in ("", "own") else source)
            new += 1
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return new, len(rows)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        new, total = assign(Path(name))
        print(f"{name}: {new} new rows drawn, {total} in all")
