"""The constraint dashboard without a browser (issue [widgets]): widget callbacks recompute what
``workbench simulate`` computes, a failing setting shows its error and the page keeps working,
the parameter file it saves replays to the same numbers, hostile text stays text."""

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from workbench import pipeline
from workbench.city import toy_city
from workbench.io.cityio import save_city
from workbench.run.dashboard import BOUNDS, Dashboard, restoration_map_svg
from workbench.core.errors import InputError
from workbench.run.params import load_params


@pytest.fixture(scope="module")
def dash(tmp_path_factory):
    return Dashboard(save_dir=tmp_path_factory.mktemp("saved"))


def _simulated(params, out):
    """``summary.json``'s strategies of ``workbench simulate`` on ``params``."""
    folder = pipeline.simulate(params, out)
    return json.loads((folder / "summary.json").read_text())["strategies"]


@pytest.mark.slow
def test_a_crew_change_recomputes_what_simulate_gives_and_replays_exactly(dash, tmp_path):
    before = dash.summary["flexible"]["economic_loss"]
    dash.controls["crews.building"].value = 20
    assert dash.error is None
    assert dash.timings["damage"] == 0.0             # damage cached: recovery only
    after = dash.summary["flexible"]["economic_loss"]
    # a third of the building crews: more loss (raising them from the default's 60 moves
    # nothing at the default M 5.5, whose 126 damaged buildings 60 crews already serve as
    # fast as the delays and the power network allow; the work table says so)
    assert after > before
    saved = dash.save("fewer_crews.yaml")
    params = load_params(saved)
    assert params["constraints"]["crews"]["building"] == 20
    assert _simulated(params, tmp_path / "replay") == dash.summary   # bit for bit, every index
    assert f">{after / 1e9:,.3f}<" in dash.table.value   # the table shows the new run
    dash.controls["crews.building"].value = 60


@pytest.mark.slow
def test_commitment_materials_and_hazard_controls_reach_the_parameters(dash, tmp_path):
    c = dash.controls
    c["commitment_to_completion"].value = True
    assert math.isinf(dash.current_params()["constraints"]["commitment_days"])
    c["materials_unlimited"].value = False
    c["materials_per_day"].value = 1e7
    assert dash.current_params()["constraints"]["materials_per_day"] == pytest.approx(1e7)
    c["magnitude"].value = 6.0
    c["east_km"].value = 1.0
    p = dash.current_params()
    assert p["hazard"]["magnitude"] == 6.0 and p["hazard"]["location"] != "centre"
    assert dash.timings["damage"] > 0                # a new hazard: damage sampled again
    assert _simulated(p, tmp_path / "replay") == dash.summary
    c["magnitude"].value, c["east_km"].value = 5.5, 0.0
    c["materials_unlimited"].value = True
    c["commitment_to_completion"].value = False
    assert dash.current_params()["hazard"]["location"] == "centre"


def _work_row(dash, trade):
    import re
    row = re.search(rf"<tr><td[^>]*>{trade}</td>(.*?)</tr>", dash.work.value).group(1)
    return re.findall(r">([^<]*)</td>", row)


@pytest.mark.slow
def test_the_work_table_shows_what_each_trade_has_to_do_and_when_it_is_done(dash):
    """Every crew slider moves a number a user sees, or the table shows why it cannot."""
    damage = dash.damage.isel(realization=0)
    net = dash.system.components["network"].values.astype(str)
    out = ~damage["component_functional"].values.astype(bool)
    for trade in ("water", "power", "road"):   # the recovery's tasks: components out of service
        items, work = _work_row(dash, trade)[:2]
        assert int(items.replace(",", "")) == int((out & (net == trade)).sum())
        assert float(work.replace(",", "")) == pytest.approx(
            damage["component_repair_days"].values[out & (net == trade)].sum(), abs=0.05)
    assert _work_row(dash, "building")[0] == f"{int((damage['building_repair_days'] > 0).sum()):,}"
    # a trade with nothing to repair says so: no items, no day (at the default M 5.5 no
    # building collapses onto a road), so its slider cannot move anything
    road = _work_row(dash, "road")
    if road[0] == "0":
        assert set(road[2:]) == {"–"}
    before = _work_row(dash, "power")[2:]
    assert all(d.isdigit() for d in before)          # the demo's power is all back in time
    dash.controls["crews.power"].value = 2
    after = _work_row(dash, "power")[2:]
    assert all(int(a) > int(b) for a, b in zip(after, before))   # two power crews: done later
    dash.controls["crews.power"].value = 6


