"""Shared test set-up: the tracebacks that failing commands write to a temporary file go to the
test's own temporary folder, not to the machine's /tmp."""

import tempfile

import pytest


@pytest.fixture(autouse=True)
def _private_tempdir(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("tmp")
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))   # and in subprocesses
    yield
