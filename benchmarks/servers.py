"""Real server processes for the WebSocket benchmark and the fault tests.

The app runs as ``make run`` does (``serve.py``: gevent's WSGI server with simple-websocket)
or as the README's several-process recipe does (gunicorn's gevent worker, one worker per
process); the bare comparison server runs on the same gevent stack. Everything a scenario
needs – a prepared workshop, a PostgreSQL schema of its own, a private redis-server, the
database's own count of the votes and a process's resident memory – lives here so that the
benchmark and tests/faults drive the very same processes.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SECRET = "benchmark-secret-shared-by-every-process"
EMAIL = "bench@brygga.local"
PASSWORD = "benchmark-password-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int) -> int:
    """Resident memory of a process in KiB, from /proc/<pid>/status (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


@dataclass
class Server:
    """One server process (for gunicorn: the arbiter; ``worker_pid`` is the one serving)."""

    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    kind: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def worker_pid(self) -> int:
        if self.kind != "gunicorn":
            return self.proc.pid
        children = _children(self.proc.pid)
        if not children:
            raise RuntimeError(f"gunicorn {self.proc.pid} has no worker")
        return children[0]

    def rss_kb(self) -> int:
        return rss_kb(self.worker_pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.worker_pid)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the serving process: no goodbye to any client, as a crash."""
        if self.kind == "gunicorn":
            workers = _children(self.proc.pid)
            os.kill(self.proc.pid, signal.SIGKILL)  # the arbiter first, or it respawns
            for worker in workers:
                os.kill(worker, signal.SIGKILL)
        else:
            self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def wait_ready(server: Server, path: str = "/login", timeout: float = 60.0) -> None:
    """Poll until the server answers HTTP (a readiness check, not a synchronisation sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"{server.name} exited:\n{server.tail()}")
        try:
            with urllib.request.urlopen(server.base + path, timeout=2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{server.name} did not start:\n{server.tail()}")


def _spawn(name: str, args: list[str], env: dict[str, str], log_dir: Path, kind: str) -> Server:
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    port = int(env["PORT"])
    with log.open("wb") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Server(name, port, proc, log, kind)


def start_app(
    database_url: str,
    log_dir: Path,
    *,
    name: str = "app",
    kind: str = "serve",
    port: int | None = None,
    redis_url: str | None = None,
    channel: str | None = None,
    extra_env: dict[str, str] | None = None,
    wait: bool = True,
) -> Server:
    """Start the app on ``database_url`` (schema already there) and wait until it serves
    (``wait=False``: return at once; several processes then start side by side).

    ``kind`` "serve" runs serve.py as ``make run`` does; "gunicorn" runs the README's
    production line (``gunicorn -k gevent -w 1``), with room for more than gunicorn's default
    of 1 000 simultaneous connections per worker.
    """
    port = port or free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "DATABASE_SCHEMA": "none",
        "SECRET_KEY": SECRET,
        "BRYGGA_DEMO": "0",
        "SOCKETIO_ASYNC_MODE": "gevent",
        "SOCKETIO_MESSAGE_QUEUE": redis_url or "",
        "SOCKETIO_CHANNEL": channel or "brygga",
        **(extra_env or {}),
    }
    if kind == "serve":
        args = [PYTHON, "serve.py"]
    else:
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        args = [
            gunicorn,
            "-k",
            "gevent",
            "-w",
            "1",
            "--worker-connections",
            "10000",
            "-b",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ]
    server = _spawn(name, args, env, log_dir, kind)
    if wait:
        wait_all([server])
    return server


def wait_all(started: list[Server], timeout: float = 60.0) -> None:
    """Wait until every server serves; stop them all if one does not."""
    try:
        for server in started:
            wait_ready(server, timeout=timeout)
    except BaseException:
        for server in started:
            server.stop()
        raise


def start_bare(log_dir: Path, *, name: str = "bare", port: int | None = None) -> Server:
    """Start the bare python-socketio server (benchmarks/bare_server.py)."""
    port = port or free_port()
    env = {**os.environ, "PORT": str(port)}
    server = _spawn(name, [PYTHON, "-m", "benchmarks.bare_server"], env, log_dir, "bare")
    try:
        wait_ready(server)
    except BaseException:
        server.stop()
        raise
    return server


# --- Databases -------------------------------------------------------------------------------


@contextmanager
def postgres_schema(url: str, prefix: str = "bench") -> Iterator[str]:
    """A schema of its own on ``url`` (dropped afterwards); yields the URL that uses it."""
    import sqlalchemy

    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sqlalchemy.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@dataclass
class Room:
    """A prepared WS1 workshop: one subject organisation, the phones' organisations, and
    own-description statements about the subject (so every phone may answer them)."""

    database_url: str
    workshop_id: int
    code: str
    subject_id: int
    phone_orgs: list[int]
    statement_ids: list[int]
    email: str = EMAIL
    password: str = PASSWORD
    extra: dict[str, object] = field(default_factory=dict)


def prepare_room(database_url: str, statements: int = 1) -> Room:
    """Create the tables, a facilitator and a workshop on ``database_url``."""
    from app import create_app
    from db import session_scope
    from workshops import services

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SOCKETIO_ASYNC_MODE": "threading",
            "DATABASE_SCHEMA": "create_all",
            "SECRET_KEY": SECRET,
        }
    )
    try:
        with session_scope(app) as s:
            fid = services.create_facilitator(s, email=EMAIL, name="Bench", password=PASSWORD)
            wid = services.create_workshop(
                s, owner_id=fid, title="Load", date=None, target_group="adults"
            )
            subject = services.add_organisation(
                s, workshop_id=wid, name="Habilitering", principal="region"
            )
            others = [
                services.add_organisation(s, workshop_id=wid, name=name, principal=principal)
                for name, principal in (("BUP", "region"), ("Elevhälsa", "municipality"))
            ]
            sids = services.add_statements(
                s,
                workshop_id=wid,
                organisation_id=subject,
                topic="mandate",
                perspective="own",
                texts=[f"Påstående {i + 1}" for i in range(statements)],
            )
            code = services.get_workshop(s, wid).join_code
    finally:
        app.extensions["db.engine"].dispose()
    return Room(database_url, wid, code, subject, others, sids)


