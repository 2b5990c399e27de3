"""``import workbench`` and ``workbench --help`` load no scientific library (issue [scale]):
every re-exported name and module is imported when first used (PEP 562)."""

import subprocess
import sys

import pytest

HEAVY = ("xarray", "pandas", "scipy", "networkx", "holoviews", "matplotlib", "torch", "pymc")


def _loaded_after(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint('LOADED', *sorted("
                          "m for m in sys.modules if m.split('.')[0] in " + repr(HEAVY) + "))"],
                         capture_output=True, text=True, check=True)
    return out.stdout.split("LOADED")[-1].split()


def test_import_workbench_loads_no_scientific_library():
    assert _loaded_after("import workbench") == []


def test_the_command_line_help_loads_no_scientific_library():
    code = ("from workbench.run.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")   # prints the usage
    assert _loaded_after(code) == []


def test_every_re_exported_name_resolves_and_is_kept():
    import workbench
    for name in workbench.__all__:
        value = getattr(workbench, name)
        assert getattr(workbench, name) is value         # imported once, then an attribute
    assert workbench.sample_damage is workbench.damage.sample_damage
    assert set(workbench.__all__) <= set(dir(workbench)) and "plots" in dir(workbench)
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        workbench.nonesuch  # noqa: B018
