"""Trained models archived as functionality tables (Zhou et al. 2025 §1.1–1.2: "archived for
future reference"), and the :class:`~workbench.functionality.FunctionalityModel` that reads them.

The simulation never calls a forest or a network per building per day. Stage 03 evaluates each
trained model once on a grid of building type × water × power × road satisfaction (:data:`GRID`,
0 … 1 in steps of ¼) into an ``xarray.Dataset`` with two variables on dims
(``building_type``, ``water``, ``power``, ``road``):

``rss`` [-]
    mean per-capita consumption d0 × rSS predicted by the rSS model
    (:mod:`workbench.models.rss`) at that service, over the survey units of
    the type with nobody displaced, divided by the same mean at full service — a ratio of means
    (the type's consumption as a whole, not the average unit's ratio), a partial dependence;
    so rSS = 1 at full service, by definition.
``ep_unit`` [EUR/m²/day]
    the hybrid's mean prediction over the production units of the type at that service (their
    consumption series scaled by the power and water satisfaction, as supply limits them), divided
    by the same mean at full service — the *shape* of the service dependence — times the
    full-service level: with ``ep_level="cited"`` (default) the cited figure of
    :data:`workbench.functionality.EP_UNIT`, with ``"trained"`` the hybrid's own full-service mean.

Below the lowest satisfaction of a network in the training data the models would extrapolate;
the archive holds their value at that edge instead (flat), so a grid point of 0 reads the data's
lowest observed service. A type with no units in the training data keeps the lookup table's values
(:class:`~workbench.functionality.TableFunctionality` on the same grid), listed in the attribute
``table_types``. :class:`ArchivedFunctionality` interpolates the table linearly
(:class:`scipy.interpolate.RegularGridInterpolator`), vectorised per type; the lookup table is
linear in service, so archiving it reproduces it exactly (tested).

Examples
--------
>>> from workbench.city import toy_city
>>> b = toy_city().buildings
>>> archived = ArchivedFunctionality(table_archive())
>>> full = np.ones((6, 3))
>>> archived.rss(b, full).tolist()
[1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
>>> bool(np.allclose(archived.ep_unit(b, full * 0.3),
...                  TableFunctionality().ep_unit(b, full * 0.3)))
True
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..core.dims import BUILDING_TYPES, NETWORKS
from ..core.errors import InputError
from ..functionality import EP_UNIT, TableFunctionality, checked_service, type_codes
from scipy.interpolate import RegularGridInterpolator

__all__ = ["GRID", "ARCHIVE_DIMS", "table_archive", "rss_archive", "ep_archive",
           "archive_tables", "ArchivedFunctionality", "save_archive", "load_archive",
           "SATISFACTION", "MIN_SEEN"]

#: Service satisfaction grid of the archive (each of water, power, road).
GRID = np.linspace(0.0, 1.0, 5)
#: Dims of an archived table.
ARCHIVE_DIMS = ("building_type",) + tuple(NETWORKS)
#: Lowest observed satisfaction a consumption series is rescaled from (see :func:`ep_archive`).
MIN_SEEN = 0.05
#: Survey / production columns of the service satisfaction of each network.
SATISFACTION = {net: f"{net}_satisfaction" for net in NETWORKS}


def _grid_coords(grid) -> dict:
    return {"building_type": list(BUILDING_TYPES), **{net: np.asarray(grid, float)
                                                       for net in NETWORKS}}


def _mesh(grid) -> np.ndarray:
    """All (water, power, road) points of the grid, shape (g³, 3), C order."""
    g = np.asarray(grid, float)
    return np.stack(np.meshgrid(g, g, g, indexing="ij"), axis=-1).reshape(-1, 3)


def _within_support(points: np.ndarray, data: pd.DataFrame) -> np.ndarray:
    """Grid points raised, network by network, to the lowest satisfaction the data hold: below
    it a model would extrapolate, so the archive keeps the value at the edge of the data (flat
    extrapolation; the lookup table is used only for types without data)."""
    low = np.array([float(data[SATISFACTION[n]].min()) for n in NETWORKS])
    return np.maximum(points, np.minimum(low, 1.0))


def table_archive(model: TableFunctionality | None = None, grid=GRID) -> xr.Dataset:
    """The lookup-table model on the archive grid (the ``table`` functionality as an archive)."""
    model = TableFunctionality() if model is None else model
    pts = _mesh(grid)
    g = len(grid)
    types = np.repeat(np.asarray(BUILDING_TYPES), len(pts))
    fake = xr.Dataset({"type": ("building", types)})
    service = np.tile(pts, (len(BUILDING_TYPES), 1))
    shape = (len(BUILDING_TYPES), g, g, g)
    ds = xr.Dataset({"ep_unit": (ARCHIVE_DIMS, model.ep_unit(fake, service).reshape(shape)),
                     "rss": (ARCHIVE_DIMS, model.rss(fake, service).reshape(shape))},
                    coords=_grid_coords(grid))
    ds["ep_unit"].attrs["units"] = "EUR/m2/day"
    ds["rss"].attrs["units"] = "1"
    ds.attrs.update({"source": "table", "table_types": " ".join(BUILDING_TYPES),
                     "ep_level": "cited"})
    return ds


def rss_archive(model, survey: pd.DataFrame, grid=GRID) -> xr.DataArray:
    """rSS by type × service from the rSS model (NaN for types without survey units).

    ``model`` has ``features`` and ``consumption(frame)`` → per-capita consumption after the
    event (:class:`workbench.models.rss.RssModel`: d0 × predicted rSS; the paper's forest,
    :class:`workbench.models.forest.RssForest`: its d_t). At each grid point every unit of the
    type gets that service and nobody displaced; the archive is the mean consumption over the
    units divided by the same mean at full service (a ratio of means, a partial dependence).
    Computed by hand rather than with :func:`sklearn.inspection.partial_dependence` (same
    numbers, its brute method): that calls the model once per grid point and type, 625 calls;
    here every grid point of a type is one call.
    """
    g = np.asarray(grid, float)
    pts = _within_support(_mesh(g), survey)
    out = np.full((len(BUILDING_TYPES), len(g), len(g), len(g)), np.nan)
    frame = survey[list(dict.fromkeys(list(model.features) + ["d0"]))]
    for k, t in enumerate(BUILDING_TYPES):
        rows = frame[frame["building_type"] == t]
        n, P = len(rows), len(pts)
        if not n:
            continue
        tiled = rows.iloc[np.tile(np.arange(n), P)].reset_index(drop=True)
        point = np.repeat(pts, n, axis=0)
        for j, net in enumerate(NETWORKS):
            tiled[SATISFACTION[net]] = point[:, j]
        tiled["displaced_share"] = 0.0
        mean = np.asarray(model.consumption(tiled), float).reshape(P, n).mean(axis=1)
        mean = mean.reshape(len(g), len(g), len(g))
        full = mean[-1, -1, -1]
        if not full > 0:
            raise InputError(f"rSS archive: the model predicts consumption {full!r} ≤ 0 at full "
                             f"service for {t!r}; it cannot be normalised.")
        out[k] = mean / full
    return xr.DataArray(out, dims=ARCHIVE_DIMS, coords=_grid_coords(grid), name="rss")


def ep_archive(predict, static: pd.DataFrame, series: np.ndarray, grid=GRID,
               ep_level: str = "cited") -> xr.DataArray:
    """EP per m² by type × service from a production model (NaN for types without units).

    ``predict(static, series)`` returns EP per m² for the units; ``series`` has shape
    (units, steps, channels), channels ``electricity_kwh`` then ``water_m3``, observed at each
    unit's own satisfaction. At each grid point every unit of the type gets that satisfaction,
    and its electricity and water series are rescaled from the satisfaction it was observed at
    to the grid's (supply limits consumption; an observed satisfaction below
    :data:`MIN_SEEN` is taken as ``MIN_SEEN``). Hand-written rather than
    :func:`sklearn.inspection.partial_dependence`, which cannot tie the series to the
    satisfaction columns; one ``predict`` call per type, vectorised over grid points.
    """
    if ep_level not in ("cited", "trained"):
        raise InputError(f"models.ep_level must be 'cited' or 'trained', got {ep_level!r}")
    g = np.asarray(grid, float)
    pts = _within_support(_mesh(g), static)                 # (P, 3): water, power, road
    out = np.full((len(BUILDING_TYPES), len(g), len(g), len(g)), np.nan)
    series = np.asarray(series, float)
    for k, t in enumerate(BUILDING_TYPES):
        idx = np.flatnonzero(static["building_type"].to_numpy() == t)
        if not len(idx):
            continue
        n, P = len(idx), len(pts)
        rows = static.iloc[np.tile(idx, P)].reset_index(drop=True)
        point = np.repeat(pts, n, axis=0)
        for j, net in enumerate(NETWORKS):
            rows[SATISFACTION[net]] = point[:, j]
        s = series[np.tile(idx, P)].copy()
        observed = static.iloc[np.tile(idx, P)]
        for channel, j in ((0, 1), (1, 0)):     # electricity ~ power, water ~ water satisfaction
            seen = np.maximum(observed[SATISFACTION[NETWORKS[j]]].to_numpy(float), MIN_SEEN)
            s[..., channel] *= (point[:, j] / seen)[:, None]
        mean = np.asarray(predict(rows, s), float).reshape(P, n).mean(axis=1)
        mean = mean.reshape(len(g), len(g), len(g))
        full = mean[-1, -1, -1]
        if not full > 0:
            raise InputError(f"EP archive: the production model predicts {full!r} ≤ 0 EUR/m²/day "
                             f"at full service for {t!r}; it cannot be normalised.")
        level = EP_UNIT[t] if ep_level == "cited" else full
        out[k] = np.maximum(mean, 0.0) / full * level
    return xr.DataArray(out, dims=ARCHIVE_DIMS, coords=_grid_coords(grid), name="ep_unit")


def archive_tables(rss: xr.DataArray, ep_unit: xr.DataArray, *, ep_level: str = "cited",
                   provenance: dict | None = None) -> xr.Dataset:
    """The archive of trained tables; types the models could not give keep the lookup table."""
    grid = rss[NETWORKS[0]].values
    base = table_archive(grid=grid)
    ds = xr.Dataset({"ep_unit": ep_unit, "rss": rss})
    missing = {v: [t for t in BUILDING_TYPES if bool(ds[v].sel(building_type=t).isnull().any())]
               for v in ("ep_unit", "rss")}
    ds = ds.fillna(base)
    ds["ep_unit"].attrs["units"] = "EUR/m2/day"
    ds["rss"].attrs["units"] = "1"
    ds.attrs.update({"source": "trained", "ep_level": ep_level,
                     "table_types_ep_unit": " ".join(missing["ep_unit"]),
                     "table_types_rss": " ".join(missing["rss"]),
                     **{k: str(v) for k, v in (provenance or {}).items()}})
    _check_archive(ds)
    return ds


def _check_archive(ds: xr.Dataset, where: str = "functionality archive") -> None:
    for v in ("ep_unit", "rss"):
        if v not in ds:
            raise InputError(f"{where}: variable {v!r} is missing.")
        if tuple(ds[v].dims) != ARCHIVE_DIMS:
            raise InputError(f"{where}: {v} must have dims {ARCHIVE_DIMS}, got {ds[v].dims}.")
        values = ds[v].values
        if not np.isfinite(values).all() or (values < 0).any():
            raise InputError(f"{where}: {v} must be finite and ≥ 0 everywhere.")
    types = [str(t) for t in ds["building_type"].values]
    if sorted(types) != sorted(BUILDING_TYPES):
        raise InputError(f"{where}: building_type must be {list(BUILDING_TYPES)}, got {types}.")
    for net in NETWORKS:
        g = np.asarray(ds[net].values, float)
        if len(g) < 2 or g[0] != 0.0 or g[-1] != 1.0 or (np.diff(g) <= 0).any():
            raise InputError(f"{where}: the {net} grid must rise from 0 to 1, got {g.tolist()}.")
    full = ds["rss"].isel({net: -1 for net in NETWORKS}).values
    if not np.allclose(full, 1.0):
        raise InputError(f"{where}: rss must be 1 at full service, got {full.tolist()}.")


@dataclass(frozen=True)
class ArchivedFunctionality:
    """A :class:`~workbench.functionality.FunctionalityModel` reading an archived table."""

    table: xr.Dataset
    _interp: dict = field(default=None, init=False, repr=False, compare=False)
    _digest: str = field(default="", init=False, repr=False, compare=False)

    def __post_init__(self):
        _check_archive(self.table)
        t = self.table.transpose(*ARCHIVE_DIMS)
        axes = tuple(np.asarray(t[net].values, float) for net in NETWORKS)
        interp, digest = {}, hashlib.sha256()
        for v in ("ep_unit", "rss"):
            for name in BUILDING_TYPES:
                values = np.asarray(t[v].sel(building_type=name).values, float)
                interp[v, name] = RegularGridInterpolator(axes, values, method="linear")
                digest.update(values.tobytes())
        object.__setattr__(self, "_interp", interp)
        object.__setattr__(self, "_digest", digest.hexdigest())

    def __hash__(self):
        return hash(self._digest)

    def __eq__(self, other):
        return isinstance(other, ArchivedFunctionality) and other._digest == self._digest

    def _values(self, var: str, buildings: xr.Dataset, service: np.ndarray) -> np.ndarray:
        code = type_codes(buildings)
        service = np.clip(checked_service(service, len(code)), 0.0, 1.0)
        out = np.empty(len(code))
        for k in np.unique(code):
            rows = code == k
            out[rows] = self._interp[var, BUILDING_TYPES[k]](service[rows])
        return out

    def ep_unit(self, buildings: xr.Dataset, service: np.ndarray) -> np.ndarray:
        """EP per m² per day [EUR/m²/day], shape (n_buildings,)."""
        return self._values("ep_unit", buildings, service)

    def rss(self, buildings: xr.Dataset, service: np.ndarray) -> np.ndarray:
        """Supplementary service factor rSS [-], shape (n_buildings,); 1 at full service."""
        return self._values("rss", buildings, service)


def save_archive(ds: xr.Dataset, path: str | Path) -> Path:
    """Write an archive as netCDF."""
    _check_archive(ds)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(path, engine="h5netcdf")
    return path


def load_archive(path: str | Path) -> xr.Dataset:
    """Read and check an archive written by :func:`save_archive`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"functionality archive {str(path)!r} does not exist; run stage 03 "
                         f"(03_model_training) first, or set models.functionality: table.")
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        ds = ds.load()
    _check_archive(ds, where=f"functionality archive {str(path)!r}")
    return ds
