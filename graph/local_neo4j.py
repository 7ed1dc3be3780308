"""Builds and runs the project's own local Neo4j (Community 5.26 LTS, from Maven Central).

`launcher/` holds a pom.xml and one launcher class; `mvn package` resolves Neo4j and copies
its jars to launcher/target/lib, and the JVM runs with a plain `lib/*` classpath.

Neo4j requires a password: `<data_dir>/neo4j-password` (made with `secrets` on the first
start, owner-only), which the launcher reads from that file and sets before it opens
Bolt (see launcher/src/main/java/kg/Launcher.java).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from graph.settings import ROOT, Settings

LAUNCHER_DIR = ROOT / "launcher"
LIB_DIR = LAUNCHER_DIR / "target" / "lib"
LAUNCHER_JAR = LAUNCHER_DIR / "target" / "neo4j-launcher-1.0.0.jar"
STAMP = LAUNCHER_DIR / "target" / ".built"

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


@dataclass
class LocalNeo4j:
    settings: Settings
    process: subprocess.Popen | None = None
    # A directory of plugin jars (the benchmark's APOC core), put on the classpath, as the
    # server's plugins/ is, and scanned for procedures; `make run` and the tests load none.
    plugins: Path | None = None

    @property
    def home(self) -> Path:
        return self.settings.data_dir / "neo4j"

    @property
    def pid_file(self) -> Path:
        return self.settings.data_dir / "neo4j.pid"

    @property
    def log_file(self) -> Path:
        return self.settings.data_dir / "neo4j.log"

    @property
    def password_file(self) -> Path:
        return self.settings.local_password_file

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

    def running_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text())
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
            return None
        return pid

    def start(self, timeout: float = 180.0, log=print) -> float:
        """Start Neo4j and wait until Bolt answers; returns the seconds it took."""
        build_launcher(log)
        port = self.settings.local_bolt_port
        if self.running_pid() and port_open(port):
            log(f"Neo4j already running on bolt://127.0.0.1:{port}")
            return 0.0
        if port_open(port):
            raise Neo4jStartError(
                f"Port {port} is taken by another program; set LOCAL_NEO4J_PORT to a free "
                "port, or NEO4J_URI to use that Neo4j instead."
            )
        self.home.mkdir(parents=True, exist_ok=True)
        self._ensure_password()
        java = shutil.which("java")
        if java is None:
            raise Neo4jStartError("Java 17 is needed to run the local Neo4j; install it first.")
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
            "kg.Launcher",
            str(self.home),
            str(port),
        ]
        started = time.monotonic()
        # A session of its own: Ctrl-C in the terminal reaches the service, which then
        # stops Neo4j in order instead of both racing to exit.
        with self.log_file.open("ab") as out:
            self.process = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.pid_file.write_text(str(self.process.pid))
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise Neo4jStartError(
                    f"Neo4j exited with code {self.process.returncode}; see {self.log_file}"
                )
            if port_open(port):
                return time.monotonic() - started
            time.sleep(0.25)
        self.stop()
        raise Neo4jStartError(f"Neo4j did not answer on port {port} within {timeout:.0f}s")

    def stop(self, timeout: float = 60.0) -> None:
        pid = self.process.pid if self.process else self.running_pid()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None:
                if self.process.poll() is not None:
                    break
            else:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
            time.sleep(0.2)
        else:
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        self.process = None