@pytest.mark.slow
def test_a_refused_setting_shows_its_error_and_the_page_keeps_working(dash):
    start = dict(dash.summary["rigid"])
    for trade in ("building", "water", "power"):
        dash.controls[f"crews.{trade}"].value = 0
    assert dash.error is None
    good, table = dict(dash.summary["rigid"]), dash.table.value
    dash.controls["crews.road"].value = 0           # no crew of any trade: refused
    assert "at least one crew" in dash.error
    assert "Not recomputed" in dash.status.value and "at least one crew" in dash.status.value
    assert dash.table.value == table and dash.summary["rigid"] == good   # last good figures kept
    dash.controls["crews.building"].value = 60
    for trade, n in (("water", 6), ("power", 6), ("road", 3)):
        dash.controls[f"crews.{trade}"].value = n
    assert dash.error is None and dash.summary["rigid"] == start
    dash.controls["strategies"].value = ()
    assert "at least one strategy" in dash.error
    dash.controls["strategies"].value = ("semiflexible",)
    assert dash.error is None and list(dash.summary) == ["semiflexible"]
    assert list(dash.controls["map_strategy"].options) == ["semiflexible"]
    dash.controls["strategies"].value = ("rigid", "semiflexible", "flexible")


@pytest.mark.slow
def test_widgets_are_bounded_to_valid_constraints(dash):
    for key, (lo, hi, _) in BOUNDS.items():
        if key in dash.controls:
            w = dash.controls[key]
            assert (w.min, w.max) == (lo, hi), key
    w = dash.controls["crews.building"]
    w.value = -5
    assert w.value == 0                               # the widget clamps; it never goes negative


@pytest.mark.parametrize("name", ["../escape.yaml", "/etc/passwd", "a/b.yaml", "", ".hidden"])
def test_save_takes_a_plain_file_name_only(dash, name):
    with pytest.raises(InputError, match="plain file name"):
        dash.save(name)
    dash.save_name.value = name
    dash._save_clicked()
    assert "plain file name" in dash.save_status.value


def test_map_hover_text_names_the_building_and_escapes_it(tmp_path):
    city = toy_city()
    ids = ["<b>x</b>"] + [str(i) for i in city.buildings["building"].values[1:]]
    city = replace(city, buildings=city.buildings.assign_coords(building=ids))
    save_city(city, tmp_path / "city")
    dash = Dashboard({"city": str(tmp_path / "city"), "hazard": {"magnitude": 7.0}},
                     save_dir=tmp_path)
    assert dash.error is None
    svg = dash.map.value
    assert "<b>x</b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg
    assert svg.count("<title>") == len(ids)
    day = dash.recovery["building_restored_day"].sel(strategy="rigid").values
    state = dash.damage["building_damage_state"].isel(realization=0).values
    first = svg.split("<title>")[1:]
    shown = [t.split("</title>")[0] for t in first]
    for i, bid in enumerate(ids[1:], start=1):
        tip = next(t for t in shown if t.startswith(f"{bid} "))
        assert f"(DS{state[i]})" in tip
        if state[i] > 0 and np.isfinite(day[i]):
            assert f"day {day[i]:.0f}" in tip


def _toy_map_inputs(states, days_by_strategy: dict, horizon: int):
    """The toy city, a damage of ``states`` and a recovery restoring its buildings on
    ``days_by_strategy`` (strategy → a day per building) within ``horizon`` days."""
    import xarray as xr
    city = toy_city()
    b = city.buildings["building"].values
    damage = xr.Dataset({"building_damage_state": ("building", states)}, coords={"building": b})
    rec = xr.Dataset({"building_restored_day": (("strategy", "building"),
                                                list(days_by_strategy.values()))},
                     coords={"strategy": list(days_by_strategy), "building": b,
                             "time": np.arange(horizon + 1)})
    return city, damage, rec


