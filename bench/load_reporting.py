"""A bounded load test: 200 reporters log in, save and submit in the same minute.

    .venv/bin/python bench/load_reporting.py [--clients 200] [--workers 2]

Builds a fresh database of its own, ``methodica_load_bench`` (dropped and created
again on each run), with one district, 200 libraries, a reporter account for each
(its own library only) and an open campaign; starts the real app with
``methodica serve`` (migrations, collectstatic, gunicorn: ``--workers`` processes of
4 threads) on a free port of 127.0.0.1; then 200 client threads, released together,
each with its own cookies, do what a reporter's browser does:

    GET  /accounts/login/        the form and its CSRF token
    POST /accounts/login/        username and password (the real password hasher)
    GET  /reports/<pk>/          the report page: its revision and a fresh token
    POST /reports/<pk>/          every cell of a consistent year, its own numbers
    POST /reports/<pk>/submit/

With ``--pre-login`` every client logs in first and the clock starts when all have:
the minute then holds opening, saving and submitting only (logging in checks the
password with Django's PBKDF2 hasher, about 0.3 s of CPU a login by design).

Nothing leaves 127.0.0.1; each request times out after 60 s and the whole run after
``--limit`` seconds. Afterwards the database is checked: every report submitted
exactly once, one version per save, the values exactly as each client sent them,
one value a cell, and the audit entries expected (one save and one submission per
report, by its reporter). Prints requests/s, latency percentiles by step and every
error. Exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "methodica_load_bench"
PASSWORD = "load-bench-password-7"  # noqa: S105 - the bench database's reporters
YEAR = 2025
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REVISION = re.compile(r'name="revision" value="(\d+)"')


# --- the database and the server ---------------------------------------------------


def fresh_database() -> str:
    """Drop and create the bench database; returns its URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "methodica.settings")
    os.environ.setdefault("METHODICA_SECRET_KEY", "load-bench-only-secret-key")
    from methodica.embedded_db import (
        create_database,
        ensure_database_url,
        pg_bin,
        with_database,
    )

    base = with_database(ensure_database_url(), "postgres")
    subprocess.run(
        [pg_bin("psql"), "-q", "-c", f'DROP DATABASE IF EXISTS "{DATABASE}"', base],
        check=True,
    )
    create_database(base, DATABASE)
    url = with_database(base, DATABASE)
    os.environ["DATABASE_URL"] = url
    return url


