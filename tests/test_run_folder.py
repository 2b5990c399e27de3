"""Run folders are all-or-nothing, one run at a time (issue [robust] item 1).

The command runs as a user runs it, in a process of its own, and is interrupted (SIGINT, as
Ctrl-C) or killed (SIGKILL) after a random delay from a seeded generator: the target then holds
either the previous run, byte for byte, or a complete new one — never a half-written folder —
and the next run removes what a killed run left behind. A second run into a folder in use is
refused at once.
"""

import json
import random
import re
import signal
import subprocess
import sys
import time

import pytest
import yaml

from workbench import pipeline
from workbench.city import toy_city
from workbench.io.cityio import save_city
from workbench.run.cli import main
from workbench.core.errors import InputError
from workbench.run.params import validate_params

#: Seeded, so a failing case can be replayed; the delays span start-up, every stage and the
#: final rename of a toy-city `simulate` (about 2–3 s here).
RNG = random.Random(20250517)


@pytest.fixture(scope="module")
def toy_folder(tmp_path_factory):
    return save_city(toy_city(), tmp_path_factory.mktemp("city") / "toy")


def _params(toy_folder, seed, realizations=20):
    return {"name": "toy", "city": str(toy_folder), "seed": seed, "realizations": realizations,
            "horizon_days": 60, "constraints": {"crews": 2}}


def _params_file(folder, toy_folder, seed, realizations=20):
    path = folder / f"p{seed}.yaml"
    path.write_text(yaml.safe_dump(_params(toy_folder, seed, realizations)))
    return path


def _simulate(toy_folder, seed, target):
    return pipeline.simulate(validate_params(_params(toy_folder, seed)), target)


