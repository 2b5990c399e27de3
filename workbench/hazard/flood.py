"""Floods: inundation depth at buildings and components, and the damage it does (Hazus flood).

The hazard
----------
A flood gives one number per site, the **depth of water above the ground** [m], in the same
*intensity Dataset* an earthquake gives (``building_inundation_depth``,
``component_inundation_depth``; ``attrs["hazard_kind"] == "flood"``). Two sources:

* a **bathtub** (:func:`bathtub_intensity`): a still water level [m, the terrain's datum] over a
  ground-elevation grid (:mod:`workbench.city.terrain`); every site whose ground lies below the
  level is under ``level − ground``. No flow, no connectivity to the sea and no defences: a
  depression inland floods as if it were open to the sea (a stated limitation);
* a **depth grid** the user brings (:func:`depth_grid_intensity`), e.g. from a hydraulic model.

A site is *exposed* when its depth above the ground is > 0. A site that is not exposed takes no
damage at all, whatever its curve says at zero depth: Hazus' curves are read against the depth
above the first floor and several are non-zero at 0 ft, so "dry" must mean *not reached by the
water*, never *depth 0 above the floor*.

Buildings: Hazus flood depth–damage
-----------------------------------
The depth above the first floor [ft] = (depth above the ground − first-floor height) / 0.3048.
The first-floor height is the building's ``first_floor_height`` [m] where the buildings carry
it, otherwise ``hazard.first_floor_height_m`` (default 0.3 m, about 1 ft: a slab on grade; an
assumption). The building's Hazus occupancy (:data:`workbench.hazard.fragility.
OCCUPANCY_OF_TYPE`) picks the Hazus v6.1 default *structure* curve of its occupancy
(``data/hazus_flood_depth_damage.csv``: RES3 with or without a basement, COM4, COM1, IND1, EDU1;
loss ratio at −4 … 24 ft, linear between points, held at the end points). Then:

* **repair cost** = loss ratio × replacement cost. Contents and inventory are *not* counted,
  as under an earthquake (whose Hazus ratios are structure + non-structure too), so the two
  hazards' losses add like for like and nothing is counted twice.
* **damage state**, by a stated rule: the state whose Hazus earthquake repair-cost ratio of the
  same occupancy (``data/hazus_repair.csv``, structure + non-structure) lies nearest to the flood
  loss ratio, at least *slight* when the loss is > 0 (Hazus flood has no damage states; this rule
  puts a flood loss on the ladder the functionality, displacement and delay models read).
* **repair effort**: the Hazus flood restoration time of the occupancy for the depth band
  (``data/hazus_flood_restoration.csv``: ≤ 0, 0–1, 1–4, 4–8, 8–12, > 12 ft above the first
  floor, a minimum and a maximum in days), drawn uniformly between the two per building and
  realisation, read as crew-days of one crew like the earthquake repair times, and at least one
  crew-day when the loss is > 0. Hazus' flood times are times to restore function, drying,
  clean-up and inspection included, so they are longer than the earthquake repair times of the
  same cost (METHOD §5.5).

The curves do not depend on the number of storeys (Hazus v6.1's defaults for these
occupancies do not), so a flood on the ground floor of a tall building is charged a share of the
whole building's value: a known overstatement for mid- and high-rise buildings.

Components
----------
Facilities (every kind with a lognormal fragility but power lines: substations, grid
connections, pumps, tanks, treatment plants, sources) are out of service when the water stands
≥ ``hazard.facility_flood_depth_m`` above their ground (default 0.5 m, an assumption: the height
of switchgear and pump motors above the floor); they then take *extensive* damage (DS 3) and
its Hazus restoration effort and spread (:func:`workbench.hazard.fragility.
component_consequences`). Buried pipes, power lines and roads are not damaged by standing water
(roads are taken passable once the water recedes; a stated limitation).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import xarray as xr

from ..core import assumptions as _assumptions
from ..core.dims import BUILDING, COMPONENT, DAMAGE_STATES, REALIZATION
from ..core.errors import InputError
from ..core.paths import DATA_DIR
from .demand import MODEL_DEMANDS, convert, site_demand
from .effort import require_effort, restoration_factor
from .fragility import OCCUPANCY_OF_TYPE

__all__ = ["bathtub_intensity", "depth_grid_intensity", "flood_intensity", "flood_loss_ratio",
           "flood_damage_state", "flood_restoration_days", "check_flood_settings", "FEET_PER_M", "FLOOD_DEFAULTS",
           "FLOOD_BANDS_FT", "is_flood"]

FEET_PER_M = float(convert(1.0, "m", "ft"))
#: The flood settings an intensity carries (``hazard.*``), with their defaults.
FLOOD_DEFAULTS = {"first_floor_height_m": _assumptions.value("flood_first_floor_height_m"),
                  "basement": False,
                  "facility_flood_depth_m": _assumptions.value("facility_flood_depth_m")}
#: The Hazus restoration depth bands [ft above the first floor]: (−∞, 0], (0, 1], (1, 4], …
FLOOD_BANDS_FT = (0.0, 1.0, 4.0, 8.0, 12.0)
#: Component fragility models that are facilities a flood puts out (lines, pipes and kinds
#: without a fragility are not).
_NOT_FACILITY = ("none", "pipe", "EP.C.U")


def is_flood(intensity: xr.Dataset) -> bool:
    """Whether an intensity Dataset is a flood's (``attrs["hazard_kind"] == "flood"``)."""
    return intensity.attrs.get("hazard_kind") == "flood"