def seed(clients: int) -> list[tuple[str, int]]:
    """A district of ``clients`` libraries, a reporter each, an open campaign."""
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from methodica.accounts.models import Membership, User
    from methodica.core.permissions import Role
    from methodica.libraries.models import District, Library, Municipality, Settlement
    from methodica.reporting import services
    from methodica.reporting.models import Report

    call_command("migrate", "--no-input", "-v", "0")
    district = District.objects.create(name="Натоварване", code="LOAD")
    municipalities = Municipality.objects.bulk_create(
        Municipality(district=district, name=f"Община {m}", code=f"L{m:03d}")
        for m in range(10)
    )
    settlements = Settlement.objects.bulk_create(
        Settlement(
            municipality=m, name=f"Село {m.code}", ekatte=f"{n:05d}", kind="village"
        )
        for n, m in enumerate(municipalities)
    )
    libraries = Library.objects.bulk_create(
        Library(
            name=f"НЧ „Натоварване – {i}“",
            library_type=Library.Type.CHITALISHTE,
            municipality=settlements[i % 10].municipality,
            settlement=settlements[i % 10],
        )
        for i in range(clients)
    )
    # One hash for all: hashing 200 passwords would take minutes; logging in
    # still checks each one with the real hasher.
    hashed = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(
            username=f"reporter{i:03d}",
            email=f"reporter{i:03d}@load.invalid",
            password=hashed,
        )
        for i in range(clients)
    )
    Membership.objects.bulk_create(
        Membership(user=user, role=Role.REPORTER, library=library)
        for user, library in zip(users, libraries, strict=True)
    )
    admin = User.objects.create(
        username="load-admin", email="admin@load.invalid", password=hashed
    )
    Membership.objects.create(user=admin, role=Role.DISTRICT_ADMIN, district=district)
    form = services.create_default_form(actor=admin, district=district, year=YEAR)
    campaign = services.open_campaign(
        actor=admin, form=form, deadline=datetime.date(2099, 1, 31)
    )
    report_of = dict(
        Report.objects.filter(campaign=campaign).values_list("library_id", "pk")
    )
    return [
        (user.username, report_of[library.pk])
        for user, library in zip(users, libraries, strict=True)
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "METHODICA_DEBUG": "0",
        "METHODICA_WEB_WORKERS": str(workers),
        "METHODICA_ALLOWED_HOSTS": "127.0.0.1",
        "METHODICA_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "methodica.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: see {log}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(server)
    raise SystemExit(f"the server did not start in 120 s: see {log}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # the cli stops gunicorn, then itself
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- one reporter's browser ----------------------------------------------------------


class Browser:
    """Cookies, a keep-alive connection to 127.0.0.1, and a log of every request."""

    def __init__(self, port: int, log: list) -> None:
        self.port, self.log = port, log
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, step: str, method: str, path: str, form: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode()
        except (OSError, http.client.HTTPException) as exc:
            self.log.append((step, None, time.perf_counter() - started, repr(exc)))
            self.connection.close()
            self.connection = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=60
            )
            raise
        self.log.append((step, response.status, time.perf_counter() - started, ""))
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", text


def cells_for(number: int) -> dict[str, str]:
    """A consistent year for client ``number``: its own numbers, every hard rule held."""
    from tests.report_data import GOOD

    values = dict(GOOD)
    values["users_total"] = str(200 + number)
    values["events_count"] = str(10 + number)
    values["events_attendance"] = str(500 + 3 * number)
    values["loans_other"] = str(100 + number)
    values["loans_total"] = str(5200 + number)
    return values


def log_in(browser: Browser, username: str) -> None:
    status, _, page = browser.request("login page", "GET", "/accounts/login/")
    token = TOKEN.search(page)
    if status != 200 or token is None:
        raise RuntimeError(f"login page: {status}")
    status, location, _ = browser.request(
        "log in",
        "POST",
        "/accounts/login/",
        {"csrfmiddlewaretoken": token[1], "username": username, "password": PASSWORD},
    )
    if status != 302 or "/accounts/login" in location:
        raise RuntimeError(f"log in: {status} {location}")


def save_and_submit(browser: Browser, report_id: int, number: int) -> None:
    """Open the report, save every cell, submit; raises on the first step that fails."""
    path = f"/reports/{report_id}/"
    status, _, page = browser.request("report page", "GET", path)
    token, revision = TOKEN.search(page), REVISION.search(page)
    if status != 200 or token is None or revision is None:
        raise RuntimeError(f"report page: {status}")
    form = {"csrfmiddlewaretoken": token[1], "revision": revision[1]}
    for code, text in cells_for(number).items():
        form[f"v_{code}"], form[f"m_{code}"] = text, ""
    status, location, _ = browser.request("save", "POST", path, form)
    if status != 302 or location.rstrip("/") != path.rstrip("/"):
        raise RuntimeError(f"save: {status} {location}")
    status, location, _ = browser.request(
        "submit", "POST", f"{path}submit/", {"csrfmiddlewaretoken": token[1]}
    )
    if status != 302:
        raise RuntimeError(f"submit: {status}")


def run_clients(
    port: int, accounts: list[tuple[str, int]], limit: float, *, pre_login: bool
) -> tuple:
    """Every client's flow; with ``pre_login`` all log in first and the clock starts
    when the last one has, so that only opening, saving and submitting are timed."""
    logs: list[list] = [[] for _ in accounts]
    logins: list[list] = [[] for _ in accounts]
    failures: dict[str, str] = {}
    start = threading.Barrier(len(accounts) + 1)
    logged_in = threading.Barrier(len(accounts) + 1)

    def client(index: int, username: str, report_id: int) -> None:
        browser = Browser(port, logins[index] if pre_login else logs[index])
        start.wait()
        try:
            log_in(browser, username)
        except Exception as exc:  # noqa: BLE001 - every failure is reported below
            failures[username] = repr(exc)
        if pre_login:
            browser.log = logs[index]
            # the server drops a keep-alive connection idle for 2 s; a browser
            # would open a new one, so do the same
            browser.connection.close()
            logged_in.wait()
        if username in failures:
            return
        try:
            save_and_submit(browser, report_id, index)
        except Exception as exc:  # noqa: BLE001 - every failure is reported below
            failures[username] = repr(exc)
        finally:
            browser.connection.close()

    threads = [
        threading.Thread(target=client, args=(i, u, r), daemon=True)
        for i, (u, r) in enumerate(accounts)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    if pre_login:
        login_started = time.perf_counter()
        logged_in.wait(timeout=limit)
        login_log = [entry for log in logins for entry in log]
        print(
            f"(before the clock: {len(accounts)} logins took "
            f"{time.perf_counter() - login_started:.1f} s, "
            f"{len(login_log) / (time.perf_counter() - login_started):.1f} requests/s)"
        )
    started = time.perf_counter()
    deadline = time.monotonic() + limit
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    wall = time.perf_counter() - started
    unfinished = [
        u for (u, _r), t in zip(accounts, threads, strict=True) if t.is_alive()
    ]
    for username in unfinished:
        failures.setdefault(username, f"not finished within {limit:.0f} s")
    return wall, [entry for log in logs for entry in log], failures


# --- what the database holds afterwards --------------------------------------------


def verify(accounts: list[tuple[str, int]]) -> list[str]:
    from decimal import Decimal

    from django.db.models import Count

    from methodica.core.models import AuditEntry
    from methodica.reporting.models import Report, ReportValue, ReportVersion
    from methodica.reporting.reading import report_values

    problems = []
    reports = {
        r.pk: r
        for r in Report.objects.filter(
            pk__in=[pk for _u, pk in accounts]
        ).select_related("library")
    }
    versions = defaultdict(list)
    for report_id, revision, username, status in ReportVersion.objects.values_list(
        "report_id", "revision", "saved_by__username", "status"
    ):
        versions[report_id].append((revision, username, status))
    audits = Counter(
        AuditEntry.objects.filter(action__startswith="report.").values_list(
            "action", "object_id", "actor__username"
        )
    )
    duplicated = (
        ReportValue.objects.values("report_id", "indicator_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    if duplicated:
        problems.append(f"{duplicated} cells stored more than once")
    for number, (username, report_id) in enumerate(accounts):
        report = reports[report_id]
        if report.status != Report.Status.SUBMITTED or report.submitted_at is None:
            problems.append(f"{username}: report {report.status}")
        if report.revision != 1:
            problems.append(
                f"{username}: revision {report.revision}, one save expected"
            )
        if versions[report_id] != [(1, username, "draft")]:
            problems.append(f"{username}: versions {versions[report_id]}")
        stored = report_values(report)
        for code, text in cells_for(number).items():
            value = stored.get(code)
            expected = Decimal(1) if text == "да" else Decimal(text)
            if value != expected:
                problems.append(f"{username}: {code} = {value}, sent {text}")
        for action in ("report.saved", "report.submitted"):
            if audits[(action, str(report_id), username)] != 1:
                problems.append(
                    f"{username}: {audits[(action, str(report_id), username)]} {action}"
                )
    expected_entries = 2 * len(accounts)
    if sum(audits.values()) != expected_entries:
        problems.append(
            f"{sum(audits.values())} report audit entries, {expected_entries} expected"
        )
    return problems


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, round(len(ordered) * share) - 1)]


def summary(wall: float, log: list, failures: dict[str, str], clients: int) -> None:
    durations = sorted(d for _s, _st, d, _e in log)
    print(
        f"\n{clients} clients, {len(log)} requests in {wall:.1f} s: "
        f"{len(log) / wall:.1f} requests/s; "
        f"{clients - len(failures)} of {clients} flows completed"
    )
    print(
        f"{'step':14} {'requests':>8} {'median ms':>10} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    steps = defaultdict(list)
    for step, _status, duration, _error in log:
        steps[step].append(duration * 1000)
    for step, timings in [*steps.items(), ("all", [d * 1000 for d in durations])]:
        timings.sort()
        print(
            f"{step:14} {len(timings):8d} {statistics.median(timings):10.0f} "
            f"{percentile(timings, 0.95):8.0f} {percentile(timings, 0.99):8.0f} "
            f"{timings[-1]:8.0f}"
        )
    statuses = Counter((step, status) for step, status, _d, _e in log)
    print(
        "responses:",
        ", ".join(f"{s} {c}: {n}" for (s, c), n in sorted(statuses.items(), key=str)),
    )
    errors = Counter(e for _s, _st, _d, e in log if e)
    for error, count in errors.items():
        print(f"request error ×{count}: {error}")
    for username, failure in sorted(failures.items())[:20]:
        print(f"failed: {username}: {failure}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument(
        "--limit", type=float, default=120, help="seconds before giving up on clients"
    )
    parser.add_argument(
        "--pre-login",
        action="store_true",
        help="log everyone in first; time opening, saving and submitting only",
    )
    args = parser.parse_args()
    url = fresh_database()
    import django

    django.setup()
    started = time.perf_counter()
    accounts = seed(args.clients)
    print(f"seeded {len(accounts)} reporters in {time.perf_counter() - started:.0f} s")
    from django.db import connections

    connections.close_all()
    log_path = ROOT / "var" / "bench" / "load_server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = start_server(url, port, args.workers, log_path)
    try:
        wall, log, failures = run_clients(
            port, accounts, args.limit, pre_login=args.pre_login
        )
    finally:
        stop_server(server)
    summary(wall, log, failures, args.clients)
    problems = verify(accounts)
    if problems:
        print(f"\nDATABASE CHECK FAILED: {len(problems)} problems")
        for problem in problems[:30]:
            print("  " + problem)
    else:
        print(
            f"\ndatabase check: all {len(accounts)} reports submitted exactly once, one "
            "version per save, values exactly as sent, one value a cell, one save and "
            "one submission audited per report"
        )
    within = wall <= 60 and not failures
    print(
        f"all flows done within one minute: {'yes' if within else 'no'} ({wall:.1f} s)"
    )
    return 1 if problems or failures else 0


if __name__ == "__main__":
    sys.exit(main())
