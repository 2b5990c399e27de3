"""The survey table of the service-capacity model (Zhou et al. 2025 §1.2): schema, reader, data.

One row is one surveyed building after an event: its socioeconomic features, how well each
network served it, and the per-capita resource consumption before (``d0``) and after (``dt``)
the event. The supplementary service factor is ``rSS = dt / d0`` (dimensionless).

Schema
------
Fill one row per building; every column is required, none may be empty. Extra columns are kept.

=========================  ========  ==============  ==============================================
column                     kind      unit            rule
=========================  ========  ==============  ==============================================
building_type              category  —               one of ``BUILDING_TYPES`` (workbench.core.dims)
floor_area_m2              number    m²              ≥ 0, gross floor area
building_age_years         number    years           ≥ 0, years since construction
occupants                  number    persons         ≥ 0, residents or assigned users
daily_active_population    number    persons         ≥ 0, people present on a normal day
income_per_capita          number    EUR/year        ≥ 0, income per occupant
education                  category  —               ``basic``, ``secondary`` or ``tertiary``
displaced_share            number    1               in [0, 1], share of residents displaced
water_satisfaction         number    1               in [0, 1], share of water demand served
power_satisfaction         number    1               in [0, 1], share of power demand served
road_satisfaction          number    1               in [0, 1], share of trips possible
d0                         number    EUR/person/day  > 0, basic consumption before the event
dt                         number    EUR/person/day  ≥ 0, basic consumption after the event
=========================  ========  ==============  ==============================================

``d0`` and ``dt`` value the consumption of basic goods and services (food, water, energy) per
person per day, so the resources add up in one unit; both must use the same unit.

Synthetic surveys
-----------------
:func:`synthetic_survey` draws a survey from the documented process below; every number is
synthetic (``attrs["synthetic"] is True``) except the Engel elasticity, fitted on real data.

1. **Features.** ``building_type`` with :data:`TYPE_SHARES`; ``floor_area_m2`` lognormal (median
   900 m², σ 0.8); ``occupants`` = floor area / 30 m² per person × lognormal(σ 0.25), ≥ 1;
   ``daily_active_population`` = occupants × lognormal(σ 0.4); ``building_age_years`` uniform on
   0..120; ``income_per_capita`` lognormal (median :data:`INCOME_REF`, σ 0.5); ``education``
   with shares 0.30 / 0.45 / 0.25; ``displaced_share`` Beta(1, 6); the three satisfactions
   Beta(4, 2). Every feature is drawn independently of the others, except that occupants follow
   floor area and daily active population follows occupants (all three null), and — with
   ``education_income`` = ρ > 0 — education follows income (below).
   Real surveys correlate more (education with income, area with type); a marginal test reports
   such a correlate as an effect, which is why stage 02 tests each feature given the others
   (:mod:`workbench.models.significance`).

   **Education from income** (``education_income`` = ρ in [0, 1), default 0: independent, the
   draws of earlier versions). A latent score ``z = ρ z_income + √(1 − ρ²) z_own``, with
   ``z_income = log(income / INCOME_REF) / 0.5`` and ``z_own`` standard normal, is cut at the
   standard-normal quantiles of the shares 0.30 / 0.45 / 0.25 (an ordered probit): the shares do
   not change with ρ, only how far education follows income; education stays null for rSS
   (it does not enter step 2). ρ = 0.8 is about the demo city's synthetic fields, where the
   tertiary share follows log income with slope 1.5 and noise σ 0.3 (latent correlation ≈ 0.83,
   :data:`workbench.io.importers.osm.SYNTHETIC_PROCESS`). Every other column is the same for
   every ρ (the same random stream), so ρ changes education alone.
2. **rSS** (planted, :data:`RSS_EFFECTS`): ``log rSS = log RSS_TYPE_BASE[type]
   + 0.5 (water − 2/3) + 0.4 (power − 2/3) − 0.6 (displaced − 1/7)
   + 0.15 log(income / INCOME_REF) + ε``, ε ~ N(0, 0.15²). Each planted feature alone explains
   9–15 % of the variance of ``log rSS`` (a moderate η²), so n = 600 finds each with
   power ≈ 1. ``building_age_years``, ``education``, ``floor_area_m2``, ``road_satisfaction``,
   ``occupants`` and ``daily_active_population`` have no effect (:data:`SURVEY_GROUND_TRUTH`).
3. **d0** (planted, :data:`D0_GROUND_TRUTH`): ``d0 = D0_TYPE[type] × (income / INCOME_REF)^e
   × lognormal(σ 0.2)`` [EUR/person/day], with ``e`` the income elasticity of food expenditure
   fitted by :func:`engel_elasticity` (≈ 0.856): Engel's curve, a published relation, shapes the
   baseline.
4. **dt** = rSS × d0.

``null=True`` draws the same features and d0, then shuffles rSS across rows: rSS keeps its
distribution but no feature carries information about it (for false-positive checks).

References
----------
Zhou, Y., Xiao, Y., Xu, H. (2025). Quantifying urban disaster resilience for informed mitigation
strategies. *Engineering* 53, 13–17. https://doi.org/10.1016/j.eng.2025.05.007
Koenker, R., Bassett, G. (1982). Robust tests for heteroscedasticity based on regression
quantiles. *Econometrica* 50, 43–61. https://doi.org/10.2307/1912528 (the Engel data, 235
Belgian working-class households, Engel 1857; public domain, shipped as
``statsmodels.datasets.engel``).
"""

