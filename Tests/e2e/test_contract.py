"""The OpenAPI document against the real stack, by schemathesis: every check it has (`--checks all`) in every
phase (the document's examples, boundary values, random fuzzing, and stateful sequences that follow the
document's links), through nginx over HTTPS to the pool and PostgreSQL.

The stack is the test's own, not the shared one: the run registers OAuth clients and calls the token endpoint
hundreds of times, far beyond the 20 registrations an hour and 60 token requests a minute that a client address
gets by default, which would leave none for the tests after it. Its limits for those two are lifted.

Where test_openapi.py checks the answers to requests written by hand, this proves both directions of the
contract on generated ones: a request the document accepts is not refused as invalid, a request it refuses is
not accepted, and every answer (status, headers, body, content type, `Allow`) is the documented one. The
number of examples is bounded so that the run takes about a minute on 2 cores; a failure prints schemathesis's
own report, with a curl command and the seed that reproduce it (CONTRACT_SEED replays a seed).
"""

import os
import sys
import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
HOOKS = Path(__file__).resolve().parent / "schemathesis" / "hooks.py"
CONFIG = Path(__file__).resolve().parent / "schemathesis" / "schemathesis.toml"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
EXAMPLES_PER_OPERATION = 40
UNLIMITED_OAUTH = {"RATE_LIMIT_CLIENT_REGISTRATIONS_PER_HOUR": "1000000", "RATE_LIMIT_OAUTH_TOKEN_PER_MINUTE": "1000000"}


def test_the_stack_keeps_every_promise_of_its_document(make_stack):
    stack = make_stack(UNLIMITED_OAUTH)
    base_url = stack.url("")
    arguments = [
        str(SCHEMATHESIS), "--no-color", "--config-file", str(CONFIG), "run", stack.url("/api/openapi.json"),
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(EXAMPLES_PER_OPERATION),
        "--tls-verify", str(stack.certificate),
        "--request-timeout", "30",
        "--workers", "1",
    ]
    if os.environ.get("CONTRACT_SEED"):
        arguments += ["--seed", os.environ["CONTRACT_SEED"]]
    run = subprocess.run(
        arguments, capture_output=True, text=True, timeout=600, cwd=REPOSITORY,
        env={**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS), "CONTRACT_BASE_URL": base_url,
             "CONTRACT_CA_FILE": str(stack.certificate)})
    assert run.returncode == 0, f"schemathesis found failures:\n{run.stdout}\n{run.stderr}"
