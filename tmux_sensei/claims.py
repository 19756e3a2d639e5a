"""`tmux-sensei kb claims`: run the pages' behavioural claims on private tmux servers.

A claim file `knowledge/claims/<topic-id>.toml` holds `[[claim]]` tables. Each names the page
sentence it backs (`says`, quoted from the English page), an optional throwaway `config`, an
optional `env` for the client that starts the server, optional `needs = "3.4"`, optional
`programs = ["zsh"]` (other programs its steps run: without one, the claim is skipped), and `steps`:
a list of small tables, each of one kind (see STEP_KINDS) plus optional expectations
(`status`, `equals`, `contains`, `lacks`, `matches`) and `wait` (retry until they hold).

Every claim gets its own directory, its own TMUX_TMPDIR and a unique `-L` name, so no claim can
reach the user's servers or another claim's; each server is ended afterwards. Claims run in a
few threads: each one mostly waits on tmux.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import time
from typing import Any

from tmux_sensei import command

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from tmux_sensei.argv import Parsed
    from tmux_sensei.env import Env

STEP_KINDS = (
    "tmux",  # a tmux command on the claim's server (argv after `tmux -L NAME -f CONF`)
    "option",  # an option's value: show-options -v SCOPE NAME (scope: "-g" unless given)
    "format",  # a format's value: display-message -p [-t target] FORMAT
    "screen",  # a pane's text with its history: capture-pane -p -S - -t TARGET
    "attach",  # a client on a real terminal: these tmux args, run in a pane of a watcher server
    "client",  # that client: "screen" (its terminal's text) or "exit" (waits; status = exit code)
    "type",  # keys pressed on that client's terminal (send-keys arguments)
    "signal",  # send a signal (HUP, INT, TERM, KILL, USR1) to the claim's server
    "socket",  # "exists", "missing", "remove" (the socket file), "remove-dir" (tmux-UID)
    "dir_mode",  # chmod the socket directory (an octal string, e.g. "750")
    "server",  # "running" or "gone": the server process (waits up to the timeout)
    "file",  # write `text` to this name in the claim's directory ({dir}/NAME)
    "run",  # another program (argv), e.g. infocmp; never tmux itself
    "sleep",  # seconds
)
EXPECTATIONS = ("status", "equals", "contains", "lacks", "matches")
STEP_KEYS = frozenset({*STEP_KINDS, *EXPECTATIONS, "wait", "scope", "target", "text"})
CLAIM_KEYS = frozenset({"says", "ja", "config", "env", "needs", "programs", "start", "steps"})
SIGNALS = {"HUP": 1, "INT": 2, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15}
COMMAND_TIMEOUT = 5.0
WAIT_SECONDS = 6.0
WORKERS = 6  # claims mostly wait on tmux; two cores keep six busy


class Claim:
    __slots__ = ("data", "index", "topic")

    def __init__(self, topic: str, index: int, data: dict[str, Any]) -> None:
        self.topic = topic
        self.index = index
        self.data = data

    @property
    def says(self) -> str:
        return str(self.data.get("says", ""))


class StepFailed(Exception):
    pass


# ---------------------------------------------------------------- reading and validating


def claims_dir(kb_root: str) -> str:
    return os.path.join(kb_root, "claims")


def claim_files(kb_root: str) -> list[str]:
    folder = claims_dir(kb_root)
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".toml"))
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names]


def read_claims(path: str) -> list[Claim]:
    import tomllib

    topic = os.path.basename(path)[: -len(".toml")]
    with open(path, "rb") as f:
        data = tomllib.load(f)
    return [Claim(topic, i + 1, dict(c)) for i, c in enumerate(data.get("claim", []))]


def _normal(text: str) -> str:
    return " ".join(text.replace("**", "").replace("`", "").split())


def claim_problems(claim: Claim) -> list[str]:
    """What is wrong with one claim's shape (nothing runs)."""
    problems: list[str] = []
    where = f"claim {claim.index}"
    for key in claim.data:
        if key not in CLAIM_KEYS:
            problems.append(f"{where}: unknown key '{key}'")
    if not claim.says.strip():
        problems.append(f"{where}: 'says' (the page sentence it backs) is missing")
    steps = claim.data.get("steps")
    if not isinstance(steps, list) or not steps:
        return [*problems, f"{where}: 'steps' must be a non-empty list"]
    for n, step in enumerate(steps, 1):
        if not isinstance(step, dict):
            problems.append(f"{where} step {n}: not a table")
            continue
        kinds = [k for k in step if k in STEP_KINDS]
        if len(kinds) != 1:
            problems.append(f"{where} step {n}: needs exactly one of {', '.join(STEP_KINDS)}")
        for key in step:
            if key not in STEP_KEYS:
                problems.append(f"{where} step {n}: unknown key '{key}'")
        run = step.get("run")
        if run is not None and (not isinstance(run, list) or not run or run[0] == "tmux"):
            problems.append(f"{where} step {n}: 'run' is an argv list and never tmux itself")
    return problems


