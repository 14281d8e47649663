"""The ``methodica`` command: one entry point for running and operating the app.

methodica demo [--host H] [--port P]   database, demo district, web server and worker
methodica serve [--host H] [--port P]  web server (gunicorn) with migrations applied
methodica worker                       background worker for django.tasks
methodica check                        Django's system checks, deploy checks included
methodica backup [--output FILE]       database dump and stored files in one archive
methodica restore FILE --yes           replace the database and files from a backup
methodica manage ARGS...               any Django management command
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def _setup(*, debug_default: bool = False) -> None:
    """Start (or find) the database and load Django."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "methodica.settings")
    if debug_default:
        os.environ.setdefault("METHODICA_DEBUG", "1")
    from methodica.embedded_db import ensure_database_url

    ensure_database_url()
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def _children_until_interrupted(children: list[subprocess.Popen]) -> int:
    """Wait while every child runs; on Ctrl+C, SIGTERM or a child's death, stop them all."""
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        for child in children:
            if child.poll() is not None:
                code = child.returncode or 1
                stopping = True
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
    return code


def _gunicorn(host: str, port: int) -> subprocess.Popen:
    from methodica.conf import env_int

    workers = env_int("METHODICA_WEB_WORKERS", 2, minimum=1)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "methodica.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ]
    )


def _worker_process() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "methodica.cli", "worker"])


def cmd_demo(args: argparse.Namespace) -> int:
    _setup(debug_default=True)
    _manage("migrate", "--no-input", "-v", "0")
    import io

    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())  # the logins are printed below
    _manage("collectstatic", "--no-input", "-v", "0")
    from methodica.libraries.demo import DEMO_PASSWORD, demo_logins

    url = f"http://{args.host}:{args.port}/"
    print("\nMethodica is starting with the demo district of Stara Zagora.")
    print(f"Open {url} and sign in with one of these (password: {DEMO_PASSWORD}):")
    for username, description in demo_logins():
        print(f"  {username:22} {description}")
    print("Press Ctrl+C to stop.\n", flush=True)
    return _children_until_interrupted(
        [_gunicorn(args.host, args.port), _worker_process()]
    )


def cmd_serve(args: argparse.Namespace) -> int:
    _setup()
    _manage("migrate", "--no-input", "-v", "0")
    _manage("collectstatic", "--no-input", "-v", "0")
    children = [_gunicorn(args.host, args.port)]
    if args.with_worker:
        children.append(_worker_process())
    return _children_until_interrupted(children)


def cmd_worker(args: argparse.Namespace) -> int:
    _setup()
    from methodica.core.worker import run_worker

    return run_worker()


def cmd_check(args: argparse.Namespace) -> int:
    _setup()
    _manage("check")
    _manage("makemigrations", "--check", "--dry-run", "-v", "0")
    if args.deploy:
        _manage("check", "--deploy", "--fail-level", "WARNING")
    print("OK")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    _setup()
    from methodica.core.backup import create_backup

    path = create_backup(Path(args.output) if args.output else None)
    print(path)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    if not args.yes:
        print(
            "Restoring replaces the whole database and the stored files. Add --yes to go on."
        )
        return 2
    _setup()
    from methodica.core.backup import restore_backup

    restore_backup(Path(args.file))
    print("Restored from", args.file)
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["methodica", *args.rest])
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="methodica",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler in (("demo", cmd_demo), ("serve", cmd_serve)):
        sub = commands.add_parser(name)
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, default=8000)
        sub.set_defaults(handler=handler)
        if name == "serve":
            sub.add_argument(
                "--with-worker",
                action="store_true",
                help="also run a background worker",
            )
    commands.add_parser("worker").set_defaults(handler=cmd_worker)
    check = commands.add_parser("check")
    check.add_argument(
        "--deploy", action="store_true", help="also run the deployment checks"
    )
    check.set_defaults(handler=cmd_check)
    backup = commands.add_parser("backup")
    backup.add_argument(
        "--output", help="the archive to write (default: var/backups/...)"
    )
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser("restore")
    restore.add_argument("file")
    restore.add_argument("--yes", action="store_true")
    restore.set_defaults(handler=cmd_restore)
    manage = commands.add_parser("manage")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
