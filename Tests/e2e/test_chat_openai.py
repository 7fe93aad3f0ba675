"""The OpenAI-compatible chat provider end to end: the pool calls a fake Chat Completions server that the test runs
on loopback, runs the scripted tool call against the real task list, and stores everything. Provider failures
(5xx, garbage, silence beyond the timeout) give the friendly reply, keep the user's message, log an error, and the
API key never reaches the log."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from api import bearer, signed_up
from stack import Stack, create_database

API_KEY = "sk-e2e-fake-0123456789abcdefghij"
FRIENDLY = "Sorry, I could not reach the assistant just now; your message is saved."
TIMEOUT_SECONDS = 2


class FakeProvider:
    """A Chat Completions server on 127.0.0.1: answers each POST with the next scripted reply and keeps what it got.

    A reply is (status, body) where body is a dict (sent as JSON) or bytes (sent as is), or ("sleep", seconds)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.replies: list = []
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                with provider.lock:
                    provider.requests.append({"path": self.path, "headers": dict(self.headers),
                                              "body": json.loads(raw or b"null")})
                    reply = provider.replies.pop(0) if provider.replies else (500, {"error": {"code": "unscripted"}})
                if reply[0] == "redirect":
                    self.send_response(307)
                    self.send_header("Location", f"http://127.0.0.1:{provider.port}/stolen")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if reply[0] == "sleep":
                    time.sleep(reply[1])
                    reply = (200, text_reply("too late"))
                status, body = reply
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the pool gave up waiting, as it should

            def log_message(self, *arguments):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def script(self, *replies):
        with self.lock:
            self.requests.clear()
            self.replies = list(replies)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exception):
        self.server.shutdown()
        self.server.server_close()


def text_reply(text):
    return {"id": "chatcmpl-1", "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}


def tool_call_reply(call_id, name, arguments):
    message = {"role": "assistant", "content": None,
               "tool_calls": [{"id": call_id, "type": "function",
                               "function": {"name": name, "arguments": json.dumps(arguments)}}]}
    return {"id": "chatcmpl-0", "object": "chat.completion",
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}]}


@pytest.fixture(scope="module")
def provider():
    with FakeProvider() as fake:
        yield fake


@pytest.fixture(scope="module")
def openai_stack(tmp_path_factory, admin_database_url, provider):
    stack = Stack(tmp_path_factory.mktemp("openai"), create_database(admin_database_url), {
        "OPENAI_API_KEY": API_KEY,
        "OPENAI_BASE_URL": f"http://127.0.0.1:{provider.port}/v1",
        "OPENAI_MODEL": "fake-model",
        "OPENAI_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
    }).start()
    yield stack
    stack.stop()
    assert API_KEY not in stack.pool_log.read_text(), "the API key must never be logged"


def signed_in(stack):
    _, token, _ = signed_up(stack)
    return bearer(token)


