"""The bottom layer every command shares: the outside world of one run (`Env`), the exit codes
(`ExitStatus`) and the usage error. It imports nothing of the package, so anyone may import it."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import BinaryIO, TextIO


class ExitStatus:
    ANSWERED = 0
    NO_CONFIDENT_ANSWER = 1
    PROBLEMS_FOUND = 1
    USAGE = 2
    INTERNAL = 70  # EX_SOFTWARE: a bug of ours, reported in one line
    OUTPUT = 74  # EX_IOERR: stdout cannot be written (a full disk, /dev/full)
    INTERRUPTED = 130


class Env:
    """The outside world of one run: streams, whether stdout is a terminal, the environment."""

    __slots__ = ("environ", "stderr", "stdin", "stdout", "stdout_isatty")

    def __init__(
        self,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
        stdout_isatty: bool | None = None,
        stdin: BinaryIO | None = None,
    ) -> None:
        self.stdin = stdin  # None: the process's own (binary) stdin
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.environ: Mapping[str, str] = environ if environ is not None else os.environ
        if stdout_isatty is None:
            try:
                stdout_isatty = self.stdout.isatty()
            except (AttributeError, ValueError):
                stdout_isatty = False
        self.stdout_isatty = stdout_isatty


class UsageError(Exception):
    """A wrong command line: one localized line (`key` in locales/, formatted with `values`)."""

    def __init__(self, key: str, **values: str) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def terminal_columns(env: Env) -> int:
    try:
        return os.get_terminal_size(env.stdout.fileno()).columns
    except (OSError, AttributeError, ValueError):
        try:
            return int(env.environ.get("COLUMNS", "80"))
        except ValueError:
            return 80
