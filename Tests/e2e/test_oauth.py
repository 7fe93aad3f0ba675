"""OAuth 2.1 for /api/mcp end to end (docs/oauth.md), through nginx to the real pool and PostgreSQL: the official MCP
Python SDK's OAuth client drives discovery, registration (or a client metadata document), authorization in Debian's
headless Chromium (sign-in and the consent page), the callback, the token exchange, refresh and step-up; plain HTTP
checks the refusals the SDK never provokes, and that bad input on every OAuth endpoint is answered in the OAuth
error shape with nothing stored."""

import asyncio
import http.server
import json
import queue
import re
import ssl
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest
from mcp import Client
from mcp.client.auth import OAuthClientProvider, OAuthFlowError
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken
from playwright.async_api import async_playwright

from api import (PASSWORD, REDIRECT_URI, authorization_code, authorization_query, bearer, consent_request_id,
                 exchange_code, mcp_grant, query_of, register_client, signed_up)
from stack import Stack, create_database, psql, wait_until

# Grants' access tokens expire after 2 s, with no leeway, so the SDK's refresh is seen within a test; the
# metadata-document host below is the only private address the fetch may reach.
DOCUMENT_HOST = "127.0.0.2"
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
ACCESS_TOKEN_SECONDS = 2
CHROMIUM = "/usr/lib/chromium/chromium-headless-shell"
OAUTH_TABLES = ["oauth_clients", "oauth_authorization_requests", "oauth_authorization_codes", "sessions"]


# The stack, a metadata-document host, a loopback callback ------------------------------------------------------

class DocumentHost:
    """An HTTPS server on `host` serving JSON documents by path, counting every request it gets."""

    def __init__(self, directory: Path, host: str):
        self.certificate, key = directory / "cert.pem", directory / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "2", "-subj", f"/CN={host}", "-addext", f"subjectAltName=IP:{host}",
                        "-keyout", str(key), "-out", str(self.certificate)], check=True, capture_output=True)
        self.documents: dict[str, bytes] = {}
        self.requests: list[str] = []
        host_self = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                host_self.requests.append(self.path)
                body = host_self.documents.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "max-age=600")
                self.end_headers()
                self.wfile.write(body or b"{}")

            def log_message(self, *arguments):
                pass

        self.server = http.server.ThreadingHTTPServer((host, 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certificate, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.origin = f"https://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve(self, path: str, document: dict) -> str:
        self.documents[path] = json.dumps(document).encode()
        return self.origin + path

    def stop(self):
        self.server.shutdown()


class Callback:
    """The loopback redirect URI of a native client (RFC 8252): records the query of each request to it."""

    def __init__(self):
        self.queries: queue.Queue[dict[str, str]] = queue.Queue()
        callback = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                callback.queries.put(query_of(self.path))
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"You can close this window.")

            def log_message(self, *arguments):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, timeout=30) -> dict[str, str]:
        return self.queries.get(timeout=timeout)

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def document_host(tmp_path_factory):
    host = DocumentHost(tmp_path_factory.mktemp("documents"), DOCUMENT_HOST)
    yield host
    host.stop()


@pytest.fixture(scope="module")
def oauth_stack(tmp_path_factory, admin_database_url, document_host):
    stack = Stack(tmp_path_factory.mktemp("oauth"), create_database(admin_database_url), {
        "OAUTH_ACCESS_TOKEN_TTL_SECONDS": str(ACCESS_TOKEN_SECONDS), "JWT_LEEWAY_SECONDS": "0",
        "OAUTH_METADATA_ALLOWED_ADDRESSES": f"{DOCUMENT_HOST}/32",
        "OAUTH_METADATA_CA_FILE": str(document_host.certificate),
    }).start()
    yield stack
    stack.stop()


def rows(stack) -> dict[str, int]:
    return {table: int(psql(stack.database_url, f"SELECT count(*) FROM {table}")) for table in OAUTH_TABLES}


def mcp_call(stack, token, method="tools/call", params=None):
    return stack.post("/api/mcp", headers={**JSON_HEADERS, **bearer(token)},
                      json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}})


# The official SDK, with Chromium as the person's browser ------------------------------------------------------

