"""Several app hosts behind one nginx, each host a Linux network namespace of its own (test_hosts.py).

    namespace todo-front-TAG   nginx (three instances) and PostgreSQL   br0 10.X.0.2/24, lo
    namespace todo-host-a-TAG  fcgi-app serve on 10.X.0.5:9000 (+ password lane :9001)   eth0 10.X.0.5/24, lo
    namespace todo-host-b-TAG  fcgi-app serve on 10.X.0.6:9000 (+ password lane :9001)   eth0 10.X.0.6/24, lo

Each host's eth0 is one end of a veth pair whose other end sits on the front's bridge, so the hosts reach
each other only over 10.X.0.0/24, as machines on a private network would; the machine's own namespace gets
no interface, address or route. The test talks HTTPS to nginx on the front's loopback (127.0.0.1 there),
from threads that enter the front namespace (`inside`): sockets keep the namespace they were opened in, and
processes started from such a thread live in it. The front runs one nginx with both hosts in its upstreams,
as deploy/render-nginx.sh renders it for production, and one per host with only that host, so that a test
can send a request to one host in particular. Ports inside the namespaces are fixed: nothing else lives
there. Everything is started from the repository's own scripts, as in stack.py.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import random
import signal
import subprocess
from pathlib import Path

from stack import (LoadInBackground, PrivatePostgres, Stack, create_database, make_certificate, new_session, psql,
                   render_nginx, start_nginx, stop_process, wait_until)

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)

POOL_PORT, PASSWORD_PORT = 9000, 9001
MIGRATION_LOCK_KEY = 0x746F_646F_6368_6174  # Migrator.advisoryLockKey


def _setns(descriptor: int) -> None:
    if _libc.setns(descriptor, CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


@contextlib.contextmanager
def inside(namespace: str):
    """Runs the block with the calling thread (only it) in network namespace `namespace`."""
    with open("/proc/thread-self/ns/net") as own, open(f"/run/netns/{namespace}") as target:
        _setns(target.fileno())
        try:
            yield
        finally:
            _setns(own.fileno())


def ip(*arguments: str) -> None:
    subprocess.run(["ip", *arguments], check=True, capture_output=True, text=True)


def namespaces_unavailable() -> str | None:
    """Why these tests cannot build their hosts here, or None when they can."""
    if os.geteuid() != 0:
        return "the multi-host tests create network namespaces and must run as root"
    probe = f"todo-probe-{os.getpid()}"
    try:
        ip("netns", "add", probe)
    except (OSError, subprocess.CalledProcessError) as error:
        return f"`ip netns add` is unavailable: {getattr(error, 'stderr', None) or error}"
    ip("netns", "delete", probe)
    return None


class Network:
    """The three namespaces, their links and addresses; `delete` ends every process left in them."""

    def __init__(self):
        tag = f"{os.getpid()}-{random.randrange(16**4):04x}"
        self.subnet = random.randrange(1, 255)
        self.front = f"todo-front-{tag}"
        self.hosts = {"a": f"todo-host-a-{tag}", "b": f"todo-host-b-{tag}"}
        self.front_address = f"10.{self.subnet}.0.2"
        self.host_addresses = {"a": f"10.{self.subnet}.0.5", "b": f"10.{self.subnet}.0.6"}

    def create(self) -> "Network":
        ip("netns", "add", self.front)
        ip("-n", self.front, "link", "set", "lo", "up")
        ip("-n", self.front, "link", "add", "br0", "type", "bridge")
        ip("-n", self.front, "address", "add", f"{self.front_address}/24", "dev", "br0")
        ip("-n", self.front, "link", "set", "br0", "up")
        for name, namespace in self.hosts.items():
            ip("netns", "add", namespace)
            ip("-n", namespace, "link", "set", "lo", "up")
            # Created in the front with its peer already in the host: no end ever appears in this namespace.
            ip("-n", self.front, "link", "add", f"to-{name}", "type", "veth", "peer", "name", "eth0", "netns", namespace)
            ip("-n", self.front, "link", "set", f"to-{name}", "master", "br0", "up")
            ip("-n", namespace, "address", "add", f"{self.host_addresses[name]}/24", "dev", "eth0")
            ip("-n", namespace, "link", "set", "eth0", "up")
        return self

    def kill_everything_in(self, namespace: str) -> None:
        """SIGKILL to every process in `namespace` (all of them started by these tests), until none is left."""

        def remaining() -> list[int]:
            listed = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True).stdout
            return [int(pid) for pid in listed.split()]

        def killed() -> bool:
            for pid in remaining():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            return not remaining()

        assert wait_until(killed, timeout=10), f"processes left in {namespace}: {remaining()}"

    def delete(self) -> None:
        for namespace in [*self.hosts.values(), self.front]:
            if Path(f"/run/netns/{namespace}").exists():
                self.kill_everything_in(namespace)
                ip("netns", "delete", namespace)


class FrontPostgres(PrivatePostgres):
    """scripts/postgres.sh's cluster, started in the front namespace and opened to the hosts' subnet (trust, as
    for loopback: the subnet exists only inside these namespaces)."""

    def __init__(self, directory: Path, network: Network):
        super().__init__(directory)
        self.network = network

    def start(self) -> str:
        with inside(self.network.front):
            return super().start()

    def stop(self) -> None:
        with inside(self.network.front):
            super().stop()

    def open_to_hosts(self) -> None:
        with (self.directory / "cluster" / "pg_hba.conf").open("a") as rules:
            rules.write(f"host all all 10.{self.network.subnet}.0.0/24 trust\n")
        self.psql(self.admin_url, f"ALTER SYSTEM SET listen_addresses = '127.0.0.1,{self.network.front_address}'")
        self.stop()
        self.start()

    def psql(self, url: str, sql: str) -> str:
        with inside(self.network.front):
            return psql(url, sql)

    def create_database(self) -> tuple[str, str]:
        """A fresh database: its URL on the front's loopback (for the test) and on the front's address (hosts)."""
        with inside(self.network.front):
            local = create_database(self.admin_url)
        return local, local.replace("@127.0.0.1:", f"@{self.network.front_address}:")


class Site:
    """One nginx in the front namespace, rendered by deploy/render-nginx.sh for the given hosts."""

    def __init__(self, network: Network, directory: Path, tls_directory: Path, port: int, hosts: list[str]):
        self.namespace = network.front
        self.directory = directory
        self.certificate = tls_directory / "dev-cert.pem"
        self.https_port = port
        render_nginx(directory, https_listen=f"127.0.0.1:{port}", http_listen=f"127.0.0.1:{port + 1000}",
                     tls_directory=tls_directory,
                     upstreams=[f"{network.host_addresses[name]}:{POOL_PORT}" for name in hosts],
                     password_upstreams=[f"{network.host_addresses[name]}:{PASSWORD_PORT}" for name in hosts])
        self.nginx: subprocess.Popen | None = None
        self.session = new_session(self.certificate)

    def start(self) -> "Site":
        with inside(self.namespace):
            self.nginx = start_nginx(self.directory, self.directory / "nginx-stderr.log")
        return self

    def stop(self) -> None:
        stop_process(self.nginx, signal.SIGQUIT, timeout=10)
        self.session.close()

    def url(self, path: str) -> str:
        return f"https://localhost:{self.https_port}{path}"

    def request(self, method: str, path: str, **arguments):
        arguments.setdefault("timeout", 30)
        with inside(self.namespace):
            return self.session.request(method, self.url(path), **arguments)

    def get(self, path: str, **arguments):
        return self.request("GET", path, **arguments)

    def post(self, path: str, **arguments):
        return self.request("POST", path, **arguments)


class AppHost(Stack):
    """One host's pool, `fcgi-app serve` in the host's namespace on TCP, admitting only the front's address.
    Its requests (the health wait included) go through `site`, the front's nginx for this host alone."""

    def __init__(self, network: Network, name: str, directory: Path, database_url: str, site: Site,
                 environment: dict[str, str]):
        address = network.host_addresses[name]
        directory.mkdir(parents=True)
        super().__init__(directory, database_url, {
            "FCGI_LISTEN": f"{address}:{POOL_PORT}", "FCGI_PASSWORD_LISTEN": f"{address}:{PASSWORD_PORT}",
            # Three nginx sites on three ports reach these hosts: the CSRF check derives the origin from each
            # request's Host instead of one PUBLIC_ORIGIN.
            "FCGI_ALLOWED_CLIENTS": network.front_address, "PUBLIC_ORIGIN": "", **environment})
        self.name = name
        self.namespace = network.hosts[name]
        self.network = network
        self.site = site
        self.certificate = site.certificate

    def start_pool(self) -> None:
        with inside(self.namespace):
            super().start_pool()

    def request(self, method: str, path: str, **arguments):
        return self.site.request(method, path, **arguments)

    def kill(self) -> None:
        """SIGKILL to the whole pool, the supervisor and every worker: all the processes of the host."""
        self.network.kill_everything_in(self.namespace)
        self.pool.wait()

    def served(self, response) -> bool:
        """Whether this host's pool logged the request that `response` answers."""
        request_id = response.headers["X-Request-ID"]
        return any(line.get("request_id") == request_id for line in self.log_lines())


