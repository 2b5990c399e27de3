"""The constraint dashboard's speed on the demo city (a script, not a test).

1. Headless: a Dashboard on the defaults, then 10 constraint changes (building crews, commitment,
   materials, a strategy off and on); per change the time from setting the widget to the redrawn
   table, curves and map (targets: <= 0.5 s), split into recovery and drawing. Then one hazard
   change (damage sampled again).
2. Served: ``workbench serve`` on a free port, one chromium page (playwright); seconds from
   opening the page to a usable dashboard (the index table shown; target <= 10 s), then the
   seconds from typing a crew count to the changed table.

    .venv/bin/python benchmarks/bench_dashboard.py
    .venv/bin/python benchmarks/bench_dashboard.py PARAMS.yaml --headless   # another city (e.g.
        # bench_city.py's params.yaml of 100,000 buildings), part 1 only
"""
import shutil
import socket
import subprocess
import sys
import time
import warnings

import numpy as np

warnings.simplefilter("ignore")
from workbench.run.dashboard import Dashboard  # noqa: E402
from workbench.run.serve import serve_command  # noqa: E402

PARAMS = next((a for a in sys.argv[1:] if not a.startswith("--")), None)
t0 = time.perf_counter()
dash = Dashboard.from_file(PARAMS)
print(f"city: {dash.city.buildings.sizes['building']:,} buildings")
print(f"dashboard built (city mapped, damage sampled, first recovery and drawing): "
      f"{time.perf_counter() - t0:.2f} s")
c = dash.controls
changes = [("crews.building", 80), ("crews.building", 120), ("commitment_days", 30),
           ("commitment_days", 0), ("crews.water", 10), ("crews.power", 10),
           ("materials_unlimited", False), ("materials_per_day", 3e7),
           ("strategies", ("rigid", "flexible")), ("strategies", ("rigid", "semiflexible", "flexible"))]
totals = []
for key, value in changes:
    t = time.perf_counter()
    c[key].value = value
    totals.append(time.perf_counter() - t)
    print(f"  {key:20s} -> {str(value):36s} {totals[-1]:.3f} s  (recovery "
          f"{dash.timings['recovery']:.3f}, draw {dash.timings['draw']:.3f}; error {dash.error})")
print(f"constraint change: median {np.median(totals):.3f} s, max {max(totals):.3f} s")
t = time.perf_counter()
c["magnitude"].value = 6.0
print(f"hazard change (damage sampled again): {time.perf_counter() - t:.3f} s "
      f"(damage {dash.timings['damage']:.3f})")

if "--headless" in sys.argv:
    raise SystemExit(0)
chromium = shutil.which("chromium")
if chromium is None:
    raise SystemExit("chromium not installed: served-page figures skipped")
from playwright.sync_api import sync_playwright  # noqa: E402

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
argv, env = serve_command(port=port)
proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        t = time.perf_counter()
        page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
        page.wait_for_selector("table.workbench-indexes", timeout=120_000)
        print(f"served page usable after {time.perf_counter() - t:.2f} s")
        before = page.inner_text("table.workbench-indexes")
        page.locator(".widget-readout").first.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("150")
        t = time.perf_counter()
        page.keyboard.press("Enter")
        page.wait_for_function("b => document.querySelector('table.workbench-indexes').innerText != b",
                               arg=before, timeout=60_000)
        print(f"served page: crews typed -> table changed in {time.perf_counter() - t:.2f} s")
        browser.close()
finally:
    proc.terminate()
    proc.wait(timeout=20)
