"""Small helpers for talking to the auth API the way the browser front end does."""

import uuid
from http.cookies import SimpleCookie

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
