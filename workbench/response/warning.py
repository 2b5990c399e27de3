"""Warning reach: the share of the population each channel reaches in the first hours; not yet part of a run (METHOD §5).

A **post-processing layer**: it reads the state of the power network at the event (the
components' own states, e.g. ``component_functional`` of the damage, through the cascade of
:meth:`~workbench.network.system.InfrastructureSystem.served_nodes`) and never changes the recovery.

Rule (per building ``i``, channel ``c``, hour ``τ`` after the event)
-------------------------------------------------------------------
A channel needs power either at its **devices** (outdoor sirens, cell towers: each fed by the
power node nearest to it) or at the **building** (television and mains radio receivers). A device
or receiver works until ``u_i`` hours: ``∞`` when its power node (or the building) is served,
else its battery backup ``battery_hours``. Device channels reach a building only within
``coverage_m`` of a device; the building takes the best-powered device in range. People reached
by hour ``τ`` (messages are repeated, so reach accumulates and never falls)::

    r_ic(τ) = uptake_c · [(1 − b_c) (1 − exp(−min(τ, u_i) / T_c)) + b_c (1 − exp(−τ / T_c))]

with ``b_c`` the share of people the channel reaches without power (battery radios, car
radios) and ``T_c`` the time constant of the channel. All channels together reach
``1 − Π_c (1 − r_ic)`` (channels independent: *assumption*). Shares are weighted by the
buildings' residents (or another ``people`` weight). Devices are given as coordinates, or placed on
a regular grid of spacing ``spacing_m`` over the buildings' extent (*assumption*, labelled).

Every number in :data:`CHANNELS` is an *assumption* (order-of-magnitude, no cited table): sirens
audible within a few hundred metres with a short battery backup; cell-broadcast towers with the
few hours of battery typical of base stations; broadcast transmitters outside the city on backup
power, so only receivers need power. Replace them with the city's own data.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np
import xarray as xr
from scipy.spatial import cKDTree

from ..core import assumptions as _assumptions
from ..city.model import City
from ..core.dims import BUILDING
from ..core.errors import InputError
from ..functionality import residents
from .agents import DISTRICT, district_codes

__all__ = ["Channel", "CHANNELS", "POWER_AT", "DEFAULT_HOURS", "CHANNEL", "HOUR",
           "warning_reach", "device_grid", "ASSUMPTIONS"]

#: Dims of the result (to move to :mod:`workbench.core.dims`).
CHANNEL, HOUR = "channel", "hour"
#: Where a channel needs power.
POWER_AT = ("device", "building")
#: Hours after the event at which reach is reported [h].
DEFAULT_HOURS = (0.25, 0.5, 1.0, 2.0, 3.0, 6.0, 12.0, 24.0)


@dataclass(frozen=True)
class Channel:
    """One warning channel (module docstring).

    Parameters
    ----------
    power_at : str
        ``"device"`` or ``"building"``.
    coverage_m : float
        Reach of one device [m] (``"device"`` channels), > 0.
    spacing_m : float
        Spacing of the default device grid [m], > 0.
    battery_hours : float
        Backup of a device or receiver without mains power [h], ≥ 0.
    uptake : float
        Share of the people in coverage the channel reaches when working, in [0, 1].
    time_constant_hours : float
        ``T`` [h] > 0: reach builds as ``1 − exp(−τ / T)``.
    unpowered_share : float
        Share reached whatever the power (battery receivers), in [0, 1].

    Examples
    --------
    >>> CHANNELS["siren"].power_at
    'device'
    >>> Channel("mast", 1000, 1000, 1, 0.5, 0.1)
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: power_at must be one of ('device', 'building'), got 'mast'
    """

    power_at: str
    coverage_m: float
    spacing_m: float
    battery_hours: float
    uptake: float
    time_constant_hours: float
    unpowered_share: float = 0.0

    def __post_init__(self):
        if self.power_at not in POWER_AT:
            raise InputError(f"power_at must be one of {POWER_AT}, got {self.power_at!r}")
        for name, low, top in (("coverage_m", 0, math.inf), ("spacing_m", 0, math.inf),
                               ("time_constant_hours", 0, math.inf)):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and low < v < top):
                raise InputError(f"{name} must be a finite number > 0, got {v!r}")
        v = self.battery_hours
        if not (isinstance(v, (int, float)) and v >= 0 and not math.isnan(v)):
            raise InputError(f"battery_hours must be a number ≥ 0 hours (inf = never fails), "
                             f"got {v!r}")
        for name in ("uptake", "unpowered_share"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and 0 <= v <= 1):
                raise InputError(f"{name} must be a share in [0, 1], got {v!r}")


#: The default channels; every value an *assumption* (module docstring).
CHANNELS = MappingProxyType({
    "siren": Channel("device", coverage_m=700.0, spacing_m=1000.0, battery_hours=0.5,
                     uptake=0.7, time_constant_hours=0.05),
    "cell_broadcast": Channel("device", coverage_m=1500.0, spacing_m=1000.0, battery_hours=2.0,
                              uptake=0.85, time_constant_hours=0.1),
    "radio_tv": Channel("building", coverage_m=1.0, spacing_m=1.0, battery_hours=0.0,
                        uptake=0.5, time_constant_hours=1.0, unpowered_share=0.3),
})

#: The constants of this module, with their status (entries for workbench.core.assumptions.REGISTRY).
ASSUMPTIONS = tuple(
    _assumptions.Assumed(f"warning_channel_{name}", json.dumps(c.__dict__), "m, h, shares",
                         "assumption", "order-of-magnitude warning-channel settings; replace "
                         "with the city's siren and cell-site data", "workbench.response.warning")
    for name, c in CHANNELS.items()) + (
    _assumptions.Assumed("warning_channels_independent", True, "-", "assumption",
                         "the channels reach people independently of each other",
                         "workbench.response.warning"),)


def device_grid(buildings: xr.Dataset, spacing_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Device positions [m]: cell centres of a grid of about ``spacing_m`` over the buildings.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> x, y = device_grid(toy_city().buildings, 1000.0)
    >>> x.tolist(), y.tolist()
    ([250.0], [10.0])
    """
    x, y = (np.asarray(buildings[c].values, dtype=float) for c in ("x", "y"))
    axes = []
    for v in (x, y):
        lo, hi = float(v.min()), float(v.max())
        n = max(1, math.ceil((hi - lo) / spacing_m))
        axes.append(lo + (np.arange(n) + 0.5) * (hi - lo) / n)
    gx, gy = np.meshgrid(*axes, indexing="ij")
    return gx.ravel(), gy.ravel()


