"""Tests of workbench.uncertainty.ensemble: reproducible members, the same Dataset serial or on a
cluster, fast failure on a dead scheduler, checked priors, and the direction of each input."""

import math
import socket
import time

import numpy as np
import pytest
import xarray as xr

from workbench.hazard.damage import sample_damage
from workbench.hazard.debris import road_blockage
from workbench.core.errors import InputError
from workbench.hazard import Earthquake, earthquake_intensity
from workbench.metrics.indexes import summary_indexes
from workbench.recovery import Constraints, simulate_recovery
from workbench.city.synthetic import grid_city
from workbench.network.system import build_system
from workbench.uncertainty.ensemble import (DEFAULT_PRIORS, MEMBER, PRIOR_NAMES, check_priors,
                                            run_ensemble, run_member, sample_members,
                                            save_ensemble)

DESIGN = "2B"


@pytest.fixture(scope="module")
def setting():
    """A small synthetic city under a moderate earthquake 3 km off its centre, with the
    realistic limits (inspections, delays, mobilisation, crews by trade)."""
    city = grid_city(120, 150, seed=2)
    system = build_system(city)
    x, y = float(city.buildings["x"].mean()), float(city.buildings["y"].mean())
    shaking = earthquake_intensity(Earthquake(5.5, x + 3000.0, y), city.buildings,
                                   system.components)
    limits = Constraints(crews={"building": 6, "water": 2, "power": 2, "road": 2},
                         horizon_days=120, commitment_days=7, inspections_per_day=20.0,
                         impeding_delays=True, mobilisation_days=1.0)
    return city, system, shaking, limits


def _run(setting, draws, **kwargs):
    city, system, shaking, limits = setting
    return run_ensemble(city, system, shaking, limits, draws, design_code=DESIGN, **kwargs)


def _without_run_attrs(ds):
    return ds.drop_attrs()


def _fixed(draws, **values):
    """``draws`` with some multipliers set to one value for every member (seeds kept)."""
    n = draws.sizes[MEMBER]
    return draws.assign({k: (MEMBER, np.full(n, float(v))) for k, v in values.items()})


def test_first_members_do_not_depend_on_the_member_count(setting):
    five, eight = sample_members(members=5, seed=11), sample_members(members=8, seed=11)
    head = eight.isel({MEMBER: slice(0, 3)})
    for name in [*PRIOR_NAMES, "damage_seed", "recovery_seed"]:
        np.testing.assert_array_equal(five[name].values[:3], head[name].values)
    small, large = _run(setting, five), _run(setting, eight)
    assert _without_run_attrs(small.isel({MEMBER: slice(0, 3)})).identical(
        _without_run_attrs(large.isel({MEMBER: slice(0, 3)})))
    # members differ from each other (the seeds are not all the same)
    assert len(set(five["damage_seed"].values.tolist())) == 5


@pytest.mark.slow
def test_serial_and_two_workers_give_the_same_dataset(setting):
    draws = sample_members(members=6, seed=4)
    serial = _run(setting, draws)
    done = []
    parallel = _run(setting, draws, workers=2, batch_size=2,
                    progress=lambda d, n: done.append((d, n)))
    assert parallel.attrs["engine"] == "local cluster, 2 workers"
    assert _without_run_attrs(serial).identical(_without_run_attrs(parallel))
    assert done[0] == (0, 6) and sorted(done)[-1] == (6, 6) and len(done) == 4  # start, 3 tasks
    # a pool of worker processes (no dask), and a named local cluster, likewise
    done.clear()
    pool = _run(setting, draws, scheduler="processes", workers=2, batch_size=2,
                progress=lambda d, n: done.append((d, n)))
    assert pool.attrs["engine"] == "processes, 2 workers" and len(done) == 4
    assert _without_run_attrs(pool).identical(_without_run_attrs(serial))
    named = _run(setting, draws, scheduler="local", workers=2, batch_size=3)
    assert named.attrs["engine"] == "local cluster, 2 workers"
    assert _without_run_attrs(named).identical(_without_run_attrs(serial))
    assert _run(setting, draws, scheduler="serial").attrs["engine"] == "serial"
    # and in batches of another size, serially
    assert _without_run_attrs(_run(setting, draws, batch_size=4)).identical(
        _without_run_attrs(serial))


@pytest.mark.slow
def test_unreachable_scheduler_fails_fast_naming_the_address(setting):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]       # free once closed: nothing listens there
    address = f"tcp://127.0.0.1:{port}"
    start = time.perf_counter()
    with pytest.raises(InputError, match=f"scheduler '{address}' did not answer"):
        _run(setting, sample_members(members=2, seed=0), scheduler=address)
    assert time.perf_counter() - start < 10.0


