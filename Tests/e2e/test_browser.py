"""The browser front end end to end: Debian's headless Chromium drives the real pages through nginx over HTTPS,
against the real pool and PostgreSQL. Every browser test also proves that no token or password reaches storage,
a URL or the console, that no page throws, and that the only console errors are the API's deliberate 4xx."""

import email
import email.policy
import hashlib
import json
import re
import shutil
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from api import PASSWORD, answers_until, bearer, login, refresh, refresh_cookie_value, register, unique_email
from stack import REPOSITORY, build_public, served_public, wait_until

PUBLIC = REPOSITORY / "public"
PAGES = ["index.html", "login.html", "register.html", "forgot-password.html", "reset-password.html",
         "verify-email.html", "account.html", "consent.html", "404.html"]
SCREENSHOTS = REPOSITORY / "test-artifacts" / "screenshots"
WRONG_PASSWORD = "not the password at all"
NEW_PASSWORD = "a brand new passphrase 7"
PHONE = {"width": 390, "height": 844}
# What Chromium's console says about an API call answered with an error status, which the tests cause on purpose
# (4xx; a test that makes the service look busy adds 503). Any other console error is a bug: a CSP violation, a
# missing asset or favicon, a script error.
API_ERROR_STATUS = "Failed to load resource: the server responded with a status of "


class BrowserWatch:
    """Everything the browser showed during a test: console lines, uncaught errors, every URL it loaded or
    navigated to, and the secrets it handled (every access token it sent, every refresh cookie it got)."""

    def __init__(self, context: BrowserContext):
        self.context = context
        self.pages: list[Page] = []
        self.console: list[tuple[str, str, str]] = []
        self.page_errors: list[str] = []
        self.urls: list[str] = []
        self.secrets = {PASSWORD, WRONG_PASSWORD, NEW_PASSWORD}
        self.last_access_token = ""
        self.responses: list[tuple[str, str, int]] = []
        self.deliberate_statuses = r"4\d\d"
        # Pages a test opens knowing that they do not exist (nginx's 404 page).
        self.missing_pages: set[str] = set()

    def watch(self, page: Page) -> None:
        self.pages.append(page)
        page.on("console", lambda message: self.console.append(
            (message.type, message.text, message.location.get("url", ""))))
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("framenavigated", lambda frame: self.urls.append(frame.url))
        page.on("request", self.saw_request)
        page.on("response", self.saw_response)

    def saw_request(self, request) -> None:
        self.urls.append(request.url)
        authorization = request.headers.get("authorization")
        if authorization:
            self.last_access_token = authorization.removeprefix("Bearer ")
            self.secrets.add(self.last_access_token)

    def saw_response(self, response) -> None:
        path = re.sub(r"^https://[^/]+", "", response.url)
        self.responses.append((response.request.method, path, response.status))
        # all_headers(): `headers` leaves out the cookie headers.
        cookie = response.all_headers().get("set-cookie", "") if path.startswith("/api/auth/") else ""
        token = re.search(r"refresh_token=([^;]+)", cookie)
        if token and token.group(1):
            self.secrets.add(token.group(1))

    def api_calls_since(self, start: int) -> list[tuple[str, str, int]]:
        return [call for call in self.responses[start:] if call[1].startswith("/api/")]

    def assert_nothing_leaked(self) -> None:
        for cookie in self.context.cookies():
            self.secrets.add(cookie["value"])
        storage = [page.evaluate("() => [{...localStorage}, {...sessionStorage}, document.cookie]")
                   for page in self.pages if not page.is_closed() and page.url.startswith("https://")]
        assert all(state == [{}, {}, ""] for state in storage), "the front end keeps nothing in storage or JS cookies"
        assert self.page_errors == []
        unexpected = [(text, url) for kind, text, url in self.console if kind == "error"
                      and not (re.search(API_ERROR_STATUS + f"(?:{self.deliberate_statuses})", text)
                               and "/api/" in url)
                      and not (text.startswith(API_ERROR_STATUS + "404") and url in self.missing_pages)]
        assert unexpected == []
        exposed = self.urls + [text for _, text, _ in self.console] + self.page_errors
        for secret in self.secrets:
            assert not any(secret in text for text in exposed), "a token or password reached a URL or the console"


@pytest.fixture
def browser_watch(context: BrowserContext, page: Page):
    watch = BrowserWatch(context)
    watch.watch(page)
    context.on("page", watch.watch)
    yield watch
    watch.assert_nothing_leaked()


# Steps ----------------------------------------------------------------------------------------------------------