def test_the_map_marks_buildings_not_restored_within_the_horizon():
    city, damage, rec = _toy_map_inputs([4, 0, 0, 0, 0, 0], {"rigid": [np.inf, 0, 0, 0, 0, 0]},
                                        30)
    svg = restoration_map_svg(city, damage, rec, "rigid")
    assert "not within the 30-day horizon" in svg and svg.count("undamaged") == 5 + 1


def test_the_map_scale_ends_at_the_last_restoration_of_any_strategy_not_the_horizon():
    from matplotlib import colormaps
    from matplotlib.colors import to_hex
    city, damage, rec = _toy_map_inputs([2, 1, 0, 0, 0, 0], {"rigid": [40, 10, 0, 0, 0, 0],
                                                             "flexible": [20, 5, 0, 0, 0, 0]},
                                        2190)
    svg = restoration_map_svg(city, damage, rec, "flexible")
    assert ">day 40<" in svg and ">day 2190<" not in svg      # rigid's last day, shared
    assert f"fill='{to_hex(colormaps['viridis'](0.5))}'" in svg   # flexible's day 20 of 40


@pytest.mark.slow
def test_a_run_folder_brings_its_trained_archive_and_stage_05_result(tmp_path):
    from workbench.functionality import TableFunctionality
    from workbench.models.archive import save_archive, table_archive
    from workbench.run.pipeline.writer import write_params
    from workbench.run.params import validate_params
    run = tmp_path / "run"
    (run / "models").mkdir(parents=True)
    params = validate_params({"strategies": ["flexible"]})
    write_params(run, params)
    archive = table_archive(TableFunctionality())
    archive["ep_unit"] = archive["ep_unit"] * 0.5          # a "trained" model that differs
    save_archive(archive, run / "models" / "functionality_table.nc")
    (run / "uncertainty.json").write_text(json.dumps({"members": 3}))   # a stage-05 result
    dash = Dashboard.from_file(None, run_dir=run, save_dir=tmp_path)
    assert list(dash.summary) == ["flexible"]                # the run's own parameters
    assert dash.controls["functionality"].options == ("table", "trained")
    table_loss = dash.summary["flexible"]["ep_loss"]
    dash.controls["functionality"].value = "trained"
    assert dash.error is None
    assert dash.summary["flexible"]["ep_loss"] < table_loss  # half the EP per m²: less EP lost
    assert dash.current_params()["models"]["functionality"] == "trained"
    assert "stage 05" in dash.context and "Over 3 ensemble members" in dash.context


@pytest.mark.slow
def test_a_mitigation_switch_moves_the_numbers_and_replays(dash, tmp_path):
    before = dash.summary["flexible"]["economic_loss"]
    dash.controls["mitigation"].value = ("retrofit-public",)
    assert dash.error is None and dash.timings["damage"] > 0        # retrofit: new damage
    assert dash.current_params()["mitigation"]["apply"] == ["retrofit-public"]
    assert dash.summary["flexible"]["economic_loss"] < before
    assert _simulated(dash.current_params(), tmp_path / "replay") == dash.summary
    dash.controls["mitigation"].value = ()
    assert dash.summary["flexible"]["economic_loss"] == before


