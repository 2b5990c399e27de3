"""Ground-motion models by name (workbench.hazard.gmpe) and shaking drawn per realisation
(workbench.hazard.residuals)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pygmm
import pytest

from workbench.city import toy_city
from workbench.core.errors import InputError
from workbench.hazard import Earthquake
from workbench.hazard.damage import sample_damage
from workbench.hazard.ground_motion import earthquake_intensity, ground_motion
from workbench.hazard.gmpe import GMPES, rupture_width_wells_coppersmith, site_motion
from workbench.hazard.residuals import correlation, standard_field
from workbench.hazard.section import HazardSection
from workbench.network.system import build_system

PER_M2 = dict.fromkeys(["residential", "office", "commercial", "industrial", "public"], 2000.0)
#: The documented corrections of pygmm 0.8.0's units (gmpe module docstring), and no other.
PGV_SCALE = {"AB06": 980.665}


def _pygmm(name: str, mag: float, rjb: float, depth: float, vs30: float):
    """pygmm's model at one site, the scenario written out from the documented inputs."""
    width = 10 ** (-1.01 + 0.32 * mag)
    ztor = max(0.0, depth - width / 2)
    cls = getattr(pygmm, GMPES[name].pygmm_class)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mech = "U" if name in ("BSSA14", "CY14") else "SS"
        s = pygmm.Scenario(mag=mag, v_s30=vs30, mechanism=mech, dist_jb=rjb, dist_epi=rjb,
                           dist_rup=math.hypot(rjb, ztor), dist_hyp=math.hypot(rjb, depth),
                           dist_x=rjb, dist_y0=0.0, dip=90.0, width=width, depth_tor=ztor,
                           depth_hyp=depth)
        return cls(s)


@pytest.mark.parametrize("name", [n for n, g in GMPES.items() if g.pygmm_class])
def test_medians_are_pygmms_at_sites(name):
    eq = Earthquake(6.0, 0.0, 0.0, depth_km=8.0, vs30=450.0, gmpe=name)
    x = np.array([3_000.0, 12_000.0, 40_000.0])
    pga, pgv = ground_motion(eq, x, np.zeros(3))
    for i, d in enumerate(x / 1000):
        m = _pygmm(name, 6.0, d, 8.0, 450.0)
        assert pga[i] == pytest.approx(float(m.pga), rel=1e-12)
        if m.INDEX_PGV is None:
            assert np.isnan(pgv[i])
        else:
            assert pgv[i] == pytest.approx(float(m.pgv) * PGV_SCALE.get(name, 1.0), rel=1e-12)


def test_ab06_on_a_surface_rupture_takes_one_km_where_pygmm_would_divide_by_zero():
    # M 7.5 at 10 km: the Wells & Coppersmith width (~30 km) brings the rupture's top to the
    # surface, so a site on the epicentre is 0 km from it; pygmm's AB06 takes log10(10 / R)
    eq = Earthquake(7.5, 0.0, 0.0, depth_km=10.0, gmpe="AB06")
    pga, pgv = ground_motion(eq, [0.0, 5_000.0], [0.0, 0.0])
    assert pga[0] == pytest.approx(float(_pygmm("AB06", 7.5, 1.0, 0.0, 760.0).pga), rel=1e-12)
    # farther than 1 km, pygmm's median untouched
    assert pga[1] == pytest.approx(float(_pygmm("AB06", 7.5, 5.0, 10.0, 760.0).pga), rel=1e-12)
    assert np.isfinite(pgv).all()


def test_ab06_pgv_and_sigmas_are_converted_as_documented():
    # pygmm's AB06 PGV is divided by g and its σ is the paper's log10 0.30
    eq = Earthquake(5.5, 0.0, 0.0, gmpe="AB06")
    out = site_motion(eq, "AB06", np.array([10.0]), np.array([10.0]))
    assert 3.0 < out["pgv"][0] < 30.0                       # cm/s, not 0.01
    assert math.hypot(out["pga_tau"][0], out["pga_phi"][0]) == pytest.approx(0.30 * math.log(10))
    # BSSA14: pygmm's own τ and φ
    m = _pygmm("BSSA14", 5.5, 10.0, 10.0, 760.0)
    bssa = site_motion(Earthquake(5.5, 0.0, 0.0), "BSSA14", np.array([10.0]),
                       np.array([10.0]))
    assert bssa["pga_tau"][0] == pytest.approx(float(m._tau[m.INDEX_PGA]))
    assert bssa["pga_phi"][0] == pytest.approx(float(m._phi[m.INDEX_PGA]))
    assert rupture_width_wells_coppersmith(7.0) == pytest.approx(10 ** (-1.01 + 2.24))