def register_in_browser(page: Page, stack, email: str) -> None:
    page.goto(stack.url("/register"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(stack.url("/"))
    expect(page.locator("#signed-in-email")).to_have_text(email)


def sign_in_in_browser(page: Page, stack, email: str, password: str = PASSWORD) -> None:
    page.goto(stack.url("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signed-in-email")).to_have_text(email)


def say(page: Page, text: str) -> None:
    """Sends a chat message with Enter and waits for the agent's reply."""
    replies = page.locator("#messages .message.assistant:not(.pending)")
    answered = replies.count()
    message = page.get_by_label("Message", exact=True)
    message.fill(text)
    message.press("Enter")
    expect(replies).to_have_count(answered + 1)


def signed_in_context(context: BrowserContext, stack, email: str) -> None:
    """Signs in through the API and hands the refresh cookie to the browser, as a sign-in page would leave it."""
    response = login(stack, email)
    assert response.status_code == 200, response.text
    context.add_cookies([{"name": "refresh_token", "value": refresh_cookie_value(response), "domain": "localhost",
                          "path": "/api/auth", "httpOnly": True, "secure": True, "sameSite": "Strict"}])


def wait_until_expired(stack, access_token: str) -> None:
    """Waits until the API refuses `access_token`: its lifetime is over on the server's clock."""
    answers_until(lambda: stack.get("/api/auth/me", headers=bearer(access_token)),
                  lambda answer: answer.status_code == 401)


def chat_through_api(stack, email: str, messages: list[str]) -> None:
    token = login(stack, email).json()["access_token"]
    conversation = None
    for message in messages:
        body = {"message": message} | ({"conversation_id": conversation} if conversation else {})
        response = stack.post("/api/chat", json=body, headers=bearer(token))
        assert response.status_code == 200, response.text
        conversation = response.json()["conversation_id"]


def mailed_links(stack, address: str, page: str, count: int = 1) -> list[str]:
    """The links to `page` ("/reset-password") in the messages for `address`, oldest first, once there are
    `count` of them: `fcgi-app mail` writes every message as an .eml file in the stack's mail folder when no
    SMTP_URL is set (the sign-up's verification message is there too)."""
    folder = stack.directory / "mail"
    links = []

    def written():
        links.clear()
        for path in sorted(folder.glob("*.eml"), key=lambda path: path.stat().st_mtime):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["To"] == address:
                body = message.get_body(preferencelist=("plain",)).get_content()
                links.extend(word for word in body.split() if f"{page}#token=" in word)
        return len(links) >= count

    assert wait_until(written, timeout=30), f"fewer than {count} messages for {address} with a link to {page}"
    return links


def mailed_link(stack, address: str, page: str) -> str:
    """The link to `page` in the newest message for `address` that has one, once there is one."""
    return mailed_links(stack, address, page)[-1]


def links_mailed_by_a_sender(stack, address: str, page: str, count: int = 1) -> list[str]:
    """Runs a mail sender (drop mode: .eml files) until `count` messages for `address` link to `page`; their
    links, oldest first."""
    sender = stack.start_mail_sender()
    try:
        return mailed_links(stack, address, page, count)
    finally:
        sender.terminate()
        sender.wait(timeout=30)


def fill_fields(page: Page, values: dict[str, str]) -> None:
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)


# The journeys ---------------------------------------------------------------------------------------------------

def test_register_chat_reload_and_logout(browser_watch, page, shared_stack):
    stack, email = shared_stack, unique_email("web")
    register_in_browser(page, stack, email)
    pending, done = page.locator("#pending-tasks"), page.locator("#done-tasks")

    say(page, "add buy milk")
    expect(pending.locator(".task-title")).to_have_text(["buy milk"])
    expect(page.locator("#messages .tool-call code")).to_have_text(["add_task"])
    say(page, "mark buy milk done")
    expect(done.locator(".task-title")).to_have_text(["buy milk"])
    expect(pending.locator(".task")).to_have_count(0)

    page.reload()
    expect(page.locator("#signed-in-email")).to_have_text(email)
    expect(done.locator(".task-title")).to_have_text(["buy milk"])
    expect(page.locator("#messages .message.user .bubble")).to_have_text(["add buy milk", "mark buy milk done"])
    expect(page.locator("#conversation-list .conversation-title")).to_have_text(["add buy milk"])

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(stack.url("/login"))
    page.goto(stack.url("/"))
    expect(page).to_have_url(stack.url("/login"))


def test_sign_in_and_registration_show_the_apis_errors(browser_watch, page, shared_stack):
    stack = shared_stack
    email = unique_email("taken")
    assert register(stack, email).status_code == 201

    # The button is disabled and says what is happening while the answer is on its way.
    held = []
    page.route("**/api/auth/login", lambda route: held.append(route))
    page.goto(stack.url("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(WRONG_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Signing in…")).to_be_disabled()
    expect(page.locator("form")).to_have_attribute("aria-busy", "true")
    held[0].continue_()
    page.unroute("**/api/auth/login")
    expect(page.get_by_role("alert")).to_have_text("The email or password is incorrect.")
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    expect(page).to_have_url(stack.url("/login"))

    page.goto(stack.url("/register"))
    expect(page.locator("#password-hint")).to_contain_text("8 to 256 characters")
    page.get_by_label("Email").fill(unique_email("weak"))
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#password-error")).to_have_text("Password must be at least 8 characters long.")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_be_hidden()
    page.get_by_label("Password").fill("Password1")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#password-error")).to_have_text(
        "Password is too common: it is on a list of the 10,000 most used passwords; choose another.")

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_have_text("An account with this email already exists.")
    expect(page.locator("#password-error")).to_be_hidden()
    expect(page).to_have_url(stack.url("/register"))


def refusal(status: int, code: str, message: str, retry_after: int | None = None) -> dict:
    """The arguments of `route.fulfill` for a refusal as the API gives it (busy, rate-limited, without mail)."""
    headers = {"Cache-Control": "no-store"} | ({"Retry-After": str(retry_after)} if retry_after is not None else {})
    return {"status": status, "headers": headers, "content_type": "application/json",
            "body": json.dumps({"error": {"code": code, "message": message}})}


def refusing(page: Page, pattern: str, answers: list[dict]) -> list:
    """Routes the requests to `pattern`: the first ones get `answers` (arguments of `route.fulfill`), in order, and
    the later ones go on to the server. Returns the list that collects the JSON body of each request sent."""
    sent = []

    def answer(route):
        sent.append(route.request.post_data_json)
        if len(sent) <= len(answers):
            route.fulfill(**answers[len(sent) - 1])
        else:
            route.continue_()

    page.route(pattern, answer)
    return sent


