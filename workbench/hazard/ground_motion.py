"""Earthquake ground motion at buildings and infrastructure components.

Two ways to get shaking at every site:

* a scenario :class:`Earthquake` through a ground-motion model (:func:`ground_motion`,
  :func:`earthquake_intensity`): median PGA [g] and PGV [cm/s] of Boore & Atkinson (2008), the
  default, written below, or of a model named in :data:`workbench.hazard.gmpe.GMPES` (pygmm),
  with the model's τ and φ when the scatter is to be drawn (:mod:`workbench.hazard.residuals`);
* a field the user brings as CSV (:func:`intensity_from_csv`), e.g. a ShakeMap grid or the output
  of another model, matched by id or by nearest point.

Both give the same *intensity Dataset*: ``building_pga``, ``building_pgv`` on dim ``building`` and
``component_pga``, ``component_pgv`` on dim ``component``, which
:func:`workbench.hazard.damage.sample_damage` consumes.

The GMPE
--------
Boore & Atkinson (2008), "NGA" model for shallow crustal earthquakes in active regions, median
(geometric mean, GMRotI50) values; coefficients from the paper's Tables 3 (site), 6 (distance) and 7
(magnitude), Mref = 4.5, Rref = 1 km (as corrected in the authors' 2008 erratum). Validity: M 5–8,
Rjb < 200 km, Vs30 180–1300 m/s. The medians here; the aleatory scatter (σ ≈ 0.57 in ln units,
Table 8) is drawn only with ``residuals`` (:func:`earthquake_intensity`), else one scenario gives
one shaking field and the spread across realisations is fragility uncertainty only.

Distance: the rupture is a point at the hypocentre unless ``rupture_length_km`` is given, so the
Joyner–Boore distance Rjb (to the surface projection of the rupture) equals the epicentral distance
and ``depth_km`` does not enter BA08. With ``rupture_length_km`` = L, the rupture is a line of
length L centred on the epicentre and aimed at each site (the worst orientation), so
Rjb = max(0, Repi − L/2); Wells & Coppersmith (1994) give L for a magnitude (:func:`rupture_length_wells_coppersmith`).
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..core.dims import BUILDING, COMPONENT
from ..core.errors import InputError
from scipy.special import ndtri
from .fragility import building_fragility_table
from .demand import DEMANDS, column_measure, convert
from .gmpe import DEFAULT_GMPE, GMPES, MEASURES, MECHANISMS, site_motion
from .gmpe import gmpe as _registered

__all__ = [
    "Earthquake", "ground_motion", "earthquake_intensity", "intensity_from_csv",
    "rupture_length_wells_coppersmith", "joyner_boore_distance", "MECHANISMS", "HAZARD_KINDS",
    "BA08_MAX_DISTANCE_KM",
]

log = logging.getLogger(__name__)


#: The hazards a run can name (parameter ``hazard.kind``): a scenario earthquake through the
#: GMPE, a user's CSV ground-motion field, or a flood (:mod:`workbench.hazard.flood`).
HAZARD_KINDS = ("earthquake", "field", "flood")

#: Rjb [km] up to which BA08 is valid (the paper's stated range); a source farther from every
#: building is refused rather than extrapolated.
BA08_MAX_DISTANCE_KM = 200.0

#: A building with this chance of slight damage or less counts as undamaged when judging whether
#: a scenario can damage anything (:func:`earthquake_intensity` warns below it).
_NEGLIGIBLE_DAMAGE_PROBABILITY = 1e-3



@dataclass(frozen=True)
class Earthquake:
    """A scenario earthquake, validated on construction.

    Parameters
    ----------
    magnitude : float
        Moment magnitude Mw, > 0 and ≤ 10 (the models' own ranges: BA08 5–8, AB06 3.5–8).
    x, y : float
        Epicentre [m] in the city's projected CRS.
    depth_km : float
        Hypocentral depth [km]: the hypocentral distance, and the rupture's top (the rupture
        distance AB06 and the NGA-West2 models take); BA08 takes Rjb, which a point source at
        any depth leaves equal to the epicentral distance.
    vs30 : float
        Time-averaged shear-wave velocity of the top 30 m [m/s]. Default 760 m/s, the NEHRP B/C
        boundary (BA08's reference rock; AB06's BC coefficients). Use ~360 for stiff soil (D).
    mechanism : str
        One of :data:`MECHANISMS`.
    rupture_length_km : float or None
        None for a point source; otherwise a line rupture of this length [km] centred on the
        epicentre, aimed at each site (see module docstring).
    intensity_scale : float
        Multiplies PGA and PGV (1 = the GMPE median; 0 = no shaking). For sensitivity studies.
    gmpe : str
        The ground-motion model, a name of :data:`workbench.hazard.gmpe.GMPES` (default
        ``AB06``, stable-continental, through pygmm; ``BA08`` written here).

    Examples
    --------
    >>> Earthquake(magnitude=6.5, x=0.0, y=0.0).vs30
    760.0
    >>> Earthquake(magnitude=-1.0, x=0.0, y=0.0)
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: Earthquake field 'magnitude' must be a finite number > 0 (moment magnitude); got -1.0.
    """

    magnitude: float
    x: float
    y: float
    depth_km: float = 10.0
    vs30: float = 760.0
    mechanism: str = "unspecified"
    rupture_length_km: float | None = None
    intensity_scale: float = 1.0
    gmpe: str = DEFAULT_GMPE

    def __post_init__(self):
        _check_number(self.magnitude, "magnitude", positive=True,
                      rule="moment magnitude")
        if self.magnitude > 10.0:
            raise InputError(f"Earthquake field 'magnitude' must be ≤ 10; got {self.magnitude}. "
                             f"Give a moment magnitude.")
        _check_number(self.x, "x", rule="epicentre easting in metres of the city CRS")
        _check_number(self.y, "y", rule="epicentre northing in metres of the city CRS")
        _check_number(self.depth_km, "depth_km", non_negative=True, rule="hypocentral depth in km")
        _check_number(self.vs30, "vs30", positive=True, rule="shear-wave velocity in m/s, e.g. 760")
        _check_number(self.intensity_scale, "intensity_scale", non_negative=True,
                      rule="a factor on PGA and PGV, 1 for the GMPE median")
        if self.rupture_length_km is not None:
            _check_number(self.rupture_length_km, "rupture_length_km", non_negative=True,
                          rule="rupture length in km, or None for a point source")
        _registered(self.gmpe)
        if self.mechanism not in MECHANISMS:
            raise InputError(f"Earthquake field 'mechanism' is {self.mechanism!r}; use one of "
                             f"{list(MECHANISMS)}.")
        if self.gmpe == "BA08" and not 5.0 <= self.magnitude <= 8.0:
            log.info("magnitude %.2f is outside BA08's calibration range 5–8", self.magnitude)

    def to_attrs(self) -> dict:
        """The scenario as flat netCDF-safe attributes (``hazard_*``)."""
        out = {}
        for key, value in asdict(self).items():
            out[f"hazard_{key}"] = "point" if value is None else value
        out.update({"hazard_kind": "earthquake", "hazard_gmpe_name": self.gmpe,
                    "hazard_gmpe": f"{GMPES[self.gmpe].label}, median"})
        return out


def _check_number(value, name: str, *, positive=False, non_negative=False, rule: str) -> None:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    ok = ok and np.isfinite(value)
    if ok and positive:
        ok = value > 0
    if ok and non_negative:
        ok = value >= 0
    if not ok:
        bound = " > 0" if positive else " ≥ 0" if non_negative else ""
        raise InputError(f"Earthquake field {name!r} must be a finite number{bound} ({rule}); "
                         f"got {value!r}.")


def rupture_length_wells_coppersmith(magnitude: float) -> float:
    """Subsurface rupture length [km] for a magnitude, all slip types.

    ``log10(RLD) = -2.44 + 0.59 M`` (Wells & Coppersmith 1994, Table 2A).

    References
    ----------
    Wells, D. L. & Coppersmith, K. J. (1994). New empirical relationships among magnitude,
    rupture length, rupture width, rupture area, and surface displacement. BSSA 84(4), 974–1002.
    doi:10.1785/BSSA0840040974

    Examples
    --------
    >>> round(rupture_length_wells_coppersmith(7.0), 1)
    49.0
    """
    return float(10.0 ** (-2.44 + 0.59 * magnitude))


def joyner_boore_distance(eq: Earthquake, x, y) -> np.ndarray:
    """Joyner–Boore distance Rjb [km] from the rupture of ``eq`` to sites at ``x``, ``y`` [m].

    Examples
    --------
    >>> joyner_boore_distance(Earthquake(6.0, 0.0, 0.0), [3000.0], [4000.0])
    array([5.])
    >>> joyner_boore_distance(Earthquake(6.0, 0.0, 0.0, rupture_length_km=4.0), [3000.0], [4000.0])
    array([3.])
    """
    repi = np.hypot(np.asarray(x, dtype=float) - eq.x, np.asarray(y, dtype=float) - eq.y) / 1000.0
    if eq.rupture_length_km is None:
        return repi
    return np.maximum(repi - eq.rupture_length_km / 2.0, 0.0)


def site_distances(eq: Earthquake, x, y) -> tuple[np.ndarray, np.ndarray]:
    """(Rjb, Repi) [km] of sites ``x``, ``y`` [m]."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise InputError(f"ground_motion: x and y must have the same shape; got {x.shape} and "
                         f"{y.shape}.")
    return joyner_boore_distance(eq, x, y), np.hypot(x - eq.x, y - eq.y) / 1000.0