def chat(stack, headers, message):
    response = stack.post("/api/chat", json={"message": message}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def messages(stack, headers, conversation_id):
    response = stack.get(f"/api/conversations/{conversation_id}/messages", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def test_scripted_tool_call_adds_the_task_and_the_model_answers(openai_stack, provider):
    me = signed_in(openai_stack)
    provider.script((200, tool_call_reply("call_1", "add_task", {"title": "buy milk"})),
                    (200, text_reply("Added task 1: buy milk.")))

    reply = chat(openai_stack, me, "please add buy milk")

    [task] = openai_stack.get("/api/tasks", headers=me).json()["tasks"]
    assert task["title"] == "buy milk" and not task["completed"]
    assert reply["response"] == "Added task 1: buy milk."
    assert reply["tool_calls"] == [{"name": "add_task", "arguments": {"title": "buy milk"}, "result": {"task": task}}]

    first, second = provider.requests
    for request in (first, second):
        assert request["path"] == "/v1/chat/completions"
        assert request["headers"]["Authorization"] == f"Bearer {API_KEY}"
        assert request["body"]["model"] == "fake-model"
        assert [tool["function"]["name"] for tool in request["body"]["tools"]] == [
            "add_task", "list_tasks", "complete_task", "update_task", "delete_task"]
        assert all(tool["type"] == "function" and tool["function"]["parameters"]["type"] == "object"
                   for tool in request["body"]["tools"])
    assert [m["role"] for m in first["body"]["messages"]] == ["system", "user"]
    assert first["body"]["messages"][-1]["content"] == "please add buy milk"
    assert [m["role"] for m in second["body"]["messages"]] == ["system", "user", "assistant", "tool"]
    assert second["body"]["messages"][2]["tool_calls"][0]["id"] == "call_1"
    tool_message = second["body"]["messages"][3]
    assert tool_message["tool_call_id"] == "call_1"
    assert json.loads(tool_message["content"]) == {"task": task}

    stored = messages(openai_stack, me, reply["conversation_id"])
    assert [(m["role"], m["tool_name"]) for m in stored] == [("user", None), ("tool", "add_task"), ("assistant", None)]
    assert stored[0]["content"] == "please add buy milk"
    assert stored[1]["tool_result"] == {"task": task}
    assert stored[2]["content"] == "Added task 1: buy milk."

    # The next turn carries the conversation so far as user and assistant messages.
    provider.script((200, text_reply("You have one task.")))
    follow_up = openai_stack.post("/api/chat", headers=me, json={
        "message": "what do I have?", "conversation_id": reply["conversation_id"]}).json()
    assert follow_up["response"] == "You have one task."
    [request] = provider.requests
    assert [(m["role"], m.get("content")) for m in request["body"]["messages"][1:]] == [
        ("user", "please add buy milk"), ("assistant", "Added task 1: buy milk."), ("user", "what do I have?")]


@pytest.mark.parametrize("failure, logged", [
    pytest.param([(500, {"error": {"message": "boom", "code": "server_error"}})], "HTTP 500 (server_error)",
                 id="http-500"),
    pytest.param([(200, b"{this is not json")], "malformed", id="garbage-json"),
    pytest.param([(200, {"id": "x", "object": "chat.completion"})], "no choices", id="no-choices"),
    pytest.param([("sleep", TIMEOUT_SECONDS + 2)], f"did not answer within {TIMEOUT_SECONDS} s", id="never-answers"),
    pytest.param([("redirect", None)], "HTTP 307", id="redirect-not-followed"),
    pytest.param([(200, tool_call_reply("call_1", "add_task", {"title": "saved before the failure"})),
                  (503, {"error": {"message": f"overloaded, key {API_KEY}"}})], "HTTP 503",
                 id="fails-after-a-tool-call"),
])
def test_provider_failure_gives_the_friendly_reply_and_keeps_the_message(openai_stack, provider, failure, logged):
    me = signed_in(openai_stack)
    provider.script(*failure)
    message = f"please add something ({len(failure)})"

    reply = chat(openai_stack, me, message)

    assert reply["response"] == FRIENDLY
    stored = messages(openai_stack, me, reply["conversation_id"])
    assert stored[0]["role"] == "user" and stored[0]["content"] == message
    assert stored[-1]["role"] == "assistant" and stored[-1]["content"] == FRIENDLY
    # A tool call made before the failure happened, so it is returned and stored like any other.
    made = [call["name"] for call in reply["tool_calls"]]
    assert [m["tool_name"] for m in stored if m["role"] == "tool"] == made
    assert made == (["add_task"] if len(failure) == 2 else [])
    titles = [task["title"] for task in openai_stack.get("/api/tasks", headers=me).json()["tasks"]]
    assert titles == (["saved before the failure"] if len(failure) == 2 else [])

    line = openai_stack.wait_for_log(lambda line: line.get("message") == "chat agent failed"
                                     and line.get("conversation_id") == reply["conversation_id"])
    assert line.get("level") == "error", line
    assert "chat provider" in line.get("error", "") and logged in line["error"], line
    assert API_KEY not in json.dumps(line)
    assert API_KEY not in openai_stack.pool_log.read_text()
    # The key goes only to the configured endpoint: a redirect is not followed with the Authorization header.
    assert all(request["path"] == "/v1/chat/completions" for request in provider.requests), provider.requests


def test_plain_http_to_a_remote_provider_is_refused_at_start_up(tmp_path, admin_database_url):
    stack = Stack(tmp_path, create_database(admin_database_url), {
        "OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": "http://api.example.com/v1"})
    with pytest.raises(RuntimeError, match="OPENAI_BASE_URL"):
        stack.start()
    stack.stop()
    assert API_KEY not in stack.pool_log.read_text()
