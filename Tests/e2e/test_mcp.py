"""POST /api/mcp through nginx with the official MCP Python SDK (an independent client), plus raw HTTP checks of
what the SDK never sends: GET, an unsupported MCP-Protocol-Version, a bare notification, `server/discover`, and
JSON-RPC batches (accepted under revision 2025-03-26 only)."""

import asyncio
import json
import ssl
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest
from mcp import Client, MCPError
from mcp.client.streamable_http import streamable_http_client

from api import bearer, mcp_token, signed_up

TOOLS = {"add_task", "list_tasks", "complete_task", "update_task", "delete_task"}
# name: (title, read_only, destructive, idempotent, open_world), all given explicitly (MCP's defaults would call
# every tool destructive and open-world).
HINTS = {
    "add_task": ("Add task", False, False, False, False),
    "list_tasks": ("List tasks", True, False, True, False),
    "complete_task": ("Complete task", False, False, True, False),
    "update_task": ("Update task", False, True, True, False),
    "delete_task": ("Delete task", False, True, True, False),
}
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def run(stack, token, session, mode="auto"):
    """Runs `session(client)` in an MCP client session against the stack with `token` (None: no header)."""
    async def main():
        headers = bearer(token) if token is not None else {}
        async with httpx2.AsyncClient(headers=headers, verify=ssl.create_default_context(cafile=str(stack.certificate)), trust_env=False,
                                      timeout=30) as http:
            transport = streamable_http_client(stack.url("/api/mcp"), http_client=http, terminate_on_close=False)
            async with Client(transport, mode=mode) as client:
                return await session(client)
    # A thread of its own: pytest-playwright's sync API (test_browser.py, same session) keeps an event loop running
    # in the main thread, where asyncio.run() refuses to start another.
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, main()).result()


def result_json(result):
    assert not result.is_error, result
    assert result.content[0].type == "text"
    assert json.loads(result.content[0].text) == result.structured_content
    return result.structured_content


