"""The served dashboard in a real browser (issue [widgets]): ``workbench serve`` on the loopback
address, Debian's chromium driven by playwright. Moving the building-crews slider changes the
index table; a room of ten pages opened at once on every interface each get a working
dashboard of their own, and the kernels of closed pages are culled. Screenshots are kept in
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

import psutil
import pytest

from workbench.run.serve import POOL, serve_command

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
    argv, env = serve_command(port=port, save_dir=tmp_path_factory.mktemp("saved"),
                              state_dir=tmp_path_factory.mktemp("state"))
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
    # the first slider is the building crews; its readout takes a typed value (fewer crews:
    # at the default M 5.5 more than 60 move nothing, the work table says why)
    after = _set_crews(page, "20", before)
    assert after != before and "Economic loss [EUR bn]" in after
    assert "Not recomputed" not in page.content()
    page.screenshot(path=str(ARTIFACTS / "dashboard_after.png"), full_page=True)
    # nothing asked of another host (before: Voilà's template linked Font Awesome on a CDN)
    assert refused == []
    page.close()


def _family_rss(pid: int) -> int:
    """Bytes resident in the server: ``workbench serve``, Voilà and every kernel it started."""
    total = 0
    root = psutil.Process(pid)
    for p in [root, *root.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def _kernels(pid: int) -> int:
    n = 0
    for p in psutil.Process(pid).children(recursive=True):
        try:
            n += "ipykernel" in " ".join(p.cmdline())
        except psutil.Error:
            pass
    return n


def _set_crews(page, value: str, before: str) -> str:
    """Type ``value`` into the building-crews readout; the index table once it has changed."""
    readout = page.locator(".widget-readout").first
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")
    page.wait_for_function(f"b => document.querySelector('{TABLE}').innerText != b",
                           arg=before, timeout=120_000)
    return page.inner_text(TABLE)


#: Kernels the room test's server may hold at once: the 10 prepared, plus the page drawn alone
#: and the 10 opened at once (each took a prepared kernel, which was replaced), until they are
#: culled; the visits afterwards come one at a time.
MOST_KERNELS = POOL + 1 + 10
#: The server's memory may pass neither this share over what its kernels hold (each as much as
#: one of the POOL prepared: the server with its pool, measured once the pool is ready, over
#: POOL + 1)
#: nor, once closed pages are culled, this share over the server with its pool. Measured: pool
#: ready 3.44 GB (~310 MB a kernel), peak 6.58 GB with 21 kernels (1.91x).
MARGIN = 1.25


def test_a_room_of_ten_then_visits_one_by_one_on_every_interface(browser, tmp_path):
    """``workbench serve --host 0.0.0.0`` (token; 10 pages prepared; kernels of closed pages
    culled after 60 s here: a shorter time culls a taken kernel whose page, drawn by a busy
    browser, has not connected yet): 10 pages opened at once each show their figures and
    indexes, and each has its own kernel (a change in one leaves another as it was); once they
    are closed their kernels are culled, back to the 10 prepared; then visits one after
    another (each page closed). The server's memory follows its kernels (:data:`MARGIN`)."""
    import sys
    port = _free_port()
    env = {**os.environ, "WORKBENCH_SERVE_CULL_IDLE_S": "60"}
    env.pop("WORKBENCH_SERVE_POOL", None)
    proc = subprocess.Popen([sys.executable, "-m", "workbench.run.cli", "serve", "--host",
                             "0.0.0.0", "--port", str(port), "--save-dir", str(tmp_path)],
                            stdout=(tmp_path / "serve.log").open("w"),
                            stderr=subprocess.STDOUT, env=env)   # a file: a pipe nobody reads fills
    try:
        while "?token=" not in (tmp_path / "serve.log").read_text():
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        first = (tmp_path / "serve.log").read_text().split("?token=")[1]
        url = f"http://127.0.0.1:{port}/?token=" + first.split()[0]
        start = time.monotonic()
        while _kernels(proc.pid) < POOL or psutil.cpu_percent(interval=1.0) > 20:
            assert time.monotonic() - start < 300, "the 10 prepared pages were not ready in 5 min"
        ready = time.monotonic() - start
        idle = _family_rss(proc.pid)
        # the waits scale with this machine's speed now: one page drawn alone first (the same
        # machine has run 2.5x slower at times, and a fixed 120 s for ten pages drawn at once on
        # 2 cores failed there although every page came)
        t = time.monotonic()
        page = browser.new_page()
        page.goto(url, timeout=120_000)
        page.wait_for_selector(TABLE, timeout=300_000)
        alone = time.monotonic() - t
        page.close()
        # ten pages share 2 cores with their kernels, one of them started cold (the page above
        # took a prepared one): measured 122.6 s for ten against 3.0 s for one, so ~40x; the
        # wait only bounds a hang (no time is asserted), so it is generous
        wait_ms = int(1000 * max(600.0, 100 * alone))
        pages = [browser.new_page() for _ in range(10)]
        t0 = time.monotonic()
        for page in pages:
            page.goto(url, wait_until="commit", timeout=wait_ms)
        tables = []
        for page in pages:
            page.wait_for_selector(TABLE, timeout=wait_ms)
            page.wait_for_selector("img", timeout=wait_ms)
            tables.append(page.inner_text(TABLE))
        at_once = time.monotonic() - t0
        assert len(set(tables)) == 1 and "Economic loss" in tables[0]  # the same defaults
        changed = _set_crews(pages[0], "10", tables[0])
        assert changed != tables[0] and "Economic loss" in changed
        assert pages[1].inner_text(TABLE) == tables[0]                # its own kernel
        peak = _family_rss(proc.pid)
        for page in pages:
            page.close()
        # closed pages' kernels are culled (idle 60 s, checked every 30 s): back to the pool
        t = time.monotonic()
        while _kernels(proc.pid) > POOL:
            assert time.monotonic() - t < 240, \
                f"{_kernels(proc.pid)} kernels 4 min after the pages closed; {POOL} are prepared"
            time.sleep(2)
        culled = time.monotonic() - t
        after = _family_rss(proc.pid)
        times = []
        for _ in range(5):
            page = browser.new_page()
            t = time.monotonic()
            page.goto(url, timeout=wait_ms)
            page.wait_for_selector(TABLE, timeout=wait_ms)
            times.append(time.monotonic() - t)
            peak = max(peak, _family_rss(proc.pid))
            page.close()
        print(f"pool ready {ready:.0f} s, {idle / 1e9:.2f} GB; one page alone {alone:.1f} s; "
              f"10 at once {at_once:.1f} s; culled back to 10 kernels in {culled:.0f} s, "
              f"{after / 1e9:.2f} GB; 5 visits {min(times):.1f}-{max(times):.1f} s; "
              f"peak {peak / 1e9:.2f} GB")
        bound = MARGIN * (MOST_KERNELS + 1) * idle / (POOL + 1)
        assert peak < bound, f"server memory {peak / 1e9:.2f} GB > {bound / 1e9:.2f} GB"
        assert after < MARGIN * idle, \
            f"{after / 1e9:.2f} GB after the culls, against {idle / 1e9:.2f} GB with the pool ready"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
