"""Where the households are over the recovery (stage 04's people section)."""

from __future__ import annotations

import holoviews as hv
import numpy as np
import xarray as xr

from ...core.dims import STRATEGY, TIME
from .style import DAYS

__all__ = ["HOUSEHOLD_STATE_COLOURS", "household_states"]


#: Fixed colours of the households' states (``workbench.response.agents``).
HOUSEHOLD_STATE_COLOURS = {"home": "#009E73", "shelter": "#56B4E9", "elsewhere": "#E69F00",
                           "unsheltered": "#D55E00"}


def household_states(agents: xr.Dataset, strategy: str) -> hv.Overlay:
    """Residents by where they are (home, shelter, elsewhere, unsheltered) over time, stacked,
    under ``strategy`` (``workbench.response.simulate_agents``)."""
    persons = agents["persons"].sel({STRATEGY: strategy}) if STRATEGY in agents["persons"].dims \
        else agents["persons"]
    t = persons[TIME].values
    y_dim = hv.Dimension("persons", label="Residents [persons]")
    layers, below = [], np.zeros(len(t))
    for k in persons["state"].values.astype(str):          # stacked by hand: fixed colours
        above = below + persons.sel(state=k).values
        layers.append(hv.Area((t, above, below), kdims=[DAYS], vdims=[y_dim, "below"],
                              label=k).opts(facecolor=HOUSEHOLD_STATE_COLOURS.get(k, "#999999"),
                                            alpha=0.9, linewidth=0, backend="matplotlib"))
        below = above
    states = list(persons["state"].values.astype(str))

    def legend(plot, element):           # filled bands carry no legend entry of their own
        from matplotlib.patches import Patch
        plot.handles["axis"].legend(
            handles=[Patch(facecolor=HOUSEHOLD_STATE_COLOURS.get(k, "#999999"), label=k)
                     for k in reversed(states)], loc="center left", bbox_to_anchor=(1.01, 0.5),
            frameon=False)

    return hv.Overlay(layers).opts(title=f"Where the residents are, {strategy}", aspect=2,
                                   hooks=[legend], backend="matplotlib")