class MemoryStorage:
    """The SDK's TokenStorage, in memory; `seed` starts it with tokens a client already holds."""

    def __init__(self, tokens: OAuthToken | None = None, client_info: OAuthClientInformationFull | None = None):
        self.tokens, self.client_info = tokens, client_info
        # When the SDK stored each token it got, by its own clock, from which it counts `expires_in`.
        self.stored_at: list[float] = []

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens
        self.stored_at.append(time.time())

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info):
        self.client_info = client_info


def run_sdk(stack, email, session, storage=None, client_metadata_url=None, tamper_state=False, decision="Allow",
            callbacks=None, consent_pages=None):
    """Connects the SDK's OAuth client to /api/mcp and runs `session(client, storage)`; every authorization it
    starts is opened in Chromium, where `email` signs in (when not yet) and `decision` is clicked. Returns what
    `session` returns and the pages' URLs after each decision; `callbacks` collects the query of every redirect
    to the client, `consent_pages` what each consent page showed (client name, where it sends back, scopes,
    who is signed in)."""
    storage = storage or MemoryStorage()
    callback = Callback()
    decided_at: list[str] = []
    callbacks = [] if callbacks is None else callbacks
    consent_pages = [] if consent_pages is None else consent_pages

    async def main():
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM)
            context = await browser.new_context(ignore_https_errors=True)
            page = await context.new_page()

            async def redirect_handler(url):
                await page.goto(url)
                # The consent page sends a person who is not signed in to /login, which brings them back.
                sign_in = page.get_by_role("button", name="Sign in")
                choice = page.get_by_role("button", name=decision, exact=True)
                await sign_in.or_(choice).first.wait_for()
                if await sign_in.is_visible():
                    await page.get_by_label("Email").fill(email)
                    await page.get_by_label("Password").fill(PASSWORD)
                    await sign_in.click()
                await choice.wait_for()
                consent_pages.append({
                    "client": await page.locator("#client-name").inner_text(),
                    "redirect_host": await page.locator("#client-redirect-host").inner_text(),
                    "scopes": await page.locator("#consent-scopes li.scope .scope-name").all_inner_texts(),
                    "email": await page.locator("#consent-email").inner_text()})
                await choice.click()
                await page.wait_for_url(lambda url: not url.startswith(stack.url("/consent")))
                decided_at.append(page.url)

            async def callback_handler():
                query = await asyncio.to_thread(callback.wait)
                callbacks.append(dict(query))
                if tamper_state:
                    query["state"] = query.get("state", "") + "tampered"
                return AuthorizationCodeResult(
                    code=query.get("code", ""), state=query.get("state"), iss=query.get("iss"))

            provider = OAuthClientProvider(
                server_url=stack.url("/api/mcp"),
                client_metadata=OAuthClientMetadata(
                    client_name="SDK test client", redirect_uris=[callback.url],
                    grant_types=["authorization_code", "refresh_token"], response_types=["code"],
                    token_endpoint_auth_method="none"),
                storage=storage, redirect_handler=redirect_handler, callback_handler=callback_handler,
                client_metadata_url=client_metadata_url)
            try:
                verify = ssl.create_default_context(cafile=str(stack.certificate))
                async with httpx2.AsyncClient(auth=provider, verify=verify, trust_env=False, timeout=30) as http:
                    transport = streamable_http_client(stack.url("/api/mcp"), http_client=http,
                                                       terminate_on_close=False)
                    async with Client(transport) as client:
                        return await session(client, storage)
            finally:
                await browser.close()

    try:
        # A thread of its own: pytest-playwright's sync API (test_browser.py) keeps an event loop in the main one.
        with ThreadPoolExecutor(max_workers=1) as executor:
            return executor.submit(asyncio.run, main()).result(), decided_at
    finally:
        callback.stop()


def structured(result):
    assert not result.is_error, result
    return result.structured_content


def tasks_of(stack, browser_token):
    response = stack.get("/api/tasks", headers=bearer(browser_token))
    assert response.status_code == 200
    return {task["title"]: task for task in response.json()["tasks"]}