def test_a_busy_service_is_waited_out_once_and_what_was_typed_is_kept(browser_watch, page, shared_stack):
    browser_watch.deliberate_statuses = r"4\d\d|503"
    stack, email = shared_stack, unique_email("busy")
    assert register(stack, email).status_code == 201
    sent = refusing(page, "**/api/auth/login",
                    [refusal(503, "server_busy", "The service is busy. Please retry in 2 seconds.", 2)])
    page.goto(stack.url("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_have_text("The service is busy. Trying again in 2 seconds…")
    expect(page.get_by_role("button", name="Signing in…")).to_be_disabled()
    expect(page.get_by_label("Email")).to_have_value(email)
    expect(page.get_by_role("alert")).to_be_hidden()
    expect(page.locator("#signed-in-email")).to_have_text(email)
    assert sent == [{"email": email, "password": PASSWORD}] * 2


def test_a_second_refusal_or_a_long_wait_is_shown_and_nothing_typed_is_lost(browser_watch, page, shared_stack):
    browser_watch.deliberate_statuses = r"4\d\d|503"
    email = unique_email("refused")
    answers = [refusal(503, "server_busy", "The service is busy. Please retry in 1 seconds.", 1),
               refusal(503, "server_busy", "The service is busy. Please retry in 3 seconds.", 3),
               refusal(429, "rate_limited", "Too many attempts. Try again in 45 seconds.", 45)]
    sent = refusing(page, "**/api/auth/register", answers)
    page.goto(shared_stack.url("/register"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    create = page.get_by_role("button", name="Create account")
    create.click()
    # Busy twice: one retry by itself, then the server's own words, and the person may try again.
    expect(page.get_by_role("alert")).to_have_text("The service is busy. Please retry in 3 seconds.")
    expect(page.get_by_role("status")).to_be_hidden()
    expect(create).to_be_enabled()
    assert len(sent) == 2
    # A rate limit's minute is not waited out by the page: it says so at once.
    create.click()
    expect(page.get_by_role("alert")).to_have_text("Too many attempts. Try again in 45 seconds.")
    expect(create).to_be_enabled()
    assert sent == [{"email": email, "password": PASSWORD}] * 3
    expect(page.get_by_label("Email")).to_have_value(email)
    expect(page.get_by_label("Password")).to_have_value(PASSWORD)
    expect(page).to_have_url(shared_stack.url("/register"))


def test_expired_access_token_is_renewed_silently_and_a_revoked_session_signs_out(browser_watch, page,
                                                                                  make_stack):
    # No leeway, or the server would accept the token 30 s past its expiry. 3 s, not less: a renewed token must
    # outlive the retry and the reload after it on a busy machine.
    stack = make_stack({"ACCESS_TOKEN_TTL_SECONDS": "3", "JWT_LEEWAY_SECONDS": "0"})
    email = unique_email("expiry")
    # Fake timers: once paused, the renewal scheduled before expiry never fires, so the expired token really
    # reaches the server and the 401 path is what recovers.
    page.clock.install()
    register_in_browser(page, stack, email)
    say(page, "add buy milk")
    say(page, "add call mom")
    page.clock.pause_at(datetime.now() + timedelta(seconds=1))

    wait_until_expired(stack, browser_watch.last_access_token)
    start = len(browser_watch.responses)
    page.get_by_role("checkbox", name="buy milk").check()
    expect(page.locator("#done-tasks .task-title")).to_have_text(["buy milk"])
    calls = browser_watch.api_calls_since(start)
    complete = [call for call in calls if call[1].endswith("/complete")]
    assert [status for _, _, status in complete] == [401, 200], calls
    assert calls.count(("POST", "/api/auth/refresh", 200)) == 1, calls
    expect(page).to_have_url(stack.url("/"))

    # Two requests meet the expired token at once: they share one refresh.
    wait_until_expired(stack, browser_watch.last_access_token)
    start = len(browser_watch.responses)
    session_module = page.locator("script[type=module]").get_attribute("src").replace("chat-page.js", "session.js")
    page.evaluate("""async (session) => {
        const { api } = await import(session);
        await Promise.all([api("GET", "/api/tasks"), api("GET", "/api/conversations")]);
    }""", session_module)
    calls = browser_watch.api_calls_since(start)
    assert sum(1 for call in calls if call[2] == 401) == 2, calls
    assert calls.count(("POST", "/api/auth/refresh", 200)) == 1, calls

    token = login(stack, email).json()["access_token"]
    browser_watch.secrets.add(token)
    assert stack.post("/api/auth/logout-all", headers=bearer(token)).status_code == 204
    page.get_by_role("button", name="Delete task 2: call mom").click()
    expect(page).to_have_url(stack.url("/login"))


def test_logout_in_one_tab_signs_out_the_other_and_a_sign_in_brings_it_back(browser_watch, page, shared_stack,
                                                                            context):
    first, stack, email = page, shared_stack, unique_email("tabs")
    register_in_browser(first, stack, email)
    second = context.new_page()
    second.goto(stack.url("/"))
    expect(second.locator("#signed-in-email")).to_have_text(email)

    second.get_by_role("button", name="Log out").click()
    expect(second).to_have_url(stack.url("/login"))
    expect(first).to_have_url(stack.url("/login"))

    first.get_by_label("Email").fill(email)
    first.get_by_label("Password").fill(PASSWORD)
    first.get_by_role("button", name="Sign in").click()
    expect(first.locator("#signed-in-email")).to_have_text(email)
    expect(second).to_have_url(stack.url("/"))
    expect(second.locator("#signed-in-email")).to_have_text(email)


def test_conversations_switch_start_and_delete_with_screenshots(browser_watch, page, shared_stack, context):
    stack, email = shared_stack, unique_email("screens")
    assert register(stack, email).status_code == 201
    chat_through_api(stack, email, ["add water the plants"])
    chat_through_api(stack, email, ["add buy milk", "remind me to call mom tomorrow",
                                    "add book the dentist for next week", "mark buy milk done", "show my tasks"])
    signed_in_context(context, stack, email)
    page.goto(stack.url("/"))
    expect(page.locator("#messages .message.assistant .bubble")).to_have_count(5)
    expect(page.locator("#pending-tasks .task")).to_have_count(3)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "chat-desktop-1280x800.png")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#tasks")).to_be_hidden()
    page.screenshot(path=SCREENSHOTS / "chat-phone-390x844.png")
    page.get_by_role("button", name="Tasks").click()
    expect(page.locator("#pending-tasks")).to_be_visible()
    expect(page.locator("#messages")).to_be_hidden()
    page.screenshot(path=SCREENSHOTS / "tasks-phone-390x844.png")
    page.get_by_role("button", name="Conversations").click()
    page.get_by_role("button", name=re.compile("^add water the plants")).click()
    expect(page.locator("#messages .message.user .bubble")).to_have_text(["add water the plants"])
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="New").click()
    expect(page.locator("#messages .examples button")).to_have_count(3)
    say(page, "add pay rent")
    expect(page.locator("#conversation-list .conversation-title")).to_have_text(
        ["add pay rent", "add buy milk", "add water the plants"])
    expect(page.locator("#conversation-list [aria-current=true]")).to_have_text(re.compile("add pay rent"))
    page.get_by_role("button", name="Delete conversation: add pay rent").click()
    expect(page.locator("#conversation-list .conversation-title")).to_have_text(
        ["add buy milk", "add water the plants"])
    expect(page.locator("#messages .examples")).to_be_visible()


def test_sidebar_shows_every_task_beyond_one_page(browser_watch, page, shared_stack, context):
    stack, email = shared_stack, unique_email("many")
    assert register(stack, email).status_code == 201
    token = login(stack, email).json()["access_token"]
    # The API pages at 200 at most; one more makes the sidebar follow next_cursor.
    for number in range(1, 202):
        response = stack.post("/api/tasks", json={"title": f"errand {number}"}, headers=bearer(token))
        assert response.status_code == 201, response.text
    signed_in_context(context, stack, email)
    page.goto(stack.url("/"))
    expect(page.locator("#pending-tasks .task")).to_have_count(201)
    expect(page.locator("#pending-tasks .task-title").last).to_have_text("errand 201")


def test_a_forgotten_password_is_reset_through_the_mailed_link_and_the_link_works_once(browser_watch, page,
                                                                                       shared_stack):
    browser_watch.deliberate_statuses = r"4\d\d|503"
    stack, address = shared_stack, unique_email("forgot")
    assert register(stack, address).status_code == 201
    other_device = refresh_cookie_value(login(stack, address))
    sender = stack.start_mail_sender()
    try:
        page.goto(stack.url("/login"))
        page.get_by_role("link", name="Forgot your password?").click()
        expect(page).to_have_url(stack.url("/forgot-password"))
        page.get_by_label("Email").fill(address)
        page.get_by_role("button", name="Send the link").click()
        expect(page.get_by_role("status")).to_have_text(
            "If an account exists for this address, a link to reset its password is on its way.")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "forgot-password-desktop-1280x800.png")
        link = mailed_link(stack, address, "/reset-password")
    finally:
        sender.terminate()
        sender.wait(timeout=30)
    token = link.split("#token=", 1)[1]
    assert link.startswith(stack.url("/reset-password#token=")) and len(token) == 43

    # The page takes the token out of the address bar, and sends it only in the body.
    page.goto(link)
    expect(page).to_have_url(stack.url("/reset-password"))
    assert page.evaluate("location.hash") == "" and "token" not in page.evaluate("history.state ?? ''")
    fill_fields(page, {"New password": NEW_PASSWORD, "Confirm new password": NEW_PASSWORD + "!"})
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#confirm-password-error")).to_have_text("Confirm new password must match the new password.")
    fill_fields(page, {"New password": "short", "Confirm new password": "short"})
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#new-password-error")).to_have_text("New password must be at least 8 characters long.")
    expect(page.get_by_label("New password", exact=True)).to_have_attribute("aria-invalid", "true")

    # The confirmation hashes a password on the busy lane: a busy refusal is waited out once, as at sign-in.
    sent = refusing(page, "**/api/auth/password-reset/confirm",
                    [refusal(503, "server_busy", "The service is busy. Please retry in 1 seconds.", 1)])
    fill_fields(page, {"New password": NEW_PASSWORD, "Confirm new password": NEW_PASSWORD})
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("status")).to_have_text(
        "Your password was changed, and every device was signed out. Sign in with the new password.")
    assert sent == [{"token": token, "new_password": NEW_PASSWORD}] * 2
    page.screenshot(path=SCREENSHOTS / "reset-password-done-desktop-1280x800.png")
    assert refresh(stack, other_device).status_code == 401, "the other device was signed out"

    page.get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(stack.url("/login"))
    sign_in_in_browser(page, stack, address, NEW_PASSWORD)
    assert login(stack, address).status_code == 401, "the old password no longer works"

    # The link is spent: the page says so and offers a new one. Without a token it says what is missing.
    page.goto(link)
    fill_fields(page, {"New password": "x" + NEW_PASSWORD, "Confirm new password": "x" + NEW_PASSWORD})
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("alert")).to_have_text("This link is invalid or has expired. Ask for a new one.")
    expect(page.get_by_role("link", name="Ask for a new link")).to_have_attribute("href", "/forgot-password")
    expect(page.get_by_label("New password", exact=True)).to_have_count(0)
    page.goto(stack.url("/reset-password"))
    expect(page.get_by_role("alert")).to_contain_text("This page needs the link from the email we sent you.")
    page.get_by_role("link", name="Ask for a new link").click()
    expect(page).to_have_url(stack.url("/forgot-password"))
    assert login(stack, address, NEW_PASSWORD).status_code == 200