def warning_reach(city: City, system, functional, *,
                  channels: Mapping[str, Channel] = CHANNELS, hours=DEFAULT_HOURS,
                  devices: Mapping[str, tuple] | None = None, people=None) -> xr.Dataset:
    """Share of the population each warning channel reaches by each hour (module docstring).

    Parameters
    ----------
    city : City
    system : InfrastructureSystem
    functional : array_like of bool, shape (n_components,)
        The components' own states at the event (``True`` = working), e.g.
        ``damage["component_functional"]``.
    channels : mapping of str to Channel
        Default :data:`CHANNELS`.
    hours : sequence of float
        Hours after the event [h], ≥ 0.
    devices : mapping of str to (x, y), optional
        Device coordinates [m] by channel; default :func:`device_grid` at the channel's spacing.
    people : array_like, shape (n_buildings,), optional
        Weights [persons]; default the residents (the occupancy if the city has none).

    Returns
    -------
    xarray.Dataset
        ``reach`` (channel, hour) and ``reach_any`` (hour) [share of the population];
        ``reach_by_district`` (channel, hour, district), ``reach_any_by_district`` (hour,
        district); ``devices_powered`` (channel) [share of devices with power at the event];
        ``attrs``: the channels (JSON), ``devices_default``.

    Examples
    --------
    The intact toy city: every channel works, so each reaches its uptake after a few time
    constants.

    >>> from workbench.city import toy_city
    >>> from workbench.city.mapping import map_city
    >>> from workbench.network.system import build_system
    >>> city = map_city(toy_city()); system = build_system(city)
    >>> r = warning_reach(city, system, np.ones(system.n_components, bool), hours=[24])
    >>> r["reach"].sel(hour=24).round(3).values.tolist()
    [0.7, 0.85, 0.5]
    """
    if not isinstance(city, City):
        raise InputError(f"city must be a workbench City, got {type(city).__name__}")
    if not channels:
        raise InputError("channels must name at least one Channel, e.g. CHANNELS.")
    for name, c in channels.items():
        if not isinstance(c, Channel):
            raise InputError(f"channels[{name!r}] must be a Channel, got {type(c).__name__}")
    hours = np.asarray(hours, dtype=float)
    if hours.ndim != 1 or not len(hours) or (hours < 0).any() or not np.isfinite(hours).all():
        raise InputError(f"hours must be a non-empty list of finite hours ≥ 0, got "
                         f"{hours.tolist()}")
    b = city.buildings
    weight = _people(b, people)
    district, names = district_codes(b)
    served_power = np.asarray(system.served_nodes(functional)["power"], dtype=bool)
    building_power = np.asarray(system.service(functional), dtype=float)[:, 1] >= 1
    power_graph = system.networks["power"]
    node_xy = np.array([[power_graph.nodes[n]["x"], power_graph.nodes[n]["y"]]
                        for n in power_graph.nodes], dtype=float)
    bxy = np.column_stack([np.asarray(b["x"].values, float), np.asarray(b["y"].values, float)])
    devices = {} if devices is None else dict(devices)
    unknown = sorted(set(devices) - set(channels))
    if unknown:
        raise InputError(f"devices for unknown channels {unknown}; channels are "
                         f"{list(channels)}")
    reach, powered = [], []
    for name, c in channels.items():
        if c.power_at == "building":
            until = np.where(building_power, np.inf, c.battery_hours)
            powered.append(float(building_power.mean()) if len(building_power) else 1.0)
        else:
            dx, dy = devices.get(name) or device_grid(b, c.spacing_m)
            dxy = np.column_stack([np.asarray(dx, float), np.asarray(dy, float)])
            dev_ok = served_power[cKDTree(node_xy).query(dxy)[1]]
            powered.append(float(dev_ok.mean()) if len(dev_ok) else 0.0)
            # the best device in range: a powered one if any, else one on its battery
            until = np.full(len(bxy), -np.inf)          # not covered
            for ok, hours_on in ((np.ones(len(dxy), bool), c.battery_hours), (dev_ok, np.inf)):
                if ok.any():
                    dist, _ = cKDTree(dxy[ok]).query(bxy, distance_upper_bound=c.coverage_m)
                    until = np.where(np.isfinite(dist), hours_on, until)
        reach.append(_reach(c, until, hours))
    reach = np.stack(reach)                                      # (channel, building, hour)
    any_ = 1.0 - np.prod(1.0 - reach, axis=0)
    ds = xr.Dataset(
        {"reach": ((CHANNEL, HOUR), np.stack([_share(weight, r) for r in reach]),
                   {"units": "1"}),
         "reach_any": ((HOUR,), _share(weight, any_), {"units": "1"}),
         "reach_by_district": ((CHANNEL, HOUR, DISTRICT),
                               np.stack([_by_district(weight, r, district, len(names))
                                         for r in reach]), {"units": "1"}),
         "reach_any_by_district": ((HOUR, DISTRICT),
                                   _by_district(weight, any_, district, len(names)),
                                   {"units": "1"}),
         "devices_powered": ((CHANNEL,), np.array(powered), {"units": "1"})},
        coords={CHANNEL: list(channels), HOUR: hours, DISTRICT: names})
    ds[HOUR].attrs["units"] = "h"
    ds.attrs.update({"channels": json.dumps({k: c.__dict__ for k, c in channels.items()}),
                     "devices_default": json.dumps(sorted(set(channels) - set(devices))),
                     "people": "given" if people is not None else "residents"})
    return ds


