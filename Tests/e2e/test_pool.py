"""The worker pool end to end: real nginx over TLS → the real pool → PostgreSQL."""

import json
import signal
import socket
import ssl
import subprocess
import threading
import uuid

import pytest

from stack import (LoadInBackground, fastcgi_answer_to_a_stranger, free_port, new_session, pool_binary, psql,
                   wait_until)

SECURITY_HEADERS = ["Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options",
                    "Content-Security-Policy", "Referrer-Policy"]


def assert_error_shape(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    for header in SECURITY_HEADERS:
        assert header in response.headers, f"{header} missing on a {status}"
    return body


# Health and error shapes

def test_health_answers_ok_through_nginx_over_tls(shared_stack):
    response = shared_stack.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Cache-Control"] == "no-store"
    assert len(response.headers["X-Request-ID"]) >= 16
    for header in SECURITY_HEADERS:
        assert header in response.headers
    assert "nginx/" not in response.headers.get("Server", "")


def test_plain_http_redirects_to_https(shared_stack):
    response = new_session(shared_stack.certificate).get(
        f"http://127.0.0.1:{shared_stack.http_port}/api/health", allow_redirects=False, timeout=10)
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")


def test_unknown_api_route_is_a_json_404(shared_stack):
    assert_error_shape(shared_stack.get("/api/no-such-thing"), 404, "not_found")


def test_wrong_method_is_a_json_405_with_allow(shared_stack):
    response = shared_stack.request("DELETE", "/api/health")
    assert_error_shape(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("method", ["TRACE", "PUT", "OPTIONS"])
@pytest.mark.parametrize("path, allowed", [("/api/tasks", "GET, HEAD, POST"), ("/api/tasks/1", "DELETE, GET, HEAD, PATCH"),
                                           ("/api/auth/login", "POST"), ("/metrics", "GET, HEAD")])
def test_methods_no_route_has_are_a_json_405_with_allow(shared_stack, method, path, allowed):
    # nginx refuses TRACE itself, before any location; PUT and OPTIONS reach the pool like any method.
    response = shared_stack.request(method, path)
    assert_error_shape(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == allowed


def test_static_pages_keep_nginx_html_answers(shared_stack):
    for method, path, status in [("TRACE", "/", 405), ("POST", "/index.html", 405), ("GET", "/no-such-page", 404)]:
        response = shared_stack.request(method, path)
        assert response.status_code == status, (method, path)
        assert response.headers["Content-Type"].startswith("text/html"), (method, path)


def test_body_over_nginx_limit_is_a_json_413(shared_stack):
    response = shared_stack.post("/api/health", data=b"x" * (2 * 1024 * 1024),
                                 headers={"Content-Type": "application/json"})
    assert_error_shape(response, 413, "payload_too_large")


def test_body_over_application_limit_is_a_json_413_and_the_worker_survives(make_stack):
    stack = make_stack({"MAX_BODY_BYTES": "2048"})
    workers_before = stack.worker_pids()
    response = stack.post("/api/health", data=b"{" + b" " * 8192 + b"}", headers={"Content-Type": "application/json"})
    assert_error_shape(response, 413, "payload_too_large")
    assert stack.get("/api/health").status_code == 200
    assert stack.worker_pids() == workers_before


def test_many_concurrent_requests_all_succeed(shared_stack):
    statuses = []

    def send():
        statuses.append(shared_stack.get("/api/health").status_code)

    threads = [threading.Thread(target=send) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 40


# Logs

def test_slow_requests_are_logged_at_warning_with_their_request_id(make_stack):
    stack = make_stack({"LOG_LEVEL": "warning", "SLOW_REQUEST_MS": "1"})
    # Registration hashes a password (BCRYPT_COST 4 in these stacks, still well over a millisecond).
    response = stack.post("/api/auth/register", json={"email": "slow@example.com", "password": "correct horse 1"})
    assert response.status_code == 201
    line = stack.wait_for_log(lambda entry: entry.get("request_id") == response.headers["X-Request-ID"])
    assert (line["level"], line["message"], line["path"], line["status"]) == (
        "warning", "slow request", "/api/auth/register", 201)
    assert line["duration_ms"] >= 1
    assert "correct horse" not in stack.pool_log.read_text()


def test_each_request_logs_one_json_line_without_secrets(shared_stack):
    secret_token = "eyJhbGciOiJIUzI1NiJ9.secret-token-value.signature"
    response = shared_stack.get("/api/health?token=query-secret-value",
                                headers={"Authorization": f"Bearer {secret_token}"},
                                cookies={"refresh_token": "cookie-secret-value"})
    request_id = response.headers["X-Request-ID"]
    line = shared_stack.wait_for_log(lambda entry: entry.get("request_id") == request_id)
    assert line["method"] == "GET"
    assert line["path"] == "/api/health"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], (int, float))
    assert "time" in line
    log_text = shared_stack.pool_log.read_text()
    for secret in [secret_token, "cookie-secret-value", "query-secret-value", shared_stack.environment["JWT_SECRET"]]:
        assert secret not in log_text


# Worker lifecycle

def test_sigterm_drains_in_flight_requests_then_exits_zero(make_stack):
    # The held requests wait on a lock; a loaded machine must not turn that wait into a statement timeout (seen
    # once at 20 s: the requests ended just as the signal was sent).
    stack = make_stack({"DB_STATEMENT_TIMEOUT_MS": "60000"})
    results = []
    senders = []

    # This stack's workers only: pg_stat_activity covers the whole cluster, where other tests' stacks run too.
    def held_requests():
        return psql(stack.database_url, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                        " AND application_name = 'todo-chatbot-worker' AND datname = current_database()")

    def activity():
        return psql(stack.database_url, "SELECT state, wait_event_type, wait_event, left(query, 60) FROM pg_stat_activity"
                                        " WHERE datname = current_database()")

    # Holding an exclusive lock on the table the health check reads makes requests wait inside the worker.
    locker = subprocess.Popen(["psql", stack.database_url, "-q"], stdin=subprocess.PIPE, text=True)
    locker.stdin.write("BEGIN; LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE;\n")
    locker.stdin.flush()
    try:
        assert wait_until(lambda: psql(stack.database_url,
                                       "SELECT count(*) FROM pg_locks WHERE relation = 'schema_migrations'::regclass"
                                       " AND granted") != "0")
        # A session each: one requests.Session is not safe to share between threads.
        senders += [threading.Thread(target=lambda session=new_session(stack.certificate): results.append(
            session.get(stack.url("/api/health"), timeout=60).status_code)) for _ in range(3)]
        for sender in senders:
            sender.start()
        assert wait_until(lambda: held_requests() == "3"), (held_requests(), results, activity())
        [password_worker] = stack.password_worker_pids()
        stack.pool.send_signal(signal.SIGTERM)
        # The password lane's worker holds no request, so it exits at once; the pool goes on waiting for the others.
        stack.wait_for_log(lambda entry: entry.get("message") == "worker exited"
                           and entry.get("pid") == password_worker)
        assert stack.pool.poll() is None, "the pool must wait for in-flight requests"
        assert held_requests() == "3"
    finally:
        locker.stdin.write("COMMIT;\n")
        locker.stdin.close()
        locker.wait(timeout=10)
    for sender in senders:
        sender.join(timeout=30)
    assert results == [200, 200, 200]
    assert stack.pool.wait(timeout=15) == 0
    assert not stack.socket_path.exists()


def test_sigterm_stops_an_idle_pool_within_the_shutdown_timeout(make_stack):
    stack = make_stack({"SHUTDOWN_TIMEOUT_SECONDS": "5", "THREADS_PER_WORKER": "4"})
    workers = stack.worker_pids()
    stack.pool.send_signal(signal.SIGTERM)
    assert stack.pool.wait(timeout=5) == 0
    assert wait_until(lambda: all(not _alive(pid) for pid in workers), timeout=5)
    response = stack.get("/api/health")
    assert_error_shape(response, 502, "upstream_unavailable")
    assert response.json()["request_id"] == response.headers["X-Request-ID"]


def test_killed_worker_is_replaced_and_requests_keep_succeeding(make_stack):
    stack = make_stack()
    original = stack.interactive_worker_pids()
    victim = sorted(original)[0]
    with LoadInBackground(stack) as load:
        load.wait_for_answers()
        subprocess.run(["kill", "-9", str(victim)], check=True)
        assert wait_until(
            lambda: len(stack.interactive_worker_pids()) == 2 and victim not in stack.interactive_worker_pids())
        load.wait_for_answers()
    assert load.statuses and set(load.statuses) == {200}, set(map(str, load.statuses))
    assert stack.wait_for_log(lambda entry: entry.get("message") == "worker died unexpectedly")["signal"] == 9
    assert stack.get("/api/health").status_code == 200


def test_sighup_rolls_every_worker_without_a_failed_request(make_stack):
    stack = make_stack()
    original = stack.worker_pids()
    with LoadInBackground(stack) as load:
        load.wait_for_answers()
        stack.pool.send_signal(signal.SIGHUP)
        stack.wait_for_log(lambda entry: entry.get("message") == "roll complete")
        # Both interactive workers and the password worker were replaced.
        assert wait_until(lambda: len(stack.worker_pids()) == 3 and not (stack.worker_pids() & original))
        load.wait_for_answers()
    assert load.statuses and set(load.statuses) == {200}, set(map(str, load.statuses))


def test_recycled_worker_is_replaced(make_stack):
    stack = make_stack({"WORKER_MAX_REQUESTS": "20", "WORKERS": "1"})
    original = stack.interactive_worker_pids()
    statuses = [stack.get("/api/health").status_code for _ in range(60)]
    assert set(statuses) == {200}
    stack.wait_for_log(lambda entry: entry.get("message") == "worker recycled")
    assert wait_until(
        lambda: len(stack.interactive_worker_pids()) == 1 and not (stack.interactive_worker_pids() & original))


def test_clients_that_disconnect_early_do_not_hurt_the_worker(make_stack):
    stack = make_stack()
    workers = stack.worker_pids()
    context = ssl.create_default_context(cafile=str(stack.certificate))
    for _ in range(30):
        with socket.create_connection(("127.0.0.1", stack.https_port)) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as connection:
                connection.sendall(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        # closed without reading the response
    assert stack.get("/api/health").status_code == 200
    assert stack.worker_pids() == workers


def test_database_outage_answers_503_and_recovers_without_restarts(make_stack, private_postgres):
    from stack import create_database
    stack = make_stack(database_url=create_database(private_postgres.admin_url))
    processes = {stack.pool.pid} | stack.worker_pids()
    assert stack.get("/api/health").status_code == 200
    private_postgres.stop()
    response = stack.get("/api/health")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "unavailable"}
    assert response.headers["Retry-After"]
    private_postgres.start()
    assert wait_until(lambda: stack.get("/api/health").status_code == 200, timeout=30)
    assert {stack.pool.pid} | stack.worker_pids() == processes


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_oversized_headers_get_a_json_400_from_nginx(shared_stack):
    response = shared_stack.get("/api/health", headers={"Authorization": "Bearer " + "a" * 20000})
    assert_error_shape(response, 400, "bad_request")
    assert shared_stack.get("/api/health").status_code == 200


def raw_exchange(stack, request: bytes) -> tuple[bytes, bytes]:
    """Sends `request` as is over TLS (for what requests cannot send) and returns the answer's head and body."""
    context = ssl.create_default_context(cafile=str(stack.certificate))
    with socket.create_connection(("localhost", stack.https_port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(request)
            answer = b""
            while chunk := tls.recv(4096):
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


@pytest.mark.parametrize("request_bytes, status, code", [
    (b"GET /api/health HTTP/3.0\r\nHost: localhost\r\n\r\n", 505, "http_version_not_supported"),
    (b"POST /api/tasks HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n",
     501, "not_implemented"),
])
def test_requests_nginx_cannot_serve_get_json_answers(shared_stack, request_bytes, status, code):
    head, body = raw_exchange(shared_stack, request_bytes)
    assert head.startswith(b"HTTP/1.1 %d" % status), head
    assert b"Content-Type: application/json" in head and b"X-Request-ID: " in head
    assert json.loads(body)["error"]["code"] == code


def test_upstream_connections_are_not_kept_alive(shared_stack):
    """libfcgi serves one connection per thread: a kept-alive idle upstream connection pins a thread (docs/pool.md
    measured p99 of 0.7-1 s with fastcgi_keep_conn on). The rendered site must keep it off, with no upstream
    keepalive, and many client keep-alive connections must then share a few threads without failures."""
    configuration = (shared_stack.directory / "nginx" / "nginx.conf").read_text()
    assert "fastcgi_keep_conn off;" in configuration
    assert "fastcgi_keep_conn on" not in configuration
    upstream = configuration.split("upstream todo_chatbot_pool", 1)[1].split("}", 1)[0]
    assert "keepalive" not in "\n".join(line.split("#")[0] for line in upstream.splitlines())


def test_many_keep_alive_clients_share_few_threads(make_stack):
    stack = make_stack({"WORKERS": "1", "THREADS_PER_WORKER": "2"})
    statuses = []

    def client():
        with new_session(stack.certificate) as session:  # one keep-alive connection per client
            for _ in range(10):
                statuses.append(session.get(stack.url("/api/health"), timeout=30).status_code)

    threads = [threading.Thread(target=client) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 200


# FastCGI has no authentication: a pool on TCP admits only FCGI_ALLOWED_CLIENTS

def test_a_tcp_pool_closes_connections_from_clients_it_does_not_name_unread(make_stack):
    listen, password = free_port(), free_port()
    # nginx connects from 127.0.0.1; 127.0.0.2 stands for another host on the network.
    stack = make_stack({"FCGI_LISTEN": f"127.0.0.1:{listen}", "FCGI_PASSWORD_LISTEN": f"127.0.0.1:{password}",
                        "FCGI_ALLOWED_CLIENTS": "127.0.0.1"})
    assert stack.get("/api/health").status_code == 200
    for port in (listen, password):
        assert fastcgi_answer_to_a_stranger("127.0.0.1", port, source_address="127.0.0.2") == b"", "closed unread"
    refused = stack.wait_for_log(lambda entry: entry.get("message", "").startswith("connection refused"))
    assert refused["client"] == "127.0.0.2" and refused["level"] == "warning"
    # Counted before the close: by the time the stranger sees it, the count is there.
    assert "todo_chatbot_refused_connections_total 2" in stack.get("/metrics").text.splitlines()
    assert stack.get("/api/health").status_code == 200, "nginx itself is still served"


def test_a_pool_refuses_to_start_on_a_network_address_without_allowed_clients(tmp_path):
    environment = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
                   "JWT_SECRET": "e2e-" + "x" * 40, "FCGI_LISTEN": "192.0.2.10:9000",
                   "FCGI_PASSWORD_LISTEN": "192.0.2.10:9001"}
    refused = subprocess.run([pool_binary(), "serve"], env=environment, capture_output=True, text=True, timeout=30)
    assert refused.returncode != 0
    assert "FCGI_ALLOWED_CLIENTS is required to listen on 192.0.2.10:9000" in refused.stderr


def test_metrics_pass_promtool(shared_stack):
    """Everything /metrics serves is valid Prometheus text by the linter of Debian's prometheus package, the one
    an operator's scrape would apply (names, HELP and TYPE lines, counters ending in _total)."""
    email = f"metrics-{uuid.uuid4().hex[:10]}@example.com"
    shared_stack.post("/api/auth/register", json={"email": email, "password": "correct horse battery staple"})
    metrics = shared_stack.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["Content-Type"].startswith("text/plain")
    lint = subprocess.run(["promtool", "check", "metrics"], input=metrics.text, capture_output=True, text=True,
                          timeout=30)
    assert lint.returncode == 0 and not (lint.stdout + lint.stderr).strip(), lint.stdout + lint.stderr
