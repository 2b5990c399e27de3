"""Bring your own inventory and damage: SimCenter/pelicun-style inputs, GIS exports ([interop]).

* :func:`read_inventory` — a building inventory with SimCenter field names (CSV, GeoJSON or
  SimCenter asset JSON) → the buildings Dataset of :mod:`workbench.city`;
* :func:`city_from_inventory` — that inventory on a generated street lattice
  (:func:`street_lattice`) with water and power laid along it, or imported networks; saved as a
  city folder;
* :func:`read_damage` — a pelicun-style damage-and-loss summary → the damage Dataset of
  ``docs/ARCHITECTURE.md``, so recovery runs on damage computed elsewhere;
* :func:`export_results` — per-building results as GeoJSON/CSV, curves and indexes as CSV.

Inventory fields (SimCenter names)
----------------------------------
===================  =========  ===========================================================
field                units      becomes
===================  =========  ===========================================================
``id`` / ``AIM_id``  --         the ``building`` coordinate (string)
``Latitude``,        degrees    ``x``, ``y`` [m], projected with pyproj (WGS84 → ``crs``, default
``Longitude``                   the UTM zone of the centroid, ``GeoSeries.estimate_utm_crs``)
``PlanArea``         m² or ft²  ``footprint_area`` [m²]; ``floor_area`` = plan area × storeys
``AreaUnits``        --         ``m2`` or ``ft2`` (or the ``area_units`` argument); required
``NumberOfStories``  --         ``stories``; sets the Hazus height class
``YearBuilt``        year       ``year_built``
``StructureType``    --         ``structural_class`` by :func:`hazus_model_type`
``OccupancyClass``   --         ``occupancy_class``; ``type`` by :data:`OCCUPANCY_CLASS_TYPES`
``ReplacementCost``  money      ``replacement_cost`` (optional; currency as in the file)
``Population``       persons    ``population`` (residents) and, for residential, ``occupancy``
===================  =========  ===========================================================

Area units are never guessed: mixed or missing units are an error. Occupancy Q0 (people housed
or working): residential buildings take ``Population`` when the inventory gives it (SimCenter
inventories count residents); every other building, and residential ones without a population,
take floor area / :data:`workbench.importers.AREA_PER_PERSON` of its type — the workbench's
planning densities (Nordic figures, an *assumption* for other places: pass ``area_per_person``
with local ones). ``occupancy_source`` records which rule gave each value.

References
----------
FEMA (2022). Hazus Earthquake Model Technical Manual, Hazus 5.1 (occupancy classes; model building
types and their height ranges). McKenna, F. et al. (2021). NHERI-SimCenter/R2DTool,
doi:10.5281/zenodo.3899316 (asset field names). Zsarnóczay, A. & Deierlein, G. G. (2020).
PELICUN — a computational framework for estimating damage, loss and community resilience.
17WCEE, Sendai (damage-and-loss summary columns).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Mapping

import networkx as nx
import numpy as np
import pandas as pd
import xarray as xr

from .city import City, buildings_from_frame, save_city
from .dims import BUILDING, COMPONENT, NETWORKS, REALIZATION, STRATEGY, TIME
from .errors import InputError
from .fragility import structure_types
from .importers import (AREA_PER_PERSON, _gateways, _ordered, _set_edges, lay_network_along_streets,
                        read_epanet, read_pandapower)
from .mapping import map_buildings

__all__ = ["read_inventory", "city_from_inventory", "street_lattice", "read_damage",
           "export_results", "hazus_model_type", "OCCUPANCY_CLASS_TYPES", "HEIGHT_CLASSES",
           "AREA_UNITS"]

log = logging.getLogger(__name__)

#: Hazus occupancy class → workbench type. Offices: professional services (COM4), banks (COM5),
#: medical offices and clinics (COM7). Commercial: retail (COM1), wholesale (COM2), personal and
#: repair services (COM3), entertainment (COM8), theatres (COM9), parking (COM10). Public:
#: hospitals (COM6, critical facilities like the OSM ``hospital`` tag), schools and universities
#: (EDU1–2), government (GOV1–2), churches (REL1). Industrial: IND1–6 and agriculture (AGR1).
#: Every RES class is residential, hotels (RES4) and nursing homes (RES6) included.
OCCUPANCY_CLASS_TYPES = {
    **dict.fromkeys(["RES1", "RES2", "RES3", "RES3A", "RES3B", "RES3C", "RES3D", "RES3E", "RES3F",
                     "RES4", "RES5", "RES6"], "residential"),
    **dict.fromkeys(["COM4", "COM5", "COM7"], "office"),
    **dict.fromkeys(["COM1", "COM2", "COM3", "COM8", "COM9", "COM10"], "commercial"),
    **dict.fromkeys(["IND1", "IND2", "IND3", "IND4", "IND5", "IND6", "AGR1"], "industrial"),
    **dict.fromkeys(["COM6", "EDU1", "EDU2", "GOV1", "GOV2", "REL1"], "public"),
}
#: Hazus structure type → (most storeys, height suffix) steps: low-rise 1–3, mid-rise 4–7,
#: high-rise 8+ storeys; URM low 1–2, mid 3+; RM1 low 1–3, mid 4+. W1, W2, S3, PC1 and MH have
#: no height class.
HEIGHT_CLASSES = {
    **dict.fromkeys(["S1", "S2", "S4", "S5", "C1", "C2", "C3", "PC2", "RM2"],
                    ((3, "L"), (7, "M"), (np.inf, "H"))),
    "RM1": ((3, "L"), (np.inf, "M")),
    "URM": ((2, "L"), (np.inf, "M")),
    **dict.fromkeys(["W1", "W2", "S3", "PC1", "MH"], ()),
}
#: Accepted area units → square metres per unit (an international foot is 0.3048 m exactly).
AREA_UNITS = {"m2": 1.0, "ft2": 0.3048 ** 2}
_UNIT_ALIASES = {"m2": "m2", "sqm": "m2", "m^2": "m2", "ft2": "ft2", "sqft": "ft2", "ft^2": "ft2"}
_LENGTH_TO_AREA = {"m": "m2", "ft": "ft2"}  # SimCenter AIM ``units: {length: ...}``
_REQUIRED = ("Latitude", "Longitude", "PlanArea", "NumberOfStories", "YearBuilt",
             "StructureType", "OccupancyClass")
#: Damage-table columns and the names accepted for them (pelicun DL_summary spellings included;
#: ``repair_time-sequential`` — all repairs one after the other — is the one-crew effort the
#: workbench's crew-days mean, so it is accepted; ``repair_time-parallel`` is not).
_DAMAGE_COLUMNS = {"id": ("id", "AIM_id"), "DS": ("DS", "highest_damage_state"),
                   "repair_cost": ("repair_cost", "repair_cost-"),
                   "repair_time": ("repair_time", "repair_time-sequential")}


# --------------------------------------------------------------------------- inventory

def hazus_model_type(structure_type, stories) -> np.ndarray:
    """Hazus model building type (``C2M``, ``URML``, ``W1``, …) from structure type and storeys.

    A type that already names a model type the fragility table knows (``C2L``, ``URMM``) is kept
    as given; a bare type takes its height suffix from :data:`HEIGHT_CLASSES`.

    Examples
    --------
    >>> hazus_model_type(["C2", "URM", "W1", "RM1", "S1", "C1L"], [5, 3, 2, 9, 12, 10]).tolist()
    ['C2M', 'URMM', 'W1', 'RM1M', 'S1H', 'C1L']
    """
    kind = np.char.upper(np.char.strip(np.asarray(structure_type).astype(str)))
    stories = np.asarray(stories, dtype=float)
    out = kind.astype(object)
    known = set(structure_types())
    unknown = sorted(set(kind.tolist()) - known - set(HEIGHT_CLASSES))
    if unknown:
        raise InputError(f"StructureType {unknown[:10]} is not a Hazus structure type "
                         f"({int(np.isin(kind, unknown).sum())} building(s)); known types are "
                         f"{sorted(HEIGHT_CLASSES)} (or a model type with height: "
                         f"{structure_types()}). Map each building to one of them.")
    for base, steps in HEIGHT_CLASSES.items():  # 16 Hazus types, not a loop over buildings
        mask = kind == base
        if steps and mask.any():
            suffix = np.select([stories <= top for top, _ in steps], [s for _, s in steps], "")
            out[mask] = np.char.add(base, suffix[mask].astype(str))
    return out.astype(str)


def read_inventory(path, *, area_units: str | None = None, crs: str | None = None,
                   area_per_person: Mapping[str, float] | None = None) -> xr.Dataset:
    """Buildings from a SimCenter-style inventory (CSV, GeoJSON or SimCenter asset JSON).

    Parameters
    ----------
    path : path-like
        * ``.csv`` — one row per building, columns named as in the module docstring;
        * ``.geojson`` (or ``.json`` holding a FeatureCollection) — the fields as feature
          properties; ``Latitude``/``Longitude`` default to the geometry's centroid, read as
          RFC 7946 longitude/latitude;
        * ``.json`` — SimCenter assets, each an object with a ``GeneralInformation`` block:
          a list ``[{"id": ..., "GeneralInformation": {...}}, ...]``, an object keyed by id
          ``{"<id>": {"GeneralInformation": {...}}}`` (optionally under ``"Buildings"``), or one
          R2D AIM file. The id is the asset's ``id``, else ``GeneralInformation.AIM_id``, else
          the key; ``location: {latitude, longitude}`` stands for ``Latitude``/``Longitude`` and
          ``units: {length: "ft"|"m"}`` for ``AreaUnits`` (``ft2``/``m2``).
    area_units : {"m2", "ft2"}, optional
        Units of ``PlanArea`` when the file carries no ``AreaUnits``; must agree with it if both.
    crs : str, optional
        Projected CRS of ``x``/``y`` (default: the UTM zone of the buildings' centroid).
    area_per_person : mapping of str to float, optional
        m² of floor area per occupant by workbench type, for buildings whose Q0 comes from the
        density rule (default :data:`workbench.importers.AREA_PER_PERSON`).

    Returns
    -------
    xarray.Dataset
        The buildings of :mod:`workbench.city` (``floor_area``, ``footprint_area`` in m²), plus
        ``occupancy_class``, ``latitude``, ``longitude`` [degrees], ``occupancy_source``
        (``Population``/``density``), optional ``replacement_cost`` and ``population``
        (``Population`` where given; else the density Q0 for residential buildings, 0 for
        others); ``attrs``: ``crs``, ``source``, ``area_units``. Other inventory fields are
        not kept.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "inv.csv")
    >>> pd.DataFrame({"id": [1, 2], "Latitude": [37.87, 37.871], "Longitude": [-122.27, -122.27],
    ...     "PlanArea": [1000.0, 2000.0], "NumberOfStories": [2, 5], "YearBuilt": [1950, 1990],
    ...     "StructureType": ["W1", "C2"], "OccupancyClass": ["RES1", "COM4"]}
    ...     ).to_csv(path, index=False)
    >>> b = read_inventory(path, area_units="ft2")
    >>> b["floor_area"].values.round(1).tolist(), b["type"].values.tolist()
    ([185.8, 929.0], ['residential', 'office'])
    >>> b["structural_class"].values.tolist(), b.attrs["crs"]
    (['W1', 'C2M'], 'EPSG:32610')
    """
    path = _existing(path, "path")
    frame = _inventory_table(path)
    return _inventory_buildings(frame, source=path.name, area_units=area_units, crs=crs,
                                area_per_person=area_per_person)


def _inventory_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path, dtype={"id": str, "AIM_id": str, "AreaUnits": str})
    if suffix not in (".json", ".geojson"):
        raise InputError(f"path {str(path)!r}: unknown inventory format {path.suffix!r}; give a "
                         f".csv, .geojson or SimCenter asset .json file.")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise InputError(f"path {str(path)!r} is not valid JSON ({err}).") from err
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        return _geojson_rows(data, path)
    return _asset_rows(data, path)


def _geojson_rows(data: dict, path: Path) -> pd.DataFrame:
    from shapely.geometry import shape
    declared = str(data.get("crs", {}).get("properties", {}).get("name", "CRS84"))
    rows = []
    for i, feature in enumerate(data.get("features", [])):  # parsing JSON is per record
        props = dict(feature.get("properties") or {})
        props.setdefault("id", feature.get("id", i))
        if ("Latitude" not in props or "Longitude" not in props) and feature.get("geometry"):
            if not declared.upper().endswith(("CRS84", "4326")):
                raise InputError(f"path {str(path)!r} declares crs {declared!r}; an inventory "
                                 f"GeoJSON must be in longitude/latitude (RFC 7946), or carry "
                                 f"Latitude/Longitude properties.")
            centre = shape(feature["geometry"]).centroid
            props.setdefault("Longitude", centre.x)
            props.setdefault("Latitude", centre.y)
        rows.append(props)
    return pd.DataFrame(rows)


def _asset_rows(data, path: Path) -> pd.DataFrame:
    if isinstance(data, dict) and "GeneralInformation" in data:
        items = [(None, data)]
    elif isinstance(data, dict):
        data = next((data[k] for k in ("Buildings", "buildings") if k in data), data)
        items = list(data.items()) if isinstance(data, dict) else [(None, a) for a in data]
    elif isinstance(data, list):
        items = [(None, a) for a in data]
    else:
        items = []
    rows = []
    for key, asset in items:  # parsing JSON is per record
        info = asset.get("GeneralInformation") if isinstance(asset, dict) else None
        if not isinstance(info, dict):
            raise InputError(f"path {str(path)!r}: asset {key if key is not None else asset!r:.60} "
                             f"has no GeneralInformation block; give SimCenter assets "
                             f"[{{'id': ..., 'GeneralInformation': {{...}}}}, ...].")
        row = {k: v for k, v in info.items() if not isinstance(v, (dict, list))}
        row["id"] = str(asset.get("id", info.get("AIM_id", key)))
        location = info.get("location") or {}
        row.setdefault("Latitude", location.get("latitude"))
        row.setdefault("Longitude", location.get("longitude"))
        length = (info.get("units") or {}).get("length")
        if "AreaUnits" not in row and length is not None:
            if length not in _LENGTH_TO_AREA:
                raise InputError(f"path {str(path)!r}: asset {row['id']!r} gives length unit "
                                 f"{length!r}; PlanArea is read in m2 or ft2 only (length 'm' "
                                 f"or 'ft'). Convert the areas, or give AreaUnits.")
            row["AreaUnits"] = _LENGTH_TO_AREA[length]
        rows.append(row)
    if not rows:
        raise InputError(f"path {str(path)!r} holds no SimCenter assets.")
    return pd.DataFrame(rows)


def _inventory_buildings(frame: pd.DataFrame, *, source: str, area_units, crs, area_per_person
                         ) -> xr.Dataset:
    if frame.empty:
        raise InputError(f"{source} holds no buildings.")
    id_col = next((c for c in ("id", "AIM_id") if c in frame.columns), None)
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if id_col is None or missing:
        absent = (["id"] if id_col is None else []) + missing
        raise InputError(f"{source} lacks SimCenter field(s) {absent}; "
                         f"it has {list(frame.columns)}. Required: id (or AIM_id), "
                         f"{', '.join(_REQUIRED)}.")
    ids = frame[id_col].astype(str).str.strip().to_numpy()
    _require_rows(frame[id_col].isna().to_numpy(), np.arange(len(frame)), source, id_col,
                  "are missing (rows listed)", "give every building an id")
    lat = pd.to_numeric(frame["Latitude"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(frame["Longitude"], errors="coerce").to_numpy(float)
    _require_rows(~(np.isfinite(lat) & np.isfinite(lon)), ids, source, "Latitude/Longitude",
                  "lack coordinates", "give WGS84 Latitude and Longitude [degrees] for each")
    _require_rows((np.abs(lat) > 90) | (np.abs(lon) > 180), ids, source, "Latitude/Longitude",
                  "are outside ±90°/±180°", "give WGS84 degrees, not projected coordinates")
    units = _area_units(frame, ids, source, area_units)
    plan = pd.to_numeric(frame["PlanArea"], errors="coerce").to_numpy(float)
    _require_rows(~(plan > 0), ids, source, "PlanArea", "are missing or ≤ 0",
                  "give the footprint area (> 0) of each")
    stories = pd.to_numeric(frame["NumberOfStories"], errors="coerce").to_numpy(float)
    _require_rows(~(stories >= 1) | (np.round(stories) != stories), ids, source, "NumberOfStories",
                  "are missing, < 1 or not whole", "give a whole number of storeys ≥ 1 for each")
    year = pd.to_numeric(frame["YearBuilt"], errors="coerce").to_numpy(float)
    _require_rows(~np.isfinite(year), ids, source, "YearBuilt", "are missing",
                  "give the construction year of each")
    occ_class = frame["OccupancyClass"].astype(str).str.strip().str.upper().to_numpy()
    unknown = sorted(set(occ_class.tolist()) - set(OCCUPANCY_CLASS_TYPES))
    if unknown:
        raise InputError(f"{source}: OccupancyClass {unknown[:10]} is not a Hazus occupancy class "
                         f"({int(np.isin(occ_class, unknown).sum())} building(s)); known classes "
                         f"are {sorted(OCCUPANCY_CLASS_TYPES)}. Map each building to one of them.")
    btype = pd.Series(occ_class).map(OCCUPANCY_CLASS_TYPES).to_numpy().astype(str)
    footprint = plan * AREA_UNITS[units]
    floor_area = footprint * stories
    x, y, crs = _project(lon, lat, crs)
    density = {**AREA_PER_PERSON, **(area_per_person or {})}
    if not all(isinstance(v, (int, float)) and v > 0 for v in density.values()):
        raise InputError(f"area_per_person must give m² per person > 0 by type; got "
                         f"{dict(area_per_person)}.")
    by_density = floor_area / pd.Series(btype).map(density).to_numpy(float)
    residential = btype == "residential"
    out = {"id": ids, "type": btype, "floor_area": floor_area, "stories": stories.astype(int),
           "year_built": year.astype(int),
           "structural_class": hazus_model_type(frame["StructureType"].to_numpy(), stories),
           "x": x, "y": y, "occupancy": by_density, "footprint_area": footprint,
           "occupancy_class": occ_class, "latitude": lat, "longitude": lon,
           "occupancy_source": np.full(len(ids), "density")}
    if "Population" in frame.columns:
        pop = pd.to_numeric(frame["Population"], errors="coerce").to_numpy(float)
        given = np.isfinite(pop)
        _require_rows(given & (pop < 0), ids, source, "Population", "are negative",
                      "give residents ≥ 0")
        use = given & residential
        out["occupancy"] = np.where(use, pop, by_density)
        out["occupancy_source"] = np.where(use, "Population", "density")
        out["population"] = np.where(given, pop, np.where(residential, by_density, 0.0))
    if "ReplacementCost" in frame.columns:
        cost = pd.to_numeric(frame["ReplacementCost"], errors="coerce").to_numpy(float)
        _require_rows(~(cost >= 0), ids, source, "ReplacementCost", "are missing or negative",
                      "give a cost ≥ 0 for each, or drop the column")
        out["replacement_cost"] = cost
    buildings = buildings_from_frame(pd.DataFrame(out), crs=crs, source=source)
    buildings.attrs.update({"source": f"SimCenter-style inventory {source}", "area_units": units})
    return buildings


def _require_rows(bad: np.ndarray, ids, source: str, field: str, problem: str, fix: str) -> None:
    if bad.any():
        raise InputError(f"{source}: {field} of {int(bad.sum())} building(s) {problem} "
                         f"(e.g. {np.asarray(ids)[bad][:5].tolist()}); {fix}.")


def _area_units(frame: pd.DataFrame, ids, source: str, area_units) -> str:
    def canonical(value, where):
        key = str(value).strip().lower()
        if key not in _UNIT_ALIASES:
            raise InputError(f"{source}: {where} {value!r} is not an area unit; use 'm2' or "
                             f"'ft2'.")
        return _UNIT_ALIASES[key]

    given = None if area_units is None else canonical(area_units, "area_units")
    if "AreaUnits" not in frame.columns:
        if given is None:
            raise InputError(f"{source}: the units of PlanArea are unknown; add an AreaUnits "
                             f"column ('m2' or 'ft2') or pass area_units='m2' or 'ft2' (units "
                             f"are never guessed).")
        return given
    column = frame["AreaUnits"]
    missing = column.isna().to_numpy() | (column.astype(str).str.strip() == "").to_numpy()
    if missing.any() and given is None:
        _require_rows(missing, ids, source, "AreaUnits", "are missing",
                      "give 'm2' or 'ft2' for every building, or pass area_units=")
    found = {canonical(v, "AreaUnits") for v in column[~missing].unique()}
    if len(found) > 1:
        raise InputError(f"{source}: AreaUnits are mixed ({sorted(found)}); convert PlanArea to "
                         f"one unit first.")
    if given is not None and found and found != {given}:
        raise InputError(f"{source}: area_units={area_units!r} contradicts the file's AreaUnits "
                         f"{sorted(found)}; drop one of them.")
    return given or found.pop()


def _project(lon: np.ndarray, lat: np.ndarray, crs):
    import geopandas as gpd
    from pyproj import CRS
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    if crs is None:
        crs = points.estimate_utm_crs().to_string()
    elif not CRS.from_user_input(crs).is_projected:
        raise InputError(f"crs {crs!r} is not a projected CRS; x/y must be metres (e.g. a UTM "
                         f"zone 'EPSG:326..'), or leave crs=None for the centroid's UTM zone.")
    projected = points.to_crs(crs)
    return projected.x.to_numpy(), projected.y.to_numpy(), str(crs)


# --------------------------------------------------------------------------- a city

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
    :data:`workbench.importers.REPAIR_RULES`. This is a stand-in for real streets, not a model of
    them: use :func:`workbench.importers.city_from_osm` where OSM streets exist.

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
                     spacing_m=float(spacing), generator="workbench.interop.street_lattice",
                     substations=[])
    graph.add_nodes_from((n, {"kind": "intersection", "x": float(a), "y": float(b)})
                         for n, a, b in zip(names.ravel(), nx_.ravel(), ny_.ravel()))
    pairs = [(names[:, :-1], names[:, 1:], nx_[:, :-1] - nx_[:, 1:], ny_[:, :-1] - ny_[:, 1:]),
             (names[:-1, :], names[1:, :], nx_[:-1, :] - nx_[1:, :], ny_[:-1, :] - ny_[1:, :])]
    for u, v, dx, dy in pairs:
        graph.add_edges_from((a, b, {"length": float(d)}) for a, b, d in
                             zip(u.ravel(), v.ravel(), np.hypot(dx, dy).ravel()))
    graph = _ordered(graph)
    for node in _gateways(graph, n_gateways):
        graph.nodes[node]["kind"] = "gateway"
    _set_edges(graph, "road")
    return graph


def city_from_inventory(path, out_dir, *, water=None, power=None, area_units: str | None = None,
                        seed: int = 0, max_distance: float = 1000.0, crs: str | None = None,
                        street_spacing: float = 200.0, name: str | None = None) -> City:
    """Build, save and return a city from a SimCenter-style inventory (CLI ``city from-inventory``).

    Buildings come from :func:`read_inventory`; streets from :func:`street_lattice` (seeded);
    water and power are laid along the streets by
    :func:`workbench.importers.lay_network_along_streets` unless ``water`` (EPANET ``.inp``) or
    ``power`` (pandapower ``.json`` or a ``pandapower.networks`` name) is given, which are fitted
    into the lattice's box as :func:`workbench.importers.city_from_osm` does. Buildings are mapped
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
    source = _existing(path, "path")
    buildings = read_inventory(source, area_units=area_units, crs=crs)
    streets = street_lattice(buildings, spacing=street_spacing, seed=seed)
    xy = np.array([(d["x"], d["y"]) for _, d in streets.nodes(data=True)])
    box = (*xy.min(axis=0).tolist(), *xy.max(axis=0).tolist())
    notes = {"road": f"generated lattice, {street_spacing:g} m blocks, seeded jitter "
                     f"(workbench.interop.street_lattice)"}
    laid = "laid along the generated streets by workbench.importers.lay_network_along_streets"
    if water is None:
        water_graph, notes["water"] = lay_network_along_streets(streets, "water", seed=seed), laid
    else:
        water_graph = read_epanet(water, fit_to=box)
        notes["water"] = f"EPANET file {Path(water).name}, coordinates fitted to the city's box"
    if power is None:
        power_graph, notes["power"] = lay_network_along_streets(streets, "power", seed=seed), laid
    else:
        power_graph = read_pandapower(power, fit_to=box)
        notes["power"] = f"pandapower network {Path(str(power)).name}, fitted to the city's box"
    networks = {"water": water_graph, "power": power_graph, "road": streets}
    mapped = map_buildings(buildings, networks, max_distance=max_distance)
    city_name = name or source.name.split(".")[0]
    city = City(buildings=mapped, networks=networks, name=city_name,
                provenance=_provenance(city_name, source, mapped, networks, notes, seed))
    save_city(city, out_dir)
    return city


