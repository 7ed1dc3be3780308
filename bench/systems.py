"""Starting and stopping the two HTTP systems under test, and watching their memory.

- this service: uvicorn on loopback with N workers (bench/service.py);
- @neo4j/graphql 7 on Node.js (bench/neo4j-graphql/server.mjs), N processes too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from graph.settings import ROOT

NODE_DIR = ROOT / "bench" / "neo4j-graphql"
LOGS = ROOT / "data" / "bench" / "logs"


@dataclass
class Server:
    name: str
    url: str  # the GraphQL endpoint
    health: str  # a URL that answers 200 once it serves
    process: subprocess.Popen
    log: Path

    def wait(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited ({self.process.returncode}); see {self.log}")
            try:
                with urllib.request.urlopen(self.health, timeout=2) as answer:
                    if answer.status < 500:
                        return
            except urllib.error.HTTPError as exc:  # an answer all the same
                if exc.code < 500:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"{self.name} did not answer within {timeout:.0f}s; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _spawn(
    name: str, cmd: list[str], env: dict[str, str], cwd: Path
) -> tuple[subprocess.Popen, Path]:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return process, log


def start_ours(
    bolt_uri: str, port: int, workers: int, pool_size: int, extra_env: dict[str, str] | None = None
) -> Server:
    env = {
        **os.environ,
        "NEO4J_URI": bolt_uri,
        "NEO4J_PASSWORD": "",
        "NEO4J_POOL_SIZE": str(pool_size),
        "QUERY_TIMEOUT_S": "60",
        **(extra_env or {}),
    }
    cmd = [sys.executable, "-m", "bench.service", "--port", str(port), "--workers", str(workers)]
    process, log = _spawn("ours", cmd, env, ROOT)
    base = f"http://127.0.0.1:{port}"
    return Server("this service", f"{base}/graphql", f"{base}/health", process, log)


def ensure_node_modules(log=print) -> None:
    if (NODE_DIR / "node_modules" / "@neo4j" / "graphql").exists():
        return
    log("installing @neo4j/graphql and Apollo Server from the npm registry (npm ci) ...")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)


def start_neo4j_graphql(
    bolt_uri: str, port: int, workers: int, pool_size: int, extra_env: dict[str, str] | None = None
) -> Server:
    env = {
        **os.environ,
        "NEO4J_URI": bolt_uri,
        "PORT": str(port),
        "WORKERS": str(workers),
        "NEO4J_POOL_SIZE": str(pool_size),
        "NODE_ENV": "production",
        **(extra_env or {}),
    }
    process, log = _spawn("neo4j-graphql", ["node", "server.mjs"], env, NODE_DIR)
    base = f"http://127.0.0.1:{port}"
    # Apollo answers a GET without a query with 400: enough to know it serves.
    return Server("@neo4j/graphql", f"{base}/", f"{base}/?query=%7B__typename%7D", process, log)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class MemoryWatch:
    """Samples the resident memory of a process and all its descendants every `every`
    seconds: the peak of their sum and of any one of them."""

    pid: int
    every: float = 0.2
    peak_total_kb: int = 0
    peak_process_kb: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> None:
        tree, pids, todo = _children(), [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo += tree.get(pid, [])
        sizes = [_rss_kb(p) for p in pids]
        self.peak_total_kb = max(self.peak_total_kb, sum(sizes))
        self.peak_process_kb = max(self.peak_process_kb, max(sizes, default=0))

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def start(self) -> MemoryWatch:
        self.sample()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.sample()