def _sigint_as_default():
    # A command started in the background of a non-interactive shell (`make test &`, a CI step
    # run that way) inherits SIGINT ignored, and Python then never raises KeyboardInterrupt:
    # the child gets the default disposition, as a command typed in a terminal has.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _workbench(*args, cwd):
    return subprocess.Popen([sys.executable, "-m", "workbench.run.cli", *map(str, args)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_sigint_as_default)


def _interrupted(proc, sig, delay):
    """Send ``sig`` after ``delay`` s unless the run ended before; (exit status, stderr)."""
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def _siblings(target):
    # (a run killed before it made the target's parent folder leaves nothing at all)
    if not target.parent.exists():
        return []
    return sorted(p.name for p in target.parent.iterdir() if p != target)


def _check(target, previous, rc, err, sig, seed, pid=None):
    """The target holds the previous run (``previous``: its summary.json bytes, or None for no
    folder) or this run, complete (a kill can come after it is in place); nothing beside it
    looks like a run. Returns the summary.json bytes now at the target."""
    summary = target / "summary.json"
    now = summary.read_bytes() if summary.exists() else None
    if now != previous:
        assert json.loads(now)["seed"] == seed, (rc, err)
        stages = json.loads((target / "manifest.json").read_text())["stages"]
        assert all(s["status"] == "ok" for s in stages.values())
    elif previous is None:
        assert not target.exists(), _siblings(target)
    assert rc in (0, 130, -sig), (rc, err)  # -SIGINT: interrupted while Python starts
    if rc == 130:  # interrupted and cleaned up: one line, no staging folder, no lock left
        assert now == previous
        assert err.strip().splitlines()[-1].startswith("workbench simulate: interrupted"), err
        # none of its own; a run interrupted before it reached the folder (the command now
        # starts in 0.04 s) leaves what a killed run left before it, for the next run to remove
        own = [n for n in _siblings(target) if n.endswith(f"-{pid}")
               or (n.endswith(".lock") and (target.parent / n).read_text().strip() == str(pid))]
        assert own == [], _siblings(target)
        assert pid is not None or _siblings(target) == [], _siblings(target)
    # what a killed run leaves is hidden and named as a staging folder, never the run
    assert all(n.startswith(f".{target.name}.") for n in _siblings(target))
    return now


@pytest.mark.slow
def test_interrupted_or_killed_simulate_leaves_the_previous_folder(toy_folder, tmp_path):
    target = tmp_path / "out" / "run"
    previous = (_simulate(toy_folder, 1, target) / "summary.json").read_bytes()
    cases = [(signal.SIGINT if k % 2 else signal.SIGKILL, RNG.uniform(0.3, 3.6)) for k in range(6)]
    for seed, (sig, delay) in enumerate(cases, start=2):
        proc = _workbench("simulate", _params_file(tmp_path, toy_folder, seed), "--out", target,
                          cwd=tmp_path)
        rc, err = _interrupted(proc, sig, delay)
        previous = _check(target, previous, rc, err, sig, seed, pid=proc.pid)
    # the next run removes what killed runs left, and takes over their stale locks
    last = _simulate(toy_folder, 99, target)
    assert _siblings(last) == []
    assert json.loads((last / "summary.json").read_text())["seed"] == 99


@pytest.mark.slow
def test_interrupted_first_runs_leave_no_folder(toy_folder, tmp_path):
    for k, sig in enumerate((signal.SIGINT, signal.SIGKILL)):
        target = tmp_path / f"out{k}" / "run"
        proc = _workbench("simulate", _params_file(tmp_path, toy_folder, seed=5), "--out", target,
                          cwd=tmp_path)
        rc, err = _interrupted(proc, sig, RNG.uniform(1.0, 2.0))
        _check(target, None, rc, err, sig, seed=5)


@pytest.mark.slow
def test_interrupted_run_leaves_the_previous_folder(toy_folder, tmp_path):
    target = tmp_path / "out" / "report"
    previous = (_simulate(toy_folder, 1, target) / "summary.json").read_bytes()
    proc = _workbench("run", _params_file(tmp_path, toy_folder, seed=2, realizations=1), "--out",
                      target, cwd=tmp_path)
    rc, err = _interrupted(proc, signal.SIGINT, RNG.uniform(2.0, 10.0))
    assert rc in (0, 130, -signal.SIGINT), err  # -SIGINT: interrupted while Python starts
    if rc == -signal.SIGINT:  # before the command began: nothing was touched
        assert (target / "summary.json").read_bytes() == previous
    if rc == 130:
        assert (target / "summary.json").read_bytes() == previous
        assert not (target / "index.html").exists()  # the previous folder, from `simulate`
        assert err.strip().splitlines()[-1] == (
            "workbench run: interrupted (the run folder is as it was before this run)")
    assert _siblings(target) == []


@pytest.mark.slow
def test_a_second_run_into_a_folder_in_use_is_refused(toy_folder, tmp_path, capsys):
    target = tmp_path / "busy" / "run"
    lock = target.parent / ".run.lock"
    first = _workbench("simulate", _params_file(tmp_path, toy_folder, seed=3, realizations=40),
                       "--out", target, cwd=tmp_path)
    deadline = time.monotonic() + 30
    while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert main(["simulate", str(_params_file(tmp_path, toy_folder, seed=4)), "--out",
                 str(target)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"workbench simulate: run folder: {str(target)!r} is in use by another workbench run "
        f"(pid {first.pid}; lock"), err
    _, first_err = first.communicate(timeout=60)
    assert first.returncode == 0, first_err
    assert json.loads((target / "summary.json").read_text())["seed"] == 3
    assert _siblings(target) == [] and not lock.exists()


def test_a_stale_lock_of_a_dead_run_is_taken_over(toy_folder, tmp_path):
    target = tmp_path / "run"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (tmp_path / ".run.lock").write_text(f"{dead}\n")
    (tmp_path / f".run.tmp-{dead}").mkdir()
    (tmp_path / f".run.tmp-{dead}" / "summary.json").write_text("{}")
    params = validate_params({"name": "toy", "city": str(toy_folder), "horizon_days": 30})
    assert (pipeline.simulate(params, target) / "summary.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


@pytest.mark.parametrize("content", ["file", "foreign folder"])
def test_out_not_made_by_the_workbench_is_refused(toy_folder, tmp_path, content):
    target = tmp_path / "out"
    if content == "file":
        target.write_text("notes")
        rule = "is a file, not a folder"
    else:
        target.mkdir()
        (target / "thesis.tex").write_text("years of work")
        rule = "exists and was not made by the workbench (no workbench manifest.json)"
    params = validate_params({"name": "toy", "city": str(toy_folder), "horizon_days": 30})
    with pytest.raises(InputError, match=re.escape(rule)):
        pipeline.simulate(params, target)
    assert target.is_file() or (target / "thesis.tex").read_text() == "years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_empty_out_folder_is_used(toy_folder, tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    params = validate_params({"name": "toy", "city": str(toy_folder), "horizon_days": 30})
    assert (pipeline.simulate(params, target) / "summary.json").exists()


def test_a_notebook_run_on_its_own_never_rewrites_a_finished_run(tmp_path, monkeypatch, capsys):
    import shutil

    import workbench.run.pipeline.writer as writer
    from workbench.city import toy_city
    from workbench.io.cityio import save_city
    from workbench.run.params import validate_params
    from workbench.run.pipeline import simulate
    params = validate_params({"name": "toy", "horizon_days": 20,
                              "city": str(save_city(toy_city(), tmp_path / "city"))})
    finished = simulate(params, tmp_path / "reports" / "toy")
    with pytest.raises(InputError, match=r"holds a finished run \(its manifest.json\): a notebook "
                                         r"run on its own does not rewrite it"):
        writer.open_run("", str(finished))
    # under `workbench run` the folder is a staging folder: parameters, no manifest yet
    staging = tmp_path / "staging"
    staging.mkdir()
    writer.write_params(staging, params)
    assert writer.open_run("", str(staging)) == staging.resolve()
    # opened by hand with empty parameters: reports/<name>/, or <name>-by-hand/ beside a
    # finished one, said in the output
    monkeypatch.setattr(writer, "REPORTS_DIR", tmp_path / "reports")
    shutil.copytree(finished, tmp_path / "reports" / "demo")
    before = (tmp_path / "reports" / "demo" / "params.yaml").read_bytes()
    assert writer.open_run() == (tmp_path / "reports" / "demo-by-hand").resolve()
    assert "reports/demo/ holds a finished run" in capsys.readouterr().out
    assert (tmp_path / "reports" / "demo" / "params.yaml").read_bytes() == before
    shutil.rmtree(tmp_path / "reports" / "demo")
    assert writer.open_run() == (tmp_path / "reports" / "demo").resolve()


def test_the_default_out_is_under_the_folder_the_command_runs_in(tmp_path, monkeypatch):
    from workbench.city import toy_city
    from workbench.core.paths import REPORTS_DIR
    from workbench.io.cityio import save_city
    from workbench.run.cli import main
    save_city(toy_city(), tmp_path / "city")
    (tmp_path / "p.yaml").write_text("name: mine\ncity: city\nhorizon_days: 20\n")
    monkeypatch.chdir(tmp_path)
    assert main(["simulate", "p.yaml"]) == 0
    assert (tmp_path / "reports" / "mine" / "summary.json").is_file()
    assert not (REPORTS_DIR / "mine").exists()          # not the repository's reports/
