"""Mail end to end: the password reset through nginx, PostgreSQL's outbox, `fcgi-app mail` and a real SMTP server
(aiosmtpd) that requires STARTTLS and AUTH, with the messages read back as a mail client reads them. Also: the
answer to an unknown address, tokens that cannot be spent, the relay down (retried, then delivered once, with
two senders), the local-run default (`.eml` files and the links on the console), and bad input."""

import email
import email.policy
import ssl
import threading
import uuid

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from api import PASSWORD, login, refresh, refresh_cookie_value, register, unique_email
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


def token_from(message):
    body = message.get_body(preferencelist=("plain",)).get_content()
    (link,) = [word for word in body.split() if "/reset-password#token=" in word]
    return link, link.split("#token=", 1)[1]


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
    assert wait_until(lambda: smtp.received_for(address), timeout=30), "the reset message never arrived"
    (message,) = smtp.received_for(address)
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
    assert outbox_rows(mail_stack, address) == [("password_reset", "1", "t", "f", "t")], "delivered, then erased"
    assert token not in psql(mail_stack.database_url, "SELECT string_agg(token_hash, ',') FROM password_reset_tokens")

    confirmed = mail_stack.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert confirmed.status_code == 204, confirmed.text
    assert login(mail_stack, address).status_code == 401, "the old password no longer works"
    assert login(mail_stack, address, NEW_PASSWORD).status_code == 200
    assert refresh(mail_stack, other_device).status_code == 401, "the other device was signed out"
    assert wait_until(lambda: len(smtp.received_for(address)) == 2, timeout=30), "no notice of the change"
    assert smtp.received_for(address)[1]["Subject"] == "Your Todo Chatbot password was changed"
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
    assert len(outbox_rows(mail_stack, known)) == 1
    assert outbox_rows(mail_stack, unknown) == []
    assert psql(mail_stack.database_url,
                "SELECT count(*) FROM auth_events WHERE event = 'password_reset_requested' AND user_id IS NULL") != "0"


def test_replayed_expired_replaced_and_unknown_tokens_are_the_same_invalid_token(mail_stack, smtp, senders):
    address = unique_email("tokens")
    assert register(mail_stack, address).status_code == 201
    senders(smtp.port)
    request_reset(mail_stack, address)
    assert wait_until(lambda: len(smtp.received_for(address)) == 1, timeout=30)
    _, replaced = token_from(smtp.received_for(address)[0])
    request_reset(mail_stack, address)
    assert wait_until(lambda: len(smtp.received_for(address)) == 2, timeout=30)
    _, current = token_from(smtp.received_for(address)[1])
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
    # Every message has been tried (and failed) at least once while nothing listened.
    assert wait_until(lambda: all(rows and int(rows[0][1]) >= 1 for rows in
                                  (outbox_rows(mail_stack, address) for address in addresses)), timeout=30)
    assert all(outbox_rows(mail_stack, address)[0][2:4] == ("f", "f") for address in addresses), "still waiting"
    server = SMTPServer(tls_directory, port=port).start()
    try:
        assert wait_until(lambda: all(outbox_rows(mail_stack, address)[0][2] == "t" for address in addresses),
                          timeout=60)
        # Recorded as delivered in the transaction that sent it: the server has them all now, each once.
        for address in addresses:
            (message,) = server.received_for(address)
            assert "/reset-password#token=" in message.get_body(preferencelist=("plain",)).get_content()
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
        assert wait_until(lambda: console.exists() and address in console.read_text(), timeout=30)
    finally:
        sender.terminate()
        sender.wait(timeout=30)
    (eml,) = [path for path in (mail_stack.directory / "mail").glob("*.eml") if address in path.read_text()]
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    link, _ = token_from(message)
    assert f"link: {link}" in console.read_text()


@pytest.mark.parametrize("path", ["/api/auth/password-reset", "/api/auth/password-reset/confirm"])
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
