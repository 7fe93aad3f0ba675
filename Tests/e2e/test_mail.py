"""Accounts people can recover and own, with real mail, end to end: the password reset and the address
verification through nginx, PostgreSQL's outbox, `fcgi-app mail` and a real SMTP server (aiosmtpd) that requires
STARTTLS and AUTH, with the messages read back as a mail client reads them; the account's deletion (every row
gone, the address free again, a confirmation mailed) and its export. Also: the answer to an unknown address,
tokens that cannot be spent, the relay down (retried, then delivered once, with two senders), the local-run
default (`.eml` files and the links on the console), and bad input on every new endpoint."""

import email
import email.policy
import ssl
import threading
import uuid

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from api import PASSWORD, bearer, login, mcp_grant, refresh, refresh_cookie_value, register, signed_up, unique_email
from stack import Stack, create_database, free_port, make_certificate, psql, wait_until

RELAY_USER, RELAY_PASSWORD = "mailer", "relay-secret-4f9a"
NEW_PASSWORD = "a brand new passphrase 7"


class SMTPServer:
    """aiosmtpd on 127.0.0.1 with STARTTLS required before AUTH, which is required before MAIL: every message
    it keeps came through both. Keeps each message as its raw bytes with the envelope."""

    def __init__(self, tls_directory, port=None):
        self.port = port or free_port()
        self.messages: list[dict] = []
        self.logins: list[str] = []
        self.lock = threading.Lock()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(tls_directory / "dev-cert.pem", tls_directory / "dev-key.pem")
        self.controller = Controller(
            self, hostname="127.0.0.1", port=self.port, server_hostname="localhost", tls_context=context,
            require_starttls=True, authenticator=self.authenticate, auth_required=True, auth_require_tls=True)

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        accepted = auth_data.login == RELAY_USER.encode() and auth_data.password == RELAY_PASSWORD.encode()
        if accepted:
            with self.lock:
                self.logins.append(mechanism)
        return AuthResult(success=accepted)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                  "message": email.message_from_bytes(envelope.original_content,
                                                                      policy=email.policy.default)})
        return "250 OK"

    def received_for(self, address):
        with self.lock:
            return [entry["message"] for entry in self.messages if entry["to"] == [address]]

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


@pytest.fixture(scope="module")
def tls_directory(tmp_path_factory):
    directory = tmp_path_factory.mktemp("smtp-tls")
    make_certificate(directory)
    return directory


@pytest.fixture(scope="module")
def mail_stack(tmp_path_factory, admin_database_url):
    stack = Stack(tmp_path_factory.mktemp("mail"), create_database(admin_database_url),
                  {"MAIL_POLL_INTERVAL_MS": "100", "MAIL_RETRY_SECONDS": "1"}).start()
    yield stack
    stack.stop()


@pytest.fixture
def senders(mail_stack, tls_directory):
    """Starts `fcgi-app mail` processes for one test and stops them after it, so no sender outlives the relay it
    was pointed at."""
    started = []

    def start(smtp_port, **environment):
        sender = mail_stack.start_mail_sender({
            "SMTP_URL": f"smtp://{RELAY_USER}:{RELAY_PASSWORD}@localhost:{smtp_port}",
            "SMTP_CA_FILE": str(tls_directory / "dev-cert.pem"), **environment})
        started.append(sender)
        return sender

    yield start
    for sender in started:
        sender.terminate()
        sender.wait(timeout=30)


@pytest.fixture
def smtp(tls_directory):
    server = SMTPServer(tls_directory).start()
    yield server
    server.stop()


def outbox_rows(stack, recipient):
    """(kind, attempts, delivered, failed, erased) per outbox row for `recipient`, oldest first."""
    rows = psql(stack.database_url,
                f"SELECT kind, attempts, sent_at IS NOT NULL, failed_at IS NOT NULL, sealed_message = '' "
                f"FROM mail_outbox WHERE recipient = '{recipient}' ORDER BY id")
    return [tuple(line.split("|")) for line in rows.splitlines() if line]


def token_from(message, page="reset-password"):
    body = message.get_body(preferencelist=("plain",)).get_content()
    (link,) = [word for word in body.split() if f"/{page}#token=" in word]
    return link, link.split("#token=", 1)[1]


def messages_titled(smtp, address, subject):
    return [message for message in smtp.received_for(address) if message["Subject"] == subject]


VERIFY_SUBJECT = "Confirm your email address for Todo Chatbot"


def request_reset(stack, address):
    response = stack.post("/api/auth/password-reset", json={"email": address})
    assert response.status_code == 202, response.text
    return response


