#!/usr/bin/env python3
"""The HTTPS server DocumentFetcherTests fetch from, on 127.0.0.1 with a certificate made for the run.

usage: document_server.py DIR

Writes DIR/dev-cert.pem and DIR/dev-key.pem with deploy/make-dev-certificate.sh, then prints one line, the port
of the HTTPS server and the port of a listener that accepts nothing (its connections wait forever for the TLS
handshake). Every request is appended to DIR/requests.log as a tab-separated line: path, Accept, User-Agent.
It exits when its standard input closes, so a test run that dies takes it along.

Paths: /document (JSON, max-age 600), /redirect (302 to /document), /bytes?count=N (N bytes with neither
Content-Length nor chunks: the end of the body is the end of the connection), /cache?control=V (an empty JSON
object with Cache-Control: V).
"""
import http.server
import os
import socket
import ssl
import subprocess
import sys
import threading
import urllib.parse

directory = sys.argv[1]
repository = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
subprocess.run([os.path.join(repository, "deploy", "make-dev-certificate.sh"), directory], check=True,
               stderr=subprocess.DEVNULL)
log_lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        with log_lock, open(os.path.join(directory, "requests.log"), "a") as log:
            log.write(f"{url.path}\t{self.headers.get('Accept', '')}\t{self.headers.get('User-Agent', '')}\n")
        if url.path == "/document":
            self.answer(200, b'{"client_id":"https://127.0.0.1/document"}', {"Cache-Control": "public, max-age=600"})
        elif url.path == "/redirect":
            self.answer(302, b"", {"Location": "/document"})
        elif url.path == "/cache":
            self.answer(200, b"{}", {"Cache-Control": query["control"][0]})
        elif url.path == "/bytes":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"a" * int(query["count"][0]))
            self.close_connection = True
        else:
            self.answer(404, b"", {})

    def answer(self, status, body, headers):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that stops reading, as the fetcher does past its limit, is what a test provokes on purpose.
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError)):
            super().handle_error(request, client_address)


context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(os.path.join(directory, "dev-cert.pem"), os.path.join(directory, "dev-key.pem"))
server = Server(("127.0.0.1", 0), Handler)
server.socket = context.wrap_socket(server.socket, server_side=True)
silent = socket.socket()
silent.bind(("127.0.0.1", 0))
silent.listen(8)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], silent.getsockname()[1], flush=True)
sys.stdin.read()
