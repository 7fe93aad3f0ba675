"""The OpenAPI document against the real stack, by schemathesis: every check it has (`--checks all`) in every
phase (the document's examples, boundary values, random fuzzing, and stateful sequences that follow the
document's links), through nginx over HTTPS to the pool and PostgreSQL.

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


def test_the_stack_keeps_every_promise_of_its_document(shared_stack):
    base_url = shared_stack.url("")
    arguments = [
        str(SCHEMATHESIS), "--no-color", "--config-file", str(CONFIG), "run", shared_stack.url("/api/openapi.json"),
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(EXAMPLES_PER_OPERATION),
        "--tls-verify", str(shared_stack.certificate),
        "--request-timeout", "30",
        "--workers", "1",
    ]
    if os.environ.get("CONTRACT_SEED"):
        arguments += ["--seed", os.environ["CONTRACT_SEED"]]
    run = subprocess.run(
        arguments, capture_output=True, text=True, timeout=600, cwd=REPOSITORY,
        env={**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS), "CONTRACT_BASE_URL": base_url,
             "CONTRACT_CA_FILE": str(shared_stack.certificate)})
    assert run.returncode == 0, f"schemathesis found failures:\n{run.stdout}\n{run.stderr}"
