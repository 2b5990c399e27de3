"""How much memory a run needs, from its parameters and the city's size, and the check that
refuses a run that cannot fit before anything is allocated (:func:`check_memory`)."""

from __future__ import annotations

import logging
import os

from ..core.errors import InputError, ParameterError
from ..recovery import crew_pools

__all__ = ["memory_estimate", "check_memory"]

log = logging.getLogger(__name__)


#: Bytes of one stored value (float64 / int64).
_VALUE_BYTES = 8
#: Variables per element and realization in the damage Dataset (states, repair days and cost,
#: functional, repairs, intensities …).
_DAMAGE_VARIABLES = 8
#: Values per element, strategy and realization in the results: the restoration day and about
#: two rows of the crew log (8 columns each).
_RESULT_VALUES_PER_ELEMENT = 1 + 2 * 8
#: Values per day, strategy and realization: the recovery curves (ep, sc, demand, …) and their
#: tidy export (``curves.csv``, one 8-column row per curve).
_RESULT_VALUES_PER_DAY = 10 * (1 + 8)
#: Working values per element while one strategy runs (task, crew and service arrays, the city).
_WORKING_VALUES_PER_ELEMENT = 64
#: Working values per crew while one strategy runs (its task, since, start, ready day, pool and
#: flags in the day loop, workbench.recovery._scheduling).
_WORKING_VALUES_PER_CREW = 6


def memory_estimate(params: dict, n_buildings: int, n_components: int, *,
                    realizations: int | None = None) -> dict[str, float]:
    """Bytes a run of ``params`` needs for its data, by part: ``damage``, ``recovery``,
    ``working``, ``crews``.

    damage = realizations × (buildings + components) × 8 variables × 8 B (the damage Dataset);
    recovery = realizations × strategies × ((buildings + components) × 17 + (horizon + 1) × 90)
    × 8 B (restoration days, crew log, curves and their export); working = (buildings +
    components) × 64 × 8 B; crews = (crews + reserve crews, every trade) × 6 × 8 B (the day
    loop's arrays per crew). Not counted: the interpreter and its libraries (~0.3 GB).

    Examples
    --------
    >>> from workbench.run.params import validate_params
    >>> e = memory_estimate(validate_params({}), 1000, 500)
    >>> e["damage"] == 1 * 1500 * 8 * 8
    True
    """
    r = params["realizations"] if realizations is None else realizations
    elements = n_buildings + n_components
    runs = r * len(params["strategies"])
    return {"damage": float(r) * elements * _DAMAGE_VARIABLES * _VALUE_BYTES,
            "recovery": float(runs) * (elements * _RESULT_VALUES_PER_ELEMENT
                                       + (params["horizon_days"] + 1) * _RESULT_VALUES_PER_DAY)
            * _VALUE_BYTES,
            "working": float(elements) * _WORKING_VALUES_PER_ELEMENT * _VALUE_BYTES,
            "crews": float(_total_crews(params["constraints"])) * _WORKING_VALUES_PER_CREW
            * _VALUE_BYTES}


def _total_crews(constraints: dict) -> int:
    """Crews and reserve crews of the constraints section, every trade (:func:`crew_pools`)."""
    total = 0
    for key in ("crews", "reserve_crews"):
        if key in constraints:
            try:
                total += sum(crew_pools(constraints[key], key, at_least_one=False).values())
            except InputError:      # refused with its own message by the constraints' check
                pass
    return total


def _physical_memory() -> float | None:
    try:
        return float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):  # not a POSIX system: no check
        return None


def check_memory(params: dict, n_buildings: int, n_components: int, *,
                 realizations: int | None = None, physical_bytes: float | None = None) -> float:
    """Refuse a run whose data would need more than half of this machine's memory.

    Call it before allocating, with the city's counts (``realizations``: an imported damage
    table's count, when it sets them); :func:`~workbench.run.params.validate_params` calls it with none, which bounds
    the part the parameters alone decide. Returns the estimate [bytes] (:func:`memory_estimate`).

    Raises
    ------
    ParameterError
        Naming the estimate in GB, its parts, and the parameters to lower.

    Examples
    --------
    >>> from workbench.run.params import validate_params
    >>> p = validate_params({"horizon_days": 730})
    >>> check_memory(p, 2000, 1000, physical_bytes=8e9) < 1e9
    True
    >>> check_memory(p, 2000, 1000, realizations=10**6, physical_bytes=8e9)
    Traceback (most recent call last):
    ...
    workbench.core.errors.ParameterError: parameters realizations 1,000,000 ... need about 2,995.0 GB ...
    """
    parts = memory_estimate(params, n_buildings, n_components, realizations=realizations)
    total = sum(parts.values())
    physical = _physical_memory() if physical_bytes is None else float(physical_bytes)
    if physical is not None and total > physical / 2:
        r = params["realizations"] if realizations is None else realizations
        given = (f"realizations {r:,}" + (" (the damage table's count)" if realizations else "")
                 + f", horizon_days {params['horizon_days']:,} and "
                   f"{len(params['strategies'])} strategies")
        if parts["crews"] > total / 2:      # the crews alone: name them
            raise ParameterError(
                f"parameter constraints.crews ({_total_crews(params['constraints']):,} crews in "
                f"all) needs about {parts['crews'] / 1e9:,.1f} GB of memory for the day loop "
                f"alone, more than half of this machine's {physical / 1e9:,.1f} GB; give a "
                f"number of crews a city can field (the demo's default is 75).")
        city = (f" on {n_buildings:,} buildings and {n_components:,} components (damage "
                f"{parts['damage'] / 1e9:,.1f} GB, recovery {parts['recovery'] / 1e9:,.1f} GB)"
                if n_buildings + n_components else " before counting the city")
        raise ParameterError(
            f"parameters {given} need about {total / 1e9:,.1f} GB of memory{city}, more than "
            f"half of this machine's {physical / 1e9:,.1f} GB; lower realizations or "
            f"horizon_days, or run on a larger machine.")
    return total