def test_a_running_scheduler_runs_the_same_members(setting):
    from distributed import LocalCluster
    draws = sample_members(members=3, seed=12)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        remote = _run(setting, draws, scheduler=address, batch_size=2)
    assert remote.attrs["engine"] == f"scheduler {address}"
    assert _without_run_attrs(remote).identical(_without_run_attrs(_run(setting, draws)))


@pytest.mark.slow
def test_a_scheduler_without_workers_is_an_input_error(setting):
    from distributed import LocalCluster
    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        start = time.perf_counter()
        with pytest.raises(InputError, match="has no workers"):
            _run(setting, sample_members(members=2, seed=0),
                 scheduler=cluster.scheduler_address)
        assert time.perf_counter() - start < 10.0


@pytest.mark.parametrize("priors, match", [
    ({"crew_productivity": (0.0, 0.2)}, "median must be a finite number > 0"),
    ({"crew_productivity": (-1.0, 0.2)}, "median must be a finite number > 0"),
    ({"repair_time_scale": (1.0, 0.0)}, "sigma must be a finite number > 0"),
    ({"repair_time_scale": {"median": 1.0, "sigma": -0.1}}, "sigma must be a finite"),
    ({"crew_speed": (1.0, 0.2)}, r"unknown uncertain input\(s\) \['crew_speed'\]"),
    ([("crew_productivity", 1.0, 0.2)], "priors must be a mapping"),
    ({"crew_productivity": (1.0, 0.2, 0.1)}, "must be a Prior, a mapping"),
    ({"crew_productivity": {"median": 1.0}}, "must give 'median' and 'sigma'"),
    ({"crew_productivity": {"median": 1.0, "sigma": 0.1, "mean": 2}}, "must give 'median'"),
    ({"crew_productivity": ("1", 0.2)}, "median must be a finite number"),
])
def test_bad_priors_are_input_errors(priors, match):
    with pytest.raises(InputError, match=match):
        check_priors(priors)
    with pytest.raises(InputError, match=match):
        sample_members(priors, members=2)


def test_default_priors_are_labelled():
    priors = check_priors(DEFAULT_PRIORS)
    assert list(priors) == list(PRIOR_NAMES)
    for prior in priors.values():
        assert prior.median == 1.0 and 0 < prior.sigma < 1 and prior.source and prior.note
    draws = sample_members(members=400, seed=2)
    for name, prior in priors.items():       # lognormal: the log has the stated sd
        assert np.std(np.log(draws[name].values)) == pytest.approx(prior.sigma, rel=0.15)


def test_a_member_at_unit_multipliers_is_the_plain_chain(setting):
    """With every multiplier 1 a member is sample_damage → road_blockage → simulate_recovery
    → summary_indexes with the member's seeds: the ensemble changes nothing else."""
    city, system, shaking, limits = setting
    draws = _fixed(sample_members(members=1, seed=8), **dict.fromkeys(PRIOR_NAMES, 1.0))
    member = run_member(city, system, shaking, limits, draws.isel({MEMBER: 0}),
                        design_code=DESIGN)
    seeds = {k: int(draws[k].values[0]) for k in ("damage_seed", "recovery_seed")}
    damage = road_blockage(system, sample_damage(city.buildings, system.components, shaking,
                                                 seed=seeds["damage_seed"], design_code=DESIGN))
    one = damage.isel(realization=0)
    recovery = simulate_recovery(city, system, one, limits, seed=seeds["recovery_seed"])
    summary = summary_indexes(recovery, city, one)
    for strategy in recovery["strategy"].values.tolist():
        got = member.sel(strategy=strategy)
        assert float(got["economic_loss"]) == summary[strategy]["economic_loss"]
        assert float(got["service_loss_person_days"]) == \
            summary[strategy]["service_loss_person_days"]
        day = summary[strategy]["recovery_days_95"]
        assert float(got["recovery_days_95"]) == (math.inf if day is None else day)
    np.testing.assert_array_equal(member["ep_functionality"].values,
                                  recovery["ep_functionality"].values)


