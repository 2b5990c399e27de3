"""Building rules shared by the importers, and buildings as GeoJSON.

* :data:`AREA_PER_PERSON` — floor area per occupant by type → baseline occupancy Q0;
* :func:`structural_class` — type, storeys, year → Hazus model building type;
* :func:`read_buildings_geojson`, :func:`write_buildings_geojson` — buildings as GeoJSON Points.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ...core import assumptions as _assumptions
from ...city.model import DEFAULT_CRS, buildings_from_frame
from ...core.errors import InputError
from .files import existing_file

__all__ = ["read_buildings_geojson", "write_buildings_geojson", "structural_class",
           "AREA_PER_PERSON"]


#: Gross floor area per occupant [m² per person] by type → baseline occupancy Q0.
#: residential: ~40 m² per resident, the Finnish average dwelling floor area per person
#: (Statistics Finland, Dwellings and housing conditions, 2022; Helsinki itself is lower, ~35);
#: office: ~20 m² gross per workplace (a common Nordic office planning figure); commercial 35,
#: industrial 80, public 15 (schools, halls): workbench planning assumptions, order of magnitude.
AREA_PER_PERSON = dict(_assumptions.value("floor_area_per_occupant_m2"))


def structural_class(building_type, stories, year_built) -> np.ndarray:
    """Hazus model building type from type, storeys and construction year (vectorised).

    Rule (a Helsinki-flavoured reading of the Hazus model building types):

    * built before 1920 → unreinforced masonry: ``URML`` (1–2 storeys) or ``URMM`` (3+);
    * residential, 1–2 storeys → ``W1`` (light wood frame, the common Finnish house);
    * industrial → ``S1`` steel moment frame;
    * other residential → ``C2`` concrete shear wall; office, commercial, public → ``C1``
      concrete moment frame;
    * height suffix for C and S: ``L`` 1–3, ``M`` 4–7, ``H`` 8+ storeys (Hazus height ranges).

    Examples
    --------
    >>> structural_class(["residential", "residential", "office", "industrial", "public"],
    ...                  [2, 6, 9, 1, 3], [1950, 1970, 1990, 1980, 1900]).tolist()
    ['W1', 'C2M', 'C1H', 'S1L', 'URMM']
    """
    kind = np.asarray(building_type).astype(str)
    stories = np.asarray(stories, dtype=int)
    year = np.asarray(year_built, dtype=int)
    height = np.select([stories <= 3, stories <= 7], ["L", "M"], "H")
    frame = np.where(kind == "industrial", "S1", np.where(kind == "residential", "C2", "C1"))
    out = np.char.add(frame, height)
    out = np.where((kind == "residential") & (stories <= 2), "W1", out)
    out = np.where(year < 1920, np.where(stories <= 2, "URML", "URMM"), out)
    return out.astype(str)


def read_buildings_geojson(path, *, crs: str = DEFAULT_CRS) -> xr.Dataset:
    """Buildings from a GeoJSON FeatureCollection of Points or Polygons (centroids).

    Feature properties become columns (``id`` from the properties or the feature ``id``), then
    :func:`workbench.city.buildings_from_frame` validates them; ``x``/``y`` come from the geometry.
    Coordinates are taken in the file's legacy ``crs`` member if present, else in ``crs``
    (default EPSG:3067, metres); longitude/latitude (RFC 7946) must be projected first.

    Examples
    --------
    >>> import tempfile, os
    >>> feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [5.0, 6.0]},
    ...     "properties": {"id": "a", "type": "office", "floor_area": 100.0, "stories": 2,
    ...     "year_built": 1990, "structural_class": "C1L", "occupancy": 5.0}}
    >>> path = os.path.join(tempfile.mkdtemp(), "b.geojson")
    >>> _ = open(path, "w").write(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    >>> float(read_buildings_geojson(path)["x"][0])
    5.0
    """
    from shapely.geometry import shape
    path = existing_file(path, "path")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise InputError(f"path {str(path)!r} is not valid JSON ({err}).") from err
    if data.get("type") != "FeatureCollection":
        raise InputError(f"path {str(path)!r}: expected a GeoJSON FeatureCollection, got type "
                         f"{data.get('type')!r}.")
    crs = data.get("crs", {}).get("properties", {}).get("name", crs)
    rows = []
    for i, feature in enumerate(data.get("features", [])):
        props = dict(feature.get("properties") or {})
        props.setdefault("id", feature.get("id", i))
        if not feature.get("geometry"):
            raise InputError(f"path {str(path)!r}: feature {props['id']!r} has no geometry.")
        centre = shape(feature["geometry"]).centroid
        props["x"], props["y"] = centre.x, centre.y
        rows.append(props)
    if not rows:
        raise InputError(f"path {str(path)!r} holds no features.")
    return buildings_from_frame(pd.DataFrame(rows), crs=crs, source=str(path))


def write_buildings_geojson(buildings: xr.Dataset, path) -> Path:
    """Write buildings as GeoJSON Points (in the dataset's CRS, named in a ``crs`` member).

    The legacy ``crs`` member keeps projected metres lossless; :func:`read_buildings_geojson`
    reads the file back to the same fields.

    Examples
    --------
    >>> import tempfile, os
    >>> from workbench.city import toy_city
    >>> path = write_buildings_geojson(toy_city().buildings,
    ...                                os.path.join(tempfile.mkdtemp(), "b.geojson"))
    >>> read_buildings_geojson(path)["floor_area"].values.tolist()[:2]
    [1000.0, 2000.0]
    """
    frame = buildings.reset_coords().to_dataframe()
    features = []
    for building_id, row in zip(frame.index.astype(str), frame.to_dict("records")):
        props = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()
                 if k not in ("x", "y")}
        features.append({"type": "Feature", "id": building_id,
                         "geometry": {"type": "Point", "coordinates": [row["x"], row["y"]]},
                         "properties": {"id": building_id, **props}})
    data = {"type": "FeatureCollection", "features": features,
            "crs": {"type": "name", "properties": {"name": buildings.attrs.get("crs", DEFAULT_CRS)}}}
    Path(path).write_text(json.dumps(data, sort_keys=True))
    return Path(path)
