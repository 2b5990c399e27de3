"""The city data model (METHOD §2): buildings as an ``xarray.Dataset`` on dim ``building``,
infrastructure networks as ``networkx`` graphs; a city folder saves and loads them losslessly
(:mod:`workbench.io.cityio`).

Buildings
---------
Required variables (dim ``building``; the ``building`` coordinate holds string ids):

============================  =========  ==============================================
variable                      units      meaning
============================  =========  ==============================================
``type``                      --         one of :data:`workbench.core.dims.BUILDING_TYPES`
``floor_area``                m²         gross floor area (all storeys)
``stories``                   --         number of storeys above ground, ≥ 1
``year_built``                year       construction year
``structural_class``          --         Hazus model building type (W1, C1L, URML, …)
``x``, ``y``                  m          projected coordinates (CRS in ``attrs["crs"]``)
``occupancy``                 persons    baseline occupancy Q0 (people housed or working)
============================  =========  ==============================================

Optional variables: ``district`` (str), ``footprint_area`` [m²], ``population`` [persons],
``daily_active_population`` [persons], ``income_per_capita`` [money/year], ``education_level``
[share with tertiary education, 0–1], ``shelter_capable`` (bool), ``replacement_cost`` [money].

Networks
--------
Each network is an undirected ``networkx.Graph`` with string node ids, ``graph["name"]`` one of
:data:`workbench.core.dims.NETWORKS`. Nodes carry ``kind`` (source, reservoir, substation, pump,
junction, …), ``x``, ``y`` [m]; edges carry ``kind`` (pipe, line, road, …), ``length`` [m],
``repair_days`` [crew-days] and ``repair_cost`` [money]. Every connected component must hold a
source node (:data:`workbench.core.dims.SOURCE_KINDS`), so that every node can in principle be served.

City folder (METHOD §9)
-----------------------
``buildings.csv`` (column ``id`` plus the variables above), ``networks/<name>.json`` as networkx
node-link JSON and a ``README.md`` of provenance, written and read by :mod:`workbench.io.cityio`
(kept apart from this model, which imports no reader).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

import networkx as nx
import numpy as np
import pandas as pd
import xarray as xr

from ..core.dims import BUILDING, BUILDING_TYPES, NETWORKS, SOURCE_KINDS
from ..core.errors import InputError

__all__ = [
    "City", "REQUIRED_BUILDING_FIELDS", "OPTIONAL_BUILDING_FIELDS", "NODE_ATTRS", "EDGE_ATTRS",
    "DEFAULT_CRS", "buildings_from_frame", "validate_buildings", "validate_network", "toy_city",
]

#: name → (dtype kind, units). Kinds: "U" string, "f" float, "i" integer, "b" bool.
REQUIRED_BUILDING_FIELDS = {
    "type": ("U", ""),
    "floor_area": ("f", "m2"),
    "stories": ("i", ""),
    "year_built": ("i", "year"),
    "structural_class": ("U", ""),
    "x": ("f", "m"),
    "y": ("f", "m"),
    "occupancy": ("f", "persons"),
}
OPTIONAL_BUILDING_FIELDS = {
    "district": ("U", ""),
    "footprint_area": ("f", "m2"),
    "population": ("f", "persons"),
    "daily_active_population": ("f", "persons"),
    "income_per_capita": ("f", "money/year"),
    "education_level": ("f", "share"),
    "shelter_capable": ("b", ""),
    "replacement_cost": ("f", "money"),
}
_NON_NEGATIVE = ("floor_area", "occupancy", "footprint_area", "population",
                 "daily_active_population", "income_per_capita", "replacement_cost")
NODE_ATTRS = ("kind", "x", "y")
EDGE_ATTRS = ("kind", "length", "repair_days", "repair_cost")
DEFAULT_CRS = "EPSG:3067"


@dataclass(frozen=True)
class City:
    """Buildings, networks and their map, validated on construction.

    Parameters
    ----------
    buildings : xarray.Dataset
        Dim ``building``; see the module docstring for variables and units. Once mapped
        (:func:`workbench.city.mapping.map_buildings`) it carries ``<network>_node`` coordinates.
    networks : mapping of str to networkx.Graph
        Keyed by network name (``water``, ``power``, ``road``).
    name : str
        A label used in reports.
    provenance : str
        Free text: where the data comes from, licences.

    Examples
    --------
    >>> city = toy_city()
    >>> city.buildings.sizes["building"], sorted(city.networks)
    (6, ['power', 'road', 'water'])
    """

    buildings: xr.Dataset
    networks: Mapping[str, nx.Graph] = field(default_factory=dict)
    name: str = "city"
    provenance: str = ""

    def __post_init__(self):
        validate_buildings(self.buildings)
        for net_name, graph in self.networks.items():
            validate_network(graph, net_name)
        _validate_service_map(self.buildings, self.networks)

    @property
    def crs(self) -> str:
        return self.buildings.attrs.get("crs", DEFAULT_CRS)

    def with_buildings(self, buildings: xr.Dataset) -> "City":
        """A new city with other buildings (validated), same networks."""
        return replace(self, buildings=buildings)


# --------------------------------------------------------------------------- buildings

def buildings_from_frame(frame: pd.DataFrame, *, crs: str = DEFAULT_CRS, source: str = "table"
                         ) -> xr.Dataset:
    """Turn a table with column ``id`` and the building fields into a validated Dataset.

    Unknown columns are kept as extra variables (numeric or string); the service-map columns
    ``<network>_node`` become coordinates.

    Examples
    --------
    >>> df = pd.DataFrame({"id": ["a"], "type": ["office"], "floor_area": [100.0], "stories": [2],
    ...     "year_built": [1990], "structural_class": ["C1L"], "x": [0.0], "y": [0.0],
    ...     "occupancy": [5.0]})
    >>> float(buildings_from_frame(df)["floor_area"].sum())
    100.0
    """
    missing = [c for c in ("id", *REQUIRED_BUILDING_FIELDS) if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source} lacks required building column(s) {missing}; it has {list(frame.columns)}. "
            f"Add them (see workbench.city.REQUIRED_BUILDING_FIELDS for names and units).")
    frame = frame.copy()
    ids = frame["id"].astype(str)
    if ids.duplicated().any():
        raise InputError(f"{source}: building ids must be unique; duplicated: "
                         f"{sorted(set(ids[ids.duplicated()]))[:5]}")
    frame = frame.drop(columns="id")
    frame.index = pd.Index(ids.to_numpy(), name=BUILDING)
    ds = xr.Dataset(attrs={"crs": crs})
    coords = {}
    for col in frame.columns:
        spec = {**REQUIRED_BUILDING_FIELDS, **OPTIONAL_BUILDING_FIELDS}.get(col)
        values = frame[col]
        if spec is not None:
            values = _coerce(values, spec[0], col, source)
        elif values.dtype == object:
            values = values.fillna("").astype(str)
        if col.endswith("_node") and col[:-5] in NETWORKS:
            coords[col] = ((BUILDING,), values.fillna("").astype(str).to_numpy())
        elif col.endswith("_distance") and col[:-9] in NETWORKS:
            coords[col] = ((BUILDING,), values.astype(float).to_numpy(), {"units": "m"})
        else:
            ds[col] = ((BUILDING,), np.asarray(values))
            if spec is not None and spec[1]:
                ds[col].attrs["units"] = spec[1]
    ds = ds.assign_coords({BUILDING: frame.index.to_numpy().astype(str), **coords})
    validate_buildings(ds, source=source)
    return ds


def _coerce(values: pd.Series, kind: str, col: str, source: str) -> np.ndarray:
    if kind == "U":
        return values.fillna("").astype(str).to_numpy()
    if kind == "b":
        return values.astype(str).str.lower().isin(["true", "1", "yes"]).to_numpy()
    numeric = pd.to_numeric(values, errors="coerce")
    bad = values[numeric.isna() & values.notna()]
    if len(bad):
        raise InputError(f"{source}: column {col!r} must be numeric; building {bad.index[0]!r} has "
                         f"{bad.iloc[0]!r}.")
    if kind == "i":
        if numeric.isna().any():
            first = numeric.index[numeric.isna()][0]
            raise InputError(f"{source}: column {col!r} is missing (NaN) for building {first!r}; "
                             f"fill it before loading.")
        return numeric.round().astype(np.int64).to_numpy()
    return numeric.astype(float).to_numpy()


def validate_buildings(ds: xr.Dataset, *, source: str = "buildings") -> None:
    """Check a buildings Dataset; raise :class:`InputError` naming field, value and fix."""
    if BUILDING not in ds.dims:
        raise InputError(f"{source} must have dim {BUILDING!r}; got dims {tuple(ds.dims)}.")
    missing = [v for v in REQUIRED_BUILDING_FIELDS if v not in ds.variables]
    if missing:
        raise InputError(f"{source} lacks required field(s) {missing}. "
                         f"See workbench.city.REQUIRED_BUILDING_FIELDS for names and units.")
    if ds.sizes[BUILDING] == 0:
        raise InputError(f"{source} holds no buildings.")
    ids = ds[BUILDING].to_index()
    if ids.has_duplicates:
        raise InputError(f"{source}: duplicated building ids {list(ids[ids.duplicated()][:5])}.")
    for name, (kind, _) in {**REQUIRED_BUILDING_FIELDS, **OPTIONAL_BUILDING_FIELDS}.items():
        if name not in ds.variables or kind not in "fi":
            continue
        values = np.asarray(ds[name].values, dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            raise InputError(f"{source}: field {name!r} is {values[bad][0]} for building "
                             f"{ids[bad.argmax()]!r} ({int(bad.sum())} building(s) in all); "
                             f"give a finite value.")
        if name in _NON_NEGATIVE and (values < 0).any():
            i = int((values < 0).argmax())
            raise InputError(f"{source}: field {name!r} must be ≥ 0; building {ids[i]!r} has "
                             f"{values[i]}.")
    area = np.asarray(ds["floor_area"].values, dtype=float)
    if (area <= 0).any():
        i = int((area <= 0).argmax())
        raise InputError(f"{source}: field 'floor_area' must be > 0 m²; building {ids[i]!r} has "
                         f"{area[i]}.")
    stories = np.asarray(ds["stories"].values)
    if (stories < 1).any():
        i = int((stories < 1).argmax())
        raise InputError(f"{source}: field 'stories' must be ≥ 1; building {ids[i]!r} has "
                         f"{stories[i]}.")
    types = np.asarray(ds["type"].values).astype(str)
    unknown = sorted(str(t) for t in set(types) - set(BUILDING_TYPES))
    if unknown:
        raise InputError(f"{source}: unknown building type(s) {unknown}; known types are "
                         f"{list(BUILDING_TYPES)}.")


# --------------------------------------------------------------------------- networks

def validate_network(graph: nx.Graph, name: str) -> None:
    """Check a network graph (attributes, sources, reachability); raise :class:`InputError`."""
    if name not in NETWORKS:
        raise InputError(f"unknown network {name!r}; networks are named {list(NETWORKS)}.")
    if graph.number_of_nodes() == 0:
        raise InputError(f"network {name!r} has no nodes.")
    for node, data in graph.nodes(data=True):
        if not isinstance(node, str):
            raise InputError(f"network {name!r}: node ids must be strings; got {node!r}. "
                             f"Relabel with networkx.relabel_nodes(G, str).")
        missing = [a for a in NODE_ATTRS if a not in data]
        if missing:
            raise InputError(f"network {name!r}: node {node!r} lacks attribute(s) {missing}.")
        if not (np.isfinite(data["x"]) and np.isfinite(data["y"])):
            raise InputError(f"network {name!r}: node {node!r} has coordinates "
                             f"({data['x']}, {data['y']}); give finite x/y in metres.")
    for u, v, data in graph.edges(data=True):
        missing = [a for a in EDGE_ATTRS if a not in data]
        if missing:
            raise InputError(f"network {name!r}: edge ({u!r}, {v!r}) lacks attribute(s) {missing}.")
        for attr in ("length", "repair_days", "repair_cost"):
            value = data[attr]
            if not np.isfinite(value) or value < 0:
                raise InputError(f"network {name!r}: edge ({u!r}, {v!r}) has {attr}={value}; "
                                 f"it must be finite and ≥ 0.")
    sources = {n for n, k in graph.nodes(data="kind") if k in SOURCE_KINDS[name]}
    if not sources:
        raise InputError(f"network {name!r} has no source node (a node whose kind is one of "
                         f"{sorted(SOURCE_KINDS[name])}); mark at least one.")
    unreachable = [c for c in nx.connected_components(graph) if not c & sources]
    if unreachable:
        count = sum(len(c) for c in unreachable)
        example = sorted(min(unreachable, key=len))[0]
        raise InputError(f"network {name!r} is disconnected: {count} node(s) in {len(unreachable)} "
                         f"component(s) reach no source (e.g. {example!r}). Keep the part connected "
                         f"to a source, or add a source to each part.")


# --------------------------------------------------------------------------- service map

def _validate_service_map(buildings: xr.Dataset, networks: Mapping[str, nx.Graph]) -> None:
    for name, graph in networks.items():
        coord = f"{name}_node"
        if coord not in buildings.coords:
            continue
        nodes = np.asarray(buildings[coord].values).astype(str)
        unknown = sorted({str(n) for n in set(nodes) if n and n not in graph})
        if unknown:
            raise InputError(f"buildings reference {name} nodes not in the network: {unknown[:5]}"
                             f"{' …' if len(unknown) > 5 else ''}. Did you load the matching network "
                             f"file, or map the buildings again (workbench.map_buildings)?")


# --------------------------------------------------------------------------- toy city

def toy_city() -> City:
    """A six-building city on three 4-node networks, for doctests and tests with known answers.

    Buildings b0…b5 stand at x = 0, 100, …, 500 m on y = 10 m. Each network is a path of four
    nodes at x = 0, 150, 300, 450 m, y = 0, its source at x = 0. Edges are 150 m long.

    Examples
    --------
    >>> toy_city().networks["water"].number_of_edges()
    3
    """
    n = 6
    frame = pd.DataFrame({
        "id": [f"b{i}" for i in range(n)],
        "type": ["residential", "residential", "office", "commercial", "industrial", "public"],
        "floor_area": [1000.0, 2000.0, 3000.0, 1500.0, 4000.0, 2500.0],
        "stories": [2, 4, 6, 2, 1, 2],
        "year_built": [1950, 1980, 2005, 1965, 1990, 1975],
        "structural_class": ["URML", "C2L", "C1M", "C2L", "S1L", "C2L"],
        "x": np.arange(n) * 100.0,
        "y": np.full(n, 10.0),
        "occupancy": [30.0, 60.0, 120.0, 40.0, 50.0, 200.0],
        "district": ["west", "west", "west", "east", "east", "east"],
    })
    buildings = buildings_from_frame(frame, source="toy city")
    networks = {}
    kinds = {"water": ("reservoir", "junction", "pipe"), "power": ("substation", "bus", "line"),
             "road": ("gateway", "intersection", "road")}
    for name, (source_kind, node_kind, edge_kind) in kinds.items():
        graph = nx.Graph(name=name)
        prefix = name[0].upper()
        for i in range(4):
            graph.add_node(f"{prefix}{i}", kind=source_kind if i == 0 else node_kind,
                           x=150.0 * i, y=0.0)
        for i in range(3):
            graph.add_edge(f"{prefix}{i}", f"{prefix}{i + 1}", kind=edge_kind, length=150.0,
                           repair_days=2.0, repair_cost=10_000.0)
        networks[name] = graph
    return City(buildings=buildings, networks=networks, name="toy",
                provenance="# toy city\nA hand-made six-building city for tests.\n")