def test_stronger_fragilities_damage_fewer_buildings(setting):
    draws = sample_members(members=6, seed=5)
    weak = _run(setting, _fixed(draws, fragility_median_scale=0.7))
    strong = _run(setting, _fixed(draws, fragility_median_scale=1.5))
    # same seeds: the same uniform draws meet lower exceedance curves, member by member
    assert (strong["damaged_buildings"] <= weak["damaged_buildings"]).all()
    assert strong["damaged_buildings"].mean() < weak["damaged_buildings"].mean()
    assert (strong["repair_cost"].mean() < weak["repair_cost"].mean()).all()


@pytest.mark.slow
def test_more_productive_crews_lose_less(setting):
    draws = _fixed(sample_members(members=6, seed=6), fragility_median_scale=1.0)
    slow = _run(setting, _fixed(draws, crew_productivity=0.7))
    fast = _run(setting, _fixed(draws, crew_productivity=1.5))
    # the damage is the same (same seeds and fragilities), the repairs go faster
    xr.testing.assert_equal(slow["repair_cost"], fast["repair_cost"])
    assert (fast["economic_loss"].mean(MEMBER) < slow["economic_loss"].mean(MEMBER)).all()
    assert (fast["service_loss_person_days"].mean(MEMBER)
            <= slow["service_loss_person_days"].mean(MEMBER)).all()
    longer = _run(setting, _fixed(draws, crew_productivity=1.0, repair_time_scale=1.6))
    assert (longer["economic_loss"].mean(MEMBER) > fast["economic_loss"].mean(MEMBER)).all()


def test_ep_unit_scale_moves_the_ep_loss_not_the_schedule(setting):
    draws = _fixed(sample_members(members=3, seed=7), **dict.fromkeys(PRIOR_NAMES, 1.0))
    base = _run(setting, draws)
    rich = _run(setting, _fixed(draws, ep_unit_scale=2.0))
    np.testing.assert_allclose(rich["ep_loss"], 2.0 * base["ep_loss"], rtol=1e-9)
    np.testing.assert_allclose(rich["service_loss_person_days"],
                               base["service_loss_person_days"], rtol=1e-12)
    xr.testing.assert_equal(rich["repair_cost"], base["repair_cost"])


def test_draws_keep_their_member_labels(setting):
    draws = sample_members(members=5, seed=3).isel({MEMBER: slice(2, 5)})
    ens = _run(setting, draws)
    assert ens[MEMBER].values.tolist() == [2, 3, 4]
    np.testing.assert_array_equal(ens["crew_productivity"], draws["crew_productivity"])


def test_every_strategy_of_a_member_recovers_the_same_damage(setting):
    city, system, shaking, limits = setting
    draws = sample_members(members=1, seed=9).isel({MEMBER: 0})
    together = run_member(city, system, shaking, limits, draws, design_code=DESIGN)
    # one damage: the same direct repair cost under every strategy ...
    assert (together["repair_cost"] == together["repair_cost"][0]).all()
    # ... and each strategy alone, on that member, gives what it gave beside the others
    for strategy in together["strategy"].values.tolist():
        alone = run_member(city, system, shaking, limits, draws, strategies=[strategy],
                           design_code=DESIGN)
        assert alone.isel(strategy=0).identical(together.sel(strategy=strategy))


def test_dataset_layout_and_netcdf_roundtrip(setting, tmp_path):
    ens = _run(setting, sample_members(members=3, seed=1))
    assert dict(ens.sizes) == {"member": 3, "strategy": 3, "time": 121}
    assert ens["economic_loss"].dims == ("member", "strategy")
    assert ens["ep_functionality"].dims == ("member", "strategy", "time")
    assert ens["crew_productivity"].dims == ("member",)
    assert ens.attrs["seed"] == 1 and ens.attrs["n_members"] == 3
    assert set(DEFAULT_PRIORS) <= set(__import__("json").loads(ens.attrs["priors"]))
    assert ((ens["ep_functionality"] >= 0) & (ens["ep_functionality"] <= 1 + 1e-12)).all()
    path = save_ensemble(ens, tmp_path / "ensemble.nc")
    back = xr.load_dataset(path, engine="h5netcdf")
    xr.testing.assert_identical(back, ens)


def test_bad_run_arguments(setting):
    draws = sample_members(members=2, seed=0)
    for kwargs, match in [({"workers": 0}, "workers must be a positive integer"),
                          ({"workers": 2, "scheduler": "tcp://127.0.0.1:1"},
                           "workers= goes with scheduler 'local' or 'processes'"),
                          ({"workers": 2, "scheduler": "serial"}, "not with 'serial'"),
                          ({"scheduler": "localhost"},
                           "scheduler must be one of serial, processes, local or a dask "
                           "scheduler's address"),
                          ({"batch_size": 0}, "batch_size must be a positive integer"),
                          ({"seed": 3}, "differs from the draws' seed")]:
        with pytest.raises(InputError, match=match):
            _run(setting, draws, **kwargs)
    with pytest.raises(InputError, match="draws must be the Dataset of sample_members"):
        _run(setting, [1, 2])


