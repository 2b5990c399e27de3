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

slow = pytest.mark.slow   # make test-fast leaves it out: a Voilà server and a kernel (~40 s)


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


@slow
def test_a_token_off_loopback_and_sigterm_ends_voila_and_its_kernels(tmp_path):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "workbench.run.cli", "serve", "--port",
                               str(port), "--host", "0.0.0.0", "--save-dir", str(tmp_path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline()
        token = first.split("?token=")[1].split()[0]
        deadline = time.monotonic() + 120
        while True:                                   # Voilà up: a page without the token
            try:
                code, answered = _status(f"http://127.0.0.1:{port}/", timeout=5)
                break
            # (a server still starting on a loaded machine may accept and not answer in time)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
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


def test_the_command_serves_offline_prepared_pages_and_reads_its_settings(tmp_path, monkeypatch):
    from workbench.core.errors import InputError
    from workbench.run.serve import OFFLINE_TEMPLATE, serve_command
    monkeypatch.delenv("WORKBENCH_SERVE_POOL", raising=False)
    monkeypatch.delenv("WORKBENCH_SERVE_CULL_IDLE_S", raising=False)
    argv, env = serve_command(save_dir=tmp_path, state_dir=tmp_path / "state", host="0.0.0.0")
    page = tmp_path / "state" / "voila" / "templates" / OFFLINE_TEMPLATE / "index.html.j2"
    assert page.is_file() and "'://' in line" in page.read_text()   # links to a CDN dropped
    assert str(tmp_path / "state") in env["JUPYTER_PATH"].split(":")
    assert f"--VoilaConfiguration.template={OFFLINE_TEMPLATE}" in argv
    assert "--VoilaConfiguration.default_pool_size=10" in argv      # a room: 10 prepared pages
    assert "--VoilaExecutor.iopub_timeout=60" in argv   # late outputs under load still arrive
    argv, _ = serve_command(save_dir=tmp_path, state_dir=tmp_path / "state")
    assert "--VoilaConfiguration.default_pool_size=1" in argv       # this machine only: one
    monkeypatch.setenv("WORKBENCH_SERVE_POOL", "0")
    monkeypatch.setenv("WORKBENCH_SERVE_CULL_IDLE_S", "40")
    argv, _ = serve_command(save_dir=tmp_path, state_dir=tmp_path / "state")
    assert not any("preheat" in a for a in argv)
    assert "--MappingKernelManager.cull_idle_timeout=40" in argv
    assert "--MappingKernelManager.cull_interval=20" in argv
    monkeypatch.setenv("WORKBENCH_SERVE_POOL", "many")
    with pytest.raises(InputError, match="WORKBENCH_SERVE_POOL must be an integer from 0 to 100"):
        serve_command(save_dir=tmp_path, state_dir=tmp_path / "state")