def test_a_forgotten_password_is_reset_through_a_mailed_link(mail_stack, smtp, senders):
    address = unique_email("reset")
    assert register(mail_stack, address).status_code == 201
    other_device = refresh_cookie_value(login(mail_stack, address))
    senders(smtp.port)
    request_reset(mail_stack, address)
    reset_subject = "Reset your Todo Chatbot password"
    assert wait_until(lambda: messages_titled(smtp, address, reset_subject), timeout=30), "no reset message"
    (message,) = messages_titled(smtp, address, reset_subject)
    # RFC 5322 and MIME as a mail client parses them.
    for header in ("Date", "Message-ID", "From", "To", "Subject", "MIME-Version"):
        assert message[header], f"{header} missing"
    assert message["To"] == address
    assert message["Subject"] == "Reset your Todo Chatbot password"
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    assert email.utils.parsedate_to_datetime(message["Date"]).tzinfo is not None
    link, token = token_from(message)
    assert link.startswith(f"https://localhost:{mail_stack.https_port}/reset-password#token=")
    assert smtp.logins, "the sender authenticated, over TLS (the server allows AUTH only after STARTTLS)"
    # The sender records the delivery once the relay has said 250, a moment after the server has the message.
    assert wait_until(lambda: outbox_rows(mail_stack, address)[-1] == ("password_reset", "1", "t", "f", "t")), \
        "delivered, then erased"
    assert token not in psql(mail_stack.database_url, "SELECT string_agg(token_hash, ',') FROM password_reset_tokens")

    confirmed = mail_stack.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert confirmed.status_code == 204, confirmed.text
    assert login(mail_stack, address).status_code == 401, "the old password no longer works"
    assert login(mail_stack, address, NEW_PASSWORD).status_code == 200
    assert refresh(mail_stack, other_device).status_code == 401, "the other device was signed out"
    assert wait_until(lambda: messages_titled(smtp, address, "Your Todo Chatbot password was changed"), timeout=30)
    replayed = mail_stack.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": "x" + NEW_PASSWORD})
    assert replayed.status_code == 400 and replayed.json()["error"]["code"] == "invalid_token"
    events = psql(mail_stack.database_url,
                  "SELECT string_agg(event, ',' ORDER BY id) FROM auth_events WHERE user_id = "
                  f"(SELECT id FROM users WHERE email = '{address}')")
    assert "password_reset_requested" in events and events.endswith("password_reset,login_failure,login_success")


def test_an_unknown_address_is_answered_like_a_known_one_and_nothing_is_sent(mail_stack):
    known = unique_email("known")
    assert register(mail_stack, known).status_code == 201
    unknown = unique_email("unknown")
    answers = [request_reset(mail_stack, address) for address in (known, unknown)]
    assert answers[0].json() == answers[1].json()
    assert answers[0].headers["Cache-Control"] == answers[1].headers["Cache-Control"] == "no-store"
    # The link is queued right after the answer, by the thread that answered.
    assert wait_until(lambda: [row[0] for row in outbox_rows(mail_stack, known)] == [
        "email_verification", "password_reset"])
    assert wait_until(lambda: psql(mail_stack.database_url, "SELECT count(*) FROM auth_events WHERE event = "
                                   "'password_reset_requested' AND user_id IS NULL") != "0")
    assert outbox_rows(mail_stack, unknown) == []


def test_replayed_expired_replaced_and_unknown_tokens_are_the_same_invalid_token(mail_stack, smtp, senders):
    address = unique_email("tokens")
    assert register(mail_stack, address).status_code == 201
    senders(smtp.port)
    reset_subject = "Reset your Todo Chatbot password"
    request_reset(mail_stack, address)
    assert wait_until(lambda: len(messages_titled(smtp, address, reset_subject)) == 1, timeout=30)
    _, replaced = token_from(messages_titled(smtp, address, reset_subject)[0])
    request_reset(mail_stack, address)
    assert wait_until(lambda: len(messages_titled(smtp, address, reset_subject)) == 2, timeout=30)
    _, current = token_from(messages_titled(smtp, address, reset_subject)[1])
    psql(mail_stack.database_url, "UPDATE password_reset_tokens SET expires_at = now() - interval '1 second' "
                                  f"WHERE user_id = (SELECT id FROM users WHERE email = '{address}')")
    bodies = []
    for token in (replaced, current, "A" * 43, "not-a-token", ""):
        answer = mail_stack.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
        assert answer.status_code == 400, answer.text
        bodies.append(answer.json())
    assert all(body == {"error": {"code": "invalid_token", "message": bodies[0]["error"]["message"]}} for body in bodies)
    assert login(mail_stack, address).status_code == 200, "the password is unchanged"


