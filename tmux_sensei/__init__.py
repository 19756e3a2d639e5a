"""tmux-sensei: a bilingual tmux Q&A assistant.

Kept import-free on purpose: the console script imports this package first, and every
millisecond here is paid by each `tmux-sensei ask`.
"""

__version__ = "0.1.0"
