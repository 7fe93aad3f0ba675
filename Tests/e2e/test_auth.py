"""Authentication end to end: register, login, refresh rotation, logout, me, sessions, password, limits."""

import base64
import hashlib
import hmac
import json
import socket
import ssl
import statistics
import subprocess
import threading
import time
import uuid

import bcrypt
import jwt
import pytest

from api import (PASSWORD, answers_until, bearer, login, refresh, refresh_cookie_value, register, set_cookies,
                 signed_up, unique_email)
from stack import pool_binary, psql


def error_code(response):
    return response.json()["error"]["code"]


def count_users(stack):
    return int(psql(stack.database_url, "SELECT count(*) FROM users"))


SCHEME_MARKER = "$bcrypt-hmac-sha256$v=1"
COMMON_PASSWORD_REFUSAL = "is too common: it is on a list of the 10,000 most used passwords; choose another"


def pre_hash(password):
    """The scheme's pre-hash, written from its description rather than from the Swift code."""
    digest = hmac.new(b"todo-chatbot password v1", password.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest)


def stored_password_hash(stack, email):
    return psql(stack.database_url, f"SELECT password_hash FROM users WHERE email = '{email}'")


# The whole flow

def test_register_login_me_refresh_reuse_and_logout(shared_stack):
    email = unique_email()
    created = register(shared_stack, email)
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == {"id", "email", "created_at", "email_verified"} and body["email"] == email
    assert body["email_verified"] is False, "nobody has opened the verification link yet"

    logged_in = login(shared_stack, email)
    assert logged_in.status_code == 200
    tokens = logged_in.json()
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 900
    assert tokens["user"] == body
    first_refresh = refresh_cookie_value(logged_in)

    me = shared_stack.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200 and me.json() == body

    rotated = refresh(shared_stack, first_refresh)
    assert rotated.status_code == 200, rotated.text
    second_refresh = refresh_cookie_value(rotated)
    assert second_refresh != first_refresh
    assert shared_stack.get("/api/auth/me", headers=bearer(rotated.json()["access_token"])).status_code == 200

    logged_out = shared_stack.post("/api/auth/logout", headers={"Content-Type": "application/json",
                                                                "Cookie": f"refresh_token={second_refresh}"})
    assert logged_out.status_code == 204
    assert set_cookies(logged_out)["refresh_token"]["max-age"] == "0"
    assert refresh(shared_stack, second_refresh).status_code == 401
    after_logout = shared_stack.get("/api/auth/me", headers=bearer(rotated.json()["access_token"]))
    assert after_logout.status_code == 401, "a logged-out session's access token stops working at once"
    again = shared_stack.post("/api/auth/logout", headers={"Content-Type": "application/json",
                                                           "Cookie": f"refresh_token={second_refresh}"})
    assert again.status_code == 204, "logout is idempotent"


def test_reused_refresh_token_after_grace_revokes_the_whole_session(make_stack):
    stack = make_stack({"REFRESH_GRACE_SECONDS": "1"})
    _, _, first = signed_up(stack)
    second = refresh_cookie_value(refresh(stack, first))
    # Within the grace second a replay gets `second` again; the first replay after it is a reuse.
    reused = answers_until(lambda: refresh(stack, first), lambda answer: answer.status_code != 200)[-1]
    assert reused.status_code == 401 and error_code(reused) == "refresh_token_reused"
    assert set_cookies(reused)["refresh_token"]["max-age"] == "0"
    assert refresh(stack, second).status_code == 401, "the thief's and the owner's tokens both die"
    events = psql(stack.database_url, "SELECT count(*) FROM auth_events WHERE event = 'refresh_reuse'")
    assert events == "1"


def test_refresh_replayed_within_grace_returns_the_same_successor(shared_stack):
    _, _, first = signed_up(shared_stack)
    one = refresh(shared_stack, first)
    two = refresh(shared_stack, first)
    assert one.status_code == two.status_code == 200
    assert refresh_cookie_value(one) == refresh_cookie_value(two)
    assert refresh(shared_stack, refresh_cookie_value(two)).status_code == 200


