"""The production table: static features and resource-consumption series of buildings or firms.

Stage 03 learns EP per unit area (Zhou et al. 2025 §1.1) from two tables a researcher fills, one
row per building or firm (*unit*) and one row per unit and time step. :func:`read_production`
checks and aligns them, :func:`synthetic_production` generates both from a documented process with
known ground truth, and :func:`hybrid_inputs` builds the design matrix of
:class:`workbench.models.hybrid.HybridEPRegressor`.

Static table (:data:`PRODUCTION_SCHEMA`, one row per unit)
----------------------------------------------------------
======================  ==========  =========================================================
column                  units       rule
======================  ==========  =========================================================
``unit_id``             —           unique text id of the building or firm
``building_type``       —           one of :data:`workbench.core.dims.BUILDING_TYPES`
``industry``            —           category, e.g. the NACE Rev. 2 section letter (``"J"``)
``labour``              workers     ≥ 0 (full-time equivalents working in the unit)
``floor_area_m2``       m²          > 0, gross floor area
``technology``          index       > 0, capital per worker relative to the sample (1 = median)
``water_satisfaction``  1           0..1, share of water demand served while observed
``power_satisfaction``  1           0..1, share of power demand served while observed
``road_satisfaction``   1           0..1, road access while observed (1 = full)
``value_added_per_m2``  EUR/m²/day  > 0, the target: value added per m² of floor area per day
======================  ==========  =========================================================

Series table (:data:`SERIES_SCHEMA`, long format, one row per unit and step)
----------------------------------------------------------------------------
===================  ==========  =============================================================
column               units       rule
===================  ==========  =============================================================
``unit_id``          —           an id of the static table; every unit has a series
``step``             —           integer 0..T−1, the same T for every unit (hourly or daily)
``electricity_kwh``  kWh/m²      ≥ 0, electricity used in the step per m² of floor area
``water_m3``         m³/m²       ≥ 0, water used in the step per m² of floor area
===================  ==========  =============================================================

As CSV files (``unit_id`` is read as text; extra static columns are kept, extra series columns
ignored)::

    unit_id,building_type,industry,labour,floor_area_m2,technology,water_satisfaction,...
    b001,office,J,40,800,1.2,1.0,0.6,1.0,14.2

    unit_id,step,electricity_kwh,water_m3
    b001,0,0.0061,0.00005
    b001,1,0.0058,0.00004

References
----------
Zhou, Y., Xiao, Y., & Xu, H. (2025). Quantifying urban disaster resilience for informed mitigation
strategies. *Engineering*, 53(10), 13–17. doi:10.1016/j.eng.2025.05.007
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from ..core.dims import BUILDING_TYPES, NETWORKS
from ..core.errors import InputError
from ..functionality import EP_SERVICE_WEIGHTS, EP_UNIT, EP_UNIT_INPUTS

__all__ = [
    "PRODUCTION_SCHEMA", "SERIES_SCHEMA", "SERIES_CHANNELS", "SATISFACTION_COLUMNS", "TARGET",
    "STATIC_FEATURES", "PRODUCTION_GROUND_TRUTH",
    "read_production", "synthetic_production", "hybrid_inputs", "hybrid_columns",
]

#: Static table: column → (kind, units, rule); kind is ``"text"``, ``"category"`` or ``"number"``.
PRODUCTION_SCHEMA = MappingProxyType({
    "unit_id": ("text", "", "unique id of the building or firm"),
    "building_type": ("category", "", f"one of {list(BUILDING_TYPES)}"),
    "industry": ("category", "", "industry category, e.g. NACE Rev. 2 section letter"),
    "labour": ("number", "workers", ">= 0"),
    "floor_area_m2": ("number", "m2", "> 0"),
    "technology": ("number", "index", "> 0, capital per worker relative to the sample median"),
    "water_satisfaction": ("number", "1", "0..1"),
    "power_satisfaction": ("number", "1", "0..1"),
    "road_satisfaction": ("number", "1", "0..1"),
    "value_added_per_m2": ("number", "EUR/m2/day", "> 0 (the target)"),
})
#: Series table (long): column → (kind, units, rule).
SERIES_SCHEMA = MappingProxyType({
    "unit_id": ("text", "", "an id of the static table"),
    "step": ("number", "", "integer 0..T-1, the same T for every unit"),
    "electricity_kwh": ("number", "kWh/m2 per step", ">= 0"),
    "water_m3": ("number", "m3/m2 per step", ">= 0"),
})
#: Channels of the series array, in the order of its last axis.
SERIES_CHANNELS = ("electricity_kwh", "water_m3")
#: Service satisfaction columns, in the order of :data:`workbench.core.dims.NETWORKS`.
SATISFACTION_COLUMNS = tuple(f"{k}_satisfaction" for k in NETWORKS)
#: The target column [EUR/m²/day].
TARGET = "value_added_per_m2"
#: Static columns the estimator uses (encoded by :func:`hybrid_inputs`).
STATIC_FEATURES = ("building_type", "industry", "labour", "floor_area_m2", "technology",
                   *SATISFACTION_COLUMNS)

_RULES = {  # column → (test of a valid value, rule as stated in the message)
    "labour": (lambda v: v >= 0, "must be >= 0 workers"),
    "floor_area_m2": (lambda v: v > 0, "must be > 0 m2"),
    "technology": (lambda v: v > 0, "must be > 0 (an index, 1 = median)"),
    **{c: (lambda v: (v >= 0) & (v <= 1), "must lie in 0..1") for c in SATISFACTION_COLUMNS},
    TARGET: (lambda v: v > 0, "must be > 0 EUR/m2/day (the model works on its logarithm)"),
    **{c: (lambda v: v >= 0, "must be >= 0") for c in SERIES_CHANNELS},
}

#: Parameters of :func:`synthetic_production` (see its docstring for the process).
PRODUCTION_GROUND_TRUTH = MappingProxyType({
    "ep_unit": EP_UNIT,                           # EUR/m²/day at full service, by type
    "service_weights": EP_SERVICE_WEIGHTS,        # (water, power, road) by type
    "type_shares": MappingProxyType({"residential": 0.3, "office": 0.2, "commercial": 0.2,
                                     "industrial": 0.2, "public": 0.1}),
    "industries": MappingProxyType({"residential": ("L",), "office": ("J", "K", "M"),
                                    "commercial": ("G", "I"), "industrial": ("C", "H"),
                                    "public": ("O", "P", "Q")}),
    "industry_effect": MappingProxyType({"L": 1.0, "J": 1.15, "K": 1.3, "M": 0.85, "G": 1.05,
                                         "I": 0.8, "C": 1.1, "H": 0.9, "O": 1.0, "P": 0.9,
                                         "Q": 1.1}),
    "m2_per_worker": MappingProxyType({t: a for t, (_, a) in EP_UNIT_INPUTS.items()}),
    "labour_elasticity": 0.7,       # on workers per m² relative to the type's reference density
    "technology_elasticity": 0.3,   # on the capital-per-worker index
    "utilisation_effect": 1.2,      # gamma of exp(gamma (u - 0.5)), u the latent utilisation
    "noise_sigma": 0.1,             # sd of the lognormal noise on the target
    "median_area_m2": MappingProxyType({"residential": 1500.0, "office": 3000.0,
                                        "commercial": 1200.0, "industrial": 4000.0,
                                        "public": 2500.0}),
    "area_sigma": 0.6, "labour_sigma": 0.35, "technology_sigma": 0.3,  # lognormal sds
    "full_service_share": 0.5,      # chance that a satisfaction is 1, else uniform on [0.2, 1]
    "min_satisfaction": 0.2,
    "opening_hour": MappingProxyType({"office": 7.0, "commercial": 7.0, "industrial": 6.0,
                                      "public": 7.0}),
    "operating_hours": (8.0, 16.0),  # u = 0 → 8 h a day, u = 1 → 16 h
    "occupancy": (0.5, 1.0),         # residential: u = 0 → half the dwellings occupied
    "residential_peaks": ((7.5, 1.5), (19.5, 2.0)),  # (hour, sd in hours) of household peaks
    "peak_electricity_kwh": MappingProxyType({"residential": 0.008, "office": 0.025,
                                              "commercial": 0.035, "industrial": 0.05,
                                              "public": 0.02}),  # kWh/m² per hour at peak
    "peak_water_m3": MappingProxyType({"residential": 4e-4, "office": 2e-4, "commercial": 3e-4,
                                       "industrial": 8e-4, "public": 3e-4}),  # m³/m² per hour
    "base_load_share": 0.25,        # share of the peak drawn outside use (standby)
    "level_sigma": 0.3,             # sd of the unit's lognormal consumption level
    "step_sigma": 0.05,             # sd of the lognormal noise per step
})


# --------------------------------------------------------------------------- reading

def _frame(source, name: str) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise InputError(f"{name} {str(path)!r} is not a file; pass the path of a CSV file "
                             f"or a pandas DataFrame.")
        frame = pd.read_csv(path, dtype={"unit_id": str})
    else:
        raise InputError(f"{name} must be a CSV path or a pandas DataFrame; got "
                         f"{type(source).__name__}.")
    return frame


def _check_columns(frame: pd.DataFrame, schema, name: str) -> None:
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        table = "; ".join(f"{c} [{u or '-'}] {rule}" for c, (_, u, rule) in schema.items())
        raise InputError(f"{name} lacks column(s) {missing}; it has {list(frame.columns)}. "
                         f"Add them; the schema is: {table}.")
    for col in schema:
        n_nan = int(frame[col].isna().sum())
        if n_nan:
            raise InputError(f"{name}: column {col!r} has {n_nan} missing value(s) (NaN), first "
                             f"in row {int(np.flatnonzero(frame[col].isna())[0])}; fill or drop "
                             f"those rows before reading.")
    for col, (kind, _, _) in schema.items():
        if kind == "number":
            numeric = pd.to_numeric(frame[col], errors="coerce")
            bad = frame[col][numeric.isna()]
            if len(bad):
                raise InputError(f"{name}: column {col!r} must be numeric; row "
                                 f"{int(np.flatnonzero(numeric.isna())[0])} has {bad.iloc[0]!r}.")
            frame[col] = numeric.astype(float)
            if col in _RULES:
                ok = np.asarray(_RULES[col][0](frame[col].to_numpy()))
                if not ok.all():
                    i = int(np.flatnonzero(~ok)[0])
                    raise InputError(
                        f"{name}: column {col!r} {_RULES[col][1]}; {int((~ok).sum())} row(s) "
                        f"break the rule, the first (unit {frame['unit_id'].iloc[i]!r}) has "
                        f"{frame[col].iloc[i]}. Correct or drop them.")
        else:
            frame[col] = frame[col].astype(str)


def read_production(static_source, series_source, *, require_target: bool = True
                    ) -> tuple[pd.DataFrame, np.ndarray]:
    """Read, check and align the static table and the series table of production units.

    Parameters
    ----------
    static_source, series_source : str, Path or pandas.DataFrame
        CSV paths or frames following :data:`PRODUCTION_SCHEMA` and :data:`SERIES_SCHEMA`
        (module docstring). Extra columns are kept in the static frame and ignored in the series.
    require_target : bool
        Whether the static table must carry the target ``value_added_per_m2`` (False for units
        whose EP is to be predicted).

    Returns
    -------
    static : pandas.DataFrame
        One row per unit, in the order of the static table (fresh ``RangeIndex``);
        ``attrs["source"]`` names where it came from (a frame's own ``attrs`` are kept).
    series : numpy.ndarray
        Shape (unit, step, channel) = (n_units, T, len(:data:`SERIES_CHANNELS`)); row ``i``
        belongs to ``static["unit_id"][i]``; units as in :data:`SERIES_SCHEMA`.

    Raises
    ------
    InputError
        Missing columns, NaN, non-numeric or out-of-range values, unknown building types,
        duplicated ids or steps, steps not 0..T−1, series of unequal length, units without a
        series or series without a unit.

    Examples
    --------
    >>> static = pd.DataFrame({"unit_id": ["a", "b"], "building_type": ["office", "public"],
    ...     "industry": ["J", "P"], "labour": [10, 4], "floor_area_m2": [200.0, 150.0],
    ...     "technology": [1.0, 0.8], "water_satisfaction": [1.0, 1.0],
    ...     "power_satisfaction": [1.0, 0.5], "road_satisfaction": [1.0, 1.0],
    ...     "value_added_per_m2": [16.0, 4.0]})
    >>> series = pd.DataFrame({"unit_id": ["b", "a", "a", "b"], "step": [0, 0, 1, 1],
    ...     "electricity_kwh": [0.01, 0.02, 0.03, 0.02], "water_m3": [1e-4] * 4})
    >>> s, x = read_production(static, series)
    >>> x.shape, x[0, :, 0].tolist()
    ((2, 2, 2), [0.02, 0.03])
    """
    static = _frame(static_source, "static table")
    schema = {k: v for k, v in PRODUCTION_SCHEMA.items() if require_target or k != TARGET}
    _check_columns(static, schema, "static table")
    if static.empty:
        raise InputError("static table holds no units (0 rows); fill at least one row.")
    dup = static["unit_id"][static["unit_id"].duplicated()]
    if len(dup):
        raise InputError(f"static table: unit_id must be unique; duplicated: "
                         f"{sorted(set(dup))[:5]}. Merge or rename those units.")
    unknown = sorted(set(static["building_type"]) - set(BUILDING_TYPES))
    if unknown:
        raise InputError(f"static table: column 'building_type' has unknown type(s) {unknown}; "
                         f"known types are {list(BUILDING_TYPES)}. Map them onto these.")

    long = _frame(series_source, "series table")
    _check_columns(long, SERIES_SCHEMA, "series table")
    steps = long["step"].to_numpy()
    if (steps != np.round(steps)).any() or (steps < 0).any():
        i = int(np.flatnonzero((steps != np.round(steps)) | (steps < 0))[0])
        raise InputError(f"series table: column 'step' must hold integers >= 0; unit "
                         f"{long['unit_id'].iloc[i]!r} has step {steps[i]}.")
    long["step"] = steps.astype(np.int64)
    dup = long[long.duplicated(["unit_id", "step"])]
    if len(dup):
        raise InputError(f"series table: (unit_id, step) must be unique; unit "
                         f"{dup['unit_id'].iloc[0]!r} repeats step {int(dup['step'].iloc[0])} "
                         f"({len(dup)} duplicated row(s)). Aggregate or drop the duplicates.")
    ids = pd.Index(static["unit_id"])
    seen = pd.Index(long["unit_id"].unique())
    no_series, no_unit = ids.difference(seen), seen.difference(ids)
    if len(no_series):
        raise InputError(f"{len(no_series)} unit(s) of the static table have no series, e.g. "
                         f"{list(no_series[:5])}. Add their rows to the series table or drop "
                         f"them from the static table.")
    if len(no_unit):
        raise InputError(f"the series table holds {len(no_unit)} unit_id(s) not in the static "
                         f"table, e.g. {list(no_unit[:5])}. Add them to the static table or drop "
                         f"their series.")
    lengths = long.groupby("unit_id")["step"].agg(["size", "max"])
    counts = lengths["size"].value_counts()
    if len(counts) > 1:
        usual = int(counts.index[0])
        odd = lengths["size"][lengths["size"] != usual]
        raise InputError(f"series table: units must have series of equal length; most have "
                         f"{usual} steps but {len(odd)} differ, e.g. "
                         f"{ {k: int(v) for k, v in odd.iloc[:5].items()} }. Trim or pad the "
                         f"series to a common length.")
    n_steps = int(counts.index[0])
    gaps = lengths.index[lengths["max"] != n_steps - 1]
    if len(gaps):
        raise InputError(f"series table: steps must run 0..{n_steps - 1} for every unit; "
                         f"{len(gaps)} unit(s) have gaps, e.g. {list(gaps[:5])}. Renumber their "
                         f"steps from 0.")
    long = long.set_index(["unit_id", "step"]).loc[:, list(SERIES_CHANNELS)]
    full = pd.MultiIndex.from_product([ids, range(n_steps)], names=["unit_id", "step"])
    series = long.reindex(full).to_numpy(float).reshape(len(ids), n_steps, len(SERIES_CHANNELS))
    static = static.reset_index(drop=True)
    if isinstance(static_source, (str, Path)):
        static.attrs = {"source": str(static_source)}
    else:   # a frame keeps its provenance (e.g. synthetic=True), else is named as such
        static.attrs.setdefault("source", "DataFrame")
    return static, series


# --------------------------------------------------------------------------- synthetic data

def _profiles(types: np.ndarray, u: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """Use intensity 0..1 of each unit at each hour: shape (unit, step)."""
    gt = PRODUCTION_GROUND_TRUTH
    out = np.empty((len(types), len(hours)))
    lo, hi = gt["operating_hours"]
    for t in BUILDING_TYPES:
        rows = types == t
        if t == "residential":
            # morning and evening peaks of households, scaled by the occupied share of dwellings
            peaks = sum(np.exp(-0.5 * ((hours - at) / width) ** 2)
                        for at, width in gt["residential_peaks"])
            occupied = gt["occupancy"][0] + (gt["occupancy"][1] - gt["occupancy"][0]) * u[rows]
            out[rows] = occupied[:, None] * peaks[None, :] / peaks.max()
        else:
            # open from the opening hour for 8..16 h; the last hour counts its open fraction
            close = gt["opening_hour"][t] + lo + (hi - lo) * u[rows]
            open_ = hours[None, :] >= gt["opening_hour"][t]
            out[rows] = open_ * np.clip(close[:, None] - hours[None, :], 0.0, 1.0)
    return out


def synthetic_production(n: int = 800, steps: int = 48, seed: int = 0, *,
                         temporal_signal: bool = True) -> tuple[pd.DataFrame, np.ndarray]:
    """Synthetic production units (static table and hourly series) with known ground truth.

    Every number is generated by the process below with ``numpy.random.default_rng(seed)``;
    parameters are in :data:`PRODUCTION_GROUND_TRUTH` (``gt``). Nothing is calibrated to firms.

    1. Type with ``gt["type_shares"]``; industry uniform among ``gt["industries"][type]`` (NACE
       sections; residential is L, housing services). Floor area lognormal, median
       ``gt["median_area_m2"]``, sigma 0.6. Labour = area / ``gt["m2_per_worker"]`` × lognormal
       (sigma 0.35), rounded, ≥ 1; residential 0. Technology lognormal (median 1, sigma 0.3).
       Each satisfaction is 1 with probability 0.5, else uniform on [0.2, 1].
    2. A latent *utilisation* ``u ~ U(0, 1)``, independent of everything in the static table:
       operating hours per day ``8 + 8u`` (non-residential, opening at ``gt["opening_hour"]``) or
       the occupied share of dwellings ``0.5 + 0.5u`` (residential).
    3. Target, EUR/m²/day::

           VA/m² = EP_UNIT[type] · S · L · technology^0.3 · I[industry] · U · ε
           ε ~ lognormal(0, 0.1)
           S = 1 − Σ_k w[type, k] (1 − s_k)       (EP_SERVICE_WEIGHTS; water, power, road)
           L = (labour · m2_per_worker[type] / floor_area)^0.7   (1 for residential)
           U = exp(1.2 (u − 0.5)) if temporal_signal else 1

    4. Series, hourly (hour of day = step mod 24), per m²: channel = peak[type] · level ·
       (b + (1 − b) · use(hour)) · satisfaction · exp(N(0, 0.05²)), with ``b`` = 0.25 standby
       share, ``level`` a lognormal unit level (sigma 0.3, independent of the target),
       satisfaction = power (electricity) or water (water), and ``use`` the profile of the type:
       1 while open, 0 while closed (office, commercial, public, industrial), or morning and
       evening peaks (07:30, 19:30) times the occupied share (residential). *Assumption*: simple
       documented profiles in place of the BDEW standard load profiles (``demandlib`` resolves
       from PyPI but is not a dependency).

    So the *shape* of the series (how long the load stays high, or how high the peaks stand
    over standby) reveals ``u``, which the static table does not; with
    ``temporal_signal=False`` the series carries no information on the target beyond the static
    features. ``static.attrs["utilisation"]`` holds ``u`` (tuple) for checks; it is not a feature.

    Parameters
    ----------
    n : int
        Number of units, ≥ 1.
    steps : int
        Number of hourly steps, ≥ 1 (48 = two days).
    seed : int
        Seed of the generator; recorded in ``static.attrs["seed"]``.
    temporal_signal : bool
        Whether the utilisation enters the target.

    Returns
    -------
    static : pandas.DataFrame
        :data:`PRODUCTION_SCHEMA`; ``attrs``: ``synthetic`` (True), ``source``, ``seed``,
        ``temporal_signal``, ``utilisation``.
    series : numpy.ndarray
        Shape (unit, step, channel) = (n, steps, 2), channels :data:`SERIES_CHANNELS`.

    Examples
    --------
    >>> static, series = synthetic_production(6, steps=24, seed=1)
    >>> series.shape, static.attrs["synthetic"], list(static.columns) == list(PRODUCTION_SCHEMA)
    ((6, 24, 2), True, True)
    >>> bool(synthetic_production(6, steps=24, seed=1)[0].equals(static))
    True
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"n must be an integer >= 1 (number of units); got {n!r}.")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise InputError(f"steps must be an integer >= 1 (hourly steps); got {steps!r}.")
    gt = PRODUCTION_GROUND_TRUTH
    rng = np.random.default_rng(seed)
    shares = np.array([gt["type_shares"][t] for t in BUILDING_TYPES])
    types = np.asarray(BUILDING_TYPES)[rng.choice(len(BUILDING_TYPES), size=n, p=shares)]
    industry = np.array([str(rng.choice(gt["industries"][t])) for t in types])
    area = np.round(np.array([gt["median_area_m2"][t] for t in types])
                    * rng.lognormal(0.0, gt["area_sigma"], size=n))
    m2_per_worker = np.array([gt["m2_per_worker"][t] for t in types])
    residential = types == "residential"
    workers = area / m2_per_worker * rng.lognormal(0.0, gt["labour_sigma"], size=n)
    labour = np.where(residential, 0.0, np.maximum(1.0, np.round(workers)))
    technology = rng.lognormal(0.0, gt["technology_sigma"], size=n)
    full = rng.random((n, len(NETWORKS))) < gt["full_service_share"]
    partial = rng.uniform(gt["min_satisfaction"], 1.0, size=(n, len(NETWORKS)))
    satisfaction = np.where(full, 1.0, partial)
    u = rng.random(n)

    weights = np.array([gt["service_weights"][t] for t in types])
    service = 1.0 - (weights * (1.0 - satisfaction)).sum(axis=1)
    density = np.where(residential, 1.0, labour * m2_per_worker / area)
    target = (np.array([gt["ep_unit"][t] for t in types]) * service
              * density ** gt["labour_elasticity"]
              * technology ** gt["technology_elasticity"]
              * np.array([gt["industry_effect"][i] for i in industry])
              * (np.exp(gt["utilisation_effect"] * (u - 0.5)) if temporal_signal else 1.0)
              * rng.lognormal(0.0, gt["noise_sigma"], size=n))

    use = _profiles(types, u, np.arange(steps) % 24.0)
    b = gt["base_load_share"]
    shape = b + (1.0 - b) * use                      # (unit, step)
    channels = []
    for peak, sat in ((gt["peak_electricity_kwh"], satisfaction[:, NETWORKS.index("power")]),
                      (gt["peak_water_m3"], satisfaction[:, NETWORKS.index("water")])):
        level = np.array([peak[t] for t in types]) * rng.lognormal(0, gt["level_sigma"], n)
        noise = rng.lognormal(0.0, gt["step_sigma"], size=(n, steps))
        channels.append((level * sat)[:, None] * shape * noise)
    series = np.stack(channels, axis=-1)

    static = pd.DataFrame({
        "unit_id": [f"u{i:05d}" for i in range(n)], "building_type": types, "industry": industry,
        "labour": labour, "floor_area_m2": area, "technology": technology,
        **{c: satisfaction[:, k] for k, c in enumerate(SATISFACTION_COLUMNS)},
        TARGET: target})
    static.attrs.update(
        synthetic=True, seed=seed, temporal_signal=bool(temporal_signal),
        source=(f"workbench.models.production.synthetic_production(n={n}, steps={steps}, "
                f"seed={seed}, temporal_signal={bool(temporal_signal)})"),
        utilisation=tuple(float(v) for v in u))
    return static, series