@dataclass(frozen=True)
class Counted:
    """What the database holds for one statement."""

    tally: dict[str, int]
    votes: int
    ballots: int
    participants: int


def count_votes(database_url: str, workshop_id: int, statement_id: int) -> Counted:
    """The database's own count: vote rows per choice, ballot events, participants."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from db import make_engine
    from workshops.models import Participant, Vote, VoteEvent

    engine = make_engine(database_url)
    try:
        with Session(engine) as s:
            rows = s.execute(
                select(Vote.choice, func.count())
                .where(Vote.statement_id == statement_id)
                .group_by(Vote.choice)
            ).all()
            tally = {"yes": 0, "no": 0, "discuss": 0} | {c: int(n) for c, n in rows}
            ballots = s.scalar(
                select(func.count())
                .select_from(VoteEvent)
                .where(VoteEvent.statement_id == statement_id)
            )
            participants = s.scalar(
                select(func.count())
                .select_from(Participant)
                .where(Participant.workshop_id == workshop_id)
            )
            s.rollback()
    finally:
        engine.dispose()
    return Counted(tally, sum(tally.values()), int(ballots or 0), int(participants or 0))


# --- A private Redis -------------------------------------------------------------------------


@dataclass
class RedisServer:
    """A redis-server of our own on a free port, so a test may stop and start it without
    touching the Redis anyone else on the machine uses."""

    port: int
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server not found")
        self.workdir.mkdir(parents=True, exist_ok=True)
        args = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.workdir)]
        with (self.workdir / "redis.log").open("ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ping():
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}")
            time.sleep(0.02)
        raise TimeoutError("redis-server did not answer")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None