# --------------------------------------------------------------------------- the hazard

def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and bool(np.isfinite(v))


def check_flood_settings(first_floor_height_m, basement, facility_flood_depth_m) -> None:
    """The rules of the flood settings (:data:`FLOOD_DEFAULTS`); an :class:`InputError` naming
    the field and the value.

    >>> check_flood_settings(0.3, False, -1)
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: facility_flood_depth_m must be a number of metres ≥ 0; got -1.
    """
    if not (_number(first_floor_height_m) and 0 <= first_floor_height_m <= 5):
        raise InputError(f"first_floor_height_m must be a number of metres in [0, 5]; got "
                         f"{first_floor_height_m!r}.")
    if not isinstance(basement, bool):
        raise InputError(f"basement must be true or false; got {basement!r}.")
    if not (_number(facility_flood_depth_m) and facility_flood_depth_m >= 0):
        raise InputError(f"facility_flood_depth_m must be a number of metres ≥ 0; got "
                         f"{facility_flood_depth_m!r}.")


def flood_intensity(buildings: xr.Dataset, components: xr.Dataset, building_depth,
                    component_depth, *, attrs: dict | None = None, **settings) -> xr.Dataset:
    """The intensity Dataset of a flood from depths above the ground [m] at every building and
    component (≥ 0; 0 = not reached by the water). ``settings``: the keys of
    :data:`FLOOD_DEFAULTS` (the damage model's settings, carried in ``attrs``).

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> city = toy_city()
    >>> f = flood_intensity(city.buildings, None, [0.0, 0.5, 0, 0, 0, 2.0], [])
    >>> f["building_inundation_depth"].values.tolist(), f.attrs["hazard_kind"]
    ([0.0, 0.5, 0.0, 0.0, 0.0, 2.0], 'flood')
    """
    unknown = sorted(set(settings) - set(FLOOD_DEFAULTS))
    if unknown:
        raise InputError(f"flood_intensity: unknown setting(s) {unknown}; known: "
                         f"{list(FLOOD_DEFAULTS)}.")
    chosen = {**FLOOD_DEFAULTS, **settings}
    check_flood_settings(**chosen)
    ffh, basement, out = (chosen["first_floor_height_m"], chosen["basement"],
                          chosen["facility_flood_depth_m"])
    components = components if components is not None else xr.Dataset(
        coords={COMPONENT: np.array([], dtype=str)})
    values = {}
    for name, depth, dim, sites in (("building_inundation_depth", building_depth, BUILDING,
                                     buildings),
                                    ("component_inundation_depth", component_depth, COMPONENT,
                                     components)):
        depth = np.asarray(depth, dtype=float).reshape(-1)
        if depth.size != sites.sizes.get(dim, 0):
            raise InputError(f"{name}: {depth.size} depths for {sites.sizes.get(dim, 0)} "
                             f"{dim}s.")
        bad = ~(np.isfinite(depth) & (depth >= 0))
        if bad.any():
            ids = np.asarray(sites[dim].values).astype(str)[bad][:5].tolist()
            raise InputError(f"{name} must be finite and ≥ 0 m; {int(bad.sum())} {dim}(s) are "
                             f"not (e.g. {ids}).")
        values[name] = ((dim,), depth, {"units": "m", "long_name": "depth of water above the "
                                                                     "ground"})
    return xr.Dataset(
        {k: xr.Variable(*v) for k, v in values.items()},
        coords={BUILDING: buildings[BUILDING].values, COMPONENT: components[COMPONENT].values},
        attrs={**(attrs or {}), "hazard_kind": "flood",
               "hazard_first_floor_height_m": float(ffh), "hazard_basement": int(basement),
               "hazard_facility_flood_depth_m": float(out)})