@pytest.mark.slow
def test_the_notebook_runs_as_it_is_on_the_demo_city(tmp_path, monkeypatch):
    """notebooks/explore_constraints.ipynb executes with no editing (as in JupyterLab's Run All)."""
    import nbformat
    from nbclient import NotebookClient
    from workbench.core.paths import NOTEBOOKS_DIR
    for name in ("WORKBENCH_DASHBOARD_PARAMS", "WORKBENCH_DASHBOARD_RUN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORKBENCH_DASHBOARD_SAVE_DIR", str(tmp_path))
    nb = nbformat.read(NOTEBOOKS_DIR / "explore_constraints.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


@pytest.mark.slow
def test_a_one_pool_file_round_trips_unchanged(tmp_path):
    # `crews: 20` is one shared pool (crews of any trade), not 20 building crews and no
    # network crews: the dashboard shows one slider for it and writes it back as one number
    source = tmp_path / "pool.yaml"
    source.write_text("constraints:\n  crews: 20\nhorizon_days: 120\n")
    original = load_params(source)
    dash = Dashboard(original, save_dir=tmp_path / "saved")
    assert dash.error is None
    assert "crews.any" in dash.controls and "crews.building" not in dash.controls
    assert dash.controls["crews.any"].value == 20
    replayed = load_params(dash.save("unchanged.yaml"))
    assert replayed["constraints"]["crews"] == 20
    assert replayed == original
    dash.controls["crews.any"].value = 35
    assert dash.error is None
    assert load_params(dash.save("more.yaml"))["constraints"]["crews"] == 35
    assert _simulated(dash.current_params(), tmp_path / "replay") == dash.summary


def test_serve_refuses_a_foreign_run_folder_and_an_unwritable_save_dir(tmp_path):
    from workbench.run.serve import serve_command
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "manifest.json").write_text('{"name": "some other tool"}')
    with pytest.raises(InputError, match=r"--run '.*foreign' is not a finished run folder"):
        serve_command(run=foreign, save_dir=tmp_path)
    (tmp_path / "a-file").write_text("")
    with pytest.raises(InputError, match=r"--save-dir '.*a-file/saved' is not a folder the "
                                         r"dashboard can save parameter files into"):
        serve_command(save_dir=tmp_path / "a-file" / "saved")
    argv, env = serve_command(save_dir=tmp_path / "new" / "saved")     # created, writable
    assert env["WORKBENCH_DASHBOARD_SAVE_DIR"] == str(tmp_path / "new" / "saved")
    assert "--MappingKernelManager.cull_idle_timeout=300" in argv    # closed tabs free kernels
    assert "--Voila.ip=127.0.0.1" in argv and "WORKBENCH_DASHBOARD_TOKEN" not in env
    argv, env = serve_command(save_dir=tmp_path, host="0.0.0.0")
    assert f"--Voila.token={env['WORKBENCH_DASHBOARD_TOKEN']}" in argv
    assert len(env["WORKBENCH_DASHBOARD_TOKEN"]) >= 20
    with pytest.raises(InputError, match="--host must be an IP address"):
        serve_command(save_dir=tmp_path, host="everyone")


@pytest.mark.slow
def test_a_recompute_shows_the_busy_sign_and_holds_the_controls(dash, monkeypatch):
    """While the recovery runs the page says "Recomputing…" and every control is disabled; after,
    each control has its own state back (the materials slider stays disabled: unlimited)."""
    before = {k: c.disabled for k, c in dash.controls.items()}
    seen = []
    compute = dash.compute

    def watched(params):
        seen.append((dash.computing, "Recomputing" in dash.busy.value,
                     all(c.disabled for c in dash.controls.values()), dash.save_button.disabled))
        return compute(params)

    monkeypatch.setattr(dash, "compute", watched)
    dash.controls["crews.building"].value = 70
    assert seen == [(True, True, True, True)]
    assert not dash.computing and dash.busy.value == "" and not dash.save_button.disabled
    assert {k: c.disabled for k, c in dash.controls.items()} == before
    assert before["materials_per_day"] and not before["crews.building"]
    dash.controls["crews.building"].value = 60


@pytest.mark.slow
def test_the_dashboard_computes_what_the_recovery_stage_computes():
    """recover() leaves out the report's extras only: the same recovery and indexes."""
    from workbench.run.dashboard import recover
    from workbench.run.pipeline.stages import damage_stage, map_stage, recovery_stage
    from workbench.network.system import build_system
    from workbench.run.params import validate_params
    p = validate_params({"realizations": 2, "hazard": {"magnitude": 6.0},
                         "mitigation": {"apply": ["retrofit-public"]}})
    city = map_stage(p)
    system = build_system(city)
    damage = damage_stage(p, city, system)
    stage = recovery_stage(p, city, damage, system)
    recovery, summaries = recover(p, city, system, damage)
    assert summaries == stage.summaries and recovery.equals(stage.recovery)


