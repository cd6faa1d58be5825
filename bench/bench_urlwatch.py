"""Benchmark: the province's list pages checked by urlwatch, the common open-source page monitor.

    python bench/bench_urlwatch.py --units 50 [--port 8801] [--venv DIR] [--workers N]
        [--filter html2text|none] [--workdir DIR]

The same URLs as the monitor's sweep (``province.list_urls``: every column's first list page, 40 a unit),
checked by urlwatch (https://pypi.org/project/urlwatch/) so that the main bench can report a ratio.

1. urlwatch ``URLWATCH_VERSION`` is installed from PyPI into a bench virtual environment of its own
   (``var/bench-venv`` unless ``--venv``), never into the project's: ``ensure_urlwatch``.
2. The CLI starts ``bench/province.py serve`` on ``--port`` (8801: not the 8800 of the other benches), waits
   until 127.10.0.1:port accepts a connection, and calls ``run_urlwatch``: a urls.yaml of one ``url`` job a
   page, a urlwatch.yaml whose only reporter is stdout (to a file in the work folder; mail and every network
   reporter disabled), a hooks.py that sets the worker count when one is asked for, and a cache database,
   all in the work folder. urlwatch runs twice: a first pass that fills its cache, a second with nothing
   changed. Each pass is one child process reaped with ``os.wait4``: its own wall time, user+sys CPU and
   peak RSS; the province server's counts (``/__stats``, reset before each pass) give requests and body
   bytes by status, so 304s show whether urlwatch sends conditional requests.
3. Prints a table: pass, pages, wall s, pages/s, CPU ms/page, peak RSS MiB, requests and body bytes by status.

Concurrency: urlwatch 2.29 has no option for it, neither on the command line nor in its config: its
``urlwatch/worker.py`` runs jobs on a ``ThreadPoolExecutor(max_workers=MAX_WORKERS)``, ``MAX_WORKERS = 10``.
``--workers N`` sets that constant from a hooks file (``--hooks``, urlwatch's own extension point), which
urlwatch imports before it runs the jobs; without ``--workers`` no hooks file is written and urlwatch's
default is used (and printed). urlwatch has no update check and no telemetry; its jobs are our URLs only, the
child's environment has no proxy variables (``NO_PROXY=*``) and HOME/XDG folders point into the work folder.
Repeatable: no network beyond 127.10.x.x, fresh cache for the first pass.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import province  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
URLWATCH_VERSION = "2.29"  # what PyPI gave on 2026-11; pinned so that figures stay comparable
DEFAULT_VENV = ROOT / "var" / "bench-venv"
DEFAULT_PORT = 8801
DEFAULT_FILTER = "html2text"
PASS_TIMEOUT = 3600.0  # seconds; a pass still running then is killed and reported as failed


class BenchError(RuntimeError):
    """urlwatch did not do what the benchmark needs (missing fetches, errors, bad exit)."""


# ---------------------------------------------------------------- installing urlwatch

def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def installed_version(venv: Path) -> str | None:
    python = _venv_python(venv)
    if not python.exists():
        return None
    done = subprocess.run([str(python), "-c", "import urlwatch; print(urlwatch.__version__)"],
                          capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def ensure_urlwatch(venv: Path) -> Path:
    """urlwatch ``URLWATCH_VERSION`` in the virtual environment ``venv`` (made and filled if missing): its executable."""
    venv = Path(venv).resolve()
    if not _venv_python(venv).exists():
        print(f"creating {venv}", file=sys.stderr, flush=True)
        subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
    if installed_version(venv) != URLWATCH_VERSION:
        print(f"installing urlwatch=={URLWATCH_VERSION} into {venv}", file=sys.stderr, flush=True)
        subprocess.run([str(_venv_python(venv)), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        f"urlwatch=={URLWATCH_VERSION}"], check=True)
    version = installed_version(venv)
    if version != URLWATCH_VERSION:
        raise BenchError(f"urlwatch in {venv} is {version!r}, wanted {URLWATCH_VERSION}")
    executable = venv / "bin" / "urlwatch"
    if not executable.exists():
        raise BenchError(f"no urlwatch executable at {executable}")
    return executable


def default_workers(urlwatch: Path) -> int:
    """urlwatch's own worker count: ``MAX_WORKERS`` in its worker module (10 in 2.29)."""
    python = Path(urlwatch).parent / "python"
    done = subprocess.run([str(python), "-c", "import urlwatch.worker as w; print(w.MAX_WORKERS)"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout.strip())


# ---------------------------------------------------------------- the province server's counts

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _stats_url(urls: list[str]) -> str:
    parts = urlsplit(urls[0])
    return f"http://{parts.netloc}/__stats"


def reset_stats(stats_url: str) -> None:
    _NO_PROXY.open(urllib.request.Request(stats_url, data=b"", method="POST"), timeout=10).read()


def read_stats(stats_url: str) -> dict:
    with _NO_PROXY.open(stats_url, timeout=10) as response:
        return json.loads(response.read())


# ---------------------------------------------------------------- running urlwatch

def _yaml_str(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar


def _child_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    home = workdir / "home"
    for sub in ("", ".config", ".cache", ".local/share"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env.update(NO_PROXY="*", no_proxy="*", HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local/share"),
               PYTHONDONTWRITEBYTECODE="1")
    for name in ("VISUAL", "EDITOR"):
        env.pop(name, None)
    return env


def _run_pass(name: str, command: list[str], workdir: Path, stats_url: str, env: dict[str, str],
              timeout: float) -> dict:
    reset_stats(stats_url)
    out_path, err_path = workdir / f"{name}.stdout", workdir / f"{name}.stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=workdir)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    stats = read_stats(stats_url)
    text = out_path.read_text("utf-8", "replace")
    return {
        "pass": name, "exit": proc.returncode, "wall_s": wall, "user_s": usage.ru_utime, "sys_s": usage.ru_stime,
        "cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_mib": usage.ru_maxrss / 1024,  # Linux: KiB
        "requests": stats["requests"], "body_bytes": stats["body_bytes"],
        # the stdout reporter's summary lines: "01. NEW: <url>", "02. ERROR: <url>", "03. CHANGED: <url>"
        "reported": {kind: len(re.findall(rf"^\s*\d+\. {kind}: ", text, re.M)) for kind in ("NEW", "ERROR", "CHANGED")},
        "stdout": str(out_path), "stderr": str(err_path),
    }


def _check_pass(result: dict, pages: int, first: bool) -> None:
    problems = []
    if result["exit"] != 0:
        problems.append(f"urlwatch exited with status {result['exit']}")
    seen = sum(result["requests"].values())
    answered = result["requests"].get("200", 0) + result["requests"].get("304", 0)
    if seen < pages or answered < pages:
        problems.append(f"the server saw {seen} requests ({answered} answered 200/304) for {pages} pages")
    if result["reported"]["ERROR"]:
        problems.append(f"urlwatch reported {result['reported']['ERROR']} jobs in error")
    if first and result["reported"]["NEW"] != pages:
        problems.append(f"urlwatch reported {result['reported']['NEW']} new jobs on its first pass, not {pages}")
    if problems:
        tail = Path(result["stderr"]).read_text("utf-8", "replace")[-2000:]
        raise BenchError(f"urlwatch {result['pass']} pass: " + "; ".join(problems)
                         + f" (stdout: {result['stdout']}; stderr tail: {tail!r})")


def run_urlwatch(urls: list[str], workdir: Path, urlwatch: Path, workers: int | None = None, *,
                 filter_: str | None = DEFAULT_FILTER, timeout: float = PASS_TIMEOUT) -> dict:
    """Check ``urls`` with urlwatch twice (empty cache, then nothing changed); what each pass cost.

    Jobs are plain ``url`` jobs with one ``html2text`` filter (its default ``re`` method: strip the tags), as
    urlwatch's docs and most users set a web page up: the page is compared as text, not as markup (the
    province's pages are one line of HTML, so the text is one line too and a change shows as that line
    replaced). ``filter_=None`` compares the raw HTML. Both passes fetch every URL; the filter runs only on
    pages answered with a body (200).

    ``workers``: urlwatch's thread count (set through a hooks file: urlwatch has no option for it); None
    keeps urlwatch's default. The only reporter is stdout, into ``workdir/first.stdout`` and
    ``second.stdout``. Raises ``BenchError`` unless each pass exits 0, the server (whose ``/__stats`` at the
    first URL's address is reset before and read after each pass) saw at least one answered request per
    URL, urlwatch reported no job in error, and the first pass reported every job as new.

    Returns {"version", "workers", "workers_default", "filter", "pages", "passes": [first, second]}, each
    pass with wall_s, user_s, sys_s, cpu_s, maxrss_mib (the child's own, from os.wait4), exit, requests and
    body_bytes by status (as the server counted them), and reported (NEW / ERROR / CHANGED lines).
    """
    if not urls:
        raise ValueError("no URLs to check")
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    urlwatch = Path(urlwatch).absolute()  # the child runs in workdir
    urls_file, config_file = workdir / "urls.yaml", workdir / "urlwatch.yaml"
    hooks_file, cache_file = workdir / "hooks.py", workdir / "cache.db"

    job_filter = f"filter:\n  - {filter_}\n" if filter_ else ""
    urls_file.write_text("---\n".join(f"url: {_yaml_str(url)}\n{job_filter}" for url in urls), "utf-8")
    # display: NEW and ERROR lines (the checks below count them), not the unchanged ones; stdout only
    reporters = ["email", "pushover", "pushbullet", "telegram", "slack", "mattermost", "discord", "gotify",
                 "matrix", "mailgun", "ifttt", "xmpp", "prowl", "shell", "browser"]
    config_file.write_text(
        "display:\n  new: true\n  error: true\n  unchanged: false\n  empty-diff: false\n"
        "report:\n  text:\n    details: true\n    footer: false\n    minimal: false\n"
        "  stdout:\n    enabled: true\n    color: false\n"
        + "".join(f"  {name}:\n    enabled: false\n" for name in reporters)
        + "job_defaults:\n  all: {}\n  url: {}\n", "utf-8")
    workers_default = default_workers(urlwatch)
    if workers is not None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        hooks_file.write_text("# written by bench/bench_urlwatch.py: urlwatch's thread count has no option\n"
                              f"import urlwatch.worker\nurlwatch.worker.MAX_WORKERS = {int(workers)}\n", "utf-8")
    elif hooks_file.exists():
        hooks_file.unlink()
    for stale in workdir.glob("cache.db*"):
        stale.unlink()

    command = [str(urlwatch), "--urls", str(urls_file), "--config", str(config_file), "--hooks", str(hooks_file),
               "--cache", str(cache_file)]
    env = _child_env(workdir)
    stats_url = _stats_url(urls)
    passes = []
    for name in ("first", "second"):
        result = _run_pass(name, command, workdir, stats_url, env, timeout)
        _check_pass(result, len(urls), first=name == "first")
        passes.append(result)
    return {"version": URLWATCH_VERSION, "workers": workers if workers is not None else workers_default,
            "workers_default": workers_default, "filter": filter_ or "none", "pages": len(urls), "passes": passes}


# ---------------------------------------------------------------- the CLI

def start_province(units: int, port: int, timeout: float = 60.0) -> subprocess.Popen:
    """``province.py serve`` as a child process, once 127.10.0.1:port accepts connections."""
    server = subprocess.Popen([sys.executable, str(Path(__file__).resolve().parent / "province.py"), "serve",
                               "--units", str(units), "--port", str(port)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise BenchError(f"the province server exited with status {server.returncode} (port {port} taken?)")
        try:
            with socket.create_connection((province.address(0), port), timeout=1):
                return server
        except OSError:
            if time.monotonic() > deadline:
                stop_province(server)
                raise BenchError(f"the province server did not listen on {province.address(0)}:{port} in {timeout} s")
            time.sleep(0.1)


def stop_province(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _by_status(counts: dict[str, int], scale: float = 1.0, fmt: str = "{:,.0f}") -> str:
    return " ".join(f"{status}:{fmt.format(counts[status] / scale)}" for status in sorted(counts)) or "-"


def print_table(result: dict) -> None:
    header = (f"{'pass':<7}{'pages':>7}{'wall s':>9}{'pages/s':>9}{'CPU ms/page':>13}{'peak RSS MiB':>14}"
              f"  {'requests by status':<22}body MB by status")
    print(header)
    print("-" * len(header))
    for p in result["passes"]:
        pages = result["pages"]
        print(f"{p['pass']:<7}{pages:>7}{p['wall_s']:>9.2f}{pages / p['wall_s']:>9.1f}"
              f"{1000 * p['cpu_s'] / pages:>13.2f}{p['maxrss_mib']:>14.1f}"
              f"  {_by_status(p['requests']):<22}{_by_status(p['body_bytes'], 1e6, '{:,.2f}')}")
    second = result["passes"][1]["requests"]
    conditional = second.get("304", 0)
    print(f"conditional requests on the second pass: {conditional} of {sum(second.values())} answered 304"
          + (" (urlwatch sends If-None-Match / If-Modified-Since)" if conditional else " (none: full bodies again)"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="bench virtual environment for urlwatch")
    parser.add_argument("--workers", type=int, default=None, help="urlwatch threads (default: urlwatch's own)")
    parser.add_argument("--filter", choices=["html2text", "none"], default=DEFAULT_FILTER)
    parser.add_argument("--workdir", type=Path, help="keep urlwatch's files here (default: a temporary folder)")
    parser.add_argument("--json", action="store_true", help="also print the result as JSON")
    args = parser.parse_args(argv)

    urlwatch = ensure_urlwatch(args.venv)
    urls = province.list_urls(args.units, args.port)
    workers = args.workers if args.workers is not None else default_workers(urlwatch)
    print(f"urlwatch {URLWATCH_VERSION} ({urlwatch}); workers {workers}"
          f"{'' if args.workers is not None else ' (urlwatch default)'}; filter {args.filter}; "
          f"{args.units} units, {len(urls)} list pages on port {args.port}", flush=True)
    temporary = None if args.workdir else tempfile.mkdtemp(prefix="bench-urlwatch-")
    workdir = args.workdir or Path(temporary)
    server = start_province(args.units, args.port)
    try:
        result = run_urlwatch(urls, workdir, urlwatch, args.workers,
                              filter_=None if args.filter == "none" else args.filter)
    finally:
        stop_province(server)
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)
    print_table(result)
    if args.json:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
