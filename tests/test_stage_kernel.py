"""`workbench run` executes its notebooks in one kernel, emptied between them
(workbench.run.pipeline.execute.StageKernel): nothing of one notebook reaches the next but
loaded modules, the kernel ends with the run, and a notebook gives the same numbers in the
shared kernel as in a kernel of its own."""

import os
import shutil
import signal
import time

import nbformat
import numpy as np
import pytest
import xarray as xr

from workbench.core.errors import StageError
from workbench.run.pipeline.execute import StageKernel, execute_notebook


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("# Parameters\nrun_dir = ''", metadata={
        "tags": ["parameters"]})] + [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def _pid(kernel):
    return kernel.manager.provisioner.process.pid


def test_a_name_of_one_notebook_is_gone_in_the_next_and_the_kernel_ends(tmp_path):
    dunders = "print(sorted(k for k in globals() if k[:2] == k[-2:] == '__'))"
    pool = ("import concurrent.futures, math, multiprocessing\n"    # as stage 05's pool does
            "with concurrent.futures.ProcessPoolExecutor(\n"
            "        1, mp_context=multiprocessing.get_context('spawn')) as pool:\n"
            "    print(pool.submit(math.sqrt, 4.0).result())")
    first = _notebook(tmp_path / "01_first.ipynb",
                      "import json, sys\nleft = 41\nsys.modules['json'].marker = 1",
                      "import os; print(os.getpid())", dunders)
    second = _notebook(tmp_path / "02_second.ipynb", "import os; print(os.getpid())",
                       "import json\nprint(json.marker)",        # a module stays loaded
                       dunders, pool,                             # __main__ as in a new kernel
                       "print(left)")                            # a name does not
    with StageKernel() as kernel:
        execute_notebook(first, tmp_path / "out1.ipynb", {"run_dir": str(tmp_path)},
                         kernel=kernel)
        pid = _pid(kernel)
        with pytest.raises(StageError, match="NameError: name 'left' is not defined"):
            execute_notebook(second, tmp_path / "out2.ipynb", {"run_dir": str(tmp_path)},
                             kernel=kernel)
    out1, out2 = (nbformat.read(tmp_path / f"out{i}.ipynb", as_version=4) for i in (1, 2))

    def printed(nb, start):
        cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(start))
        return cell.outputs[0].get("text", cell.outputs[0].get("ename"))

    assert printed(out1, "import os") == printed(out2, "import os") == f"{pid}\n"  # one kernel
    assert printed(out2, "import json") == "1\n"
    assert printed(out2, "print(left)") == "NameError"
    assert printed(out1, "print(sorted") == printed(out2, "print(sorted")
    assert "'__spec__'" in printed(out2, "print(sorted")
    assert printed(out2, "import concurrent") == "2.0\n"
    # each notebook counts its cells from 1, as in a kernel of its own
    counts = [[c.execution_count for c in nb.cells if c.cell_type == "code"] for nb in (out1, out2)]
    assert counts == [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6, 7]]
    with pytest.raises(ProcessLookupError):      # the kernel ended with the block
        for _ in range(100):
            os.kill(pid, 0)
            time.sleep(0.1)


def test_a_kernel_that_died_is_replaced_for_the_next_notebook(tmp_path):
    nb = _notebook(tmp_path / "01_pid.ipynb", "import os; print(os.getpid())")
    with StageKernel() as kernel:
        execute_notebook(nb, tmp_path / "a.ipynb", {"run_dir": str(tmp_path)}, kernel=kernel)
        first = _pid(kernel)
        os.kill(first, signal.SIGKILL)
        kernel.manager.provisioner.process.wait()
        execute_notebook(nb, tmp_path / "b.ipynb", {"run_dir": str(tmp_path)}, kernel=kernel)
        second = _pid(kernel)
    printed = [nbformat.read(tmp_path / f"{x}.ipynb", as_version=4).cells[-1].outputs[0]["text"]
               for x in "ab"]
    assert printed == [f"{first}\n", f"{second}\n"] and first != second


@pytest.mark.slow
def test_a_notebook_alone_gives_what_it_gave_in_the_runs_kernel(toy_report, tmp_path):
    # stage 05 (an ensemble and a PyMC calibration: seeded draws, compiled models) re-run in
    # a kernel of its own on a copy of the toy report, after stages 01-04 ran in the shared one
    run = tmp_path / "run"
    shutil.copytree(toy_report.dir, run)
    for name in ("ensemble.nc", "posterior.nc", "uncertainty.json",
                 "manifest.json"):             # a finished run is not rewritten by one notebook
        (run / name).unlink()
    nb = next(toy_report.dir.glob("05_*.ipynb"))
    params = {"params_file": str(run / "params.yaml"), "run_dir": str(run)}
    execute_notebook(nb, tmp_path / nb.name, params)
    alone, shared = (xr.open_dataset(d / "ensemble.nc", engine="h5netcdf").load()
                     for d in (run, toy_report.dir))
    xr.testing.assert_equal(alone, shared)            # its attributes hold wall times
    assert np.isfinite(alone["economic_loss"].values).all() and alone.sizes["member"] == 12
    alone, shared = (xr.open_datatree(d / "posterior.nc", engine="h5netcdf").load()
                     for d in (run, toy_report.dir))
    xr.testing.assert_identical(alone, shared)        # the calibration's draws
    assert alone["posterior"].sizes["draw"] == 50
    assert (run / "uncertainty.json").read_text() == \
        (toy_report.dir / "uncertainty.json").read_text()
