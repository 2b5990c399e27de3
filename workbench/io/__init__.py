"""Readers and writers above the model they fill: city folders (:mod:`.cityio`), the bundled
demo city (:mod:`.demo`), importers of OpenStreetMap, EPANET, pandapower and building files
(:mod:`.importers`) and SimCenter/pelicun interoperability (:mod:`.interop`)."""