def error_text(result):
    assert result.is_error, result
    return result.content[0].text


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_scripted_session_calls_every_tool(shared_stack, mode):
    token = mcp_token(shared_stack, signed_up(shared_stack)[1])

    async def session(client):
        listed = await client.list_tools()
        assert {tool.name for tool in listed.tools} == TOOLS
        schemas = {tool.name: tool.input_schema for tool in listed.tools}
        assert schemas["complete_task"]["required"] == ["task_id"]

        added = result_json(await client.call_tool("add_task", {"title": "Buy milk", "description": "2 l"}))
        task_id = added["task"]["id"]
        assert added["task"]["title"] == "Buy milk"
        listed_tasks = result_json(await client.call_tool("list_tasks", {"status": "pending"}))
        assert [task["id"] for task in listed_tasks["tasks"]] == [task_id]
        updated = result_json(await client.call_tool("update_task", {"task_id": task_id, "title": "Buy oat milk"}))
        assert updated["task"]["title"] == "Buy oat milk"
        completed = result_json(await client.call_tool("complete_task", {"task_id": task_id}))
        assert completed["task"]["completed"] is True
        deleted = result_json(await client.call_tool("delete_task", {"task_id": task_id}))
        assert deleted["deleted"] is True
        assert result_json(await client.call_tool("list_tasks", {}))["tasks"] == []

        assert "title" in error_text(await client.call_tool("add_task", {"title": 7}))
        assert "title" in error_text(await client.call_tool("add_task", {}))
        assert "task_id" in error_text(await client.call_tool("complete_task", {"task_id": "one"}))
        assert error_text(await client.call_tool("delete_task", {"task_id": task_id})) == f"no task {task_id}"
        assert "fly" in error_text(await client.call_tool("fly", {}))

    run(shared_stack, token, session, mode)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_sdk_reads_every_tools_title_and_hints(shared_stack, mode):
    token = mcp_token(shared_stack, signed_up(shared_stack)[1])

    async def session(client):
        return (await client.list_tools()).tools

    tools = run(shared_stack, token, session, mode)
    assert {tool.name for tool in tools} == set(HINTS)
    for tool in tools:
        title, read_only, destructive, idempotent, open_world = HINTS[tool.name]
        hints = tool.annotations
        assert tool.title == title and hints.title == title, tool.name
        assert (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint, hints.open_world_hint) == (
            read_only, destructive, idempotent, open_world), tool.name


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_missing_or_bad_token_fails_the_connection(shared_stack, token):
    async def session(client):
        await client.list_tools()

    # The SDK reports the 401 as an MCPError inside the transport's task-group exception.
    with pytest.raises(BaseExceptionGroup) as raised:
        run(shared_stack, token, session, mode="legacy")
    assert raised.group_contains(MCPError)
    response = shared_stack.post("/api/mcp", headers={**JSON_HEADERS, **(bearer(token) if token else {})},
                                 json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert response.status_code == 401
    metadata = shared_stack.url("/.well-known/oauth-protected-resource/api/mcp")
    assert response.headers["WWW-Authenticate"] == "Bearer " + ('error="invalid_token", ' if token else "") + (
        f'resource_metadata="{metadata}", scope="tasks:read tasks:write"')
    assert response.json()["error"]["code"] == "unauthenticated"


def test_one_user_cannot_complete_or_delete_anothers_task(shared_stack):
    token_a = mcp_token(shared_stack, signed_up(shared_stack)[1])
    _, token_b, _ = signed_up(shared_stack)
    created = shared_stack.post("/api/tasks", headers=bearer(token_b), json={"title": "B's task"})
    assert created.status_code == 201
    before = created.json()
    task_id = before["id"]

    async def session(client):
        for tool in ("complete_task", "delete_task"):
            assert error_text(await client.call_tool(tool, {"task_id": task_id})) == f"no task {task_id}"
        assert error_text(await client.call_tool("update_task", {"task_id": task_id, "title": "mine"})) == (
            f"no task {task_id}")
        assert result_json(await client.call_tool("list_tasks", {}))["tasks"] == []

    run(shared_stack, token_a, session)
    after = shared_stack.get(f"/api/tasks/{task_id}", headers=bearer(token_b))
    assert after.status_code == 200 and after.json() == before


def test_raw_http(shared_stack):
    token = mcp_token(shared_stack, signed_up(shared_stack)[1])
    headers = {**JSON_HEADERS, **bearer(token)}

    get = shared_stack.get("/api/mcp", headers=bearer(token))
    assert get.status_code == 405 and get.headers["Allow"] == "POST"
    assert shared_stack.request("DELETE", "/api/mcp", headers=bearer(token)).status_code == 405

    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    unsupported = shared_stack.post("/api/mcp", headers={**headers, "MCP-Protocol-Version": "2099-01-01"}, json=ping)
    assert unsupported.status_code == 400
    assert unsupported.json()["error"]["code"] == "unsupported_protocol_version"
    supported = shared_stack.post("/api/mcp", headers={**headers, "MCP-Protocol-Version": "2025-06-18"}, json=ping)
    assert supported.status_code == 200 and supported.json() == {"jsonrpc": "2.0", "id": 1, "result": {}}

    notification = shared_stack.post("/api/mcp", headers=headers,
                                     json={"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert notification.status_code == 202 and notification.content == b""

    discover = shared_stack.post("/api/mcp", headers=headers,
                                 json={"jsonrpc": "2.0", "id": "d", "method": "server/discover", "params": {}})
    assert discover.status_code == 200
    assert discover.json()["id"] == "d" and discover.json()["error"]["code"] == -32601

    initialize = shared_stack.post("/api/mcp", headers=headers, json={
        "jsonrpc": "2.0", "id": 2, "method": "initialize",
        "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
    assert initialize.status_code == 200 and "Mcp-Session-Id" not in initialize.headers
    assert initialize.json()["result"]["protocolVersion"] == "2025-03-26"

    parse = shared_stack.post("/api/mcp", headers=headers, data=b"{")
    assert parse.status_code == 400 and parse.json()["error"]["code"] == -32700
    assert shared_stack.post("/api/mcp", headers={**headers, "Accept": "text/html"}, json=ping).status_code == 406
    assert shared_stack.post("/api/mcp", headers={**bearer(token), "Content-Type": "text/plain"},
                             data=json.dumps(ping)).status_code == 415


def post_batch(stack, token, members, version):
    """POSTs `members` as one JSON-RPC batch with `MCP-Protocol-Version: version` (no header when None)."""
    headers = {**JSON_HEADERS, **bearer(token), **({"MCP-Protocol-Version": version} if version else {})}
    return stack.post("/api/mcp", headers=headers, data=json.dumps(members))


def add_task_request(id, title):
    return {"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "add_task", "arguments": {"title": title}}}


@pytest.mark.parametrize("version", [None, "2025-03-26"])
def test_batch_under_2025_03_26_is_answered_in_order(shared_stack, version):
    _, browser_token, _ = signed_up(shared_stack)
    token = mcp_token(shared_stack, browser_token)
    mixed = post_batch(shared_stack, token, [
        add_task_request("z", "Buy milk"),
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "ping"},
        {"jsonrpc": "2.0", "id": 9, "result": {}},
        {"jsonrpc": "2.0", "id": "a", "method": "tools/call", "params": {"name": "list_tasks"}},
    ], version)
    assert mixed.status_code == 200 and mixed.headers["Content-Type"].startswith("application/json")
    replies = mixed.json()
    assert [reply["id"] for reply in replies] == ["z", 2, "a"]
    assert replies[0]["result"]["structuredContent"]["task"]["title"] == "Buy milk"
    assert replies[1] == {"jsonrpc": "2.0", "id": 2, "result": {}}
    assert [task["title"] for task in replies[2]["result"]["structuredContent"]["tasks"]] == ["Buy milk"]

    invalid = post_batch(shared_stack, token,
                         [5, {"id": 3, "method": "ping"}, {"jsonrpc": "2.0", "id": 4, "method": "ping"}], version)
    assert invalid.status_code == 200
    assert [(reply["id"], reply.get("error", {}).get("code")) for reply in invalid.json()] == [
        (None, -32600), (3, -32600), (4, None)]

    only_notifications = post_batch(shared_stack, token, [{"jsonrpc": "2.0", "method": "notifications/initialized"}],
                                    version)
    assert only_notifications.status_code == 202 and only_notifications.content == b""

    empty = post_batch(shared_stack, token, [], version)
    assert empty.status_code == 400
    assert empty.json()["id"] is None and empty.json()["error"]["code"] == -32600

    over = post_batch(shared_stack, token, [add_task_request(n, "one too many") for n in range(101)], version)
    assert over.status_code == 400 and over.json()["error"]["code"] == -32600
    assert [task["title"] for task in shared_stack.get("/api/tasks", headers=bearer(browser_token)).json()["tasks"]] == [
        "Buy milk"]


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25"])
def test_batch_is_refused_from_2025_06_18(shared_stack, version):
    _, browser_token, _ = signed_up(shared_stack)
    token = mcp_token(shared_stack, browser_token)
    for members in ([add_task_request(1, "Buy milk"), {"jsonrpc": "2.0", "id": 2, "method": "ping"}], []):
        refused = post_batch(shared_stack, token, members, version)
        assert refused.status_code == 400, members
        assert refused.json()["id"] is None and refused.json()["error"]["code"] == -32600, members
        assert "2025-03-26" in refused.json()["error"]["message"]
    assert shared_stack.get("/api/tasks", headers=bearer(browser_token)).json()["tasks"] == []
