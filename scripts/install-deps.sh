#!/usr/bin/env bash
# Installs the Debian packages (and, for tests, the Python tools) that a purpose needs, skipping what is present.
# usage: scripts/install-deps.sh run|test|bench
set -euo pipefail
cd "$(dirname "$0")/.."

purpose=${1:-run}
packages=(pkg-config libfcgi-dev libpq-dev libssl-dev libcrypt-dev libcurl4-openssl-dev nginx postgresql postgresql-client openssl curl)
case "$purpose" in
    run) ;;
    # Chromium for the browser tests: Debian's build (Playwright's own download host is unreachable here), the
    # set of three packages the browser tests were measured with (docs/testing.md).
    # prometheus for its promtool, which lints /metrics in a test; policy-rc.d below keeps its server stopped.
    test) packages+=(python3-venv procps iproute2 chromium chromium-headless-shell chromium-driver prometheus) ;;
    bench) packages+=(wrk gcc procps) ;;
    *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    as_root apt-get update -qq
    # policy-rc.d keeps apt from starting Debian's own nginx/postgresql services: our scripts run private ones.
    policy=/usr/sbin/policy-rc.d
    created_policy=no
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null && as_root chmod +x "$policy" && created_policy=yes
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    [ "$created_policy" = yes ] && as_root rm -f "$policy"
fi

if [ "$purpose" = test ]; then
    # Pinned so a test run today and in a month use the same tools.
    requirements=(pytest==9.2.0 requests==2.34.2 PyJWT==2.15.1 bcrypt==5.0.0 jsonschema==4.26.0 openapi-spec-validator==0.9.0
        mcp==2.3.0 playwright==1.65.2 pytest-playwright==0.10.0 schemathesis==4.32.5 aiosmtpd==1.4.6)
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
    fi
    # Every pin at its exact version (`pip show a b` would succeed when any one of them is installed at all).
    pins_installed='import sys, importlib.metadata as m
sys.exit(any(m.version(name) != version for name, version in (pin.split("==") for pin in sys.argv[1:])))'
    if ! .venv/bin/python -c "$pins_installed" "${requirements[@]}" >/dev/null 2>&1; then
        .venv/bin/python -m pip install -q --disable-pip-version-check "${requirements[@]}" >&2
    fi
fi
