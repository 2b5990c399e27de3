"""The Hazus capacity-spectrum method for buildings: damage that follows the magnitude.

The equivalent-PGA curves of :mod:`workbench.hazard.fragility` were derived by Hazus for one
reference spectrum (M 7, soil, ≥ 15 km); at small magnitudes the long-period demand is far lower
and they over-damage mid- and high-rise buildings. The capacity-spectrum method (Hazus
Earthquake Technical Manual, chapter 5) asks, for each building, where its capacity curve meets
the earthquake's demand spectrum reduced for the damping the building develops, and reads the
damage from the spectral displacement there:

1. **Demand spectrum** (Hazus §4.1.2.1, the standard shape): 5 %-damped spectral acceleration
   ``SA(T) = SAS`` for T ≤ T_AV, ``SA1 / T`` up to T_VD, ``SA1 · T_VD / T²`` beyond, with
   ``SAS = SA(0.3 s)`` and ``SA1 = SA(1.0 s)`` of the ground-motion model at the site,
   ``T_AV = SA1 / SAS`` and ``T_VD = 10^((M − 5)/2)`` s. Spectral displacement
   ``SD = 9.78 · SA · T²`` [inches, SA in g] (g / 4π² = 9.78 in/s²).
2. **Capacity curve** (Hazus Tables 5.7): linear to the yield point (Dy, Ay), an elliptic arc to
   the ultimate point (Du, Au) — the ellipse tangent to the elastic line at yield and flat at
   ultimate — then flat (Au). When that ellipse does not exist (a yield line too shallow), the
   arc is a straight line (stated here, never the case in the Hazus tables).
3. **Damping** (Hazus eqs. 5-5 to 5-8): ``β_eff = β_E + κ · Area / (2π · D · A)`` with the
   hysteresis loop's area ``Area = 4 (∫₀ᴰ A dD − A² / (2k))`` (k the elastic stiffness Ay/Dy:
   the loop of an elastic–perfectly plastic system for a flat curve), the elastic damping β_E
   of the type and the degradation factor κ of its design level and of the shaking's
   duration — short for M ≤ 5.5, moderate to 7.5, long above (Hazus Table 5.18).
4. **Reduced demand** (Newmark & Hall, Hazus eqs. 5-9, 5-10): ``R_A = 2.12 / (3.21 − 0.68 ln
   β_eff)``, ``R_V = 1.65 / (2.31 − 0.41 ln β_eff)`` (β_eff in %): SAS / R_A on the plateau,
   SA1 / R_V on the 1/T branch.
5. **Performance point**: the displacement D at which the capacity curve meets the reduced
   demand at its own secant period ``T = 2π √(D / (A g))`` — found by bisection on ln D,
   vectorised over buildings (60 halvings: a relative precision of ~10⁻¹⁵ of the bracket
   [10⁻⁴ Dy, 50 Du]); demand beyond the bracket's top gives D = 50 Du (collapse for any curve).
6. **Damage**: ``P(DS ≥ k) = Φ(ln(D / S̄d_k) / β_k)`` with the spectral-displacement medians and
   dispersions of Hazus Tables 5.9. With the shaking drawn per realisation
   (``hazard.residuals``) the demand part of β_k (0.45, Hazus' demand-spectrum variability) is
   taken out, ``√(β_k² − 0.45²)``, an approximation of Hazus' convolution.

Written here rather than taken from a library because none on PyPI implements the Hazus method
(pelicun and the dlml tables give the fragilities, not the performance point); the root-finding
is plain bisection so that 10⁵ buildings take a fraction of a second.

Tables: ``data/hazus_capacity_curves.csv`` (Tables 5.7, 5.18, elastic damping) and
``data/hazus_sd_fragility.csv`` (Tables 5.9), see ``data/README.md``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.special import ndtr

from ..core.errors import InputError
from ..core.paths import DATA_DIR
from .fragility import design_rows

__all__ = ["capacity_curve", "performance_point", "demand_reduction", "spectral_exceedance",
           "building_capacity", "capacity_exceedance", "duration", "G_IN", "DEMAND_BETA_SD",
           "BUILDING_MODELS", "check_building_model", "resolve_building_model"]

#: Building damage models (parameter ``damage.building_model``); ``auto`` is resolved by
#: :func:`resolve_building_model`.
BUILDING_MODELS = ("auto", "capacity-spectrum", "equivalent-pga")


def check_building_model(model) -> str:
    """``model`` when it names a building damage model of :data:`BUILDING_MODELS`, else an
    :class:`~workbench.core.errors.InputError` naming the choices."""
    if model not in BUILDING_MODELS:
        raise InputError(f"building_model must be one of {list(BUILDING_MODELS)}; got "
                         f"{model!r}.")
    return model


def resolve_building_model(model: str, intensity) -> str:
    """The building damage model a run uses: ``model`` itself, or for ``"auto"`` the
    capacity-spectrum method where the intensity gives what it needs — SA(0.3 s) and SA(1.0 s)
    at the buildings and the earthquake's magnitude, as a scenario earthquake does — and the
    equivalent-PGA curves where it does not (a user's field of PGA and PGV).

    >>> import xarray as xr
    >>> resolve_building_model("auto", xr.Dataset(attrs={"hazard_magnitude": 5.5}))
    'equivalent-pga'
    >>> resolve_building_model("equivalent-pga", None)
    'equivalent-pga'
    """
    if model != "auto":
        return model
    spectral = all(v in intensity for v in ("building_sa03", "building_sa10"))
    return ("capacity-spectrum" if spectral and intensity.attrs.get("hazard_magnitude")
            is not None else "equivalent-pga")

#: g / (4π²) in inches per second² : SD [in] = G_IN · SA [g] · T² [s²].
G_IN = 386.089 / (4.0 * np.pi ** 2)
#: The demand-spectrum part of the Hazus spectral-displacement β (taken out when the shaking's
#: scatter is drawn).
DEMAND_BETA_SD = 0.45
_LO, _HI, _STEPS = 1e-4, 50.0, 60


def _ellipse(dy, ay, du, au):
    """(a, b, centre A) of the arc from yield to ultimate, tangent to the elastic line at yield
    and flat at ultimate; ``ok`` False where no such ellipse exists (then a straight line)."""
    k = ay / dy
    span, rise = du - dy, au - ay
    denom = span * k - 2.0 * rise
    ok = (denom > 0) & (rise > 0) & (span > 0)
    y = np.where(ok, rise ** 2 / np.where(ok, denom, 1.0), 1.0)
    b = y + rise
    a = np.sqrt(np.where(ok, b ** 2 * span / (k * y), 1.0))
    return a, b, au - b, ok


def capacity_curve(d, dy, ay, du, au) -> tuple[np.ndarray, np.ndarray]:
    """Spectral acceleration A [g] of the capacity curve at displacement ``d`` [in], and the
    area under it from 0 to ``d`` [in·g] (arrays broadcast together).

    >>> a, area = capacity_curve(np.array([0.24, 0.48, 20.0]), 0.48, 0.4, 11.51, 1.2)
    >>> a.round(3).tolist()
    [0.2, 0.4, 1.2]
    """
    d, dy, ay, du, au = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                              for v in (d, dy, ay, du, au)))
    k = ay / dy
    a_ax, b_ax, centre, ok = _ellipse(dy, ay, du, au)
    # elastic
    elastic = d <= dy
    acc = np.where(elastic, k * d, 0.0)
    area = np.where(elastic, 0.5 * k * d ** 2, 0.5 * ay * dy)
    # arc, from dy to min(d, du)
    x = np.clip(d, dy, du)
    u0 = np.clip((dy - du) / a_ax, -1.0, 0.0)
    u1 = np.clip((x - du) / a_ax, -1.0, 0.0)

    def prim(u):
        return 0.5 * (u * np.sqrt(1.0 - u ** 2) + np.arcsin(u))

    arc_acc = np.where(ok, centre + b_ax * np.sqrt(np.maximum(1.0 - u1 ** 2, 0.0)),
                       ay + (au - ay) * (x - dy) / np.maximum(du - dy, 1e-300))
    arc_area = np.where(ok, centre * (x - dy) + b_ax * a_ax * (prim(u1) - prim(u0)),
                        0.5 * (ay + arc_acc) * (x - dy))
    on_arc = (d > dy) & (d <= du)
    acc = np.where(on_arc, arc_acc, acc)
    beyond = d > du
    acc = np.where(beyond, au, acc)
    area = area + np.where(d > dy, arc_area, 0.0) + np.where(beyond, au * (d - du), 0.0)
    return acc, area


def demand_reduction(beta_eff_percent) -> tuple[np.ndarray, np.ndarray]:
    """(R_A, R_V) of Hazus eqs. 5-9 and 5-10 for effective damping [%]; about 1 at 5 %
    (1.002 and 1.000: the equations' rounded constants).

    >>> [round(float(r), 2) for r in demand_reduction(5.0)]
    [1.0, 1.0]
    """
    ln_b = np.log(np.asarray(beta_eff_percent, dtype=float))
    return 2.12 / (3.21 - 0.68 * ln_b), 1.65 / (2.31 - 0.41 * ln_b)


def performance_point(sas, sa1, magnitude: float, dy, ay, du, au, damping, kappa
                      ) -> np.ndarray:
    """Spectral displacement [in] where each building's capacity meets the reduced demand.

    Parameters
    ----------
    sas, sa1 : array_like
        5 %-damped SA(0.3 s) and SA(1.0 s) [g] at each building (any leading shape, e.g.
        realisations × buildings).
    magnitude : float
        Moment magnitude (the corner period T_VD).
    dy, ay, du, au : array_like
        Capacity curve [in, g] of each building.
    damping : array_like
        Elastic damping β_E [fraction].
    kappa : array_like
        Degradation factor κ for the shaking's duration.
    """
    sas, sa1, dy, ay, du, au, damping, kappa = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (sas, sa1, dy, ay, du, au, damping, kappa)))
    t_vd = 10.0 ** ((magnitude - 5.0) / 2.0)
    k = ay / dy

    def excess(d):
        acc, area = capacity_curve(d, dy, ay, du, au)
        loop = 4.0 * np.maximum(area - acc ** 2 / (2.0 * k), 0.0)
        beta = 100.0 * (damping + kappa * loop / (2.0 * np.pi * d * np.maximum(acc, 1e-300)))
        r_a, r_v = demand_reduction(np.maximum(beta, 1e-6))
        period = 2.0 * np.pi * np.sqrt(d / (np.maximum(acc, 1e-300) * 386.089))
        demand = np.minimum(sas / r_a, sa1 / (r_v * period) * np.minimum(1.0, t_vd / period))
        return demand - acc

    lo = np.log(_LO * dy)
    hi = np.log(_HI * du)
    f_hi = excess(np.exp(hi))
    for _ in range(_STEPS):
        mid = 0.5 * (lo + hi)
        above = excess(np.exp(mid)) > 0
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    d = np.exp(0.5 * (lo + hi))
    d = np.where(f_hi > 0, _HI * du, d)
    return np.where((sas > 0) | (sa1 > 0), d, 0.0)


def spectral_exceedance(sd, median, beta) -> np.ndarray:
    """P(DS ≥ k) = Φ(ln(sd / S̄d_k) / β_k), non-increasing over k; ``sd`` (…, building),
    ``median``/``beta`` (building, 4)."""
    with np.errstate(divide="ignore"):
        z = np.log(np.asarray(sd, dtype=float)[..., None] / median) / beta
    return np.minimum.accumulate(ndtr(z), axis=-1)


def duration(magnitude: float) -> str:
    """Hazus' shaking duration for κ: ``short`` (M ≤ 5.5), ``moderate`` (≤ 7.5), ``long``.

    >>> duration(5.5), duration(6.0), duration(7.6)
    ('short', 'moderate', 'long')
    """
    return "short" if magnitude <= 5.5 else "moderate" if magnitude <= 7.5 else "long"


@lru_cache(maxsize=None)
def _tables() -> dict:
    cap = pd.read_csv(DATA_DIR / "hazus_capacity_curves.csv")
    sd = pd.read_csv(DATA_DIR / "hazus_sd_fragility.csv")
    table = cap.merge(sd, on=["model_type", "code_level"], suffixes=("", "_sd"))
    states = ("slight", "moderate", "extensive", "complete")
    out = {}
    for row in table.itertuples(index=False):      # 128 rows, read once
        out[(row.model_type, row.code_level)] = (
            np.array([row.dy_in, row.ay_g, row.du_in, row.au_g, row.elastic_damping,
                      row.kappa_short, row.kappa_moderate, row.kappa_long]),
            np.array([getattr(row, f"sd_{s}_in") for s in states]),
            np.array([getattr(row, f"beta_{s}") for s in states]))
    return out


def building_capacity(buildings, magnitude: float, *, design_code="city") -> dict:
    """Capacity curve, damping, κ and spectral-displacement fragility of every building.

    The model type and design level are those of the equivalent-PGA curves
    (:func:`workbench.hazard.fragility.design_levels`, a retrofit's ``design_level`` included);
    a type without that level in the tables takes its highest level below it.

    Returns
    -------
    dict
        ``dy``, ``ay``, ``du``, ``au`` [in, g], ``damping`` [fraction], ``kappa`` (for the
        magnitude's duration), ``median``, ``beta`` (building, 4) [in, -].

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> c = building_capacity(toy_city(), 5.5, design_code="4")
    >>> float(c["dy"][0]), float(c["kappa"][0]), c["median"].shape   # b0: URML, low code
    (0.24, 0.5, (6, 4))
    """
    col = {"short": 5, "moderate": 6, "long": 7}[duration(float(magnitude))]
    par, med, beta = design_rows(buildings, design_code, _tables(), "Hazus capacity curve",
                                 " (data/hazus_capacity_curves.csv)")
    return {"dy": par[:, 0], "ay": par[:, 1], "du": par[:, 2], "au": par[:, 3],
            "damping": par[:, 4], "kappa": par[:, col], "median": med, "beta": beta}


def capacity_exceedance(capacity: dict, sas, sa1, magnitude: float, *,
                        drawn: bool = False, with_sd: bool = False):
    """P(DS ≥ k), k = 1…4, of every building from its performance point under SA(0.3) ``sas``
    and SA(1.0) ``sa1`` [g] (shape (…, building)); ``drawn``: the shaking's scatter is drawn,
    so the demand part of β (:data:`DEMAND_BETA_SD`) is taken out. ``with_sd``: also return
    the performance points [in]."""
    sd = performance_point(sas, sa1, magnitude, capacity["dy"], capacity["ay"], capacity["du"],
                           capacity["au"], capacity["damping"], capacity["kappa"])
    beta = capacity["beta"]
    if drawn:
        beta = np.sqrt(np.maximum(beta ** 2 - DEMAND_BETA_SD ** 2, 0.01))
    p = spectral_exceedance(sd, capacity["median"], beta)
    return (p, sd) if with_sd else p
