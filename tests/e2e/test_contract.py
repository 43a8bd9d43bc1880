"""The published contract as clients meet it, through the gateway of the shared e2e stack.

- schemathesis fuzzes every operation of the OpenAPI document the stack serves, signed in as a
  registered user, with every check on but the two ``tests/e2e/schemathesis.toml`` turns off (each with
  its reason there), and must report no failure. Its seed and settings live in that file; the run is
  bounded in time (``DEEPIRI_FUZZ_SECONDS``, default 600) and in examples per operation
  (``DEEPIRI_FUZZ_EXAMPLES``, default 3): ``make e2e FUZZ_SECONDS=1200 FUZZ_EXAMPLES=100`` runs it longer.
- ``/docs`` opened in a real headless Chromium, with every request off this machine refused, shows
  every operation of the document.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Request, Route, sync_playwright

from tests.e2e.conftest import PASSWORD

FUZZ_SECONDS = int(os.environ.get("DEEPIRI_FUZZ_SECONDS", "600"))
FUZZ_EXAMPLES = int(os.environ.get("DEEPIRI_FUZZ_EXAMPLES", "3"))
CONFIG = Path(__file__).with_name("schemathesis.toml")
FUZZER_SOURCE_IP = "198.51.100.77"  # TEST-NET-2: documentation addresses, never a real client
# Operations that cannot be fuzzed meaningfully, each with its reason.
EXCLUDED = {
    "/api/auth/logout-all": "signs the fuzzing user out everywhere: every later request would answer 401",
}


def test_given_the_served_document_when_fuzzed_through_the_gateway_then_schemathesis_finds_nothing(
    stack, account
) -> None:
    fuzzer = account("fuzzer")
    # A fresh token: the account's may be older than the run is long.
    login = requests.post(f"{stack.urls.rest}/api/auth/login", json={"email": fuzzer.email, "password": PASSWORD},
                          timeout=30)
    assert login.status_code == 200, login.text
    token = login.json()["accessToken"]
    excluded = [argument for path in EXCLUDED for argument in ("--exclude-path", path)]
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(CONFIG), "run",
        f"{stack.urls.rest}/docs/openapi.json", "--url", stack.urls.rest,
        "--phases", "examples,fuzzing", "--max-examples", str(FUZZ_EXAMPLES),
        "--max-time", str(FUZZ_SECONDS), "--request-timeout", "30", *excluded,
        "--header", f"Authorization: Bearer {token}",
        # The emulator takes a request's source IP from X-Forwarded-For: the fuzzer's requests spend the
        # per-IP rate limits (login, password reset, registration) of an address of their own, not those
        # the other e2e tests share on 127.0.0.1.
        "--header", f"X-Forwarded-For: {FUZZER_SOURCE_IP}",
    ]
    # The command holds the token: only schemathesis's own report (which filters it) is shown.
    result = subprocess.run(command, capture_output=True, text=True, timeout=FUZZ_SECONDS + 240, check=False)
    report = result.stdout[-20000:] + result.stderr[-4000:]
    assert token not in report
    print(report)
    assert result.returncode == 0, report
    selected = re.search(r"Selected: (\d+)/", report)
    tested = re.search(r"Tested: (\d+)", report)
    assert selected and tested and tested.group(1) == selected.group(1), "not every operation was reached in time"


def _chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Debian's chromium is not installed and apt-get was unavailable to install it "
                    "(make e2e installs it: `make chromium`)")
    return path


def test_given_no_internet_when_docs_open_in_headless_chromium_then_every_operation_is_shown(stack) -> None:
    document = requests.get(f"{stack.urls.rest}/docs/openapi.json", timeout=30).json()
    operations = sum(len(item) for item in document["paths"].values())
    local = urlsplit(stack.urls.rest).hostname
    refused: list[str] = []

    def only_this_machine(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname == local:
            route.continue_()
        else:
            refused.append(request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.route("**/*", only_this_machine)
            page.goto(f"{stack.urls.rest}/docs", wait_until="load")
            page.wait_for_selector(".opblock", timeout=30_000)
            shown = page.locator(".opblock").count()
            title = page.locator(".info .title").inner_text()
            paths = set(page.locator(".opblock-summary-path").all_inner_texts())
        finally:
            browser.close()

    assert refused == []
    assert "Deepiri API" in title
    assert shown == operations
    assert {"/api/tasks", "/api/oauth/token", "/health"} <= {path.replace("\u200b", "") for path in paths}
