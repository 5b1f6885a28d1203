"""What every benchmark's JSON records about the machine it ran on."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> dict:
    cpu = ""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem_gb = None
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
        mem_gb = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    return {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "cpu": cpu, "memory_gb": mem_gb, "system": platform.platform()}