def bathtub_intensity(water_level_m: float, terrain: xr.DataArray, buildings: xr.Dataset,
                      components: xr.Dataset | None = None, **settings) -> xr.Dataset:
    """A still ``water_level_m`` over the ground of ``terrain`` (a grid of ``elevation_m``,
    :func:`workbench.city.terrain.read_grid`): depth = max(0, level − ground) at every site.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> city = toy_city()
    >>> ground = xr.DataArray([[0.0, 4.0], [0.0, 4.0]], dims=("y", "x"), name="elevation_m",
    ...                       coords={"y": [-1000.0, 1000.0], "x": [-1000.0, 1000.0]})
    >>> f = bathtub_intensity(2.5, ground, city.buildings)    # ground 2 m at x 0, 3 m at 500
    >>> f["building_inundation_depth"].values.round(2).tolist()
    [0.5, 0.3, 0.1, 0.0, 0.0, 0.0]
    """
    if not _number(water_level_m):
        raise InputError(f"water_level_m must be a finite number of metres; got "
                         f"{water_level_m!r}.")
    # a component without a place stays dry: its ground is taken as infinitely high
    components, ground_b, ground_c = _at_sites(terrain, buildings, components, np.inf)
    level = float(water_level_m)
    return flood_intensity(
        buildings, components, np.maximum(level - ground_b, 0.0),
        np.maximum(level - ground_c, 0.0),
        attrs={"hazard_flood_source": "bathtub", "hazard_water_level_m": level,
               "hazard_terrain": str(terrain.attrs.get("source", "terrain"))}, **settings)


def depth_grid_intensity(grid: xr.DataArray, buildings: xr.Dataset,
                         components: xr.Dataset | None = None, **settings) -> xr.Dataset:
    """Depths above the ground from a user's grid of ``depth_m`` (bilinear at each site)."""
    components, depth_b, depth_c = _at_sites(grid, buildings, components, 0.0)
    return flood_intensity(buildings, components, depth_b, depth_c,
                           attrs={"hazard_flood_source": "depth grid",
                                  "hazard_depth_grid": str(grid.attrs.get("source", "grid"))},
                           **settings)


def _at_sites(grid: xr.DataArray, buildings: xr.Dataset, components, unplaced: float):
    """(components, values at the buildings, values at the components) of ``grid``; a
    component without coordinates takes ``unplaced``; None components: an empty table."""
    from ..city.terrain import sample_grid
    components = components if components is not None else xr.Dataset(
        {"x": ((COMPONENT,), np.zeros(0)), "y": ((COMPONENT,), np.zeros(0))},
        coords={COMPONENT: np.array([], dtype=str)})
    at_b = sample_grid(grid, buildings["x"].values, buildings["y"].values, what="buildings")
    cx, cy = (np.asarray(components[v].values, dtype=float) for v in ("x", "y"))
    located = np.isfinite(cx) & np.isfinite(cy)
    at_c = np.full(cx.shape, float(unplaced))
    at_c[located] = sample_grid(grid, cx[located], cy[located], what="components")
    return components, at_b, at_c


# --------------------------------------------------------------------------- the buildings

@lru_cache(maxsize=1)
def _curves() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "hazus_flood_depth_damage.csv")


@lru_cache(maxsize=1)
def _restoration() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "hazus_flood_restoration.csv")


def _types(buildings: xr.Dataset) -> np.ndarray:
    types = np.asarray(buildings["type"].values).astype(str)
    unknown = sorted(set(types.tolist()) - set(OCCUPANCY_OF_TYPE))
    if unknown:
        raise InputError(f"building type(s) {unknown} have no Hazus occupancy for the flood "
                         f"curves; known types: {sorted(OCCUPANCY_OF_TYPE)}.")
    return types


def flood_loss_ratio(buildings: xr.Dataset, depth_ft: np.ndarray, *, basement: bool = False
                     ) -> np.ndarray:
    """Hazus structure loss ratio of every building at ``depth_ft`` above its first floor
    (array (..., building)), by its occupancy's default curve (linear between the tabulated
    feet, held at −4 and 24 ft). The caller zeroes the sites the water does not reach.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> b = toy_city().buildings
    >>> flood_loss_ratio(b, np.array([-5.0, 0.0, 2.0, 2.5, 30.0, 30.0])).round(3).tolist()
    [0.0, 0.15, 0.16, 0.15, 0.58, 0.94]
    """
    table = _curves()
    table = table[table["basement"] == ("yes" if basement else "no")]
    types = _types(buildings)
    depth_ft = np.asarray(depth_ft, dtype=float)
    out = np.zeros(np.broadcast_shapes(depth_ft.shape, types.shape))
    depth_ft = np.broadcast_to(depth_ft, out.shape)
    for btype in np.unique(types):
        rows = table[table["workbench_type"] == btype].sort_values("depth_ft")
        where = types == btype
        out[..., where] = np.interp(depth_ft[..., where], rows["depth_ft"].to_numpy(),
                                    rows["loss_ratio"].to_numpy())
    return out


