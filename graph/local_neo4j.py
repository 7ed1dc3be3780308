"""Builds and runs the project's own local Neo4j (Community 5.26 LTS, from Maven Central).

`launcher/` holds a pom.xml and one launcher class; `mvn package` resolves Neo4j and copies
its jars to launcher/target/lib, and the JVM runs with a plain `lib/*` classpath.

One Neo4j per data directory, and one owner: whoever starts it takes an exclusive lock
(flock) on `<data_dir>/neo4j.lock` and hands the locked file to the Java process, which
holds it for as long as it lives (the lock goes when the process ends, however it ends,
zombie included). So "is it running?" is answered by the lock, never by a pid alone;
`neo4j.pid` (pid and port) says which process it is. Anyone may stop it: the pid is
signalled only when its command line is this data directory's launcher.

Neo4j requires a password: `<data_dir>/neo4j-password` (made with `secrets` on the first
start, owner-only), which the launcher reads from that file and sets before it opens
Bolt (see launcher/src/main/java/kg/Launcher.java).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from graph.settings import ROOT, Settings

LAUNCHER_DIR = ROOT / "launcher"
LIB_DIR = LAUNCHER_DIR / "target" / "lib"
LAUNCHER_JAR = LAUNCHER_DIR / "target" / "neo4j-launcher-1.0.0.jar"
STAMP = LAUNCHER_DIR / "target" / ".built"
LAUNCHER_CLASS = "kg.Launcher"

JVM_FLAGS = [
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-XX:+UseG1GC",
    "-XX:+ExitOnOutOfMemoryError",
]


class Neo4jStartError(RuntimeError):
    pass


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (LAUNCHER_DIR / "pom.xml", *sorted(LAUNCHER_DIR.glob("src/**/*.java"))):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_launcher(log=print) -> None:
    """Resolve Neo4j's jars and compile the launcher, once (again when they change)."""
    fingerprint = _fingerprint()
    if STAMP.exists() and STAMP.read_text() == fingerprint and LAUNCHER_JAR.exists():
        return
    if shutil.which("mvn") is None:
        raise Neo4jStartError("Maven (mvn) is needed to fetch Neo4j; install it first.")
    log("Fetching Neo4j from Maven Central and building the launcher (first run only)...")
    subprocess.run(["mvn", "-q", "-B", "package", "-DskipTests"], cwd=LAUNCHER_DIR, check=True)
    STAMP.write_text(fingerprint)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


# --- processes, from /proc ---------------------------------------------------------------


def process_alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (exited, not yet reaped by its parent) is not alive,
    although `os.kill(pid, 0)` succeeds on it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc here: the signal test is all there is
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X", "x")


