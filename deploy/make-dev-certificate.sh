#!/usr/bin/env bash
# Creates a self-signed certificate for local use (./run, the end-to-end tests, bench/run), once.
#
# usage: deploy/make-dev-certificate.sh DIR
#
# Writes DIR/dev-cert.pem and DIR/dev-key.pem (EC P-256, 825 days, CN and SAN localhost, 127.0.0.1 and ::1)
# unless both already exist; the key is mode 0600. 825 days is the longest validity Apple platforms accept
# for a TLS server certificate. Clients trust it by pointing at dev-cert.pem (curl --cacert,
# requests' verify=), or with -k for a quick look. Never use it outside loopback.
set -euo pipefail

[ $# -eq 1 ] || {
    echo "usage: $0 DIR" >&2
    exit 2
}
directory=$1
certificate=$directory/dev-cert.pem
key=$directory/dev-key.pem

if [ -s "$certificate" ] && [ -s "$key" ]; then
    exit 0
fi

if ! command -v openssl >/dev/null 2>&1; then
    echo "make-dev-certificate.sh: openssl is missing (apt-get install openssl)" >&2
    exit 1
fi

mkdir -p "$directory"
# Written under temporary names and moved into place together, so a concurrent or interrupted run never
# leaves a certificate without its key (or a half-written file) behind.
temporary=$(mktemp -d "$directory/.dev-cert.XXXXXX")
trap 'rm -rf "$temporary"' EXIT
(
    umask 077
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 825 \
        -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
        -addext "basicConstraints=critical,CA:FALSE" \
        -addext "keyUsage=critical,digitalSignature" \
        -addext "extendedKeyUsage=serverAuth" \
        -keyout "$temporary/dev-key.pem" -out "$temporary/dev-cert.pem" 2>"$temporary/openssl.log" ||
        {
            cat "$temporary/openssl.log" >&2
            exit 1
        }
)
chmod 600 "$temporary/dev-key.pem"
chmod 644 "$temporary/dev-cert.pem"
mv -f "$temporary/dev-key.pem" "$key"
mv -f "$temporary/dev-cert.pem" "$certificate"
echo "make-dev-certificate.sh: created $certificate (self-signed, localhost)" >&2