# --------------------------------------------------------------------------- failures, resume

def _failing(monkeypatch, bad):
    """Members whose label is in ``bad`` raise inside the member (the serial engine)."""
    import workbench.uncertainty.ensemble as ensemble
    real = ensemble._member_arrays

    def member(city, system, intensity, constraints, values, *args, **kwargs):
        if int(values["member"]) in bad:
            raise FloatingPointError(f"injected failure of member {int(values['member'])}")
        return real(city, system, intensity, constraints, values, *args, **kwargs)
    monkeypatch.setattr(ensemble, "_member_arrays", member)


@pytest.mark.slow
def test_an_ensemble_with_one_percent_failed_members_completes_and_lists_them(setting,
                                                                             monkeypatch):
    import json
    draws = sample_members(members=100, seed=21)
    _failing(monkeypatch, {37})
    ens = _run(setting, draws, batch_size=25)
    assert ens.sizes[MEMBER] == 99 and 37 not in ens[MEMBER].values
    assert ens.attrs["n_failed"] == 1
    (failed,) = json.loads(ens.attrs["failed_members"])
    assert failed["member"] == 37 and "injected failure of member 37" in failed["error"]
    assert failed["damage_seed"] == int(draws["damage_seed"].sel(member=37))
    # the others are the members of a run without the failure, bit for bit
    monkeypatch.undo()
    whole = _run(setting, draws.sel({MEMBER: [36, 38]}), batch_size=25)
    xr.testing.assert_identical(_without_run_attrs(ens.sel({MEMBER: [36, 38]})),
                                _without_run_attrs(whole))


def test_more_failed_members_than_allowed_stop_the_ensemble_naming_them(setting, monkeypatch):
    from workbench.core.errors import StageError
    _failing(monkeypatch, {1, 3})
    with pytest.raises(StageError, match=r"2 of 6 members failed, more than the 5% allowed.*"
                                         r"member 1 \(damage seed \d+\): FloatingPointError"):
        _run(setting, sample_members(members=6, seed=2))
    assert _run(setting, sample_members(members=6, seed=2), max_failed_share=0.5
                ).attrs["n_failed"] == 2


def test_an_interrupted_ensemble_resumes_from_its_store_to_the_same_result(setting, tmp_path):
    draws = sample_members(members=6, seed=5)
    seen = []

    def stop_after_two_batches(done, total):
        seen.append(done)
        if len(seen) == 3:              # the start (0 done), then two batches
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        _run(setting, draws, batch_size=2, store=tmp_path / "store", progress=stop_after_two_batches)
    kept = sorted(p.name for p in (tmp_path / "store").iterdir())
    assert kept == ["batch_00000.nc", "batch_00001.nc", "ensemble.json"]
    progress = []
    resumed = _run(setting, draws, batch_size=2, store=tmp_path / "store",
                   progress=lambda done, total: progress.append(done))
    assert progress == [4, 6]               # two batches taken from disk, one run
    whole = _run(setting, draws, batch_size=2)
    xr.testing.assert_identical(_without_run_attrs(resumed), _without_run_attrs(whole))
    for a, b in ((resumed, whole), (whole, resumed)):   # and the file it is saved as
        for name in a.data_vars:
            assert a[name].values.tobytes() == b[name].values.tobytes(), name


def test_a_store_of_another_run_is_refused(setting, tmp_path):
    from dataclasses import replace
    from workbench.functionality import TableFunctionality
    _run(setting, sample_members(members=2, seed=5), store=tmp_path / "s")
    with pytest.raises(InputError, match="holds batches of another run"):
        _run(setting, sample_members(members=2, seed=6), store=tmp_path / "s")
    # the same members on another city, or with other functionality tables, are another run
    city, system, shaking, limits = setting
    other = city.with_buildings(city.buildings.assign(
        floor_area=city.buildings["floor_area"] * 2))
    with pytest.raises(InputError, match="holds batches of another run"):
        run_ensemble(other, system, shaking, limits, sample_members(members=2, seed=5),
                     design_code=DESIGN, store=tmp_path / "s")
    table = TableFunctionality()
    richer = replace(table, ep_unit_full={k: 2 * v for k, v in table.ep_unit_full.items()})
    with pytest.raises(InputError, match="holds batches of another run"):
        _run(setting, sample_members(members=2, seed=5), store=tmp_path / "s",
             functionality=richer)
    again = _run(setting, sample_members(members=2, seed=5), store=tmp_path / "s")
    assert again.sizes[MEMBER] == 2                     # the same run still takes its batches
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty and holds no ensemble.json"):
        _run(setting, sample_members(members=2, seed=5), store=tmp_path / "other")