# --------------------------------------------------------------------------- design matrix

def hybrid_columns(industries, n_steps: int, channels=SERIES_CHANNELS) -> list[str]:
    """Names of the columns of :func:`hybrid_inputs`, in order.

    Examples
    --------
    >>> cols = hybrid_columns(["J", "L"], 2)
    >>> cols[:2], cols[5:7], cols[-2:]
    (['building_type=residential', 'building_type=office'], ['industry=J', 'industry=L'], \
['electricity_kwh[1]', 'water_m3[1]'])
    """
    return ([f"building_type={t}" for t in BUILDING_TYPES]
            + [f"industry={i}" for i in industries]
            + ["log1p_labour", "log_floor_area_m2", "log_technology", *SATISFACTION_COLUMNS]
            + [f"{c}[{s}]" for s in range(n_steps) for c in channels])


def hybrid_inputs(static_df: pd.DataFrame, series: np.ndarray, *, industries=None) -> np.ndarray:
    """The 2-D design matrix [encoded static features | flattened series] of the hybrid model.

    Column layout (names from :func:`hybrid_columns`):

    1. one-hot ``building_type``, one column per :data:`workbench.core.dims.BUILDING_TYPES`;
    2. one-hot ``industry``, one column per entry of ``industries`` (default: the sorted
       industries of ``static_df``; pass the training set's list when encoding new units — an
       industry outside it is an error);
    3. ``log1p(labour)``, ``log(floor_area_m2)``, ``log(technology)`` and the three
       satisfactions (water, power, road) as they are;
    4. the series, step-major: ``series[:, 0, 0], series[:, 0, 1], series[:, 1, 0], …``
       (T × C columns, channels :data:`SERIES_CHANNELS`).

    The number of static columns is ``5 + len(industries) + 6``: pass it as ``n_static`` to
    :class:`~workbench.models.hybrid.HybridEPRegressor`.

    Examples
    --------
    >>> static, series = synthetic_production(4, steps=3, seed=0)
    >>> X = hybrid_inputs(static, series)
    >>> X.shape == (4, 5 + static["industry"].nunique() + 6 + 3 * 2)
    True
    """
    missing = [c for c in STATIC_FEATURES if c not in static_df.columns]
    if missing:
        raise InputError(f"static_df lacks feature column(s) {missing}; read it with "
                         f"read_production (schema PRODUCTION_SCHEMA).")
    series = np.asarray(series, dtype=float)
    if series.ndim != 3 or series.shape[0] != len(static_df) \
            or series.shape[2] != len(SERIES_CHANNELS):
        raise InputError(f"series must have shape (unit, step, channel) = ({len(static_df)}, T, "
                         f"{len(SERIES_CHANNELS)}) to match static_df; got {series.shape}.")
    industry = static_df["industry"].astype(str).to_numpy()
    industries = sorted(set(industry)) if industries is None else [str(i) for i in industries]
    unknown = sorted(set(industry) - set(industries))
    if unknown:
        raise InputError(f"static_df holds industries {unknown} not in industries={industries}; "
                         f"encode with the training set's list extended by them and refit.")
    types = static_df["building_type"].astype(str).to_numpy()
    onehot_type = (types[:, None] == np.asarray(BUILDING_TYPES)[None, :]).astype(float)
    onehot_industry = (industry[:, None] == np.asarray(industries)[None, :]).astype(float)
    numeric = np.column_stack([
        np.log1p(static_df["labour"].to_numpy(float)),
        np.log(static_df["floor_area_m2"].to_numpy(float)),
        np.log(static_df["technology"].to_numpy(float)),
        static_df.loc[:, list(SATISFACTION_COLUMNS)].to_numpy(float)])
    return np.hstack([onehot_type, onehot_industry, numeric, series.reshape(len(series), -1)])
