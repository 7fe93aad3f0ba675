"""Schemathesis hooks for the contract test (test_contract.py): how each generated case is authenticated.

Loaded by `schemathesis run` through SCHEMATHESIS_HOOKS; the stack to sign up on comes from CONTRACT_BASE_URL and
CONTRACT_CA_FILE. Most operations share one session, signed in once; its account has allowed one MCP client, so the
connected-apps list has an app to revoke. The operations that can end a session (logout, logout-all, revoking a
session, changing the password, deleting the account) and refresh, whose refresh token is single-use, get a new
account with a new session for every case, so one case never turns the next into a 401. `/api/mcp` takes only an
MCP access token and every other route only a browser's, so its cases share an MCP token of an account of their
own, from the OAuth flow that api.py drives. Two rules that JSON Schema cannot state are kept to as well: the
common-password list and MCP batches. And a schema cannot know which clients exist: a schema-valid case of the
authorization, token and revocation endpoints names a registered client, so it reaches the checks behind
`invalid_client`.
"""

import os
import sys
import uuid
from pathlib import Path

import requests
import schemathesis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from api import mcp_grant, mcp_token, register_client  # noqa: E402  (Tests/e2e, where api.py lives, is no package)

BASE_URL = os.environ["CONTRACT_BASE_URL"]
CA_FILE = os.environ["CONTRACT_CA_FILE"]
PASSWORD = "correct horse battery staple"
REPOSITORY = Path(__file__).resolve().parents[3]
COMMON_PASSWORDS_FILE = REPOSITORY / "Sources/Auth/Password/CommonPasswords/common-passwords.txt"
# Lower-cased as PasswordPolicy lower-cases (Swift's lowercased()); for these ASCII entries Python's lower() agrees.
COMMON_PASSWORDS = frozenset(line.lower() for line in COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines())
NEW_PASSWORD_FIELDS = {("POST", "/api/auth/register"): "password", ("POST", "/api/auth/password"): "new_password",
                       ("POST", "/api/auth/password-reset/confirm"): "new_password"}


class Site:
    """The contract run's stack as api.py's helpers talk to one (`url`, `get`, `post`)."""

    def __init__(self):
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = CA_FILE

    def url(self, path: str) -> str:
        return BASE_URL + path

    def request(self, method: str, path: str, **arguments) -> requests.Response:
        return self.session.request(method, self.url(path), timeout=30, **arguments)

    def get(self, path: str, **arguments) -> requests.Response:
        return self.request("GET", path, **arguments)

    def post(self, path: str, **arguments) -> requests.Response:
        return self.request("POST", path, **arguments)


SITE = Site()


def signed_in_account() -> tuple[str, str]:
    """Registers a new account and signs it in; returns its (access token, refresh token)."""
    email = f"contract-{uuid.uuid4().hex[:12]}@example.com"
    credentials = {"email": email, "password": PASSWORD}
    requests.post(f"{BASE_URL}/api/auth/register", json=credentials, verify=CA_FILE).raise_for_status()
    signed_in = requests.post(f"{BASE_URL}/api/auth/login", json=credentials, verify=CA_FILE)
    signed_in.raise_for_status()
    return signed_in.json()["access_token"], signed_in.cookies["refresh_token"]


SESSION_ENDING = {
    ("POST", "/api/auth/logout"), ("POST", "/api/auth/logout-all"), ("POST", "/api/auth/password"),
    ("POST", "/api/auth/refresh"), ("DELETE", "/api/auth/sessions/{id}"), ("DELETE", "/api/auth/account"),
}


def ends_a_session(ctx) -> bool:
    return (ctx.operation.method.upper(), ctx.operation.path) in SESSION_ENDING


def is_mcp(ctx) -> bool:
    return ctx.operation.path == "/api/mcp"


def shares_the_session(ctx) -> bool:
    return not ends_a_session(ctx) and not is_mcp(ctx)


def security_schemes(case) -> set[str]:
    return {name for requirement in case.operation.definition.raw.get("security", []) for name in requirement}


