"""The pool made observable, end to end: the status page (/status, JSON and Prometheus text), the per-route request
histogram in /metrics, the accept queue read from the kernel, and REQUEST_TERMINATE_SECONDS replacing a worker
whose request is stuck. Every figure is read through nginx, as an operator's scraper reads it."""

import os
import re
import signal
import socket
import subprocess
import threading
from pathlib import Path

from api import bearer, signed_up
from stack import create_database, psql, wait_until


def status(stack, **arguments):
    response = stack.get("/status", **arguments)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response


def every_thread_stopped(pid):
    """Whether /proc shows each thread of the process stopped (state T) by a SIGSTOP."""
    states = [(task / "stat").read_text().rsplit(")", 1)[1].split()[0] for task in Path(f"/proc/{pid}/task").iterdir()]
    return bool(states) and all(state == "T" for state in states)


def test_the_status_page_lists_every_worker_and_the_request_that_asks_for_it(shared_stack):
    # A worker is `starting` until its threads have tried their database connections; the stack answers sooner.
    assert wait_until(lambda: all(worker["state"] != "starting" for worker in status(shared_stack).json()["workers"]))
    response = status(shared_stack)
    page = response.json()
    assert page["listen"] == f"unix:{shared_stack.socket_path}"
    assert page["start_since"] >= 0 and page["start_time"].endswith("Z")
    workers = page["workers"]
    assert sorted(worker["pid"] for worker in workers) == sorted(shared_stack.worker_pids())
    assert [worker["lane"] for worker in workers].count("password") == 1
    assert all(worker["state"] in ("idle", "busy") for worker in workers), workers
    interactive, password = page["lanes"]["interactive"], page["lanes"]["password"]
    assert interactive["total_threads"] == 2 * 3 and password["total_threads"] >= 1, "WORKERS × THREADS_PER_WORKER"
    assert interactive["active_threads"] + interactive["idle_threads"] == interactive["total_threads"]
    # The thread that builds the page is serving this very request: it lists itself, under nginx's request id.
    in_flight = [request for worker in workers for request in worker["requests_in_flight"]]
    assert response.headers["X-Request-ID"] in [request["request_id"] for request in in_flight]
    assert interactive["active_threads"] >= 1 and interactive["max_active_threads"] >= 1
    assert interactive["listen_queue_length"] == 1024, "FCGI_BACKLOG's default, read back from the kernel"
    assert set(page["worker_restarts"]) == {"crash", "recycle", "roll", "terminate"}


def test_accepted_connections_and_served_requests_count_up(shared_stack):
    before = status(shared_stack).json()
    for _ in range(5):
        assert shared_stack.get("/api/health").status_code == 200
    after = status(shared_stack).json()
    accepted = after["lanes"]["interactive"]["accepted_connections"] - before["lanes"]["interactive"]["accepted_connections"]
    assert accepted >= 6, "five health checks and the second status request, each on a connection of its own"
    served = {worker["pid"]: worker["requests"] for worker in after["workers"]}
    served_before = {worker["pid"]: worker["requests"] for worker in before["workers"]}
    assert sum(served[pid] - served_before.get(pid, 0) for pid in served) >= 6


def test_status_in_prometheus_text_and_metrics_pass_promtool_with_the_route_histogram(shared_stack):
    """/status?format=prometheus holds the pool's series alone; /metrics adds the auth counters and the request
    histogram; both pass the linter of Debian's prometheus package."""
    token = signed_up(shared_stack)[1]
    for _ in range(3):
        assert shared_stack.get("/api/tasks", headers=bearer(token)).status_code == 200
    assert shared_stack.get("/api/tasks/123456", headers=bearer(token)).status_code == 404
    texts = {path: shared_stack.get(path).text for path in ("/status?format=prometheus", "/metrics")}
    for path, text in texts.items():
        lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
        assert lint.returncode == 0 and not (lint.stdout + lint.stderr).strip(), (path, lint.stdout + lint.stderr)
    assert "todo_chatbot_auth_events_total" not in texts["/status?format=prometheus"]
    metrics = texts["/metrics"]

    def count(method, route, status_class):
        match = re.search(rf'^todo_chatbot_request_duration_seconds_count\{{method="{method}",route="{re.escape(route)}",'
                          rf'status="{status_class}"\}} (\d+)$', metrics, re.MULTILINE)
        return int(match.group(1)) if match else 0

    assert count("GET", "/api/tasks", "2xx") >= 3
    assert count("GET", "/api/tasks/{id}", "4xx") >= 1, "a route template, never the path sent"
    assert count("POST", "/api/auth/register", "2xx") >= 1, "the password lane counts into the same histogram"
    assert "/api/tasks/123456" not in metrics
    assert re.search(r'^todo_chatbot_accepted_connections_total\{lane="interactive"\} [1-9]\d*$', metrics, re.MULTILINE)