def _reach(c: Channel, until: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """(building, hour) share reached: 0 where not covered (``until = −inf``)."""
    covered = until > -np.inf
    eff = np.minimum(hours[None, :], np.maximum(until, 0.0)[:, None])
    powered = 1.0 - np.exp(-eff / c.time_constant_hours)
    always = np.broadcast_to(1.0 - np.exp(-hours / c.time_constant_hours), powered.shape)
    r = c.uptake * ((1 - c.unpowered_share) * powered + c.unpowered_share * always)
    return np.where(covered[:, None], r, 0.0)


def _people(b: xr.Dataset, people) -> np.ndarray:
    n = b.sizes[BUILDING]
    if people is None:
        w = residents(b)
        if w.sum() <= 0:
            w = np.asarray(b["occupancy"].values, dtype=float)
        return w
    w = np.asarray(people, dtype=float)
    if w.shape != (n,) or not np.isfinite(w).all() or (w < 0).any():
        raise InputError(f"people must be {n} finite weights ≥ 0 (one per building), got shape "
                         f"{w.shape}.")
    return w


def _share(weight: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Population-weighted share over buildings of ``r`` (building, hour) → (hour,)."""
    total = weight.sum()
    return (weight @ r) / total if total > 0 else np.zeros(r.shape[-1])


def _by_district(weight, r, district, n_d) -> np.ndarray:
    """(hour, district) population-weighted shares."""
    totals = np.bincount(district, weight, minlength=n_d)
    sums = np.stack([np.bincount(district, weight * r[:, h], minlength=n_d)
                     for h in range(r.shape[1])])
    return np.divide(sums, totals, out=np.zeros_like(sums), where=totals > 0)
