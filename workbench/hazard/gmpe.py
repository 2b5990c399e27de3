"""Ground-motion models by name: the hand-written Boore & Atkinson (2008), or a published model
from pygmm (MIT), with the aleatory scatter each states.

:data:`GMPES` is the registry (parameter ``hazard.gmpe``); :func:`site_motion` gives, at each
site, the median PGA [g] and PGV [cm/s] of a scenario and the between-event (τ) and within-event
(φ) standard deviations [ln units] the damage draw samples residuals with
(:mod:`workbench.hazard.residuals`).

The medians are pygmm's, unchanged (tested against pygmm at sites): the workbench only passes
the scenario. What it passes, for every model alike:

* ``mag`` = the moment magnitude; ``v_s30``; ``mechanism`` — unspecified as ``U`` where the model
  knows it, else ``SS`` (strike-slip), and strike-slip/normal/reverse as ``SS``/``NS``/``RS``;
* distances [km]: ``dist_jb`` = Rjb (:func:`~workbench.hazard.ground_motion.joyner_boore_distance`),
  ``dist_epi`` = Repi, ``dist_rup`` = √(Rjb² + depth_tor²), ``dist_hyp`` = √(Repi² + depth²),
  ``dist_x`` = Rjb, ``dist_y0`` = 0 (a vertical fault with the site off its end: no
  hanging-wall term);
* geometry: ``dip`` = 90°, ``width`` from Wells & Coppersmith (1994, all slip types,
  log₁₀ W = −1.01 + 0.32 M), ``depth_tor`` = max(0, depth − W/2), ``depth_hyp`` = depth;
  every other input at the model's own default.

pygmm evaluates one scenario per distance; sites are evaluated at their distinct distances (up to
:data:`EXACT_DISTANCES`; beyond, at Rjb rounded to 10 m, which moves a median by < 0.1 % at
1 km and less farther out).

Standard deviations. Where pygmm gives τ and φ (BSSA14, ASK14, CB14) they are used; for BA08
the paper's Table 8 (unspecified mechanism: PGA σ 0.502, τ 0.265; PGV σ 0.500, τ 0.286). For the
others pygmm gives the total σ only, split here as BA08's PGA split (τ/σ_T = 0.265/0.566), a
stated assumption. pygmm 0.8.0 returns AB06's and PZT11's σ in the papers' log₁₀ units though it
calls them natural-log (AB06: 0.30 at every period, the paper's log₁₀ value); they are
multiplied by ln 10 here. pygmm 0.8.0 also divides AB06's PGV by g (its conversion of the
accelerations from cm/s² to g is applied to every row, PGV's too: 0.0116 "cm/s" at M 5.5,
10 km); it is multiplied by 980.665 here. These are the only changes to pygmm's numbers
(tested). pygmm's AB06 includes Atkinson & Boore's (2011) stress-parameter correction, and it
divides by the rupture distance (log₁₀(10/R)): a site on a rupture that reaches the surface
(R = 0) would stop the run, so AB06 is given R ≥ 1 km (an assumption; the medians at R ≥ 1 km
are untouched).

References
----------
Boore & Atkinson (2008), Earthquake Spectra 24(1) 99–138; Boore, Stewart, Seyhan & Atkinson
(2014), Earthquake Spectra 30(3) 1057–1085; Abrahamson, Silva & Kamai (2014) ibid. 1025–1055;
Campbell & Bozorgnia (2014) ibid. 1087–1115; Chiou & Youngs (2014) ibid. 1117–1153; Akkar,
Sandıkkaya & Bommer (2014), Bull. Earthq. Eng. 12, 359–387; Derras, Bard & Cotton (2014), Bull.
Earthq. Eng. 12, 2155–2182; Atkinson & Boore (2006), BSSA 96(6) 2181–2205; Pezeshk, Zandieh &
Tavakoli (2011), BSSA 101(4) 1859–1870; Wells & Coppersmith (1994), BSSA 84(4) 974–1002.
pygmm: A. Kottke, https://github.com/arkottke/pygmm (MIT).
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ..core.errors import InputError

__all__ = ["Gmpe", "GMPES", "DEFAULT_GMPE", "site_motion", "EXACT_DISTANCES",
           "rupture_width_wells_coppersmith", "MECHANISMS", "MEASURES"]

log = logging.getLogger(__name__)

#: Up to this many distinct site distances pygmm is asked at each; beyond, Rjb is rounded to 10 m.
EXACT_DISTANCES = 5_000
#: BA08's τ/σ_T for PGA, unspecified mechanism (Table 8): the split of a model's total σ into
#: between- and within-event parts where pygmm gives the total only.
_TAU_SHARE = 0.265 / 0.566


@dataclass(frozen=True)
class Gmpe:
    """A ground-motion model the parameter ``hazard.gmpe`` can name."""

    name: str
    label: str                 # author–year, as a report names it
    region: str                # where it was derived for
    pygmm_class: str | None    # None: the hand-written BA08
    sigma_log10: bool = False  # pygmm returns the paper's log10 σ unconverted
    pgv_scale: float = 1.0     # pygmm's PGV × this = cm/s (see the module docstring)
    min_rupture_km: float = 0.0  # dist_rup passed at least this (see the module docstring)


#: The registry, by the name ``hazard.gmpe`` takes.
GMPES = MappingProxyType({g.name: g for g in (
    Gmpe("BA08", "Boore & Atkinson (2008)", "active shallow crust (NGA-West1)", None),
    Gmpe("BSSA14", "Boore, Stewart, Seyhan & Atkinson (2014)",
         "active shallow crust (NGA-West2)", "BooreStewartSeyhanAtkinson2014"),
    Gmpe("ASK14", "Abrahamson, Silva & Kamai (2014)", "active shallow crust (NGA-West2)",
         "AbrahamsonSilvaKamai2014"),
    Gmpe("CB14", "Campbell & Bozorgnia (2014)", "active shallow crust (NGA-West2)",
         "CampbellBozorgnia2014"),
    Gmpe("CY14", "Chiou & Youngs (2014)", "active shallow crust (NGA-West2)", "ChiouYoungs2014"),
    Gmpe("ASB14", "Akkar, Sandıkkaya & Bommer (2014)", "Europe and the Middle East",
         "AkkarSandikkayaBommer2014"),
    Gmpe("DBC14", "Derras, Bard & Cotton (2014)", "Europe (neural network)",
         "DerrasBardCotton2014"),
    Gmpe("AB06", "Atkinson & Boore (2006)", "stable continental (eastern North America)",
         "AtkinsonBoore2006", sigma_log10=True, pgv_scale=980.665, min_rupture_km=1.0),
    Gmpe("PZT11", "Pezeshk, Zandieh & Tavakoli (2011)",
         "stable continental (eastern North America)", "PezeshkZandiehTavakoli2011",
         sigma_log10=True),
)})
#: The default model: stable-continental, for the demo's Fennoscandian shield (METHOD §5.1 says
#: why).
DEFAULT_GMPE = "AB06"

#: Fault mechanisms (BA08 Table 2 distinguishes these four).
MECHANISMS = ("unspecified", "strike-slip", "normal", "reverse")

# BA08 coefficients: Table 6 (c1, c2, c3, h), Table 7 (e1..e4 for U/SS/NS/RS, e5, e6, e7, Mh),
# Table 3 (blin, b1, b2). Rows: PGA [g], PGV [cm/s].
_BA08 = {
    "pga": dict(c1=-0.66050, c2=0.11970, c3=-0.01151, h=1.35,
                e=(-0.53804, -0.50350, -0.75472, -0.50970), e5=0.28805, e6=-0.10164, e7=0.0,
                mh=6.75, blin=-0.36, b1=-0.64, b2=-0.14),
    "pgv": dict(c1=-0.87370, c2=0.10060, c3=-0.00334, h=2.54,
                e=(5.00121, 5.04727, 4.63188, 5.08210), e5=0.18322, e6=-0.12736, e7=0.0,
                mh=8.50, blin=-0.60, b1=-0.50, b2=-0.06),
}
# BA08 SA(0.3 s) and SA(1.0 s) [g]: the same tables' rows for T = 0.3 and 1.0 s (the site term's
# nonlinear part is driven by the rock PGA, as for PGV)
_BA08.update({
    "sa03": dict(c1=-0.55430, c2=0.01955, c3=-0.00750, h=2.14,
                 e=(0.43825, 0.44516, 0.25356, 0.51990), e5=0.64472, e6=-0.15694, e7=0.10601,
                 mh=6.75, blin=-0.44, b1=-0.52, b2=-0.14),
    "sa10": dict(c1=-0.81830, c2=0.10270, c3=-0.00334, h=2.54,
                 e=(-0.46896, -0.43443, -0.78465, -0.39330), e5=0.67880, e6=-0.18257,
                 e7=0.05393, mh=6.75, blin=-0.70, b1=-0.44, b2=0.0),
})
_MREF, _RREF = 4.5, 1.0
_V1, _V2, _VREF = 180.0, 300.0, 760.0
_A1, _A2, _PGA_LOW = 0.03, 0.09, 0.06


def _ba08_rock(c: dict, eq, rjb: np.ndarray) -> np.ndarray:
    """ln of the median on reference rock (Vs30 = 760 m/s): F_M + F_D, eqs. (3)–(5)."""
    dm = eq.magnitude - c["mh"]
    e_mech = c["e"][MECHANISMS.index(eq.mechanism)]
    f_m = e_mech + (c["e5"] * dm + c["e6"] * dm ** 2 if dm <= 0 else c["e7"] * dm)
    r = np.sqrt(rjb ** 2 + c["h"] ** 2)
    f_d = (c["c1"] + c["c2"] * (eq.magnitude - _MREF)) * np.log(r / _RREF) + c["c3"] * (r - _RREF)
    return f_m + f_d


def _ba08_site(c: dict, vs30: float, pga4nl: np.ndarray) -> np.ndarray:
    """Site amplification F_S = F_LIN + F_NL, eqs. (6)–(13)."""
    f_lin = c["blin"] * np.log(vs30 / _VREF)
    if vs30 <= _V1:
        bnl = c["b1"]
    elif vs30 <= _V2:
        bnl = (c["b1"] - c["b2"]) * np.log(vs30 / _V2) / np.log(_V1 / _V2) + c["b2"]
    elif vs30 < _VREF:
        bnl = c["b2"] * np.log(vs30 / _VREF) / np.log(_V2 / _VREF)
    else:
        bnl = 0.0
    dx = np.log(_A2 / _A1)
    dy = bnl * np.log(_A2 / _PGA_LOW)
    cc = (3.0 * dy - bnl * dx) / dx ** 2
    dd = -(2.0 * dy - bnl * dx) / dx ** 3
    low = bnl * np.log(_PGA_LOW / 0.1)
    lx = np.log(np.maximum(pga4nl, 1e-300) / _A1)
    f_nl = np.where(pga4nl <= _A1, low,
                    np.where(pga4nl <= _A2, low + cc * lx ** 2 + dd * lx ** 3,
                             bnl * np.log(np.maximum(pga4nl, 1e-300) / 0.1)))
    return f_lin + f_nl


def _ba08_median(eq, rjb: np.ndarray, measures=("pga", "pgv")) -> tuple[np.ndarray, ...]:
    """BA08 medians at Joyner–Boore distances ``rjb`` [km] (unscaled): PGA [g], PGV [cm/s],
    SA(0.3 s), SA(1.0 s) [g] as ``measures`` names them."""
    pga4nl = np.exp(_ba08_rock(_BA08["pga"], eq, rjb))
    out = []
    for name in measures:
        c = _BA08[name]
        out.append(np.exp(_ba08_rock(c, eq, rjb) + _ba08_site(c, eq.vs30, pga4nl)))
    return tuple(out)


#: BA08 Table 8, unspecified mechanism: (within-event σ, between-event τU) [ln units].
_BA08_SIGMA = {"pga": (0.502, 0.265), "pgv": (0.500, 0.286), "sa03": (0.546, 0.272),
               "sa10": (0.573, 0.318)}
#: Intensity measures every model gives here: PGA, PGV and the spectral accelerations the
#: capacity-spectrum method needs (5 % damped, 0.3 s and 1.0 s).
MEASURES = ("pga", "pgv", "sa03", "sa10")
_PERIODS = {"sa03": 0.3, "sa10": 1.0}


def gmpe(name: str) -> Gmpe:
    """The registered model ``name``; an unknown name is an error listing the known ones."""
    if name not in GMPES:
        raise InputError(f"hazard.gmpe is {name!r}; known ground-motion models: {list(GMPES)}.")
    return GMPES[name]


def rupture_width_wells_coppersmith(magnitude: float) -> float:
    """Down-dip rupture width [km], all slip types: ``log10(W) = -1.01 + 0.32 M`` (Wells &
    Coppersmith 1994, Table 2A).

    >>> round(rupture_width_wells_coppersmith(5.5), 2)
    5.62
    """
    return float(10.0 ** (-1.01 + 0.32 * magnitude))


def _mechanism(model_cls, mechanism: str) -> str:
    code = {"unspecified": "U", "strike-slip": "SS", "normal": "NS", "reverse": "RS"}[mechanism]
    for p in getattr(model_cls, "PARAMS", []):
        if getattr(p, "name", None) == "mechanism":
            options = list(getattr(p, "options", []) or [])
            if code not in options:
                return "SS"
    return code


def _pygmm_at(model_cls, eq, rjb: float, repi: float, mechanism: str, width: float,
              ztor: float, min_rupture_km: float = 0.0):
    import pygmm
    s = pygmm.Scenario(mag=eq.magnitude, v_s30=eq.vs30, mechanism=mechanism, dist_jb=rjb,
                       dist_epi=repi, dist_rup=max(math.hypot(rjb, ztor), min_rupture_km),
                       dist_hyp=math.hypot(repi, eq.depth_km), dist_x=rjb, dist_y0=0.0,
                       dip=90.0, width=width, depth_tor=ztor, depth_hyp=eq.depth_km)
    return model_cls(s)


def _unique_pairs(pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(pairs, axis=0, return_inverse=True)`` of (n, 2) floats: the distinct rows in
    lexicographic order and each row's position among them. By a lexsort of the two columns,
    not the structured-row sort ``np.unique`` runs along an axis (0.37 s against a few
    milliseconds at 100,000 sites)."""
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    ordered = pairs[order]
    new = np.ones(len(ordered), bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    inverse = np.empty(len(pairs), np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], inverse


def site_motion(eq, model: str, rjb: np.ndarray, repi: np.ndarray) -> dict[str, np.ndarray]:
    """Median PGA [g] and PGV [cm/s] of ``eq`` through ``model`` at sites with Joyner–Boore and
    epicentral distances ``rjb``, ``repi`` [km], and τ, φ [ln] of each.

    Returns
    -------
    dict
        ``pga``, ``pgv`` (NaN where the model has no PGV), ``sa03``, ``sa10`` (5 %-damped
        SA(0.3 s), SA(1.0 s) [g]) and ``<measure>_tau``, ``<measure>_phi`` of each; each an array
        of the sites' shape. Medians are not scaled by ``intensity_scale`` here.
    """
    spec = gmpe(model)
    rjb = np.asarray(rjb, dtype=float)
    repi = np.asarray(repi, dtype=float)
    if spec.pygmm_class is None:
        out = dict(zip(MEASURES, _ba08_median(eq, rjb, MEASURES)))
        for im, (phi, tau) in _BA08_SIGMA.items():
            out[f"{im}_tau"] = np.full(rjb.shape, tau)
            out[f"{im}_phi"] = np.full(rjb.shape, phi)
        return out
    try:
        import pygmm
    except ImportError as err:               # pragma: no cover - a dependency of the project
        raise InputError(f"hazard.gmpe {model!r} needs pygmm (pip install pygmm).") from err
    cls = getattr(pygmm, spec.pygmm_class)
    mechanism = _mechanism(cls, eq.mechanism)
    width = rupture_width_wells_coppersmith(eq.magnitude)
    ztor = max(0.0, eq.depth_km - width / 2.0)
    flat_rjb, flat_repi = rjb.ravel(), repi.ravel()
    pairs = np.column_stack([flat_rjb, flat_repi])
    unique, inverse = _unique_pairs(pairs)
    if len(unique) > EXACT_DISTANCES:
        pairs = np.round(pairs, 2)
        unique, inverse = _unique_pairs(pairs)
    names = [f"{im}{part}" for im in MEASURES for part in ("", "_tau", "_phi")]
    values = np.full((len(unique), len(names)), np.nan)
    with warnings.catch_warnings(record=True) as caught:   # pygmm warns on ranges, per call
        warnings.simplefilter("always")
        for i, (d_jb, d_epi) in enumerate(unique):          # pygmm takes one scenario per call
            m = _pygmm_at(cls, eq, float(d_jb), float(d_epi), mechanism, width, ztor,
                          spec.min_rupture_km)
            row = {"pga": float(m.pga)}
            if m.INDEX_PGV is not None:
                row["pgv"] = float(m.pgv) * spec.pgv_scale
            sa = np.asarray(m.interp_spec_accels(list(_PERIODS.values())), dtype=float)
            row.update(zip(_PERIODS, sa))
            for im in list(row):
                row[f"{im}_tau"], row[f"{im}_phi"] = _split(m, im, spec)
            values[i] = [row.get(n, np.nan) for n in names]
    messages = sorted({str(w.message) for w in caught})
    if messages:
        log.info("pygmm %s: %s", spec.name, "; ".join(messages[:5]))
    shape = rjb.shape
    return {n: values[inverse, j].reshape(shape) for j, n in enumerate(names)}


def _split(m, im: str, spec: Gmpe) -> tuple[float, float]:
    """(τ, φ) [ln] of intensity measure ``im`` of pygmm model instance ``m`` (a spectral
    acceleration's interpolated in ln period, as pygmm interpolates its σ)."""
    tau = getattr(m, "_tau", None)
    phi = getattr(m, "_phi", None)
    if im in _PERIODS:
        ln_t = np.log(_PERIODS[im])
        ln_periods = np.log(m.periods)
        if tau is not None and phi is not None:
            idx = m.INDICES_PSA
            return (float(np.interp(ln_t, ln_periods, np.asarray(tau)[idx])),
                    float(np.interp(ln_t, ln_periods, np.asarray(phi)[idx])))
        total = float(np.asarray(m.interp_ln_stds([_PERIODS[im]]), dtype=float).ravel()[0])
    else:
        index = m.INDEX_PGA if im == "pga" else m.INDEX_PGV
        if tau is not None and phi is not None:
            return float(np.asarray(tau)[index]), float(np.asarray(phi)[index])
        total = float(m.ln_std_pga if im == "pga" else m.ln_std_pgv)
    if spec.sigma_log10:
        total *= math.log(10.0)
    tau = total * _TAU_SHARE
    return tau, math.sqrt(max(total ** 2 - tau ** 2, 0.0))
