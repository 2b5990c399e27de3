"""Shaking that differs from realisation to realisation: between- and within-event residuals
around a model's medians, the within-event part correlated in space.

For realisation r and site i, for each intensity measure (PGA, PGV)::

    ln Y_ri = ln median_i + τ_i · η_r + φ_i · ε_ri

η_r ~ N(0, 1), one per realisation (the event's own term, shared by every site); ε_r a standard
normal field over the sites with correlation ρ(h) = exp(−3h / b) at separation h [km]
(Jayaram & Baker 2009, the exponential model; b = 8.5 km for PGA, their case 1 — no clustering
of Vs30 — at period 0). τ and φ are the model's (:mod:`workbench.hazard.gmpe`). One η and one
field serve PGA, PGV and SA(0.3 s), SA(1.0 s) alike: their normalised residuals are taken as
fully correlated, a stated simplification (a building's PGA and a pipe's PGV at one site move
together; Jayaram & Baker's range grows with period, to 25.7 km at 1 s, which this ignores).

The field is drawn with the Cholesky factor of the correlation matrix (``scipy.linalg``). Above
:data:`MAX_SITES` sites, sites are gathered in square cells (side b/10, doubled until at most
:data:`MAX_SITES` cells) that share one value, which keeps the cost bounded: the correlation
between two sites in one cell is then ≥ exp(−3·√2/10) ≈ 0.65 instead of its exact value.

Reference: Jayaram, N., & Baker, J. W. (2009). Correlation model for spatially distributed
ground-motion intensities. *Earthq. Eng. Struct. Dyn.* 38(15), 1687–1708. doi:10.1002/eqe.922
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import xarray as xr
from scipy.linalg import cholesky

from ..core.dims import BUILDING, COMPONENT, REALIZATION

__all__ = ["DEFAULT_RANGE_KM", "MAX_SITES", "correlation", "standard_field", "realised_intensity"]

#: Jayaram & Baker (2009) range b = 8.5 + 17.2 T [km] for T < 1 s (case 1), at T = 0 (PGA).
DEFAULT_RANGE_KM = 8.5
#: Sites (or cells) up to which the field is drawn exactly.
MAX_SITES = 3_000
_MEASURES = ("pga", "pgv", "sa03", "sa10")


def correlation(h_km, range_km: float) -> np.ndarray:
    """ρ(h) = exp(−3h/b) of within-event residuals at separation ``h_km``.

    >>> round(float(correlation(8.5, 8.5)), 4)   # e^-3 at the range
    0.0498
    """
    return np.exp(-3.0 * np.asarray(h_km, dtype=float) / float(range_km))


def _cells(x_km: np.ndarray, y_km: np.ndarray, range_km: float) -> tuple[np.ndarray, np.ndarray]:
    """(cell of each site, cell centres) — every site its own cell up to MAX_SITES."""
    n = len(x_km)
    if n <= MAX_SITES:
        return np.arange(n), np.column_stack([x_km, y_km])
    side = range_km / 10.0
    while True:
        key = np.column_stack([np.floor(x_km / side), np.floor(y_km / side)])
        cells, which = np.unique(key, axis=0, return_inverse=True)
        if len(cells) <= MAX_SITES:
            which = np.asarray(which).ravel()
            centre = np.column_stack([np.bincount(which, x_km) / np.bincount(which),
                                      np.bincount(which, y_km) / np.bincount(which)])
            return which, centre
        side *= 2.0


def standard_field(x_m, y_m, range_km: float, size: int, rng: np.random.Generator
                   ) -> np.ndarray:
    """``size`` standard normal fields over sites ``x_m``, ``y_m`` [m] with correlation
    exp(−3h/b); shape (size, n_sites).

    >>> rng = np.random.default_rng(0)
    >>> z = standard_field([0.0, 100.0, 50_000.0], [0.0, 0.0, 0.0], 8.5, 4000, rng)
    >>> c = np.corrcoef(z.T)
    >>> round(float(c[0, 1]), 1), round(float(c[0, 2]), 1)   # 100 m apart: exp(-0.035); 50 km: 0
    (1.0, 0.0)
    """
    x_km = np.ascontiguousarray(x_m, dtype=float) / 1000.0
    y_km = np.ascontiguousarray(y_m, dtype=float) / 1000.0
    which, lower = _factor(x_km.tobytes(), y_km.tobytes(), float(range_km))
    z = rng.standard_normal((int(size), lower.shape[0])) @ lower.T
    return z[:, which]


@lru_cache(maxsize=4)
def _factor(x_bytes: bytes, y_bytes: bytes, range_km: float) -> tuple[np.ndarray, np.ndarray]:
    """(cell of each site, lower Cholesky factor of the cells' correlation), kept for the last
    few site sets: an ensemble draws a field per member over the same sites, and the factor
    is most of a field's cost (0.07 s of 1,538 demo sites)."""
    x_km, y_km = np.frombuffer(x_bytes), np.frombuffer(y_bytes)
    which, centre = _cells(x_km, y_km, range_km)
    h = np.hypot(centre[:, None, 0] - centre[None, :, 0], centre[:, None, 1] - centre[None, :, 1])
    c = correlation(h, range_km)
    c[np.diag_indices_from(c)] += 1e-9            # coincident sites: keep the factor defined
    lower = cholesky(c, lower=True, check_finite=False)
    for array in (which, lower):
        array.setflags(write=False)
    return which, lower


def realised_intensity(intensity: xr.Dataset, buildings: xr.Dataset, components: xr.Dataset,
                       realizations: int, seed: int) -> xr.Dataset:
    """The intensity of each realisation (dims ``realization``, site) drawn around the medians
    of an intensity Dataset that carries τ and φ (``earthquake_intensity(residuals=True)``);
    from its own random stream, ``default_rng([seed, 7])``."""
    rng = np.random.default_rng([int(seed), 7])
    b = float(intensity.attrs.get("hazard_correlation_range_km", DEFAULT_RANGE_KM))
    eta = rng.standard_normal(int(realizations))
    n = buildings.sizes[BUILDING]
    x = np.concatenate([np.asarray(buildings["x"].values, float),
                        np.asarray(components["x"].values, float)])
    y = np.concatenate([np.asarray(buildings["y"].values, float),
                        np.asarray(components["y"].values, float)])
    field = standard_field(x, y, b, realizations, rng)
    parts = {"building": field[:, :n], "component": field[:, n:]}
    out = {}
    for kind, dim in (("building", BUILDING), ("component", COMPONENT)):
        for im in _MEASURES:
            name = f"{kind}_{im}"
            if name not in intensity:
                continue
            median = np.asarray(intensity[name].values, dtype=float)
            tau = np.asarray(intensity[f"{name}_tau"].values, dtype=float)
            phi = np.asarray(intensity[f"{name}_phi"].values, dtype=float)
            values = median[None, :] * np.exp(tau[None, :] * eta[:, None]
                                              + phi[None, :] * parts[kind])
            out[name] = ((REALIZATION, dim), values, intensity[name].attrs)
    drawn = intensity.drop_vars([v for v in intensity.data_vars if v.endswith(("_tau", "_phi"))])
    drawn = drawn.assign_coords({REALIZATION: np.arange(int(realizations))})
    for name, (dims, values, attrs) in out.items():
        drawn[name] = (dims, values)
        drawn[name].attrs.update(attrs)
    return drawn
