"""Why flexible beats semiflexible: the gap between the two strategies split by cause.

Flexible and semiflexible differ only in the limits of information and implementation they
respect (:data:`~workbench.recovery.strategies.STRATEGY_RULES`). Starting from flexible and
adding one limit at a time, in the fixed order of :data:`GAP_STEPS` — impeding delays (REDi),
information (inspections), commitment (crews held for ``commitment_days``), switching
(mobilisation) — reaches the semiflexible rule exactly; the change of each index at each step
is that limit's part of the gap, and the parts sum to the whole gap (a telescoping sum, exact
up to round-off). The parts depend on the order (a limit's cost depends on which are already
in place); the order is stated with them.
"""

from __future__ import annotations

from dataclasses import replace

import xarray as xr

from ..city.model import City
from ..core.errors import InputError
from ..metrics.indexes import summary_indexes
from . import Constraints, simulate_recovery
from .strategies import STRATEGY_RULES

__all__ = ["GAP_STEPS", "GAP_INDEXES", "strategy_gap"]

#: The causes, in the order they are added to flexible, with the rule fields each sets.
GAP_STEPS = (("impeding_delays", {"impeding_delays": True}),
             ("information", {"limited_information": True}),
             ("commitment", {"commitment": "period"}),
             ("switching", {"mobilisation": True}))
#: The indexes whose gap is split.
GAP_INDEXES = ("economic_loss", "service_loss_person_days", "displaced_person_days")


def _rules():
    rules = [STRATEGY_RULES["flexible"]]
    for cause, change in GAP_STEPS:
        rules.append(replace(rules[-1], name=f"{rules[-1].name}+{cause}", **change))
    semi = STRATEGY_RULES["semiflexible"]
    if replace(rules[-1], name=semi.name) != semi:      # a new rule field would break the split
        raise InputError(f"flexible plus {[c for c, _ in GAP_STEPS]} is {rules[-1]}, not the "
                         f"semiflexible rule {semi}; GAP_STEPS must name every difference.")
    return rules


def strategy_gap(city: City, system, damage: xr.Dataset, constraints: Constraints, *,
                 functionality=None, shelters=None, seed: int = 0) -> dict:
    """The semiflexible − flexible gap of each index of :data:`GAP_INDEXES`, split by cause.

    Same inputs as :func:`workbench.recovery.simulate_recovery` (one realisation). Returns
    ``{index: {"total": semiflexible − flexible, "parts": {cause: change}}}`` with the causes
    in the order of :data:`GAP_STEPS`; ``"order"`` lists them.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> city = toy_city()
    >>> damage = xr.Dataset({
    ...     "building_damage_state": ("building", [4, 3, 2, 0, 0, 0]),
    ...     "building_repair_days": ("building", [6.0, 3.0, 1.0, 0, 0, 0]),
    ...     "building_repair_cost": ("building", [1e5, 5e4, 1e4, 0, 0, 0])},
    ...     coords={"building": city.buildings["building"].values})
    >>> gap = strategy_gap(city, None, damage, Constraints(crews=1, horizon_days=60,
    ...                    commitment_days=5, mobilisation_days=1.0))
    >>> e = gap["economic_loss"]
    >>> abs(sum(e["parts"].values()) - e["total"]) < 1e-6 * max(1.0, abs(e["total"]))
    True
    >>> gap["order"]
    ['impeding_delays', 'information', 'commitment', 'switching']
    """
    rules = _rules()
    ds = simulate_recovery(city, system, damage, constraints, strategies=rules,
                           functionality=functionality, shelters=shelters, seed=seed)
    names = [r.name for r in rules]
    s = summary_indexes(ds, city, damage)
    out: dict = {"order": [c for c, _ in GAP_STEPS]}
    for index in GAP_INDEXES:
        values = [float(s[n][index]) for n in names]
        out[index] = {"total": values[-1] - values[0],
                      "parts": {cause: values[k + 1] - values[k]
                                for k, (cause, _) in enumerate(GAP_STEPS)}}
    return out
