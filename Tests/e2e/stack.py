"""Starts the real stack for end-to-end tests: the fcgi-app pool and nginx over TLS, on a PostgreSQL database.

Everything runs from the repository's own scripts (deploy/render-nginx.sh, deploy/make-dev-certificate.sh,
scripts/postgres.sh, scripts/build-public.sh), so the tests exercise what operators and ./run use.
"""

from __future__ import annotations

import atexit
import functools
import json
from http import cookiejar
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

REPOSITORY = Path(__file__).resolve().parents[2]
POSTGRES_SCRIPT = REPOSITORY / "scripts" / "postgres.sh"
BUILD_PUBLIC_SCRIPT = REPOSITORY / "scripts" / "build-public.sh"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def new_session(certificate: Path) -> requests.Session:
    """A session that trusts only the dev certificate and keeps no cookies. trust_env is off: otherwise
    REQUESTS_CA_BUNDLE (set on some machines) silently replaces `verify`, and proxy variables could send
    loopback traffic elsewhere."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(certificate)
    # Tests send the refresh cookie explicitly: a jar that kept it would send it where a test meant not to.
    session.cookies.set_policy(cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return session


def pool_binary() -> str:
    binary = os.environ.get("FCGI_APP_BIN")
    if not binary or not os.access(binary, os.X_OK):
        raise RuntimeError("FCGI_APP_BIN must name the built fcgi-app binary; run the suite through ./test")
    return binary


def build_public(out_dir: Path, source_dir: Path | None = None) -> str:
    """Builds the front end as nginx serves it into `out_dir` (from public/ unless `source_dir` is given) and
    returns the hash that names its asset folder."""
    arguments = [str(BUILD_PUBLIC_SCRIPT), str(out_dir)] + ([str(source_dir)] if source_dir else [])
    return subprocess.run(arguments, check=True, capture_output=True, text=True).stdout.strip()


@functools.cache
def served_public() -> Path:
    """The built front end that every stack serves: built once per test run, removed when the run ends."""
    directory = Path(tempfile.mkdtemp(prefix="e2e-public-", dir="/tmp"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    build_public(directory / "public")
    return directory / "public"


def wait_until(condition, timeout: float = 30, interval: float = 0.05) -> bool:
    """Polls `condition` until it holds; False when it still does not after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def create_database(admin_url: str) -> str:
    """Creates a fresh database on the server behind `admin_url` and returns its URL."""
    name = "e2e_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    return admin_url.rsplit("/", 1)[0] + "/" + name


def psql(url: str, sql: str) -> str:
    result = subprocess.run(["psql", url, "-qtAc", sql], check=True, capture_output=True, text=True)
    return result.stdout.strip()


def make_certificate(directory: Path) -> None:
    """A fresh self-signed certificate for localhost: dev-cert.pem and dev-key.pem in `directory`."""
    subprocess.run([str(REPOSITORY / "deploy" / "make-dev-certificate.sh"), str(directory)],
                   check=True, capture_output=True)


def render_nginx(prefix: Path, https_listen: str, http_listen: str, tls_directory: Path, upstreams: list[str],
                 password_upstreams: list[str]) -> None:
    """Writes prefix/nginx.conf, a standalone nginx for the given pool addresses, with deploy/render-nginx.sh."""
    prefix.mkdir(parents=True, exist_ok=True)
    arguments = [
        str(REPOSITORY / "deploy" / "render-nginx.sh"), "--standalone", str(prefix), "--server-name", "localhost",
        "--https-listen", https_listen, "--http-listen", http_listen, "--static-root", str(served_public()),
        "--certificate", str(tls_directory / "dev-cert.pem"), "--certificate-key", str(tls_directory / "dev-key.pem"),
    ]
    for upstream in upstreams:
        arguments += ["--upstream", upstream]
    for upstream in password_upstreams:
        arguments += ["--password-upstream", upstream]
    configuration = subprocess.run(arguments, check=True, capture_output=True, text=True).stdout
    (prefix / "nginx.conf").write_text(configuration)