def test_messages_wait_while_the_relay_is_down_and_are_delivered_once_by_two_senders(mail_stack, tls_directory, senders):
    port = free_port()
    senders(port)
    senders(port)
    addresses = [unique_email("outage") for _ in range(6)]
    for address in addresses:
        assert register(mail_stack, address).status_code == 201
        request_reset(mail_stack, address)
    # Every message (a verification and a reset per address) has been tried, and failed, while nothing listened.
    def rows():
        return [row for address in addresses for row in outbox_rows(mail_stack, address)]

    assert wait_until(lambda: len(rows()) == 2 * len(addresses) and all(int(row[1]) >= 1 for row in rows()),
                      timeout=30)
    assert all(row[2:4] == ("f", "f") for row in rows()), "still waiting"
    server = SMTPServer(tls_directory, port=port).start()
    try:
        assert wait_until(lambda: all(row[2] == "t" for row in rows()), timeout=60)
        # Recorded as delivered in the transaction that sent it: the server has them all now, each once.
        for address in addresses:
            assert sorted(message["Subject"] for message in server.received_for(address)) == [
                VERIFY_SUBJECT, "Reset your Todo Chatbot password"]
        assert len({entry["message"]["Message-ID"] for entry in server.messages}) == len(server.messages)
    finally:
        server.stop()
    log = (mail_stack.directory / "mail.log").read_text()
    assert "mail delivery failed; will retry" in log
    assert RELAY_PASSWORD not in log, "the relay's password is never logged"


def test_without_a_relay_messages_become_eml_files_and_their_links_are_printed(mail_stack):
    address = unique_email("local")
    assert register(mail_stack, address).status_code == 201
    sender = mail_stack.start_mail_sender()
    try:
        request_reset(mail_stack, address)
        console = mail_stack.directory / "mail-console.log"
        def reset_files():
            return [path for path in (mail_stack.directory / "mail").glob("*.eml")
                    if address in path.read_text() and "Subject: Reset your" in path.read_text()]

        assert wait_until(lambda: reset_files() and console.exists() and str(reset_files()[0]) in console.read_text(),
                          timeout=30)
    finally:
        sender.terminate()
        sender.wait(timeout=30)
    (eml,) = reset_files()
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    link, _ = token_from(message)
    assert f"link: {link}" in console.read_text()


def test_a_new_account_confirms_its_address_with_the_mailed_link(mail_stack, smtp, senders):
    senders(smtp.port)
    address, token, _ = signed_up(mail_stack, unique_email("verify"))
    assert mail_stack.get("/api/auth/me", headers=bearer(token)).json()["email_verified"] is False
    assert wait_until(lambda: messages_titled(smtp, address, VERIFY_SUBJECT), timeout=30)
    link, verification = token_from(messages_titled(smtp, address, VERIFY_SUBJECT)[0], page="verify-email")
    assert link.startswith(f"https://localhost:{mail_stack.https_port}/verify-email#token=")
    assert mail_stack.post("/api/auth/verify-email", json={"token": verification}).status_code == 204
    assert mail_stack.get("/api/auth/me", headers=bearer(token)).json()["email_verified"] is True
    assert login(mail_stack, address).json()["user"]["email_verified"] is True
    replay = mail_stack.post("/api/auth/verify-email", json={"token": verification})
    assert replay.status_code == 400 and replay.json()["error"]["code"] == "invalid_token"


def rows_of(stack, user_id):
    """How many rows each table holds for the user (messages through the user's conversations)."""
    counts = psql(stack.database_url, f"""
        SELECT (SELECT count(*) FROM users WHERE id = '{user_id}') || ',' ||
               (SELECT count(*) FROM sessions WHERE user_id = '{user_id}') || ',' ||
               (SELECT count(*) FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
                 WHERE s.user_id = '{user_id}') || ',' ||
               (SELECT count(*) FROM tasks WHERE owner_id = '{user_id}') || ',' ||
               (SELECT count(*) FROM conversations WHERE owner_id = '{user_id}') || ',' ||
               (SELECT count(*) FROM messages WHERE conversation_id IN (
                 SELECT id FROM conversations WHERE owner_id = '{user_id}')) || ',' ||
               (SELECT count(*) FROM email_verification_tokens WHERE user_id = '{user_id}') || ',' ||
               (SELECT count(*) FROM oauth_authorization_codes WHERE user_id = '{user_id}') || ',' ||
               (SELECT count(*) FROM auth_events WHERE user_id = '{user_id}')""")
    return dict(zip(["users", "sessions", "refresh_tokens", "tasks", "conversations", "messages",
                     "verification_tokens", "oauth_codes", "auth_events"], map(int, counts.split(","))))


