"""The measuring helpers the benchmarks share (bench/bench_history.py, bench/bench_report.py): files and
bytes under a folder, and the peak RSS (Linux's VmHWM, reset at will; elsewhere getrusage's max RSS)."""

from __future__ import annotations

import os
import resource
from pathlib import Path


def tree_size(folder: Path) -> tuple[int, int, int]:
    """Files, HTML files, and bytes on disk: a file hard-linked twice (the latest week at the top) counts once."""
    files = size = html = 0
    seen: set[tuple[int, int]] = set()
    for dirpath, _, names in os.walk(folder):
        for name in names:
            files += 1
            html += name.endswith(".html")
            st = os.stat(os.path.join(dirpath, name))
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                size += st.st_size
    return files, html, size


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def status_mib(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def reset_peak() -> tuple[float, str]:
    """Start measuring the peak RSS from now: Linux resets VmHWM on writing 5 to clear_refs (a spawned process
    otherwise inherits its parent's high-water mark); elsewhere, getrusage's max RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        rss = status_mib("VmRSS")
        if rss is not None:
            return rss, "VmHWM"
    except OSError:
        pass
    return maxrss_mib(), "ru_maxrss"


def peak_mib(how: str) -> float:
    return (status_mib("VmHWM") or 0.0) if how == "VmHWM" else maxrss_mib()
