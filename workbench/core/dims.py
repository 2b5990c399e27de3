"""Dimension names, network names and other vocabulary shared by every module.

Dim names live here and nowhere else (docs/ARCHITECTURE.md conventions): import them, never retype the strings.
"""

__all__ = [
    "BUILDING", "COMPONENT", "TIME", "STRATEGY", "SCENARIO", "MEMBER", "REALIZATION", "NETWORK",
    "NETWORKS", "BUILDING_TYPES", "STRATEGIES", "SOURCE_KINDS", "DAMAGE_STATES",
]

BUILDING = "building"
COMPONENT = "component"
TIME = "time"
STRATEGY = "strategy"
SCENARIO = "scenario"
#: Ensemble members (stage 05, workbench.uncertainty).
MEMBER = "member"
REALIZATION = "realization"
NETWORK = "network"

#: Infrastructure networks every city carries; order is the order of the ``network`` dim.
NETWORKS = ("water", "power", "road")

#: Building types of METHOD §2. ``public`` covers schools, stadiums, town halls (shelter-capable).
BUILDING_TYPES = ("residential", "office", "commercial", "industrial", "public")

#: Recovery strategies of METHOD §5, from pessimistic to optimistic.
STRATEGIES = ("rigid", "semiflexible", "flexible")

#: Node kinds that feed a network (a building is served when its node connects to one of these).
SOURCE_KINDS = {
    "water": frozenset({"source", "reservoir", "tank"}),
    "power": frozenset({"source", "substation", "ext_grid", "generator"}),
    "road": frozenset({"source", "gateway"}),
}

#: Hazus damage states: 0 none, 1 slight, 2 moderate, 3 extensive, 4 complete.
DAMAGE_STATES = ("none", "slight", "moderate", "extensive", "complete")