from __future__ import annotations

import functools
import os

import numpy as np
import pandas as pd

from ..core.dims import BUILDING_TYPES
from ..core.errors import InputError

__all__ = ["SURVEY_SCHEMA", "SURVEY_FEATURES", "EDUCATION_LEVELS", "SURVEY_GROUND_TRUTH",
           "D0_GROUND_TRUTH", "TYPE_SHARES", "EDUCATION_SHARES", "RSS_TYPE_BASE", "RSS_EFFECTS", "D0_TYPE",
           "INCOME_REF", "read_survey", "synthetic_survey", "engel_elasticity"]

#: Education levels of the ``education`` column, lowest first.
EDUCATION_LEVELS = ("basic", "secondary", "tertiary")

#: Column → (kind, unit, description), in the order of a survey table.
SURVEY_SCHEMA = {
    "building_type": ("category", "—", f"building type, one of {BUILDING_TYPES}"),
    "floor_area_m2": ("number", "m²", "gross floor area"),
    "building_age_years": ("number", "years", "years since construction"),
    "occupants": ("number", "persons", "residents or assigned users"),
    "daily_active_population": ("number", "persons", "people present on a normal day"),
    "income_per_capita": ("number", "EUR/year", "income per occupant"),
    "education": ("category", "—", f"education level, one of {EDUCATION_LEVELS}"),
    "displaced_share": ("number", "1", "share of the building's residents displaced, 0..1"),
    "water_satisfaction": ("number", "1", "share of water demand served, 0..1"),
    "power_satisfaction": ("number", "1", "share of power demand served, 0..1"),
    "road_satisfaction": ("number", "1", "share of trips possible, 0..1"),
    "d0": ("number", "EUR/person/day", "basic consumption per person before the event, > 0"),
    "dt": ("number", "EUR/person/day", "basic consumption per person after the event"),
}
#: The explanatory columns: every schema column but the consumptions d0 and dt.
SURVEY_FEATURES = tuple(c for c in SURVEY_SCHEMA if c not in ("d0", "dt"))

# The value rules, stated once: allowed levels of the categories, and (low, high, low is open)
# bounds of the numbers. A number not listed here must be finite and ≥ 0.
_LEVELS = {"building_type": BUILDING_TYPES, "education": EDUCATION_LEVELS}
_SHARES = ("displaced_share", "water_satisfaction", "power_satisfaction", "road_satisfaction")
_BOUNDS = {**{c: (0.0, 1.0, False) for c in _SHARES}, "d0": (0.0, np.inf, True)}

#: Probability of each building type in a synthetic survey.
TYPE_SHARES = {"residential": 0.50, "office": 0.15, "commercial": 0.15, "industrial": 0.10,
               "public": 0.10}