def authenticate(case, tokens: tuple[str, str]) -> None:
    access_token, refresh_token = tokens
    schemes = security_schemes(case)
    if "bearerAuth" in schemes:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {access_token}"}
    if "refreshCookie" in schemes:
        case.cookies = {**(case.cookies or {}), "refresh_token": refresh_token}


class SignedInAccount:
    """Signs each case in with a new account's tokens; the registrations below decide how often one is made."""

    def get(self, case, ctx):
        return signed_in_account()

    def set(self, case, data, ctx):
        authenticate(case, data)


@schemathesis.auth().apply_to(shares_the_session)
class SharedSession(SignedInAccount):
    """One account for every case that cannot end its session, signed in again when a case answers 401. It allows
    an MCP client once, so that `listConnectedApps` lists an app whose link `revokeConnectedApp` can follow."""

    def get(self, case, ctx):
        tokens = signed_in_account()
        mcp_grant(SITE, tokens[0], scope="tasks:read")
        return tokens


@schemathesis.auth(refresh_interval=None).apply_to(ends_a_session)
class FreshSession(SignedInAccount):
    """A new account and session for every case."""


@schemathesis.auth().apply_to(is_mcp)
class MCPGrant:
    """One MCP access token (both scopes) of an account of its own for every `/api/mcp` case, obtained again when a
    case answers 401 and before it expires (it lives 5 minutes; the cache keeps it 300 s at most)."""

    def get(self, case, ctx):
        return mcp_token(SITE, signed_in_account()[0])

    def set(self, case, data, ctx):
        if "mcpOAuth" in security_schemes(case):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


CLIENT_NAMING = {("GET", "/api/oauth/authorize"), ("POST", "/api/oauth/token"), ("POST", "/api/oauth/revoke")}
_registered_client: list[str] = []


def registered_client_id() -> str:
    """One client of the run's, registered when a case first needs it."""
    if not _registered_client:
        _registered_client.append(register_client(SITE, name="Contract client"))
    return _registered_client[0]


def is_positive(case) -> bool:
    return case.meta is None or case.meta.generation.mode.is_positive


def name_a_registered_client(case) -> None:
    """A schema-valid `client_id` is still one nobody registered (401 `invalid_client`, before anything else is
    looked at); the case gets a real one instead, so the grant, redirect and revocation rules are what it tests."""
    if (case.operation.method.upper(), case.operation.path) not in CLIENT_NAMING or not is_positive(case):
        return
    parameters = case.query if case.operation.method.upper() == "GET" else case.body
    if isinstance(parameters, dict):
        parameters["client_id"] = registered_client_id()


def has_common_new_password(case) -> bool:
    """Whether a schema-valid case sets a new password that is on the common-password list: the server refuses it
    (400), by a rule the document states in words only, so schemathesis would report valid data rejected. Its
    boundary values hit the list (`00000000` is on it), so such cases are not sent; test_auth.py, test_openapi.py
    and the Swift tests check the refusal itself."""
    field = NEW_PASSWORD_FIELDS.get((case.operation.method.upper(), case.operation.path))
    if field is None or not isinstance(case.body, dict) or not isinstance(case.body.get(field), str):
        return False
    return is_positive(case) and case.body[field].lower() in COMMON_PASSWORDS


@schemathesis.hook
def filter_case(ctx, case):
    return not has_common_new_password(case)


@schemathesis.hook
def before_add_examples(ctx, examples):
    """The examples phase does not pass through `filter_case`."""
    examples[:] = [case for case in examples if not has_common_new_password(case)]


@schemathesis.hook
def map_case(ctx, case):
    """A batch exists only under MCP revision 2025-03-26, a rule between a header and the body that JSON Schema
    cannot state (the document says it in words): a generated batch is sent as that revision. Refusals under
    later revisions are tested by test_mcp.py. And OAuth cases name a registered client (above)."""
    batch = case.operation.path == "/api/mcp" and isinstance(case.body, list)
    if batch and "MCP-Protocol-Version" in (case.headers or {}):
        case.headers["MCP-Protocol-Version"] = "2025-03-26"
    name_a_registered_client(case)
    return case
