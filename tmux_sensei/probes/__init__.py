"""Live checks of this machine (the next issue fills this package: one module per probe).

`run_for_topics(names, lang)` is the one entry point the answer path calls, with the probe names
that the answered topics list; it returns findings as dicts with the keys
probe, status (ok|warn|problem|unknown), summary and detail.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def run_for_topics(names: list[str], lang: str) -> list[dict[str, Any]]:
    """No probe exists yet, so nothing is claimed about this machine."""
    return []
