"""The city: its data model (:mod:`.model`: buildings Dataset + networks, validation, the toy
city), the mapping of buildings onto the networks (:mod:`.mapping`) and synthetic grid cities
(:mod:`.synthetic`). The model's public names are importable from here (``from workbench.city
import City``)."""

from .model import *  # noqa: F401,F403  (the data model's public names, listed in its __all__)
from .model import __all__ as _names

__all__ = list(_names)
