"""Shared test set-up: the tracebacks that failing commands write to a temporary file go to the
test's own temporary folder, not to the machine's /tmp; the demo city's default earthquake,
sampled once for the tests that need a real scenario; one whole ``workbench run`` of the toy
city, shared by the tests that read a finished report (each run costs ~100 s)."""

import os
import tempfile
import warnings
from types import SimpleNamespace

import pytest
import threadpoolctl

# pytest-xdist runs one worker per core (`make test`): each keeps BLAS and OpenMP to one thread,
# here and in the kernels and processes its tests start. With the other core busy, as under
# `make test`, significance_tests on 600 rows took 0.21-0.27 s with OpenBLAS's two threads and
# 0.14 s with one (its SVDs wait on a thread that has no core).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
threadpoolctl.threadpool_limits(1)   # numpy may be loaded already (doctests collect first)


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
    :func:`workbench.hazard.debris.road_blockage`, which returns a copy)."""
    import workbench as wb
    from workbench.run.params import validate_params
    from workbench.run.pipeline.stages import hazard_intensity

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        params = validate_params({})
        city = wb.map_city(wb.demo_city())
        system = wb.build_system(city)
        intensity = hazard_intensity(params["hazard"], city, system.components)
        damage = wb.sample_damage(city.buildings, system.components, intensity,
                                  seed=0).isel(realization=0)
    return SimpleNamespace(params=params, city=city, system=system, damage=damage)


#: The parameters of the shared toy report: small, every stage (stage 06 on 3 members).
TOY_REPORT = {"name": "toy", "horizon_days": 60, "hazard": {"magnitude": 7.0},
              "constraints": {"crews": 2}, "models": {"max_epochs": 3},
              "ensemble": {"members": 12, "draws": 50, "tune": 50, "chains": 1},
              "mitigation": {"members": 3}}


@pytest.fixture(scope="session")
def toy_report(tmp_path_factory):
    """One ``workbench run`` of every notebook on the toy city (:data:`TOY_REPORT`), for the
    tests that only read it: ``dir`` (the run folder), ``base`` (its parent), ``params``,
    ``lines`` (the progress lines the run printed)."""
    from workbench import pipeline
    from workbench.city import toy_city
    from workbench.io.cityio import save_city
    from workbench.run.params import validate_params

    base = tmp_path_factory.mktemp("report")
    params = validate_params({**TOY_REPORT,
                              "city": str(save_city(toy_city(), base / "city" / "toy"))})
    lines = []                       # what `workbench run` prints as it goes
    return SimpleNamespace(dir=pipeline.run(params, base / "run", progress=lines.append),
                           base=base, params=params, lines=lines)


@pytest.hookimpl(tryfirst=True)     # before pytest-xdist's own hook reads the group
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``make test`` runs ``-n auto --dist loadgroup``), the tests that read
    the shared toy report run on one worker, so its ~100 s run is made once, not once a worker.

    pytest-xdist reads the group in its own ``pytest_collection_modifyitems``: without
    ``tryfirst`` here it ran first and saw no group, and the report was made on both workers.
    """
    for item in items:
        if "toy_report" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("toy_report"))
    # the slow tests first (whole runs of ~100-220 s among them), the quick ones after: the
    # workers hand out tests in this order, so the quick ones fill the end and no worker waits
    # alone on a whole run started last
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_runtest_setup(item):
    """Fail a grouped test where ``--dist loadgroup`` did not group it: pytest-xdist 3.8 marks a
    grouped test by renaming it ``<id>@<group>``, which pytest 9.2 ignores (hence ``pytest<9.2``
    in ``pyproject.toml``); the toy report would then be made once per worker, silently."""
    if (getattr(item.config.option, "loadgroup", False) and item.get_closest_marker("xdist_group")
            and "@" not in item.nodeid):
        pytest.fail(f"--dist loadgroup is not in effect under pytest {pytest.__version__}: "
                    f"{item.nodeid} kept its name, so the shared toy report would be made on "
                    "every worker; install the versions pyproject.toml asks for "
                    "(.venv/bin/pip install -e '.[dev]')", pytrace=False)
