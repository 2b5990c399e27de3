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
