"""Buildings from a SimCenter-style inventory: :func:`read_inventory` (CSV, GeoJSON or SimCenter
asset JSON) → the buildings Dataset of :mod:`workbench.city`.

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
take floor area / :data:`workbench.io.importers.AREA_PER_PERSON` of its type — the workbench's
planning densities (Nordic figures, an *assumption* for other places: pass ``area_per_person``
with local ones). ``occupancy_source`` records which rule gave each value.

Provenance (:func:`workbench.io.importers.field_provenance`, stored in ``attrs``): every field read
from an inventory column is ``data``; Q0 by the density rule and the residents of a residential
building without ``Population`` are ``imputed``; the residents of another building without
``Population`` are a ``constant`` 0.

References
----------
FEMA (2022). Hazus Earthquake Model Technical Manual, Hazus 5.1 (occupancy classes; model building
types and their height ranges). McKenna, F. et al. (2021). NHERI-SimCenter/R2DTool,
doi:10.5281/zenodo.3899316 (asset field names).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from ...city.model import buildings_from_frame
from ...core.errors import InputError
from ...hazard.fragility import structure_types
from ..importers import AREA_PER_PERSON
from ..importers.files import existing_file
from ..importers.provenance import record_provenance

__all__ = ["read_inventory", "hazus_model_type", "require_rows", "OCCUPANCY_CLASS_TYPES",
           "HEIGHT_CLASSES", "AREA_UNITS"]


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
        density rule (default :data:`workbench.io.importers.AREA_PER_PERSON`).

    Returns
    -------
    xarray.Dataset
        The buildings of :mod:`workbench.city` (``floor_area``, ``footprint_area`` in m²), plus
        ``occupancy_class``, ``latitude``, ``longitude`` [degrees], ``occupancy_source``
        (``Population``/``density``), optional ``replacement_cost`` and ``population``
        (``Population`` where given; else the density Q0 for residential buildings, 0 for
        others); ``attrs``: ``crs``, ``source``, ``area_units``, ``field_provenance``
        (per field: buildings from ``data``/``imputed``/``constant``/``synthetic``). Other
        inventory fields are not kept.

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
    path = existing_file(path, "path")
    frame = _inventory_table(path)
    return _inventory_buildings(frame, source=path.name, area_units=area_units, crs=crs,
                                area_per_person=area_per_person)


def buildings_from_assets(assets, *, source: str, area_units: str | None = None,
                          crs: str | None = None) -> xr.Dataset:
    """:func:`read_inventory` of SimCenter assets already in memory (any of its JSON forms,
    e.g. ``{"<id>": {"GeneralInformation": {...}}}``); ``source`` names them in messages."""
    return _inventory_buildings(_asset_rows(assets, Path(source)), source=source,
                                area_units=area_units, crs=crs, area_per_person=None)


def _inventory_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            return pd.read_csv(path, dtype={"id": str, "AIM_id": str, "AreaUnits": str},
                               encoding="utf-8")
        except UnicodeDecodeError as err:
            raise InputError(f"inventory {str(path)!r}: byte {err.object[err.start]:#04x} at "
                             f"offset {err.start} is not UTF-8; save the file as UTF-8 text."
                             ) from err
        except pd.errors.EmptyDataError as err:
            raise InputError(f"inventory {str(path)!r} is empty; give a CSV with a header row "
                             f"(id, Latitude, Longitude, PlanArea, …) and one row per building."
                             ) from err
        except pd.errors.ParserError as err:
            raise InputError(f"inventory {str(path)!r} is not a readable CSV table ({err})."
                             ) from err
    if suffix not in (".json", ".geojson"):
        raise InputError(f"path {str(path)!r}: unknown inventory format {path.suffix!r}; give a "
                         f".csv, .geojson or SimCenter asset .json file.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
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
    require_rows(frame[id_col].isna().to_numpy(), np.arange(len(frame)), source, id_col,
                 "are missing (rows listed)", "give every building an id")
    lat = pd.to_numeric(frame["Latitude"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(frame["Longitude"], errors="coerce").to_numpy(float)
    require_rows(~(np.isfinite(lat) & np.isfinite(lon)), ids, source, "Latitude/Longitude",
                 "lack coordinates", "give WGS84 Latitude and Longitude [degrees] for each")
    require_rows((np.abs(lat) > 90) | (np.abs(lon) > 180), ids, source, "Latitude/Longitude",
                 "are outside ±90°/±180°", "give WGS84 degrees, not projected coordinates")
    units = _area_units(frame, ids, source, area_units)
    plan = pd.to_numeric(frame["PlanArea"], errors="coerce").to_numpy(float)
    require_rows(~(plan > 0), ids, source, "PlanArea", "are missing or ≤ 0",
                 "give the footprint area (> 0) of each")
    stories = pd.to_numeric(frame["NumberOfStories"], errors="coerce").to_numpy(float)
    require_rows(~(stories >= 1) | (np.round(stories) != stories), ids, source, "NumberOfStories",
                 "are missing, < 1 or not whole", "give a whole number of storeys ≥ 1 for each")
    year = pd.to_numeric(frame["YearBuilt"], errors="coerce").to_numpy(float)
    require_rows(~np.isfinite(year), ids, source, "YearBuilt", "are missing",
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
    data = np.full(len(ids), "data")
    provenance = {f: data for f in ("type", "floor_area", "stories", "year_built",
                                    "structural_class", "x", "y", "footprint_area",
                                    "replacement_cost")}
    provenance["occupancy"] = np.full(len(ids), "imputed")
    if "Population" in frame.columns:
        pop = pd.to_numeric(frame["Population"], errors="coerce").to_numpy(float)
        given = np.isfinite(pop)
        require_rows(given & (pop < 0), ids, source, "Population", "are negative",
                     "give residents ≥ 0")
        use = given & residential
        out["occupancy"] = np.where(use, pop, by_density)
        out["occupancy_source"] = np.where(use, "Population", "density")
        out["population"] = np.where(given, pop, np.where(residential, by_density, 0.0))
        provenance["occupancy"] = np.where(use, "data", "imputed")
        provenance["population"] = np.where(given, "data",
                                            np.where(residential, "imputed", "constant"))
    if "ReplacementCost" in frame.columns:
        cost = pd.to_numeric(frame["ReplacementCost"], errors="coerce").to_numpy(float)
        require_rows(~(cost >= 0), ids, source, "ReplacementCost", "are missing or negative",
                     "give a cost ≥ 0 for each, or drop the column")
        out["replacement_cost"] = cost
    buildings = buildings_from_frame(pd.DataFrame(out), crs=crs, source=source)
    buildings.attrs.update({"source": f"SimCenter-style inventory {source}", "area_units": units})
    record_provenance(buildings, provenance, source=source)
    return buildings


def require_rows(bad: np.ndarray, ids, source: str, field: str, problem: str, fix: str) -> None:
    """Raise one :class:`InputError` for all the rows of a table that break a rule, naming the
    input, the field, the count, the first five ids, the rule broken and the fix.

    Shared by the readers of :mod:`workbench.io.interop` (inventories, damage tables).

    Parameters
    ----------
    bad : ndarray of bool
        One entry per row: True where the rule is broken.
    ids : array-like
        The row ids (building ids), aligned with ``bad``.
    source, field, problem, fix : str
        The input, the column, what is wrong with it (a verb phrase) and how to fix it.

    Examples
    --------
    >>> require_rows(np.array([False, True]), ["a", "b"], "inv.csv", "YearBuilt", "are missing",
    ...              "give the year")
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: inv.csv: YearBuilt of 1 building(s) are missing (e.g. ['b']); give the year.
    """
    if bad.any():
        raise InputError(f"{source}: {field} of {int(bad.sum())} building(s) {problem} "
                         f"(e.g. {np.asarray(ids)[bad][:5].tolist()}); {fix}.")


# The old private name, kept for workbench/io/interop/damage.py until it imports require_rows.
_require_rows = require_rows


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
        require_rows(missing, ids, source, "AreaUnits", "are missing",
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