def start_nginx(prefix: Path, stderr_log: Path) -> subprocess.Popen:
    """Starts the nginx that render_nginx wrote into `prefix`, in the foreground."""
    return subprocess.Popen(
        ["nginx", "-c", str(prefix / "nginx.conf"), "-p", str(prefix), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=open(stderr_log, "ab"),
    )


def stop_process(process: subprocess.Popen | None, stop_signal: int, timeout: float) -> None:
    """Sends `stop_signal` and waits up to `timeout` seconds, then kills; nothing when it has exited already."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(stop_signal)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# FCGI_BEGIN_REQUEST (version 1, type 1, request id 1, 8 bytes of body: the responder role, no flags).
FASTCGI_BEGIN_REQUEST = bytes([1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])


def fastcgi_answer_to_a_stranger(address: str, port: int, source_address: str | None = None) -> bytes:
    """Connects to a pool's TCP socket (from `source_address` if given), begins a FastCGI request and returns
    what came back: b"" when the pool closed the connection without reading it."""
    source = (source_address, 0) if source_address else None
    with socket.create_connection((address, port), timeout=10, source_address=source) as stranger:
        stranger.sendall(FASTCGI_BEGIN_REQUEST)
        try:
            return stranger.recv(4096)
        except ConnectionResetError:
            # Closing a socket with unread bytes resets it: the worker read none of them.
            return b""


class PrivatePostgres:
    """A PostgreSQL cluster of a test's own, for tests that stop and start the database."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.admin_url = ""

    def start(self) -> str:
        result = subprocess.run(
            [str(POSTGRES_SCRIPT), "start", str(self.directory), str(self.port)],
            check=True, capture_output=True, text=True, env={**os.environ, "PG_FAST_UNSAFE": "1"},
        )
        self.admin_url = result.stdout.strip().splitlines()[-1]
        return self.admin_url

    def stop(self) -> None:
        subprocess.run([str(POSTGRES_SCRIPT), "stop", str(self.directory)], check=True, capture_output=True)


class Stack:
    """The pool and nginx, started in `directory`; `environment` overrides the pool's settings."""

    def __init__(self, directory: Path, database_url: str, environment: dict[str, str] | None = None):
        self.directory = directory
        self.database_url = database_url
        # sun_path holds 108 bytes and pytest's folders are long: the socket gets a short folder of its own.
        self.socket_path = Path(tempfile.mkdtemp(prefix="pool-", dir="/tmp")) / "fcgi.sock"
        self.password_socket_path = self.socket_path.with_name("password.sock")
        self.https_port = free_port()
        self.http_port = free_port()
        self.certificate = directory / "tls" / "dev-cert.pem"
        self.pool_log = directory / "pool.log"
        self.environment = {
            "DATABASE_URL": database_url,
            "JWT_SECRET": "e2e-" + uuid.uuid4().hex + uuid.uuid4().hex,
            "FCGI_LISTEN": str(self.socket_path),
            "FCGI_PASSWORD_LISTEN": str(self.password_socket_path),
            "WORKERS": "2",
            "THREADS_PER_WORKER": "3",
            "SHUTDOWN_TIMEOUT_SECONDS": "10",
            "LOG_LEVEL": "info",
            # Fast hashing and generous limits for tests that are not about them; those tests set their own.
            "BCRYPT_COST": "4",
            "RATE_LIMIT_REGISTER_PER_MINUTE": "100000",
            "RATE_LIMIT_LOGIN_PER_MINUTE": "100000",
            "RATE_LIMIT_REFRESH_PER_MINUTE": "100000",
            "LOGIN_FAILURES_PER_ACCOUNT": "100000",
            "RATE_LIMIT_PASSWORD_RESET_PER_MINUTE": "100000",
            "PASSWORD_RESETS_PER_ADDRESS_PER_HOUR": "100000",
            "RATE_LIMIT_CLIENT_REGISTRATIONS_PER_HOUR": "100000",
            "RATE_LIMIT_OAUTH_TOKEN_PER_MINUTE": "100000",
            "RATE_LIMIT_METADATA_FETCHES_PER_MINUTE": "100000",
            # Mailed links point at this stack; the CSRF check compares Origin with it too.
            "PUBLIC_ORIGIN": f"https://localhost:{self.https_port}",
            "MAIL_DROP_DIRECTORY": str(directory / "mail"),
            **(environment or {}),
        }
        self.pool: subprocess.Popen | None = None
        self.mail_senders: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None
        self.session = new_session(self.certificate)

    # Starting and stopping

    def start(self) -> "Stack":
        make_certificate(self.directory / "tls")
        render_nginx(self.directory / "nginx", https_listen=f"127.0.0.1:{self.https_port}",
                     http_listen=f"127.0.0.1:{self.http_port}", tls_directory=self.directory / "tls",
                     upstreams=[self.upstream("FCGI_LISTEN")],
                     password_upstreams=[self.upstream("FCGI_PASSWORD_LISTEN")])
        self.start_pool()
        self.nginx = start_nginx(self.directory / "nginx", self.directory / "nginx-stderr.log")
        self.wait_for_health()
        return self

    def upstream(self, setting: str) -> str:
        """What nginx connects to for a listening setting: a TCP address as given, a socket path as unix:path."""
        address = self.environment[setting]
        return f"unix:{address}" if address.startswith("/") else address

    def start_pool(self) -> None:
        self.pool = subprocess.Popen(
            [pool_binary(), "serve"],
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **self.environment},
            stdout=subprocess.DEVNULL, stderr=open(self.pool_log, "ab"),
        )

    def wait_for_health(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pool is not None and self.pool.poll() is not None:
                raise RuntimeError(f"the pool exited with {self.pool.returncode}:\n{self.pool_log.read_text()}")
            try:
                if self.get("/api/health", timeout=2).status_code == 200 and len(
                        self.interactive_worker_pids()) >= int(self.environment["WORKERS"]) and self.password_worker_pids():
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("the stack did not become healthy:\n" + self.pool_log.read_text())

    def start_mail_sender(self, environment: dict[str, str] | None = None) -> subprocess.Popen:
        """`fcgi-app mail` on this stack's database (another one each call: senders on several hosts), its log
        lines appended to mail.log; stopped with the stack."""
        sender = subprocess.Popen(
            [pool_binary(), "mail"],
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **self.environment, **(environment or {})},
            stdout=open(self.directory / "mail-console.log", "ab"), stderr=open(self.directory / "mail.log", "ab"))
        self.mail_senders.append(sender)
        return sender

    def stop(self) -> None:
        for sender in self.mail_senders:
            stop_process(sender, signal.SIGTERM, timeout=30)
        stop_process(self.pool, signal.SIGTERM, timeout=30)
        stop_process(self.nginx, signal.SIGQUIT, timeout=10)
        self.session.close()

    # Talking to it

    def url(self, path: str) -> str:
        return f"https://localhost:{self.https_port}{path}"

    def request(self, method: str, path: str, **arguments) -> requests.Response:
        arguments.setdefault("timeout", 30)
        return self.session.request(method, self.url(path), **arguments)

    def get(self, path: str, **arguments) -> requests.Response:
        return self.request("GET", path, **arguments)

    def post(self, path: str, **arguments) -> requests.Response:
        return self.request("POST", path, **arguments)

    # Looking inside

    def worker_pids(self) -> set[int]:
        """The pool's live worker processes, read from /proc (no procps needed)."""
        if self.pool is None:
            return set()
        children = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # fields[0] is the state, fields[1] the parent pid; zombies are dead already.
            if int(fields[1]) == self.pool.pid and fields[0] != "Z":
                children.add(int(entry.name))
        return children

    def interactive_worker_pids(self) -> set[int]:
        return {pid for pid in self.worker_pids() if self._worker_lane(pid) == "interactive"}

    def password_worker_pids(self) -> set[int]:
        """The password lane's worker (one, except while a roll or a restart replaces it)."""
        return {pid for pid in self.worker_pids() if self._worker_lane(pid) == "password"}

    @staticmethod
    def _worker_lane(pid: int) -> str | None:
        """The supervisor starts each worker as `fcgi-app worker LANE ENTRY`."""
        try:
            arguments = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
        except OSError:
            return None
        return arguments[2].decode() if len(arguments) > 2 and arguments[1] == b"worker" else None

    def log_lines(self) -> list[dict]:
        lines = []
        for line in self.pool_log.read_text().splitlines():
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                lines.append({"unparsed": line})
        return lines

    def wait_for_log(self, predicate, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log_lines():
                if predicate(line):
                    return line
            time.sleep(0.05)
        raise AssertionError("no matching log line:\n" + self.pool_log.read_text()[-4000:])


class LoadInBackground:
    """Sends GET `path` in a loop from a few threads (each with its own connection) and records every status,
    or the exception when there was no answer."""

    def __init__(self, stack, threads=4, path="/api/health", headers=None):
        self.stack, self.path, self.headers = stack, path, headers or {}
        self.statuses = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.loop) for _ in range(threads)]

    def loop(self):
        with new_session(self.stack.certificate) as session:
            while not self.stopping.is_set():
                try:
                    self.statuses.append(
                        session.get(self.stack.url(self.path), headers=self.headers, timeout=30).status_code)
                except Exception as error:  # noqa: BLE001 - every failure is recorded and asserted on
                    self.statuses.append(repr(error))

    def wait_for_answers(self, count: int = 20, timeout: float = 30) -> None:
        """Waits until `count` more requests than so far have had their answer (or their failure) recorded."""
        target = len(self.statuses) + count
        assert wait_until(lambda: len(self.statuses) >= target, timeout), f"fewer than {count} answers in {timeout} s"

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exception):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)
