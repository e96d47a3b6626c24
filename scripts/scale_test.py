"""Scale test: three web servers and three workers on PostgreSQL + Redis, ten organisations exporting at once.

Creates a fresh PostgreSQL database, seeds ten organisations, runs three Daphne servers and three django-q2
clusters on loopback, starts ten exports at once (half through the page, half through the API) while each
organisation's page socket listens, restarts one worker and one web server meanwhile, then checks the final
states, the frames, readiness (workers stopped and started) and the metrics against the audit trail. Prints a
summary and exits 1 on any violation. Every process it started is killed on exit (Ctrl+C too); the database is
dropped. Usage: scripts/scale-test.sh [--activities N] [--timeout SECONDS] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import dataclasses
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
sys.path.insert(0, str(ROOT))
PASSWORD = "demo-passord-2026"
READY_BOUND_SECONDS = 32.0  # the documented bound: a heartbeat older than 30 s, plus 2 s of cached result
FINAL = ("succeeded", "failed", "cancelled")
STATUS_RE = re.compile(r'id="export-status"[^>]*?data-status="(\w+)"', re.S)
ID_RES = (
    re.compile(r"history-status-(\d+)"),
    re.compile(r"/exports/(\d+)/download"),
    re.compile(r"/exports/[a-z0-9-]+/(\d+)/cancel"),
)
SLUG_RE = re.compile(r"/(?:exports|tokens)/(?:for/)?([a-z0-9-]+)/")


@dataclasses.dataclass
class Org:
    """One organisation of the run and everything observed about it."""

    slug: str
    name: str
    username: str
    via: str
    server: int
    token: str = ""
    session: requests.Session | None = None
    export_id: int | None = None
    started: float = 0.0
    final_status: str = ""
    error: str = ""
    seconds: float = 0.0
    rows: int = 0
    frames: list[tuple[float, str]] = dataclasses.field(default_factory=list)
    connects: int = 0
    drops: list[str] = dataclasses.field(default_factory=list)
    cross: int = 0
    final_frame: bool = False


class Fleet:
    """The processes this run started: each in its own session, all killed on exit."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.ports = [free_port() for _ in range(3)]
        self.web: list[subprocess.Popen[bytes] | None] = [None] * 3
        self.workers: list[subprocess.Popen[bytes] | None] = [None] * 3
        self.every: list[subprocess.Popen[bytes]] = []

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        """Start one process in a new session, its output appended to logs/<name>.log."""
        with (self.logs / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                args,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.every.append(process)
        return process

    def start_web(self, i: int) -> None:
        """Daphne on loopback port i."""
        self.web[i] = self._spawn(
            f"web{i}", [str(BIN / "daphne"), "-b", LOOPBACK, "-p", str(self.ports[i]), "bufdir_site.asgi:application"]
        )

    def start_worker(self, i: int) -> None:
        """One django-q2 cluster (manage.py qcluster)."""
        self.workers[i] = self._spawn(f"worker{i}", [sys.executable, "manage.py", "qcluster"])

    @staticmethod
    def stop(process: subprocess.Popen[bytes] | None, grace: float = 60.0) -> float:
        """SIGTERM the process, wait for it (then kill its session); seconds it took to stop."""
        if process is None:
            return 0.0
        began = time.monotonic()
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                kill_session(process, signal.SIGKILL)
                process.wait(timeout=10)
        kill_session(process, signal.SIGKILL)  # children the process left behind
        return time.monotonic() - began

    def url(self, i: int) -> str:
        """The base URL of web server i."""
        return f"http://{LOOPBACK}:{self.ports[i]}"

    def close(self) -> None:
        """Terminate every process this run started, then kill what is left."""
        for process in self.every:
            kill_session(process, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.every:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            kill_session(process, signal.SIGKILL)


def kill_session(process: subprocess.Popen[bytes], sig: int) -> None:
    """Send `sig` to the process's whole session (its process group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, check: Callable[[], bool], limit: float, every: float = 0.5) -> float:
    """Poll `check` until true; seconds it took; raise after `limit` seconds."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        try:
            if check():
                return time.monotonic() - began
        except (requests.RequestException, OSError):
            pass
        time.sleep(every)
    raise TimeoutError(f"{what}: not within {limit:.0f} s")


def status_of(url: str, path: str, token: str = "") -> int:
    """The HTTP status of GET url+path (0 when nothing answers)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        return requests.get(url + path, headers=headers, timeout=10).status_code
    except requests.RequestException:
        return 0


def answers(url: str, path: str, code: int) -> Callable[[], bool]:
    """A check that GET url+path answers `code`."""
    return lambda: status_of(url, path) == code


def manage(env: dict[str, str], *args: str) -> None:
    """A management command in its own process; its output shown only on failure."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def seed_organisations(activities: int) -> list[Org]:
    """Eight more organisations beside the two demo ones, each with its administrator; all ten, in order."""
    import datetime as dt
    import random

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from exports.demo import generator
    from exports.models import Membership

    rng = random.Random(19)
    today = dt.date.today()
    orgs = [
        Org("nhf", generator.NHF.name, "nhf-admin", "page", 0),
        Org("hlf-demo", generator.HLF.name, "hlf-admin", "api", 1),
    ]
    with transaction.atomic():
        for n in range(3, 11):
            base = generator.NHF if n % 2 else generator.HLF
            spec = dataclasses.replace(
                base,
                slug=f"skala-{n:02d}",
                name=f"Skalatest forening {n:02d}",
                org_number=f"99000{n:04d}",
                mentor_count=16,
                activity_divisor=1,
                branch_municipalities=base.branch_municipalities[n % 4 :: 4][:6],
            )
            organisation, _ = generator.seed_organisation(rng, spec, activities, today)
            user = get_user_model().objects.create_user(f"skala{n:02d}-admin", password=PASSWORD)
            Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ADMINISTRATOR)
            orgs.append(Org(spec.slug, spec.name, user.username, "page" if n % 2 else "api", (n - 1) % 3))
    return orgs


def api_token(org: Org) -> str:
    """A token from `manage.py create_api_token` (run in this process): its last line."""
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("create_api_token", org.username, "--org", org.slug, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def log_in(base: str, username: str) -> requests.Session:
    """A session logged in through the login page (CSRF cookie and field)."""
    session = requests.Session()
    session.get(base + "/accounts/login/", timeout=20)
    answer = session.post(
        base + "/accounts/login/",
        timeout=20,
        allow_redirects=False,
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": base + "/accounts/login/"},
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"log-in of {username} failed: {answer.status_code}")
    return session


class Run:
    """The concurrent part: sockets, starts, restarts and polling, with a time limit on every loop."""

    def __init__(self, fleet: Fleet, orgs: list[Org], year: int, timeout: float) -> None:
        self.fleet, self.orgs, self.year, self.timeout = fleet, orgs, year, timeout
        self.stop_listening = asyncio.Event()
        self.events: list[str] = []
        self.violations: list[str] = []
        self.t0 = time.monotonic()

    def note(self, text: str) -> None:
        """Record and print a timed event."""
        line = f"[{time.monotonic() - self.t0:6.1f} s] {text}"
        self.events.append(line)
        print(line, flush=True)

    async def listen(self, org: Org) -> None:
        """Keep the organisation's page socket open (reconnecting to the next server, as a proxy would)."""
        from websockets.asyncio.client import connect

        attempt = 0
        deadline = time.monotonic() + self.timeout
        while not self.stop_listening.is_set() and time.monotonic() < deadline:
            port = self.fleet.ports[(org.server + attempt) % 3]
            attempt += 1
            assert org.session is not None
            try:
                async with connect(
                    f"ws://{LOOPBACK}:{port}/ws/exports/{org.slug}/",
                    open_timeout=10,
                    origin=f"http://{LOOPBACK}:{port}",  # type: ignore[arg-type]
                    additional_headers={"Cookie": f"sessionid={org.session.cookies['sessionid']}"},
                ) as socket_:
                    org.connects += 1
                    attempt -= 1  # stay on this server while it answers
                    while not self.stop_listening.is_set() and time.monotonic() < deadline:
                        try:
                            frame = await asyncio.wait_for(socket_.recv(), timeout=1.0)
                        except TimeoutError:
                            continue
                        org.frames.append((time.monotonic(), str(frame)))
            except Exception as error:  # noqa: BLE001  # a refused or dropped socket: reconnect, as the page does
                code = getattr(getattr(error, "rcvd", None), "code", "")
                org.drops.append(f"{time.monotonic() - self.t0:.1f}s@{port}:{type(error).__name__}{code}")
            if not self.stop_listening.is_set():
                await asyncio.sleep(0.5)

    def start_one(self, org: Org) -> None:
        """Start the organisation's export through the page (HTMX POST) or the API."""
        base = self.fleet.url(org.server)
        org.started = time.monotonic()
        if org.via == "page":
            assert org.session is not None
            session = org.session
            session.get(f"{base}/exports/{org.slug}/", timeout=30)
            csrf = session.cookies["csrftoken"] or ""
            answer = session.post(
                f"{base}/exports/{org.slug}/start/",
                data={"mode": "year", "year": self.year, "csrfmiddlewaretoken": csrf},
                headers={"HX-Request": "true", "X-CSRFToken": csrf, "Referer": base},
                timeout=30,
            )
            found = [int(m) for pattern in ID_RES for m in pattern.findall(answer.text)]
            if answer.status_code != 200 or not found:
                raise RuntimeError(f"{org.slug}: the page's start answered {answer.status_code}")
            org.export_id = max(found)
        else:
            answer = requests.post(
                f"{base}/api/v1/exports",
                json={"year": self.year},
                timeout=30,
                headers={"Authorization": f"Bearer {org.token}"},
            )
            if answer.status_code != 202:
                raise RuntimeError(f"{org.slug}: the API's start answered {answer.status_code}: {answer.text[:200]}")
            org.export_id = int(answer.json()["id"])

    def poll(self, org: Org) -> dict[str, Any] | None:
        """The export as the API shows it, from the first web server that answers."""
        for k in range(3):
            try:
                answer = requests.get(
                    f"{self.fleet.url((org.server + k) % 3)}/api/v1/exports/{org.export_id}",
                    headers={"Authorization": f"Bearer {org.token}"},
                    timeout=10,
                )
            except requests.RequestException:
                continue
            if answer.status_code == 200:
                return dict(answer.json())
        return None

    async def restarts(self) -> None:
        """Once an export runs: SIGTERM worker 0 and web server 1, and start both again."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            states = await asyncio.gather(*(asyncio.to_thread(self.poll, org) for org in self.orgs))
            if any(s and s["status"] == "running" for s in states):
                break
            await asyncio.sleep(0.5)
        self.note("an export is running: SIGTERM to worker 0 and web server 1")
        worker = asyncio.to_thread(Fleet.stop, self.fleet.workers[0])
        web = asyncio.to_thread(Fleet.stop, self.fleet.web[1], 20.0)
        took_worker, took_web = await asyncio.gather(worker, web)
        self.note(f"worker 0 stopped after {took_worker:.1f} s, web server 1 after {took_web:.1f} s; starting both")
        self.fleet.start_worker(0)
        self.fleet.start_web(1)
        url = self.fleet.url(1)
        up = await asyncio.to_thread(wait_for, "web server 1 again", answers(url, "/healthz", 200), 60)
        self.note(f"web server 1 answers again after {up:.1f} s")

    async def main(self) -> None:
        """Sockets first, then all starts at once, restarts meanwhile, poll until every export has ended."""
        asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=24))
        listeners = [asyncio.create_task(self.listen(org)) for org in self.orgs]
        await asyncio.sleep(2)
        self.note("starting ten exports at once")
        results = await asyncio.gather(
            *(asyncio.to_thread(self.start_one, org) for org in self.orgs), return_exceptions=True
        )
        for org, result in zip(self.orgs, results, strict=True):
            if isinstance(result, Exception):
                self.violations.append(f"{org.slug}: could not start: {result}")
        self.note("started: " + ", ".join(f"{o.slug}#{o.export_id}" for o in self.orgs))
        chaos = asyncio.create_task(self.restarts())
        deadline = time.monotonic() + self.timeout
        waiting = [org for org in self.orgs if org.export_id is not None]
        while waiting and time.monotonic() < deadline:
            states = await asyncio.gather(*(asyncio.to_thread(self.poll, org) for org in waiting))
            for org, state in zip(list(waiting), states, strict=True):
                if state and state["status"] in FINAL:
                    org.final_status, org.error = state["status"], state.get("error_message") or ""
                    org.seconds = time.monotonic() - org.started
                    org.rows = int(state["rows"]["processed"] or 0)
                    waiting.remove(org)
                    self.note(f"{org.slug}#{org.export_id} {org.final_status} after {org.seconds:.1f} s")
            await asyncio.sleep(1)
        for org in waiting:
            self.violations.append(f"{org.slug}#{org.export_id}: still not finished after {self.timeout:.0f} s")
        try:
            await asyncio.wait_for(chaos, timeout=120)
        except Exception as error:  # noqa: BLE001  # reported as a violation
            self.violations.append(f"restart of a worker and a web server failed: {error!r}")
        deadline = time.monotonic() + 30  # the last frames follow the final state within moments
        while time.monotonic() < deadline and not all(self.saw_final(org) for org in self.orgs):
            await asyncio.sleep(0.5)
        self.stop_listening.set()
        await asyncio.wait_for(asyncio.gather(*listeners), timeout=30)

    @staticmethod
    def saw_final(org: Org) -> bool:
        """Whether a frame shows the export's final state (its status box, with the export in the history)."""
        return any(
            STATUS_RE.findall(text)[-1:] == [org.final_status] and f"history-status-{org.export_id}" in text
            for _, text in org.frames
        )


def names_only_its_own(text: str, *, org: Org, own_ids: set[int], others: list[Org]) -> bool:
    """Whether a frame names its organisation and no other: its name, only its slug and only its export ids."""
    found = {int(m) for pattern in ID_RES for m in pattern.findall(text)}
    slugs = {s for s in SLUG_RE.findall(text) if not s.isdigit()} - {"organisation"}
    return (
        org.name in text
        and not found - own_ids
        and not slugs - {org.slug}
        and not any(other.name in text for other in others)
    )


def check_frames(orgs: list[Org], violations: list[str]) -> None:
    """Every frame names only its organisation: its name, its slug and its own export ids."""
    from exports.models import BufdirExportAudit

    ids = {
        org.slug: set(BufdirExportAudit.objects.filter(organisation__slug=org.slug).values_list("pk", flat=True))
        for org in orgs
    }
    for org in orgs:
        others = [o for o in orgs if o is not org]
        org.cross = sum(
            not names_only_its_own(text, org=org, own_ids=ids[org.slug], others=others) for _, text in org.frames
        )
        org.final_frame = Run.saw_final(org)
        errors = [drop for drop in org.drops if drop.endswith("1011")]
        if errors:
            violations.append(f"{org.slug}: socket closed by a server error (1011): {', '.join(errors)}")
        if org.cross:
            violations.append(f"{org.slug}: {org.cross} frames name another organisation or not its own")
        if not org.final_frame:
            violations.append(f"{org.slug}: no frame showed the final state {org.final_status or '?'}")
        if org.final_status not in ("succeeded", "failed"):
            violations.append(f"{org.slug}#{org.export_id}: ended {org.final_status or 'unknown'}")
        if org.final_status == "failed" and not org.error:
            violations.append(f"{org.slug}#{org.export_id}: failed without a reason")


def check_readiness(fleet: Fleet, token: str, violations: list[str]) -> list[str]:
    """Stop every worker: /readyz 503 on every server within the bound; start them: 200 again."""
    lines = []
    wait_for("all servers ready", lambda: all(status_of(fleet.url(i), "/readyz") == 200 for i in range(3)), 90)
    for i in range(3):
        Fleet.stop(fleet.workers[i])
    stopped = time.monotonic()
    for i in range(3):
        url = fleet.url(i)
        try:
            wait_for(f"web server {i} not ready", answers(url, "/readyz", 503), 60, 0.25)
            seconds = time.monotonic() - stopped
            lines.append(
                f"workers stopped -> web server {i} /readyz 503 after {seconds:.1f} s "
                f"(bound {READY_BOUND_SECONDS:.0f} s)"
            )
            if seconds > READY_BOUND_SECONDS:
                violations.append(f"web server {i}: /readyz 503 only after {seconds:.1f} s")
        except TimeoutError as error:
            violations.append(str(error))
    alive = fleet_metric(fleet.url(0), token).get(("bufdir_workers_alive", ()), -1)
    lines.append(f"bufdir_workers_alive with every worker stopped: {alive:g}")
    for i in range(3):
        fleet.start_worker(i)
    started = time.monotonic()
    for i in range(3):
        url = fleet.url(i)
        try:
            wait_for(f"web server {i} ready again", answers(url, "/readyz", 200), 60, 0.25)
            lines.append(f"workers started -> web server {i} /readyz 200 after {time.monotonic() - started:.1f} s")
        except TimeoutError as error:
            violations.append(str(error))
    return lines


def fleet_metric(url: str, token: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics (scraped with the token), by name and labels."""
    from prometheus_client.parser import text_string_to_metric_families

    answer = requests.get(url + "/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=20)
    answer.raise_for_status()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def check_metrics(fleet: Fleet, token: str, violations: list[str]) -> list[str]:
    """The export counters of every server equal the audit trail's counts per status."""
    from django.db.models import Count

    from exports.models import BufdirExportAudit

    by_status = dict(BufdirExportAudit.objects.values_list("status").annotate(n=Count("pk")).order_by())
    expected = {
        "requested": sum(by_status.values()),
        "started": BufdirExportAudit.objects.filter(started_at__isnull=False).count(),
        "succeeded": by_status.get("succeeded", 0),
        "failed": by_status.get("failed", 0),
        "cancelled": by_status.get("cancelled", 0),
        "active": by_status.get("pending", 0) + by_status.get("running", 0),
    }
    lines = [f"audit trail: {expected}"]
    for i in range(3):
        samples = fleet_metric(fleet.url(i), token)

        def total(name: str, samples: dict[Any, float] = samples) -> int:
            return int(sum(value for (sample, _), value in samples.items() if sample == name))

        scraped = {
            "requested": total("bufdir_exports_requested_total"),
            "started": total("bufdir_exports_started_total"),
            "succeeded": total("bufdir_exports_succeeded_total"),
            "failed": total("bufdir_exports_failed_total"),
            "cancelled": total("bufdir_exports_cancelled_total"),
            "active": total("bufdir_exports_active"),
        }
        lines.append(f"web server {i} /metrics: {scraped}")
        if scraped != expected:
            violations.append(f"web server {i}: metrics {scraped} differ from the audit trail {expected}")
    return lines


def table(orgs: list[Org]) -> list[str]:
    """The per-organisation summary."""
    head = (
        f"{'organisation':<14} {'via':<4} {'srv':>3} {'export':>6} {'final':<9} {'rows':>5} {'secs':>6} "
        f"{'frames':>6} {'connects':>8} {'final seen':<10} {'cross-org':>9}  reason"
    )
    rows = [head, "-" * len(head)]
    for o in orgs:
        rows.append(
            f"{o.slug:<14} {o.via:<4} {o.server:>3} {o.export_id or 0:>6} {o.final_status:<9} "
            f"{o.rows:>5} {o.seconds:>6.1f} {len(o.frames):>6} {o.connects:>8} "
            f"{'yes' if o.final_frame else 'NO':<10} {o.cross:>9}  {o.error[:60]}"
        )
    return rows


def fresh_database(base_url: str) -> tuple[str, Callable[[], None]]:
    """A new PostgreSQL database named bufdir_scale_<random>, and how to drop it."""
    import psycopg

    parts = urlsplit(base_url)
    name = f"bufdir_scale_{uuid.uuid4().hex[:10]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def parse() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server (a fresh database bufdir_scale_* is created on it and dropped)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("SCALE_REDIS_URL", "redis://127.0.0.1:6379/2"),
        help="a Redis database this run may empty (default db 2)",
    )
    parser.add_argument("--activities", type=int, default=6000, help="activities of each added organisation")
    parser.add_argument("--timeout", type=float, default=420, help="seconds the exports may take in all")
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    return parser.parse_args()


def configure(args: argparse.Namespace, var: Path, database_url: str) -> dict[str, str]:
    """The environment of every process: the production topology on loopback."""
    for url in (args.database_url, args.redis_url):
        if urlsplit(url).hostname not in (LOOPBACK, "localhost", "::1"):
            raise SystemExit(f"only loopback addresses: {url}")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "DJANGO_SECRET_KEY": f"scale-{uuid.uuid4().hex}",
        "METRICS_TOKEN": f"metrics-{uuid.uuid4().hex}",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BUFDIR_VAR_DIR": str(var),
        "Q_CLUSTER_NAME": f"scale-{uuid.uuid4().hex[:8]}",
        "Q_WORKERS": "2",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "bufdir_site.settings",
        "BUFDIR_SITE_URL": "http://127.0.0.1",
    }
    for name in ("SUPABASE_URL", "SUPABASE_SERVICE_KEY", "EXPORT_S3_BUCKET", "EMAIL_HOST"):
        env.pop(name, None)
    return env


def main() -> int:
    """Set up, run, check, report; 0 when nothing was violated."""
    args = parse()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    began = time.monotonic()
    var = Path(tempfile.mkdtemp(prefix="bufdir-scale-"))
    (var / "logs").mkdir()
    database_url, drop = fresh_database(args.database_url)
    env = configure(args, var, database_url)
    fleet = Fleet(env, var / "logs")
    violations: list[str] = []
    try:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        print(f"database {urlsplit(database_url).path[1:]}, Redis {args.redis_url}, logs {var / 'logs'}", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo", "--activities", str(args.activities), "--seed", "7")
        os.environ.update(env)
        import django

        django.setup()
        orgs = seed_organisations(args.activities)
        for org in orgs:
            org.token = api_token(org)
        print(f"seeded 10 organisations in {time.monotonic() - began:.0f} s", flush=True)
        for i in range(3):
            fleet.start_web(i)
            fleet.start_worker(i)
        wait_for(
            "three web servers ready", lambda: all(status_of(fleet.url(i), "/readyz") == 200 for i in range(3)), 120
        )
        print(
            f"3 web servers on ports {fleet.ports}, 3 workers; ready after {time.monotonic() - began:.0f} s", flush=True
        )
        for org in orgs:
            org.session = log_in(fleet.url(org.server), org.username)
        from django.utils import timezone

        run = Run(fleet, orgs, timezone.localdate().year - 1, args.timeout)
        asyncio.run(run.main())  # on Ctrl+C asyncio.run cancels every task and closes the sockets
        violations += run.violations
        check_frames(orgs, violations)
        token = env["METRICS_TOKEN"]
        ready_lines = check_readiness(fleet, token, violations)
        metric_lines = check_metrics(fleet, token, violations)
        drops = [f"{o.slug}: socket dropped {', '.join(o.drops)}" for o in orgs if o.drops]
        print("\n".join(["", *table(orgs), "", *drops, *ready_lines, *metric_lines]))
        print(f"\ntotal {time.monotonic() - began:.0f} s; violations: {len(violations)}")
        for violation in violations:
            print(f"  VIOLATION {violation}")
        return 1 if violations else 0
    except Exception as error:  # noqa: BLE001  # any failure of the run itself is a violation too
        violations.append(repr(error))
        print(f"VIOLATION the run failed: {error!r}; logs in {var / 'logs'}", flush=True)
        return 1
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        return 130
    finally:
        fleet.close()
        print(f"stopped the {len(fleet.every)} processes this run started", flush=True)
        if args.keep:
            print(f"kept {database_url} and {var}")
        else:
            if "django.apps" in sys.modules and sys.modules["django.apps"].apps.ready:
                from django.db import connections

                connections.close_all()
            drop()
            print(f"dropped {urlsplit(database_url).path[1:]}", flush=True)
            for item in var.iterdir():  # the logs stay for a look afterwards
                if item.is_dir() and item.name != "logs":
                    shutil.rmtree(item, ignore_errors=True)
                elif item.is_file():
                    item.unlink()
            print(f"logs kept in {var / 'logs'}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