def test_a_deleted_account_leaves_no_row_and_its_address_can_register_again(mail_stack, smtp, senders):
    senders(smtp.port)
    address, token, _ = signed_up(mail_stack, unique_email("delete"))
    login(mail_stack, address)
    assert mail_stack.post("/api/tasks", headers=bearer(token), json={"title": "to be deleted"}).status_code == 201
    assert mail_stack.post("/api/chat", headers=bearer(token), json={"message": "add buy milk"}).status_code == 200
    grant = mcp_grant(mail_stack, token, scope="tasks:read")
    user_id = mail_stack.get("/api/auth/me", headers=bearer(token)).json()["id"]
    before = rows_of(mail_stack, user_id)
    assert all(before[table] >= 1 for table in before), before

    export = mail_stack.get("/api/auth/account/export", headers=bearer(token))
    assert export.status_code == 200
    assert export.headers["Content-Disposition"] == 'attachment; filename="todo-chatbot-export.json"'
    data = export.json()
    assert data["account"]["email"] == address and len(data["sessions"]) == 2
    assert [(app["client_id"], app["scopes"]) for app in data["connected_apps"]] == [
        (grant["client_id"], ["tasks:read"])]
    assert sorted(task["title"] for task in data["tasks"]) == ["buy milk", "to be deleted"]
    (conversation,) = data["conversations"]
    assert [message["role"] for message in conversation["messages"]][:1] == ["user"]
    assert "$bcrypt" not in export.text and "$2b$" not in export.text and token not in export.text
    assert grant["refresh_token"] not in export.text and grant["access_token"] not in export.text

    deleted = mail_stack.request("DELETE", "/api/auth/account", headers=bearer(token), json={"password": PASSWORD})
    assert deleted.status_code == 204, deleted.text
    assert set(rows_of(mail_stack, user_id).values()) == {0}, "every row of the account is gone"
    assert psql(mail_stack.database_url, "SELECT count(*) FROM auth_events WHERE event = 'account_deleted' "
                                         "AND user_id IS NULL") != "0", "the event stays, without the account"
    assert mail_stack.get("/api/auth/me", headers=bearer(token)).status_code == 401
    assert wait_until(lambda: messages_titled(smtp, address, "Your Todo Chatbot account was deleted"), timeout=30)
    assert register(mail_stack, address).status_code == 201, "the address is free again"


@pytest.mark.parametrize("path", ["/api/auth/password-reset", "/api/auth/password-reset/confirm",
                                  "/api/auth/verify-email"])
@pytest.mark.parametrize("body", [b'{"email": 42, "token": 42, "new_password": 42}', b"{", b"[]",
                                  b'{"email": "\xff\xfe@example.com", "token": "\xff", "new_password": "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8"}',
                                  b'{"email": "' + b"a" * 200_000 + b'@example.com", "token": "' + b"t" * 200_000 + b'"}'])
def test_bad_input_is_a_400_in_the_error_shape_and_stores_nothing(mail_stack, path, body):
    before = psql(mail_stack.database_url, "SELECT count(*) FROM mail_outbox") + psql(
        mail_stack.database_url, "SELECT count(*) FROM password_reset_tokens")
    answer = mail_stack.post(path, data=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] in ("invalid_json", "validation_failed", "invalid_token")
    after = psql(mail_stack.database_url, "SELECT count(*) FROM mail_outbox") + psql(
        mail_stack.database_url, "SELECT count(*) FROM password_reset_tokens")
    assert after == before


@pytest.mark.parametrize("body, status", [
    (b'{"password": 42}', 400), (b"{", 400), (b"null", 400), (b'{"password": "\xff\xfe"}', 400), (b"{}", 400),
    # A huge password is a string like any other, just not the account's: refused without being hashed.
    (b'{"password": "' + b"p" * 200_000 + b'"}', 403)])
def test_bad_input_to_account_deletion_is_refused_and_deletes_nothing(mail_stack, body, status):
    address, token, _ = signed_up(mail_stack, unique_email("keep"))
    answer = mail_stack.request("DELETE", "/api/auth/account", data=body,
                                headers={**bearer(token), "Content-Type": "application/json"})
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] in ("invalid_json", "validation_failed", "current_password_incorrect")
    assert mail_stack.get("/api/auth/me", headers=bearer(token)).status_code == 200, "the account is still there"