def _provenance(name, source: Path, buildings, networks, notes, seed) -> str:
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    counts = "\n".join(f"- {k}: {networks[k].number_of_nodes()} nodes, "
                       f"{networks[k].number_of_edges()} edges — {notes[k]}" for k in NETWORKS)
    by_rule = pd.Series(buildings["occupancy_source"].values).value_counts().to_dict()
    return f"""# {name}

Built by `workbench.interop.city_from_inventory` (seed {seed}) from `{source.name}`
(sha256 `{digest}`), CRS {buildings.attrs['crs']}.

## Buildings ({buildings.sizes[BUILDING]})
- SimCenter inventory fields; PlanArea in {buildings.attrs['area_units']} converted to m².
- type from the Hazus OccupancyClass (`workbench.interop.OCCUPANCY_CLASS_TYPES`); structural
  class from StructureType + NumberOfStories (`workbench.interop.hazus_model_type`).
- floor area = plan area × storeys; x/y projected from Latitude/Longitude.
- occupancy Q0 by rule: {by_rule} ("density" = floor area / m² per person by type,
  `workbench.importers.AREA_PER_PERSON`, a planning assumption).

## Networks
{counts}

The streets, and networks laid along them, are generated stand-ins, not surveyed networks.
"""


# --------------------------------------------------------------------------- damage

