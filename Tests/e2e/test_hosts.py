"""Several hosts behind one nginx: two app hosts, each a network namespace with its own pool on TCP, one front
namespace with nginx and PostgreSQL (hosts.py has the layout). Everything the hosts share lives in PostgreSQL:
these tests prove it by sending requests to one host in particular, or to both through the front's nginx."""

import signal
import subprocess

import pytest

from api import answers_until, bearer, login, refresh, refresh_cookie_value, register, signed_up, unique_email
from hosts import (MIGRATION_LOCK_KEY, PASSWORD_PORT, POOL_PORT, Cluster, FrontPostgres, LoadThroughFront, Network,
                   TaskCreationInBackground, inside, namespaces_unavailable)
from stack import fastcgi_answer_to_a_stranger, make_certificate, wait_until


@pytest.fixture(scope="module")
def network():
    reason = namespaces_unavailable()
    if reason:
        pytest.skip(reason)
    network = Network()
    try:
        yield network.create()
    finally:
        network.delete()


@pytest.fixture(scope="module")
def front_postgres(network, tmp_path_factory):
    postgres = FrontPostgres(tmp_path_factory.mktemp("front-pg"), network)
    try:
        postgres.start()
        postgres.open_to_hosts()
        yield postgres
    finally:
        postgres.stop()


@pytest.fixture(scope="module")
def tls_directory(tmp_path_factory):
    directory = tmp_path_factory.mktemp("hosts-tls")
    make_certificate(directory)
    return directory


@pytest.fixture
def make_cluster(network, front_postgres, tls_directory, tmp_path):
    """A cluster of the test's own on a fresh database, not started; stopped afterwards whatever happened.
    Each test gets fresh nginx instances too: nginx remembers a failed host for fail_timeout."""
    clusters = []

    def build(environment=None) -> Cluster:
        clusters.append(Cluster(network, front_postgres, tmp_path / f"cluster{len(clusters)}", tls_directory,
                                environment))
        return clusters[-1]

    yield build
    for cluster in clusters:
        cluster.stop()


@pytest.fixture
def start_cluster(make_cluster):
    def start(environment=None) -> Cluster:
        cluster = make_cluster(environment)
        cluster.launch()
        return cluster.wait_until_serving()

    return start


def error_code(response):
    return response.json()["error"]["code"]


def log_messages(cluster, message):
    return [line for host in cluster.hosts.values() for line in host.log_lines() if line.get("message") == message]


# 1. Migrations

def test_hosts_started_at_once_on_an_empty_database_migrate_it_exactly_once(make_cluster):
    cluster = make_cluster()
    advisory_locks = ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted = {} AND database = "
                      "(SELECT oid FROM pg_database WHERE datname = current_database())")
    # The test holds the migrations' advisory lock while both hosts start, so that both are seen waiting for it
    # at the same moment: the race the lock exists for, not two starts that merely happened one after the other.
    with inside(cluster.network.front):
        holder = subprocess.Popen(["psql", cluster.database_url, "-qtA", "-v", "ON_ERROR_STOP=1"],
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        holder.stdin.write(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY});\n")
        holder.stdin.flush()
        assert wait_until(lambda: cluster.psql(advisory_locks.format("true")) == "1")
        cluster.launch()
        assert wait_until(lambda: cluster.psql(advisory_locks.format("false")) == "2"), "both hosts wait for the lock"
    finally:
        holder.stdin.close()  # psql exits, its session ends and the lock with it
        holder.wait(timeout=30)
    cluster.wait_until_serving()

    versions = [int(version) for version in cluster.psql("SELECT version FROM schema_migrations ORDER BY 1").split()]
    assert versions and versions == list(range(1, len(versions) + 1))
    applied = sorted(line["version"] for line in log_messages(cluster, "applied migration"))
    assert applied == versions, "each migration applied once, by one host"
    migrated = sorted(line["applied"] for line in log_messages(cluster, "database migrated"))
    assert migrated == ["", ",".join(map(str, versions))], "one host applied them all, the other found none to do"


# FastCGI between hosts: only nginx's address is admitted