def command_line(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _is_launcher_for(pid: int, home: Path) -> bool:
    args = command_line(pid)
    return LAUNCHER_CLASS in args and str(home) in args and process_alive(pid)


def _pids() -> list[int]:
    with contextlib.suppress(OSError), os.scandir("/proc") as entries:
        return [int(entry.name) for entry in entries if entry.name.isdigit()]
    return []


def launchers_for(home: Path) -> list[int]:
    """Live launcher processes of the store at `home`, whoever started them."""
    return [pid for pid in _pids() if _is_launcher_for(pid, home)]


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10:
                continue
            # local address "0100007F:1E61" (hex port), state 0A = LISTEN, inode.
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if fields[3] == "0A" and local_port == port:
                inodes.add(fields[9])
    return inodes


def port_holder(port: int) -> int | None:
    """The pid of the process listening on the loopback `port`, when it can be seen
    (a process of another user cannot: None)."""
    sockets = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if not sockets:
        return None
    for pid in _pids():
        with contextlib.suppress(OSError), os.scandir(f"/proc/{pid}/fd") as fds:
            for fd in fds:
                with contextlib.suppress(OSError):
                    if os.readlink(fd.path) in sockets:
                        return pid
    return None


def describe_process(pid: int | None) -> str:
    """`pid 1234 (python3 -c ...)`, a launcher named by its store, or "another program"."""
    if pid is None:
        return "another program"
    args = command_line(pid)
    if LAUNCHER_CLASS in args:
        index = args.index(LAUNCHER_CLASS)
        store = args[index + 1] if index + 1 < len(args) else "?"
        return f"a local Neo4j, pid {pid}, store {store}"
    text = " ".join(Path(args[0]).name if i == 0 else arg for i, arg in enumerate(args))
    text = " ".join(text.split())  # one line, whatever the arguments hold
    if len(text) > 80:
        text = text[:77] + "..."
    return f"pid {pid} ({text or 'unknown command'})"


def _port_taken(port: int) -> str:
    return (
        f"Port {port} is taken by {describe_process(port_holder(port))}; set LOCAL_NEO4J_PORT "
        "to a free port, or NEO4J_URI to use that Neo4j instead."
    )


# --- the local Neo4j -------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    pid: int | None  # the running Neo4j of this data directory
    port: int | None  # its Bolt port (from its pid file)
    answering: bool  # its port accepts connections
    port_holder: str | None  # not running: who holds the configured port, if anyone

    def __str__(self) -> str:
        if self.pid is not None:
            where = f"bolt://127.0.0.1:{self.port}" if self.port else "port unknown"
            state = "running" if self.answering else "starting (Bolt not answering yet)"
            return f"{state}, pid {self.pid}, {where}"
        if self.port_holder is not None:
            return f"not running; its port is taken by {self.port_holder}"
        return "not running"


@dataclass
class LocalNeo4j:
    settings: Settings
    process: subprocess.Popen | None = None
    # A directory of plugin jars (the benchmark's APOC core), put on the classpath, as the
    # server's plugins/ is, and scanned for procedures; `make run` and the tests load none.
    plugins: Path | None = None

    @property
    def home(self) -> Path:
        return (self.settings.data_dir / "neo4j").resolve()

    @property
    def pid_file(self) -> Path:
        return self.settings.data_dir / "neo4j.pid"

    @property
    def lock_file(self) -> Path:
        return self.settings.data_dir / "neo4j.lock"

    @property
    def log_file(self) -> Path:
        return self.settings.data_dir / "neo4j.log"

    @property
    def password_file(self) -> Path:
        return self.settings.local_password_file

    # -- ownership

    def _lock(self, attempts: int = 1) -> int | None:
        """The lock file's descriptor, locked, or None when a running Neo4j holds it.
        (Another process testing the lock holds it for an instant: `attempts` rides that.)"""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        for attempt in range(attempts):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if attempt + 1 < attempts:
                    time.sleep(0.05)
        os.close(fd)
        return None

    def _recorded(self) -> tuple[int | None, int | None]:
        """(pid, port) from the pid file; a pid that is not this store's launcher is None."""
        try:
            lines = self.pid_file.read_text().split()
            pid = int(lines[0])
            port = int(lines[1]) if len(lines) > 1 else None
        except (FileNotFoundError, ValueError, IndexError):
            return None, None
        return (pid if _is_launcher_for(pid, self.home) else None), port

    def running_pid(self) -> int | None:
        """The pid of this data directory's running Neo4j, or None."""
        if self.process is not None and self.process.poll() is None:
            return self.process.pid
        fd = self._lock(attempts=3)
        if fd is not None:
            # Nobody owns the store: a pid file left behind is stale. A launcher of this
            # store may still run without the lock (started before locks existed).
            try:
                self.pid_file.unlink(missing_ok=True)
            finally:
                os.close(fd)
            found = launchers_for(self.home)
            return found[0] if found else None
        pid, _ = self._recorded()
        if pid is None:  # locked, but the pid file is not written yet or was removed
            found = launchers_for(self.home)
            pid = found[0] if found else None
        return pid

    def status(self) -> Status:
        port = self.settings.local_bolt_port
        pid = self.running_pid()
        if pid is not None:
            recorded_pid, recorded_port = self._recorded()
            bolt = recorded_port if recorded_pid == pid and recorded_port else None
            bolt = bolt or (port if port_holder(port) == pid else None)
            return Status(pid, bolt, bolt is not None and port_open(bolt), None)
        holder = describe_process(port_holder(port)) if port_open(port) else None
        return Status(None, None, False, holder)

    # -- the password

    def _ensure_password(self) -> None:
        """A strong random password for the user neo4j, made once, owner-only."""
        path = self.password_file
        if path.exists():
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
            return
        temp = path.with_name(path.name + ".tmp")
        temp.unlink(missing_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)

    # -- start and stop

    def start(self, timeout: float = 180.0, log=print) -> float:
        """Start Neo4j and wait until Bolt answers; returns the seconds it took (0 when
        this data directory's Neo4j was running already)."""
        build_launcher(log)
        port = self.settings.local_bolt_port
        started = time.monotonic()
        fd = self._lock(attempts=5)
        if fd is None:
            return self._join_running(port, started + timeout, log)
        try:
            unlocked = launchers_for(self.home)
            if unlocked:
                raise Neo4jStartError(
                    f"A Neo4j of {self.settings.data_dir} runs without its lock (pid "
                    f"{unlocked[0]}, started by an older version); stop it with "
                    "`python -m graph.cli neo4j stop`, then start again."
                )
            if port_open(port):
                raise Neo4jStartError(_port_taken(port))
            java = shutil.which("java")
            if java is None:
                raise Neo4jStartError("Java 17 is needed to run the local Neo4j; install it first.")
            self.home.mkdir(parents=True, exist_ok=True)
            self._ensure_password()
            cmd = [
                java,
                f"-Xms{self.settings.neo4j_heap}",
                f"-Xmx{self.settings.neo4j_heap}",
                f"-Dkg.pagecache={self.settings.neo4j_pagecache}",
                f"-Dkg.txmemory={self.settings.neo4j_txmemory}",
                # A path: the password itself never appears on a command line.
                f"-Dkg.passwordFile={self.password_file}",
                *([f"-Dkg.plugins={self.plugins}"] if self.plugins else []),
                *JVM_FLAGS,
                "-cp",
                f"{LIB_DIR}/*:{LAUNCHER_JAR}" + (f":{self.plugins}/*" if self.plugins else ""),
                LAUNCHER_CLASS,
                str(self.home),
                str(port),
            ]
            # A session of its own: Ctrl-C in the terminal reaches the service, which then
            # stops Neo4j in order instead of both racing to exit. The locked file goes
            # with it (pass_fds): the lock lasts exactly as long as the Java process.
            with self.log_file.open("ab") as out:
                log_start = out.tell()
                process = subprocess.Popen(
                    cmd,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    pass_fds=(fd,),
                )
            self.process = process
            self.pid_file.write_text(f"{process.pid}\n{port}\n")
        finally:
            os.close(fd)
        # Reaped as soon as it exits, whoever stops it: no zombie left behind.
        threading.Thread(target=process.wait, name="neo4j-reaper", daemon=True).start()
        while time.monotonic() - started < timeout:
            if process.poll() is not None:
                self.process = None
                raise Neo4jStartError(
                    f"Neo4j exited with code {process.returncode}; see {self.log_file}"
                )
            # Its own READY line, not merely an open port: a program that took the port
            # meanwhile would otherwise pass for this Neo4j.
            if self._said_ready(log_start, port) and port_open(port):
                return time.monotonic() - started
            time.sleep(0.25)
        self.stop()
        raise Neo4jStartError(f"Neo4j did not answer on port {port} within {timeout:.0f}s")

    def _said_ready(self, offset: int, port: int) -> bool:
        with self.log_file.open("rb") as log:
            log.seek(offset)
            return f"READY bolt://127.0.0.1:{port}".encode() in log.read()

    def _join_running(self, port: int, deadline: float, log) -> float:
        """This data directory's Neo4j is running (or starting): wait for its port."""
        while True:
            pid, recorded_port = self._recorded()
            if recorded_port is not None and recorded_port != port:
                raise Neo4jStartError(
                    f"The Neo4j of {self.settings.data_dir} is already running on port "
                    f"{recorded_port} (pid {pid}), not {port}; use that port, or stop it "
                    "with `python -m graph.cli neo4j stop`."
                )
            if port_open(port):
                log(f"Neo4j already running on bolt://127.0.0.1:{port} (pid {pid})")
                return 0.0
            fd = self._lock()
            if fd is not None:
                os.close(fd)
                raise Neo4jStartError(
                    f"The Neo4j of {self.settings.data_dir} stopped while starting; "
                    f"see {self.log_file}"
                )
            if time.monotonic() > deadline:
                raise Neo4jStartError(
                    f"The Neo4j of {self.settings.data_dir} (pid {pid}) did not answer on "
                    f"port {port} in time"
                )
            time.sleep(0.25)

    def stop(self, timeout: float = 60.0) -> int | None:
        """Stop this data directory's Neo4j (SIGTERM, SIGKILL after `timeout`); the pid
        stopped, or None when none was running. A Neo4j this object started is the only
        one it stops: when that one was stopped by someone else, another one started
        since is left alone."""
        own = self.process
        self.process = None
        if own is not None:
            if own.poll() is not None:
                self._forget(own.pid)
                return None
            pid = own.pid
        else:
            found = self.running_pid()
            if found is None:
                return None
            pid = found
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not self._wait_gone(pid, own, timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self._wait_gone(pid, own, 10.0)
        self._forget(pid)
        return pid

    @staticmethod
    def _wait_gone(pid: int, own: subprocess.Popen | None, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if own is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    own.wait(timeout=0.2)
                    return True
            elif not process_alive(pid):
                return True
            else:
                time.sleep(0.1)
        return False

    def _forget(self, pid: int) -> None:
        """Remove the pid file if it still names `pid` and nobody owns the store."""
        fd = self._lock(attempts=20)
        if fd is None:
            return  # a Neo4j started since owns the store, and its pid file
        try:
            with contextlib.suppress(FileNotFoundError, ValueError, IndexError):
                if int(self.pid_file.read_text().split()[0]) == pid:
                    self.pid_file.unlink()
        finally:
            os.close(fd)