def check_claim_files(kb_root: str, pages: Mapping[str, str]) -> list[str]:
    """Problems of the claim files for `kb check`: a topic that exists, a valid shape, and a
    `says` that the English page really says. `pages` maps topic id to its English body."""
    problems: list[str] = []
    for path in claim_files(kb_root):
        rel = os.path.relpath(path)
        topic = os.path.basename(path)[: -len(".toml")]
        if topic not in pages:
            problems.append(f"{rel}: no topic '{topic}' (claim files are named after a page)")
            continue
        try:
            claims = read_claims(path)
        except (OSError, ValueError) as exc:
            problems.append(f"{rel}: cannot be read: {exc}")
            continue
        if not claims:
            problems.append(f"{rel}: no [[claim]] tables")
        body = _normal(pages[topic])
        for claim in claims:
            problems += [f"{rel}: {p}" for p in claim_problems(claim)]
            if claim.says.strip() and _normal(claim.says) not in body:
                problems.append(f"{rel}: claim {claim.index}: the page never says {claim.says!r}")
    return problems


# ---------------------------------------------------------------- running one claim


def version_tuple(text: str) -> tuple[int, int, str]:
    """The version in tmux -V text: "3.3a" -> (3, 3, "a"); "next-3.6" -> (3, 6, "")."""
    m = re.search(r"(\d+)\.(\d+)([a-z]?)", text)
    return (int(m.group(1)), int(m.group(2)), m.group(3)) if m else (0, 0, "")


