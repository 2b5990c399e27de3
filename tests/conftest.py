"""Shared test set-up: the tracebacks that failing commands write to a temporary file go to the
test's own temporary folder, not to the machine's /tmp; the demo city's default earthquake,
sampled once for the tests that need a real scenario."""

import tempfile
import warnings
from types import SimpleNamespace

import pytest


@pytest.fixture(autouse=True)
def _private_tempdir(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("tmp")
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))   # and in subprocesses
    yield


@pytest.fixture(scope="session")
def demo_quake():
    """The demo city under the default parameters' earthquake: ``params``, the mapped ``city``,
    its ``system`` and the ``damage`` of realisation 0, seed 0 (no road debris: add it with
    :func:`workbench.debris.road_blockage`, which returns a copy)."""
    import workbench as wb
    from workbench.params import validate_params
    from workbench.pipeline.stages import hazard_intensity

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        params = validate_params({})
        city = wb.map_city(wb.demo_city())
        system = wb.build_system(city)
        intensity = hazard_intensity(params["hazard"], city, system.components)
        damage = wb.sample_damage(city.buildings, system.components, intensity,
                                  seed=0).isel(realization=0)
    return SimpleNamespace(params=params, city=city, system=system, damage=damage)
