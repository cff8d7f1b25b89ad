"""Registry of the public data files hicosmo_nb reads: where they come from and what they are.

Each :class:`FileSpec` pins one file by its path inside a data directory (the layout of the
project's ``shared/data`` folder), its public download address, its size and its sha256. Loaders
never read a registered file without checking its sha256 against this table.

Files without a public address (``url=None``) are *derived* tables (transcriptions); they ship
embedded in the package (``hicosmo_nb/data/embedded/``). Files without a pinned checksum
(``sha256=None``) cannot be downloaded safely and must be given by the user (explicit path or data
directory).

Examples
--------
>>> from hicosmo_nb.data.registry import FILES
>>> FILES["pantheon_plus/Pantheon+SH0ES.dat"].size
579283
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FileSpec", "FILES", "CITATIONS", "OVERLAPS"]


@dataclass(frozen=True)
class FileSpec:
    """One public data file.

    Attributes
    ----------
    relpath : str
        Path inside a data directory, e.g. ``"pantheon_plus/Pantheon+SH0ES.dat"``.
    url : str or None
        Public address (pinned to a commit) or None for derived files.
    size : int or None
        Size in bytes.
    sha256 : str or None
        Hex sha256 of the file; None when no public manifest pins it.
    citation : str
        Paper(s) to cite.
    """

    relpath: str
    url: str | None
    size: int | None
    sha256: str | None
    citation: str


CITATIONS = {
    "pantheon_plus": "Scolnic et al. 2022, ApJ 938, 113 (arXiv:2112.03863); "
    "Brout et al. 2022, ApJ 938, 110 (arXiv:2202.04077)",
    "union3": "Rubin et al. 2023, 'Union Through UNITY' (arXiv:2311.12098)",
    "desy5": "DES Collaboration 2024, ApJL 973, L14 (arXiv:2401.02929)",
    "desi_dr1_bao": "DESI Collaboration 2024, DESI 2024 III and VI (arXiv:2404.03000, arXiv:2404.03002)",
    "desi_dr2_bao": "DESI Collaboration 2025, DESI DR2 Results II, PRD 112, 083515 (arXiv:2503.14738)",
    "cc": "Moresco 2023 compilation (arXiv:2307.09501): Simon+2005, Stern+2010, Moresco+2012, "
    "Zhang+2014, Moresco 2015, Moresco+2016, Ratsimbazafy+2017, Tomasetti+2023",
    "planck18_priors": "Chen, Huang & Wang 2019, JCAP 02, 028 (arXiv:1808.05724); "
    "Planck 2018 VI (arXiv:1807.06209)",
}

_PP = ("https://raw.githubusercontent.com/PantheonPlusSH0ES/DataRelease/"
       "c447f0fea703fcd0fff57de5000947b5ca81286b/Pantheon+_Data/")
_BAO = "https://raw.githubusercontent.com/CobayaSampler/bao_data/bb0c1c9009dc76d1391300e169e8df38fd1096db/"
_SN = "https://raw.githubusercontent.com/CobayaSampler/sn_data/61d96434cafc2770928322c38e5a750e686368ae/"
_CC = ("https://raw.githubusercontent.com/franciscotln/cosmology-model-fit/"
       "796c323ca618b29f2b87dfab5655ca5f5315d2f2/y2005cc/raw-data/data2023.txt")

# (relpath, url, size, sha256, citation key)
_TABLE = [
    ("pantheon_plus/Pantheon+SH0ES.dat", _PP + "4_DISTANCES_AND_COVAR/Pantheon+SH0ES.dat", 579283,
     "1cb0fc379ef066afdc2ffd1857681cc478024570d8a3eba284fb645775198cf8", "pantheon_plus"),
    ("pantheon_plus/Pantheon+SH0ES_STAT+SYS.cov",
     _PP + "4_DISTANCES_AND_COVAR/Pantheon+SH0ES_STAT+SYS.cov", 33284960,
     "abf806d966485e64afdb359c87bffc0ecc00d05eff0a31ced66f247385df0fdc", "pantheon_plus"),
    ("pantheon_plus/Pantheon+only_FlatLambdaCDM.txt.gz",
     _PP + "5_COSMOLOGY/chains/Pantheon+Only/Pantheon+only_FlatLambdaCDM.txt.gz", 735108,
     "687bf3a44902d3f0cd0301e8e3aba38f093b404fbb8507c6920bb9650def7f90", "pantheon_plus"),
    ("union3/lcparam_full.txt", _SN + "Union3/lcparam_full.txt", 1556,
     "a840fe71c606bda11b869dbfcacc21c0199a5dc393f3790d10a7b58de97deae7", "union3"),
    ("union3/mag_covmat.txt", _SN + "Union3/mag_covmat.txt", 9199,
     "64c79abd24bf5154bc1e38ad0c031e31dd6247cdcc5ca930829698169809a146", "union3"),
    ("desy5/DES-SN5YR_HD.csv", _SN + "DESY5/DES-SN5YR_HD.csv", 91860,
     "95ab1e9f5460a056de37d2b4e28df73ce0c7fd471baba9fb37f1667f41b7901c", "desy5"),
    # No public manifest pins this file's checksum: it is never downloaded, only read from a
    # path the user gives (explicit path or data directory).
    ("desy5/covsys_000.txt", _SN + "DESY5/covsys_000.txt.gz (gunzip it)", None, None, "desy5"),
    ("cosmic_chronometers/cc_moresco2023_32pts_source.csv", _CC, 594,
     "da29e74dd36001bc50571d4a247fe6b84d50692d286b10c2c8efaa27c52f9d10", "cc"),
    ("cosmic_chronometers/cc_32.txt", None, 2141,
     "398b86f7452ad1236154e8a82b7faf95ab13fff93303c5c1af83a9eb59582d33", "cc"),
    ("planck2018_distance_priors/planck2018_distance_priors_chen2019.json", None, 4398,
     "6669da7ad21776abb65638c6282981ab5b7f599eee0010d0b5a5be09f88f8395", "planck18_priors"),
]

_DESI_DR1 = [
    ("ALL_GCcomb", 376, "dd2873a0b88459a491af3c0c0307ba059f62df9211d5b976760f310565a1be68",
     2170, "bbafa9074b51cf1a45e0d10e4f37db8c0e80a5d1d1788857abb7fc49fb21abcc"),
    ("BGS_BRIGHT-21.5_GCcomb_z0.1-0.4", 58,
     "b47109f842b2b79c5952ecbfd4ea39add97183723abe2477e9709683b86557aa",
     15, "71235724a2d79f8532b6b9dd08457a41f8c6977414786dd154c851676e08abb6"),
    ("LRG_GCcomb_z0.4-0.6", 88, "ea7ce09ebd710d06203fac2e9a9bc0d560c5daca2704d8ae8656bb6b5e105f38",
     62, "c2f304ae5790448888fc272ad8d9126a1688b756f0422d815ec0fbc4bb3be773"),
    ("LRG_GCcomb_z0.6-0.8", 88, "6ce4744f4772f84a23fd212856278db4c85ac003539e78012d9382a91c26f09b",
     62, "cf17b81f8e62c9a96ee5a7deba5e1cdd2fb707cf8177bbee99511a144a420da4"),
    ("LRG+ELG_LOPnotqso_GCcomb_z0.8-1.1", 88,
     "96219da1f1877c7107848e58ec321370349a617c2e5cba3310141368600a22e5",
     62, "6ab34a65089f798b3bcae1910c5151a9bf415847281f2554dabc355d4e590431"),
    ("ELG_LOPnotqso_GCcomb_z1.1-1.6", 88,
     "cb8e5aecec6e4b58b9f316421a05b8e4c9ed9bcf5ec1b5d0fb2330ae3bec5266",
     62, "6ade793349c090abb07a7431a5f75d0199af88998dda2fec6a3b848b29fb414f"),
    ("QSO_GCcomb_z0.8-2.1", 59, "12bf41993f73c7ce9fb0acb7e8943c13cd539fce0fec7f864a1a15a9dd172647",
     15, "ccd4322915db76660fb16ebef2091a605beb76b89050236632d6c7fe822814cd"),
    ("Lya_GCcomb", 98, "b6894a6662ebe83a7adb1e153a87c5e13701dd8270b2472693f6b8263c4cadd6",
     102, "f93a5d57e0039f1f8b2424f9d97cbf777000d7f293add0ecb72728ea6cfc8ae6"),
]
_DESI_DR1_EBOSS = ("desi_2024_eboss_gaussian_bao_Lya_GCcomb", 99,
                   "e6b09123521f91c209361c055c5ba6b7f2d50fd41ae5e000e1c5d1c18ccd98f7",
                   102, "afb75cc336706698d63df6a074e002cb9a8ecd190b34ed4cb140df7c0d584070")
_DESI_DR2 = [
    ("ALL_GCcomb", 472, "9ac154ab583ce759c0f7eef3c978c7c70a6ead2d18774caceadf1a350a640585",
     2547, "252a143274c8a07c78694c119617d36594f6d7965d00319ca611c6ffb886e509"),
    ("BGS_BRIGHT-21.35_GCcomb", 63, "06fc72ca4f4b4a03973c514bf7568c856716ff76a8c05df02e42b93aca769d59",
     15, "06d7260009fa0030171753fe2f8ece92c5e167da5fdf57f3a98aa2dfe9dc142f"),
    ("LRG_GCcomb_z0.4-0.6", 98, "86336445497058eee24ecf255e8a7486d8b46d709daa7a919566a58818dbed0c",
     62, "1fc0b21fd34a0e194f3fce2601ea3d1f411b03c7c1006c5b865b9f66991b8740"),
    ("LRG_GCcomb_z0.6-0.8", 98, "6d2f38d0727b2aefcd82fdd5a1c6df5a7d34ad8459437c195d575b5ad0c6ab32",
     62, "16fa8c323f54139ef1249a24f8f9c8663dbac7890d5a6d9c3b97e84ee89847ae"),
    ("LRG+ELG_LOPnotqso_GCcomb", 98,
     "c34585b9afdb683e68c2522e9715950fd24b63435ceb8a94ae52acd5d2626f4a",
     62, "8c8f5270dc3db24cbecd9aee1e463819a93e4fbfb0805fdf18357c39e5a8e95a"),
    ("ELG_LOPnotqso_GCcomb_z1.1-1.6", 98,
     "75d2dd246d2f17145f202fccf80da0bd723a67270a76f83b5be204161e204794",
     62, "8d1afedca817a80f44c9dd492101d6653f1f353a59da6f24a6bcb0f0d80ad6bc"),
    ("QSO_GCcomb", 98, "9bffdd0bf27615ab5225e5232fcdf53e16318bf9d06b031a2756d6e89368dadd",
     62, "7445c6bca01e2732b15ff29e832cc7b682c27d096f3b3ae8a171b63b20e8f6da"),
    ("Lya_GCcomb", 99, "9b4ab92080d038d0a0a5d76b9abead4e3919d7227e343d1e7feab7103e1f30cb",
     102, "02a049dbf3a1cd391189948516378a694abfd8d5b5cba1a15e97c6c5cf972357"),
]


def _desi_rows():
    rows = []
    releases = [("desi_dr1_bao", "desi_2024_gaussian_bao_", "", _DESI_DR1),
                ("desi_dr2_bao", "desi_gaussian_bao_", "desi_bao_dr2/", _DESI_DR2)]
    for folder, prefix, upstream_dir, entries in releases:
        for stem, msize, msha, csize, csha in entries:
            for suffix, size, sha in (("_mean.txt", msize, msha), ("_cov.txt", csize, csha)):
                name = prefix + stem + suffix
                rows.append((f"{folder}/{name}", _BAO + upstream_dir + name, size, sha, folder))
    stem, msize, msha, csize, csha = _DESI_DR1_EBOSS
    for suffix, size, sha in (("_mean.txt", msize, msha), ("_cov.txt", csize, csha)):
        rows.append((f"desi_dr1_bao/{stem}{suffix}", _BAO + stem + suffix, size, sha, "desi_dr1_bao"))
    return rows


FILES: dict[str, FileSpec] = {
    relpath: FileSpec(relpath, url, size, sha, CITATIONS[key])
    for relpath, url, size, sha, key in _TABLE + _desi_rows()
}


# Pairs of data sets that share their data, so that their likelihoods are not independent and
# a sum double-counts it (likelihoods.combine warns, naming the reason).
_SN = ("pantheon_plus", "union3", "desy5")
OVERLAPS: dict[frozenset, str] = {
    frozenset({"desi_dr1_bao", "desi_dr2_bao"}):
        "DESI DR2 (three years) contains the DR1 (first-year) galaxies and quasars",
    frozenset({"planck18_priors", "desi_dr2_cmb_prior"}):
        "both compress the same Planck CMB data",
    **{frozenset({a, b}): "the two compilations share many of the same supernovae"
       for i, a in enumerate(_SN) for b in _SN[i + 1:]},
}
