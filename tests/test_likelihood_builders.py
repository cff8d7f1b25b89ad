"""SN, BAO, CC and CMB builders against independent references (astropy, scipy, CAMB)."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from astropy.cosmology import FlatLambdaCDM, w0waCDM
from scipy.integrate import quad

from hicosmo_nb import cosmology, data
from hicosmo_nb import likelihoods as L

C = 299792.458


@pytest.fixture(scope="module")
def pantheon_diag():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return data.load_pantheon_plus(covariance="diagonal")


@pytest.fixture(scope="module")
def union3_free():
    return L.sn_likelihood(data.load_union3(), marginalize_M=False)


# ---------------------------------------------------------------- supernovae
def test_marginalized_offset_equals_numerical_integral(union3_free):
    """ln ∫ L(Omega_m, dM) d dM (flat unit-density prior) = the analytic marginalization."""
    marg = L.sn_likelihood(data.load_union3(), marginalize_M=True)
    assert marg.param_names == ("Omega_m",) and union3_free.param_names == ("Omega_m", "dM")
    f = jax.jit(lambda dm, om: union3_free.loglike({"Omega_m": om, "dM": dm}))
    for om in (0.25, 0.36):
        peak = float(f(0.0, om))
        val, _ = quad(lambda dm: np.exp(float(f(dm, om)) - peak), -2.0, 2.0, epsabs=0, epsrel=1e-12,
                      points=[-0.3, 0.0, 0.3], limit=200)
        assert float(marg({"Omega_m": om})) == pytest.approx(peak + np.log(val), abs=1e-9)


def test_sn_theory_matches_astropy(pantheon_diag):
    lk = L.sn_likelihood(pantheon_diag, marginalize_M=False)
    theory = jax.jit(lk.theory)
    z, zh = pantheon_diag.z, pantheon_diag.z_hel
    shift = 5 * np.log10((1 + zh) / (1 + z))
    p = {"Omega_m": 0.3, "M": -19.3, "H0": 70.0, "T_cmb": 0.0}
    ref = FlatLambdaCDM(H0=70.0, Om0=0.3, Tcmb0=0.0).distmod(z).value + shift - 19.3
    np.testing.assert_allclose(theory(p), ref, rtol=0, atol=2e-8)
    p = {"Omega_m": 0.35, "M": 0.0, "H0": 65.0, "T_cmb": 0.0, "Omega_k": 0.2, "w0": -0.8, "wa": -0.6}
    ref = w0waCDM(H0=65.0, Om0=0.35, Ode0=0.45, w0=-0.8, wa=-0.6, Tcmb0=0.0).distmod(z).value + shift
    np.testing.assert_allclose(theory(p), ref, rtol=0, atol=2e-8)


@pytest.mark.parametrize("marginalize", [False, True])
def test_compressed_sn_equals_dense_quadratic_form(pantheon_diag, marginalize):
    """method="compressed" (knot compression, the default) vs the dense N^2 form: values within
    |Delta ln L| < 2e-4 across wide model ranges, and gradients, on the real Pantheon+ redshifts
    and magnitudes with a dense covariance (diagonal + a smooth correlated part + offsets)."""
    d = pantheon_diag
    lz = np.log1p(d.z)
    groups = np.random.default_rng(1).integers(0, 12, d.n)
    cov = (np.diag(np.diag(d.cov)) + 0.03**2 * np.exp(-np.abs(lz[:, None] - lz[None, :]) / 0.05)
           + 0.01**2 * (groups[:, None] == groups[None, :]))
    dense_data = data.SNData(z=d.z, z_hel=d.z_hel, mag=d.mag, cov=cov, mag_kind="m_b", name="dense")
    fast = L.sn_likelihood(dense_data, marginalize_M=marginalize)
    slow = L.sn_likelihood(dense_data, marginalize_M=marginalize, method="inverse")
    assert fast.metadata["method"] == "compressed" and slow.metadata["method"] == "inverse"
    assert fast.param_names == slow.param_names
    rng = np.random.default_rng(3)
    worst, n_finite = 0.0, 0
    for i in range(60):
        p = {"Omega_m": rng.uniform(0.05, 0.9), "H0": rng.uniform(50, 90), "w0": rng.uniform(-2.5, 0.3),
             "wa": rng.uniform(-3, 1.5), "Omega_k": rng.uniform(-0.3, 0.3), "m_nu": rng.uniform(0, 0.5),
             "M": rng.uniform(-19.8, -19.0)}
        if i % 3 == 0:
            p.update(wa=0.0, Omega_k=0.0)
        a, b = float(fast(p)), float(slow(p))
        assert np.isfinite(a) == np.isfinite(b), p
        if np.isfinite(b):
            worst, n_finite = max(worst, abs(a - b)), n_finite + 1
    assert n_finite > 30 and worst < 2e-4
    names = fast.param_names + ("w0", "wa", "Omega_k")
    theta = {"Omega_m": 0.31, "M": -19.4, "w0": -0.9, "wa": -0.4, "Omega_k": 0.05}
    ga = jax.grad(lambda t: fast(t))({k: theta[k] for k in names})
    gb = jax.grad(lambda t: slow(t))({k: theta[k] for k in names})
    for k in names:
        assert float(ga[k]) == pytest.approx(float(gb[k]), rel=1e-5, abs=1e-4), k


def test_sn_method_choice_and_errors(union3_free):
    assert union3_free.metadata["method"] == "inverse"  # 22 nodes: too few to compress
    with pytest.raises(ValueError, match=r"method must be one of \['auto', 'compressed', 'inverse', 'cholesky'\], got 'qr'"):
        L.sn_likelihood(data.load_union3(), method="qr")
    with pytest.raises(ValueError, match="needs more supernovae \\(22\\) than its"):
        L.sn_likelihood(data.load_union3(), method="compressed")


def test_distance_evaluator_matches_cosmology_module(pantheon_diag):
    grid = cosmology.DistanceEvaluator(pantheon_diag.z)
    fast = jax.jit(grid.transverse_comoving_distance)
    slow = jax.jit(cosmology.transverse_comoving_distance)
    rng = np.random.default_rng(5)
    for _ in range(5):
        p = {"H0": rng.uniform(50, 90), "Omega_m": rng.uniform(0.1, 0.6),
             "Omega_k": rng.uniform(-0.2, 0.2), "w0": rng.uniform(-1.5, -0.5), "wa": rng.uniform(-1, 0.5),
             "m_nu": rng.uniform(0, 0.5)}
        np.testing.assert_allclose(fast(p), slow(p, jnp.asarray(pantheon_diag.z)), rtol=1e-12)


def test_user_dark_energy_density(union3_free):
    def de(p, z):
        return (1.0 + z) ** (3.0 * (1.0 + p["w_const"]))

    custom = L.sn_likelihood(data.load_union3(), marginalize_M=False, de_density=de,
                             model_params=("w_const",))
    assert custom.param_names == ("Omega_m", "dM", "w_const")
    a = custom({"Omega_m": 0.3, "dM": 0.0, "w_const": -0.8})
    b = union3_free({"Omega_m": 0.3, "dM": 0.0, "w0": -0.8})
    assert float(a) == pytest.approx(float(b), rel=1e-10)
    with pytest.raises(ValueError, match="model_params \\['w0'\\] are standard cosmology parameters"):
        L.sn_likelihood(data.load_union3(), de_density=de, model_params=("w0",))
    with pytest.raises(ValueError, match="given without de_density= or efunc="):
        L.sn_likelihood(data.load_union3(), model_params=("w_const",))


# ---------------------------------------------------------------- BAO, CC
def test_bao_free_rd_matches_astropy():
    d = data.load_desi_bao("dr2")
    lk = L.bao_likelihood(d, rd="free")
    p = {"Omega_m": 0.31, "hrd": 100.0, "H0": 70.0, "T_cmb": 0.0}
    cos = FlatLambdaCDM(H0=70.0, Om0=0.31, Tcmb0=0.0)
    dm = cos.comoving_transverse_distance(d.z).value
    dh = C / cos.H(d.z).value
    ref = {"DM_over_rd": dm, "DH_over_rd": dh, "DV_over_rd": np.cbrt(d.z * dm * dm * dh)}
    expected = np.array([ref[k][i] for i, k in enumerate(d.kinds)]) * 0.70 / 100.0
    np.testing.assert_allclose(jax.jit(lk.theory)(p), expected, rtol=1e-9)
    assert lk.param_names == ("Omega_m", "hrd")


def test_bao_computed_rd_matches_camb():
    camb = pytest.importorskip("camb")
    d = data.load_desi_bao("dr2")
    lk = L.bao_likelihood(d, rd="computed")
    assert lk.param_names == ("H0", "Omega_m", "Omega_b")
    H0, ombh2, omch2 = 67.36, 0.02237, 0.1200
    pars = camb.set_params(H0=H0, ombh2=ombh2, omch2=omch2, mnu=0.06, num_massive_neutrinos=1,
                           nnu=3.046, TCMB=2.7255)
    res = camb.get_background(pars)
    rd = res.get_derived_params()["rdrag"]
    dm = res.comoving_radial_distance(d.z)
    dh = C / res.hubble_parameter(d.z)
    ref = {"DM_over_rd": dm, "DH_over_rd": dh, "DV_over_rd": np.cbrt(d.z * dm * dm * dh)}
    expected = np.array([ref[k][i] for i, k in enumerate(d.kinds)]) / rd
    p = cosmology.from_physical({"H0": H0, "omega_b": ombh2, "omega_c": omch2})
    # Measured: 1.5e-4 (r_d from the drag-redshift fit); distances alone agree to ~1e-6.
    np.testing.assert_allclose(jax.jit(lk.theory)(p), expected, rtol=4e-4)


def test_cc_matches_astropy():
    d = data.load_cc()
    lk = L.cc_likelihood(d)
    p = {"H0": 68.0, "Omega_m": 0.32, "T_cmb": 0.0}
    np.testing.assert_allclose(jax.jit(lk.theory)(p), FlatLambdaCDM(H0=68.0, Om0=0.32, Tcmb0=0).H(d.z).value,
                               rtol=1e-12)
    chi2 = np.sum(((d.H - np.asarray(jax.jit(lk.theory)(p))) / d.sigma) ** 2)
    assert float(-2 * lk(p) - lk.metadata["chi2_offset"]) == pytest.approx(chi2, rel=1e-10)


# ---------------------------------------------------------------- CMB distance priors
def _chen2019_scipy(H0, wb, wc, T=2.7255, wnu=None):
    """Independent scipy.quad implementation of Chen, Huang & Wang (2019) Appendix A."""
    h = H0 / 100
    # the neutrinos in Omega_m: their non-relativistic-limit density (m_nu = 0.06 eV, the default)
    wnu = float(cosmology.densities.omega_nu_nr({"m_nu": 0.06})) if wnu is None else wnu
    wm = wb + wc + wnu
    om = wm / h**2
    zeq = 2.5e4 * wm * (T / 2.7) ** -4
    o_r = om / (1 + zeq)
    e = lambda z: np.sqrt(o_r * (1 + z) ** 4 + om * (1 + z) ** 3 + 1 - om - o_r)  # noqa: E731
    g1 = 0.0783 * wb**-0.238 / (1 + 39.5 * wb**0.763)
    g2 = 0.560 / (1 + 21.1 * wb**1.81)
    zs = 1048 * (1 + 0.00124 * wb**-0.738) * (1 + g1 * wm**g2)
    dm = C / H0 * quad(lambda z: 1 / e(z), 0, zs, epsabs=0, epsrel=1e-13, limit=500)[0]
    rb = 31500 * wb * (T / 2.7) ** -4
    rs = C / H0 * quad(lambda z: 1 / (e(z) * np.sqrt(3 * (1 + rb / (1 + z)))), zs, np.inf,
                       epsabs=0, epsrel=1e-13, limit=500)[0]
    return np.sqrt(om) * H0 * dm / C, np.pi * dm / rs


def test_chen2019_matches_independent_quadrature():
    for H0, wb, wc in ((67.36, 0.02237, 0.12), (72.0, 0.021, 0.10), (62.0, 0.024, 0.14)):
        p = cosmology.from_physical({"H0": H0, "omega_b": wb, "omega_c": wc})
        out = L.chen2019_distance_priors(p)
        R, la = _chen2019_scipy(H0, wb, wc)
        assert float(out["R"]) == pytest.approx(R, rel=1e-11)
        assert float(out["l_A"]) == pytest.approx(la, rel=1e-11)


# E^2 dips below 0 near a = 0.9 between the validity grid's nodes (negative dark energy, w0 > 0,
# wa < -2): a point of tests/test_likelihood_sweep.py
_DIP = {"H0": 11.107230267252351, "omega_b": 0.087281052708726, "omega_c": 0.17388928450552757,
        "T_cmb": 3.060092851356228, "Omega_k": 0.45061998234490086, "w0": 0.284455791194294,
        "wa": -2.7889949267775416}


def test_chen2019_evaluates_e2_once_per_node(monkeypatch):
    """One E^2 evaluation at each of the 2 x 64 nodes: the positivity check and the integrals
    share them (the old code evaluated E^2 twice: 256 per call). Counted while tracing."""
    from hicosmo_nb.likelihoods import cmb
    count = [0]
    real = cmb.dark_energy_ratio

    def counted(params, a, de_density):
        count[0] += int(np.size(a))
        return real(params, a, de_density)

    monkeypatch.setattr(cmb, "dark_energy_ratio", counted)
    lk = L.get("planck18_priors")
    jax.make_jaxpr(jax.value_and_grad(lk))({k: _DIP[k] for k in ("H0", "omega_b", "omega_c", "w0", "wa")})
    assert count[0] == 2 * 64


def test_chen2019_where_e2_dips_below_zero_at_a_node():
    """The public function says NaN (its integrands are undefined); the likelihood gives -inf with
    finite gradients; a valid point nearby is unchanged (finite, matches scipy above)."""
    dens = {k: float(v) for k, v in cosmology.from_physical(_DIP).items()}
    om, ok, h = dens["Omega_m"], dens["Omega_k"], dens["H0"] / 100  # Chen et al.'s E^2, by hand
    o_r = om / (1 + 2.5e4 * om * h * h * (dens["T_cmb"] / 2.7) ** -4)
    a = np.linspace(0.05, 1.0, 2000)
    f_de = a ** (-3 * (1 + dens["w0"] + dens["wa"])) * np.exp(-3 * dens["wa"] * (1 - a))
    assert np.min(o_r / a**4 + om / a**3 + ok / a**2 + (1 - om - ok - o_r) * f_de) < 0  # the dip
    out = L.chen2019_distance_priors(dens)
    assert all(np.isnan(float(v)) for v in out.values() if v is not out["z_star"])
    lk = L.get("planck18_priors")
    val, grad = jax.value_and_grad(lk)(_DIP)
    assert float(val) == -np.inf
    assert all(np.isfinite(float(g)) for g in grad.values())
    good = {**_DIP, "H0": 67.36, "omega_b": 0.02237, "omega_c": 0.12, "Omega_k": 0.0, "w0": -1.0, "wa": 0.0,
            "T_cmb": 2.7255}
    assert np.isfinite(float(lk(good)))


@pytest.mark.parametrize("convention, tol_r, tol_la", [("chen2019", 3e-4, 3e-4), ("hicosmo", 1e-4, 1.5e-3)])
def test_cmb_priors_vs_camb(convention, tol_r, tol_la):
    """Measured offsets from CAMB 2.0.5 (exact z_*, r_s): chen2019 R -2.0e-4, l_A +1.8e-4;
    hicosmo R +3e-5, l_A +1.2e-3 (the Hu-Sugiyama z_* is ~2 above CAMB's; l_A's sigma is 3e-4)."""
    camb = pytest.importorskip("camb")
    lk = L.get("planck18_priors", convention=convention)
    theory = jax.jit(lk.theory)
    for H0, wb, wc in ((67.36, 0.02237, 0.12), (70.0, 0.022, 0.11), (64.0, 0.0225, 0.13)):
        pars = camb.set_params(H0=H0, ombh2=wb, omch2=wc, mnu=0.06, num_massive_neutrinos=1,
                               nnu=3.046, TCMB=2.7255)
        res = camb.get_background(pars)
        der = res.get_derived_params()
        om = (wb + wc + pars.omnuh2) / (H0 / 100) ** 2
        R_camb = np.sqrt(om) * H0 * der["DAstar"] * 1000 / C
        la_camb = np.pi / (der["thetastar"] / 100)
        R, la, wb_out = np.asarray(theory({"H0": H0, "omega_b": wb, "omega_c": wc}))
        assert abs(R / R_camb - 1) < tol_r and abs(la / la_camb - 1) < tol_la
        assert wb_out == pytest.approx(wb, rel=1e-14)


def test_cmb_parametrizations_agree_and_conflict_is_an_error():
    phys = L.get("planck18_priors")
    dens = L.get("planck18_priors", parametrization="density")
    p = {"H0": 67.4, "omega_b": 0.0224, "omega_c": 0.12}
    q = cosmology.from_physical(p)
    assert dens.param_names == ("H0", "Omega_m", "Omega_b")
    assert float(phys(p)) == pytest.approx(float(dens({k: q[k] for k in ("H0", "Omega_m", "Omega_b")})),
                                           rel=1e-12)
    with pytest.raises(ValueError, match="reads omega_b and omega_c; the dict also has Omega_m"):
        phys({**p, "Omega_m": 0.3})
    with pytest.raises(ValueError, match="convention must be one of \\('chen2019', 'hicosmo'\\)"):
        L.get("planck18_priors", convention="camb")
    with pytest.raises(ValueError, match="parametrization must be one of"):
        L.get("planck18_priors", parametrization="h")


# ---------------------------------------------------------------- registry, errors, -inf, vmap
def test_registry_names_and_param_names():
    assert set(L.DATASETS) == {"pantheon_plus", "union3", "desy5", "desi_dr1_bao", "desi_dr2_bao",
                               "cc", "planck18_priors", "sh0es", "bbn", "desi_dr2_cmb_prior"}
    assert L.get("desi_dr1_bao", rd="free", tracers=["BGS", "QSO"]).param_names == ("Omega_m", "hrd")
    assert L.get("sh0es").param_names == ("H0",)
    assert L.get("union3", marginalize_M=False).param_names == ("Omega_m", "dM")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pp = L.get("pantheon_plus", covariance="diagonal", marginalize_M=False)
    assert pp.param_names == ("Omega_m", "M") and pp.metadata["covariance"] == "diagonal"
    with pytest.raises(ValueError, match="unknown dataset 'desi_dr2' \\(did you mean 'desi_dr2_bao'\\?\\)"):
        L.get("desi_dr2")
    with pytest.raises(ValueError, match="unknown option 'tracer' \\(did you mean 'tracers'\\?\\) for dataset"):
        L.get("desi_dr2_bao", tracer=["LRG1"])
    with pytest.raises(ValueError, match="rd must be one of \\('computed', 'free'\\), got 'fixed'"):
        L.get("desi_dr2_bao", rd="fixed")
    with pytest.raises(ValueError, match="marginalize_M must be True or False, got 'yes'"):
        L.get("union3", marginalize_M="yes")
    with pytest.raises(ValueError, match="sn_likelihood needs an SNData"):
        L.sn_likelihood(data.load_cc())
    with pytest.raises(ValueError, match="bao_likelihood needs a BAOData"):
        L.bao_likelihood(data.load_cc())


def test_vmap_batch_equals_loop_and_combination():
    lk = L.get("desi_dr2_bao", rd="free") + L.get("cc") + L.get("sh0es")
    assert lk.param_names == ("Omega_m", "hrd", "H0")
    om = jnp.linspace(0.25, 0.35, 8)
    batch = {"Omega_m": om, "hrd": jnp.full(8, 101.0), "H0": jnp.linspace(66, 74, 8)}
    got = jax.jit(jax.vmap(lk.loglike))(batch)
    loop = [float(lk({k: float(v[i]) for k, v in batch.items()})) for i in range(8)]
    np.testing.assert_allclose(got, loop, rtol=1e-12)
    parts = sum(float(c({k: float(v[0]) for k, v in batch.items()})) for c in lk.components)
    assert loop[0] == pytest.approx(parts, rel=1e-13)


def test_builder_type_and_model_errors():
    with pytest.raises(ValueError, match="cc_likelihood needs an HzData"):
        L.cc_likelihood(data.load_union3())
    with pytest.raises(ValueError, match="cmb_priors_likelihood needs a CMBPriors"):
        L.cmb_priors_likelihood(data.load_cc())
    with pytest.raises(ValueError, match="give either de_density= or efunc=, not both"):
        L.cc_likelihood(data.load_cc(), de_density=lambda p, z: 1.0, efunc=lambda p, z: 1.0)
    with pytest.raises(ValueError, match="efunc must be a callable f\\(params, z\\), got str"):
        L.cc_likelihood(data.load_cc(), efunc="LCDM")
    with pytest.raises(ValueError, match="physical must be a callable"):
        L.gaussian([0.0], [[1.0]], lambda p: p["a"], param_names=("a",), physical=True)


def test_overlapping_datasets_warn_unless_intended():
    # issue 21: DESI DR2 + DR1 BAO and two compressions of Planck were combined silently
    from hicosmo_nb.facade import build_problem

    with pytest.warns(UserWarning, match=r"desi_dr1_bao and desi_dr2_bao overlap \(DESI DR2 \(three years\) "
                                         r"contains the DR1 \(first-year\) galaxies and quasars\): .*pass "
                                         r"allow_overlap=True if intended") as rec:
        L.get("desi_dr1_bao") + L.get("desi_dr2_bao")
    assert rec[0].filename == __file__
    with pytest.warns(UserWarning, match=r"planck18_priors and desi_dr2_cmb_prior overlap \(both compress "
                                         r"the same Planck CMB data\)"):
        build_problem("LCDM", ["planck18_priors", "desi_dr2_cmb_prior"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        L.combine(L.get("desi_dr1_bao"), L.get("desi_dr2_bao"), allow_overlap=True)
        pb = build_problem("LCDM", ["desi_dr1_bao", "desi_dr2_bao"], allow_overlap=True)
        assert pb.spec.build().spec.allow_overlap  # the saved recipe keeps the intent
        L.get("desi_dr2_bao") + L.get("cc")  # independent data: no warning