def read_damage(path, city: City, *, system=None, out_of_service_state: int = 2,
                currency: str = "USD") -> xr.Dataset:
    """The damage Dataset of ``docs/ARCHITECTURE.md`` from a pelicun-style damage summary.

    Parameters
    ----------
    path : path-like
        * ``.csv`` — one row per damaged element (per realization): ``id`` (or ``AIM_id``), the
          highest damage state ``DS`` (or ``highest_damage_state``; 0 none … 4 complete),
          ``repair_cost`` [money] (or ``repair_cost-``), ``repair_time`` [days of one crew] (or
          ``repair_time-sequential``); optional ``realization`` (integers ≥ 0; without it, one
          realization 0) and, for components, ``functional`` (bool);
        * ``.json`` — the same content as a list of records ``[{"id": ..., "DS": ...}, ...]``, or
          an object keyed by id, ``{"<id>": {"DS": 3, "repair_cost": ..., "repair_time": ...}}``,
          whose value may be a list of such records, one per realization (realization = position);
          optionally under a top-level ``"Buildings"`` key.
    city : City
        The city the ids refer to.
    system : InfrastructureSystem, optional
        Its components make the ``component`` dim; default :func:`workbench.system.build_system`
        of the city when it has all networks, else no components.
    out_of_service_state : int
        A component row without ``functional`` is out of service at ``DS ≥`` this (as
        :func:`workbench.damage.sample_damage`).
    currency : str
        Currency of ``repair_cost`` (recorded in ``attrs``; not converted). The indexes add
        repair costs to productivity losses in EUR (:mod:`workbench.functionality`): convert
        costs to EUR before import when the economic loss is to mean something.

    Returns
    -------
    xarray.Dataset
        Dims ``realization``, ``building``, ``component``; ``building_damage_state`` (int8),
        ``building_repair_days`` [crew-days] = the imported repair time, ``building_repair_cost``,
        and the ``component_*`` variables. Buildings and components absent from the file are
        undamaged (DS 0, no repair, functional). Components are undamaged unless the file has
        rows with component ids (``water:W1--W2``, see :func:`workbench.system.component_id`). No
        intensity variables: the shaking is not known. Recovery rounds a repair up to whole days.

    Examples
    --------
    >>> import tempfile, os
    >>> from workbench.city import toy_city
    >>> path = os.path.join(tempfile.mkdtemp(), "dl.csv")
    >>> pd.DataFrame({"id": ["b0", "water:W1--W2"], "DS": [3, 4], "repair_cost": [5e4, 1e4],
    ...               "repair_time": [60.0, 2.0]}).to_csv(path, index=False)
    >>> damage = read_damage(path, toy_city())
    >>> damage["building_damage_state"].values.tolist()
    [[3, 0, 0, 0, 0, 0]]
    >>> int((~damage["component_functional"]).sum())
    1
    """
    path = _existing(path, "path")
    source = path.name
    table = _damage_table(path)
    if system is None and all(n in city.networks for n in NETWORKS):
        from .system import build_system
        system = build_system(city)
    b_ids = pd.Index(city.buildings[BUILDING].values.astype(str))
    c_ids = pd.Index(np.asarray(system.component_ids).astype(str) if system is not None else [])
    ids = table["id"].to_numpy()
    b_pos, c_pos = b_ids.get_indexer(ids), c_ids.get_indexer(ids)
    orphan = (b_pos < 0) & (c_pos < 0)
    if orphan.any():
        raise InputError(f"{source}: {int(orphan.sum())} damage id(s) match no building or "
                         f"component of city {city.name!r} (e.g. {ids[orphan][:5].tolist()}); "
                         f"building ids are like {b_ids[:3].tolist()}. Import the damage for "
                         f"the matching inventory.")
    realizations = np.unique(table["realization"].to_numpy())
    r_pos = np.searchsorted(realizations, table["realization"].to_numpy())
    n_r, out = len(realizations), {}
    for kind, pos, index in (("building", b_pos, b_ids), ("component", c_pos, c_ids)):
        rows = pos >= 0
        state = np.zeros((n_r, len(index)), np.int8)
        days, cost = np.zeros((n_r, len(index))), np.zeros((n_r, len(index)))
        at = (r_pos[rows], pos[rows])
        state[at] = table["DS"].to_numpy()[rows]
        days[at] = table["repair_time"].to_numpy()[rows]
        cost[at] = table["repair_cost"].to_numpy()[rows]
        dims = (REALIZATION, BUILDING if kind == "building" else COMPONENT)
        out.update({f"{kind}_damage_state": (dims, state), f"{kind}_repair_days": (dims, days),
                    f"{kind}_repair_cost": (dims, cost)})
        if kind == "component":
            functional = state < out_of_service_state
            given = table["functional"].to_numpy() if "functional" in table else None
            if given is not None:
                explicit = rows & pd.notna(given)
                functional[(r_pos[explicit], pos[explicit])] = given[explicit].astype(bool)
            out["component_functional"] = (dims, functional)
    damage = xr.Dataset(out, coords={REALIZATION: realizations.astype(np.int64),
                                     BUILDING: b_ids.to_numpy(), COMPONENT: c_ids.to_numpy()})
    for name in ("building_repair_days", "component_repair_days"):
        damage[name].attrs["units"] = "crew-days"
    for name in ("building_repair_cost", "component_repair_cost"):
        damage[name].attrs["units"] = currency
    damage.attrs.update({"source": f"imported damage {source}", "realizations": int(n_r),
                         "currency": currency, "out_of_service_state": int(out_of_service_state),
                         "damaged_buildings": int((damage["building_damage_state"] > 0).sum()),
                         "note": "elements absent from the file are undamaged; no intensity"})
    return damage