class Run:
    """One claim on its own private server (and, for `attach`, a watcher server)."""

    def __init__(self, claim: Claim, base: str, tmux: str, environ: Mapping[str, str]) -> None:
        self.claim = claim
        self.dir = os.path.join(base, "c" + secrets.token_hex(4))
        self.name = f"sc{os.getpid()}{secrets.token_hex(3)}{claim.index}"
        self.watch = self.name + "w"
        self.tmux = tmux
        os.makedirs(os.path.join(self.dir, "home"), exist_ok=True)
        self.conf = os.path.join(self.dir, "tmux.conf")
        self.env = {
            "PATH": environ.get("PATH", os.defpath),
            "HOME": os.path.join(self.dir, "home"),  # no personal rc files in the panes
            "TMUX_TMPDIR": self.dir,
            "SHELL": "/bin/sh",
            "LANG": "C.UTF-8",
            "TERM": "xterm-256color",
        }
        self.env.update({str(k): str(v) for k, v in dict(claim.data.get("env", {})).items()})
        self.socket_dir = os.path.join(self.dir, f"tmux-{os.getuid()}")
        self.socket = os.path.join(self.socket_dir, self.name)
        self.pids: set[int] = set()

    def subst(self, value: Any) -> str:
        return (
            str(value)
            .replace("{dir}", self.dir)
            .replace("{socket}", self.socket)
            .replace("{name}", self.name)
            .replace("{tmux}", self.tmux)
            .replace("{uid}", str(os.getuid()))
        )

    def tmux_cmd(self, args: list[Any], server: str | None = None) -> command.Result:
        name = server or self.name
        conf = self.conf if name == self.name else os.path.join(self.dir, "watch.conf")
        argv = [self.tmux, "-L", name, "-f", conf, *(self.subst(a) for a in args)]
        return command.run(argv, timeout=COMMAND_TIMEOUT, environ=self.env)

    def server_pid(self) -> int | None:
        r = self.tmux_cmd(["display-message", "-p", "#{pid}"])
        if r.ok and r.out.strip().isdigit():
            pid = int(r.out.strip())
            self.pids.add(pid)
            return pid
        return None

    def start(self) -> None:
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(self.subst(self.claim.data.get("config", "")))
        with open(os.path.join(self.dir, "watch.conf"), "w", encoding="utf-8") as f:
            f.write("set -g remain-on-exit on\nset -g status off\n")
        if self.claim.data.get("start", True):
            r = self.tmux_cmd(["new-session", "-d", "-s", "main", "-x", "80", "-y", "24"])
            if not r.ok:
                raise StepFailed(f"the server did not start: {(r.err or r.out).strip()}")
            self.server_pid()

    def finish(self) -> None:
        """End every server this claim started; a failing cleanup must not hide the result."""
        for name in (self.name, self.watch):
            self.tmux_cmd(["kill-server"], server=name)
        for pid in self.pids | set(_our_processes(self.name)):
            try:
                os.kill(pid, SIGNALS["KILL"])
            except OSError:
                pass

    # -------------------------------------------------------------- steps

    def step(self, step: dict[str, Any]) -> tuple[int | None, str]:
        """Perform one step: (status, text) for the expectations."""
        if "tmux" in step:
            r = self.tmux_cmd(list(step["tmux"]))
            return r.code, r.out + r.err
        if "option" in step:
            scope = str(step.get("scope", "-g")).split()
            r = self.tmux_cmd(["show-options", "-v", *scope, step["option"]])
            return r.code, r.out + r.err
        if "format" in step:
            target = ["-t", step["target"]] if "target" in step else []
            r = self.tmux_cmd(["display-message", "-p", *target, step["format"]])
            return r.code, r.out + r.err
        if "screen" in step:
            r = self.tmux_cmd(["capture-pane", "-p", "-S", "-", "-t", step["screen"]])
            return r.code, r.out + r.err
        if "attach" in step:
            client = ["env", "-u", "TMUX", "-u", "TMUX_PANE", self.tmux, "-L", self.name]
            client += ["-f", self.conf, *(self.subst(a) for a in step["attach"])]
            r = self.tmux_cmd(
                ["new-session", "-d", "-s", "w", "-x", "80", "-y", "24", *client], server=self.watch
            )
            end = time.monotonic() + 3  # keys typed before the client is up would reach the pane
            while r.ok and time.monotonic() < end:
                if self.tmux_cmd(["list-clients", "-F", "#{client_session}"]).out.strip():
                    break
                time.sleep(0.05)
            return r.code, r.out + r.err
        if "client" in step:
            fmt = "#{pane_dead} #{pane_dead_status}"
            state = self.tmux_cmd(["display-message", "-p", "-t", "w", fmt], server=self.watch)
            # the client leaves its alternate screen first: its message may be in the history
            text = self.tmux_cmd(
                ["capture-pane", "-p", "-S", "-", "-t", "w"], server=self.watch
            ).out
            if step["client"] == "exit":
                dead, _, status = state.out.strip().partition(" ")
                if dead != "1" or not status:
                    raise _Retry("the client is still running")
                return int(status), text
            return 0, text
        if "type" in step:
            r = self.tmux_cmd(["send-keys", "-t", "w", *map(str, step["type"])], server=self.watch)
            return r.code, r.out + r.err
        if "signal" in step:
            pid = self.server_pid() if not self.pids else max(self.pids)
            if pid is None:
                raise StepFailed("no server to signal")
            os.kill(pid, SIGNALS[str(step["signal"])])
            return 0, ""
        if "socket" in step:
            what = step["socket"]
            if what == "remove":
                os.unlink(self.socket)
            elif what == "remove-dir":
                shutil.rmtree(self.socket_dir)
            elif what in ("exists", "missing") and os.path.exists(self.socket) != (
                what == "exists"
            ):
                raise _Retry(f"the socket file is not {what}")
            return 0, ""
        if "dir_mode" in step:
            os.chmod(self.socket_dir, int(str(step["dir_mode"]), 8))
            return 0, ""
        if "server" in step:
            alive = any(_alive(pid) for pid in self.pids | set(_our_processes(self.name)))
            if alive != (step["server"] == "running"):
                raise _Retry(f"the server is not {step['server']}")
            return 0, ""
        if "file" in step:
            with open(os.path.join(self.dir, str(step["file"])), "w", encoding="utf-8") as f:
                f.write(self.subst(step.get("text", "")))
            return 0, ""
        if "run" in step:
            r = command.run(
                [self.subst(a) for a in step["run"]], timeout=COMMAND_TIMEOUT, environ=self.env
            )
            return r.code, r.out + r.err
        if "sleep" in step:
            time.sleep(float(step["sleep"]))
            return 0, ""
        raise StepFailed("unknown step kind")

    def check(self, step: dict[str, Any], status: int | None, text: str) -> None:
        if "status" in step and status != step["status"]:
            raise _Retry(f"exit status {status}, expected {step['status']}: {text.strip()[:120]}")
        if "equals" in step and text.strip() != self.subst(step["equals"]):
            raise _Retry(f"got {text.strip()[:160]!r}, expected {step['equals']!r}")
        for want in _as_list(step.get("contains")):
            if self.subst(want) not in text:
                raise _Retry(f"{want!r} not in {text.strip()[:200]!r}")
        for unwanted in _as_list(step.get("lacks")):
            if self.subst(unwanted) in text:
                raise _Retry(f"{unwanted!r} found in {text.strip()[:200]!r}")
        if "matches" in step and not re.search(str(step["matches"]), text):
            raise _Retry(f"no match for {step['matches']!r} in {text.strip()[:200]!r}")

    def run_step(self, step: dict[str, Any]) -> None:
        wait = step.get("wait", "client" in step or "server" in step or "socket" in step)
        deadline = time.monotonic() + (WAIT_SECONDS if wait is True else float(wait or 0))
        while True:
            try:
                status, text = self.step(step)
                self.check(step, status, text)
                return
            except _Retry as exc:
                if time.monotonic() >= deadline:
                    raise StepFailed(str(exc)) from None
                time.sleep(0.05)
                if not ("server" in step or "socket" in step):
                    # tmux 3.3a now and then misses the SIGCHLD of a pane's program (it stays a
                    # zombie, and the pane dead without a status); a job ending makes the
                    # server reap every child, as the next event would on a real machine.
                    for name in (self.name, self.watch):
                        self.tmux_cmd(["run-shell", "true"], server=name)


