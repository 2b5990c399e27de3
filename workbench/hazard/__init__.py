"""The hazard and what it breaks: ground motion and user intensity fields
(:mod:`.ground_motion`), Hazus fragilities and consequences (:mod:`.fragility`), damage
sampling (:mod:`.damage`) and road debris of collapsed buildings (:mod:`.debris`). The ground
motion's public names are importable from here (``from workbench.hazard import
earthquake_intensity``), as before the folders."""

from .ground_motion import *  # noqa: F401,F403  (its __all__)
from .ground_motion import __all__ as _names

__all__ = list(_names)
