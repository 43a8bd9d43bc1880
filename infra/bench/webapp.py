"""The web app's weight and first screen: gzipped initial JavaScript, and time to interactive in Chromium.

Time to interactive here is from navigation start to the moment the first screen can be used: for a
signed-out visitor, the sign-in form's submit button enabled; for a signed-in user (a fresh login whose
refresh token the tab holds, as after a reload), the Today screen with its prioritized tasks listed. The
moment is noted in the page by a mutation observer (first_screen.js), in the page's own clock: reading
``performance.now()`` after the driver's wait returned added its polling and round trip (100 to 500 ms on
a loaded machine) to every figure.
Each run opens a new browser context (no cache), against the local stack only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from infra import webapp
from infra.bench import core, local
from infra.config import Target
from infra.urls import discover

RUNS = 5
BUDGET_KB = 200
TTI_BUDGET_MS = 1500
REFRESH_KEY = "deepiri.refresh"  # web/src/session.ts keeps the refresh token under this key
FIRST_SCREEN = Path(__file__).with_name("first_screen.js")


def run(target: Target) -> core.Result:
    """Initial JS (gzipped) and p50/max time to interactive of the sign-in and Today screens."""
    result = core.Result(title=f"web app: initial JavaScript and time to interactive ({RUNS} cold loads each)",
                         columns=["p50 ms", "max ms"])
    rest = local.local_rest(target, result)
    chromium = shutil.which("chromium")
    if rest is None:
        return result
    if chromium is None:
        result.notes.append("skipped: Debian's chromium is not installed (make chromium)")
        return result
    app = discover(target).app
    kilobytes = webapp.initial_js_gzip_bytes() / 1024
    user = local.bench_user(rest)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        try:
            load_once(browser, app, None)  # unmeasured: the emulator's first answers of the bucket
            signed_out = [load_once(browser, app, None) for _ in range(RUNS)]
            signed_in = [load_once(browser, app, fresh_refresh_token(rest, user)) for _ in range(RUNS)]
        finally:
            browser.close()
    result.rows = [
        core.Row("sign-in screen (signed out)", [core.percentile(signed_out, 0.5), max(signed_out)]),
        core.Row("Today with tasks (signed in)", [core.percentile(signed_in, 0.5), max(signed_in)]),
    ]
    result.notes.append(f"initial JavaScript: {kilobytes:.1f} KB gzipped (budget {BUDGET_KB} KB)")
    result.verdicts = [
        f"{'PASS' if kilobytes <= BUDGET_KB else 'FAIL'} initial JavaScript {kilobytes:.1f} KB ≤ {BUDGET_KB} KB",
        f"{'PASS' if core.percentile(signed_out, 0.5) <= TTI_BUDGET_MS else 'FAIL'} sign-in screen p50 "
        f"{core.percentile(signed_out, 0.5):.0f} ms ≤ {TTI_BUDGET_MS} ms",
        f"{'PASS' if core.percentile(signed_in, 0.5) <= TTI_BUDGET_MS else 'FAIL'} Today (signed in) p50 "
        f"{core.percentile(signed_in, 0.5):.0f} ms ≤ {TTI_BUDGET_MS} ms",
    ]
    result.data = {"app": app, "initial_js_gzip_kb": round(kilobytes, 1), "runs": RUNS,
                   "signed_out_ms": signed_out, "signed_in_ms": signed_in}
    return result


def fresh_refresh_token(rest: str, user: local.BenchUser) -> str:
    answer = local.post_json(f"{rest}/api/auth/login", {"email": user.email, "password": user.password},
                             core.REQUEST_TIMEOUT_SECONDS)
    return str(answer["refreshToken"])


def load_once(browser: Browser, app: str, refresh_token: str | None) -> float:
    """Milliseconds from navigation start until the first screen is usable, in a new context."""
    context = browser.new_context()
    context.add_init_script(path=str(FIRST_SCREEN))
    try:
        page = context.new_page()
        if refresh_token is None:
            page.goto(app, wait_until="commit")
            page.locator("form button[type=submit]:enabled").wait_for(timeout=30_000)
            return float(page.evaluate("window.__signInReadyMs"))
        # The tab holds the refresh token as after a reload; the access token is only ever in memory.
        context.add_init_script(f"sessionStorage.setItem({REFRESH_KEY!r}, {refresh_token!r})")
        page.goto(app, wait_until="commit")
        page.locator("[data-testid=task], .tasks .muted").first.wait_for(timeout=30_000)
        return float(page.evaluate("window.__todayReadyMs"))
    finally:
        context.close()