class _Retry(Exception):
    """An expectation not met (yet): a waiting step tries again until its deadline."""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _installed(program: str, environ: Mapping[str, str]) -> bool:
    return command.which(program, path=environ.get("PATH")) is not None


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] not in ("Z", "X")
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True


def _our_processes(name: str) -> list[int]:
    """tmux processes started with our unique -L name (a server's command line is the one of
    the client that started it), so a server whose socket is gone can still be ended."""
    pids = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        # the first -L names the server (a watcher's command line names ours later on)
        if (
            b"-L" in argv[:-1]
            and argv[argv.index(b"-L") + 1] == name.encode()
            and _alive(int(entry))
        ):
            pids.append(int(entry))
    return pids


def run_claim(claim: Claim, base: str, tmux: str, environ: Mapping[str, str]) -> str | None:
    """None when the claim holds, else what went wrong."""
    run = Run(claim, base, tmux, environ)
    try:
        run.start()
        for n, step in enumerate(claim.data.get("steps", []), 1):
            kind = next((k for k in step if k in STEP_KINDS), "?")
            try:
                run.run_step(step)
            except StepFailed as exc:
                return f"step {n} ({kind}): {exc}"
            except OSError as exc:
                return f"step {n} ({kind}): {exc}"
        return None
    except StepFailed as exc:
        return str(exc)
    finally:
        run.finish()


# ---------------------------------------------------------------- the whole set