def test_the_sdk_connects_through_discovery_registration_consent_and_refresh(oauth_stack):
    email, browser_token, _ = signed_up(oauth_stack)
    _, stranger_token, _ = signed_up(oauth_stack)

    async def session(client, storage):
        tools = {tool.name for tool in (await client.list_tools()).tools}
        assert tools == {"add_task", "list_tasks", "complete_task", "update_task", "delete_task"}
        kept = structured(await client.call_tool("add_task", {"title": "Water the plants"}))["task"]
        gone = structured(await client.call_tool("add_task", {"title": "Call the bank"}))["task"]
        structured(await client.call_tool("update_task", {"task_id": kept["id"], "title": "Water the ferns"}))
        structured(await client.call_tool("complete_task", {"task_id": kept["id"]}))
        structured(await client.call_tool("delete_task", {"task_id": gone["id"]}))
        first = storage.tokens
        # Once the server refuses the access token and the SDK's own count of its expires_in has run out too (the
        # server's exp is in whole seconds, so it may come first), the SDK refreshes before the next call.
        sdk_expiry = storage.stored_at[-1] + ACCESS_TOKEN_SECONDS
        expired = await asyncio.to_thread(wait_until, lambda: time.time() > sdk_expiry and mcp_call(
            oauth_stack, first.access_token, "ping").status_code == 401, 10)
        assert expired
        listed = structured(await client.call_tool("list_tasks", {}))
        return first, storage.tokens, listed

    consent_pages = []
    (first, refreshed, listed), decided_at = run_sdk(oauth_stack, email, session, consent_pages=consent_pages)
    assert len(decided_at) == 1 and decided_at[0].startswith("http://127.0.0.1:")
    host = decided_at[0].removeprefix("http://").split("/")[0]
    assert consent_pages == [{"client": "SDK test client", "redirect_host": host,
                              "scopes": ["tasks:read", "tasks:write"], "email": email}]
    assert first.scope == "tasks:read tasks:write"
    assert refreshed.access_token != first.access_token and refreshed.refresh_token != first.refresh_token
    assert [task["title"] for task in listed["tasks"]] == ["Water the ferns"]
    assert listed["tasks"][0]["completed"] is True

    # What the client did is the person's, in the REST API, and nobody else's.
    assert tasks_of(oauth_stack, browser_token).keys() == {"Water the ferns"}
    assert tasks_of(oauth_stack, stranger_token) == {}
    apps = oauth_stack.get("/api/auth/apps", headers=bearer(browser_token)).json()["apps"]
    assert [(app["name"], app["scopes"]) for app in apps] == [("SDK test client", ["tasks:read", "tasks:write"])]


def test_the_account_page_lists_a_connected_app_and_revokes_it(oauth_stack):
    email, browser_token, _ = signed_up(oauth_stack)
    grant = mcp_grant(oauth_stack, browser_token, scope="tasks:read")

    async def main():
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM)
            page = await (await browser.new_context(ignore_https_errors=True)).new_page()
            try:
                await page.goto(oauth_stack.url("/account"))
                await page.get_by_label("Email").fill(email)
                await page.get_by_label("Password").fill(PASSWORD)
                await page.get_by_role("button", name="Sign in").click()
                app = page.locator("#app-list li.app")
                await app.first.wait_for()
                shown = (await app.count(), await app.locator(".app-name").inner_text(),
                         await app.locator(".app-scopes").inner_text())
                await page.get_by_role("button", name=re.compile("^Revoke Test client")).click()
                await page.locator("#app-list li.none").wait_for()
                return shown, await page.locator("#app-list li.none").inner_text()
            finally:
                await browser.close()

    with ThreadPoolExecutor(max_workers=1) as executor:
        shown, empty = executor.submit(asyncio.run, main()).result()
    assert shown == (1, "Test client", "See your tasks")
    assert empty == "No app has access to your account."
    assert mcp_call(oauth_stack, grant["access_token"], "ping").status_code == 401


