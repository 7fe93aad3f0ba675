"""The OpenAPI document (openapi/openapi.json) against the real stack, so the two cannot drift apart.

Every response below is checked against the document: its status must be listed for the operation, its body must
validate against the documented schema (response objects say `additionalProperties: false`, so an extra or a
missing field fails), and its documented headers must be there and match. The reverse holds too: every path
answers 405 to the methods the document does not list, naming exactly the documented ones in `Allow`, and the
last test fails if a documented response was never provoked (except the few named there, which cannot be).
"""

import base64
import json
import os
import signal
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi_document
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from urllib3.util import SKIP_HEADER

from api import (PASSWORD, REDIRECT_URI, VERIFIER, authorization_code, authorization_query, bearer, login, mcp_grant,
                 query_of, refresh_cookie_value, register, register_client, signed_up, unique_email)
from stack import create_database, psql

REPOSITORY = Path(__file__).resolve().parents[2]
DOCUMENT_BYTES = (REPOSITORY / "openapi" / "openapi.json").read_bytes()
DOCUMENT = json.loads(DOCUMENT_BYTES)
# The whole document is one resource, so the schemas' own "#/components/schemas/…" references resolve inside it.
DOCUMENT_URI = "urn:todo-chatbot:openapi"
REGISTRY = Registry().with_resource(DOCUMENT_URI, Resource.from_contents(DOCUMENT, default_specification=DRAFT202012))
OPERATION_KEYS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# TRACE too: nginx refuses it itself, before any location, and passes the refusal to the pool for its Allow.
PROBED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
SAMPLE_ID = "00000000-0000-4000-8000-000000000000"
JSON_HEADERS = {"Content-Type": "application/json"}

# The answers nginx gives on any path under /api/ when it cannot get one from the pool; documented once as
# components, not on each operation.
ANY_PATH_RESPONSES = {"502": "BadGateway", "504": "GatewayTimeout"}

# The OAuth discovery documents (RFC 9728, RFC 8414), and the authorization server's own endpoints, which refuse in
# the OAuth shape (`OAuthError`) instead of the API's; all of them answer any origin (CORS).
DISCOVERY_PATHS = ["/.well-known/oauth-protected-resource/api/mcp", "/.well-known/oauth-protected-resource",
                   "/.well-known/oauth-authorization-server"]
OAUTH_ERROR_PATHS = ["/api/oauth/register", "/api/oauth/token", "/api/oauth/revoke"]

# (path template, method, status) of every response validated against its operation; read by the last test.
SEEN: set[tuple[str, str, int]] = set()

# Documented responses that these tests cannot provoke, and why.
NOT_PROVOKED = {
    ("/api/health", "GET", 500): "the handler turns every failure into its own 503",
    ("/api/openapi.json", "GET", 500): "the handler returns a constant",
    ("/api/openapi.json", "GET", 503): "the handler needs no database, and nginx's own 503 needs a limit an operator "
                                       "configures (a pool that is down is a 502)",
    ("/metrics", "GET", 403): "nginx refuses non-loopback clients: test_auth.py provokes it from 127.0.0.2",
    ("/metrics", "GET", 404): "the worker's own loopback check, behind nginx's, which lets only loopback through",
    ("/status", "GET", 403): "nginx's loopback rule, the same location as /metrics': test_auth.py provokes it there",
    ("/status", "GET", 404): "the worker's own loopback check, as for /metrics",
    ("/status", "GET", 500): "the page is built from shared memory alone; nothing in it can fail",
    **{(path, "GET", 500): "the handler builds the document from the configuration alone" for path in DISCOVERY_PATHS},
    **{(path, "GET", 503): "the handler needs no database, and nginx's own 503 needs a limit an operator configures"
       for path in DISCOVERY_PATHS},
}


# Reading the document

def pointer(*segments) -> str:
    """A JSON pointer (RFC 6901) to the given keys."""
    return "".join("/" + str(segment).replace("~", "~0").replace("/", "~1") for segment in segments)


def lookup(at: str):
    value = DOCUMENT
    for segment in at.split("/")[1:]:
        value = value[segment.replace("~1", "/").replace("~0", "~")]
    return value


def resolve(value: dict, at: str) -> tuple[dict, str]:
    """Follows OpenAPI `$ref`s (responses, headers, parameters); returns the object and its pointer."""
    while "$ref" in value:
        reference = value["$ref"]
        assert reference.startswith("#/"), f"only local references are expected: {reference}"
        at = reference[1:]
        value = lookup(at)
    return value, at


