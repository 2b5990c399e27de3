"""``workbench serve`` as a process (issue [experience] item 4): served on another address it asks
for a token; SIGTERM, as a service manager or ``docker stop`` sends it, ends Voilà and every
kernel it started (before, the Voilà child and its kernel outlived a terminated serve)."""

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psutil
import pytest

pytestmark = pytest.mark.slow   # make test-fast leaves it out: a Voilà server and a kernel (~40 s)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str, timeout: float = 120.0) -> tuple[int, str]:
    """(status, the address answered, after redirects)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.geturl()
    except urllib.error.HTTPError as exc:
        return exc.code, url


def test_a_token_off_loopback_and_sigterm_ends_voila_and_its_kernels(tmp_path):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "workbench.run.cli", "serve", "--port",
                               str(port), "--host", "0.0.0.0", "--save-dir", str(tmp_path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline()
        token = first.split("?token=")[1].split()[0]
        deadline = time.monotonic() + 60
        while True:                                   # Voilà up: a page without the token
            try:
                code, answered = _status(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "Voilà did not start"
                time.sleep(0.5)
        assert code == 403 or "/login" in answered, (code, answered)   # asked for the token
        code, answered = _status(f"http://127.0.0.1:{port}/?token={token}")   # starts a kernel
        assert code == 200 and "/login" not in answered, (code, answered)
        family = psutil.Process(server.pid).children(recursive=True)
        assert any("ipykernel" in " ".join(p.cmdline()) for p in family), family
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) in (0, 1)
        gone, alive = psutil.wait_procs(family, timeout=30)
        assert not alive, [p.cmdline() for p in alive]
        assert "WARNING: serving on 0.0.0.0" in server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()
