"""Small helpers for talking to the auth API the way the browser front end does."""

import uuid
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

from stack import wait_until

PASSWORD = "correct horse battery staple"


def unique_email(prefix="user"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def set_cookies(response):
    """Every Set-Cookie of a response, parsed, by cookie name (requests folds repeated headers)."""
    cookies = {}
    for header in response.raw.headers.getlist("Set-Cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            cookies[name] = morsel
    return cookies


def refresh_cookie_value(response):
    return set_cookies(response)["refresh_token"].value


def register(stack, email=None, password=PASSWORD, **arguments):
    return stack.post("/api/auth/register", json={"email": email or unique_email(), "password": password},
                      **arguments)


def login(stack, email, password=PASSWORD, **arguments):
    return stack.post("/api/auth/login", json={"email": email, "password": password}, **arguments)


def signed_up(stack, email=None):
    """Registers and logs in; returns (email, access token, refresh token)."""
    email = email or unique_email()
    assert register(stack, email).status_code == 201
    response = login(stack, email)
    assert response.status_code == 200, response.text
    return email, response.json()["access_token"], refresh_cookie_value(response)


def refresh(stack, refresh_token, headers=None):
    return stack.post("/api/auth/refresh", headers={"Content-Type": "application/json",
                                                     "Cookie": f"refresh_token={refresh_token}", **(headers or {})})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def answers_until(send, finished, timeout=30, interval=0.1):
    """Sends `send()` again and again until `finished(answer)`, for a refusal that ends when its time is up (a
    rate-limit window, a grace interval, a token's lifetime); returns every answer, the finished one last."""
    answers = []

    def answered_as_expected():
        answers.append(send())
        return finished(answers[-1])

    assert wait_until(answered_as_expected, timeout, interval), f"still {answers[-1].status_code} after {timeout} s"
    return answers


# The OAuth flow of an MCP client (docs/oauth.md), driven over plain HTTP for the tests that need an MCP token and
# are not about the flow itself; test_oauth.py drives it with the official SDK and Chromium instead.
REDIRECT_URI = "http://127.0.0.1:33418/callback"
# RFC 7636 Appendix B: a verifier and its S256 challenge.
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def register_client(stack, name="Test client", redirect_uris=(REDIRECT_URI,), **metadata):
    """Registers a public client (RFC 7591); returns its client_id."""
    response = stack.post("/api/oauth/register",
                          json={"client_name": name, "redirect_uris": list(redirect_uris), **metadata})
    assert response.status_code == 201, response.text
    return response.json()["client_id"]


def authorization_query(stack, client_id, scope=None, state="xyz", redirect_uri=REDIRECT_URI, **overrides):
    """The parameters of an authorization request that passes every check, with `overrides` (None removes one)."""
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
             "code_challenge": CHALLENGE, "code_challenge_method": "S256", "state": state,
             "resource": stack.url("/api/mcp")}
    if scope is not None:
        query["scope"] = scope
    query.update(overrides)
    return {name: value for name, value in query.items() if value is not None}


def query_of(url):
    """The parameters of a URL's query, one value each."""
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def consent_request_id(stack, client_id, **query):
    """Starts an authorization; returns the id of the request the consent page would show."""
    response = stack.get("/api/oauth/authorize", params=authorization_query(stack, client_id, **query),
                         allow_redirects=False)
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(stack.url("/consent?request=")), location
    return query_of(location)["request"]


def authorization_code(stack, client_id, browser_token, decision="allow", **query):
    """Runs authorization and the person's consent; returns the redirect's parameters (code, state, iss)."""
    request_id = consent_request_id(stack, client_id, **query)
    response = stack.post(f"/api/oauth/authorization-requests/{request_id}", headers=bearer(browser_token),
                          json={"decision": decision})
    assert response.status_code == 200, response.text
    return query_of(response.json()["redirect_to"])


def exchange_code(stack, client_id, code, verifier=VERIFIER, redirect_uri=REDIRECT_URI, **extra):
    return stack.post("/api/oauth/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "client_id": client_id,
        "code_verifier": verifier, "resource": stack.url("/api/mcp"), **extra})


def mcp_grant(stack, browser_token, scope=None, client_id=None):
    """A new grant to a (new) client for the person of `browser_token`: the token endpoint's JSON answer, with
    `client_id` added."""
    client_id = client_id or register_client(stack)
    code = authorization_code(stack, client_id, browser_token, scope=scope)["code"]
    response = exchange_code(stack, client_id, code)
    assert response.status_code == 200, response.text
    return {**response.json(), "client_id": client_id}


def mcp_token(stack, browser_token, scope=None):
    """An MCP access token of a new grant for the person of `browser_token`."""
    return mcp_grant(stack, browser_token, scope)["access_token"]
