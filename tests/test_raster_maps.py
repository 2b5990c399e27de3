"""Building maps of large cities: above RASTER_ABOVE buildings the report's maps and the
dashboard's map are rasters of cells (colours mixed by count, the latest day), not a marker
per building; small cities keep their markers."""

import re

import numpy as np
import pytest
import xarray as xr
from matplotlib.colors import to_rgb

from workbench import plots
from workbench.city.synthetic import grid_city
from workbench.core.dims import BUILDING
from workbench.run.dashboard import restoration_map_svg
from workbench.show.plots.raster import (RASTER_ABOVE, category_rgba, cell_of, grid_shape,
                                         latest_per_cell)
from workbench.show.plots.style import DAMAGE_STATE_COLOURS


def test_a_cell_mixes_its_buildings_colours_by_count_and_keeps_its_latest_day():
    cell = cell_of([0.1, 0.2, 0.3, 3.5], [0.1, 0.1, 0.1, 1.5], (0, 0, 4, 2), (2, 4))
    assert cell.tolist() == [4, 4, 4, 3]
    rgba = category_rgba(cell, np.array([0, 0, 1, 1]), {0: "#ff0000", 1: "#0000ff"}, (2, 4))
    assert rgba.shape == (2, 4, 4) and rgba.dtype == np.uint8
    assert rgba[1, 0].tolist() == [170, 0, 85, 255]          # two red and one blue: 2/3 red
    assert rgba[0, 3].tolist() == [0, 0, 255, 255]
    assert (rgba[..., 3] > 0).sum() == 2                      # the empty cells are transparent
    day = latest_per_cell(cell, [5.0, 40.0, 7.0, 2.0], (2, 4))
    assert day[1, 0] == 40.0 and day[0, 3] == 2.0 and np.isnan(day).sum() == 6
    assert grid_shape((0, 0, 1, 3), 30) == (30, 10)


@pytest.fixture(scope="module")
def big():
    city = grid_city(RASTER_ABOVE + 1000, 600, seed=4)
    n = city.buildings.sizes[BUILDING]
    rng = np.random.default_rng(0)
    state = rng.choice(5, size=n, p=[0.7, 0.15, 0.1, 0.04, 0.01])
    days = np.where(state > 0, rng.uniform(1, 300, n), 0.0)
    days[np.flatnonzero(state == 4)[:3]] = np.inf             # three never back
    ids = city.buildings[BUILDING].values
    damage = xr.Dataset({"building_damage_state": (BUILDING, state)}, coords={BUILDING: ids})
    rec = xr.Dataset({"building_restored_day": (("strategy", BUILDING), [days])},
                     coords={"strategy": ["semiflexible"], BUILDING: ids,
                             "time": np.arange(366)})
    return city, damage, rec, state


@pytest.mark.slow           # a 6,000-building city drawn (~3 s)
def test_report_maps_of_a_large_city_are_rasters_with_the_networks_over_them(big):
    city, damage, rec, state = big
    damage_map = plots.damage_map(city, damage["building_damage_state"])
    kinds = [type(layer).__name__ for layer in damage_map]
    assert kinds[0] == "RGB" and "Points" not in kinds and kinds.count("Segments") == 3
    # the raster's colours are the states' colours, mixed: its mean is the buildings' mean
    expected = np.mean([to_rgb(DAMAGE_STATE_COLOURS[s][1]) for s in state], axis=0)
    layer = damage_map.get(0)
    channels = np.stack([layer.dimension_values(d, flat=True) for d in ("R", "G", "B", "A")], 1)
    filled = channels[channels[:, 3] > 0]
    assert 0.9 * len(filled) <= len(np.unique(_cells(city))) <= len(filled) + 1
    assert np.allclose(filled[:, :3].mean(axis=0), expected, atol=0.03)
    restoration = plots.restoration_map(city, rec, "semiflexible")
    assert [type(layer).__name__ for layer in restoration][:2] == ["Image", "RGB"]
    fig = plots.static(restoration, fig_inches=5)             # it draws
    assert fig.axes
    assert "raster" in plots.raster_note(city) and plots.raster_note(grid_city(50, 90)) == ""


def _cells(city):
    from workbench.show.plots import maps
    frame = maps._buildings_km(city, maps._origin(city))
    return maps._raster(frame)[0]


@pytest.mark.slow
def test_the_dashboard_map_of_a_large_city_is_an_image_with_hover_cells(big):
    city, damage, rec, state = big
    svg = restoration_map_svg(city, damage, rec, "semiflexible")
    assert svg.count("<image ") == 1 and svg.count("<circle") == 2     # legend circles only
    assert len(svg) < 1_000_000
    tips = re.findall(r"<title>([^<]*)</title>", svg)
    counts = [re.match(r"([\d,]+) buildings · ([\d,]+) damaged", t) for t in tips]
    assert sum(int(m[1].replace(",", "")) for m in counts) == len(state)
    assert sum(int(m[2].replace(",", "")) for m in counts) == int((state > 0).sum())
    assert sum(int(re.search(r"([\d,]+) not restored", t)[1]) for t in tips
               if "not restored" in t) == 3
    assert "a cell is all back on day" in svg