def _damage_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = pd.read_csv(path, dtype={"id": str, "AIM_id": str})
    elif suffix == ".json":
        try:
            frame = _damage_records(json.loads(path.read_text()))
        except json.JSONDecodeError as err:
            raise InputError(f"path {str(path)!r} is not valid JSON ({err}).") from err
    else:
        raise InputError(f"path {str(path)!r}: unknown damage format {path.suffix!r}; give a "
                         f".csv table or a .json file (see workbench.interop.read_damage).")
    source = path.name
    renamed = {}
    for target, names in _DAMAGE_COLUMNS.items():
        found = [c for c in frame.columns if c in names or
                 (target == "DS" and str(c).startswith("highest_damage_state/"))]
        if not found:
            hint = (" (repair_time-parallel is a duration with unlimited workers, not the "
                    "one-crew effort; rename a sequential time to repair_time)"
                    if target == "repair_time" and "repair_time-parallel" in frame else "")
            raise InputError(f"{source} lacks the column {target!r} (accepted names: "
                             f"{list(names)}){hint}; it has {list(frame.columns)}.")
        renamed[target] = (frame[found].apply(pd.to_numeric, errors="coerce").max(axis=1)
                           if target == "DS" and len(found) > 1 else frame[found[0]])
    table = pd.DataFrame(renamed)
    table["id"] = table["id"].astype(str).str.strip().where(table["id"].notna())
    table["realization"] = frame["realization"] if "realization" in frame else 0
    if "functional" in frame:
        text = frame["functional"].astype(str).str.strip().str.lower()
        table["functional"] = text.isin(["true", "1", "1.0", "yes"]).where(
            frame["functional"].notna())
    for column in ("DS", "repair_cost", "repair_time", "realization"):
        table[column] = pd.to_numeric(table[column], errors="coerce")
    ids = table["id"].fillna("<missing id>").to_numpy()
    for column in ("id", "DS", "repair_cost", "repair_time", "realization"):
        _require_rows(table[column].isna().to_numpy(), ids, source, column,
                      "are missing or not numbers (NaN)", "give a value in every row")
    ds = table["DS"].to_numpy(float)
    bad = (ds < 0) | (ds > 4) | (ds != np.round(ds))
    _require_rows(bad, ids, source, "DS", f"are outside the damage states 0–4 (values "
                  f"{sorted(set(ds[bad].tolist()))[:5]})",
                  "give Hazus damage states 0 (none) … 4 (complete)")
    for column in ("repair_time", "repair_cost"):
        _require_rows(table[column].to_numpy() < 0, ids, source, column, "are negative",
                      "repair time [days] and cost must be ≥ 0")
    real = table["realization"].to_numpy(float)
    _require_rows((real < 0) | (real != np.round(real)), ids, source, "realization",
                  "are not integers ≥ 0", "number realizations 0, 1, …")
    table["DS"] = ds.astype(np.int8)
    table["realization"] = real.astype(np.int64)
    twice = table.duplicated(["id", "realization"], keep=False).to_numpy()
    _require_rows(twice, ids, source, "id", "appear more than once in a realization",
                  "give one row per element and realization")
    return table