def test_a_host_closes_fastcgi_connections_from_the_other_host_unread_and_counts_them_itself(start_cluster):
    cluster = start_cluster()
    a, b = cluster.hosts["a"], cluster.hosts["b"]
    address_of = cluster.network.host_addresses
    with inside(b.namespace):
        for port in (POOL_PORT, PASSWORD_PORT):
            assert fastcgi_answer_to_a_stranger(address_of["a"], port) == b"", "closed unread"
    refused = a.wait_for_log(lambda entry: entry.get("message", "").startswith("connection refused"))
    assert refused["client"] == address_of["b"]
    # The counter is the host's own (its scoreboard), not the database's: plain /metrics through the nginx of
    # both hosts answers for whichever host nginx picked, /pool/N/… for host N (a first, b second).
    # Counted before the close, so it is there by the time the stranger sees the close.
    assert "todo_chatbot_refused_connections_total 2" in cluster.front.get("/pool/1/metrics").text.splitlines()
    assert "todo_chatbot_refused_connections_total 0" in cluster.front.get("/pool/2/metrics").text.splitlines()
    assert a.get("/api/health").status_code == b.get("/api/health").status_code == 200


def test_each_hosts_status_page_has_a_path_of_its_own_on_the_shared_nginx(start_cluster):
    cluster = start_cluster()
    address_of = cluster.network.host_addresses
    for index, name in ((1, "a"), (2, "b")):
        page = cluster.front.get(f"/pool/{index}/status")
        assert page.status_code == 200, page.text
        assert page.json()["listen"] == f"{address_of[name]}:{POOL_PORT}"
        assert sorted(worker["pid"] for worker in page.json()["workers"]) == sorted(cluster.hosts[name].worker_pids())
        text = cluster.front.get(f"/pool/{index}/status", params={"format": "prometheus"}).text
        assert "todo_chatbot_max_listen_queue{lane=\"interactive\"}" in text
    # A host that is down is not answered for by the other: its path says the pool is unreachable.
    cluster.hosts["b"].kill()
    down = cluster.front.get("/pool/2/status")
    assert down.status_code == 502 and down.json()["error"]["code"] == "upstream_unavailable"
    assert cluster.front.get("/pool/1/status").status_code == 200


# 2. Rate limits and the failed-login throttle

def test_the_login_rate_limit_counts_requests_spread_over_both_hosts_together(start_cluster):
    cluster = start_cluster({"RATE_LIMIT_LOGIN_PER_MINUTE": "4"})
    alternating = [cluster.hosts["a"], cluster.hosts["b"]] * 5
    responses = [login(host, unique_email(), "wrong-password-123") for host in alternating]
    assert all(wait_until(lambda: host.served(response)) for host, response in zip(alternating, responses))
    # Windows are fixed minutes: the ten logins may straddle two. Each window allows 4 of its own hits, and the
    # counters say how many fell into each.
    windows = [int(hits) for hits in cluster.psql(
        "SELECT hits FROM rate_limit_counters WHERE bucket = 'login:127.0.0.1' ORDER BY window_start").split()]
    assert sum(windows) == 10
    expected = [status for hits in windows for status in [401] * min(hits, 4) + [429] * max(hits - 4, 0)]
    assert [response.status_code for response in responses] == expected
    assert error_code(responses[-1]) == "rate_limited"


def test_failed_logins_of_one_account_are_counted_over_both_hosts_together(start_cluster):
    # A day's window (aligned to midnight UTC): six logins cannot straddle two of them in practice.
    cluster = start_cluster({"LOGIN_FAILURES_PER_ACCOUNT": "3", "LOGIN_FAILURE_WINDOW_SECONDS": "86400"})
    a, b = cluster.hosts["a"], cluster.hosts["b"]
    email = unique_email()
    assert register(a, email).status_code == 201
    statuses = [login(host, email, "wrong-password-123").status_code for host in [a, b, a, b, a, b]]
    assert statuses == [401, 401, 401, 429, 429, 429]
    assert login(a, email).status_code == 429, "even the right password waits, on either host"
    assert login(b, email).status_code == 429


# 3. Refresh tokens and sessions

def test_a_refresh_token_rotated_on_one_host_and_replayed_on_the_other_revokes_the_session(start_cluster):
    cluster = start_cluster({"REFRESH_GRACE_SECONDS": "1"})
    a, b = cluster.hosts["a"], cluster.hosts["b"]
    _, access_token, first = signed_up(a)
    rotated = refresh(a, first)
    assert rotated.status_code == 200
    second = refresh_cookie_value(rotated)
    # Within the grace second host B hands out host A's successor; the first replay after it is a reuse.
    replays = answers_until(lambda: refresh(b, first), lambda answer: answer.status_code != 200)
    assert all(refresh_cookie_value(replay) == second for replay in replays[:-1])
    reused = replays[-1]
    assert reused.status_code == 401 and error_code(reused) == "refresh_token_reused"
    assert wait_until(lambda: a.served(rotated) and b.served(reused))
    assert refresh(a, second).status_code == 401, "the successor host A issued dies too"
    assert a.get("/api/auth/me", headers=bearer(rotated.json()["access_token"])).status_code == 401
    assert cluster.psql("SELECT count(*) FROM auth_events WHERE event = 'refresh_reuse'") == "1"
    assert cluster.psql("SELECT count(*) FROM sessions WHERE revoked_at IS NULL") == "0"