@pytest.mark.slow
def test_an_external_scheduler_with_two_workers_gives_the_serial_members(setting, tmp_path):
    """A scheduler and two workers started here as their own processes (`dask scheduler`,
    `dask worker`, on 127.0.0.1), as a user's cluster would be; stopped and gone afterwards."""
    import subprocess
    import sys
    import psutil
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "dask"]
    logs = open(tmp_path / "dask.log", "w")
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stdout=logs, stderr=logs)]
    try:
        procs += [subprocess.Popen([*dask, "worker", address, "--nthreads", "1",
                                    "--no-dashboard", "--host", "127.0.0.1"],
                                   stdout=logs, stderr=logs) for _ in range(2)]
        from distributed import Client
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=60)
        draws = sample_members(members=6, seed=13)
        remote = _run(setting, draws, scheduler=address, batch_size=1, store=tmp_path / "s")
        assert remote.attrs["engine"] == f"scheduler {address}"
        assert _without_run_attrs(remote).identical(_without_run_attrs(_run(setting, draws)))
        assert len(list((tmp_path / "s").glob("batch_*.nc"))) == 6   # written as they came
    finally:
        family = [psutil.Process(p.pid) for p in procs if p.poll() is None]
        family += [c for p in family for c in p.children(recursive=True)]
        for p in procs:
            p.terminate()
        _, alive = psutil.wait_procs(family, timeout=30)
        for p in alive:
            p.kill()
        logs.close()
    assert not [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.slow           # two stage-05 runs with their NUTS fits (~10 s)
def test_a_stored_ensemble_is_read_lazily_and_stage_05_gives_the_same_numbers(tmp_path):
    """With a store the ensemble comes back read from its batch files (dask, nothing held in
    memory), and stage 05 and its ensemble.nc are what the in-memory run gives."""
    import json
    import dask.array
    from workbench.city import toy_city
    from workbench.io.cityio import save_city
    from workbench.run.params import validate_params
    from workbench.run.pipeline.uncertainty import uncertainty_stage, write_uncertainty
    folder = save_city(toy_city(), tmp_path / "toy")
    out = {}
    for name, store in (("memory", None), ("stored", str(tmp_path / "store"))):
        params = validate_params({"city": str(folder), "horizon_days": 40,
                                  "hazard": {"magnitude": 7.0}, "constraints": {"crews": 2},
                                  "ensemble": {"members": 12, "draws": 30, "tune": 30,
                                               "chains": 1, "batch_size": 5, "store": store}})
        result = uncertainty_stage(params, toy_city())
        lazy = isinstance(result.ensemble["ep_functionality"].data, dask.array.Array)
        assert lazy == (store is not None), name
        (tmp_path / name).mkdir()
        write_uncertainty(tmp_path / name, result)
        out[name] = result
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == [
        "batch_00000.nc", "batch_00001.nc", "batch_00002.nc", "ensemble.json"]
    a, b = out["memory"].summary, out["stored"].summary
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    with xr.open_dataset(tmp_path / "memory" / "ensemble.nc") as m, \
            xr.open_dataset(tmp_path / "stored" / "ensemble.nc") as s:
        xr.testing.assert_identical(m.drop_attrs(), s.drop_attrs())
        assert set(m.attrs) - {"wall_seconds", "task_seconds", "task_cpu_seconds"} == \
            set(s.attrs) - {"wall_seconds", "task_seconds", "task_cpu_seconds"}


@pytest.mark.slow
def test_the_cluster_example_starts_a_cluster_whose_members_equal_the_serial_ones():
    """examples/dask_cluster.py, the README's way onto a SLURM cluster, on its local path: it
    prints the scheduler's address and its check finds the members equal."""
    import subprocess
    import sys
    from pathlib import Path
    script = Path(__file__).resolve().parent.parent / "examples" / "dask_cluster.py"
    done = subprocess.run([sys.executable, str(script), "local", "--workers", "2", "--check",
                           "--once"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "scheduler: tcp://127.0.0.1:" in done.stdout
    assert "check: six members on the cluster equal the serial run" in done.stdout
