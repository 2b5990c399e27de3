"""Progress of long work: the line (done, rate, time left), where it is shown, and that
``workbench run`` relays a stage notebook's ensemble progress to the terminal."""

import json
import re

import pytest

from workbench.core.progress import PROGRESS_ENV, RateLine, duration, stage_progress


def test_the_rate_counts_only_work_done_since_the_start():
    times = iter([100.0, 104.0, 108.0, 110.0])
    line = RateLine("ensemble", "members", clock=lambda: next(times))
    assert line(600, 1000) == "ensemble: 600 of 1,000 members (60 %)"   # 600 from a store
    assert line(700, 1000) == ("ensemble: 700 of 1,000 members (70 %), 25.0 members/s, "
                               "about 12 s left")
    assert line(800, 1000).endswith("25.0 members/s, about 8 s left")
    assert line(1000, 1000) == "ensemble: 1,000 of 1,000 members in 10 s (40.0 members/s)"


def test_durations_read_at_a_glance():
    assert [duration(s) for s in (0.4, 59.6, 60, 3599, 7260)] == [
        "0 s", "1 min 0 s", "1 min 0 s", "59 min 59 s", "2 h 1 min"]


def test_a_stage_writes_its_line_where_workbench_run_reads_it(tmp_path, monkeypatch):
    target = tmp_path / ".progress"
    monkeypatch.setenv(PROGRESS_ENV, str(target))
    progress = stage_progress("ensemble", "members")
    progress(0, 40)
    assert target.read_text() == "ensemble: 0 of 40 members (0 %)\n"
    progress(40, 40)
    assert re.fullmatch(r"ensemble: 40 of 40 members in \d+ s( \(.*members/s\))?\n",
                        target.read_text())
    assert sorted(p.name for p in tmp_path.iterdir()) == [".progress"]   # no temporary left


def test_without_a_kernel_or_a_file_progress_does_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(PROGRESS_ENV, raising=False)
    stage_progress()(3, 4)
    assert capsys.readouterr() == ("", "")


def test_a_failing_progress_file_never_fails_the_stage(tmp_path, monkeypatch):
    monkeypatch.setenv(PROGRESS_ENV, str(tmp_path / "no" / "such" / "folder" / "p"))
    stage_progress()(1, 2)          # the folder does not exist: the line is dropped


@pytest.mark.slow           # the shared toy `workbench run` (~100 s, made once for the session)
def test_workbench_run_prints_the_ensembles_progress_and_the_report_keeps_the_last_line(
        toy_report):
    members = toy_report.params["ensemble"]["members"]
    done = [line for line in toy_report.lines if "ensemble:" in line]
    assert done and re.fullmatch(rf"\s+ensemble: {members} of {members} members in \d+ s"
                                 rf"( \([\d.]+ members/(s|min)\))?", done[-1]), toy_report.lines
    assert any(re.search(r"mitigation: (\d+) of \1 ensembles in", line)
               for line in toy_report.lines), toy_report.lines
    # in the executed notebook the line was updated in place: one output, the last line
    nb = json.loads((toy_report.dir / "05_strategy_uncertainty.ipynb").read_text())
    shown = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
             if "ensemble:" in "".join(o.get("data", {}).get("text/plain", ""))]
    assert len(shown) == 1
    assert f"{members} of {members} members in" in "".join(shown[0]["data"]["text/plain"])
