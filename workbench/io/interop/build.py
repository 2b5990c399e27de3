"""A city from an inventory: :func:`city_from_inventory` puts the buildings of
:func:`~workbench.io.interop.inventory.read_inventory` on a generated street lattice
(:func:`street_lattice`) with water and power laid along it, or imported networks; saved as a
city folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import xarray as xr

from ...city.model import City
from ..cityio import save_city
from ...core.dims import BUILDING
from ...core.errors import InputError
from ..importers.build import network_lines, utility_networks
from ..importers.files import existing_file
from ..importers.graphs import gateway_nodes, set_edge_kind, sorted_graph
from ..importers.provenance import field_provenance, provenance_markdown
from ...city.mapping import map_buildings
from .inventory import read_inventory

__all__ = ["city_from_inventory", "street_lattice"]


def street_lattice(buildings: xr.Dataset, *, spacing: float = 200.0, jitter: float = 0.1,
                   seed: int = 0, n_gateways: int = 4) -> nx.Graph:
    """A street graph covering the buildings: a square lattice with seeded jitter.

    The lattice spans the buildings' bounding box padded by ``spacing / 2`` on every side,
    with intersections every ``spacing`` metres (at least 2 × 2), each moved by a seeded uniform
    offset within ± ``jitter × spacing`` in x and y, so the streets are not perfectly regular;
    streets join horizontal and vertical neighbours (a connected, looped graph). Empty blocks
    keep their streets. Gateways (the road network's sources) are the intersections farthest
    west, east, south and north. Node ids ``R<row>_<col>``; edges ``kind="road"``,
    ``length`` [m], ``repair_days`` [crew-days] and ``repair_cost`` [EUR] by
    :data:`workbench.io.importers.REPAIR_RULES`. This is a stand-in for real streets, not a model of
    them: use :func:`workbench.io.importers.city_from_osm` where OSM streets exist.

    Examples
    --------
    >>> b = xr.Dataset({"x": ("building", [0.0, 500.0]), "y": ("building", [0.0, 300.0])})
    >>> S = street_lattice(b, spacing=200.0, jitter=0.0)
    >>> S.number_of_nodes(), S.number_of_edges(), sorted(set(dict(S.nodes(data="kind")).values()))
    (20, 31, ['gateway', 'intersection'])
    """
    if not (np.isfinite(spacing) and spacing > 0):
        raise InputError(f"spacing must be a positive number of metres, got {spacing!r}.")
    if not 0.0 <= jitter < 0.5:
        raise InputError(f"jitter must be within [0, 0.5) of the spacing, got {jitter!r}.")
    x, y = (np.asarray(buildings[v].values, dtype=float) for v in ("x", "y"))
    x0, y0 = x.min() - spacing / 2, y.min() - spacing / 2
    cols = max(2, int(np.ceil((x.max() + spacing / 2 - x0) / spacing)) + 1)
    rows = max(2, int(np.ceil((y.max() + spacing / 2 - y0) / spacing)) + 1)
    rng = np.random.default_rng(seed)
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    offset = rng.uniform(-jitter, jitter, size=(2, rows, cols)) * spacing
    nx_ = x0 + c * spacing + offset[0]
    ny_ = y0 + r * spacing + offset[1]
    names = np.char.add(np.char.add("R", r.astype(str)), np.char.add("_", c.astype(str)))
    graph = nx.Graph(name="road", crs=buildings.attrs.get("crs", ""), seed=int(seed),
                     spacing_m=float(spacing), generator="workbench.io.interop.street_lattice",
                     substations=[])
    graph.add_nodes_from((n, {"kind": "intersection", "x": float(a), "y": float(b)})
                         for n, a, b in zip(names.ravel(), nx_.ravel(), ny_.ravel()))
    pairs = [(names[:, :-1], names[:, 1:], nx_[:, :-1] - nx_[:, 1:], ny_[:, :-1] - ny_[:, 1:]),
             (names[:-1, :], names[1:, :], nx_[:-1, :] - nx_[1:, :], ny_[:-1, :] - ny_[1:, :])]
    for u, v, dx, dy in pairs:
        graph.add_edges_from((a, b, {"length": float(d)}) for a, b, d in
                             zip(u.ravel(), v.ravel(), np.hypot(dx, dy).ravel()))
    graph = sorted_graph(graph)
    for node in gateway_nodes(graph, n_gateways):
        graph.nodes[node]["kind"] = "gateway"
    set_edge_kind(graph, "road")
    return graph


def city_from_inventory(path, out_dir, *, water=None, power=None, area_units: str | None = None,
                        seed: int = 0, max_distance: float = 1000.0, crs: str | None = None,
                        street_spacing: float = 200.0, name: str | None = None) -> City:
    """Build, save and return a city from a SimCenter-style inventory (CLI ``city from-inventory``).

    Buildings come from :func:`read_inventory`; streets from :func:`street_lattice` (seeded);
    water and power are laid along the streets by
    :func:`workbench.io.importers.lay_network_along_streets` unless ``water`` (EPANET ``.inp``) or
    ``power`` (pandapower ``.json`` or a ``pandapower.networks`` name) is given, which are fitted
    into the lattice's box as :func:`workbench.io.importers.city_from_osm` does; laid networks get
    as many sources as the buildings' load needs (:func:`workbench.io.importers.source_sizing`).
    Buildings are mapped
    to their nearest node within ``max_distance`` [m]; the city folder (with a provenance
    ``README.md``) is written into ``out_dir``.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "inv.csv")
    >>> pd.DataFrame({"id": [1, 2], "Latitude": [37.87, 37.872], "Longitude": [-122.27, -122.268],
    ...     "PlanArea": [100.0, 200.0], "AreaUnits": "m2", "NumberOfStories": [2, 5],
    ...     "YearBuilt": [1950, 1990], "StructureType": ["W1", "C2"],
    ...     "OccupancyClass": ["RES1", "COM4"]}).to_csv(path, index=False)
    >>> city = city_from_inventory(path, tempfile.mkdtemp())
    >>> city.name, sorted(city.networks), city.buildings["road_node"].values.tolist()
    ('inv', ['power', 'road', 'water'], ['R0_0', 'R2_1'])
    """
    source = existing_file(path, "path")
    buildings = read_inventory(source, area_units=area_units, crs=crs)
    streets = street_lattice(buildings, spacing=street_spacing, seed=seed)
    xy = np.array([(d["x"], d["y"]) for _, d in streets.nodes(data=True)])
    box = (*xy.min(axis=0).tolist(), *xy.max(axis=0).tolist())
    networks, notes = utility_networks(
        streets, box, buildings=buildings, water=water, power=power, seed=seed,
        laid_note="laid along the generated streets by workbench.io.importers.lay_network_along_streets")
    notes["road"] = (f"generated lattice, {street_spacing:g} m blocks, seeded jitter "
                     f"(workbench.io.interop.street_lattice)")
    mapped = map_buildings(buildings, networks, max_distance=max_distance)
    city_name = name or source.name.split(".")[0]
    city = City(buildings=mapped, networks=networks, name=city_name,
                provenance=_provenance(city_name, source, mapped, networks, notes, seed))
    save_city(city, out_dir)
    return city


def _provenance(name, source: Path, buildings, networks, notes, seed) -> str:
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    counts = network_lines(networks, notes)
    by_rule = pd.Series(buildings["occupancy_source"].values).value_counts().to_dict()
    return f"""# {name}

Built by `workbench.io.interop.city_from_inventory` (seed {seed}) from `{source.name}`
(sha256 `{digest}`), CRS {buildings.attrs['crs']}.

## Buildings ({buildings.sizes[BUILDING]})
- SimCenter inventory fields; PlanArea in {buildings.attrs['area_units']} converted to m².
- type from the Hazus OccupancyClass (`workbench.io.interop.OCCUPANCY_CLASS_TYPES`); structural
  class from StructureType + NumberOfStories (`workbench.io.interop.hazus_model_type`).
- floor area = plan area × storeys; x/y projected from Latitude/Longitude.
- occupancy Q0 by rule: {by_rule} ("density" = floor area / m² per person by type,
  `workbench.io.importers.AREA_PER_PERSON`, a planning assumption).

{provenance_markdown(field_provenance(buildings))}
## Networks
{counts}

The streets, and networks laid along them, are generated stand-ins, not surveyed networks.
"""