def flood_damage_state(loss_ratio: np.ndarray, ladder: np.ndarray) -> np.ndarray:
    """Damage state (int8) of a flood loss ratio: the state k = 1…4 whose earthquake repair-cost
    ratio ``ladder[..., k]`` (building, 5) lies nearest; 0 for no loss, at least 1 for any loss.

    >>> ladder = np.array([[0.0, 0.02, 0.1, 0.4, 1.0]])
    >>> flood_damage_state(np.array([[0.0, 0.001, 0.05, 0.07, 0.3, 0.75]]).T, ladder).ravel().tolist()
    [0, 1, 1, 2, 3, 4]
    """
    ratio = np.asarray(loss_ratio, dtype=float)
    steps = np.asarray(ladder, dtype=float)[..., 1:]            # (building, 4)
    nearest = np.abs(ratio[..., None] - steps).argmin(axis=-1) + 1
    return np.where(ratio > 0, nearest, 0).astype(np.int8)


def flood_restoration_days(buildings: xr.Dataset, depth_ft: np.ndarray) -> tuple[np.ndarray,
                                                                                np.ndarray]:
    """(min, max) Hazus restoration days of every building for its depth band (arrays shaped
    like ``depth_ft``, (..., building)).

    >>> from workbench.city import toy_city
    >>> b = toy_city().buildings
    >>> lo, hi = flood_restoration_days(b, np.array([-1.0, 0.5, 2.0, 5.0, 10.0, 20.0]))
    >>> lo.tolist(), hi.tolist()
    ([0.0, 270.0, 300.0, 450.0, 30.0, 720.0], [270.0, 450.0, 480.0, 630.0, 210.0, 900.0])
    """
    table = _restoration()
    types = _types(buildings)
    depth_ft = np.asarray(depth_ft, dtype=float)
    band = np.searchsorted(np.asarray(FLOOD_BANDS_FT), depth_ft, side="left")   # 0 … 5
    lo = np.zeros(np.broadcast_shapes(depth_ft.shape, types.shape))
    hi = np.zeros_like(lo)
    band = np.broadcast_to(band, lo.shape)
    for btype in np.unique(types):
        rows = table[table["workbench_type"] == btype].sort_values("depth_min_ft")
        where = types == btype
        lo[..., where] = rows["min_days"].to_numpy(dtype=float)[band[..., where]]
        hi[..., where] = rows["max_days"].to_numpy(dtype=float)[band[..., where]]
    return lo, hi


def facility_mask(model: np.ndarray) -> np.ndarray:
    """Components a flood can put out: the facilities (see the module docstring)."""
    model = np.asarray(model).astype(str)
    return ~np.isin(model, _NOT_FACILITY)


# --------------------------------------------------------------------------- the damage