#: Median rSS by building type at mean satisfaction, displacement and reference income.
RSS_TYPE_BASE = {"residential": 0.75, "office": 0.60, "commercial": 0.65, "industrial": 0.70,
                 "public": 0.80}
#: Planted coefficients of log rSS: feature → (coefficient, centre) of ``coef · (x − centre)``;
#: income enters as log(income / INCOME_REF).
RSS_EFFECTS = {"water_satisfaction": (0.5, 2 / 3), "power_satisfaction": (0.4, 2 / 3),
               "displaced_share": (-0.6, 1 / 7), "income_per_capita": (0.15, 0.0)}
#: d0 at the reference income by building type [EUR/person/day] (synthetic, round numbers).
D0_TYPE = {"residential": 12.0, "office": 6.0, "commercial": 8.0, "industrial": 10.0,
           "public": 5.0}
#: Reference (median) income per capita of a synthetic survey [EUR/year].
INCOME_REF = 25_000.0
_RSS_NOISE = 0.15      # σ of ε in log rSS
_D0_NOISE = 0.2        # σ of the lognormal factor of d0
_AREA_PER_PERSON = 30.0  # m² per occupant
_INCOME_SIGMA = 0.5    # σ of log income
#: Shares of the education levels (:data:`EDUCATION_LEVELS` order) in a synthetic survey.
EDUCATION_SHARES = (0.30, 0.45, 0.25)

#: Feature → True when the synthetic process plants an effect on rSS, False when it is null.
SURVEY_GROUND_TRUTH = {
    "building_type": True, "floor_area_m2": False, "building_age_years": False,
    "occupants": False, "daily_active_population": False, "income_per_capita": True,
    "education": False, "displaced_share": True, "water_satisfaction": True,
    "power_satisfaction": True, "road_satisfaction": False,
}
#: Feature → True when the synthetic process plants an effect on d0.
D0_GROUND_TRUTH = {f: f in ("building_type", "income_per_capita") for f in SURVEY_FEATURES}


def _schema_text() -> str:
    return "; ".join(f"{c} ({kind}, {unit}): {text}"
                     for c, (kind, unit, text) in SURVEY_SCHEMA.items())


def _bad_rows(mask: pd.Series) -> str:
    rows = list(mask.index[mask.to_numpy()])
    return f"{len(rows)} row(s), e.g. {rows[:5]}"


def read_survey(source) -> pd.DataFrame:
    """Read and validate a survey table (schema in the module docstring).

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        A CSV file with a header row, or a frame; a frame is copied, never changed.

    Returns
    -------
    pandas.DataFrame
        One row per building, the schema columns first (in schema order), then any extra
        columns; ``attrs["source"]`` names the file (or ``"DataFrame"``).

    Raises
    ------
    InputError
        A missing column, an empty cell, an unknown category, a non-number in a number column, or
        a number outside its rule; the message names the column and the rows.

    Examples
    --------
    >>> survey = synthetic_survey(5, seed=1)
    >>> read_survey(survey).shape
    (5, 13)
    >>> read_survey(survey.drop(columns="dt"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: the survey lacks column(s) ['dt']; ...
    """
    if isinstance(source, pd.DataFrame):
        df, name = source.copy(), "DataFrame"
    elif isinstance(source, (str, os.PathLike)):
        if not os.path.isfile(source):
            raise InputError(f"survey file {str(source)!r} does not exist; pass the path of a CSV "
                             f"file with a header row.")
        df, name = pd.read_csv(source), str(source)
    else:
        raise InputError(f"source must be a CSV path or a pandas.DataFrame, got "
                         f"{type(source).__name__}.")
    missing = [c for c in SURVEY_SCHEMA if c not in df.columns]
    if missing:
        raise InputError(f"the survey lacks column(s) {missing}; add them. The survey schema "
                         f"is: {_schema_text()}.")
    for column in SURVEY_SCHEMA:
        empty = df[column].isna()
        if empty.any():
            raise InputError(f"survey column {column!r} has {int(empty.sum())} missing value(s) "
                             f"({_bad_rows(empty)}); every schema column must be filled. Fill "
                             f"or drop those rows, e.g. df.dropna(subset=[{column!r}]).")
    for column, levels in _LEVELS.items():
        unknown = sorted(set(df[column].astype(str)) - set(levels))
        if unknown:
            raise InputError(f"survey column {column!r} has unknown value(s) {unknown}; allowed "
                             f"values are {list(levels)}. Map each to one of them first.")
    for column, (kind, unit, _) in SURVEY_SCHEMA.items():
        if kind == "number":
            _check_number(df, column, unit)
    df = df[list(SURVEY_SCHEMA) + [c for c in df.columns if c not in SURVEY_SCHEMA]]
    df.attrs = {"source": name, "units": {c: u for c, (_, u, _) in SURVEY_SCHEMA.items()}}
    return df


