"""The served dashboard in a real browser (issue [widgets]): ``workbench serve`` on the loopback
address, Debian's chromium driven by playwright. Moving the building-crews slider changes the
index table; ten pages opened at once each get a working dashboard. Screenshots are kept in
``tests/artifacts/`` (or ``$WORKBENCH_TEST_ARTIFACTS``).

The first page runs with every request off the loopback address refused: it must work offline.
Skipped, with the reason, only where chromium or playwright cannot be had (``make test``
installs both where the machine allows)."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from workbench.run.serve import serve_command

ARTIFACTS = Path(os.environ.get("WORKBENCH_TEST_ARTIFACTS",
                                Path(__file__).resolve().parent / "artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]
TABLE = "table.workbench-indexes"

try:
    from playwright.sync_api import sync_playwright
except ImportError:                      # pragma: no cover — make test installs it
    sync_playwright = None

pytestmark = [
    pytest.mark.slow,                    # make test-fast leaves it out: a served Voila and Chromium
    pytest.mark.serial,                  # make test runs it alone: it measures pages under load
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install "
                                                "chromium); the browser tests need it"),
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed "
                                                       "(pip install playwright)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    argv, env = serve_command(port=port, save_dir=tmp_path_factory.mktemp("saved"))
    log = (tmp_path_factory.mktemp("voila") / "voila.log").open("w")
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"the dashboard server exited with {proc.returncode}")
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the dashboard server did not listen within 60 s")
    yield f"http://127.0.0.1:{port}/"
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def _offline(page, refused: list) -> None:
    """Refuse every request that leaves the loopback address (the page must work offline)."""
    def route(r):
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()
    page.route("**/*", route)


def test_moving_the_crews_slider_changes_the_index_table(server, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    refused = []
    _offline(page, refused)
    page.goto(server, timeout=60_000)
    page.wait_for_selector(TABLE, timeout=120_000)
    before = page.inner_text(TABLE)
    assert "Economic loss [EUR bn]" in before
    page.screenshot(path=str(ARTIFACTS / "dashboard_before.png"), full_page=True)
    # the first slider is the building crews; its readout takes a typed value
    readout = page.locator(".widget-readout").first
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("150")
    page.keyboard.press("Enter")
    page.wait_for_function(f"b => document.querySelector('{TABLE}').innerText != b",
                           arg=before, timeout=60_000)
    after = page.inner_text(TABLE)
    assert after != before and "Economic loss [EUR bn]" in after
    assert "Not recomputed" not in page.content()
    page.screenshot(path=str(ARTIFACTS / "dashboard_after.png"), full_page=True)
    # what the page asked of the network (all refused; Voilà's template links Font Awesome on
    # a CDN, which its own bundle also carries): none of it is the dashboard's
    assert all("127.0.0.1" not in u for u in refused)
    print(f"refused off-loopback requests: {sorted(set(refused))}")
    page.close()


def test_ten_pages_at_once_each_get_a_working_dashboard(server, browser):
    pages = [browser.new_page() for _ in range(10)]
    for page in pages:
        page.goto(server, wait_until="commit", timeout=60_000)
    tables = []
    for page in pages:
        page.wait_for_selector(TABLE, timeout=240_000)
        tables.append(page.inner_text(TABLE))
    assert len(set(tables)) == 1 and "Economic loss" in tables[0]   # the same defaults everywhere
    # each page has its own kernel: a change in one leaves the others as they were
    one = pages[0]
    readout = one.locator(".widget-readout").first
    readout.click()
    one.keyboard.press("Control+A")
    one.keyboard.type("200")
    one.keyboard.press("Enter")
    one.wait_for_function(f"b => document.querySelector('{TABLE}').innerText != b",
                          arg=tables[0], timeout=60_000)
    assert pages[1].inner_text(TABLE) == tables[0]
    for page in pages:
        page.close()
