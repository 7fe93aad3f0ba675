"""The password lane: login, register and password change reach a socket and a worker of their own, whose
hashing threads are bounded and run at a lower priority; a request that cannot start within
PASSWORD_QUEUE_TIMEOUT_MS is answered 503 server_busy before any of its work is done, while every other
route keeps its own threads. These tests go through nginx's routing to the password socket and assert
outcomes, never timings."""

import re
import threading
from pathlib import Path

import pytest

from api import PASSWORD, bearer, login, register, signed_up, unique_email
from stack import LoadInBackground, psql
from test_openapi import check_component, error_code

BURST = 16


@pytest.fixture(scope="module")
def busy_stack(tmp_path_factory, admin_database_url):
    """One hashing thread at the real bcrypt cost, and a queue bound shorter than two hashes: a burst of
    concurrent password requests must overflow it."""
    from stack import Stack, create_database

    stack = Stack(tmp_path_factory.mktemp("password-lane"), create_database(admin_database_url), {
        "BCRYPT_COST": "12",
        "PASSWORD_HASHING_CONCURRENCY": "1",
        "PASSWORD_QUEUE_TIMEOUT_MS": "300",
    }).start()
    yield stack
    stack.stop()


def concurrently(send, count):
    """Runs `send(index)` `count` times at once (all released together); returns the responses in order."""
    responses = [None] * count
    start = threading.Barrier(count)

    def run(index):
        start.wait()
        responses[index] = send(index)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def assert_shed(response):
    assert response.status_code == 503 and error_code(response) == "server_busy", response.text
    assert response.headers["Retry-After"] == "1", "one 300 ms queue bound, rounded up to a second"
    check_component(response, "PasswordServiceUnavailable")


def metric(stack, name):
    text = stack.get("/metrics").text
    match = re.search(rf"^{re.escape(name)} (\d+)$", text, re.MULTILINE)
    assert match, f"{name} missing from /metrics:\n{text}"
    return int(match.group(1))


def test_a_login_burst_is_partly_shed_while_me_keeps_answering(busy_stack):
    email, token, _ = signed_up(busy_stack)
    shed_before = metric(busy_stack, "todo_chatbot_password_hashing_shed_total")
    with LoadInBackground(busy_stack, threads=3, path="/api/auth/me", headers=bearer(token)) as probe:
        responses = concurrently(lambda _: login(busy_stack, email), BURST)
        statuses_during_burst = len(probe.statuses)
    statuses = [response.status_code for response in responses]
    assert set(statuses) <= {200, 503}, statuses
    assert 200 in statuses, "the first request finds the hashing thread free"
    assert 503 in statuses, "sixteen hashes cannot all start within 300 ms on one thread"
    for response in responses:
        if response.status_code == 503:
            assert_shed(response)
    assert statuses_during_burst > 0 and set(probe.statuses) == {200}, set(probe.statuses)
    assert metric(busy_stack, "todo_chatbot_password_hashing_shed_total") - shed_before == statuses.count(503)


def test_shed_logins_charge_no_rate_limit_or_failed_login(busy_stack):
    email = unique_email()
    assert register(busy_stack, email).status_code == 201

    def hits(bucket):
        return int(psql(busy_stack.database_url, "SELECT coalesce(sum(hits), 0) FROM rate_limit_counters "
                                                 f"WHERE bucket = '{bucket}'"))

    address_before = hits("login:127.0.0.1")
    responses = concurrently(lambda _: login(busy_stack, email, "wrong-password-123"), BURST)
    statuses = [response.status_code for response in responses]
    assert set(statuses) <= {401, 503} and 503 in statuses, statuses
    assert hits(f"login-failed:{email}") == statuses.count(401), "a shed attempt is no failed attempt"
    assert hits("login:127.0.0.1") - address_before == statuses.count(401)
    failures = psql(busy_stack.database_url, "SELECT count(*) FROM auth_events e JOIN users u ON u.id = e.user_id "
                                             f"WHERE e.event = 'login_failure' AND u.email = '{email}'")
    assert int(failures) == statuses.count(401)


