"""Gridded surfaces over a city: ground elevation for a bathtub flood, or a depth field.

A grid is a CSV of ``x``, ``y`` [m, the city's CRS] and one value column (``elevation_m`` for the
ground, ``depth_m`` for an inundation depth) on a regular lattice: every (x, y) pair of the
lattice once, equal spacing along each axis. :func:`read_grid` reads and checks one;
:func:`sample_grid` gives its bilinear value at sites (:class:`scipy.interpolate.
RegularGridInterpolator`); a site outside the grid is an error that says how many and which,
never an extrapolated number.

:func:`shore_terrain` makes a *synthetic* ground surface from a shoreline: the ground rises
linearly with the distance to the shore. The demo city's ``terrain.csv`` is one (no elevation
model ships offline with the workbench's dependencies); it is labelled synthetic wherever it is
used (``data/README.md``, METHOD §5.5).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..core.errors import InputError

__all__ = ["read_grid", "sample_grid", "shore_terrain", "write_grid", "GRID_VALUES"]

#: The value column of each kind of grid, with its unit.
GRID_VALUES = {"elevation_m": "m above the vertical datum", "depth_m": "m above the ground"}


def read_grid(path: str | Path, value: str) -> xr.DataArray:
    """The grid in the CSV ``path`` as a DataArray (``y``, ``x``) of its ``value`` column.

    Raises
    ------
    InputError
        If the file is missing or unreadable, lacks ``x``, ``y`` or ``value``, holds a missing or
        non-finite number, a negative depth, a repeated point, or is not a complete regular
        lattice of at least 2 × 2 points.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "terrain.csv")
    >>> pd.DataFrame({"x": [0, 10, 0, 10], "y": [0, 0, 10, 10],
    ...               "elevation_m": [1.0, 2.0, 3.0, 4.0]}).to_csv(path, index=False)
    >>> g = read_grid(path, "elevation_m")
    >>> g.dims, g.sel(x=10, y=10).item()
    (('y', 'x'), 4.0)
    """
    path = Path(path)
    if value not in GRID_VALUES:
        raise InputError(f"read_grid: value must be one of {list(GRID_VALUES)}; got {value!r}.")
    if not path.is_file():
        raise InputError(f"grid {path.name!r} does not exist; give a CSV of x, y [m, the city's "
                         f"CRS] and {value} on a regular lattice.")
    try:
        frame = pd.read_csv(path)
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        reason = " ".join(str(exc).split())[:120]
        raise InputError(f"grid {path.name!r} is not a readable CSV ({reason}).") from None
    missing = [c for c in ("x", "y", value) if c not in frame.columns]
    if missing:
        raise InputError(f"grid {path.name!r} lacks the column(s) {missing}; it needs x, y [m] "
                         f"and {value} [{GRID_VALUES[value]}].")
    for column in ("x", "y", value):
        numbers = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(numbers)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(f"grid {path.name!r}: column {column!r} holds a missing or "
                             f"non-numeric value ({frame[column].iloc[row]!r} on data row "
                             f"{row + 1}); every point needs a finite number.")
        frame[column] = numbers
    if value == "depth_m" and (frame[value] < 0).any():
        row = int(np.flatnonzero(frame[value].to_numpy() < 0)[0])
        raise InputError(f"grid {path.name!r}: depth_m must be ≥ 0 (water above the ground); "
                         f"got {frame[value].iloc[row]!r} on data row {row + 1}.")
    if frame.duplicated(["x", "y"]).any():
        row = frame[frame.duplicated(["x", "y"])].iloc[0]
        raise InputError(f"grid {path.name!r} repeats the point x {row['x']:g}, y {row['y']:g}; "
                         f"each lattice point must appear once.")
    xs, ys = np.unique(frame["x"].to_numpy()), np.unique(frame["y"].to_numpy())
    if xs.size < 2 or ys.size < 2 or len(frame) != xs.size * ys.size:
        raise InputError(f"grid {path.name!r} is not a complete lattice: {len(frame)} points "
                         f"for {xs.size} x values × {ys.size} y values (at least 2 × 2, every "
                         f"pair once).")
    for axis, values in (("x", xs), ("y", ys)):
        step = np.diff(values)
        if not np.allclose(step, step[0], rtol=1e-6, atol=1e-6):
            raise InputError(f"grid {path.name!r}: the {axis} values are not equally spaced "
                             f"(steps {step.min():g} to {step.max():g} m); resample it to a "
                             f"regular lattice.")
    table = frame.pivot(index="y", columns="x", values=value)
    return xr.DataArray(table.to_numpy(), coords={"y": table.index.to_numpy(),
                                                  "x": table.columns.to_numpy()},
                        dims=("y", "x"), name=value,
                        attrs={"units": GRID_VALUES[value], "source": path.name})


def write_grid(grid: xr.DataArray, path: str | Path) -> Path:
    """Write ``grid`` (``y``, ``x``) as the CSV :func:`read_grid` reads (x, y, value; values
    to the millimetre)."""
    frame = grid.round(3).to_dataframe().reset_index()[["x", "y", grid.name]]
    path = Path(path)
    frame.to_csv(path, index=False, float_format="%.3f")
    return path


def sample_grid(grid: xr.DataArray, x, y, *, what: str = "sites") -> np.ndarray:
    """Bilinear values of ``grid`` at the points (``x``, ``y``) [m]
    (:class:`scipy.interpolate.RegularGridInterpolator`).

    A point outside the grid's extent is an :class:`InputError` naming how many and the first,
    not an extrapolation.

    Examples
    --------
    >>> g = xr.DataArray([[0.0, 10.0], [20.0, 30.0]], coords={"y": [0.0, 10.0],
    ...                  "x": [0.0, 10.0]}, dims=("y", "x"), name="elevation_m")
    >>> sample_grid(g, [5.0, 0.0], [5.0, 10.0]).tolist()
    [15.0, 20.0]
    """
    from scipy.interpolate import RegularGridInterpolator
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.size == 0:
        return np.zeros(0)
    gx, gy = grid["x"].values, grid["y"].values
    outside = ~((x >= gx[0]) & (x <= gx[-1]) & (y >= gy[0]) & (y <= gy[-1]))
    if outside.any():
        first = int(np.flatnonzero(outside)[0])
        raise InputError(f"{int(outside.sum())} {what} lie outside the grid "
                         f"{grid.attrs.get('source', grid.name)!r} (x {gx[0]:g} to {gx[-1]:g}, "
                         f"y {gy[0]:g} to {gy[-1]:g} m; e.g. x {x[first]:g}, y {y[first]:g}); "
                         f"extend the grid over the whole city.")
    interpolate = RegularGridInterpolator((gy, gx), grid.transpose("y", "x").values,
                                          method="linear")
    return interpolate(np.column_stack([y, x]))


def shore_terrain(shoreline, bounds, *, spacing_m: float = 25.0, shore_m: float = 1.0,
                  rise_per_100m: float = 2.0, cap_m: float = 25.0) -> xr.DataArray:
    """A *synthetic* ground surface: ``shore_m`` at the shoreline, rising ``rise_per_100m`` m
    per 100 m of distance from it, at most ``cap_m``; on a lattice of ``spacing_m`` over
    ``bounds`` (xmin, ymin, xmax, ymax) [m], snapped outward to the spacing.

    ``shoreline`` is a shapely geometry in the same CRS (e.g. OpenStreetMap's
    ``natural=coastline`` ways). Distances by :func:`shapely.distance`. The surface is a
    documented assumption, not a survey: it ranks sites by their distance to the sea, which is
    what a bathtub flood needs to say which buildings the water reaches first.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> g = shore_terrain(LineString([(0, 0), (0, 100)]), (0, 0, 100, 100), spacing_m=50.0)
    >>> g.sel(y=50.0).values.tolist()
    [1.0, 2.0, 3.0]
    """
    import shapely
    xmin, ymin, xmax, ymax = (float(b) for b in bounds)
    if not (spacing_m > 0 and xmax > xmin and ymax > ymin):
        raise InputError(f"shore_terrain: bounds must span an area and spacing_m be > 0; got "
                         f"{bounds!r}, {spacing_m!r}.")
    xs = np.arange(np.floor(xmin / spacing_m), np.ceil(xmax / spacing_m) + 1) * spacing_m
    ys = np.arange(np.floor(ymin / spacing_m), np.ceil(ymax / spacing_m) + 1) * spacing_m
    gx, gy = np.meshgrid(xs, ys)
    distance = shapely.distance(shapely.points(gx.ravel(), gy.ravel()), shoreline)
    z = np.minimum(shore_m + rise_per_100m * distance / 100.0, cap_m).reshape(gx.shape)
    return xr.DataArray(z, coords={"y": ys, "x": xs}, dims=("y", "x"), name="elevation_m",
                        attrs={"units": GRID_VALUES["elevation_m"],
                               "synthetic": f"{shore_m:g} m at the shoreline, rising "
                                            f"{rise_per_100m:g} m per 100 m inland, at most "
                                            f"{cap_m:g} m"})