def test_ab06_is_the_default_and_ba08_keeps_its_medians_and_table_8_scatter():
    from workbench.hazard.section import HazardSection
    assert Earthquake(6.5, 0.0, 0.0).gmpe == HazardSection().gmpe == "AB06"
    eq = Earthquake(6.5, 0.0, 0.0, gmpe="BA08")
    pga, pgv = ground_motion(eq, [10_000.0], [0.0])
    assert round(float(pga[0]), 3) == 0.184 and round(float(pgv[0]), 1) == 12.5
    out = earthquake_intensity(eq, toy_city(), residuals=True)
    assert float(out["building_pga_tau"][0]) == 0.265 and float(out["building_pga_phi"][0]) == 0.502
    assert out.attrs["hazard_gmpe"] == "Boore & Atkinson (2008), with residuals"


def test_residuals_off_shakes_every_realisation_by_the_medians():
    city = toy_city()
    system = build_system(city)
    eq = Earthquake(6.5, 0.0, 0.0, gmpe="BSSA14")
    damage = sample_damage(city, system, eq, realizations=3, seed=1,
                           replacement_cost_per_m2=PER_M2, design_code="4")
    assert damage["building_pga"].dims == ("building",)
    medians = earthquake_intensity(eq, city, system)
    assert np.array_equal(damage["building_pga"].values, medians["building_pga"].values)


def test_residuals_on_draw_shaking_per_realisation_correlated_as_the_model_says():
    city = toy_city()
    system = build_system(city)
    eq = Earthquake(6.5, 0.0, 0.0, gmpe="BSSA14")
    shaking = earthquake_intensity(eq, city, system, residuals=True, correlation_range_km=2.0)
    n = 4000
    damage = sample_damage(city, system, shaking, realizations=n, seed=3,
                           replacement_cost_per_m2=PER_M2, design_code="4")
    assert damage["building_pga"].dims == ("realization", "building")
    assert damage["building_damage_probability"].dims == ("realization", "building",
                                                          "damage_state")
    ln = np.log(damage["building_pga"].values / shaking["building_pga"].values)
    assert ln.std(axis=0).min() > 0.3                        # realisations differ
    tau = float(shaking["building_pga_tau"][0])
    phi = float(shaking["building_pga_phi"][0])
    assert ln.std(axis=0) == pytest.approx(np.full(6, math.hypot(tau, phi)), rel=0.05)
    # total residuals of two sites correlate as (τ² + φ² ρ(h)) / (τ² + φ²), ρ = exp(−3h/b)
    b = city.buildings
    xy = np.column_stack([b["x"].values, b["y"].values]) / 1000
    got = np.corrcoef(ln.T)
    for i, j in ((0, 1), (0, 3), (2, 5)):
        h = float(np.hypot(*(xy[i] - xy[j])))
        want = (tau ** 2 + phi ** 2 * math.exp(-3 * h / 2.0)) / (tau ** 2 + phi ** 2)
        assert got[i, j] == pytest.approx(want, abs=0.04)
    again = sample_damage(city, system, shaking, realizations=n, seed=3,
                          replacement_cost_per_m2=PER_M2, design_code="4")
    assert again.identical(damage)


def test_the_field_is_exponentially_correlated_and_cells_bound_its_cost():
    rng = np.random.default_rng(5)
    x = np.array([0.0, 1_000.0, 3_000.0, 8_500.0])
    z = standard_field(x, np.zeros(4), 8.5, 20_000, rng)
    got = np.corrcoef(z.T)[0]
    assert got == pytest.approx(correlation(x / 1000, 8.5), abs=0.03)
    # 10,000 sites: drawn on cells, still a standard normal field
    many = np.random.default_rng(1).uniform(0, 30_000, (10_000, 2))
    f = standard_field(many[:, 0], many[:, 1], 8.5, 3, np.random.default_rng(2))
    assert f.shape == (3, 10_000) and 0.8 < f.std() < 1.2