def test_concurrent_refreshes_of_one_token_leave_one_live_successor(shared_stack):
    _, _, first = signed_up(shared_stack)
    results = []
    threads = [threading.Thread(target=lambda: results.append(refresh(shared_stack, first))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [response.status_code for response in results] == [200] * 8
    assert len({refresh_cookie_value(response) for response in results}) == 1


def test_refresh_cookie_attributes(shared_stack):
    email = unique_email()
    register(shared_stack, email)
    cookie = set_cookies(login(shared_stack, email))["refresh_token"]
    assert cookie["httponly"] and cookie["secure"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/api/auth"
    assert cookie["max-age"] == "604800"


def test_auth_responses_are_never_cached(shared_stack):
    email = unique_email()
    responses = [register(shared_stack, email), login(shared_stack, email), login(shared_stack, email, "wrong-password")]
    for response in responses:
        assert response.headers["Cache-Control"] == "no-store", response.url


# Registration

def test_duplicate_and_differently_spelled_emails_are_one_account(shared_stack):
    email = unique_email()
    assert register(shared_stack, email).status_code == 201
    for spelling in [email, email.upper(), f"  {email}  "]:
        duplicate = register(shared_stack, spelling)
        assert duplicate.status_code == 409 and error_code(duplicate) == "email_taken"
    assert login(shared_stack, f" {email.upper()} ").status_code == 200


def test_concurrent_registrations_of_one_email_create_exactly_one_account(shared_stack):
    email = unique_email("race")
    results = []
    threads = [threading.Thread(target=lambda: results.append(register(shared_stack, email).status_code))
               for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201] + [409] * 9
    assert psql(shared_stack.database_url, f"SELECT count(*) FROM users WHERE email = '{email}'") == "1"


def test_invalid_email_and_weak_passwords_give_field_errors(shared_stack):
    cases = [
        ({"email": "not-an-email", "password": PASSWORD}, {"email"}),
        ({"email": unique_email(), "password": "short"}, {"password"}),
        ({"email": unique_email(), "password": "x" * 257}, {"password"}),
        ({"email": unique_email(), "password": "secret\u0000anything"}, {"password"}),
        ({"email": "x", "password": ""}, {"email", "password"}),
    ]
    for payload, fields in cases:
        response = shared_stack.post("/api/auth/register", json=payload)
        assert response.status_code == 400, payload
        assert error_code(response) == "validation_failed"
        assert set(response.json()["error"]["fields"]) == fields, response.text
    assert register(shared_stack, password="€" * 256).status_code == 201, "256 characters in 768 bytes"


def test_a_password_of_seven_characters_is_refused_whatever_its_bytes(shared_stack):
    seven_characters = "pässwör"
    assert len(seven_characters.encode()) == 9, "the old rule, 8 bytes, let it through"
    response = register(shared_stack, password=seven_characters)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"password": "must be at least 8 characters long"}


def test_common_passwords_are_refused_in_any_case_with_a_field_error_saying_why(shared_stack):
    for common in ["password", "Password", "PASSWORD", "12345678", "qwertyui", "iloveyou1", "ILOVEYOU1"]:
        email = unique_email()
        response = register(shared_stack, email, password=common)
        assert response.status_code == 400, common
        assert error_code(response) == "validation_failed"
        assert response.json()["error"]["fields"] == {"password": COMMON_PASSWORD_REFUSAL}, common
        assert psql(shared_stack.database_url, f"SELECT count(*) FROM users WHERE email = '{email}'") == "0"
    assert register(shared_stack, password="iloveyou, but not as a password").status_code == 201


def test_a_long_passphrase_with_multi_byte_characters_counts_to_its_last_character(shared_stack):
    passphrase = "Grüße aus Köln, 東京 und Zürich: 🔑 zum Glück bleibt jedes Zeichen dieser Passphrase wichtig ✓ ja!"
    passphrase += "x" * (100 - len(passphrase))
    assert len(passphrase) == 100 and len(passphrase.encode()) > 72
    email = unique_email()
    assert register(shared_stack, email, password=passphrase).status_code == 201
    assert login(shared_stack, email, password=passphrase).status_code == 200
    assert login(shared_stack, email, password=passphrase[:-1] + "y").status_code == 401, "bcrypt alone would cut it"
    stored = stored_password_hash(shared_stack, email)
    assert bcrypt.checkpw(pre_hash(passphrase), stored.removeprefix(SCHEME_MARKER).encode())


# Login and enumeration

def test_unknown_email_and_wrong_password_look_the_same(make_stack):
    stack = make_stack({"BCRYPT_COST": "10"})
    email = unique_email()
    register(stack, email)
    wrong_password = login(stack, email, "wrong-password-123")
    unknown_email = login(stack, unique_email("nobody"), "wrong-password-123")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert error_code(wrong_password) == "invalid_credentials"

    def median_seconds(send):
        samples = []
        for _ in range(5):
            started = time.monotonic()
            send()
            samples.append(time.monotonic() - started)
        return statistics.median(samples)

    # Not a speed assertion: both paths must run one bcrypt verification, which dwarfs everything else;
    # without the dummy hash the unknown-email path is about ten times faster.
    known = median_seconds(lambda: login(stack, email, "wrong-password-123"))
    unknown = median_seconds(lambda: login(stack, unique_email("nobody"), "wrong-password-123"))
    assert unknown > 0.4 * known, (known, unknown)


def test_login_rate_limit_holds_across_hashing_threads_and_ignores_forwarded_headers(make_stack):
    # Many requests at once over four hashing threads, each with its own PostgreSQL connection: the count is
    # one atomic upsert in the database, so it holds whichever connection (or host) counts.
    stack = make_stack({"RATE_LIMIT_LOGIN_PER_MINUTE": "4", "PASSWORD_HASHING_CONCURRENCY": "4"})
    responses = []

    def attempt(index):
        responses.append(login(stack, unique_email(), "wrong-password-123",
                               headers={"X-Forwarded-For": f"10.0.0.{index}", "X-Real-IP": f"10.0.1.{index}",
                                        "Forwarded": f"for=10.0.2.{index}"}))

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [401] * 4 + [429] * 26
    limited = next(response for response in responses if response.status_code == 429)
    assert error_code(limited) == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_failed_logins_per_account_are_limited_but_not_forever(make_stack):
    stack = make_stack({"LOGIN_FAILURES_PER_ACCOUNT": "3", "LOGIN_FAILURE_WINDOW_SECONDS": "2"})
    email = unique_email()
    register(stack, email)
    # Windows are aligned to the clock (multiples of 2 s since the epoch, on this host's clock, which PostgreSQL
    # shares): start right after one begins, so the five logins below fall into the same window.
    time.sleep(2 - time.time() % 2 + 0.05)
    statuses = [login(stack, email, "wrong-password-123").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert login(stack, email).status_code == 429, "even the right password waits out the window"
    answers = answers_until(lambda: login(stack, email), lambda answer: answer.status_code != 429)
    assert answers[-1].status_code == 200


def test_parallel_password_guesses_cannot_exceed_the_account_limit(make_stack):
    stack = make_stack({"LOGIN_FAILURES_PER_ACCOUNT": "3", "THREADS_PER_WORKER": "4"})
    email = unique_email()
    register(stack, email)
    results = []
    threads = [threading.Thread(target=lambda: results.append(login(stack, email, "wrong-password-123").status_code))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [401] * 3 + [429] * 5


# Tokens

def test_our_access_tokens_verify_in_pyjwt_and_pyjwt_tokens_are_accepted(shared_stack):
    email, access_token, _ = signed_up(shared_stack)
    secret = shared_stack.environment["JWT_SECRET"]
    claims = jwt.decode(access_token, secret, algorithms=["HS256"], audience="todo-chatbot-api",
                        issuer="todo-chatbot")
    assert claims["type"] == "access" and claims["email"] == email
    assert claims["exp"] - claims["iat"] == 900
    assert jwt.get_unverified_header(access_token)["kid"]

    minted = jwt.encode({**claims, "jti": uuid.uuid4().hex, "iat": int(time.time()), "exp": int(time.time()) + 60},
                        secret, algorithm="HS256", headers={"kid": jwt.get_unverified_header(access_token)["kid"]})
    assert shared_stack.get("/api/auth/me", headers=bearer(minted)).status_code == 200

    forged = [
        jwt.encode(claims, "another-secret-of-sufficient-length-1234", algorithm="HS256"),
        jwt.encode(claims, secret, algorithm="HS512"),
        jwt.encode({**claims, "exp": int(time.time()) - 120}, secret, algorithm="HS256"),
        jwt.encode({**claims, "type": "refresh"}, secret, algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),
        "not.a.token",
    ]
    for token in forged:
        response = shared_stack.get("/api/auth/me", headers=bearer(token))
        assert response.status_code == 401, token
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    missing = shared_stack.get("/api/auth/me")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")


def test_stored_password_hash_is_bcrypt_2b_of_the_pre_hash_verified_by_pyca_bcrypt(shared_stack):
    email = unique_email()
    register(shared_stack, email)
    stored = stored_password_hash(shared_stack, email)
    assert stored.startswith(SCHEME_MARKER + "$2b$04$"), stored
    bcrypt_hash = stored.removeprefix(SCHEME_MARKER).encode()
    assert bcrypt.checkpw(pre_hash(PASSWORD), bcrypt_hash)
    assert not bcrypt.checkpw(PASSWORD.encode(), bcrypt_hash), "bcrypt of the pre-hash, not of the password"
    refresh_hashes = psql(shared_stack.database_url, "SELECT token_hash FROM refresh_tokens LIMIT 5").split()
    assert all(len(value) == 64 for value in refresh_hashes), "only SHA-256 hex is stored"


def test_a_plain_bcrypt_hash_from_before_the_pre_hash_is_upgraded_at_the_next_login(shared_stack):
    email = unique_email()
    register(shared_stack, email)
    legacy = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4, prefix=b"2b")).decode()
    psql(shared_stack.database_url, f"UPDATE users SET password_hash = '{legacy}' WHERE email = '{email}'")
    assert login(shared_stack, email, "wrong-password-123").status_code == 401
    assert stored_password_hash(shared_stack, email) == legacy, "a failed login changes nothing"

    assert login(shared_stack, email).status_code == 200
    upgraded = stored_password_hash(shared_stack, email)
    assert upgraded.startswith(SCHEME_MARKER + "$2b$04$"), upgraded
    assert bcrypt.checkpw(pre_hash(PASSWORD), upgraded.removeprefix(SCHEME_MARKER).encode())
    assert login(shared_stack, email).status_code == 200
    assert stored_password_hash(shared_stack, email) == upgraded


def test_an_account_whose_password_is_now_too_common_still_signs_in(shared_stack):
    email = unique_email()
    register(shared_stack, email)
    common = "Password1"
    assert register(shared_stack, password=common).status_code == 400, "no new account may have it"
    legacy = bcrypt.hashpw(common.encode(), bcrypt.gensalt(4, prefix=b"2b")).decode()
    psql(shared_stack.database_url, f"UPDATE users SET password_hash = '{legacy}' WHERE email = '{email}'")
    assert login(shared_stack, email, common).status_code == 200
    upgraded = stored_password_hash(shared_stack, email)
    assert bcrypt.checkpw(pre_hash(common), upgraded.removeprefix(SCHEME_MARKER).encode()), "upgraded all the same"
    assert login(shared_stack, email, common).status_code == 200


def test_deleted_user_loses_access_at_once(shared_stack):
    email, access_token, refresh_token = signed_up(shared_stack)
    psql(shared_stack.database_url, f"DELETE FROM users WHERE email = '{email}'")
    assert shared_stack.get("/api/auth/me", headers=bearer(access_token)).status_code == 401
    assert refresh(shared_stack, refresh_token).status_code == 401


# Sessions and password

def test_sessions_list_and_revoke_and_other_users_sessions_are_invisible(shared_stack):
    email, first_token, _ = signed_up(shared_stack)
    second = login(shared_stack, email, headers={"User-Agent": "second-browser"})
    second_token = second.json()["access_token"]
    listed = shared_stack.get("/api/auth/sessions", headers=bearer(first_token)).json()["sessions"]
    assert len(listed) == 2 and sum(session["current"] for session in listed) == 1
    other = next(session for session in listed if not session["current"])
    assert other["user_agent"] == "second-browser"
    assert other["ip_address"] == "127.0.0.1"

    _, stranger_token, _ = signed_up(shared_stack)
    foreign = shared_stack.request("DELETE", f"/api/auth/sessions/{other['id']}", headers=bearer(stranger_token))
    missing = shared_stack.request("DELETE", f"/api/auth/sessions/{uuid.uuid4()}", headers=bearer(stranger_token))
    assert foreign.status_code == missing.status_code == 404 and foreign.json() == missing.json()
    assert shared_stack.get("/api/auth/me", headers=bearer(second_token)).status_code == 200

    revoked = shared_stack.request("DELETE", f"/api/auth/sessions/{other['id']}", headers=bearer(first_token))
    assert revoked.status_code == 204
    assert shared_stack.get("/api/auth/me", headers=bearer(second_token)).status_code == 401
    assert shared_stack.request("DELETE", "/api/auth/sessions/not-a-uuid", headers=bearer(first_token)).status_code == 400


def test_logout_all_ends_every_session(shared_stack):
    email, first_token, first_refresh = signed_up(shared_stack)
    second_token = login(shared_stack, email).json()["access_token"]
    assert shared_stack.post("/api/auth/logout-all", headers=bearer(first_token)).status_code == 204
    for token in (first_token, second_token):
        assert shared_stack.get("/api/auth/me", headers=bearer(token)).status_code == 401
    assert refresh(shared_stack, first_refresh).status_code == 401


def test_password_change_revokes_other_sessions_and_keeps_this_one(shared_stack):
    email, this_token, _ = signed_up(shared_stack)
    other_login = login(shared_stack, email)
    other_token, other_refresh = other_login.json()["access_token"], refresh_cookie_value(other_login)
    wrong = shared_stack.post("/api/auth/password", headers=bearer(this_token),
                              json={"current_password": "not-the-password", "new_password": "a brand new password"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "current_password_incorrect"
    weak = shared_stack.post("/api/auth/password", headers=bearer(this_token),
                             json={"current_password": PASSWORD, "new_password": "short"})
    assert weak.status_code == 400 and "new_password" in weak.json()["error"]["fields"]
    common = shared_stack.post("/api/auth/password", headers=bearer(this_token),
                               json={"current_password": PASSWORD, "new_password": "Iloveyou1"})
    assert common.status_code == 400 and common.json()["error"]["fields"] == {"new_password": COMMON_PASSWORD_REFUSAL}
    assert shared_stack.get("/api/auth/me", headers=bearer(other_token)).status_code == 200, "nothing changed"
    changed = shared_stack.post("/api/auth/password", headers=bearer(this_token),
                                json={"current_password": PASSWORD, "new_password": "a brand new password"})
    assert changed.status_code == 204
    assert shared_stack.get("/api/auth/me", headers=bearer(this_token)).status_code == 200
    assert shared_stack.get("/api/auth/me", headers=bearer(other_token)).status_code == 401
    assert refresh(shared_stack, other_refresh).status_code == 401
    assert login(shared_stack, email).status_code == 401
    assert login(shared_stack, email, "a brand new password").status_code == 200


# CSRF

def test_cross_site_refresh_and_logout_are_refused_before_the_token_is_used(shared_stack):
    _, _, refresh_token = signed_up(shared_stack)
    attempts = [
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "text/plain"},
        {"Content-Type": "multipart/form-data; boundary=x"},
        {"Content-Type": "application/json", "Origin": "https://evil.example"},
        {"Content-Type": "application/json", "Origin": "null"},
        {},
    ]
    for headers in attempts:
        for path in ("/api/auth/refresh", "/api/auth/logout"):
            response = shared_stack.post(path, headers={**headers, "Cookie": f"refresh_token={refresh_token}"})
            assert response.status_code == 403, (path, headers)
            assert error_code(response) == "cross_site_request"
    same_origin = shared_stack.post("/api/auth/refresh", headers={
        "Origin": f"https://localhost:{shared_stack.https_port}", "Cookie": f"refresh_token={refresh_token}"})
    assert same_origin.status_code == 200, "the token was not consumed by the refused attempts"


# Bad input

BAD_BODIES = [
    (b"", "application/json"),
    (b"{", "application/json"),
    (b"[]", "application/json"),
    (b'{"email": 5, "password": true}', "application/json"),
    (b'{"email": null, "password": null}', "application/json"),
    (b'{"email": "a@example.com"}', "application/json"),
    (b'{"email": "\xff\xfe@example.com", "password": "correct horse"}', "application/json"),
    (b"[" * 100000, "application/json"),
    (b'{"email": "a@example.com", "password": "correct horse"}', "text/html"),
    (('{"email": "' + "a" * 500000 + '@example.com", "password": "correct horse"}').encode(), "application/json"),
    (('{"email": "big@example.com", "password": "' + "p" * 500000 + '"}').encode(), "application/json"),
]


@pytest.mark.parametrize("path", ["/api/auth/register", "/api/auth/login", "/api/auth/password"])
def test_bad_bodies_get_a_4xx_json_error_and_store_nothing(shared_stack, path):
    _, token, _ = signed_up(shared_stack)
    users_before = count_users(shared_stack)
    for body, content_type in BAD_BODIES:
        response = shared_stack.post(path, data=body, headers={"Content-Type": content_type, **bearer(token)})
        assert 400 <= response.status_code < 500, (path, body[:40], response.status_code)
        assert response.headers["Content-Type"].startswith("application/json")
        assert error_code(response)
    assert count_users(shared_stack) == users_before
    assert shared_stack.get("/api/health").status_code == 200


def test_extra_fields_are_ignored(shared_stack):
    email = unique_email()
    response = shared_stack.post("/api/auth/register",
                                 json={"email": email, "password": PASSWORD, "is_admin": True, "id": "x"})
    assert response.status_code == 201 and response.json()["email"] == email


# Metrics and housekeeping

def metric_values(text):
    values = {}
    for line in text.splitlines():
        if line.startswith("todo_chatbot_auth_events_total{"):
            name, value = line.rsplit(" ", 1)
            values[name.split('"')[1]] = int(value)
    return values


def test_metrics_count_auth_events_across_workers_for_loopback_only(make_stack):
    stack = make_stack({"THREADS_PER_WORKER": "1"})
    before = metric_values(stack.get("/metrics").text)
    email = unique_email()
    results = []
    threads = [threading.Thread(target=lambda: results.append(login(stack, email, "wrong-password-123")))
               for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    signed_up(stack)
    response = stack.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    after = metric_values(response.text)
    assert after["login_failure"] - before.get("login_failure", 0) == 6
    assert after["register"] - before.get("register", 0) == 1
    assert after["login_success"] - before.get("login_success", 0) == 1

    context = ssl.create_default_context(cafile=str(stack.certificate))
    with socket.create_connection(("127.0.0.1", stack.https_port), source_address=("127.0.0.2", 0)) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as connection:
            connection.sendall(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            status_line = connection.recv(200).split(b"\r\n", 1)[0]
    assert b" 403 " in status_line, status_line


def test_purge_deletes_expired_tokens_and_sessions_and_keeps_live_ones(shared_stack):
    _, live_token, _ = signed_up(shared_stack)
    expired_email, _, _ = signed_up(shared_stack)
    psql(shared_stack.database_url, f"""
        UPDATE sessions SET expires_at = now() - interval '1 day', created_at = now() - interval '40 days'
        WHERE user_id = (SELECT id FROM users WHERE email = '{expired_email}');
        UPDATE refresh_tokens SET expires_at = now() - interval '1 day'
        WHERE session_id IN (SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id
                             WHERE u.email = '{expired_email}')""")
    result = subprocess.run([pool_binary(), "purge"], env={**shared_stack.environment, "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "purged expired auth data" and line["sessions"] >= 1 and line["refresh_tokens"] >= 1
    remaining = psql(shared_stack.database_url, f"""
        SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '{expired_email}'""")
    assert remaining == "0"
    assert shared_stack.get("/api/auth/me", headers=bearer(live_token)).status_code == 200