def test_the_strategy_styles_are_the_reports():
    from workbench.run.dashboard import STRATEGY_STYLES
    from workbench.show.plots import STRATEGY_STYLES as REPORT
    assert STRATEGY_STYLES == REPORT


def test_the_flexible_note_says_when_and_why_flexible_is_not_lowest():
    from workbench.run.dashboard import flexible_note
    summary = {"rigid": {"economic_loss": 24.33e9, "unrestored_buildings": 343.0},
               "semiflexible": {"economic_loss": 22.57e9, "unrestored_buildings": 346.0},
               "flexible": {"economic_loss": 23.13e9, "unrestored_buildings": 368.0}}
    gap = {"order": ["impeding_delays", "information", "commitment", "switching"],
           "economic_loss": {"total": -0.56e9, "parts": {"impeding_delays": -0.59e9,
                                                         "information": 0.01e9,
                                                         "commitment": -0.01e9,
                                                         "switching": 0.03e9}}}
    text = flexible_note(summary, 730, gap)
    assert "Here flexible is not the lowest" in text and "semiflexible 22.57" in text
    assert "flexible 23.13" in text and "-0.59" in text
    assert "the loss falls when the delays before a repair may start" in text
    assert "730-day horizon also cuts the recovery" in text and "flexible 368" in text
    summary["flexible"]["economic_loss"] = 20e9
    assert flexible_note(summary, 730, gap) == ""


@pytest.mark.slow
def test_at_m65_with_20_building_crews_and_a_730_day_horizon_the_page_says_why(tmp_path):
    """The measured case: semiflexible 22.57 < flexible 23.13 EUR bn; the impeding delays are
    the limit that lowers flexible's loss (−0.59 EUR bn)."""
    dash = Dashboard({"horizon_days": 730, "hazard": {"magnitude": 6.5},
                      "constraints": {"crews": {"building": 20, "water": 6, "power": 6,
                                                "road": 3}}}, save_dir=tmp_path)
    loss = {s: v["economic_loss"] for s, v in dash.summary.items()}
    assert loss["semiflexible"] < loss["flexible"] < loss["rigid"]
    assert "Here flexible is not the lowest" in dash.note.value
    assert "the delays before a repair may start (inspection" in dash.note.value
    dash.controls["crews.building"].value = 60              # enough crews: flexible lowest
    assert dash.note.value == ""


@pytest.mark.slow
def test_a_flood_dashboard_moves_the_water_level_and_replays_exactly(tmp_path):
    """A bathtub flood's water level is a control (the earthquake's are inactive): raising it
    floods more buildings, and the saved file replays the same indexes."""
    from workbench.core.paths import DATA_DIR
    flood = Dashboard(load_params(DATA_DIR / "scenarios" / "flood.yaml"), save_dir=tmp_path)
    c = flood.controls
    assert not c["water_level_m"].disabled and c["magnitude"].disabled
    assert c["water_level_m"].value == 2.5
    before = flood.summary["semiflexible"]["repair_cost"]
    c["water_level_m"].value = 3.0
    assert flood.error is None
    assert flood.summary["semiflexible"]["repair_cost"] > before
    params = load_params(flood.save("higher.yaml"))
    assert params["hazard"]["water_level_m"] == 3.0
    assert _simulated(params, tmp_path / "replay") == flood.summary


def test_the_report_map_scale_ends_at_the_last_restoration_of_any_strategy():
    import holoviews as hv
    from workbench.show.plots.maps import restoration_map
    hv.extension("matplotlib")
    city, _, rec = _toy_map_inputs([2, 1, 0, 0, 0, 0], {"rigid": [40, 10, 0, 0, 0, 0],
                                                        "flexible": [20, 5, 0, 0, 0, 0]}, 2190)
    points = restoration_map(city, rec, "flexible").traverse(lambda e: e, [hv.Points])
    clims = [hv.Store.lookup_options("matplotlib", p, "plot").kwargs.get("clim") for p in points]
    assert (0, 40.0) in clims                     # not (0, 2190): the horizon would hide it
