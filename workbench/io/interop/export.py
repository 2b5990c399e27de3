"""Results out for GIS and spreadsheets: :func:`export_results` writes per-building results as
GeoJSON/CSV, curves and indexes as CSV."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ...city.model import City
from ...core.dims import BUILDING, REALIZATION, STRATEGY, TIME
from ...core.errors import InputError
from ...metrics.indexes import summary_indexes

__all__ = ["export_results"]


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
        :data:`workbench.metrics.indexes.SUMMARY_KEYS` (EUR, person-days, days; empty = not reached).

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