class Cluster:
    """Both hosts on one fresh database, the front's nginx for both ("both") and one for each host."""

    def __init__(self, network: Network, postgres: FrontPostgres, directory: Path, tls_directory: Path,
                 environment: dict[str, str] | None = None):
        self.network = network
        self.postgres = postgres
        self.database_url, host_database_url = postgres.create_database()
        self.sites = {name: Site(network, directory / f"nginx-{name}", tls_directory, port, hosts)
                      for name, port, hosts in [("both", 8443, ["a", "b"]), ("a", 8444, ["a"]), ("b", 8445, ["b"])]}
        # One JWT secret for both hosts, as the README asks: a token issued by one must verify on the other.
        shared = {"JWT_SECRET": "e2e-hosts-" + os.urandom(24).hex(), **(environment or {})}
        self.hosts = {name: AppHost(network, name, directory / f"host-{name}", host_database_url, self.sites[name],
                                    shared)
                      for name in network.hosts}
        self.front = self.sites["both"]

    def launch(self) -> None:
        """Starts every nginx, then both pools one right after the other, without waiting for either."""
        for site in self.sites.values():
            site.start()
        for host in self.hosts.values():
            host.start_pool()

    def wait_until_serving(self) -> "Cluster":
        for host in self.hosts.values():
            host.wait_for_health()
        return self

    def stop(self) -> None:
        for host in self.hosts.values():
            host.stop()
        for site in self.sites.values():
            site.stop()

    def psql(self, sql: str) -> str:
        return self.postgres.psql(self.database_url, sql)


class LoadThroughFront(LoadInBackground):
    """LoadInBackground through a Site: each thread enters the front namespace before it connects."""

    def loop(self):
        with inside(self.stack.namespace):
            super().loop()


class TaskCreationInBackground(LoadInBackground):
    """Creates tasks with unique titles in a loop and records (title, status) for each, or the exception."""

    def __init__(self, site: Site, headers: dict[str, str], threads: int = 2):
        super().__init__(site, threads=threads, headers=headers)
        self.created: list[tuple[str, object]] = []

    def loop(self):
        with inside(self.stack.namespace), new_session(self.stack.certificate) as session:
            while not self.stopping.is_set():
                title = "load " + os.urandom(8).hex()
                try:
                    status = session.post(self.stack.url("/api/tasks"), json={"title": title}, headers=self.headers,
                                          timeout=30).status_code
                except Exception as error:  # noqa: BLE001 - every failure is recorded and asserted on
                    status = repr(error)
                self.created.append((title, status))
                self.statuses.append(status)
