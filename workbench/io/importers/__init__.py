"""Import a city from data a user brings: OpenStreetMap, EPANET, pandapower, GeoJSON (METHOD §9–10).

Every reader returns the workbench's own types (a buildings ``xarray.Dataset`` on dim
``building``, ``networkx.Graph`` networks with the attribute vocabulary of :mod:`workbench.city`),
in projected metres. The rules that turn raw tags into workbench fields are tables in this
package (re-exported here), so that they are documented and can be read, cited, changed:

* :data:`BUILDING_TAG_TYPES`, :data:`AMENITY_TYPES`, :data:`LANDUSE_TYPES` — OSM tags → type;
* :data:`AREA_PER_PERSON` — floor area per occupant by type → baseline occupancy Q0;
* :func:`structural_class` — type, storeys, year → Hazus model building type;
* :data:`REPAIR_RULES` — edge kind, length → repair effort [crew-days] and cost [EUR];
* :data:`SYNTHETIC_PROCESS` — the seeded process behind the synthetic socioeconomic fields;
* :data:`PEAK_POWER_W_PER_M2`, :data:`WATER_L_PER_PERSON_DAY` and the source capacities of
  :mod:`~workbench.io.importers.utilities` — load → number of sources (:func:`source_sizing`).

Gaps (missing levels, year, type) are filled by seeded draws from what *is* observed in the same
extract, and every imputed value is flagged in a ``*_source`` variable (``constant`` where nothing
usable was observed). :func:`field_provenance` gives, per field, how many values came from the
data, an imputation, a constant default or a synthetic process. Water and power networks, when
no real network is given, are laid along the real streets by :func:`lay_network_along_streets`,
with as many sources as the load needs (:func:`source_sizing`).

Modules: :mod:`~workbench.io.importers.osm` (OpenStreetMap and its tag rules),
:mod:`~workbench.io.importers.provenance` (where each field came from),
:mod:`~workbench.io.importers.buildings` (building rules, GeoJSON),
:mod:`~workbench.io.importers.graphs` (repair rules, graph conventions),
:mod:`~workbench.io.importers.utilities` (networks laid along streets),
:mod:`~workbench.io.importers.epanet`, :mod:`~workbench.io.importers.pandapower`,
:mod:`~workbench.io.importers.build` (a whole city).
"""

from .build import city_from_osm
from .buildings import (AREA_PER_PERSON, read_buildings_geojson, structural_class,
                        write_buildings_geojson)
from .epanet import read_epanet
from .graphs import REPAIR_RULES, repair_effort
from .osm import (AMENITY_TYPES, BUILDING_TAG_TYPES, LANDUSE_TYPES, SYNTHETIC_FIELDS,
                  SYNTHETIC_PROCESS, read_osm)
from .pandapower import read_pandapower
from .provenance import PROVENANCE, field_provenance
from .utilities import (PEAK_POWER_W_PER_M2, WATER_L_PER_PERSON_DAY, lay_network_along_streets,
                        source_sizing)

__all__ = [
    "read_osm", "lay_network_along_streets", "read_epanet", "read_pandapower",
    "read_buildings_geojson", "write_buildings_geojson", "city_from_osm", "structural_class",
    "repair_effort", "BUILDING_TAG_TYPES", "AMENITY_TYPES", "LANDUSE_TYPES", "AREA_PER_PERSON",
    "REPAIR_RULES", "SYNTHETIC_PROCESS", "SYNTHETIC_FIELDS", "field_provenance", "PROVENANCE",
    "source_sizing", "PEAK_POWER_W_PER_M2", "WATER_L_PER_PERSON_DAY",
]