def test_shed_registrations_leave_no_account(busy_stack):
    emails = [unique_email("burst") for _ in range(BURST)]
    responses = concurrently(lambda index: register(busy_stack, emails[index]), BURST)
    statuses = [response.status_code for response in responses]
    assert set(statuses) <= {201, 503} and 201 in statuses and 503 in statuses, statuses
    for email, response in zip(emails, responses):
        rows = int(psql(busy_stack.database_url, f"SELECT count(*) FROM users WHERE email = '{email}'"))
        assert rows == (1 if response.status_code == 201 else 0), (email, response.status_code)
        if response.status_code == 503:
            assert_shed(response)


def test_password_routes_go_to_the_password_worker_and_the_rest_do_not(busy_stack):
    email, token, _ = signed_up(busy_stack)
    assert busy_stack.get("/api/auth/me", headers=bearer(token)).status_code == 200
    assert busy_stack.post("/api/auth/password", headers=bearer(token),
                           json={"current_password": PASSWORD, "new_password": "another long password"}
                           ).status_code == 204
    # A reset confirmation hashes the new password too (its token is refused afterwards, but it is hashed first).
    assert busy_stack.post("/api/auth/password-reset/confirm",
                           json={"token": "x" * 43, "new_password": "yet another long password"}).status_code == 400
    assert busy_stack.post("/api/auth/password-reset", json={"email": email}).status_code == 202
    password_pids = busy_stack.password_worker_pids()
    assert len(password_pids) == 1
    served = {}
    for line in busy_stack.log_lines():
        if line.get("message") == "request":
            served.setdefault(line["path"], set()).add(line["pid"])
    for path in ["/api/auth/login", "/api/auth/register", "/api/auth/password", "/api/auth/password-reset/confirm"]:
        assert served[path] <= password_pids, path
    assert not (served["/api/auth/password-reset"] & password_pids), "a reset request hashes nothing"
    assert not (served["/api/auth/me"] & password_pids)
    assert not (served["/api/health"] & password_pids)


def test_hashing_threads_run_at_a_lower_priority_than_request_threads(busy_stack):
    def nice_by_thread(pid):
        values = {}
        for task in Path(f"/proc/{pid}/task").iterdir():
            name = (task / "comm").read_text().strip()
            # Field 19 of stat is the nice value; the command name before it may hold spaces, hence the ")".
            values[name] = int((task / "stat").read_text().rsplit(")", 1)[1].split()[16])
        return values

    (password_pid,) = busy_stack.password_worker_pids()
    lane = {name: nice for name, nice in nice_by_thread(password_pid).items() if name.startswith("password-")}
    assert set(lane) == {"password-0", "password-accept"}, lane
    assert set(lane.values()) == {10}, lane
    for pid in busy_stack.interactive_worker_pids():
        request_threads = {name: nice for name, nice in nice_by_thread(pid).items() if name.startswith("request-")}
        assert len(request_threads) == 3 and set(request_threads.values()) == {0}, request_threads


def test_metrics_describe_both_lanes(busy_stack):
    text = busy_stack.get("/metrics").text
    def per_lane(name):
        return {lane: int(count) for lane, count in
                re.findall(rf'^todo_chatbot_{name}\{{lane="(\w+)"\}} (\d+)$', text, re.MULTILINE)}
    active, idle, total = per_lane("active_threads"), per_lane("idle_threads"), per_lane("total_threads")
    assert active["interactive"] + idle["interactive"] == total["interactive"] == 2 * 3
    assert active["interactive"] >= 1, "the thread answering /metrics is busy"
    assert active["password"] + idle["password"] == total["password"] == 1
    assert active["password"] == 0
    assert metric(busy_stack, "todo_chatbot_password_hashing_queue_depth") == 0