def test_a_read_only_grant_cannot_delete_and_the_sdk_steps_up(oauth_stack):
    email, browser_token, _ = signed_up(oauth_stack)
    task = oauth_stack.post("/api/tasks", headers=bearer(browser_token), json={"title": "Old task"}).json()
    read_only = mcp_grant(oauth_stack, browser_token, scope="tasks:read")
    assert read_only["scope"] == "tasks:read"
    assert mcp_call(oauth_stack, read_only["access_token"], params={"name": "list_tasks", "arguments": {}}) \
        .status_code == 200
    refused = mcp_call(oauth_stack, read_only["access_token"],
                       params={"name": "delete_task", "arguments": {"task_id": task["id"]}})
    assert refused.status_code == 403
    metadata = oauth_stack.url("/.well-known/oauth-protected-resource/api/mcp")
    assert refused.headers["WWW-Authenticate"] == (
        f'Bearer error="insufficient_scope", scope="tasks:write", resource_metadata="{metadata}"')
    assert refused.json()["error"]["code"] == "insufficient_scope"
    assert tasks_of(oauth_stack, browser_token).keys() == {"Old task"}

    # The SDK holding that read-only grant asks the person for more when the server says so, then retries.
    storage = MemoryStorage(
        OAuthToken(access_token=read_only["access_token"], token_type="Bearer", expires_in=ACCESS_TOKEN_SECONDS,
                   refresh_token=read_only["refresh_token"], scope="tasks:read"),
        OAuthClientInformationFull(client_id=read_only["client_id"], redirect_uris=[REDIRECT_URI],
                                   token_endpoint_auth_method="none"))

    async def session(client, storage):
        structured(await client.call_tool("delete_task", {"task_id": task["id"]}))
        return storage.tokens.scope

    scope, decided_at = run_sdk(oauth_stack, email, session, storage=storage)
    assert len(decided_at) == 1
    assert set(scope.split()) == {"tasks:read", "tasks:write"}
    assert tasks_of(oauth_stack, browser_token) == {}


def test_a_metadata_document_client_connects_without_registering(oauth_stack, document_host):
    email, browser_token, _ = signed_up(oauth_stack)
    before = int(psql(oauth_stack.database_url, "SELECT count(*) FROM oauth_clients WHERE kind = 'registered'"))
    url = document_host.origin + "/sdk-client.json"

    async def session(client, storage):
        structured(await client.call_tool("add_task", {"title": "From a document client"}))
        return storage.client_info.client_id

    # The SDK's own redirect URI is a loopback port chosen now; the document lists the same host and path.
    callback_probe = Callback()
    callback_probe.stop()
    document_host.serve("/sdk-client.json", {
        "client_id": url, "client_name": "Document client", "redirect_uris": [callback_probe.url],
        "token_endpoint_auth_method": "none", "grant_types": ["authorization_code", "refresh_token"],
    })
    client_id, _ = run_sdk(oauth_stack, email, session, client_metadata_url=url)
    assert client_id == url
    assert tasks_of(oauth_stack, browser_token).keys() == {"From a document client"}
    assert int(psql(oauth_stack.database_url, "SELECT count(*) FROM oauth_clients WHERE kind = 'registered'")) \
        == before
    assert psql(oauth_stack.database_url, f"SELECT client_name FROM oauth_clients WHERE client_id = '{url}'") \
        == "Document client"


def flow_errors(error: BaseException) -> list[str]:
    """The messages of every OAuthFlowError inside `error`, however deep the SDK's task groups nest it."""
    if isinstance(error, BaseExceptionGroup):
        return [message for inner in error.exceptions for message in flow_errors(inner)]
    return [str(error)] if isinstance(error, OAuthFlowError) else flow_errors(error.__cause__) if error.__cause__ else []


