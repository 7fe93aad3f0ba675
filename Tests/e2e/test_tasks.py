"""Tasks and conversations end to end: CRUD through nginx, isolation between users, bad input on every endpoint,
and the claim-legacy command on a database of the older app."""

import subprocess
import uuid

import pytest

from api import bearer, signed_up
from stack import create_database, pool_binary, psql

TASK_FIELDS = {"id", "title", "description", "completed", "created_at", "updated_at", "completed_at"}


def signed_in(stack):
    """A fresh account; returns (email, Authorization headers, user id)."""
    email, token, _ = signed_up(stack)
    headers = bearer(token)
    user_id = stack.get("/api/auth/me", headers=headers).json()["id"]
    return email, headers, user_id


def add_task(stack, headers, title, description=None):
    body = {"title": title} if description is None else {"title": title, "description": description}
    response = stack.post("/api/tasks", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def task_row(stack, task_id):
    return psql(stack.database_url,
                f"SELECT owner_id, title, description, completed, updated_at FROM tasks WHERE id = {int(task_id)}")


def add_conversation(stack, user_id, title="Groceries"):
    """Conversations are created by the chat endpoint; until it exists, tests write them straight to the database."""
    conversation_id = str(uuid.uuid4())
    psql(stack.database_url, f"""
        INSERT INTO conversations (id, owner_id, title) VALUES ('{conversation_id}', '{user_id}', '{title}');
        INSERT INTO messages (conversation_id, role, content, tool_name, tool_arguments, tool_result) VALUES
            ('{conversation_id}', 'user', 'add milk', NULL, NULL, NULL),
            ('{conversation_id}', 'tool', '', 'add_task', '{{"title": "milk"}}', '{{"task": {{"id": 1}}}}'),
            ('{conversation_id}', 'assistant', 'Added milk.', NULL, NULL, NULL)""")
    return conversation_id


def assert_error(response, status, code=None):
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith("application/json"), response.headers
    error = response.json()["error"]
    if code:
        assert error["code"] == code, error
    return error


# CRUD

def test_create_read_update_complete_list_and_delete_through_nginx(shared_stack):
    _, headers, _ = signed_in(shared_stack)

    created = shared_stack.post("/api/tasks", json={"title": "  Buy milk ", "description": "2 l"}, headers=headers)
    assert created.status_code == 201, created.text
    task = created.json()
    assert set(task) == TASK_FIELDS
    assert task["title"] == "Buy milk" and task["description"] == "2 l" and task["completed"] is False
    assert task["completed_at"] is None and task["created_at"].endswith("Z")
    assert created.headers["Location"] == f"/api/tasks/{task['id']}"
    assert created.headers["Cache-Control"] == "no-store"

    path = f"/api/tasks/{task['id']}"
    assert shared_stack.get(path, headers=headers).json() == task
    renamed = shared_stack.request("PATCH", path, json={"title": "Buy oat milk"}, headers=headers)
    assert renamed.status_code == 200 and renamed.json()["title"] == "Buy oat milk"
    assert renamed.json()["description"] == "2 l"
    completed = shared_stack.post(path + "/complete", headers=headers)
    assert completed.status_code == 200 and completed.json()["completed"] is True
    assert completed.json()["completed_at"] is not None
    assert shared_stack.post(path + "/complete", headers=headers).json() == completed.json(), "idempotent"

    listed = shared_stack.get("/api/tasks", headers=headers).json()
    assert listed == {"tasks": [completed.json()], "next_cursor": None}
    assert shared_stack.get("/api/tasks?status=pending", headers=headers).json()["tasks"] == []
    assert shared_stack.get("/api/tasks?status=completed", headers=headers).json()["tasks"] == [completed.json()]

    deleted = shared_stack.request("DELETE", path, headers=headers)
    assert deleted.status_code == 204 and deleted.content == b""
    assert_error(shared_stack.get(path, headers=headers), 404, "not_found")
    assert psql(shared_stack.database_url, f"SELECT count(*) FROM tasks WHERE id = {task['id']}") == "0"


def test_list_pages_by_cursor_without_repeating_or_skipping(shared_stack):
    _, headers, _ = signed_in(shared_stack)
    ids = [add_task(shared_stack, headers, f"Task {number}")["id"] for number in range(1, 9)]

    seen, cursor, pages = [], None, 0
    while True:
        query = "/api/tasks?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = shared_stack.get(query, headers=headers).json()
        seen += [task["id"] for task in page["tasks"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
        if pages == 1:
            shared_stack.request("DELETE", f"/api/tasks/{ids[4]}", headers=headers)
    assert seen == ids[:4] + ids[5:] and pages == 3
    assert len(shared_stack.get("/api/tasks", headers=headers).json()["tasks"]) == 7


def test_every_task_and_conversation_route_needs_a_valid_access_token(shared_stack):
    for method, path in [("GET", "/api/tasks"), ("POST", "/api/tasks"), ("GET", "/api/tasks/1"),
                         ("PATCH", "/api/tasks/1"), ("DELETE", "/api/tasks/1"), ("POST", "/api/tasks/1/complete"),
                         ("GET", "/api/conversations"), ("GET", f"/api/conversations/{uuid.uuid4()}/messages"),
                         ("DELETE", f"/api/conversations/{uuid.uuid4()}")]:
        for headers in [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic dXNlcjpwYXNz"}]:
            response = shared_stack.request(method, path, json={"title": "x"}, headers=headers)
            assert_error(response, 401, "unauthenticated")
            assert response.headers["WWW-Authenticate"].startswith("Bearer")


# Isolation

def test_a_user_cannot_read_change_complete_or_delete_another_users_tasks(shared_stack):
    _, alice, _ = signed_in(shared_stack)
    _, bob, _ = signed_in(shared_stack)
    bobs = add_task(shared_stack, bob, "Bob's secret", "private")
    before = task_row(shared_stack, bobs["id"])
    missing_id = int(psql(shared_stack.database_url, "SELECT coalesce(max(id), 0) + 1000 FROM tasks"))

    for method, suffix, body in [("GET", "", None), ("PATCH", "", {"title": "pwned"}), ("DELETE", "", None),
                                 ("POST", "/complete", None)]:
        foreign = shared_stack.request(method, f"/api/tasks/{bobs['id']}{suffix}", json=body, headers=alice)
        missing = shared_stack.request(method, f"/api/tasks/{missing_id}{suffix}", json=body, headers=alice)
        assert_error(foreign, 404, "not_found")
        assert foreign.json() == missing.json(), "another user's task looks exactly like a missing one"
    assert all(task["id"] != bobs["id"] for task in shared_stack.get("/api/tasks", headers=alice).json()["tasks"])

    assert task_row(shared_stack, bobs["id"]) == before, "Bob's row is unchanged"
    assert shared_stack.get(f"/api/tasks/{bobs['id']}", headers=bob).json() == bobs


def test_a_user_cannot_read_or_delete_another_users_conversations(shared_stack):
    _, alice, _ = signed_in(shared_stack)
    _, bob, bob_id = signed_in(shared_stack)
    conversation_id = add_conversation(shared_stack, bob_id)

    assert shared_stack.get("/api/conversations", headers=alice).json() == {"conversations": []}
    for method, path in [("GET", "/api/conversations/{}/messages"), ("DELETE", "/api/conversations/{}")]:
        foreign = shared_stack.request(method, path.format(conversation_id), headers=alice)
        missing = shared_stack.request(method, path.format(uuid.uuid4()), headers=alice)
        assert_error(foreign, 404, "not_found")
        assert foreign.json() == missing.json()

    conversations = shared_stack.get("/api/conversations", headers=bob).json()["conversations"]
    assert [conversation["id"] for conversation in conversations] == [conversation_id]
    assert set(conversations[0]) == {"id", "title", "created_at", "updated_at"}
    messages = shared_stack.get(f"/api/conversations/{conversation_id}/messages", headers=bob).json()["messages"]
    assert [message["role"] for message in messages] == ["user", "tool", "assistant"]
    assert messages[1]["tool_name"] == "add_task" and messages[1]["tool_arguments"] == {"title": "milk"}
    assert messages[1]["tool_result"] == {"task": {"id": 1}} and messages[0]["tool_result"] is None

    assert shared_stack.request("DELETE", f"/api/conversations/{conversation_id}", headers=bob).status_code == 204
    assert psql(shared_stack.database_url,
                f"SELECT count(*) FROM messages WHERE conversation_id = '{conversation_id}'") == "0"
    assert_error(shared_stack.get(f"/api/conversations/{conversation_id}/messages", headers=bob), 404, "not_found")


# Bad input: always a JSON 4xx, never a 500

HUGE_TITLE = "t" * 100_000
BAD_REQUESTS = [
    # (method, path, body (JSON) or raw bytes, expected status, expected code)
    ("POST", "/api/tasks", {}, 400, "validation_failed"),
    ("POST", "/api/tasks", {"title": None}, 400, "validation_failed"),
    ("POST", "/api/tasks", {"title": 42}, 400, "validation_failed"),
    ("POST", "/api/tasks", {"title": ["a"]}, 400, "validation_failed"),
    ("POST", "/api/tasks", {"title": {"nested": True}}, 400, "validation_failed"),
    ("POST", "/api/tasks", {"title": ""}, 400, "validation_failed"),
    ("POST", "/api/tasks", {"title": " \t\n "}, 400, "validation_failed"),
    ("POST", "/api/tasks", {"title": "t" * 201}, 400, "validation_failed"),
    ("POST", "/api/tasks", {"title": HUGE_TITLE}, 400, "validation_failed"),
    ("POST", "/api/tasks", {"title": "ok", "description": "d" * 2001}, 400, "validation_failed"),
    ("POST", "/api/tasks", {"title": "ok", "description": 3.5}, 400, "validation_failed"),
    ("POST", "/api/tasks", {"title": "nul\u0000byte"}, 400, "validation_failed"),
    ("POST", "/api/tasks", {"title": "ok", "description": "nul\u0000byte"}, 400, "validation_failed"),
    ("POST", "/api/tasks", [1, 2], 400, "validation_failed"),
    ("POST", "/api/tasks", "just a string", 400, "validation_failed"),
    ("POST", "/api/tasks", b"{not json", 400, "invalid_json"),
    ("POST", "/api/tasks", b"", 400, "invalid_json"),
    ("POST", "/api/tasks", b"[" * 10_000, 400, "invalid_json"),
    ("POST", "/api/tasks", b'{"title":"\xff\xfe"}', 400, "invalid_json"),
    ("PATCH", "/api/tasks/{own}", {}, 400, "validation_failed"),
    ("PATCH", "/api/tasks/{own}", {"title": 1}, 400, "validation_failed"),
    ("PATCH", "/api/tasks/{own}", {"title": "t" * 201}, 400, "validation_failed"),
    ("PATCH", "/api/tasks/{own}", {"description": "d" * 2001}, 400, "validation_failed"),
    ("PATCH", "/api/tasks/{own}", b"nope", 400, "invalid_json"),
    ("PATCH", "/api/tasks/{missing}", {"title": "ok"}, 404, "not_found"),
    ("GET", "/api/tasks/{missing}", None, 404, "not_found"),
    ("DELETE", "/api/tasks/{missing}", None, 404, "not_found"),
    ("POST", "/api/tasks/{missing}/complete", None, 404, "not_found"),
    ("GET", "/api/tasks/0", None, 404, "not_found"),
    ("GET", "/api/tasks/-1", None, 400, "invalid_parameter"),
    ("GET", "/api/tasks/1234567890123456789", None, 400, "invalid_parameter"),
    ("GET", "/api/tasks/123456789012345678", None, 404, "not_found"),
    ("GET", "/api/tasks/9223372036854775808", None, 400, "invalid_parameter"),
    ("GET", "/api/tasks/abc", None, 400, "invalid_parameter"),
    ("GET", "/api/tasks/1.5", None, 400, "invalid_parameter"),
    ("GET", "/api/tasks/%F0%9F%A5%9B", None, 400, "invalid_parameter"),
    ("PATCH", "/api/tasks/abc", {"title": "ok"}, 400, "invalid_parameter"),
    ("DELETE", "/api/tasks/abc", None, 400, "invalid_parameter"),
    ("POST", "/api/tasks/abc/complete", None, 400, "invalid_parameter"),
    ("GET", "/api/tasks?status=done", None, 400, "validation_failed"),
    ("GET", "/api/tasks?limit=0", None, 400, "validation_failed"),
    ("GET", "/api/tasks?limit=201", None, 400, "validation_failed"),
    ("GET", "/api/tasks?limit=ten", None, 400, "validation_failed"),
    ("GET", "/api/tasks?limit=" + "9" * 40, None, 400, "validation_failed"),
    ("GET", "/api/tasks?cursor=abc", None, 400, "validation_failed"),
    ("GET", "/api/tasks?cursor=-5", None, 400, "validation_failed"),
    ("GET", "/api/tasks?cursor=" + "9" * 40, None, 400, "validation_failed"),
    ("GET", "/api/conversations?limit=-1", None, 400, "validation_failed"),
    ("GET", "/api/conversations/123/messages", None, 400, "invalid_parameter"),
    ("GET", "/api/conversations/not-a-uuid/messages", None, 400, "invalid_parameter"),
    ("DELETE", "/api/conversations/123", None, 400, "invalid_parameter"),
    ("GET", "/api/conversations/{missing_conversation}/messages", None, 404, "not_found"),
    ("DELETE", "/api/conversations/{missing_conversation}", None, 404, "not_found"),
    ("PUT", "/api/tasks/{own}", {"title": "ok"}, 405, "method_not_allowed"),
]


def test_bad_input_on_every_endpoint_is_a_json_4xx_never_a_500(shared_stack):
    _, headers, _ = signed_in(shared_stack)
    own = add_task(shared_stack, headers, "Mine", "keep")
    before = task_row(shared_stack, own["id"])
    names = {"own": own["id"], "missing": own["id"] + 100_000, "missing_conversation": uuid.uuid4()}
    failures = []
    for method, template, body, status, code in BAD_REQUESTS:
        path = template.format(**names)
        if isinstance(body, bytes):
            response = shared_stack.request(method, path, data=body,
                                            headers={**headers, "Content-Type": "application/json"})
        else:
            response = shared_stack.request(method, path, json=body, headers=headers)
        try:
            assert_error(response, status, code)
        except AssertionError as failure:
            failures.append(f"{method} {template[:60]} {str(body)[:60]}: {failure}")
    assert failures == []
    assert task_row(shared_stack, own["id"]) == before, "no bad request changed anything"
    wrong_type = shared_stack.post("/api/tasks", data="title=x", headers={**headers,
                                                                      "Content-Type": "application/x-www-form-urlencoded"})
    assert_error(wrong_type, 415, "unsupported_media_type")


def test_validation_errors_name_each_field(shared_stack):
    _, headers, _ = signed_in(shared_stack)
    error = assert_error(shared_stack.get("/api/tasks?status=x&limit=0&cursor=y", headers=headers), 400)
    assert set(error["fields"]) == {"status", "limit", "cursor"}
    error = assert_error(shared_stack.post("/api/tasks", json={"title": "t" * 201}, headers=headers), 400)
    assert error["fields"] == {"title": "must be at most 200 characters"}


# claim-legacy on a database of the older app

LEGACY_SCHEMA_AND_ROWS = """
    CREATE TABLE tasks (id serial PRIMARY KEY, user_id text NOT NULL, title text NOT NULL, description text,
        completed boolean NOT NULL DEFAULT false, created_at timestamp NOT NULL DEFAULT now(),
        updated_at timestamp NOT NULL DEFAULT now());
    CREATE TABLE conversations (id serial PRIMARY KEY, user_id text NOT NULL,
        created_at timestamp NOT NULL DEFAULT now(), updated_at timestamp NOT NULL DEFAULT now());
    CREATE TABLE messages (id serial PRIMARY KEY, conversation_id integer NOT NULL REFERENCES conversations (id),
        user_id text NOT NULL, role text NOT NULL, content text NOT NULL, created_at timestamp NOT NULL DEFAULT now());
    INSERT INTO tasks (user_id, title, description, completed) VALUES
        ('legacy-alice', 'buy milk', 'two litres', false), ('legacy-alice', 'call mom', NULL, true),
        ('legacy-bob', 'fix bike', NULL, false);
    INSERT INTO conversations (user_id) VALUES ('legacy-alice'), ('legacy-bob');
    INSERT INTO messages (conversation_id, user_id, role, content) VALUES
        (1, 'legacy-alice', 'user', 'add buy milk'), (1, 'legacy-alice', 'assistant', 'Added buy milk.'),
        (2, 'legacy-bob', 'user', 'add fix bike');
"""


def claim_legacy(stack, *arguments):
    return subprocess.run([pool_binary(), "claim-legacy", *arguments],
                          env={**stack.environment, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
                          timeout=60)


def test_claim_legacy_attaches_the_older_apps_rows_to_an_account(make_stack, admin_database_url):
    database_url = create_database(admin_database_url)
    psql(database_url, LEGACY_SCHEMA_AND_ROWS)
    stack = make_stack(database_url=database_url)  # `serve` migrates the legacy tables in place
    email, alice, _ = signed_in(stack)
    _, bob, _ = signed_in(stack)
    assert psql(database_url, "SELECT count(*) FROM tasks WHERE owner_id IS NULL") == "3"
    assert stack.get("/api/tasks", headers=alice).json()["tasks"] == [], "unclaimed rows are visible to nobody"
    assert stack.get("/api/tasks/1", headers=alice).status_code == 404

    unknown = claim_legacy(stack, "--legacy-user-id", "legacy-alice", "--email", "nobody@example.com")
    assert unknown.returncode == 1 and "no account has the email nobody@example.com" in unknown.stderr
    assert psql(database_url, "SELECT count(*) FROM tasks WHERE owner_id IS NOT NULL") == "0"
    usage = claim_legacy(stack, "--legacy-user-id", "legacy-alice")
    assert usage.returncode == 2 and "usage: fcgi-app claim-legacy" in usage.stderr

    claimed = claim_legacy(stack, "--legacy-user-id", "legacy-alice", "--email", email.upper())
    assert claimed.returncode == 0, claimed.stderr
    assert "attached 2 task(s) and 1 conversation(s) with 2 message(s)" in claimed.stdout

    tasks = stack.get("/api/tasks", headers=alice).json()["tasks"]
    assert [(task["id"], task["title"], task["completed"]) for task in tasks] == [
        (1, "buy milk", False), (2, "call mom", True)]
    assert tasks[1]["completed_at"] is not None and tasks[0]["description"] == "two litres"
    conversations = stack.get("/api/conversations", headers=alice).json()["conversations"]
    assert [conversation["title"] for conversation in conversations] == ["add buy milk"]
    messages = stack.get(f"/api/conversations/{conversations[0]['id']}/messages", headers=alice).json()["messages"]
    assert [message["content"] for message in messages] == ["add buy milk", "Added buy milk."]
    assert stack.post("/api/tasks/1/complete", headers=alice).json()["completed"] is True
    assert add_task(stack, alice, "new one")["id"] == 4, "new ids continue after the legacy ones"

    assert stack.get("/api/tasks", headers=bob).json()["tasks"] == [], "another account sees none of it"
    assert stack.get("/api/tasks/3", headers=bob).status_code == 404
    again = claim_legacy(stack, "--legacy-user-id", "legacy-alice", "--email", email)
    assert again.returncode == 0 and "attached 0 task(s)" in again.stdout
    assert psql(database_url, "SELECT count(*) FROM tasks WHERE legacy_user_id = 'legacy-bob' AND owner_id IS NULL") \
        == "1"


def test_validation_messages_say_what_is_wrong(shared_stack):
    _, headers, _ = signed_in(shared_stack)
    for body, code, message in [
        (b"null", "validation_failed", "The request body must be a JSON object, not null."),
        (b"[1]", "validation_failed", "The request body must be a JSON object, not an array."),
        (b'{"title":1e400}', "invalid_json", "The request body holds a number too large to read (such as 1e400)."),
        (b'{"title":"\xc3\x28"}', "invalid_json", "The request body is not UTF-8, the one encoding JSON allows."),
    ]:
        response = shared_stack.post("/api/tasks", data=body, headers={**headers, "Content-Type": "application/json"})
        assert response.status_code == 400, body
        assert response.json()["error"] == {"code": code, "message": message}, body
    blank = shared_stack.post("/api/tasks", json={"title": " \u3000 "}, headers=headers)
    assert blank.json()["error"]["fields"] == {"title": "must not be only whitespace"}