def run_all(
    kb_root: str, environ: Mapping[str, str], topics: list[str] | None = None
) -> dict[str, Any]:
    """Run every claim: {"claims", "topics", "failed", "skipped"} plus per-topic counts."""
    from concurrent.futures import ThreadPoolExecutor

    tmux = command.which("tmux", path=environ.get("PATH"))
    claims: list[Claim] = []
    for path in claim_files(kb_root):
        claims += read_claims(path)
    if topics:
        claims = [c for c in claims if c.topic in topics]
    result: dict[str, Any] = {
        "claims": len(claims),
        "topics": len({c.topic for c in claims}),
        "failed": [],
        "skipped": [],
    }
    if tmux is None:
        return {**result, "tmux": None, "by_topic": {}}
    version = command.run([tmux, "-V"], timeout=COMMAND_TIMEOUT).out.strip().removeprefix("tmux ")
    have = version_tuple(version)
    todo: list[Claim] = []
    for c in claims:
        needs = c.data.get("needs")
        absent = [p for p in _as_list(c.data.get("programs")) if not _installed(str(p), environ)]
        skip = {"topic": c.topic, "claim": c.index, "says": c.says}
        if needs and version_tuple(str(needs)) > have:
            result["skipped"].append({**skip, "needs": f"tmux {needs}"})
        elif absent:
            result["skipped"].append({**skip, "needs": ", ".join(map(str, absent))})
        else:
            todo.append(c)
    base = tempfile.mkdtemp(prefix="sensei-claims-")
    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            outcomes = list(pool.map(lambda c: run_claim(c, base, tmux, environ), todo))
            # tmux 3.3a has timing races (a missed SIGCHLD, a client still identifying): a claim
            # fails only when a second run on a fresh server fails too
            again = [i for i, problem in enumerate(outcomes) if problem is not None]
            retried = pool.map(lambda i: run_claim(todo[i], base, tmux, environ), again)
            for i, problem in zip(again, retried, strict=True):
                outcomes[i] = problem

    finally:
        shutil.rmtree(base, ignore_errors=True)
    by_topic: dict[str, list[int]] = {}  # topic -> [claims, passed, failed, skipped]
    for c in claims:
        by_topic.setdefault(c.topic, [0, 0, 0, 0])[0] += 1
    for s in result["skipped"]:
        by_topic[s["topic"]][3] += 1
    for c, problem in zip(todo, outcomes, strict=True):
        if problem is None:
            by_topic[c.topic][1] += 1
        else:
            by_topic[c.topic][2] += 1
            result["failed"].append(
                {"topic": c.topic, "claim": c.index, "says": c.says, "detail": problem}
            )
    return {**result, "tmux": version, "by_topic": by_topic}


def cmd_claims(opts: Parsed, env: Env, ui: str) -> int:
    """`kb claims [--json] [--lang en|ja] [TOPIC...]`: exit 0 when every claim holds, else 1."""
    import json

    from tmux_sensei.env import ExitStatus
    from tmux_sensei.loader import knowledge_dir
    from tmux_sensei.locales import strings_for

    as_json, topics = opts.flag("json"), opts.args
    environ = {k: v for k, v in env.environ.items() if k not in ("TMUX", "TMUX_PANE")}
    outcome = run_all(knowledge_dir(env.environ), environ, topics or None)
    failed = bool(outcome["failed"]) or outcome["tmux"] is None
    if as_json:
        keys = ("claims", "topics", "failed", "skipped")
        env.stdout.write(json.dumps({k: outcome[k] for k in keys}, ensure_ascii=False) + "\n")
        return ExitStatus.PROBLEMS_FOUND if failed else ExitStatus.ANSWERED
    strings = strings_for(ui)
    if outcome["tmux"] is None:
        env.stderr.write(strings["claims.no_tmux"] + "\n")
        return ExitStatus.PROBLEMS_FOUND
    env.stdout.write(_table(outcome["by_topic"], strings))
    for f in outcome["failed"]:
        env.stdout.write(
            strings["claims.failed_line"].format(
                topic=f["topic"], claim=f["claim"], says=f["says"], detail=f["detail"]
            )
            + "\n"
        )
    for s in outcome["skipped"]:
        env.stdout.write(
            strings["claims.skipped_line"].format(
                topic=s["topic"], claim=s["claim"], needs=s["needs"]
            )
            + "\n"
        )
    env.stdout.write(
        strings["claims.summary"].format(
            claims=outcome["claims"],
            topics=outcome["topics"],
            failed=len(outcome["failed"]),
            skipped=len(outcome["skipped"]),
            version=outcome["tmux"],
        )
        + "\n"
    )
    return ExitStatus.PROBLEMS_FOUND if failed else ExitStatus.ANSWERED


def _table(by_topic: dict[str, list[int]], strings: Mapping[str, str]) -> str:
    heads = strings["claims.header"].split("|")
    width = max([len(heads[0]), *(len(t) for t in by_topic)])
    lines = [heads[0].ljust(width) + "".join(h.rjust(9) for h in heads[1:])]
    for topic in sorted(by_topic):
        lines.append(topic.ljust(width) + "".join(f"{n:9d}" for n in by_topic[topic]))
    return "\n".join(lines) + "\n"