def _check_number(df: pd.DataFrame, column: str, unit: str) -> None:
    values = df[column]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        bad = pd.to_numeric(values, errors="coerce").isna()
        example = values[bad].iloc[0] if bad.any() else values.iloc[0]
        raise InputError(f"survey column {column!r} must hold numbers [{unit}], but holds "
                         f"{example!r} ({_bad_rows(bad)}). Fix those cells.")
    low, high, open_low = _BOUNDS.get(column, (0.0, np.inf, False))
    x = values.to_numpy(dtype=float)
    outside = ~np.isfinite(x) | (x <= low if open_low else x < low) | (x > high)
    if outside.any():
        rule = (f"in [{low:g}, {high:g}]" if np.isfinite(high)
                else f"{'>' if open_low else '≥'} {low:g} and finite")
        fix = {"d0": "rSS = dt / d0 needs a positive baseline: drop those buildings",
               **{c: "it is a share: divide percentages by 100" for c in _SHARES}}.get(
            column, "fix the sign or the unit")
        raise InputError(f"survey column {column!r} [{unit}] must be {rule}, but holds "
                         f"{x[outside][:5].tolist()} ({_bad_rows(pd.Series(outside, df.index))})"
                         f"; {fix}.")


@functools.cache
def engel_elasticity() -> float:
    """Income elasticity of food expenditure: OLS slope of log food expenditure on log income.

    Fitted on Engel's 235 Belgian working-class households (``statsmodels.datasets.engel``,
    public domain; Koenker and Bassett 1982). Below 1, as Engel's law says: food is a necessity.

    Returns
    -------
    float
        The elasticity (dimensionless), about 0.856.

    References
    ----------
    Koenker, R., Bassett, G. (1982). *Econometrica* 50, 43–61. https://doi.org/10.2307/1912528

    Examples
    --------
    >>> round(engel_elasticity(), 3)
    0.856
    """
    import statsmodels.api as sm   # heavy: only the generator needs it
    from statsmodels.datasets import engel

    data = engel.load_pandas().data
    fit = sm.OLS(np.log(data["foodexp"]), sm.add_constant(np.log(data["income"]))).fit()
    return float(fit.params["income"])


def _education(income: np.ndarray, u: np.ndarray, rho: float) -> np.ndarray:
    """Education levels from uniforms ``u`` (ρ = 0: ``rng.choice`` with the shares, the same
    draws) or from the ordered probit on ρ z_income + √(1 − ρ²) Φ⁻¹(u) (module docstring)."""
    from scipy.special import ndtr, ndtri
    cdf = np.cumsum(EDUCATION_SHARES)
    cdf /= cdf[-1]
    if rho:
        z_income = np.log(income / INCOME_REF) / _INCOME_SIGMA
        u = ndtr(rho * z_income + np.sqrt(1.0 - rho ** 2) * ndtri(u))
    return np.array(EDUCATION_LEVELS)[cdf.searchsorted(u, side="right")]