def draw_flood_damage(sampler, intensity: xr.Dataset, realizations: int, seed: int
                      ) -> xr.Dataset:
    """The damage Dataset of a flood (the layout of
    :func:`workbench.hazard.damage.sample_damage`) on the tables of a
    :class:`~workbench.hazard.damage.DamageSampler`."""
    buildings, components = sampler.buildings, sampler.components
    n, m = buildings.sizes[BUILDING], components.sizes[COMPONENT]
    a = intensity.attrs
    ffh = float(a.get("hazard_first_floor_height_m", FLOOD_DEFAULTS["first_floor_height_m"]))
    basement = bool(a.get("hazard_basement", FLOOD_DEFAULTS["basement"]))
    out_depth = float(a.get("hazard_facility_flood_depth_m",
                            FLOOD_DEFAULTS["facility_flood_depth_m"]))
    (_, curve_unit), = MODEL_DEMANDS["flood-depth-damage"]
    (_, facility_unit), = MODEL_DEMANDS["flood-facility"]
    depth_b = site_demand(intensity, "building", "inundation_depth", "m")
    depth_c = site_demand(intensity, "component", "inundation_depth", facility_unit)
    if "first_floor_height" in buildings:
        own = np.asarray(buildings["first_floor_height"].values, dtype=float)
        floor = np.where(np.isfinite(own), own, ffh)
    else:
        floor = np.full(n, ffh)
    exposed = depth_b > 0
    above_ft = convert(depth_b - floor, "m", curve_unit, what="depth above the first floor")
    ratio = np.where(exposed, flood_loss_ratio(buildings, above_ft, basement=basement), 0.0)
    state = flood_damage_state(ratio, sampler._b_ratio)
    lo, hi = flood_restoration_days(buildings, above_ft)
    rng = np.random.default_rng(seed)
    u = rng.random((realizations, n))
    damaged = state > 0
    b_days = np.where(damaged, np.maximum(lo + u * (hi - lo), 1.0), 0.0)
    expected_days = np.where(damaged, np.maximum((lo + hi) / 2.0, 1.0), 0.0)
    b_cost = np.broadcast_to(ratio * sampler._replacement, (realizations, n))
    ds_b = np.broadcast_to(state, (realizations, n)).copy()
    p_state = np.zeros((n, 5))
    p_state[np.arange(n), state] = 1.0

    # facilities under at least facility_flood_depth_m: extensive damage, its Hazus effort
    frag = sampler._frag
    flooded = facility_mask(frag["model"]) & (depth_c >= out_depth) & (depth_c > 0)
    ds_c = np.broadcast_to(np.where(flooded, 3, 0).astype(np.int8), (realizations, m)).copy()
    c_days_table, c_cost_table = sampler._c_tables
    flat_c = ds_c + (np.arange(m) * 5)[None, :]
    u_c = rng.random((realizations, m))
    c_days = c_days_table.ravel()[flat_c] * restoration_factor(
        u_c, sampler._c_spread.ravel()[flat_c])
    c_cost = c_cost_table.ravel()[flat_c]
    functional = ds_c < sampler.out_of_service_state
    for kind, states, effort, ids in (("building", ds_b, b_days, buildings[BUILDING].values),
                                      ("component", ds_c, c_days, components[COMPONENT].values)):
        require_effort(kind, states, effort, ids)
    rb, rc = (REALIZATION, BUILDING), (REALIZATION, COMPONENT)
    out = xr.Dataset(
        {"building_damage_state": (rb, ds_b),
         "building_repair_days": (rb, b_days),
         "building_repair_cost": (rb, np.array(b_cost)),
         "building_damage_probability": ((BUILDING, "damage_state"), p_state),
         "building_expected_repair_days": ((BUILDING,), expected_days),
         "building_flood_loss_ratio": ((BUILDING,), ratio),
         "building_replacement_cost": ((BUILDING,), sampler._replacement),
         "component_damage_state": (rc, ds_c),
         "component_functional": (rc, functional),
         "component_repair_days": (rc, c_days),
         "component_repair_cost": (rc, c_cost),
         "component_repairs": (rc, np.zeros((realizations, m), dtype=np.int32)),
         "building_inundation_depth": ((BUILDING,), depth_b),
         "component_inundation_depth": ((COMPONENT,), depth_c)},
        coords={REALIZATION: np.arange(realizations), BUILDING: buildings[BUILDING].values,
                COMPONENT: components[COMPONENT].values, "damage_state": np.arange(5)},
        attrs={"seed": int(seed), "realizations": int(realizations), **a,
               "currency": sampler.currency, "price_year": int(sampler.price_year),
               "damage_states": ", ".join(DAMAGE_STATES),
               "out_of_service_state": int(sampler.out_of_service_state),
               "pipe_repair_days": float(sampler.pipe_repair_days),
               "design_code": sampler.zone,
               "building_model": "flood depth-damage",
               "fragility": "Hazus flood v6.1 structure depth-damage by occupancy (buildings, "
                            "damage state by the nearest Hazus earthquake repair-cost ratio); "
                            f"facilities out at {out_depth:g} m of water (DS 3); see "
                            "workbench.hazard.flood",
               "component_repair": "Hazus restoration class at DS 3 for flooded facilities "
                                   "(data/hazus_lifeline_restoration.csv), drawn from its "
                                   "restoration function (normal, truncated at 0)",
               "building_repair": "Hazus flood restoration days by depth band "
                                  "(data/hazus_flood_restoration.csv), uniform between the "
                                  "band's minimum and maximum, read as crew-days"})
    units = {"building_repair_days": "crew-days", "component_repair_days": "crew-days",
             "building_repair_cost": sampler.currency, "component_repair_cost": sampler.currency,
             "building_inundation_depth": "m", "component_inundation_depth": "m",
             "building_flood_loss_ratio": "fraction of replacement cost",
             "building_replacement_cost": sampler.currency,
             "component_repairs": "repairs"}
    for name, unit in units.items():
        out[name].attrs["units"] = unit
    return out