def grants_of(stack, email) -> int:
    return int(psql(stack.database_url, "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                                        f"WHERE u.email = '{email}' AND s.oauth_client_id IS NOT NULL"))


def test_the_sdk_refuses_a_tampered_state_and_gets_no_tokens(oauth_stack):
    email, _, _ = signed_up(oauth_stack)

    async def session(client, storage):
        await client.list_tools()

    with pytest.raises(BaseException) as raised:
        run_sdk(oauth_stack, email, session, tamper_state=True)
    assert any(message.startswith("State parameter mismatch") for message in flow_errors(raised.value))
    assert grants_of(oauth_stack, email) == 0


def test_denying_sends_access_denied_to_the_client(oauth_stack):
    email, _, _ = signed_up(oauth_stack)
    callbacks = []

    async def session(client, storage):
        await client.list_tools()

    with pytest.raises(BaseException) as raised:
        run_sdk(oauth_stack, email, session, decision="Deny", callbacks=callbacks)
    assert flow_errors(raised.value) == ["No authorization code received"]
    assert len(callbacks) == 1 and callbacks[0]["error"] == "access_denied"
    assert callbacks[0]["iss"] == oauth_stack.url("") and "state" in callbacks[0] and "code" not in callbacks[0]
    assert grants_of(oauth_stack, email) == 0


# Plain HTTP: what the SDK never provokes ------------------------------------------------------------------------

def test_discovery_documents_name_one_issuer_and_answer_any_origin(oauth_stack):
    issuer = oauth_stack.url("")
    for path in ["/.well-known/oauth-protected-resource/api/mcp", "/.well-known/oauth-protected-resource"]:
        response = oauth_stack.get(path, headers={"Origin": "https://elsewhere.example"})
        assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.json() == {
            "resource": oauth_stack.url("/api/mcp"), "authorization_servers": [issuer],
            "scopes_supported": ["tasks:read", "tasks:write"], "bearer_methods_supported": ["header"],
            "resource_name": "Todo chatbot tasks"}
    metadata = oauth_stack.get("/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == issuer and not issuer.endswith("/")
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["token_endpoint_auth_methods_supported"] == ["none"]
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert metadata["client_id_metadata_document_supported"] is True
    for name in ["authorization_endpoint", "token_endpoint", "registration_endpoint", "revocation_endpoint"]:
        assert metadata[name].startswith(issuer + "/api/oauth/")
    preflight = oauth_stack.request("OPTIONS", "/api/oauth/token", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    # Nothing else is widened: the rest of the API names no origin.
    assert "Access-Control-Allow-Origin" not in oauth_stack.get("/api/health").headers
    assert "Access-Control-Allow-Origin" not in mcp_call(oauth_stack, "x", "ping").headers


def test_tokens_of_one_audience_are_refused_by_the_other(oauth_stack):
    _, browser_token, _ = signed_up(oauth_stack)
    grant = mcp_grant(oauth_stack, browser_token)
    assert mcp_call(oauth_stack, browser_token, "ping").status_code == 401
    assert mcp_call(oauth_stack, grant["access_token"], "ping").status_code == 200
    for path in ["/api/tasks", "/api/auth/me", "/api/auth/apps"]:
        assert oauth_stack.get(path, headers=bearer(grant["access_token"])).status_code == 401, path
    # A grant's refresh token is no browser session's either.
    assert oauth_stack.post("/api/auth/refresh", headers={
        "Content-Type": "application/json", "Cookie": f"refresh_token={grant['refresh_token']}"}).status_code == 401


def test_a_revoked_app_stops_at_once(oauth_stack):
    _, browser_token, _ = signed_up(oauth_stack)
    grant = mcp_grant(oauth_stack, browser_token)
    apps = oauth_stack.get("/api/auth/apps", headers=bearer(browser_token)).json()["apps"]
    assert [app["client_id"] for app in apps] == [grant["client_id"]]
    _, stranger_token, _ = signed_up(oauth_stack)
    assert oauth_stack.request("DELETE", f"/api/auth/apps/{apps[0]['id']}",
                               headers=bearer(stranger_token)).status_code == 404
    assert mcp_call(oauth_stack, grant["access_token"], "ping").status_code == 200

    assert oauth_stack.request("DELETE", f"/api/auth/apps/{apps[0]['id']}",
                               headers=bearer(browser_token)).status_code == 204
    assert mcp_call(oauth_stack, grant["access_token"], "ping").status_code == 401
    refreshed = oauth_stack.post("/api/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": grant["refresh_token"], "client_id": grant["client_id"]})
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
    assert oauth_stack.get("/api/auth/apps", headers=bearer(browser_token)).json()["apps"] == []


def test_rfc7009_revocation_always_answers_200_and_ends_the_grant(oauth_stack):
    _, browser_token, _ = signed_up(oauth_stack)
    grant = mcp_grant(oauth_stack, browser_token)
    for token in ["not-a-token", grant["access_token"]]:
        response = oauth_stack.post("/api/oauth/revoke", data={"token": token, "client_id": grant["client_id"]})
        assert response.status_code == 200 and response.content == b""
    assert mcp_call(oauth_stack, grant["access_token"], "ping").status_code == 401


def test_a_replayed_code_is_refused_and_revokes_its_tokens(oauth_stack):
    _, browser_token, _ = signed_up(oauth_stack)
    client_id = register_client(oauth_stack)
    code = authorization_code(oauth_stack, client_id, browser_token)["code"]
    first = exchange_code(oauth_stack, client_id, code)
    assert first.status_code == 200
    again = exchange_code(oauth_stack, client_id, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert mcp_call(oauth_stack, first.json()["access_token"], "ping").status_code == 401


@pytest.mark.parametrize("change, error", [
    ({"verifier": "a" * 43}, "invalid_grant"),
    ({"redirect_uri": "http://127.0.0.1:33418/elsewhere"}, "invalid_grant"),
    ({"resource": "https://elsewhere.example/api/mcp"}, "invalid_target"),
])
def test_a_code_is_refused_with_the_wrong_verifier_redirect_or_resource(oauth_stack, change, error):
    _, browser_token, _ = signed_up(oauth_stack)
    client_id = register_client(oauth_stack)
    parameters = authorization_code(oauth_stack, client_id, browser_token)
    assert parameters["state"] == "xyz" and parameters["iss"] == oauth_stack.url("")
    response = exchange_code(oauth_stack, client_id, parameters["code"], **change)
    assert response.status_code == 400 and response.json()["error"] == error
    assert response.headers["Cache-Control"] == "no-store"


def test_authorization_errors_go_to_the_client_only_once_it_is_known(oauth_stack):
    client_id = register_client(oauth_stack)
    for query, error in [
        (authorization_query(oauth_stack, "mcp_nobody"), "invalid_client"),
        (authorization_query(oauth_stack, client_id, redirect_uri="https://evil.example/cb"), "invalid_request"),
    ]:
        response = oauth_stack.get("/api/oauth/authorize", params=query, allow_redirects=False)
        location = response.headers["Location"]
        assert response.status_code == 302 and location.startswith(oauth_stack.url("/consent?error="))
        assert query_of(location)["error"] == error
    for override, error in [({"resource": oauth_stack.url("/api/tasks")}, "invalid_target"),
                            ({"code_challenge_method": "plain"}, "invalid_request"),
                            ({"scope": "tasks:read admin"}, "invalid_scope")]:
        response = oauth_stack.get("/api/oauth/authorize", params=authorization_query(
            oauth_stack, client_id, **override), allow_redirects=False)
        redirected = query_of(response.headers["Location"])
        assert response.headers["Location"].startswith(REDIRECT_URI + "?")
        assert redirected["error"] == error and redirected["state"] == "xyz"
        assert redirected["iss"] == oauth_stack.url("")


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "localhost"])
def test_metadata_documents_on_private_addresses_are_never_fetched(oauth_stack, document_host, address):
    requests_before = len(document_host.requests)
    port = document_host.server.server_address[1]
    url = f"https://{address}:{port}/private-client.json"
    document_host.serve("/private-client.json", {"client_id": url, "redirect_uris": [REDIRECT_URI]})
    response = oauth_stack.get("/api/oauth/authorize", params=authorization_query(oauth_stack, url),
                               allow_redirects=False, timeout=30)
    refused = query_of(response.headers["Location"])
    assert refused["error"] == "invalid_client"
    assert "private or local address" in refused["error_description"]
    assert len(document_host.requests) == requests_before
    assert psql(oauth_stack.database_url, f"SELECT count(*) FROM oauth_clients WHERE client_id = '{url}'") == "0"


# Bad input on every OAuth endpoint ------------------------------------------------------------------------------

HUGE = "x" * 200_000
BAD_REGISTRATIONS = [
    {"data": b"not json", "headers": {"Content-Type": "application/json"}},
    {"data": b"[]", "headers": {"Content-Type": "application/json"}},
    {"data": b'{"redirect_uris": ["https://a.example/\xff"]}', "headers": {"Content-Type": "application/json"}},
    {"data": b'{"redirect_uris": ["https://a.example/cb"], "redirect_uris": ["https://b.example/cb"]}',
     "headers": {"Content-Type": "application/json"}},
    {"data": b"redirect_uris=https://a.example/cb", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    {"json": {"redirect_uris": ["https://a.example/cb"], "client_name": HUGE}},
    {"json": {"redirect_uris": ["https://a.example/" + HUGE]}},
    {"json": {"redirect_uris": [7]}},
    {"json": {"redirect_uris": ["https://a.example/cb"] * 11}},
    {"json": {"client_name": "no redirect"}},
    {"json": {"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "private_key_jwt"}},
]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BAD_TOKEN_REQUESTS = [
    {"json": {"grant_type": "authorization_code"}},
    {"data": b"grant_type=authorization_code&code=%FF%FE&client_id=x", "headers": FORM},
    {"data": b"grant_type=refresh_token&grant_type=authorization_code", "headers": FORM},
    {"data": b"grant_type=password&username=a&password=b", "headers": FORM},
    {"data": b"", "headers": FORM},
    {"data": b"grant_type=authorization_code&code=%zz", "headers": FORM},
    {"data": {"grant_type": "authorization_code", "code": HUGE, "client_id": HUGE, "redirect_uri": HUGE,
              "code_verifier": HUGE}},
    {"data": {"grant_type": "refresh_token", "refresh_token": HUGE, "client_id": "mcp_nobody"}},
    {"data": {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}},
]
BAD_REVOCATIONS = [
    {"json": {"token": "x"}},
    {"data": b"token=%FF&client_id=x", "headers": FORM},
    {"data": b"token=a&token=b&client_id=x", "headers": FORM},
    {"data": b"client_id=x", "headers": FORM},
    {"data": {"token": HUGE, "client_id": "mcp_nobody"}},
]


@pytest.mark.parametrize("path, cases", [("/api/oauth/register", BAD_REGISTRATIONS),
                                         ("/api/oauth/token", BAD_TOKEN_REQUESTS),
                                         ("/api/oauth/revoke", BAD_REVOCATIONS)])
def test_bad_input_gets_the_oauth_error_shape_and_stores_nothing(oauth_stack, path, cases):
    before = rows(oauth_stack)
    for arguments in cases:
        response = oauth_stack.post(path, **arguments)
        assert 400 <= response.status_code < 500, (arguments, response.status_code, response.text[:200])
        body = response.json()
        assert set(body) == {"error", "error_description"}, body
        assert isinstance(body["error"], str) and isinstance(body["error_description"], str)
        assert HUGE not in response.text
    assert rows(oauth_stack) == before


def test_bad_authorization_requests_are_refused_without_storing_one(oauth_stack):
    client_id = register_client(oauth_stack)
    before = rows(oauth_stack)
    good = authorization_query(oauth_stack, client_id)
    for raw in [
        "client_id=%FF%FE", f"client_id={client_id}&client_id={client_id}", "",
        "&".join(f"{name}={value}" for name, value in good.items()) + "&state=%FF",
        "&".join(f"{name}={value}" for name, value in good.items()) + "&code_challenge=" + "c" * 3000,
    ]:
        response = oauth_stack.get("/api/oauth/authorize?" + raw, allow_redirects=False)
        assert response.status_code == 302, raw
        assert "error" in query_of(response.headers["Location"]), raw
    assert rows(oauth_stack) == before
    # The one good request is stored, for its consent page.
    consent_request_id(oauth_stack, client_id)
    assert rows(oauth_stack)["oauth_authorization_requests"] == before["oauth_authorization_requests"] + 1


def test_the_workers_stayed_up(oauth_stack):
    """Nothing above crashed a worker: every pid that served the first request still serves."""
    assert oauth_stack.get("/api/health").status_code == 200
    assert not [line for line in oauth_stack.log_lines() if line.get("level") == "error"]