def synthetic_survey(n: int = 600, seed: int = 0, *, null: bool = False,
                     education_income: float = 0.0) -> pd.DataFrame:
    """A synthetic survey of ``n`` buildings, drawn from the documented process (module docstring).

    Parameters
    ----------
    n : int
        Number of buildings (rows), ≥ 1.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same frame.
    null : bool
        If True, rSS is shuffled across rows, so no feature affects it (same features and d0).
    education_income : float
        ρ in [0, 1): correlation of the latent education score with log income (module
        docstring). 0 (default) draws education independently, as before; education has no
        effect on rSS for any ρ. 0.8 is about the demo city's synthetic fields.

    Returns
    -------
    pandas.DataFrame
        The schema columns (module docstring); ``attrs``: ``synthetic`` (True), ``source``,
        ``seed``, ``null``, ``education_income``, ``engel_elasticity`` and ``units``.

    Examples
    --------
    >>> survey = synthetic_survey(4, seed=0)
    >>> survey.attrs["synthetic"], list(survey.columns[:3])
    (True, ['building_type', 'floor_area_m2', 'building_age_years'])
    >>> bool(((survey["dt"] / survey["d0"]) > 0).all())
    True

    With education following income (ρ = 0.8), the tertiary-educated earn more; every other
    column is unchanged:

    >>> follows = synthetic_survey(2000, seed=0, education_income=0.8)
    >>> income = follows.groupby("education")["income_per_capita"].median()
    >>> bool(income["basic"] < income["secondary"] < income["tertiary"])
    True
    >>> follows.drop(columns="education").equals(synthetic_survey(2000, seed=0).drop(
    ...     columns="education"))
    True
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"n (number of buildings) must be an integer ≥ 1, got {n!r}.")
    if (isinstance(education_income, bool) or not isinstance(education_income, (int, float))
            or not 0 <= education_income < 1):
        raise InputError(f"education_income (correlation of education with log income) must be "
                         f"a number in [0, 1), got {education_income!r}; 0 draws education "
                         f"independently, 0.8 is about the demo city's synthetic fields.")
    rng = np.random.default_rng(seed)
    types = np.array(BUILDING_TYPES)
    code = rng.choice(len(types), size=n, p=[TYPE_SHARES[t] for t in BUILDING_TYPES])
    area = 900.0 * rng.lognormal(0.0, 0.8, n)
    occupants = np.maximum(1, np.rint(area / _AREA_PER_PERSON * rng.lognormal(0.0, 0.25, n)))
    active = np.rint(occupants * rng.lognormal(0.0, 0.4, n))
    age = rng.integers(0, 121, n)
    income = INCOME_REF * rng.lognormal(0.0, _INCOME_SIGMA, n)
    education = _education(income, rng.random(n), education_income)
    features = {"displaced_share": rng.beta(1.0, 6.0, n),
                "water_satisfaction": rng.beta(4.0, 2.0, n),
                "power_satisfaction": rng.beta(4.0, 2.0, n),
                "road_satisfaction": rng.beta(4.0, 2.0, n),
                "income_per_capita": np.log(income / INCOME_REF)}
    log_rss = np.log([RSS_TYPE_BASE[t] for t in BUILDING_TYPES])[code]
    for name, (coef, centre) in RSS_EFFECTS.items():
        log_rss = log_rss + coef * (features[name] - centre)
    rss = np.exp(log_rss + rng.normal(0.0, _RSS_NOISE, n))
    elasticity = engel_elasticity()
    d0 = (np.array([D0_TYPE[t] for t in BUILDING_TYPES])[code]
          * (income / INCOME_REF) ** elasticity * rng.lognormal(0.0, _D0_NOISE, n))
    if null:
        rss = rng.permutation(rss)
    df = pd.DataFrame({
        "building_type": types[code].astype(object), "floor_area_m2": area,
        "building_age_years": age.astype(np.int64), "occupants": occupants.astype(np.int64),
        "daily_active_population": active.astype(np.int64), "income_per_capita": income,
        "education": education.astype(object),
        **{c: features[c] for c in _SHARES}, "d0": d0, "dt": rss * d0,
    })
    correlated = f", education_income={education_income:g}" if education_income else ""
    df.attrs = {"synthetic": True, "null": bool(null), "seed": seed,
                "education_income": float(education_income),
                "source": f"workbench.models.survey.synthetic_survey(n={n}, seed={seed}, "
                          f"null={bool(null)}{correlated}): synthetic, not a real survey",
                "engel_elasticity": elasticity,
                "units": {c: u for c, (_, u, _) in SURVEY_SCHEMA.items()}}
    return df