def test_the_forgotten_password_page_shows_a_rate_limit_and_a_server_without_mail_in_the_apis_words(
        browser_watch, page, shared_stack):
    browser_watch.deliberate_statuses = r"4\d\d|503"
    sent = refusing(page, "**/api/auth/password-reset", [
        refusal(429, "rate_limited", "Too many attempts. Try again in 45 seconds.", 45),
        refusal(503, "mail_unavailable",
                "This server sends no mail, so it cannot send a reset link. Ask its operator.")])
    address = unique_email("limited")
    page.goto(shared_stack.url("/forgot-password"))
    page.get_by_label("Email").fill(address)
    send = page.get_by_role("button", name="Send the link")
    send.click()
    expect(page.get_by_role("alert")).to_have_text("Too many attempts. Try again in 45 seconds.")
    expect(send).to_be_enabled()
    # Neither is waited out by the page: a server without mail will not have any a moment later either.
    send.click()
    expect(page.get_by_role("alert")).to_have_text(
        "This server sends no mail, so it cannot send a reset link. Ask its operator.")
    expect(send).to_be_enabled()
    expect(page.get_by_label("Email")).to_have_value(address)
    assert sent == [{"email": address}] * 2


def test_the_account_page_revokes_a_session_changes_the_password_and_signs_out_everywhere(browser_watch, page,
                                                                                          shared_stack):
    stack, address = shared_stack, unique_email("account")
    assert register(stack, address).status_code == 201
    elsewhere = login(stack, address)
    browser_watch.secrets.add(elsewhere.json()["access_token"])
    sign_in_in_browser(page, stack, address)
    page.get_by_role("link", name=f"Your account: {address}").click()
    expect(page).to_have_url(stack.url("/account"))
    expect(page.locator("#account-email")).to_have_text(address)
    # Nobody opened the verification link mailed at sign-up.
    expect(page.locator("#email-verified")).to_have_text("Not verified yet")
    sessions = page.locator("#session-list .session")
    expect(sessions).to_have_count(2)
    # This browser first, marked, and without a Revoke button (Log out is for that).
    expect(sessions.first).to_have_attribute("aria-current", "true")
    expect(sessions.first.locator(".session-device")).to_have_text("Chrome on Linux This device")
    expect(sessions.first.get_by_role("button")).to_have_count(0)
    expect(sessions.last.locator(".session-device")).to_have_text(re.compile(r"^python-requests/"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "account-desktop-1280x800.png", full_page=True)

    sessions.last.get_by_role("button", name=re.compile(r"^Revoke python-requests\/.*, signed in ")).click()
    expect(sessions).to_have_count(1)
    expect(page.locator("#sessions-heading")).to_be_focused()
    assert stack.get("/api/auth/me", headers=bearer(elsewhere.json()["access_token"])).status_code == 401
    assert refresh(stack, refresh_cookie_value(elsewhere)).status_code == 401, "the other session was revoked"

    third = refresh_cookie_value(login(stack, address))
    page.reload()
    expect(sessions).to_have_count(2)
    change = page.get_by_role("button", name="Change password")
    fill_fields(page, {"Current password": WRONG_PASSWORD, "New password": NEW_PASSWORD})
    change.click()
    expect(page.locator("#current-password-error")).to_have_text("The current password is incorrect.")
    expect(page.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")
    fill_fields(page, {"Current password": PASSWORD, "New password": "short"})
    change.click()
    expect(page.locator("#new-password-error")).to_have_text("New password must be at least 8 characters long.")
    expect(page.locator("#current-password-error")).to_be_hidden()
    fill_fields(page, {"New password": NEW_PASSWORD})
    change.click()
    expect(page.locator("#password-changed")).to_have_text(
        "Your password was changed. Every other device was signed out.")
    expect(page.get_by_label("Current password")).to_have_value("")
    expect(change).to_be_enabled()
    expect(sessions).to_have_count(1)
    assert refresh(stack, third).status_code == 401, "every other session was signed out"
    assert login(stack, address).status_code == 401
    last = login(stack, address, NEW_PASSWORD)
    assert last.status_code == 200

    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page).to_have_url(stack.url("/login"))
    assert refresh(stack, refresh_cookie_value(last)).status_code == 401, "every session ended, this one too"
    page.goto(stack.url("/account"))
    expect(page).to_have_url(stack.url("/login?next=%2Faccount"))


def test_the_account_page_shows_a_verified_address_and_no_badge_when_the_api_says_nothing(browser_watch, page,
                                                                                          shared_stack, context):
    stack, address = shared_stack, unique_email("verified")
    assert register(stack, address).status_code == 201
    signed_in_context(context, stack, address)

    def answering_me_with(verified: bool | None):
        def handle(route):
            answer = route.fetch()
            user = {name: value for name, value in answer.json().items() if name != "email_verified"}
            route.fulfill(response=answer, json=user | ({} if verified is None else {"email_verified": verified}))
        return handle

    for verified, text in [(True, "Verified"), (None, "")]:
        page.route("**/api/auth/me", answering_me_with(verified))
        page.goto(stack.url("/account"))
        expect(page.locator("#account-email")).to_have_text(address)
        if text:
            expect(page.locator("#email-verified")).to_have_text(text)
        else:
            expect(page.locator("#email-verified")).to_be_hidden()
        page.unroute("**/api/auth/me")


def test_the_mailed_verification_link_confirms_the_address_once(browser_watch, page, shared_stack):
    stack, address = shared_stack, unique_email("verify")
    register_in_browser(page, stack, address)
    [link] = links_mailed_by_a_sender(stack, address, "/verify-email")
    token = link.split("#token=", 1)[1]
    assert link.startswith(stack.url("/verify-email#token=")) and len(token) == 43

    # The token leaves the address bar before anything else, and goes only in the body.
    verifications = refusing(page, "**/api/auth/verify-email", [])
    page.goto(link)
    expect(page.get_by_role("status")).to_have_text("Your email address is confirmed. Thank you!")
    expect(page).to_have_url(stack.url("/verify-email"))
    assert page.evaluate("location.hash") == "" and "token" not in page.evaluate("history.state ?? ''")
    assert verifications == [{"token": token}]
    # This browser is signed in, so the page leads back to the chat.
    expect(page.get_by_role("link", name="Open the chat")).to_have_attribute("href", "/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "verify-email-desktop-1280x800.png")
    access_token = login(stack, address).json()["access_token"]
    browser_watch.secrets.add(access_token)
    assert stack.get("/api/auth/me", headers=bearer(access_token)).json()["email_verified"] is True

    page.goto(stack.url("/account"))
    expect(page.locator("#email-verified")).to_have_text("Verified")
    expect(page.get_by_role("button", name="Send a new link")).to_be_hidden()

    # The link works once; the page says how to get another.
    page.goto(link)
    expect(page.get_by_role("alert")).to_have_text("This link is invalid or has expired. Ask for a new one.")
    expect(page.locator(".outcome")).to_contain_text("sign in, open your account page and press “Send a new link”")
    expect(page.get_by_role("link", name="Open your account")).to_have_attribute("href", "/account")
    page.goto(stack.url("/verify-email"))
    expect(page.get_by_role("alert")).to_have_text(
        "This page needs the link from the email we sent you. Open that link again.")
    expect(page.get_by_role("link", name="Sign in")).to_have_attribute("href", "/login")


def test_the_account_page_sends_a_new_verification_link_and_shows_the_apis_refusals(browser_watch, page,
                                                                                    shared_stack, context):
    stack, address = shared_stack, unique_email("resend")
    assert register(stack, address).status_code == 201
    signed_in_context(context, stack, address)
    page.goto(stack.url("/account"))
    expect(page.locator("#email-verified")).to_have_text("Not verified yet")
    expect(page.locator("#verification-steps")).to_contain_text("open the link in the message we mailed you")
    resend = page.get_by_role("button", name="Send a new link")
    status = page.locator("#verification-status")

    refusing(page, "**/api/auth/verify-email/resend",
             [refusal(429, "rate_limited", "Too many attempts. Try again in 1800 seconds.", 1800)])
    resend.click()
    expect(status).to_have_text("Too many attempts. Try again in 1800 seconds.")
    expect(status).to_have_class("form-error")
    expect(resend).to_be_enabled()
    resend.click()
    expect(status).to_have_text("A new confirmation link is on its way.")
    expect(status).to_have_class("form-notice")
    first, second = links_mailed_by_a_sender(stack, address, "/verify-email", count=2)
    assert first != second, "the account page mailed a second, different link"

    # Confirmed elsewhere meanwhile (the newer link): the API says so, and the page shows it.
    assert stack.post("/api/auth/verify-email", json={"token": second.split("#token=", 1)[1]}).status_code == 204
    resend.click()
    expect(status).to_have_text("This email address is already confirmed.")
    expect(page.locator("#email-verified")).to_have_text("Verified")
    expect(resend).to_be_hidden()


def test_download_my_data_saves_the_export_as_a_json_file(browser_watch, page, shared_stack, context):
    stack, address = shared_stack, unique_email("export")
    assert register(stack, address).status_code == 201
    token = login(stack, address).json()["access_token"]
    browser_watch.secrets.add(token)
    assert stack.post("/api/tasks", json={"title": "water the plants"}, headers=bearer(token)).status_code == 201
    signed_in_context(context, stack, address)
    page.goto(stack.url("/account"))
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == "todo-chatbot-export.json"
    assert download.url.startswith("blob:https://localhost:")
    export = json.loads(Path(download.path()).read_text())
    assert export["account"]["email"] == address
    assert [task["title"] for task in export["tasks"]] == ["water the plants"]
    expect(page.locator("#download-status")).to_have_text("Your data was saved as todo-chatbot-export.json.")


def test_deleting_the_account_needs_its_password_and_a_ticked_confirmation(browser_watch, page, shared_stack,
                                                                           context):
    browser_watch.deliberate_statuses = r"4\d\d|503"
    stack, address = shared_stack, unique_email("delete")
    assert register(stack, address).status_code == 201
    signed_in_context(context, stack, address)
    page.goto(stack.url("/account"))
    delete = page.get_by_role("button", name="Delete my account")
    confirmation = page.get_by_label("I understand this deletes my account and all my tasks and conversations for good.")
    sent = refusing(page, "**/api/auth/account", [])

    # Not ticked: the page says so and sends nothing.
    page.get_by_label("Your password", exact=True).fill(PASSWORD)
    delete.click()
    expect(page.locator("#confirm-deletion-error")).to_have_text("Tick this box to confirm the deletion.")
    assert sent == []
    # The wrong password: the API's words under the field, and the account is still there.
    confirmation.check()
    page.get_by_label("Your password", exact=True).fill(WRONG_PASSWORD)
    delete.click()
    expect(page.locator("#password-error")).to_have_text("The current password is incorrect.")
    expect(page.get_by_label("Your password", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(delete).to_be_enabled()
    assert login(stack, address).status_code == 200
    page.screenshot(path=SCREENSHOTS / "account-delete-refused-desktop-1280x800.png", full_page=True)

    # The right one, after the password lane was busy once (waited out, as for a sign-in): the account is gone.
    page.unroute("**/api/auth/account")
    sent = refusing(page, "**/api/auth/account",
                    [refusal(503, "server_busy", "The service is busy. Please retry in 1 seconds.", 1)])
    token = browser_watch.last_access_token
    page.get_by_label("Your password", exact=True).fill(PASSWORD)
    delete.click()
    expect(page).to_have_url(stack.url("/login"))
    expect(page.locator("#page-notice")).to_have_text(
        "Your account was deleted, with all its tasks and conversations. A confirmation was mailed to you.")
    assert sent == [{"password": PASSWORD}] * 2
    assert stack.get("/api/auth/me", headers=bearer(token)).status_code == 401
    assert login(stack, address).status_code == 401
    assert register(stack, address).status_code == 201, "the address is free again"
    page.goto(stack.url("/account"))
    expect(page).to_have_url(stack.url("/login?next=%2Faccount"))
    expect(page.locator("#page-notice")).to_be_hidden()


def test_sign_in_to_an_unconfirmed_address_says_to_open_the_mailed_link(browser_watch, page, make_stack):
    stack, address = make_stack({"REQUIRE_VERIFIED_EMAIL": "true"}), unique_email("unconfirmed")
    assert register(stack, address).status_code == 201
    sent = refusing(page, "**/api/auth/login", [])
    page.goto(stack.url("/login"))
    page.get_by_label("Email").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Confirm your email address first: open the link we sent you. A new link is on its way if the last one "
        "was a while ago. Open the link in the message we mailed you (look in the spam folder too), then sign in "
        "again.")
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    expect(page).to_have_url(stack.url("/login"))
    assert len(sent) == 1, "a refusal that only the link can end is not sent again"


def test_every_page_fits_a_phone_screen(browser_watch, page, shared_stack, context):
    stack = shared_stack
    # A long address: the header's widest content.
    address = unique_email("a-rather-long-address-for-a-phone")
    assert register(stack, address).status_code == 201
    chat_through_api(stack, address, ["add buy milk", "add a-task-title-without-any-space-in-it-at-all-which-is-long",
                                      "show my tasks"])
    page.set_viewport_size(PHONE)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def fits(name: str, ready) -> None:
        expect(ready).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=SCREENSHOTS / f"{name}-phone-390x844.png", full_page=True)
        assert width <= PHONE["width"], f"{name} is {width} px wide"

    browser_watch.missing_pages.add(stack.url("/no-such-page"))
    for name, path, ready in [("login", "/login", "#email"), ("register", "/register", "#email"),
                              ("forgot-password", "/forgot-password", "#email"),
                              ("reset-password", "/reset-password#token=" + "A" * 43, "#new-password"),
                              ("reset-password-without-token", "/reset-password", ".outcome"),
                              ("verify-email-spent", "/verify-email#token=" + "A" * 43, ".outcome"),
                              ("verify-email-without-token", "/verify-email", ".outcome"),
                              ("consent-refused", "/consent?error=invalid_request&error_description="
                               "redirect_uri%20is%20not%20one%20of%20the%20client%27s", "#consent-problem"),
                              ("not-found", "/no-such-page", "h1")]:
        page.goto(stack.url(path))
        fits(name, page.locator(ready))

    signed_in_context(context, stack, address)
    # A second session, so that the account page lists one with its Revoke button.
    assert login(stack, address).status_code == 200
    page.goto(stack.url("/"))
    fits("chat", page.locator("#messages .message.assistant .bubble").last)
    page.get_by_role("button", name="Tasks").click()
    fits("tasks", page.locator("#pending-tasks .task").last)
    page.get_by_role("button", name="Conversations").click()
    fits("conversations", page.locator("#conversation-list .conversation"))
    page.goto(stack.url("/account"))
    fits("account", page.locator("#session-list .session").last)


# The files and how nginx serves them ----------------------------------------------------------------------------

class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.references: list[str] = []
        self.inline_code: list[str] = []

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if "style" in attributes or tag == "style":
            self.inline_code.append(f"<{tag} style>")
        if tag == "script" and not attributes.get("src"):
            self.inline_code.append("<script> without src")
        if any(name.startswith("on") for name in attributes):
            self.inline_code.append(f"<{tag}> event handler attribute")
        self.references += [attributes[name] for name in ("src", "href") if attributes.get(name, "").startswith("/")]


def parsed(page: str, root: Path) -> PageParser:
    parser = PageParser()
    parser.feed((root / page).read_text())
    return parser


def content_hash(folder: Path) -> str:
    """What scripts/build-public.sh computes: SHA-256 over `sha256sum` lines of every file, sorted by path."""
    files = sorted("./" + path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
    listing = "".join(f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}\n" for name in files)
    return hashlib.sha256(listing.encode()).hexdigest()[:12]


def asset_references(page: str, root: Path) -> list[str]:
    return [reference for reference in parsed(page, root).references if reference.startswith("/assets/")]


def only_asset_folder(root: Path) -> Path:
    [folder] = (root / "assets").iterdir()
    return folder


def test_built_asset_folder_is_named_after_its_content_and_every_page_points_into_it():
    served = served_public()
    folder = only_asset_folder(served)
    assert folder.name == content_hash(PUBLIC / "assets") == content_hash(folder)
    assert sorted(path.name for path in folder.iterdir()) == sorted(path.name for path in (PUBLIC / "assets").iterdir())
    for page in PAGES:
        references = asset_references(page, served)
        # The shared <head> (public/partials/head.html) is in every page.
        assert f"/assets/{folder.name}/app.css" in references and "<!-- include" not in (served / page).read_text()
        assert all(reference.startswith(f"/assets/{folder.name}/") for reference in references), page
        assert all((served / reference.lstrip("/")).is_file() for reference in references), page
    for module in folder.glob("*.js"):
        for imported in re.findall(r'from "(\./[^"]+)"', module.read_text()):
            assert (folder / imported).is_file(), (module.name, imported)


def test_a_changed_asset_is_built_into_a_new_folder_that_the_pages_name(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(PUBLIC, source)
    before = build_public(tmp_path / "before", source)
    with (source / "assets" / "app.css").open("a") as stylesheet:
        stylesheet.write("/* changed */\n")
    after = build_public(tmp_path / "after", source)
    assert before == only_asset_folder(served_public()).name
    assert after != before and after == content_hash(source / "assets")
    assert only_asset_folder(tmp_path / "after").name == after
    assert all(reference.startswith(f"/assets/{after}/")
               for reference in asset_references("index.html", tmp_path / "after"))


def test_a_build_into_the_served_folder_keeps_the_assets_of_pages_already_loaded(tmp_path):
    source, served = tmp_path / "source", tmp_path / "served"
    shutil.copytree(PUBLIC, source)
    before = build_public(served, source)
    (source / "assets" / "app.css").write_text("/* changed */\n")
    after = build_public(served, source)
    assert sorted(path.name for path in (served / "assets").iterdir()) == sorted([before, after])
    assert all(reference.startswith(f"/assets/{after}/") for reference in asset_references("login.html", served))


def test_the_sources_name_no_hash():
    assert all(path.is_file() for path in (PUBLIC / "assets").iterdir()), "public/assets/ holds the files themselves"
    for page in PAGES + ["partials/head.html"]:
        references = asset_references(page, PUBLIC)
        assert references and all((PUBLIC / reference.lstrip("/")).is_file() for reference in references), page


def test_pages_have_no_inline_code_and_assets_never_use_inner_html():
    served = served_public()
    for page in PAGES:
        assert parsed(page, served).inline_code == [], page
    markup_sinks = re.compile(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write")
    assert not [module.name for module in (PUBLIC / "assets").glob("*.js") if markup_sinks.search(module.read_text())]


def test_pages_are_revalidated_assets_cached_for_a_year_and_all_carry_the_csp(shared_stack):
    served = served_public()
    folder = only_asset_folder(served)
    policy = "default-src 'self'; script-src 'self'; style-src 'self'"
    for path, page, title in [("/", "index.html", "Todo chatbot"), ("/login", "login.html", "Sign in"),
                              ("/register", "register.html", "Create an account"),
                              ("/forgot-password", "forgot-password.html", "Forgot your password"),
                              ("/reset-password", "reset-password.html", "Choose a new password"),
                              ("/verify-email", "verify-email.html", "Confirm your email address"),
                              ("/account", "account.html", "Your account"),
                              ("/consent", "consent.html", "Connect an app")]:
        response = shared_stack.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert response.headers["Cache-Control"] == "no-cache", path
        assert response.headers["Content-Security-Policy"].startswith(policy), path
        assert f"<title>{title}" in response.text, path
        assert response.content == (served / page).read_bytes(), "nginx serves the built pages"
    for asset in sorted(folder.iterdir()):
        response = shared_stack.get(f"/assets/{folder.name}/{asset.name}")
        assert response.status_code == 200, asset.name
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", asset.name
        assert response.headers["Content-Security-Policy"].startswith(policy), asset.name
        assert response.content == (PUBLIC / "assets" / asset.name).read_bytes()
    types = {name: shared_stack.get(f"/assets/{folder.name}/{name}").headers["Content-Type"].split(";")[0]
             for name in ["chat-page.js", "app.css", "favicon.svg"]}
    assert types == {"chat-page.js": "application/javascript", "app.css": "text/css", "favicon.svg": "image/svg+xml"}
    missing = shared_stack.get(f"/assets/{folder.name}/missing.js")
    assert missing.status_code == 404 and "immutable" not in missing.headers.get("Cache-Control", "")