def test_a_full_accept_queue_shows_in_listen_queue_and_its_high_water_mark_stays(make_stack):
    stack = make_stack()
    (password_pid,) = stack.password_worker_pids()
    clients = []
    os.kill(password_pid, signal.SIGSTOP)
    try:
        # The signal is delivered asynchronously: until every thread has stopped, the acceptor may take one more.
        assert wait_until(lambda: every_thread_stopped(password_pid))
        for _ in range(5):
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.connect(str(stack.password_socket_path))
            clients.append(client)
        # The supervisor samples the queue every second; the interactive workers serve the page meanwhile.
        assert wait_until(lambda: status(stack).json()["lanes"]["password"]["listen_queue"] == 5, timeout=30)
    finally:
        os.kill(password_pid, signal.SIGCONT)
        for client in clients:
            client.close()
    assert wait_until(lambda: status(stack).json()["lanes"]["password"]["listen_queue"] == 0, timeout=30)
    lane = status(stack).json()["lanes"]["password"]
    assert lane["max_listen_queue"] == 5
    assert "todo_chatbot_max_listen_queue{lane=\"password\"} 5" in stack.get("/metrics").text.splitlines()


def test_a_request_past_request_terminate_seconds_is_logged_and_its_worker_replaced(make_stack, admin_database_url):
    database_url = create_database(admin_database_url)
    stack = make_stack({"REQUEST_TERMINATE_SECONDS": "1", "SHUTDOWN_TIMEOUT_SECONDS": "2",
                        "DB_STATEMENT_TIMEOUT_MS": "120000"}, database_url=database_url)
    token = signed_up(stack)[1]
    interactive_before = stack.interactive_worker_pids()
    # A transaction of the test's own holds the tasks table, so a task list waits for it as long as it is held.
    locker = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", database_url],
                              stdin=subprocess.PIPE, text=True)
    locker.stdin.write("BEGIN; LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE;\n")
    locker.stdin.flush()
    assert wait_until(lambda: psql(database_url, "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' "
                                                 "AND relation = 'tasks'::regclass").strip() == "1")
    answers = []
    stuck = threading.Thread(target=lambda: answers.append(stack.get("/api/tasks", headers=bearer(token), timeout=90)))
    stuck.start()
    try:
        terminated = stack.wait_for_log(
            lambda line: line.get("message") == "request ran past REQUEST_TERMINATE_SECONDS; replacing its worker")
        assert terminated["level"] == "error" and terminated["limit_seconds"] == 1
        assert terminated["running_ms"] >= 1000
        assert terminated["pid"] in interactive_before
        # While the stuck request is held, the rest of the pool answers, and the worker is replaced.
        assert stack.get("/api/health").status_code == 200
        assert wait_until(lambda: terminated["pid"] not in stack.worker_pids(), timeout=30)
        assert wait_until(lambda: len(stack.interactive_worker_pids()) == 2, timeout=30)
        assert stack.wait_for_log(lambda line: line.get("message") == "worker exited"
                                  and line.get("pid") == terminated["pid"])
    finally:
        locker.stdin.write("ROLLBACK;\n\\q\n")
        locker.stdin.close()
        locker.wait(timeout=30)
        stuck.join(timeout=90)
    # nginx's request id is the one the supervisor logged: whatever answered the client (nginx's 502 for the lost
    # connection, or the pool after nginx passed the GET on), the id joins the two logs.
    (answer,) = answers
    assert answer.headers["X-Request-ID"] == terminated["request_id"]
    page = status(stack).json()
    assert page["worker_restarts"]["terminate"] >= 1
    assert terminated["pid"] not in [worker["pid"] for worker in page["workers"]]
