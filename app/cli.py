"""The `causal-canvas` command: run the app, write a report, check a folder of lessons.

    causal-canvas run [--port N] [--host H] [--data-dir D]
    causal-canvas report DATA --treatment T --outcome Y [--graph G] [report options]
    causal-canvas lessons check DIR
    causal-canvas --version

Works the same from a git checkout and from an installed wheel (app.resources finds the files).
"""
from __future__ import annotations

import argparse
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import app
from app import settings
from app.resources import checkout_root, streamlit_config, streamlit_script, user_data_dir

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
STARTUP_SECONDS = 120
LINE_IN_MESSAGE = re.compile(r"\b(lesson\.md|checker\.py|teacher\.md) line (\d+)")


def parser() -> argparse.ArgumentParser:
    from app.report.__main__ import parser as report_parser

    p = argparse.ArgumentParser(
        prog="causal-canvas",
        description="Causal Canvas: a browser studio for visual causal modelling.")
    p.add_argument("--version", action="version", version=f"causal-canvas {app.__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="start the app and print its address",
                         description="Start the app in the background of this terminal and print "
                                     "the address to open. Ctrl-C stops it.")
    run.add_argument("--port", type=int, default=8501, help="port to listen on (default 8501)")
    run.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default 127.0.0.1, this computer only; "
                          "0.0.0.0 lets a class on the same network connect)")
    run.add_argument("--data-dir", type=Path, metavar="D",
                     help="folder for saved workspaces, autosave and classes (default: "
                          f"{_default_data_dir()})")

    sub.add_parser("report", parents=[report_parser()], add_help=False,
                   help="write the automatic causal analysis report for a table",
                   description=report_parser().description)

    lessons = sub.add_parser("lessons", help="tools for teachers who write lessons")
    lsub = lessons.add_subparsers(dest="lessons_command", required=True, metavar="ACTION")
    check = lsub.add_parser("check", help="check a folder of lessons the way the app reads them",
                            description="Read and build every lesson in DIR (lesson.md, "
                                        "checker.py, teacher.md) and list what is wrong, with "
                                        "file and line. Exit status 1 when any lesson has a "
                                        "problem.")
    check.add_argument("dir", type=Path, metavar="DIR", help="folder holding lesson folders "
                                                             "such as 09_my_lesson/")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)
    if args.command == "report":
        from app.report.__main__ import main as report_main

        return report_main(argv[argv.index("report") + 1:])
    if args.command == "lessons":
        return check_lessons(args.dir)
    return run(args.port, args.host, args.data_dir)


# ---- run ---------------------------------------------------------------------------------------
def _default_data_dir() -> Path:
    checkout = checkout_root()
    return checkout / ".data" if checkout else user_data_dir()


def streamlit_flags(config: Path) -> list[str]:
    """The packaged .streamlit/config.toml as `--section.key value` flags, so the app runs with
    it from any working directory (Streamlit itself only reads ./.streamlit/config.toml)."""
    with open(config, "rb") as fh:
        settings = tomllib.load(fh)
    flags: list[str] = []
    for section, options in settings.items():
        for key, value in options.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            flags += [f"--{section}.{key}", text]
    return flags


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def wait_healthy(url: str, timeout: float, proc: subprocess.Popen | None = None) -> bool:
    """Poll a Streamlit server's health endpoint until it answers 200 (True), `timeout`
    seconds pass or `proc` exits (False). Also used by deploy/, benchmarks/ and the e2e tests."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (proc is None or proc.poll() is None):
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def run(port: int, host: str, data_dir: Path | None) -> int:
    """Start Streamlit on streamlit_app.py with the packaged config; print the URL once healthy."""
    if not 1 <= port <= 65535:
        print(f"error: --port must be between 1 and 65535, not {port}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not _port_free(host, port):
        print(f"error: port {port} on {host} is already in use. Stop the other program or "
              f"choose another port with --port.", file=sys.stderr)
        return EXIT_BAD_INPUT
    folder = (data_dir or Path(settings.env(settings.ENV_DATA_DIR) or _default_data_dir())
              ).expanduser().resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        print(f"error: cannot create the data folder {folder} ({err.strerror}).", file=sys.stderr)
        return EXIT_BAD_INPUT
    flags = [*streamlit_flags(streamlit_config()), "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.port", str(port),
             "--server.address", host]
    env = settings.child_environment(**{settings.ENV_DATA_DIR: str(folder),
                                        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"})
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(streamlit_script()),
                             *flags], env=env)
    signal.signal(signal.SIGTERM, _stop)   # a service manager's stop also stops the server
    try:
        if wait_healthy(url, STARTUP_SECONDS, proc):
            print(f"\nCausal Canvas is running. Open {url} in your browser.", flush=True)
            if host in ("0.0.0.0", "::"):
                print("Others on your network can use this computer's address with the same port.",
                      flush=True)
            print(f"Data folder: {folder}\nPress Ctrl-C to stop.\n", flush=True)
        elif proc.poll() is None:
            print(f"error: the app did not start within {STARTUP_SECONDS} s.", file=sys.stderr)
            proc.terminate()
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        print("Stopped.", file=sys.stderr)
        return EXIT_INTERRUPTED


# ---- lessons check ---------------------------------------------------------------------------
def _located(folder: Path, message: str) -> str:
    """`folder/file:line: message` when the message names a file and line, as compilers do."""
    m = LINE_IN_MESSAGE.search(message)
    where = f"{folder / m.group(1)}:{m.group(2)}" if m else str(folder)
    return f"{where}: {message}"


def check_lessons(folder: Path) -> int:
    """Load and build every lesson under `folder` with the app's own lesson loader."""
    from app.errors import CausalCanvasError
    from app.lessons import loader

    folder = folder.expanduser().resolve()
    if not folder.is_dir():
        print(f"error: {folder} is not a folder.", file=sys.stderr)
        return EXIT_BAD_INPUT
    settings.set_env(loader.ENV_VAR, str(folder))   # the loader reads teachers' folders here
    ours = {d.name for d in folder.iterdir() if d.is_dir()}
    infos = [i for i in loader.list_lessons() if i.slug in ours]
    problems = 0
    for info in infos:
        lesson_dir = folder / info.slug
        message = info.error
        if message is None:
            try:
                built = loader.load_lesson(info.slug).build()
            except CausalCanvasError as err:
                message = err.user_message()
        if message is not None:
            problems += 1
            print(_located(lesson_dir, " ".join(message.split())))
        else:
            print(f"ok    {info.slug}: {info.title} ({len(built.exercises)} exercises)")
    if not infos:
        print(f"{folder}: no lesson folders found (a lesson is a folder such as 09_my_lesson/ "
              "with lesson.md and checker.py).")
        return 1
    print(f"{len(infos) - problems} lesson(s) ok, {problems} with problems.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
