"""People in the recovery: household and business agents, emergency supplies, warning reach; not yet part of a run (METHOD §5).

Every function here is a **post-processing layer** on a finished recovery
(:func:`workbench.recovery.simulate_recovery`): it reads when buildings and components are
restored and never changes the recovery's day loop.

* :mod:`~workbench.response.agents` — households (stay, shelter, elsewhere, return) and businesses
  (open, reduced, closed) deciding day by day; adjusted EP and SC curves
  (:func:`simulate_agents`), and what moves them (:func:`agents_decomposition`);
* :mod:`~workbench.response.supplies` — emergency supplies from depots to shelters and displaced
  people over the damaged road network, a daily min-cost flow (:func:`emergency_supplies`,
  :func:`min_cost_supply`);
* :mod:`~workbench.response.warning` — the share of the population each warning channel reaches in
  the first hours, given the power state (:func:`warning_reach`).
"""

from .agents import (BUSINESS_STATES, STATES, Businesses, Households, agents_decomposition,
                     dislocation_probability, hazus_displaced_share, shelter_seeking_probability,
                     simulate_agents)
from .supplies import Depot, default_depots, emergency_supplies, min_cost_supply
from .warning import CHANNELS, Channel, warning_reach

__all__ = ["Households", "Businesses", "simulate_agents", "agents_decomposition",
           "dislocation_probability", "hazus_displaced_share", "shelter_seeking_probability",
           "STATES",
           "BUSINESS_STATES", "Depot", "default_depots", "emergency_supplies", "min_cost_supply",
           "Channel", "CHANNELS", "warning_reach"]