def _damage_records(data) -> pd.DataFrame:
    if isinstance(data, dict):
        data = next((data[k] for k in ("Buildings", "buildings") if k in data), data)
    if isinstance(data, list):
        return pd.DataFrame(data)
    if not isinstance(data, dict):
        raise InputError("a damage JSON must be a list of records or an object keyed by id.")
    rows = []
    for key, value in data.items():  # parsing JSON is per record
        records = value if isinstance(value, list) else [value]
        for r, record in enumerate(records):
            row = {"id": str(key), **record}
            if isinstance(value, list):
                row.setdefault("realization", r)
            rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- exports

def export_results(run_dir, city: City, damage: xr.Dataset, recovery: xr.Dataset) -> list[Path]:
    """Write per-building results, curves and indexes into ``run_dir`` for GIS and spreadsheets.

    Files
    -----
    ``buildings_results.geojson``, ``buildings_results.csv``
        One row per building: ``id``, ``type``, ``structural_class``, ``occupancy`` [persons],
        ``x``, ``y`` [m, the city's CRS], ``longitude``, ``latitude`` [degrees, WGS84],
        ``damage_state`` (0–4; the mean over realizations when there are several),
        ``repair_days`` [crew-days], ``repair_cost`` [money], and ``restored_day_<strategy>``
        [day] (mean over realizations; ``inf`` in the CSV and ``null`` in the GeoJSON where not
        restored within the horizon). The GeoJSON holds Point geometries in the city's CRS,
        declared in its ``crs`` member (geopandas reads it back).
    ``curves.csv``
        Tidy: ``strategy``, ``realization``, ``day``, ``variable`` (``ep``, ``sc``, ``demand``,
        ``ep_functionality``, …), ``value``, ``units``.
    ``indexes.csv``
        One row per ``strategy`` and ``realization``; the columns of
        :data:`workbench.indexes.SUMMARY_KEYS` (EUR, person-days, days; empty = not reached).

    Returns
    -------
    list of pathlib.Path
        The four files, in the order above.

    Examples
    --------
    >>> import tempfile
    >>> from workbench.city import toy_city
    >>> from workbench.recovery import Constraints, simulate_recovery
    >>> city = toy_city()
    >>> damage = xr.Dataset({"building_damage_state": ("building", [4, 0, 0, 0, 0, 0]),
    ...     "building_repair_days": ("building", [5.0, 0, 0, 0, 0, 0]),
    ...     "building_repair_cost": ("building", [1e5, 0, 0, 0, 0, 0])},
    ...     coords={"building": city.buildings["building"].values})
    >>> rec = simulate_recovery(city, None, damage, Constraints(crews=1, horizon_days=10),
    ...                         strategies=["rigid"])
    >>> [p.name for p in export_results(tempfile.mkdtemp(), city, damage, rec)]
    ['buildings_results.geojson', 'buildings_results.csv', 'curves.csv', 'indexes.csv']
    """
    import geopandas as gpd
    from .indexes import summary_indexes
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    b = city.buildings
    ids = b[BUILDING].values.astype(str)
    for what, ds in (("damage", damage), ("recovery", recovery)):
        have = ds[BUILDING].values.astype(str) if BUILDING in ds.dims else np.array([], str)
        lacking = np.setdiff1d(ids, have)
        if lacking.size:
            raise InputError(f"{what} lacks {lacking.size} of the city's buildings (e.g. "
                             f"{lacking[:3].tolist()}); export the {what} of this city.")
    dmg = damage.sel({BUILDING: ids})
    rec = recovery.sel({BUILDING: ids})
    n_r = dmg.sizes.get(REALIZATION, 1)
    if rec.sizes.get(REALIZATION, 1) != n_r:
        raise InputError(f"recovery has {rec.sizes.get(REALIZATION, 1)} realization(s) but damage "
                         f"has {n_r}; export the damage the recovery was simulated on.")

    def mean(da):
        return da.mean(REALIZATION) if REALIZATION in da.dims else da

    state = mean(dmg["building_damage_state"].astype(float)).values
    frame = pd.DataFrame({
        "id": ids, "type": b["type"].values.astype(str),
        "structural_class": b["structural_class"].values.astype(str),
        "occupancy": b["occupancy"].values, "x": b["x"].values, "y": b["y"].values,
        "damage_state": state.astype(int) if n_r == 1 else state,
        "repair_days": mean(dmg["building_repair_days"]).values,
        "repair_cost": mean(dmg["building_repair_cost"]).values})
    restored = mean(rec["building_restored_day"])
    for strategy in restored[STRATEGY].values.astype(str):
        frame[f"restored_day_{strategy}"] = restored.sel({STRATEGY: strategy}).values
    points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.x, frame.y), crs=city.crs)
    lonlat = points.geometry.to_crs("EPSG:4326")
    frame.insert(6, "longitude", lonlat.x.to_numpy())
    frame.insert(7, "latitude", lonlat.y.to_numpy())
    points = gpd.GeoDataFrame(frame.replace([np.inf, -np.inf], np.nan),
                              geometry=points.geometry, crs=city.crs)
    paths = [run_dir / n for n in ("buildings_results.geojson", "buildings_results.csv",
                                   "curves.csv", "indexes.csv")]
    paths[0].unlink(missing_ok=True)  # the GeoJSON driver refuses to overwrite
    points.to_file(paths[0], driver="GeoJSON")
    frame.to_csv(paths[1], index=False)

    units = json.loads(recovery.attrs.get("units", "{}"))
    curve_vars = [v for v, da in recovery.data_vars.items()
                  if TIME in da.dims and set(da.dims) <= {STRATEGY, TIME, REALIZATION}]
    curves = recovery[curve_vars]
    if REALIZATION not in curves.dims:
        curves = curves.expand_dims({REALIZATION: [0]})
    tidy = (curves.to_dataframe().reset_index()
            .melt(id_vars=[STRATEGY, REALIZATION, TIME], var_name="variable")
            .rename(columns={TIME: "day"}))
    tidy["units"] = tidy["variable"].map(units).fillna("")
    tidy[[STRATEGY, REALIZATION, "day", "variable", "value", "units"]].to_csv(paths[2], index=False)

    rows = []
    for r in range(n_r):  # one summary per realization (a handful)
        pick = {REALIZATION: r}
        one_rec = recovery.isel(pick) if REALIZATION in recovery.dims else recovery
        one_dmg = damage.isel(pick) if REALIZATION in damage.dims else damage
        for strategy, values in summary_indexes(one_rec, city, one_dmg).items():
            rows.append({STRATEGY: strategy, REALIZATION: r, **values})
    pd.DataFrame(rows).to_csv(paths[3], index=False)
    return paths


def _existing(path, field: str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{field} {str(path)!r} is not an existing file; check the path.")
    return path
