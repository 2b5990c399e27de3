"""Pieces of a run that only matter at city scale: large variables written compressed."""

import numpy as np
import xarray as xr

from workbench.run.pipeline.writer import COMPRESS_ABOVE, write_netcdf


def test_large_variables_are_written_compressed_and_read_back_the_same(tmp_path):
    rows = COMPRESS_ABOVE // (8 * 1000) + 1
    big = np.zeros((rows, 1000))
    big[:, ::9] = np.random.default_rng(0).random((rows, 112))
    ds = xr.Dataset({"need": (("time", "building"), big), "small": ("time", np.arange(rows))})
    write_netcdf(ds, tmp_path / "a.nc")
    with xr.open_dataset(tmp_path / "a.nc", engine="h5netcdf") as back:
        assert back["need"].values.tobytes() == big.tobytes()
        assert back["small"].values.tobytes() == ds["small"].values.tobytes()
        assert back["need"].encoding.get("zlib") is True
        assert not back["small"].encoding.get("zlib")
    assert (tmp_path / "a.nc").stat().st_size < big.nbytes / 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.nc"]


def test_curves_are_drawn_to_where_they_settle_not_to_one_late_building():
    """At 10⁵ buildings one building restored on day 1,500 moves a functionality curve by
    10⁻⁵: the figure ends a little past the day the curves settle (within 0.1 %), not at that
    building's day."""
    from workbench import plots
    from workbench.metrics.indexes import last_change_day, plot_days, settled_day
    t = np.arange(2191)
    curve = np.minimum(1.0, 0.3 + t / 100.0) - 1e-5 * (t < 1500)
    da = xr.DataArray(np.stack([curve, curve]), dims=("strategy", "time"),
                      coords={"strategy": ["rigid", "flexible"], "time": t})
    assert last_change_day(da) == 1500 and settled_day(da) == 70
    assert plot_days(da) == (0.0, 80.0)
    fig = plots.static(plots.recovery_curves(da.to_dataset(name="ep_functionality")))
    assert fig.axes[0].get_xlim()[1] == 80.0