def validate(instance, at: str) -> None:
    """Validates `instance` against the schema at pointer `at`, with the document's `$ref`s and formats."""
    validator = Draft202012Validator({"$ref": DOCUMENT_URI + "#" + quote(at)}, registry=REGISTRY,
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = list(validator.iter_errors(instance))
    assert not errors, f"does not match {at}:\n" + "\n".join(
        f"  at {list(error.absolute_path)}: {error.message}" for error in errors) + f"\ninstance: {instance!r}"[:2000]


def operations():
    """(path template, METHOD) of every documented operation."""
    return [(path, method.upper()) for path, item in DOCUMENT["paths"].items() for method in item
            if method in OPERATION_KEYS]


def sample_parameters(template: str) -> dict[str, str]:
    """A well-formed value for every path parameter of `template`, read from its documented schema: a UUID where
    the schema says `format: uuid`, a whole number otherwise (task ids)."""
    values = {}
    for item in DOCUMENT["paths"][template].values():
        if not isinstance(item, dict):
            continue
        for parameter in item.get("parameters", []):
            parameter, _ = resolve(parameter, "")
            if parameter["in"] == "path":
                values[parameter["name"]] = SAMPLE_ID if parameter["schema"].get("format") == "uuid" else "1"
    return values


def concrete(template: str) -> str:
    return template.format(**sample_parameters(template))


# Checking responses

def check_against(response: requests.Response, spec: dict, at: str, head: bool = False):
    """Checks `response` against a response object: documented headers, media type and body schema."""
    spec, at = resolve(spec, at)
    for name, header in spec.get("headers", {}).items():
        header, header_at = resolve(header, at + pointer("headers", name))
        values = response.raw.headers.getlist(name)
        if header.get("required"):
            assert values, f"{response.request.method} {response.url} {response.status_code}: {name} is missing"
        for value in values:
            if header["schema"].get("type") == "integer" and value.isdigit():
                value = int(value)
            validate(value, header_at + "/schema")
    content = spec.get("content")
    if content is None:
        assert response.content == b"", f"{response.url}: a response documented without a body has one"
        return None
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    assert media_type in content, f"{response.url} {response.status_code}: undocumented Content-Type {media_type!r}"
    if head:
        assert response.content == b""
        return None
    body = response.json() if media_type == "application/json" else response.text
    validate(body, at + pointer("content", media_type, "schema"))
    return body


def check(response: requests.Response, template: str, method: str):
    """Checks a response against the operation `method template`; returns the parsed body."""
    head = method == "HEAD"
    operation_key = "get" if head else method.lower()
    operation = DOCUMENT["paths"][template][operation_key]
    status = str(response.status_code)
    if status not in operation["responses"] and status in ANY_PATH_RESPONSES:
        return check_component(response, ANY_PATH_RESPONSES[status], head=head)
    assert status in operation["responses"], (
        f"{method} {template} answered {status}, which the document does not list: {response.text[:300]}")
    body = check_against(response, operation["responses"][status],
                         pointer("paths", template, operation_key, "responses", status), head=head)
    if not head:
        SEEN.add((template, method, response.status_code))
    return body


def check_component(response: requests.Response, name: str, head: bool = False):
    """Checks a response against `#/components/responses/<name>` (the answers no single operation owns)."""
    return check_against(response, DOCUMENT["components"]["responses"][name], pointer("components", "responses", name),
                         head=head)


def call(stack, method: str, template: str, path_parameters: dict | None = None, **arguments) -> requests.Response:
    """Sends a request to a documented operation and checks the response; a JSON body (or a form given as a dict)
    that succeeded must also match the documented request schema, so the document does not describe bodies the
    server refuses."""
    # The session's cookie jar keeps the refresh cookie of earlier answers; a request sends only what it names.
    stack.session.cookies.clear()
    response = stack.request(method, template.format(**(path_parameters or {})), **arguments)
    check(response, template, method)
    if response.ok and ("json" in arguments or isinstance(arguments.get("data"), dict)):
        media_type, body = (("application/json", arguments["json"]) if "json" in arguments
                            else ("application/x-www-form-urlencoded", arguments["data"]))
        content = DOCUMENT["paths"][template][method.lower()]["requestBody"]["content"]
        assert media_type in content, (method, template, media_type)
        validate(body, pointer("paths", template, method.lower(), "requestBody", "content", media_type, "schema"))
    return response


def error_code(response):
    return response.json()["error"]["code"]


def oauth_error(response):
    """The `error` of an `OAuthError` body."""
    return response.json()["error"]


class Anything:
    """Equal to any value: for the parts of an answer a test does not pin down (an error's description)."""

    def __eq__(self, other):
        return True


ANY = Anything()


def statuses_until_limited(send, attempts=3):
    """With a limit of one per window, three quick attempts always include a refused one, even if a window
    boundary falls between them."""
    statuses = [send().status_code for _ in range(attempts)]
    assert 429 in statuses, statuses
    return statuses


# The document itself

def test_document_is_valid_openapi_3_1():
    validate_openapi_document(DOCUMENT)
    assert DOCUMENT["openapi"] == "3.1.0"
    assert DOCUMENT["jsonSchemaDialect"] == "https://json-schema.org/draft/2020-12/schema"


def test_examples_in_the_document_match_their_schemas():
    checked = 0

    def walk(value, at):
        nonlocal checked
        if isinstance(value, dict):
            examples = value.get("examples")
            if isinstance(examples, list):  # a schema's own examples
                for example in examples:
                    validate(example, at)
                    checked += 1
            elif isinstance(examples, dict) and "schema" in value:  # a media type's named examples
                for example in examples.values():
                    validate(example["value"], at + "/schema")
                    checked += 1
            for key, child in value.items():
                walk(child, at + pointer(key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, at + pointer(index))

    walk(DOCUMENT, "")
    assert checked >= 5


def test_every_error_response_uses_the_error_schema():
    """A 4xx/5xx JSON body is always the one error shape (health's degraded 503 is the one documented exception), or
    on the authorization server's own endpoints the OAuth shape, which is what OAuth clients parse."""
    for path, method in operations():
        shapes = {"#/components/schemas/Error"}
        if path in OAUTH_ERROR_PATHS:
            shapes.add("#/components/schemas/OAuthError")
        for status, response in DOCUMENT["paths"][path][method.lower()]["responses"].items():
            response, _ = resolve(response, "")
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if int(status) < 400 or schema is None:
                continue
            references = [schema.get("$ref")] + [option.get("$ref") for option in schema.get("oneOf", [])]
            assert shapes & set(references), (path, method, status)


# Served document and operations

def test_served_document_is_the_file_byte_for_byte(shared_stack):
    response = call(shared_stack, "GET", "/api/openapi.json")
    assert response.status_code == 200
    assert response.content == DOCUMENT_BYTES
    head = shared_stack.request("HEAD", "/api/openapi.json")
    assert head.status_code == 200
    check(head, "/api/openapi.json", "HEAD")


def test_health(shared_stack):
    assert call(shared_stack, "GET", "/api/health").json() == {"status": "ok", "database": "ok"}
    head = shared_stack.request("HEAD", "/api/health")
    assert head.status_code == 200
    check(head, "/api/health", "HEAD")


def test_register(shared_stack):
    email = unique_email()
    payload = {"email": email, "password": PASSWORD}
    assert call(shared_stack, "POST", "/api/auth/register", json=payload).status_code == 201
    assert call(shared_stack, "POST", "/api/auth/register", json=payload).status_code == 409
    assert call(shared_stack, "POST", "/api/auth/register", json={"email": unique_email(), "password": "€" * 24}
                ).status_code == 201, "72 bytes in 24 characters"
    invalid = call(shared_stack, "POST", "/api/auth/register", json={"email": "not-an-email", "password": "short"})
    assert invalid.status_code == 400 and set(invalid.json()["error"]["fields"]) == {"email", "password"}
    common = call(shared_stack, "POST", "/api/auth/register", json={"email": unique_email(), "password": "Password1"})
    assert common.status_code == 400 and set(common.json()["error"]["fields"]) == {"password"}, "valid by the schema"
    wrong_type = call(shared_stack, "POST", "/api/auth/register", json={"email": 5, "password": True})
    assert wrong_type.status_code == 400 and error_code(wrong_type) == "validation_failed"
    root_array = call(shared_stack, "POST", "/api/auth/register", data=b"[]", headers=JSON_HEADERS)
    assert root_array.status_code == 400 and "fields" not in root_array.json()["error"]
    malformed = call(shared_stack, "POST", "/api/auth/register", data=b"{", headers=JSON_HEADERS)
    assert malformed.status_code == 400 and error_code(malformed) == "invalid_json"
    form = call(shared_stack, "POST", "/api/auth/register", data=json.dumps(payload),
                headers={"Content-Type": "text/plain"})
    assert form.status_code == 415


def test_login(shared_stack):
    email = unique_email()
    register(shared_stack, email)
    response = call(shared_stack, "POST", "/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200
    for credentials in [{"email": email, "password": "wrong-password"},
                        {"email": unique_email("nobody"), "password": PASSWORD},
                        {"email": "not-an-email", "password": "x"}]:
        refused = call(shared_stack, "POST", "/api/auth/login", json=credentials)
        assert refused.status_code == 401, credentials
    missing = call(shared_stack, "POST", "/api/auth/login", json={"email": email})
    assert missing.status_code == 400 and missing.json()["error"]["fields"] == {"password": "is required"}
    assert call(shared_stack, "POST", "/api/auth/login", data=b"not json", headers=JSON_HEADERS).status_code == 400
    assert call(shared_stack, "POST", "/api/auth/login", data=b"{}").status_code == 415


def test_refresh_and_logout(shared_stack):
    _, _, refresh_token = signed_up(shared_stack)
    with_cookie = {**JSON_HEADERS, "Cookie": f"refresh_token={refresh_token}"}
    rotated = call(shared_stack, "POST", "/api/auth/refresh", headers=with_cookie)
    assert rotated.status_code == 200
    own_origin = {"Origin": f"https://localhost:{shared_stack.https_port}",
                  "Cookie": f"refresh_token={refresh_cookie_value(rotated)}"}
    assert call(shared_stack, "POST", "/api/auth/refresh", headers=own_origin).status_code == 200, (
        "an Origin of the site is enough without a JSON content type")
    for headers in [JSON_HEADERS, {**JSON_HEADERS, "Cookie": "refresh_token=not-a-token"}]:
        refused = call(shared_stack, "POST", "/api/auth/refresh", headers=headers)
        assert refused.status_code == 401 and error_code(refused) == "invalid_refresh_token"
    for headers in [{"Content-Type": "application/x-www-form-urlencoded"},
                    {**JSON_HEADERS, "Origin": "https://evil.example"}, {}]:
        for path in ("/api/auth/refresh", "/api/auth/logout"):
            assert call(shared_stack, "POST", path, headers=headers).status_code == 403, (path, headers)
    _, _, other_token = signed_up(shared_stack)
    logged_out = call(shared_stack, "POST", "/api/auth/logout",
                      headers={**JSON_HEADERS, "Cookie": f"refresh_token={other_token}"})
    assert logged_out.status_code == 204
    assert call(shared_stack, "POST", "/api/auth/logout", headers=JSON_HEADERS).status_code == 204, "idempotent"


def test_me_sessions_and_revocation(shared_stack):
    email, token, _ = signed_up(shared_stack)
    me = call(shared_stack, "GET", "/api/auth/me", headers=bearer(token))
    assert me.status_code == 200 and me.json()["email"] == email
    for headers in [{}, bearer("not.a.token"), {"Authorization": "Basic eDp5"}]:
        assert call(shared_stack, "GET", "/api/auth/me", headers=headers).status_code == 401
        assert call(shared_stack, "GET", "/api/auth/sessions", headers=headers).status_code == 401
        assert call(shared_stack, "DELETE", "/api/auth/sessions/{id}", {"id": SAMPLE_ID},
                    headers=headers).status_code == 401
        assert call(shared_stack, "POST", "/api/auth/logout-all", headers=headers).status_code == 401

    # A session without a User-Agent, so the schema sees `user_agent` absent as well as present.
    other = login(shared_stack, email, headers={"User-Agent": SKIP_HEADER})
    listed = call(shared_stack, "GET", "/api/auth/sessions", headers=bearer(token)).json()["sessions"]
    assert len(listed) == 2 and {"user_agent" in session for session in listed} == {True, False}
    current = next(session for session in listed if session["current"])
    not_current = next(session for session in listed if not session["current"])

    revoked_other = call(shared_stack, "DELETE", "/api/auth/sessions/{id}", {"id": not_current["id"].upper()},
                         headers=bearer(token))
    assert revoked_other.status_code == 204, "either letter case is accepted"
    assert "Set-Cookie" not in revoked_other.headers, "another session's revocation leaves this cookie alone"
    assert call(shared_stack, "GET", "/api/auth/me", headers=bearer(other.json()["access_token"])).status_code == 401
    assert call(shared_stack, "DELETE", "/api/auth/sessions/{id}", {"id": not_current["id"]},
                headers=bearer(token)).status_code == 404
    assert call(shared_stack, "DELETE", "/api/auth/sessions/{id}", {"id": str(uuid.uuid4())},
                headers=bearer(token)).status_code == 404
    invalid = call(shared_stack, "DELETE", "/api/auth/sessions/{id}", {"id": "not-a-uuid"}, headers=bearer(token))
    assert invalid.status_code == 400 and error_code(invalid) == "invalid_parameter"
    revoked_current = call(shared_stack, "DELETE", "/api/auth/sessions/{id}", {"id": current["id"]},
                           headers=bearer(token))
    assert revoked_current.status_code == 204 and "Set-Cookie" in revoked_current.headers

    _, token, _ = signed_up(shared_stack)
    assert call(shared_stack, "POST", "/api/auth/logout-all", headers=bearer(token)).status_code == 204


def test_password_change(shared_stack):
    _, token, _ = signed_up(shared_stack)
    path = "/api/auth/password"
    wrong = call(shared_stack, "POST", path, headers=bearer(token),
                 json={"current_password": "not-the-password", "new_password": "a brand new password"})
    assert wrong.status_code == 403 and error_code(wrong) == "current_password_incorrect"
    weak = call(shared_stack, "POST", path, headers=bearer(token),
                json={"current_password": PASSWORD, "new_password": "short"})
    assert weak.status_code == 400 and set(weak.json()["error"]["fields"]) == {"new_password"}
    common = call(shared_stack, "POST", path, headers=bearer(token),
                  json={"current_password": PASSWORD, "new_password": "Password1"})
    assert common.status_code == 400 and set(common.json()["error"]["fields"]) == {"new_password"}
    assert call(shared_stack, "POST", path, headers={**bearer(token), **JSON_HEADERS}, data=b"{").status_code == 400
    assert call(shared_stack, "POST", path, headers=bearer(token), data=b"{}").status_code == 415
    assert call(shared_stack, "POST", path, json={"current_password": PASSWORD, "new_password": "x" * 10}
                ).status_code == 401
    changed = call(shared_stack, "POST", path, headers=bearer(token),
                   json={"current_password": PASSWORD, "new_password": "a brand new password"})
    assert changed.status_code == 204


def test_password_reset(shared_stack):
    email, _, _ = signed_up(shared_stack)
    path = "/api/auth/password-reset"
    for address in (email, unique_email("nobody")):
        accepted = call(shared_stack, "POST", path, json={"email": address})
        assert accepted.status_code == 202
    assert error_code(call(shared_stack, "POST", path, json={"email": "not an address"})) == "validation_failed"
    assert call(shared_stack, "POST", path, data=b"{}").status_code == 415

    confirm = "/api/auth/password-reset/confirm"
    refused = call(shared_stack, "POST", confirm, json={"token": "A" * 43, "new_password": "a brand new password"})
    assert refused.status_code == 400 and error_code(refused) == "invalid_token"
    assert call(shared_stack, "POST", confirm, data=b"{}").status_code == 415
    # A token as a mailed link carries it; test_mail.py takes one from a real message.
    token = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    psql(shared_stack.database_url,
         "INSERT INTO password_reset_tokens (token_hash, user_id, expires_at) SELECT "
         f"encode(sha256(convert_to('{token}', 'UTF8')), 'hex'), id, now() + interval '1 hour' "
         f"FROM users WHERE email = '{email}'")
    common = call(shared_stack, "POST", confirm, json={"token": token, "new_password": "Password1"})
    assert common.status_code == 400 and set(common.json()["error"]["fields"]) == {"new_password"}, "nothing spent"
    reset = call(shared_stack, "POST", confirm, json={"token": token, "new_password": "a brand new password"})
    assert reset.status_code == 204, reset.text


def test_email_verification(shared_stack):
    email, token, _ = signed_up(shared_stack)
    path = "/api/auth/verify-email"
    refused = call(shared_stack, "POST", path, json={"token": "A" * 43})
    assert refused.status_code == 400 and error_code(refused) == "invalid_token"
    assert call(shared_stack, "POST", path, data=b"{}").status_code == 415
    assert call(shared_stack, "POST", "/api/auth/verify-email/resend", headers=bearer(token)).status_code == 202
    assert call(shared_stack, "POST", "/api/auth/verify-email/resend").status_code == 401
    verification = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    psql(shared_stack.database_url,
         "INSERT INTO email_verification_tokens (token_hash, user_id, expires_at) SELECT "
         f"encode(sha256(convert_to('{verification}', 'UTF8')), 'hex'), id, now() + interval '1 day' "
         f"FROM users WHERE email = '{email}'")
    assert call(shared_stack, "POST", path, json={"token": verification}).status_code == 204
    assert call(shared_stack, "GET", "/api/auth/me", headers=bearer(token)).json()["email_verified"] is True
    again = call(shared_stack, "POST", "/api/auth/verify-email/resend", headers=bearer(token))
    assert again.status_code == 409 and error_code(again) == "email_already_verified"


def test_account_export_and_deletion(shared_stack):
    email, token, _ = signed_up(shared_stack)
    call(shared_stack, "POST", "/api/tasks", headers=bearer(token), json={"title": "exported"})
    export = call(shared_stack, "GET", "/api/auth/account/export", headers=bearer(token))
    assert export.status_code == 200 and export.json()["account"]["email"] == email
    assert call(shared_stack, "GET", "/api/auth/account/export").status_code == 401
    path = "/api/auth/account"
    wrong = call(shared_stack, "DELETE", path, headers=bearer(token), json={"password": "not the password"})
    assert wrong.status_code == 403 and error_code(wrong) == "current_password_incorrect"
    assert call(shared_stack, "DELETE", path, headers={**bearer(token), **JSON_HEADERS}, data=b"{").status_code == 400
    assert call(shared_stack, "DELETE", path, headers=bearer(token), data=b"{}").status_code == 415
    assert call(shared_stack, "DELETE", path, headers={**bearer(token), **JSON_HEADERS},
                data=b'{"password":"' + b"p" * (1 << 20) + b'"}').status_code == 413
    assert call(shared_stack, "DELETE", path, json={"password": PASSWORD}).status_code == 401
    assert call(shared_stack, "DELETE", path, headers=bearer(token), json={"password": PASSWORD}).status_code == 204


def test_a_sign_in_waits_for_a_verified_address_when_the_server_asks_for_one(make_stack):
    stack = make_stack({"REQUIRE_VERIFIED_EMAIL": "true"})
    email = unique_email()
    assert call(stack, "POST", "/api/auth/register", json={"email": email, "password": PASSWORD}).status_code == 201
    refused = call(stack, "POST", "/api/auth/login", json={"email": email, "password": PASSWORD})
    assert refused.status_code == 403 and error_code(refused) == "email_not_verified"


def test_metrics(shared_stack):
    signed_up(shared_stack)
    body = call(shared_stack, "GET", "/metrics").text
    assert 'todo_chatbot_auth_events_total{event="register"}' in body
    assert "todo_chatbot_request_duration_seconds_bucket{" in body


def test_status(shared_stack):
    assert call(shared_stack, "GET", "/status").json()["workers"]
    assert call(shared_stack, "GET", "/status", params={"format": "json"}).json()["lanes"]
    assert "todo_chatbot_max_listen_queue" in call(shared_stack, "GET", "/status", params={"format": "prometheus"}).text
    assert error_code(call(shared_stack, "GET", "/status", params={"format": "xml"})) == "validation_failed"


def user_id(stack, email: str) -> str:
    return psql(stack.database_url, f"SELECT id FROM users WHERE email = '{email}'")


def add_conversation(stack, email: str) -> str:
    """There is no route that creates a conversation yet (the chat endpoint will), so one is written to the
    database: a user message, a tool message with JSON arguments and result, and the assistant's answer."""
    conversation_id = str(uuid.uuid4())
    psql(stack.database_url, f"""
        INSERT INTO conversations (id, owner_id, title)
            VALUES ('{conversation_id}', '{user_id(stack, email)}', 'Groceries');
        INSERT INTO messages (conversation_id, role, content, tool_name, tool_arguments, tool_result) VALUES
            ('{conversation_id}', 'user', 'add milk', NULL, NULL, NULL),
            ('{conversation_id}', 'tool', '', 'add_task', '{{"title": "milk"}}', '{{"task": {{"id": 1}}}}'),
            ('{conversation_id}', 'assistant', 'Added milk.', NULL, NULL, NULL)""")
    return conversation_id


def missing_task_id(stack) -> str:
    return psql(stack.database_url, "SELECT coalesce(max(id), 0) + 1000 FROM tasks")


UNAUTHENTICATED = [{}, bearer("not.a.token"), {"Authorization": "Basic eDp5"}]


def test_tasks(shared_stack):
    _, token, _ = signed_up(shared_stack)
    _, other_token, _ = signed_up(shared_stack)
    mine = bearer(token)
    tasks, task = "/api/tasks", "/api/tasks/{id}"

    created = call(shared_stack, "POST", tasks, headers=mine, json={"title": "Buy milk", "description": "2 l"})
    assert created.status_code == 201 and created.headers["Location"] == f"/api/tasks/{created.json()['id']}"
    first = created.json()
    assert call(shared_stack, "POST", tasks, headers=mine, json={"title": "Call mom"}).status_code == 201
    foreign = call(shared_stack, "POST", tasks, headers=bearer(other_token), json={"title": "Not yours"}).json()
    for body, fields in [({"title": " ", "description": "d" * 2001}, {"title", "description"}),
                         ({"title": "x", "description": 5}, {"description"}), ({}, {"title"})]:
        invalid = call(shared_stack, "POST", tasks, headers=mine, json=body)
        assert invalid.status_code == 400 and set(invalid.json()["error"]["fields"]) == fields, body
    assert error_code(call(shared_stack, "POST", tasks, headers=mine, json=[1])) == "validation_failed"
    malformed = call(shared_stack, "POST", tasks, headers={**mine, **JSON_HEADERS}, data=b"{")
    assert malformed.status_code == 400 and error_code(malformed) == "invalid_json"
    assert call(shared_stack, "POST", tasks, headers={**mine, "Content-Type": "text/plain"},
                data=b'{"title": "x"}').status_code == 415

    # The list: pages by cursor (a non-null next_cursor, then null), filters, and each bad query parameter.
    page = call(shared_stack, "GET", tasks, headers=mine, params={"limit": 1})
    assert page.status_code == 200 and [t["id"] for t in page.json()["tasks"]] == [first["id"]]
    cursor = page.json()["next_cursor"]
    assert cursor is not None
    last = call(shared_stack, "GET", tasks, headers=mine, params={"limit": 1, "cursor": cursor}).json()
    assert len(last["tasks"]) == 1 and last["next_cursor"] is None
    assert call(shared_stack, "GET", tasks, headers=mine, params={"status": "completed"}).json() == {
        "tasks": [], "next_cursor": None}
    for query, fields in [({"status": "done"}, {"status"}), ({"limit": "0"}, {"limit"}), ({"limit": "201"}, {"limit"}),
                          ({"cursor": "abc"}, {"cursor"}),
                          ({"status": "x", "limit": "ten", "cursor": "-5"}, {"status", "limit", "cursor"})]:
        refused = call(shared_stack, "GET", tasks, headers=mine, params=query)
        assert refused.status_code == 400 and set(refused.json()["error"]["fields"]) == fields, query

    # One task: its own id answers; a missing one and another user's answer the same 404; a non-number is a 400.
    own, missing, theirs = {"id": first["id"]}, {"id": missing_task_id(shared_stack)}, {"id": foreign["id"]}
    assert call(shared_stack, "GET", task, own, headers=mine).json() == first
    renamed = call(shared_stack, "PATCH", task, own, headers=mine, json={"title": "Buy oat milk", "description": None})
    assert renamed.status_code == 200 and renamed.json()["description"] == "2 l"
    completed = call(shared_stack, "POST", task + "/complete", own, headers=mine)
    assert completed.status_code == 200 and completed.json()["completed_at"] is not None
    assert call(shared_stack, "POST", task + "/complete", own, headers=mine).json() == completed.json()
    assert call(shared_stack, "GET", tasks, headers=mine, params={"status": "pending"}).status_code == 200

    for method, template, body in [("GET", task, None), ("PATCH", task, {"title": "x"}), ("DELETE", task, None),
                                   ("POST", task + "/complete", None)]:
        arguments = {"json": body} if body else {}
        not_found = [call(shared_stack, method, template, ids, headers=mine, **arguments) for ids in (missing, theirs)]
        assert [response.status_code for response in not_found] == [404, 404], (method, template)
        assert not_found[0].json() == not_found[1].json(), "another user's task looks exactly like a missing one"
        for id in ["abc", "1.5", "9223372036854775808"]:
            refused = call(shared_stack, method, template, {"id": id}, headers=mine, **arguments)
            assert refused.status_code == 400 and error_code(refused) == "invalid_parameter", (method, template, id)
            assert set(refused.json()["error"]["fields"]) == {"id"}
        for headers in UNAUTHENTICATED:
            assert call(shared_stack, method, template, own, headers=headers, **arguments).status_code == 401
    for headers in UNAUTHENTICATED:
        assert call(shared_stack, "GET", tasks, headers=headers).status_code == 401
        assert call(shared_stack, "POST", tasks, headers=headers, json={"title": "x"}).status_code == 401

    for body in [{}, {"title": ""}, {"title": 1}, {"description": "d" * 2001}]:
        refused = call(shared_stack, "PATCH", task, own, headers=mine, json=body)
        assert refused.status_code == 400 and error_code(refused) == "validation_failed", body
    assert error_code(call(shared_stack, "PATCH", task, own, headers={**mine, **JSON_HEADERS}, data=b"nope")
                      ) == "invalid_json"
    assert call(shared_stack, "PATCH", task, own, headers={**mine, "Content-Type": "text/plain"},
                data=b'{"title": "x"}').status_code == 415

    assert call(shared_stack, "DELETE", task, own, headers=mine).status_code == 204
    assert call(shared_stack, "DELETE", task, own, headers=mine).status_code == 404
    assert call(shared_stack, "GET", task, theirs, headers=bearer(other_token)).json() == foreign, "left alone"


def test_conversations(shared_stack):
    email, token, _ = signed_up(shared_stack)
    _, other_token, _ = signed_up(shared_stack)
    mine, others = bearer(token), bearer(other_token)
    conversation = add_conversation(shared_stack, email)
    messages, single = "/api/conversations/{id}/messages", "/api/conversations/{id}"

    listed = call(shared_stack, "GET", "/api/conversations", headers=mine)
    assert [c["id"] for c in listed.json()["conversations"]] == [conversation]
    assert call(shared_stack, "GET", "/api/conversations", headers=others).json() == {"conversations": []}
    assert len(call(shared_stack, "GET", "/api/conversations", headers=mine, params={"limit": 200}
                    ).json()["conversations"]) == 1
    for limit in ["0", "201", "ten", "-1"]:
        refused = call(shared_stack, "GET", "/api/conversations", headers=mine, params={"limit": limit})
        assert refused.status_code == 400 and set(refused.json()["error"]["fields"]) == {"limit"}, limit

    shown = call(shared_stack, "GET", messages, {"id": conversation.upper()}, headers=mine)
    assert shown.status_code == 200, "either letter case is accepted"
    assert [m["role"] for m in shown.json()["messages"]] == ["user", "tool", "assistant"]
    assert shown.json()["messages"][1]["tool_arguments"] == {"title": "milk"}

    for method, template in [("GET", messages), ("DELETE", single)]:
        not_found = [call(shared_stack, method, template, {"id": id}, headers=others)
                     for id in (conversation, str(uuid.uuid4()))]
        assert [response.status_code for response in not_found] == [404, 404], (method, template)
        assert not_found[0].json() == not_found[1].json(), "another user's conversation looks like a missing one"
        for id in ["123", "not-a-uuid"]:
            refused = call(shared_stack, method, template, {"id": id}, headers=mine)
            assert refused.status_code == 400 and error_code(refused) == "invalid_parameter", (method, id)
        for headers in UNAUTHENTICATED:
            assert call(shared_stack, method, template, {"id": conversation}, headers=headers).status_code == 401
    for headers in UNAUTHENTICATED:
        assert call(shared_stack, "GET", "/api/conversations", headers=headers).status_code == 401

    assert call(shared_stack, "DELETE", single, {"id": conversation}, headers=mine).status_code == 204
    assert call(shared_stack, "GET", messages, {"id": conversation}, headers=mine).status_code == 404


def test_chat(shared_stack):
    _, token, _ = signed_up(shared_stack)
    _, other_token, _ = signed_up(shared_stack)
    mine, others = bearer(token), bearer(other_token)

    added = call(shared_stack, "POST", "/api/chat", headers=mine, json={"message": "add buy milk"})
    assert added.status_code == 200 and [c["name"] for c in added.json()["tool_calls"]] == ["add_task"]
    conversation = added.json()["conversation_id"]
    continued = call(shared_stack, "POST", "/api/chat", headers=mine,
                     json={"message": "mark it done", "conversation_id": conversation.upper()})
    assert continued.status_code == 200 and continued.json()["conversation_id"] == conversation
    assert call(shared_stack, "POST", "/api/chat", headers=mine, json={"message": "hello"}).json()["tool_calls"] == []

    for body, fields in [({}, {"message"}), ({"message": 1}, {"message"}), ({"message": " "}, {"message"}),
                         ({"message": "m" * 4001}, {"message"}),
                         ({"message": "", "conversation_id": "nope"}, {"message", "conversation_id"})]:
        refused = call(shared_stack, "POST", "/api/chat", headers=mine, json=body)
        assert refused.status_code == 400 and set(refused.json()["error"]["fields"]) == fields, body
    malformed = call(shared_stack, "POST", "/api/chat", headers={**mine, **JSON_HEADERS}, data=b"{")
    assert malformed.status_code == 400 and error_code(malformed) == "invalid_json"
    assert call(shared_stack, "POST", "/api/chat", headers={**mine, "Content-Type": "text/plain"},
                data=b'{"message": "hi"}').status_code == 415
    not_found = [call(shared_stack, "POST", "/api/chat", headers=headers,
                      json={"message": "hi", "conversation_id": id})
                 for headers, id in [(others, conversation), (mine, str(uuid.uuid4()))]]
    assert [response.status_code for response in not_found] == [404, 404]
    assert not_found[0].json()["error"] == not_found[1].json()["error"]
    for headers in UNAUTHENTICATED:
        assert call(shared_stack, "POST", "/api/chat", headers=headers, json={"message": "hi"}).status_code == 401


@pytest.fixture(scope="module")
def oauth_client(shared_stack):
    """One registered client for this module's OAuth flows, which need no client of their own."""
    return register_client(shared_stack, name="OpenAPI tests")


PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


def tool_call(name, arguments, id=1):
    return {"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": arguments}}


def test_mcp(shared_stack, oauth_client):
    _, browser_token, _ = signed_up(shared_stack)
    mine = bearer(mcp_grant(shared_stack, browser_token, client_id=oauth_client)["access_token"])

    def rpc(method, params=None, headers=None, **message):
        body = {"jsonrpc": "2.0", "method": method, **({"params": params} if params is not None else {}), **message}
        return call(shared_stack, "POST", "/api/mcp", headers={**mine, **(headers or {})}, json=body)

    initialized = rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                     "clientInfo": {"name": "contract", "version": "1"}}, id=1)
    assert initialized.status_code == 200 and initialized.json()["result"]["protocolVersion"] == "2025-06-18"
    assert rpc("notifications/initialized").status_code == 202
    listed = rpc("tools/list", id="two", headers={"MCP-Protocol-Version": "2025-06-18"})
    assert listed.status_code == 200 and len(listed.json()["result"]["tools"]) == 5
    added = rpc("tools/call", {"name": "add_task", "arguments": {"title": "x"}}, id=3)
    assert added.status_code == 200 and added.json()["result"]["isError"] is False
    refused = rpc("tools/call", {"name": "add_task", "arguments": {}}, id=4)
    assert refused.status_code == 200 and refused.json()["result"]["isError"] is True
    unknown = rpc("server/discover", {}, id=5)
    assert unknown.status_code == 200 and unknown.json()["error"]["code"] == -32601
    ping = {"jsonrpc": "2.0", "id": 8, "method": "ping"}
    batch = call(shared_stack, "POST", "/api/mcp", headers=mine, json=[
        ping, {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": None, "method": "ping"}])
    assert batch.status_code == 200 and [answer["id"] for answer in batch.json()] == [8, None]
    later = call(shared_stack, "POST", "/api/mcp", headers={**mine, "MCP-Protocol-Version": "2025-06-18"}, json=[ping])
    assert later.status_code == 400 and later.json()["error"]["code"] == -32600

    version = rpc("ping", id=6, headers={"MCP-Protocol-Version": "1999-01-01"})
    assert version.status_code == 400 and error_code(version) == "unsupported_protocol_version"
    for body, code in [(b"{", -32700), (b"[]", -32600), (b'{"jsonrpc": "2.0"}', -32600)]:
        malformed = call(shared_stack, "POST", "/api/mcp", headers={**mine, **JSON_HEADERS}, data=body)
        assert malformed.status_code == 400 and malformed.json()["error"]["code"] == code, body
    assert rpc("ping", id=7, headers={"Accept": "text/html"}).status_code == 406
    assert call(shared_stack, "POST", "/api/mcp", headers={**mine, "Content-Type": "text/plain"},
                data=b'{"jsonrpc": "2.0", "id": 1, "method": "ping"}').status_code == 415
    for headers in UNAUTHENTICATED + [bearer(browser_token)]:
        refused = call(shared_stack, "POST", "/api/mcp", headers=headers, json=PING)
        assert refused.status_code == 401 and error_code(refused) == "unauthenticated", headers
        metadata = shared_stack.url(DISCOVERY_PATHS[0])
        assert f'resource_metadata="{metadata}"' in refused.headers["WWW-Authenticate"]
    assert call(shared_stack, "GET", "/api/tasks", headers=mine).status_code == 401, "an MCP token is for /api/mcp only"

    # A grant of tasks:read alone: list_tasks runs, a tool that writes is refused before anything runs, and the
    # challenge names every scope the request needs.
    read_only = bearer(mcp_grant(shared_stack, browser_token, "tasks:read", oauth_client)["access_token"])
    listed = call(shared_stack, "POST", "/api/mcp", headers=read_only, json=tool_call("list_tasks", {}))
    assert listed.status_code == 200 and listed.json()["result"]["isError"] is False
    for body, needed in [(tool_call("add_task", {"title": "not added"}), "tasks:write"),
                         ([tool_call("list_tasks", {}), tool_call("delete_task", {"task_id": 1}, id=2)],
                          "tasks:read tasks:write")]:
        beyond = call(shared_stack, "POST", "/api/mcp", headers=read_only, json=body)
        assert beyond.status_code == 403 and error_code(beyond) == "insufficient_scope", body
        assert f'scope="{needed}"' in beyond.headers["WWW-Authenticate"]
    tasks = call(shared_stack, "GET", "/api/tasks", headers=bearer(browser_token)).json()["tasks"]
    assert "not added" not in [task["title"] for task in tasks]


# The authorization server of /api/mcp (docs/oauth.md)

ELSEWHERE = {"Origin": "https://elsewhere.example"}
ALLOW = {"decision": "allow"}


def test_discovery_documents_and_preflights(shared_stack):
    documents = [call(shared_stack, "GET", path, headers=ELSEWHERE).json() for path in DISCOVERY_PATHS]
    assert documents[0] == documents[1], "both places hold the same protected-resource metadata"
    assert documents[0]["resource"] == shared_stack.url("/api/mcp")
    assert documents[0]["authorization_servers"] == [shared_stack.url("")]
    assert documents[2]["issuer"] == shared_stack.url("")
    assert documents[2]["token_endpoint"] == shared_stack.url("/api/oauth/token")
    for path in DISCOVERY_PATHS:
        head = shared_stack.request("HEAD", path)
        assert head.status_code == 200
        check(head, path, "HEAD")
    for path in DISCOVERY_PATHS + OAUTH_ERROR_PATHS:
        preflight = call(shared_stack, "OPTIONS", path, headers={**ELSEWHERE, "Access-Control-Request-Method": "POST",
                                                                 "Access-Control-Request-Headers": "content-type"})
        assert preflight.status_code == 204, path


def test_client_registration(shared_stack):
    path = "/api/oauth/register"
    metadata = {"client_name": "  Contract client  ", "redirect_uris": [REDIRECT_URI, "com.example.app:/callback"],
                "client_uri": "https://example.com/app", "scope": "tasks:read", "grant_types": ["authorization_code"],
                "response_types": ["code"], "token_endpoint_auth_method": "none", "software_id": "contract",
                "software_version": "1.0", "logo_uri": "https://example.com/logo.png"}
    registered = call(shared_stack, "POST", path, headers=ELSEWHERE, json=metadata)
    assert registered.status_code == 201
    assert {name: registered.json()[name] for name in ("client_name", "scope", "grant_types")} == {
        "client_name": "Contract client", "scope": "tasks:read", "grant_types": ["authorization_code", "refresh_token"]}
    off_loopback = call(shared_stack, "POST", path, json={"redirect_uris": ["http://example.com/callback"]})
    assert off_loopback.status_code == 400 and oauth_error(off_loopback) == "invalid_redirect_uri"
    not_json = call(shared_stack, "POST", path, data=json.dumps(metadata), headers={"Content-Type": "text/plain"})
    assert not_json.status_code == 400 and oauth_error(not_json) == "invalid_client_metadata", "a 400, not a 415"
    control = call(shared_stack, "POST", path, json={**metadata, "software_id": "a\x00b", "software_version": "\x01"})
    assert control.status_code == 400 and oauth_error(control) == "invalid_client_metadata", "PostgreSQL keeps no NUL"


def test_authorization_and_consent(shared_stack, oauth_client):
    _, token, _ = signed_up(shared_stack)
    mine, issuer = bearer(token), shared_stack.url("")

    def authorize(client_id=oauth_client, **overrides):
        response = call(shared_stack, "GET", "/api/oauth/authorize", allow_redirects=False,
                        params=authorization_query(shared_stack, client_id, **overrides))
        assert response.status_code == 302
        location = response.headers["Location"]
        return location.split("?")[0], query_of(location)

    # A client or a redirect URI that cannot be trusted is never redirected to: the consent page explains.
    for client_id, overrides, error in [("mcp_unknown", {}, "invalid_client"),
                                        (oauth_client, {"redirect_uri": "http://127.0.0.1:1/elsewhere"},
                                         "invalid_request")]:
        assert authorize(client_id, **overrides) == (shared_stack.url("/consent"), {
            "error": error, "error_description": ANY}), (client_id, overrides)
    # Every other problem goes back to the client, with its state and our issuer.
    for overrides, error in [({"response_type": "token"}, "unsupported_response_type"),
                             ({"code_challenge": "short"}, "invalid_request"),
                             ({"resource": "https://elsewhere.example/api/mcp"}, "invalid_target"),
                             ({"scope": "tasks:delete"}, "invalid_scope")]:
        assert authorize(**overrides) == (REDIRECT_URI, {"error": error, "error_description": ANY, "state": "xyz",
                                                        "iss": issuer}), overrides

    page, pending = authorize(scope="tasks:read")
    assert page == shared_stack.url("/consent")
    details, request = "/api/oauth/authorization-requests/{id}", {"id": pending["request"]}
    shown = call(shared_stack, "GET", details, {"id": pending["request"].upper()}, headers=mine).json()
    assert shown["id"] == pending["request"] and shown["client"]["name"] == "OpenAPI tests"
    assert [scope["name"] for scope in shown["scopes"]] == ["tasks:read"]
    for method in ("GET", "POST"):
        arguments = {"json": {"decision": "deny"}} if method == "POST" else {}
        invalid = call(shared_stack, method, details, {"id": "not-a-uuid"}, headers=mine, **arguments)
        assert invalid.status_code == 400 and error_code(invalid) == "invalid_parameter"
        missing = call(shared_stack, method, details, {"id": SAMPLE_ID}, headers=mine, **arguments)
        assert missing.status_code == 404 and error_code(missing) == "not_found"
        for headers in UNAUTHENTICATED:
            assert call(shared_stack, method, details, request, headers=headers, **arguments).status_code == 401
    for body, code in [({"decision": "maybe"}, "validation_failed"), ({}, "validation_failed")]:
        refused = call(shared_stack, "POST", details, request, headers=mine, json=body)
        assert refused.status_code == 400 and error_code(refused) == code, body
    assert error_code(call(shared_stack, "POST", details, request, headers={**mine, **JSON_HEADERS}, data=b"{")
                      ) == "invalid_json"
    assert call(shared_stack, "POST", details, request, headers=mine, data=b"decision=allow").status_code == 415

    denied = call(shared_stack, "POST", details, request, headers=mine, json={"decision": "deny"})
    assert denied.status_code == 200
    assert query_of(denied.json()["redirect_to"]) == {"error": "access_denied", "error_description": ANY,
                                                       "state": "xyz", "iss": issuer}
    for method, arguments in [("POST", {"json": {"decision": "allow"}}), ("GET", {})]:
        decided = call(shared_stack, method, details, request, headers=mine, **arguments)
        assert decided.status_code == 404, "a request is decided once"
    allowed = authorization_code(shared_stack, oauth_client, token)
    assert set(allowed) == {"code", "state", "iss"}


def test_token_and_revocation(shared_stack, oauth_client):
    _, browser_token, _ = signed_up(shared_stack)
    token, revoke = "/api/oauth/token", "/api/oauth/revoke"

    def form(path, **fields):
        return call(shared_stack, "POST", path, headers=ELSEWHERE, data=fields)

    code = authorization_code(shared_stack, oauth_client, browser_token)["code"]
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                "client_id": oauth_client, "code_verifier": VERIFIER}
    wrong_verifier = form(token, **{**exchange, "code_verifier": "x" * 43})
    assert wrong_verifier.status_code == 400 and oauth_error(wrong_verifier) == "invalid_grant"
    issued = form(token, **exchange)
    assert issued.status_code == 200, "a wrong verifier spends nothing"
    assert issued.json()["scope"] == "tasks:read tasks:write"
    grant = issued.json()
    narrowed = form(token, grant_type="refresh_token", refresh_token=grant["refresh_token"], client_id=oauth_client,
                    scope="tasks:read", resource=shared_stack.url("/api/mcp"))
    assert narrowed.status_code == 200 and narrowed.json()["scope"] == "tasks:read"

    refresh = {"grant_type": "refresh_token", "refresh_token": narrowed.json()["refresh_token"],
               "client_id": oauth_client}
    for fields, error in [({"grant_type": "password"}, "unsupported_grant_type"),
                          ({"grant_type": None}, "invalid_request"),
                          ({"refresh_token": None}, "invalid_request"),
                          ({"scope": "tasks:read  tasks:write"}, "invalid_scope"),
                          ({"resource": "https://elsewhere.example/api/mcp"}, "invalid_target"),
                          ({"refresh_token": "A" * 43}, "invalid_grant")]:
        refused = form(token, **{name: value for name, value in {**refresh, **fields}.items() if value is not None})
        assert refused.status_code == 400 and oauth_error(refused) == error, fields
    for fields in [{"client_id": "mcp_unknown"}, {"client_secret": "s3cret"}]:
        refused = form(token, **{**refresh, **fields})
        assert refused.status_code == 401 and oauth_error(refused) == "invalid_client", fields
    as_json = call(shared_stack, "POST", token, json=refresh)
    assert as_json.status_code == 400 and oauth_error(as_json) == "invalid_request"
    repeated = call(shared_stack, "POST", token, data=b"grant_type=refresh_token&grant_type=refresh_token",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert repeated.status_code == 400 and oauth_error(repeated) == "invalid_request"

    # A code presented again is refused and revokes the grant it produced (RFC 6749 §4.1.2).
    replayed = form(token, **exchange)
    assert replayed.status_code == 400 and oauth_error(replayed) == "invalid_grant"
    assert form(token, **refresh).status_code == 400, "the grant ended with the replay"

    for fields, status in [({"token": "not-a-token", "client_id": oauth_client}, 200),
                           ({"client_id": oauth_client}, 400), ({"token": "not-a-token"}, 400),
                           ({"token": "not-a-token", "client_id": "mcp_unknown"}, 401)]:
        assert form(revoke, **fields).status_code == status, fields
    live = mcp_grant(shared_stack, browser_token, client_id=oauth_client)
    assert form(revoke, token=live["access_token"], client_id=oauth_client, token_type_hint="access_token"
                ).status_code == 200
    ended = call(shared_stack, "POST", "/api/mcp", headers=bearer(live["access_token"]), json=PING)
    assert ended.status_code == 401, "the access token's grant ended"
    assert form(token, grant_type="refresh_token", refresh_token=live["refresh_token"], client_id=oauth_client
                ).status_code == 400


def test_connected_apps(shared_stack, oauth_client):
    _, token, _ = signed_up(shared_stack)
    mine, apps, app = bearer(token), "/api/auth/apps", "/api/auth/apps/{id}"
    assert call(shared_stack, "GET", apps, headers=mine).json() == {"apps": []}
    grant = mcp_grant(shared_stack, token, scope="tasks:read", client_id=oauth_client)
    mcp = bearer(grant["access_token"])
    listed = call(shared_stack, "GET", apps, headers=mine).json()["apps"]
    assert [(entry["client_id"], entry["scopes"]) for entry in listed] == [(oauth_client, ["tasks:read"])]
    assert call(shared_stack, "GET", apps, headers=mcp).status_code == 401, "an MCP token is for /api/mcp only"
    for headers in UNAUTHENTICATED:
        assert call(shared_stack, "GET", apps, headers=headers).status_code == 401
        assert call(shared_stack, "DELETE", app, {"id": listed[0]["id"]}, headers=headers).status_code == 401
    invalid = call(shared_stack, "DELETE", app, {"id": "not-a-uuid"}, headers=mine)
    assert invalid.status_code == 400 and error_code(invalid) == "invalid_parameter"
    assert call(shared_stack, "DELETE", app, {"id": SAMPLE_ID}, headers=mine).status_code == 404

    assert call(shared_stack, "DELETE", app, {"id": listed[0]["id"].upper()}, headers=mine).status_code == 204
    assert call(shared_stack, "DELETE", app, {"id": listed[0]["id"]}, headers=mine).status_code == 404
    assert call(shared_stack, "GET", apps, headers=mine).json() == {"apps": []}
    stopped = call(shared_stack, "POST", "/api/mcp", headers=mcp, json=PING)
    assert stopped.status_code == 401, "its access token stopped at once"
    assert call(shared_stack, "GET", "/api/auth/me", headers=mine).status_code == 200, "the browser session stays"


def test_a_server_without_public_origin_authorizes_no_mcp_client(make_stack):
    stack = make_stack({"PUBLIC_ORIGIN": ""})
    _, token, _ = signed_up(stack)
    mine, request = bearer(token), {"id": SAMPLE_ID}
    answers = [call(stack, "GET", path) for path in DISCOVERY_PATHS] + [
        call(stack, "POST", "/api/oauth/register", json={"redirect_uris": [REDIRECT_URI]}),
        call(stack, "GET", "/api/oauth/authorize", params=authorization_query(stack, "mcp_any"), allow_redirects=False),
        call(stack, "POST", "/api/oauth/token", data={"grant_type": "refresh_token", "refresh_token": "A" * 43,
                                                      "client_id": "mcp_any"}),
        call(stack, "POST", "/api/oauth/revoke", data={"token": "A" * 43, "client_id": "mcp_any"}),
        call(stack, "GET", "/api/oauth/authorization-requests/{id}", request, headers=mine),
        call(stack, "POST", "/api/oauth/authorization-requests/{id}", request, headers=mine, json=ALLOW)]
    for answer in answers:
        assert answer.status_code == 404 and error_code(answer) == "oauth_not_configured", answer.url
    # The endpoints open to any origin say so on this refusal too, so a browser client can read it; the others
    # stay same-origin.
    assert [answer.headers.get("Access-Control-Allow-Origin") for answer in answers] == (
        ["*"] * (len(DISCOVERY_PATHS) + 1) + [None] + ["*", "*"] + [None, None])
    assert call(stack, "GET", "/api/auth/apps", headers=mine).json() == {"apps": []}, "no grant can exist"
    assert error_code(call(stack, "DELETE", "/api/auth/apps/{id}", request, headers=mine)) == "not_found"
    for headers, challenge in [({}, 'Bearer scope="tasks:read tasks:write"'),
                               (mine, 'Bearer error="invalid_token", scope="tasks:read tasks:write"')]:
        refused = call(stack, "POST", "/api/mcp", headers=headers, json=PING)
        assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == challenge


# What no single operation owns

def test_every_post_and_patch_refuses_a_body_over_one_mebibyte(shared_stack):
    body = b"{" + b" " * (1 << 20) + b"}"
    for path, method in operations():
        if method in ("POST", "PATCH"):
            response = call(shared_stack, method, path, sample_parameters(path), data=body, headers=JSON_HEADERS)
            assert response.status_code == 413, (method, path)


def test_unreadable_request_gets_nginx_400(shared_stack):
    response = shared_stack.get("/api/health", headers={"Authorization": "Bearer " + "a" * 20000})
    assert response.status_code == 400
    check_component(response, "BadRequest")


def test_a_request_line_over_nginx_buffers_gets_its_json_414(shared_stack):
    # test_pool.py provokes the 501 and 505 over a raw socket: requests cannot send them.
    too_long = shared_stack.get("/api/tasks?cursor=" + "1" * 9000)
    assert too_long.status_code == 414
    check_component(too_long, "URITooLong")


def test_unknown_paths_answer_404(shared_stack):
    for path in ["/api/nothing-here", "/api/auth", "/api/auth/sessions/" + SAMPLE_ID + "/more", "/api/health/"]:
        response = shared_stack.get(path)
        assert response.status_code == 404, path
        check_component(response, "NotFound")


def test_every_path_serves_exactly_the_documented_methods(shared_stack):
    """The reverse direction: a method the app serves on a documented path but the document does not list would
    answer something other than 405 here; a documented one that the app lacks would answer 405."""
    for template, item in DOCUMENT["paths"].items():
        documented = {method.upper() for method in item if method in OPERATION_KEYS}
        allowed = documented | ({"HEAD"} if "GET" in documented else set())
        for method in PROBED_METHODS:
            response = shared_stack.request(method, concrete(template), allow_redirects=False)
            if method in allowed:
                assert response.status_code != 405, (method, template)
                assert not (response.status_code == 404 and method != "HEAD"
                            and error_code(response) == "not_found"), (method, template)
                continue
            assert response.status_code == 405, (method, template, response.status_code)
            check_component(response, "MethodNotAllowed", head=method == "HEAD")
            assert response.headers["Allow"] == ", ".join(sorted(allowed)), (method, template)


# Stacks of their own: limits, failures and outages

def test_rate_limits_and_the_workers_own_body_limit(make_stack):
    stack = make_stack({"RATE_LIMIT_REGISTER_PER_MINUTE": "1", "RATE_LIMIT_LOGIN_PER_MINUTE": "1",
                        "RATE_LIMIT_REFRESH_PER_MINUTE": "1", "LOGIN_FAILURES_PER_ACCOUNT": "1",
                        "RATE_LIMIT_PASSWORD_RESET_PER_MINUTE": "1", "VERIFICATION_MAILS_PER_ACCOUNT_PER_HOUR": "1",
                        "RATE_LIMIT_CLIENT_REGISTRATIONS_PER_HOUR": "1", "RATE_LIMIT_OAUTH_TOKEN_PER_MINUTE": "1",
                        "MAX_BODY_BYTES": "1024"})
    emails = []

    def register_someone():
        emails.append(unique_email())
        return call(stack, "POST", "/api/auth/register", json={"email": emails[-1], "password": PASSWORD})

    assert set(statuses_until_limited(register_someone)) <= {201, 429}
    email = emails[0]  # the first request of a fresh window is always allowed
    logins = []

    def log_in():
        logins.append(call(stack, "POST", "/api/auth/login", json={"email": email, "password": PASSWORD}))
        return logins[-1]

    assert set(statuses_until_limited(log_in)) <= {200, 429}
    signed_in = logins[0]
    cookie = [refresh_cookie_value(signed_in)]

    def refresh_once():
        response = call(stack, "POST", "/api/auth/refresh", headers={**JSON_HEADERS,
                                                                      "Cookie": f"refresh_token={cookie[0]}"})
        if response.status_code == 200:
            cookie[0] = refresh_cookie_value(response)
        return response

    assert set(statuses_until_limited(refresh_once)) <= {200, 429}
    token = signed_in.json()["access_token"]
    assert set(statuses_until_limited(lambda: call(
        stack, "POST", "/api/auth/password", headers=bearer(token),
        json={"current_password": "not-the-password", "new_password": "a brand new password"}))) <= {403, 429}
    assert set(statuses_until_limited(lambda: call(
        stack, "POST", "/api/auth/password-reset", json={"email": unique_email()}))) <= {202, 429}
    assert set(statuses_until_limited(lambda: call(
        stack, "POST", "/api/auth/password-reset/confirm",
        json={"token": "A" * 43, "new_password": "a brand new password"}))) <= {400, 429}
    assert set(statuses_until_limited(lambda: call(
        stack, "POST", "/api/auth/verify-email", json={"token": "A" * 43}))) <= {400, 429}
    # Sign-up sent the one verification message the hour allows.
    assert call(stack, "POST", "/api/auth/verify-email/resend", headers=bearer(token)).status_code == 429
    assert set(statuses_until_limited(lambda: call(
        stack, "DELETE", "/api/auth/account", headers=bearer(token), json={"password": "not the password"}))) <= {403, 429}

    assert set(statuses_until_limited(lambda: call(
        stack, "POST", "/api/oauth/register", json={"redirect_uris": [REDIRECT_URI]}))) <= {201, 429}
    # The token and revocation endpoints share one limit: the revocations meet the tokens' spent window.
    assert set(statuses_until_limited(lambda: call(
        stack, "POST", "/api/oauth/token", data={"grant_type": "refresh_token", "refresh_token": "A" * 43,
                                                 "client_id": "mcp_unknown"}))) <= {401, 429}
    assert set(statuses_until_limited(lambda: call(
        stack, "POST", "/api/oauth/revoke", data={"token": "A" * 43, "client_id": "mcp_unknown"}))) <= {401, 429}
    # The authorization endpoint counts apart, with the same limit, and refuses as it refuses anything: a redirect.
    errors = [query_of(call(stack, "GET", "/api/oauth/authorize", params=authorization_query(stack, "mcp_unknown"),
                            allow_redirects=False).headers["Location"])["error"] for _ in range(3)]
    assert "temporarily_unavailable" in errors and set(errors) <= {"invalid_client", "temporarily_unavailable"}

    # Over MAX_BODY_BYTES but under nginx's 1 MiB: the worker answers the 413 itself, in the same shape.
    too_large = call(stack, "POST", "/api/auth/login", json={"email": email, "password": "p" * 2000})
    assert too_large.status_code == 413 and error_code(too_large) == "payload_too_large"


def task_and_conversation_operations(stack, token, mcp_token, task_id, conversation_id):
    """One well-formed, authenticated request to each task and conversation operation, and to the MCP tools with an
    MCP token."""
    mine = bearer(token)
    task, conversation = {"id": task_id}, {"id": conversation_id}
    return [
        call(stack, "GET", "/api/tasks", headers=mine),
        call(stack, "POST", "/api/tasks", headers=mine, json={"title": "x"}),
        call(stack, "GET", "/api/tasks/{id}", task, headers=mine),
        call(stack, "PATCH", "/api/tasks/{id}", task, headers=mine, json={"title": "y"}),
        call(stack, "POST", "/api/tasks/{id}/complete", task, headers=mine),
        call(stack, "DELETE", "/api/tasks/{id}", task, headers=mine),
        call(stack, "GET", "/api/conversations", headers=mine),
        call(stack, "GET", "/api/conversations/{id}/messages", conversation, headers=mine),
        call(stack, "POST", "/api/chat", headers=mine, json={"message": "list my tasks",
                                                             "conversation_id": conversation_id}),
        call(stack, "DELETE", "/api/conversations/{id}", conversation, headers=mine),
        call(stack, "POST", "/api/mcp", headers=bearer(mcp_token), json=tool_call("list_tasks", {})),
    ]


def test_replayed_refresh_token_and_internal_errors(make_stack):
    stack = make_stack({"REFRESH_GRACE_SECONDS": "0"})
    _, _, first = signed_up(stack)
    with_first = {**JSON_HEADERS, "Cookie": f"refresh_token={first}"}
    assert call(stack, "POST", "/api/auth/refresh", headers=with_first).status_code == 200
    reused = call(stack, "POST", "/api/auth/refresh", headers=with_first)
    assert reused.status_code == 401 and error_code(reused) == "refresh_token_reused"

    # Tables the code expects are gone: every query on them fails with a server error, which must be a 500
    # `internal_error` naming the request id, and never the database's message. First the task and conversation
    # tables alone, so authentication still works and the failure is the stores' own.
    email, token, refresh_token = signed_up(stack)
    task_id = call(stack, "POST", "/api/tasks", headers=bearer(token), json={"title": "x"}).json()["id"]
    conversation_id = add_conversation(stack, email)
    grant = mcp_grant(stack, token)
    psql(stack.database_url, "ALTER TABLE tasks RENAME TO tasks_hidden; "
                             "ALTER TABLE messages RENAME TO messages_hidden; "
                             "ALTER TABLE conversations RENAME TO conversations_hidden")
    responses = task_and_conversation_operations(stack, token, grant["access_token"], task_id, conversation_id)
    psql(stack.database_url, "ALTER TABLE users RENAME TO users_hidden; "
                             "ALTER TABLE refresh_tokens RENAME TO refresh_tokens_hidden; "
                             "ALTER TABLE sessions RENAME TO sessions_hidden; "
                             "ALTER TABLE auth_events RENAME TO auth_events_hidden; "
                             "ALTER TABLE password_reset_tokens RENAME TO password_reset_tokens_hidden; "
                             "ALTER TABLE email_verification_tokens RENAME TO email_verification_tokens_hidden; "
                             # A reset request looks the address up after its answer: what can fail before it is
                             # the rate limit's upsert.
                             "ALTER TABLE rate_limit_counters RENAME TO rate_limit_counters_hidden; "
                             "ALTER TABLE oauth_clients RENAME TO oauth_clients_hidden; "
                             "ALTER TABLE oauth_authorization_requests RENAME TO oauth_authorization_requests_hidden; "
                             "ALTER TABLE oauth_authorization_codes RENAME TO oauth_authorization_codes_hidden")
    responses += auth_and_metrics_operations(stack, email, token, refresh_token)
    responses += oauth_operations(stack, token, grant["client_id"])
    for response in responses:
        assert response.status_code == 500, (response.url, response.status_code, response.text)
        assert response.json()["request_id"] == response.headers["X-Request-ID"]
        assert "hidden" not in response.text and "relation" not in response.text


def auth_and_metrics_operations(stack, email, token, refresh_token):
    """One call of every auth operation and of /metrics, for the tests that break the database."""
    with_cookie = {**JSON_HEADERS, "Cookie": f"refresh_token={refresh_token}"}
    return [
        call(stack, "POST", "/api/auth/register", json={"email": unique_email(), "password": PASSWORD}),
        call(stack, "POST", "/api/auth/login", json={"email": email, "password": PASSWORD}),
        call(stack, "POST", "/api/auth/refresh", headers=with_cookie),
        call(stack, "POST", "/api/auth/logout", headers=with_cookie),
        call(stack, "GET", "/api/auth/me", headers=bearer(token)),
        call(stack, "GET", "/api/auth/sessions", headers=bearer(token)),
        call(stack, "DELETE", "/api/auth/sessions/{id}", {"id": SAMPLE_ID}, headers=bearer(token)),
        call(stack, "POST", "/api/auth/logout-all", headers=bearer(token)),
        call(stack, "POST", "/api/auth/password", headers=bearer(token),
             json={"current_password": PASSWORD, "new_password": "a brand new password"}),
        call(stack, "POST", "/api/auth/password-reset", json={"email": email}),
        call(stack, "POST", "/api/auth/password-reset/confirm",
             json={"token": "A" * 43, "new_password": "a brand new password"}),
        call(stack, "POST", "/api/auth/verify-email", json={"token": "A" * 43}),
        call(stack, "POST", "/api/auth/verify-email/resend", headers=bearer(token)),
        call(stack, "GET", "/api/auth/account/export", headers=bearer(token)),
        call(stack, "DELETE", "/api/auth/account", headers=bearer(token), json={"password": PASSWORD}),
        call(stack, "GET", "/metrics"),
    ]


def oauth_operations(stack, token, client_id):
    """One call of every OAuth operation that reads the database, for the tests that break it."""
    mine = bearer(token)
    request = {"id": SAMPLE_ID}
    return [
        call(stack, "POST", "/api/oauth/register", json={"redirect_uris": [REDIRECT_URI]}),
        call(stack, "GET", "/api/oauth/authorize", params=authorization_query(stack, client_id), allow_redirects=False),
        call(stack, "POST", "/api/oauth/token", data={"grant_type": "refresh_token", "refresh_token": "A" * 43,
                                                      "client_id": client_id}),
        call(stack, "POST", "/api/oauth/revoke", data={"token": "A" * 43, "client_id": client_id}),
        call(stack, "GET", "/api/oauth/authorization-requests/{id}", request, headers=mine),
        call(stack, "POST", "/api/oauth/authorization-requests/{id}", request, headers=mine, json=ALLOW),
        call(stack, "GET", "/api/auth/apps", headers=mine),
        call(stack, "DELETE", "/api/auth/apps/{id}", request, headers=mine),
    ]


def test_database_and_pool_outages_answer_503(make_stack, private_postgres):
    stack = make_stack(database_url=create_database(private_postgres.admin_url))
    email, token, refresh_token = signed_up(stack)
    task_id = call(stack, "POST", "/api/tasks", headers=bearer(token), json={"title": "x"}).json()["id"]
    conversation_id = add_conversation(stack, email)
    grant = mcp_grant(stack, token)

    def every_operation():
        return (
            [call(stack, "GET", "/api/health")]
            + auth_and_metrics_operations(stack, email, token, refresh_token)
            + oauth_operations(stack, token, grant["client_id"])
            + task_and_conversation_operations(stack, token, grant["access_token"], task_id, conversation_id))

    private_postgres.stop()
    responses = every_operation()
    for response in responses:
        assert response.status_code == 503, (response.url, response.status_code, response.text)
    assert responses[0].json() == {"status": "degraded", "database": "unavailable"}
    assert call(stack, "GET", "/api/openapi.json").status_code == 200, "the document needs no database"
    for path in DISCOVERY_PATHS:
        assert call(stack, "GET", path).status_code == 200, "the discovery documents need none either"
        assert call(stack, "OPTIONS", path).status_code == 204

    stack.pool.send_signal(signal.SIGTERM)
    stack.pool.wait(timeout=30)
    for response in every_operation() + [call(stack, "GET", path) for path in ["/api/openapi.json", *DISCOVERY_PATHS]]:
        assert response.status_code == 502 and error_code(response) == "upstream_unavailable", response.url
        assert response.json()["request_id"] == response.headers["X-Request-ID"], response.url


# Coverage: runs last (pytest keeps file order)

def test_every_documented_response_was_seen(request):
    module = sys.modules[__name__]
    selected = {item.originalname for item in request.session.items if item.module is module}
    everything = {name for name in dir(module) if name.startswith("test_")}
    if selected != everything:
        pytest.skip("needs every test of this module in the run")
    if request.session.testsfailed:
        pytest.skip("another test failed, so some responses were not reached")
    documented = {(path, method, int(status)) for path, method in operations()
                  for status in DOCUMENT["paths"][path][method.lower()]["responses"]}
    assert not (set(NOT_PROVOKED) - documented), "NOT_PROVOKED names a response the document does not have"
    missing = sorted(documented - SEEN - set(NOT_PROVOKED))
    assert not missing, f"documented but never provoked (provoke them, or explain in NOT_PROVOKED): {missing}"