def test_a_session_revoked_on_one_host_loses_its_access_tokens_on_the_other_at_once(start_cluster):
    cluster = start_cluster()
    a, b = cluster.hosts["a"], cluster.hosts["b"]
    email, token_on_a, _ = signed_up(a)
    signed_in_on_b = login(b, email)
    token_on_b = signed_in_on_b.json()["access_token"]
    assert b.get("/api/auth/me", headers=bearer(token_on_b)).status_code == 200
    assert a.get("/api/auth/me", headers=bearer(token_on_b)).status_code == 200
    sessions = a.get("/api/auth/sessions", headers=bearer(token_on_a)).json()["sessions"]
    other = next(session for session in sessions if not session["current"])
    assert a.request("DELETE", f"/api/auth/sessions/{other['id']}", headers=bearer(token_on_a)).status_code == 204
    assert b.get("/api/auth/me", headers=bearer(token_on_b)).status_code == 401
    assert refresh(b, refresh_cookie_value(signed_in_on_b)).status_code == 401
    assert b.get("/api/auth/me", headers=bearer(token_on_a)).status_code == 200, "the other session lives on"


# 4. and 5. Losing a host, and rolling both, under load

def under_load(cluster):
    """Three threads of GET /api/tasks and two of POST /api/tasks through the front's nginx, as one user."""
    _, access_token, _ = signed_up(cluster.front)
    headers = bearer(access_token)
    return (LoadThroughFront(cluster.front, threads=3, path="/api/tasks", headers=headers),
            TaskCreationInBackground(cluster.front, headers, threads=2))


def wait_for_more_answers(reads, writes):
    reads.wait_for_answers(30)
    writes.wait_for_answers(10)


def task_rows_by_title(cluster) -> dict[str, int]:
    rows = cluster.psql("SELECT title, count(*) FROM tasks GROUP BY title").splitlines()
    return {title: int(count) for title, count in (row.rsplit("|", 1) for row in rows)}


def served_tasks_since(host, line_count):
    return any(line.get("path") == "/api/tasks" for line in host.log_lines()[line_count:])


def test_a_host_killed_under_load_loses_no_idempotent_request_applies_none_twice_and_serves_again(start_cluster):
    cluster = start_cluster()
    a, b = cluster.hosts["a"], cluster.hosts["b"]
    reads, writes = under_load(cluster)
    with reads, writes:
        wait_for_more_answers(reads, writes)
        assert wait_until(lambda: served_tasks_since(a, 0) and served_tasks_since(b, 0)), "nginx uses both hosts"
        a.kill()
        wait_for_more_answers(reads, writes)
        lines_before_restart = len(a.log_lines())
        a.start_pool()
        a.wait_for_health()
        assert wait_until(lambda: served_tasks_since(a, lines_before_restart)), "host A takes traffic again"
        wait_for_more_answers(reads, writes)

    assert reads.statuses and set(reads.statuses) == {200}, set(map(str, reads.statuses))
    statuses = [status for _, status in writes.created]
    # A POST in flight on the killed host is lost with it (nginx never re-sends one): a 502, applied or not.
    assert set(statuses) <= {201, 502}, set(map(str, statuses))
    rows = task_rows_by_title(cluster)
    assert set(rows.values()) == {1}, "no task was created twice"
    answered = {title for title, status in writes.created if status == 201}
    assert answered <= set(rows), "every 201 is a row"
    assert set(rows) - answered <= {title for title, status in writes.created if status == 502}


def test_a_rolling_upgrade_host_by_host_under_load_refuses_no_request(start_cluster):
    cluster = start_cluster()
    reads, writes = under_load(cluster)
    with reads, writes:
        wait_for_more_answers(reads, writes)
        for host in cluster.hosts.values():
            original = host.worker_pids()
            host.pool.send_signal(signal.SIGHUP)
            host.wait_for_log(lambda entry: entry.get("message") == "roll complete")
            # Both interactive workers and the password worker were replaced.
            assert wait_until(lambda: len(host.worker_pids()) == 3 and not (host.worker_pids() & original))
            wait_for_more_answers(reads, writes)

    assert reads.statuses and set(reads.statuses) == {200}, set(map(str, reads.statuses))
    assert writes.created and {status for _, status in writes.created} == {201}
    assert task_rows_by_title(cluster) == {title: 1 for title, _ in writes.created}
