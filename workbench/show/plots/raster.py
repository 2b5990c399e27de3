"""Building maps of large cities drawn as a raster: buildings binned into pixel cells.

Above :data:`RASTER_ABOVE` buildings a map with a marker per building shows mostly the markers
drawn last (at 100,000 buildings every damaged building hides the undamaged ones around it) and
writes a vector file of tens of megabytes. The report's maps and the dashboard's then bin the
buildings into a grid of cells (:func:`cell_of`) and colour each cell from the buildings in it:

* categories (type, damage state, services lost): the categories' colours mixed by their
  counts in the cell (:func:`category_rgba`), as datashader's categorical shading does, so a
  cell of 80 % undamaged buildings looks mostly undamaged;
* a day (restoration): the latest day of the buildings in the cell (:func:`latest_per_cell`),
  i.e. the day the cell is all back.

Binning is a ``numpy.bincount`` over cell indices (milliseconds at 10⁵ buildings); datashader
would add a dependency (and numba) for the same sums, so it is not used.
"""

from __future__ import annotations

import io

import numpy as np

__all__ = ["RASTER_ABOVE", "grid_shape", "cell_of", "category_rgba", "latest_per_cell",
           "png_bytes"]

#: Building maps of more buildings than this are drawn as a raster.
RASTER_ABOVE = 5_000


def grid_shape(bounds, cells: int) -> tuple[int, int]:
    """(rows, columns) of a grid of square cells over ``bounds`` = (left, bottom, right, top),
    ``cells`` along its longer side.

    >>> grid_shape((0, 0, 4, 2), 100)
    (50, 100)
    """
    left, bottom, right, top = bounds
    width, height = max(right - left, 1e-12), max(top - bottom, 1e-12)
    if width >= height:
        return max(1, int(round(cells * height / width))), cells
    return cells, max(1, int(round(cells * width / height)))


def cell_of(x, y, bounds, shape) -> np.ndarray:
    """The flat index (row-major, row 0 at the top) of the cell holding each point.

    >>> cell_of([0.0, 3.99, 0.0], [0.0, 0.0, 1.99], (0, 0, 4, 2), (2, 4)).tolist()
    [4, 7, 0]
    """
    left, bottom, right, top = bounds
    rows, cols = shape
    x, y = np.asarray(x, float), np.asarray(y, float)
    col = np.clip(((x - left) / max(right - left, 1e-12) * cols).astype(np.int64), 0, cols - 1)
    row = np.clip(((top - y) / max(top - bottom, 1e-12) * rows).astype(np.int64), 0, rows - 1)
    return row * cols + col


def category_rgba(cell, codes, colours: dict, shape) -> np.ndarray:
    """An RGBA image (uint8, ``shape`` + (4,)): each cell the mean of its buildings' category
    colours (``colours``: code → any matplotlib colour), transparent where no building is.
    Buildings whose code is not in ``colours`` are left out."""
    from matplotlib.colors import to_rgb
    n = shape[0] * shape[1]
    codes = np.asarray(codes)
    rgb = np.zeros((n, 3))
    count = np.zeros(n)
    for code, colour in colours.items():
        at = cell[codes == code]
        k = np.bincount(at, minlength=n).astype(float)
        rgb += k[:, None] * np.asarray(to_rgb(colour))[None, :]
        count += k
    out = np.zeros((n, 4), np.uint8)
    has = count > 0
    out[has, :3] = np.round(255 * rgb[has] / count[has, None]).astype(np.uint8)
    out[has, 3] = 255
    return out.reshape(*shape, 4)


def latest_per_cell(cell, values, shape) -> np.ndarray:
    """The largest value of the buildings in each cell (``shape``), NaN where none is."""
    n = shape[0] * shape[1]
    out = np.full(n, -np.inf)
    np.maximum.at(out, np.asarray(cell), np.asarray(values, float))
    out[~np.isfinite(out)] = np.nan
    return out.reshape(shape)


def png_bytes(rgba: np.ndarray) -> bytes:
    """An RGBA array as PNG bytes (no metadata: the same image gives the same bytes)."""
    from matplotlib.image import imsave
    out = io.BytesIO()
    imsave(out, rgba, format="png", metadata={"Software": None})
    return out.getvalue()