def test_a_model_without_pgv_is_refused_where_pipes_need_it():
    city = toy_city()
    eq = Earthquake(6.0, 0.0, 0.0, gmpe="PZT11")
    shaking = earthquake_intensity(eq, city, build_system(city))
    assert "building_pgv" not in shaking
    with pytest.raises(InputError, match="component_pgv"):
        sample_damage(city, build_system(city), shaking, replacement_cost_per_m2=PER_M2,
                      design_code="4")


def test_the_parameters_name_the_model_and_the_scatter():
    h = HazardSection(gmpe="ASB14", residuals=True, correlation_range_km=5.0)
    shaking = h.intensity(toy_city().buildings, None)
    assert shaking.attrs["hazard_gmpe_name"] == "ASB14"
    assert shaking.attrs["hazard_correlation_range_km"] == 5.0
    with pytest.raises(InputError, match="gmpe must be 'BA08' or"):
        HazardSection(gmpe="GK42")
    with pytest.raises(InputError, match="correlation_range_km must be"):
        HazardSection(residuals=True, correlation_range_km=-1)
    with pytest.raises(InputError, match="residuals is true but hazard.kind is 'field'"):
        HazardSection(kind="field", field="f.csv", residuals=True)


def test_drawn_shaking_takes_the_demand_part_out_of_the_building_curves():
    # β 0.64 = √(0.4² + 0.5²) with median shaking; √(0.64² − 0.5²) ≈ 0.40 when the shaking is
    # drawn, so that the ground-motion scatter is not counted twice: with τ = φ = 0 the draw is
    # the median field and the slight-damage probability is Φ(ln(PGA/θ)/0.3995)
    from scipy.stats import norm
    from workbench.hazard.fragility import building_fragility
    city = toy_city()
    system = build_system(city)
    shaking = earthquake_intensity(Earthquake(6.5, 0.0, 0.0), city, system, residuals=True)
    flat = shaking.assign({v: shaking[v] * 0 for v in shaking.data_vars
                           if v.endswith(("_tau", "_phi"))})
    damage = sample_damage(city, system, flat, realizations=2, seed=0,
                           replacement_cost_per_m2=PER_M2, design_code="4",
                           building_model="equivalent-pga")
    median, beta = building_fragility(city, design_code="4")
    pga = shaking["building_pga"].values
    p_none = damage["building_damage_probability"].values[0, :, 0]
    beta_drawn = math.sqrt(0.64 ** 2 - 0.5 ** 2)          # 0.3995: the table's 0.64 is rounded
    assert np.allclose(1 - p_none, norm.cdf(np.log(pga / median[:, 0]) / beta_drawn))
    assert np.allclose(beta, 0.64)



def test_the_scenario_names_its_mechanism_and_rupture_size():
    from workbench.hazard.ground_motion import rupture_length_wells_coppersmith
    from workbench.show.report.text import scenario_sentence
    b = toy_city().buildings
    point = HazardSection(magnitude=7.0).intensity(b, None)
    line = HazardSection(magnitude=7.0, rupture="wells-coppersmith",
                         mechanism="reverse").intensity(b, None)
    assert point.attrs["hazard_rupture_length_km"] == "point"
    assert line.attrs["hazard_rupture_length_km"] == pytest.approx(
        rupture_length_wells_coppersmith(7.0))                     # 49 km at M 7
    assert line.attrs["hazard_mechanism"] == "reverse"
    # a line rupture aimed at each site brings the source nearer: more shaking
    assert (line["building_pga"].values >= point["building_pga"].values).all()
    assert HazardSection(rupture=12.5).rupture == 12.5
    with pytest.raises(InputError, match="rupture must be"):
        HazardSection(rupture="ellipse")
    with pytest.raises(InputError, match="mechanism must be"):
        HazardSection(mechanism="thrust")
    params = {"hazard": {**HazardSection().__dict__, "rupture": "wells-coppersmith"},
              "damage": {"source": None}, "mitigation": {"annual_probability": None}}
    assert "rupturing 6 km of fault" in scenario_sentence(params, "demo")   # M 5.5: 6.4 km