def ground_motion(eq: Earthquake, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Median PGA [g] and PGV [cm/s] of ``eq`` at sites ``x``, ``y`` [m], times ``intensity_scale``,
    through the model ``eq.gmpe`` (:func:`workbench.hazard.gmpe.site_motion`).

    BA08 (written here): ``ln Y = F_M(M) + F_D(Rjb, M) + F_S(Vs30, Rjb, M)`` with the
    nonlinear site term driven by the rock PGA ``pga4nl``. See the module docstring for the
    distance.

    Parameters
    ----------
    eq : Earthquake
    x, y : array_like
        Site coordinates [m], same CRS as the epicentre.

    Returns
    -------
    pga : numpy.ndarray
        Peak ground acceleration [g], shape of ``x``.
    pgv : numpy.ndarray
        Peak ground velocity [cm/s].

    References
    ----------
    Boore, D. M. & Atkinson, G. M. (2008). Ground-motion prediction equations for the average
    horizontal component of PGA, PGV, and 5%-damped PSA at spectral periods between 0.01 s and
    10.0 s. Earthquake Spectra 24(1), 99–138. doi:10.1193/1.2830434

    Examples
    --------
    M 6.5 on rock, 10 km away, by BA08 (a hand calculation from the paper's tables gives
    0.184 g) and by the default AB06, whose stable-continental crust shakes harder nearby:

    >>> pga, pgv = ground_motion(Earthquake(6.5, 0.0, 0.0, gmpe="BA08"), [10_000.0], [0.0])
    >>> round(float(pga[0]), 3), round(float(pgv[0]), 1)
    (0.184, 12.5)
    >>> pga, pgv = ground_motion(Earthquake(6.5, 0.0, 0.0), [10_000.0], [0.0])
    >>> round(float(pga[0]), 3), round(float(pgv[0]), 1)
    (0.736, 26.6)
    """
    motion = _motion(eq, x, y)
    return motion["pga"] * eq.intensity_scale, motion["pgv"] * eq.intensity_scale


def _motion(eq: Earthquake, x, y) -> dict[str, np.ndarray]:
    rjb, repi = site_distances(eq, x, y)
    return site_motion(eq, eq.gmpe, rjb, repi)


def _intensity_dataset(buildings: xr.Dataset, components: xr.Dataset | None,
                       values: dict[str, np.ndarray], attrs: dict) -> xr.Dataset:
    coords = {BUILDING: buildings[BUILDING].values}
    if components is not None:
        coords[COMPONENT] = components[COMPONENT].values
    ds = xr.Dataset(coords=coords, attrs=attrs)
    units = {"pga": "g", "pgv": "cm/s", "sa03": "g", "sa10": "g"}
    for name, arr in values.items():
        dim = BUILDING if name.startswith("building") else COMPONENT
        ds[name] = ((dim,), arr)
        ds[name].attrs["units"] = units[name.rsplit("_", 1)[1]]
    return ds


def _components_of(components):
    """Accept an ``InfrastructureSystem`` (its ``.components``), a Dataset, or None."""
    return getattr(components, "components", components)


def earthquake_intensity(eq: Earthquake, buildings, components=None, *,
                         residuals: bool = False, correlation_range_km: float | None = None
                         ) -> xr.Dataset:
    """Shaking of ``eq`` at every building and component, as an intensity Dataset.

    Parameters
    ----------
    eq : Earthquake
    buildings : City or xarray.Dataset
        A city (its ``buildings``) or a buildings Dataset with ``x``, ``y`` [m].
    components : xarray.Dataset, InfrastructureSystem or None
        Component table (dim ``component``, ``x``, ``y`` [m]).
    residuals : bool
        Also give each site's between-event τ and within-event φ [ln units] of the model, so
        that :func:`workbench.hazard.damage.sample_damage` draws a shaking field per
        realisation around the medians (:mod:`workbench.hazard.residuals`). Off: the medians
        only, every realisation shaken alike.
    correlation_range_km : float, optional
        Range b [km] of the within-event residuals' spatial correlation exp(−3h/b); default
        Jayaram & Baker's (2009) for PGA (8.5 km).

    Returns
    -------
    xarray.Dataset
        ``building_pga`` [g], ``building_pgv`` [cm/s], ``building_sa03``, ``building_sa10``
        (5 %-damped SA at 0.3 and 1.0 s [g]) on ``building``; ``component_pga``,
        ``component_pgv`` on ``component`` when components are given (a measure the model does
        not give is left out); with ``residuals``, ``<site>_<measure>_tau`` and ``_phi`` [ln];
        ``attrs`` the scenario.

    Raises
    ------
    InputError
        When the rupture is farther than :data:`BA08_MAX_DISTANCE_KM` from every building
        (BA08 is not valid there; usually an epicentre in the wrong units or CRS). A scenario
        whose largest PGA at any building cannot damage even the most fragile Hazus class
        (P(slight) < 0.1 %) is logged as a warning with the distance and that PGA.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> shaking = earthquake_intensity(Earthquake(6.0, 0.0, 0.0), toy_city())
    >>> bool((shaking["building_pga"].diff("building") < 0).all())  # decays with distance
    True
    """
    from .residuals import DEFAULT_RANGE_KM
    buildings = getattr(buildings, "buildings", buildings)
    components = _components_of(components)
    values, spread = {}, {}
    sites = [("building", buildings)] + ([("component", components)] if components is not None
                                         else [])
    for kind, table in sites:
        motion = _motion(eq, table["x"].values, table["y"].values)
        # spectral accelerations at buildings only (the capacity-spectrum method's demand)
        for im in MEASURES if kind == "building" else ("pga", "pgv"):
            if np.isnan(motion[im]).all():
                continue                      # the model has no such measure
            values[f"{kind}_{im}"] = motion[im] * eq.intensity_scale
            spread[f"{kind}_{im}_tau"] = motion[f"{im}_tau"]
            spread[f"{kind}_{im}_phi"] = motion[f"{im}_phi"]
        if kind == "building":
            _check_reach(eq, np.asarray(table["x"].values, dtype=float),
                         np.asarray(table["y"].values, dtype=float), values["building_pga"])
    attrs = eq.to_attrs()
    if residuals:
        b = DEFAULT_RANGE_KM if correlation_range_km is None else float(correlation_range_km)
        if not (math.isfinite(b) and b > 0):
            raise InputError(f"hazard.correlation_range_km must be a number > 0 km; got "
                             f"{correlation_range_km!r}.")
        attrs.update({"hazard_residuals": 1, "hazard_correlation_range_km": b,
                      "hazard_gmpe": attrs["hazard_gmpe"].replace(", median",
                                                                  ", with residuals")})
    ds = _intensity_dataset(buildings, components, values, attrs)
    if residuals:
        for name, arr in spread.items():
            dim = BUILDING if name.startswith("building") else COMPONENT
            ds[name] = ((dim,), arr)
            ds[name].attrs["units"] = "ln"
    return ds


def _negligible_pga() -> float:
    """PGA [g] below which even the most fragile Hazus building class has a chance of slight
    damage under :data:`_NEGLIGIBLE_DAMAGE_PROBABILITY` (lognormal, from the fragility table)."""

    table = building_fragility_table()
    z = ndtri(_NEGLIGIBLE_DAMAGE_PROBABILITY)
    return float((table["median_ds1"] * np.exp(table["beta_ds1"] * z)).min())


def _check_reach(eq: Earthquake, x: np.ndarray, y: np.ndarray, pga: np.ndarray) -> None:
    """Refuse a source beyond BA08's range; warn when its shaking can damage no building."""
    if x.size == 0:
        return
    nearest = float(joyner_boore_distance(eq, x, y).min())
    largest = float(np.max(pga))
    if nearest > BA08_MAX_DISTANCE_KM:
        raise InputError(
            f"the earthquake at x={eq.x:,.0f}, y={eq.y:,.0f} m is {nearest:,.0f} km from the "
            f"nearest building, beyond the {BA08_MAX_DISTANCE_KM:.0f} km within which BA08 is "
            f"valid (largest PGA at any building {largest:.2g} g); give the epicentre "
            f"(hazard.location) in metres of the city's CRS — its buildings span x "
            f"{x.min():,.0f}…{x.max():,.0f}, y {y.min():,.0f}…{y.max():,.0f} — or bring the "
            f"shaking as an intensity field.")
    threshold = _negligible_pga()
    if eq.intensity_scale > 0 and largest < threshold:
        log.warning("the earthquake (M %.1f) is %.1f km from the nearest building and its largest "
                    "PGA at any building is %.2g g, below the %.3f g at which even the most "
                    "fragile Hazus building has a %.1f %% chance of slight damage: expect no "
                    "damage; check hazard.location and hazard.magnitude", eq.magnitude, nearest,
                    largest, threshold, 100 * _NEGLIGIBLE_DAMAGE_PROBABILITY)


def intensity_from_csv(path: str | Path, buildings, components=None, *, scale: float = 1.0,
                       intensity_measure: str = "pga", max_distance: float | None = None
                       ) -> xr.Dataset:
    """Map a user's shaking field (CSV) onto buildings and components.

    The CSV holds either a column ``id`` (building ids and component ids, matched exactly) or
    columns ``x``, ``y`` [m, city CRS] (each site takes the nearest field point), plus ``pga`` [g]
    and/or ``pgv`` [cm/s], or one generic ``intensity`` column whose measure
    ``intensity_measure`` names. A column may name its unit instead: ``pga_pctg`` (%g, as a
    ShakeMap gives PGA), ``pga_ms2``, ``pgv_m_s``, ``pgv_in_s``, … (:func:`workbench.hazard.
    demand.column_measure`); the values are converted to g and cm/s. A measure the file lacks is left out of the result, and
    :func:`workbench.hazard.damage.sample_damage` says so if a fragility needs it.

    Parameters
    ----------
    path : str or Path
    buildings : City or xarray.Dataset
    components : xarray.Dataset, InfrastructureSystem or None
    scale : float
        Multiplies the field (the scenario's ``intensity_scale``).
    intensity_measure : {"pga", "pgv"}
        What a generic ``intensity`` column holds.
    max_distance : float or None
        For ``x``/``y`` fields: a site farther than this [m] from every field point is not
        covered (an error). None: every site takes its nearest point, but a field that reaches
        no building within twice its point spacing (median nearest-neighbour distance) is an
        error — usually coordinates in another CRS or in degrees — and one that misses some
        sites is logged as a warning with the share covered and the farthest distance.

    Returns
    -------
    xarray.Dataset
        Same layout as :func:`earthquake_intensity`.

    Raises
    ------
    InputError
        If the file lacks the columns, holds negative or missing values, or does not cover every
        building and component (the message says how many it misses, and which first).

    Examples
    --------
    >>> import tempfile, os
    >>> from workbench.city import toy_city
    >>> path = os.path.join(tempfile.mkdtemp(), "field.csv")
    >>> pd.DataFrame({"x": [0.0, 500.0], "y": [0.0, 0.0], "pga": [0.4, 0.1]}).to_csv(path)
    >>> intensity_from_csv(path, toy_city())["building_pga"].values.tolist()
    [0.4, 0.4, 0.4, 0.1, 0.1, 0.1]
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"intensity field {str(path)!r} does not exist; give a CSV with id or "
                         f"x,y and pga/pgv columns (a relative hazard.field is read from the "
                         f"parameter file's folder).")
    if not (np.isfinite(scale) and scale >= 0):
        raise InputError(f"intensity_from_csv: scale must be finite and ≥ 0; got {scale!r}.")
    if intensity_measure not in ("pga", "pgv"):
        raise InputError(f"intensity_from_csv: intensity_measure must be 'pga' or 'pgv'; got "
                         f"{intensity_measure!r}.")
    try:
        frame = pd.read_csv(path, dtype={"id": str})
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        reason = " ".join(str(exc).split())[:120]
        raise InputError(f"intensity field {str(path)!r} is not a readable CSV table ({reason}); "
                         f"give UTF-8 CSV with id or x,y and pga/pgv columns.") from None
    frame = frame.rename(columns={"intensity": intensity_measure}) \
        if "intensity" in frame.columns and intensity_measure not in frame.columns else frame
    # a column per measure, its unit in its name or the measure's own (workbench.hazard.demand)
    named: dict[str, list] = {}
    for column in frame.columns:
        found = column_measure(str(column))
        if found is not None:
            named.setdefault(found[0], []).append((column, found[1]))
    twice = {m: [c for c, _ in cols] for m, cols in named.items() if len(cols) > 1}
    if twice:
        m, cols = next(iter(twice.items()))
        raise InputError(f"intensity field {str(path)!r} gives {m} twice (columns {cols}); keep "
                         f"one.")
    measures = [m for m in ("pga", "pgv") if m in named]
    if not measures:
        raise InputError(f"intensity field {str(path)!r} has none of the columns 'pga', 'pgv', "
                         f"'intensity' (or 'pga_pctg', 'pgv_in_s', … naming the unit); it has "
                         f"{list(frame.columns)}.")
    for m in measures:
        column, unit = named[m][0]
        vals = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(vals) | (vals < 0)
        if bad.any():
            raise InputError(f"intensity field {str(path)!r}: column {column!r} must be finite "
                             f"and ≥ 0; row {int(bad.argmax())} has "
                             f"{frame[column].iloc[int(bad.argmax())]!r}.")
        frame[m] = convert(vals, unit, DEMANDS[m].unit, what=str(column)) * scale
    buildings = getattr(buildings, "buildings", buildings)
    components = _components_of(components)
    sites = [("building", buildings, BUILDING)]
    if components is not None:
        sites.append(("component", components, COMPONENT))
    if "id" in frame.columns:
        lookup = frame.drop_duplicates("id", keep="last").set_index("id")
        index = {kind: lookup.index.get_indexer(np.asarray(ds[dim].values).astype(str))
                 for kind, ds, dim in sites}
        rows = {kind: lookup for kind, _, _ in sites}
    elif {"x", "y"} <= set(frame.columns):
        from scipy.spatial import cKDTree
        points = frame[["x", "y"]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(points).all(axis=1)
        if bad.any():
            raise InputError(f"intensity field {str(path)!r}: x, y must be finite numbers [m]; "
                             f"row {int(bad.argmax())} has {points[bad.argmax()].tolist()}.")
        tree = cKDTree(points)
        index, rows = {}, {}
        for kind, ds, _ in sites:
            dist, idx = tree.query(np.column_stack([ds["x"].values, ds["y"].values]))
            if max_distance is not None:
                idx = np.where(dist <= max_distance, idx, -1)
            else:
                _check_field_reach(path, tree, points, ds, kind, dist)
            index[kind], rows[kind] = idx, frame
    else:
        raise InputError(f"intensity field {str(path)!r} needs a column 'id' or columns 'x' and "
                         f"'y'; it has {list(frame.columns)}.")
    missing = {kind: int((index[kind] < 0).sum()) for kind, _, _ in sites}
    if any(missing.values()):
        parts = []
        for kind, ds, dim in sites:
            if missing[kind]:
                first = str(np.asarray(ds[dim].values)[index[kind] < 0][0])
                parts.append(f"{missing[kind]} of {ds.sizes[dim]} {kind}s (e.g. {first!r})")
        how = ("add rows for their ids" if "id" in frame.columns else
               "extend the field or raise max_distance")
        raise InputError(f"intensity field {str(path)!r} does not cover " + " and ".join(parts)
                         + f"; {how}.")
    values = {f"{kind}_{m}": rows[kind][m].to_numpy(dtype=float)[index[kind]]
              for kind, _, _ in sites for m in measures}
    attrs = {"hazard_kind": "field", "hazard_field": str(path), "hazard_intensity_scale": scale}
    return _intensity_dataset(buildings, components, values, attrs)


def _check_field_reach(path: Path, tree, points: np.ndarray, sites: xr.Dataset, kind: str,
                       dist: np.ndarray) -> None:
    """A point field without ``max_distance``: refuse one that reaches no building, warn when
    some sites lie beyond twice its point spacing (they take the nearest point's value)."""
    if len(points) < 2 or dist.size == 0:
        return  # one point is a uniform field: it covers everything alike
    spacing = float(np.median(tree.query(points, k=2)[0][:, 1]))
    reach = 2.0 * spacing
    far = dist > reach
    if not far.any():
        return
    x, y = np.asarray(sites["x"].values, float), np.asarray(sites["y"].values, float)
    apart = f"{spacing:,.0f}" if spacing >= 1 else f"{spacing:.2g}"
    if far.all() and kind == "building":
        raise InputError(
            f"intensity field {str(path)!r} covers none of the {dist.size} buildings: the nearest "
            f"is {dist.min() / 1000:,.1f} km from any field point, whose spacing is "
            f"{apart} m; give x, y in metres of the city's CRS (the buildings span x "
            f"{x.min():,.0f}…{x.max():,.0f}, y {y.min():,.0f}…{y.max():,.0f}; the field x "
            f"{points[:, 0].min():,.0f}…{points[:, 0].max():,.0f}, y "
            f"{points[:, 1].min():,.0f}…{points[:, 1].max():,.0f}).")
    log.warning("intensity field %s covers %.0f %% of the %ss (%d of %d within %.0f m, twice its "
                "point spacing); the rest lie up to %.1f km away and take the nearest point's "
                "value: extend the field over the city", path.name,
                100.0 * (~far).mean(), kind, int((~far).sum()), dist.size, reach,
                float(dist.max()) / 1000)
