"""Start a Streamlit server on a free loopback port and wait until it is healthy.

Shared by the benchmarks and the browser tests, so both run the app exactly the same way: from
the project folder (so .streamlit/config.toml applies), headless, on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE_APP = Path(__file__).resolve().parent / "bare_app.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def wait_healthy(health_url: str, proc: subprocess.Popen, log: Path | None = None, timeout: float = 90) -> None:
    """Wait until ``health_url`` answers "ok" (Streamlit's /_stcore/health, directly or through a
    proxy); fail with the process's log if it exits or does not answer in time."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if urllib.request.urlopen(health_url, timeout=2).read() == b"ok":
                return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            detail = log.read_text() if log and log.exists() else "(no log kept)"
            raise RuntimeError(f"{health_url} did not come up:\n{detail}")
        time.sleep(0.3)


@contextlib.contextmanager
def streamlit_server(
    script: Path | str = ROOT / "serve.py",
    env: dict[str, str | None] | None = None,
    log: Path | None = None,
    port: int | None = None,
    args: tuple[str, ...] = (),
    timeout: float = 90,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Yields (base URL, process). ``env`` is added to this process's environment (None removes a name)."""
    port = port or free_port()
    full_env = {k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None}
    out = open(log, "w") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            *args,
        ],
        cwd=ROOT,
        env=full_env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{url}/_stcore/health", proc, log, timeout)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()
