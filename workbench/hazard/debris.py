"""Road blockage by building debris: a geographic interdependency of buildings and roads (Li, METHOD refs).

Hazus damages roads only through ground failure, which the workbench does not model, so shaking
alone never takes a street out. In a city the commoner cause of closed streets after an
earthquake is the debris of collapsed buildings next to them. :func:`road_blockage` adds that
mechanism to a damage Dataset (``docs/ARCHITECTURE.md``): every road edge within the debris
reach of a building at damage state ≥ ``min_state`` is blocked until its debris is cleared.

Rules (the choices made where the method is silent)
-----------------------------------------------
* **Which buildings shed debris.** Buildings at damage state ≥ ``min_state``, default 4
  (*complete*). Hazus *complete* is the state in which a building has collapsed or is in
  imminent danger of collapse; *extensive* (3) leaves it standing. Treating every complete
  building as shedding debris onto the street is an upper bound (Hazus counts only a share of
  complete-state buildings as collapsed); ``min_state`` is the knob.
* **Debris reach** [m], from the building point (its centroid): the debris spreads
  ``reach_factor × height`` beyond the facade, with height = ``stories × story_height_m``, and
  the facade lies half the side of the equivalent square footprint from the centroid::

      reach = reach_factor · stories · story_height_m + ½ √footprint

  The footprint is ``footprint_area`` when the buildings carry it, else ``floor_area /
  stories``. ``reach_factor = 0.5``: the Chinese planning rule reproduced in Table 7 of the
  2020 study below puts the collapse influence width of buildings under 24 m at 2/3 of the
  height when the long side is parallel to the street and 1/2 when it is perpendicular; the
  orientation is unknown here, so the lower value is used. ``story_height_m = 3`` m is a
  workbench assumption (a typical storey). A ``reach`` given explicitly replaces the rule
  (metres from the building point).
* **Which road edges.** A road edge is blocked when its *segment* (straight line between its
  end nodes) passes within the reach of a debris-shedding building: exact point-to-segment
  distance. Candidate pairs come from a KD-tree over the edge midpoints with radius
  ``reach + ½ longest edge`` (a segment within ``r`` of a point has its midpoint within
  ``r + ½ length``), so no loop runs over all building–edge pairs.
* **State of a blocked edge.** ``component_functional`` False; ``component_damage_state``
  raised to at least 2 (*moderate*: in Hazus the state in which a road is closed for days, not
  rebuilt); other networks' components are never touched.
* **Clearance effort and cost.** Proportional to the building's floor area (the debris volume
  scales with the collapsed floor area): ``clearance_crew_days_per_1000_m2`` crew-days and
  ``clearance_cost_per_m2`` [the damage's currency] per m² of floor area. A building's
  clearance is shared equally among the road edges it blocks (its debris is cleared once, not
  once per edge it touches), and an edge blocked by several buildings takes the **sum** of
  their shares (each pile must be cleared). The clearance is **added** to any repair effort
  and cost the edge already carries (debris comes off before the pavement can be repaired;
  roads carry none from shaking today, so this equals the clearance). The defaults, 1
  crew-day per 1000 m² and 5 EUR per m², are workbench assumptions, not a cited table:
  opening a street means pushing aside or hauling the part of the debris that fell on it
  (taken as a quarter of about 1.2 t per m² of floor area, i.e. ~300 t per 1000 m²), which
  one loader-and-truck crew does in about a day, at about 5 000 EUR per crew-day. Since a
  task takes one crew at a time (the recovery rule), a very large pile is slow to clear.

The result goes through :meth:`~workbench.network.system.InfrastructureSystem.service` and
:func:`~workbench.recovery.simulate_recovery` unchanged: a blocked street cuts road service to
the buildings behind it, and road crews clear it like any other road repair.

References
----------
A Study of Influence Distance and Road Safety Avoidance Distance from Postearthquake Building
Debris Accumulation (2020). *Advances in Civil Engineering*, 2020, 7034517 (Table 7).
doi:10.1155/2020/7034517
FEMA (2022). *Hazus Earthquake Model Technical Manual, Hazus 5.1*, ch. 5 (building damage
states) and ch. 7 (highway damage states).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from scipy import sparse
from scipy.spatial import cKDTree

from ..core import assumptions as _assumptions
from ..core.dims import BUILDING, COMPONENT
from ..core.errors import InputError

__all__ = ["road_blockage", "debris_reach", "STORY_HEIGHT_M", "DEBRIS_REACH_FACTOR",
           "CLEARANCE_CREW_DAYS_PER_1000_M2", "CLEARANCE_COST_PER_M2", "BLOCKED_DAMAGE_STATE"]

#: Storey height [m] that turns ``stories`` into a building height (workbench assumption).
STORY_HEIGHT_M = _assumptions.value("story_height_m")
#: Debris spread beyond the facade as a share of the building height (doi:10.1155/2020/7034517).
DEBRIS_REACH_FACTOR = _assumptions.value("debris_reach_factor")
#: Crew-days to clear a street of the debris of 1000 m² of collapsed floor area (assumption).
CLEARANCE_CREW_DAYS_PER_1000_M2 = _assumptions.value("debris_clearance_crew_days_per_1000_m2")
#: Clearance cost per m² of collapsed floor area [currency of the damage] (assumption).
CLEARANCE_COST_PER_M2 = _assumptions.value("debris_clearance_cost_per_m2")
#: Damage state a blocked road edge is raised to at least (Hazus *moderate*: closed for days).
BLOCKED_DAMAGE_STATE = 2

_ROAD = "road"
_NEEDED = ("building_damage_state", "component_functional", "component_damage_state",
           "component_repair_days", "component_repair_cost")


def debris_reach(buildings: xr.Dataset, *, reach_factor: float = DEBRIS_REACH_FACTOR,
                 story_height_m: float = STORY_HEIGHT_M) -> xr.DataArray:
    """Debris reach of each building [m], measured from the building point.

    ``reach_factor · stories · story_height_m + ½ √footprint``, the footprint being
    ``footprint_area`` where given (> 0), else ``floor_area / stories`` (module rules).

    Parameters
    ----------
    buildings : xarray.Dataset
        Dim ``building``; ``stories``, ``floor_area`` [m²], optional ``footprint_area`` [m²].
    reach_factor : float
        Spread beyond the facade as a share of the height, ≥ 0.
    story_height_m : float
        Storey height [m], > 0.

    Returns
    -------
    xarray.DataArray
        Dim ``building``, units m.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> reach = debris_reach(toy_city().buildings)
    >>> round(float(reach.sel(building="b1")), 2)   # 4 storeys, 2000 m²: 6 m + ½ √500 m
    17.18
    """
    for name in ("stories", "floor_area"):
        if name not in buildings:
            raise InputError(f"debris_reach: the buildings lack {name!r}, which the debris rule "
                             f"needs; add it, or give road_blockage an explicit reach=.")
    if not (np.isfinite(reach_factor) and reach_factor >= 0):
        raise InputError(f"reach_factor must be finite and ≥ 0; got {reach_factor!r}.")
    if not (np.isfinite(story_height_m) and story_height_m > 0):
        raise InputError(f"story_height_m must be finite and > 0 m; got {story_height_m!r}.")
    stories = np.maximum(np.asarray(buildings["stories"].values, dtype=float), 1.0)
    footprint = np.asarray(buildings["floor_area"].values, dtype=float) / stories
    if "footprint_area" in buildings:
        given = np.asarray(buildings["footprint_area"].values, dtype=float)
        footprint = np.where(np.isfinite(given) & (given > 0), given, footprint)
    reach = reach_factor * stories * story_height_m + 0.5 * np.sqrt(np.maximum(footprint, 0.0))
    return xr.DataArray(reach, dims=(BUILDING,), coords={BUILDING: buildings[BUILDING].values},
                        name="debris_reach", attrs={"units": "m"})


def road_blockage(system, damage: xr.Dataset, *, min_state: int = 4, reach=None,
                  reach_factor: float = DEBRIS_REACH_FACTOR,
                  story_height_m: float = STORY_HEIGHT_M,
                  clearance_crew_days_per_1000_m2: float = CLEARANCE_CREW_DAYS_PER_1000_M2,
                  clearance_cost_per_m2: float = CLEARANCE_COST_PER_M2) -> xr.Dataset:
    """A new damage Dataset with the road edges blocked by building debris (module rules).

    Parameters
    ----------
    system : InfrastructureSystem or None
        From :func:`workbench.network.system.build_system`; its city gives the buildings' positions,
        ``stories``, ``floor_area`` (and ``footprint_area``). ``None``: no networks, nothing
        to block.
    damage : xarray.Dataset
        The damage Dataset of ``docs/ARCHITECTURE.md``, with or without a ``realization`` dim;
        never mutated.
    min_state : int
        Buildings at this damage state or above (1–4) shed debris; default 4 (*complete*).
    reach : float or xarray.DataArray, optional
        Debris reach [m] from the building point, one number or a DataArray on ``building``;
        default :func:`debris_reach` with ``reach_factor`` and ``story_height_m``.
    reach_factor, story_height_m : float
        Parameters of the default reach rule.
    clearance_crew_days_per_1000_m2 : float
        Crew-days of clearance per 1000 m² of debris-shedding floor area, ≥ 0.
    clearance_cost_per_m2 : float
        Clearance cost per m² of that floor area [``damage.attrs["currency"]``], ≥ 0.

    Returns
    -------
    xarray.Dataset
        ``damage`` with, on the blocked road edges of each realisation,
        ``component_functional`` False, ``component_damage_state`` ≥ 2 and the clearance added
        to ``component_repair_days`` [crew-days] and ``component_repair_cost``; every other
        value unchanged. ``attrs`` gain ``debris_rule``, ``debris_min_state``,
        ``debris_reach``, ``debris_reach_factor``, ``debris_story_height_m``,
        ``debris_clearance_crew_days_per_1000_m2``, ``debris_clearance_cost_per_m2`` and
        ``debris_blocked_edges`` (road edges blocked, mean over realisations).

    Examples
    --------
    Building b1 of the toy city (x = 100 m, 10 m from the road along y = 0) collapses and
    closes the road edge it stands by; the road beyond it loses its connection to the gateway:

    >>> from workbench.city import toy_city
    >>> from workbench.network.system import build_system
    >>> system = build_system(toy_city())
    >>> damage = xr.Dataset({
    ...     "building_damage_state": ("building", np.array([0, 4, 0, 0, 0, 0], np.int8)),
    ...     "component_damage_state": ("component", np.zeros(21, np.int8)),
    ...     "component_functional": ("component", np.ones(21, bool)),
    ...     "component_repair_days": ("component", np.zeros(21)),
    ...     "component_repair_cost": ("component", np.zeros(21))},
    ...     coords={"building": [f"b{i}" for i in range(6)], "component": system.component_ids})
    >>> blocked = road_blockage(system, damage)
    >>> out = ~blocked["component_functional"]
    >>> blocked["component"].values[out.values].tolist()
    ['road:R0--R1']
    >>> float(blocked["component_repair_days"].sel(component="road:R0--R1"))  # 2000 m² × 1/1000
    2.0
    >>> system.service(blocked["component_functional"].values)[:, 2].tolist()
    [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    """
    if not isinstance(damage, xr.Dataset):
        raise InputError(f"damage must be an xarray.Dataset (see docs/ARCHITECTURE.md); got "
                         f"{type(damage).__name__}.")
    if "debris_rule" in damage.attrs:
        raise InputError("damage already carries road debris (attrs['debris_rule'] is set); "
                         "apply road_blockage once, to the damage as sampled or imported.")
    if isinstance(min_state, bool) or min_state not in (1, 2, 3, 4):
        raise InputError(f"min_state must be 1, 2, 3 or 4 (a Hazus damage state); got "
                         f"{min_state!r}.")
    for name, value in (("clearance_crew_days_per_1000_m2", clearance_crew_days_per_1000_m2),
                        ("clearance_cost_per_m2", clearance_cost_per_m2)):
        if not (np.isfinite(value) and value >= 0):
            raise InputError(f"{name} must be finite and ≥ 0; got {value!r}.")
    missing = [name for name in _NEEDED if name not in damage]
    if missing:
        raise InputError(f"damage lacks {missing}, which road_blockage reads and writes "
                         f"(see docs/ARCHITECTURE.md); sample it with "
                         f"workbench.hazard.damage.sample_damage.")
    out = damage.copy(deep=True)
    out.attrs.update(_attrs(min_state, reach, reach_factor, story_height_m,
                            clearance_crew_days_per_1000_m2, clearance_cost_per_m2))
    out.attrs["debris_blocked_edges"] = 0.0
    if system is None:
        return out
    components = system.components
    road_edges = np.flatnonzero((components["network"].values.astype(str) == _ROAD)
                                & (components["element"].values.astype(str) == "edge"))
    if not len(road_edges):
        return out

    buildings = system.city.buildings
    b_ids = damage[BUILDING].values.astype(str)
    b_pos = _positions(buildings[BUILDING].values.astype(str), b_ids, BUILDING,
                       "the system's city buildings")
    ids = np.asarray(system.component_ids).astype(str)
    e_pos = _positions(damage[COMPONENT].values.astype(str), ids[road_edges], COMPONENT,
                       "damage components")
    if reach is None:
        reach_m = debris_reach(buildings, reach_factor=reach_factor,
                               story_height_m=story_height_m).values[b_pos]
    else:
        reach_m = _given_reach(reach, b_ids)

    extra = [d for d in damage["building_damage_state"].dims if d != BUILDING]
    states = damage["building_damage_state"].transpose(*extra, BUILDING).values
    shedding = states.reshape(-1, len(b_ids)) >= min_state          # (realisations, building)
    pairs_b, pairs_e = _pairs_within_reach(system, buildings, b_pos, reach_m, road_edges,
                                           np.flatnonzero(shedding.any(axis=0)))
    if not len(pairs_b):
        return out

    # incidence building × road edge of the pairs within reach; a building's clearance is
    # shared among the edges it reaches, an edge sums the shares of its buildings
    n_b, n_e = len(b_ids), len(road_edges)
    reaches = sparse.csr_array((np.ones(len(pairs_b)), (pairs_b, pairs_e)), shape=(n_b, n_e))
    n_edges_reached = np.bincount(pairs_b, minlength=n_b)
    area = np.asarray(buildings["floor_area"].values, dtype=float)[b_pos]
    share = np.divide(area, n_edges_reached, out=np.zeros(n_b), where=n_edges_reached > 0)
    on = shedding.astype(float)
    blocked = (reaches.T @ on.T).T > 0                                # (realisations, edge)
    area_on_edge = (reaches.T @ (on * share).T).T                     # m² of floor area
    days = area_on_edge * clearance_crew_days_per_1000_m2 / 1000.0
    cost = area_on_edge * clearance_cost_per_m2

    def update(name, rule):
        # on the numpy values of out's own (deep-copied) variable: the same numbers as
        # building a DataArray and assigning it, without the alignment of an assignment
        variable = out.variables[name]
        if set(variable.dims) != set(extra) | {COMPONENT}:
            raise InputError(f"damage[{name!r}] has dims {variable.dims}; expected "
                             f"{tuple(extra) + (COMPONENT,)} like building_damage_state.")
        axes = [variable.dims.index(d) for d in (*extra, COMPONENT)]
        ordered = np.transpose(variable.values, axes)
        values = ordered.reshape(-1, ordered.shape[-1]).copy()
        values[:, e_pos] = rule(values[:, e_pos]).astype(values.dtype)
        variable.values = np.transpose(values.reshape(ordered.shape), np.argsort(axes))

    update("component_functional", lambda v: v & ~blocked)
    update("component_damage_state",
           lambda v: np.where(blocked, np.maximum(v, BLOCKED_DAMAGE_STATE), v))
    update("component_repair_days", lambda v: v + days)
    update("component_repair_cost", lambda v: v + cost)
    out.attrs["debris_blocked_edges"] = float(blocked.sum(axis=1).mean())
    return out


# --------------------------------------------------------------------------- helpers

def _attrs(min_state, reach, reach_factor, story_height_m, crew_days, cost) -> dict:
    rule = ("road edges whose segment lies within the debris reach of a building at damage "
            "state >= debris_min_state are blocked (functional False, damage state >= 2); "
            "reach = factor * stories * story height + 0.5 * sqrt(footprint) from the building "
            "point; clearance per building = floor area * constants, shared among the edges it "
            "blocks, summed per edge and added to the repair effort and cost "
            "(workbench.hazard.debris)")
    return {"debris_rule": rule, "debris_min_state": int(min_state),
            "debris_reach": "rule" if reach is None else "given",
            "debris_reach_factor": float(reach_factor),
            "debris_story_height_m": float(story_height_m),
            "debris_clearance_crew_days_per_1000_m2": float(crew_days),
            "debris_clearance_cost_per_m2": float(cost)}


def _positions(have: np.ndarray, wanted: np.ndarray, dim: str, what: str) -> np.ndarray:
    pos = pd.Index(have).get_indexer(wanted)
    if (pos < 0).any():
        lost = wanted[pos < 0][:3].tolist()
        raise InputError(f"{int((pos < 0).sum())} {dim} id(s) are missing from {what} (e.g. "
                         f"{lost}); build the damage and the system for the same city.")
    return pos


def _given_reach(reach, b_ids: np.ndarray) -> np.ndarray:
    if isinstance(reach, xr.DataArray):
        if reach.dims != (BUILDING,):
            raise InputError(f"reach must be a number or a DataArray on dim {BUILDING!r}; got "
                             f"dims {reach.dims}.")
        values = np.asarray(reach.values, dtype=float)[
            _positions(reach[BUILDING].values.astype(str), b_ids, BUILDING, "reach")]
    elif isinstance(reach, (int, float, np.integer, np.floating)) and not isinstance(reach, bool):
        values = np.full(len(b_ids), float(reach))
    else:
        raise InputError(f"reach must be None, a number of metres or a DataArray on dim "
                         f"{BUILDING!r}; got {type(reach).__name__}.")
    if not (np.isfinite(values).all() and (values >= 0).all()):
        raise InputError("reach must be finite and ≥ 0 m for every building.")
    return values


def _pairs_within_reach(system, buildings, b_pos, reach_m, road_edges, candidates):
    """(building, road edge) pairs — positions in damage order and in ``road_edges`` — whose
    point-to-segment distance is within the building's reach."""
    empty = np.zeros(0, np.int64)
    if not len(candidates):
        return empty, empty
    comp = system.components
    ids = np.asarray(system.component_ids).astype(str)
    index = pd.Index(ids)
    u = comp["u"].values.astype(str)[road_edges]
    v = comp["v"].values.astype(str)[road_edges]
    x, y = comp["x"].values.astype(float), comp["y"].values.astype(float)
    iu = index.get_indexer(np.char.add(f"{_ROAD}:", u))
    iv = index.get_indexer(np.char.add(f"{_ROAD}:", v))
    a = np.column_stack([x[iu], y[iu]])
    b = np.column_stack([x[iv], y[iv]])
    mid = 0.5 * (a + b)
    half_longest = 0.5 * float(np.hypot(*(b - a).T).max())
    points = np.column_stack([np.asarray(buildings["x"].values, dtype=float)[b_pos],
                              np.asarray(buildings["y"].values, dtype=float)[b_pos]])
    radius = reach_m[candidates] + half_longest
    # a segment within r of a point has its midpoint within r + ½ length: a safe superset
    found = cKDTree(points[candidates]).sparse_distance_matrix(
        cKDTree(mid), max_distance=float(radius.max()) * (1 + 1e-9) + 1e-9,
        output_type="ndarray")
    i, e = found["i"].astype(np.int64), found["j"].astype(np.int64)
    keep = found["v"] <= radius[i] * (1 + 1e-9) + 1e-9
    i, e = i[keep], e[keep]
    bi = candidates[i]
    distance = _point_segment_distance(points[bi], a[e], b[e])
    near = distance <= reach_m[bi]
    return bi[near], e[near]


def _point_segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance [m] from points ``p`` to segments ``a``–``b``, all (n, 2), row by row."""
    ab = b - a
    length2 = (ab * ab).sum(axis=1)
    t = np.divide(((p - a) * ab).sum(axis=1), length2, out=np.zeros(len(p)), where=length2 > 0)
    closest = a + np.clip(t, 0.0, 1.0)[:, None] * ab
    return np.hypot(*(p - closest).T)
