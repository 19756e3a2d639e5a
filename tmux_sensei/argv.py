"""The command line's grammar: options and their help."""

from __future__ import annotations

from tmux_sensei.env import ExitStatus, UsageError
from tmux_sensei.locales import safe_value, strings_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tmux_sensei.env import Env


def lang_option(arg: str, args: list[str], i: int) -> tuple[str, int]:
    """`--lang X` or `--lang=X` at args[i-1]: the language and the index after the option."""
    if "=" in arg:
        value = arg.split("=", 1)[1]
    elif i < len(args):
        value, i = args[i], i + 1
    else:
        raise UsageError("errors.missing_value", option="--lang")
    if value not in ("en", "ja"):
        raise UsageError("errors.unknown_lang", value=safe_value(value))
    return value, i


def show_help(env: Env, lang: str, which: str) -> int:
    text = strings_for(lang).get(f"help.{which}", "")
    env.stdout.write(text.replace("{version}", version()).strip("\n") + "\n")
    return ExitStatus.ANSWERED


def version() -> str:
    from tmux_sensei import __version__

    return __version__
