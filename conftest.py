"""What the examples in ``kpis``' docstrings run against (``--doctest-modules``, see pyproject.toml).

Each doctest runs in its own temporary directory (so ``Store("data/passerelle.duckdb")`` or
``store.backup("backups/...")`` write nothing in the repository) with these names:

- ``store``: a fresh copy of a small store, three batches and one target, figures chosen to be
  checked by hand:

  ===== =================== ======================================================================
  batch file                observations (Jul, Aug, Sep 2026, monthly; entity and initiative "(all)")
  ===== =================== ======================================================================
  1     campagnes.xlsx      B2C, channel search: impressions 8,000 / 9,000 / 10,000; clicks 160 /
                            180 / 200; conversions 8 / 9 / 10; cost 240 / 270 / 300 (12 rows)
  2     intranet.xlsx       B2E, channel intranet: population 1,750 / 1,780 / 1,800; active users
                            600 / 700 / 780; contributors 100 / 120 / 140 (9 rows)
  3     intranet_sept.xlsx  B2E, intranet, September active users corrected to 800 (1 row; it
                            supersedes batch 2's 780)
  ===== =================== ======================================================================

  Target: B2C clicks, 2,000 for 2026 (a quarter's share is 500).
- ``flt``: B2C and B2E, July to September 2026; ``native``: ``metrics.fetch(store, flt)``.
- ``obs``: two observations correcting September's B2C search clicks (210) and impressions (10,000);
  ``digest``: a SHA-256 to import them with.
- ``result``: ``kpis.ingest.check_bytes`` of a two-row B2E CSV (``effectifs.csv``).
- ``tmp_path``: the test's own directory (also the working directory).

"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest

MONTHS = (("2026-07-01", "2026-07-31"), ("2026-08-01", "2026-08-31"), ("2026-09-01", "2026-09-30"))
CAMPAIGNS = {"impressions": (8000, 9000, 10000), "clicks": (160, 180, 200), "conversions": (8, 9, 10),
             "cost": (240, 270, 300)}
INTRANET = {"population": (1750, 1780, 1800), "active_users": (600, 700, 780), "contributors": (100, 120, 140)}
EFFECTIFS_CSV = "Mois;Effectif;Utilisateurs actifs\n2026-10;1820;810\n2026-11;1830;820\n"


def _frame(segment: str, channel: str, series: dict, months=MONTHS):
    import pandas as pd

    rows = [(start, end, segment, "(all)", channel, "(all)", kpi, float(value))
            for kpi, values in series.items() for (start, end), value in zip(months, values, strict=True)]
    return pd.DataFrame(rows, columns=["period_start", "period_end", "segment", "entity", "channel", "initiative",
                                       "kpi", "value"])


@pytest.fixture(scope="session")
def _doctest_store_template(tmp_path_factory) -> Path:
    """The store every doctest gets a copy of (built once per test process)."""
    import pandas as pd

    from kpis.store import Store

    path = tmp_path_factory.mktemp("doctest-store") / "passerelle.duckdb"
    store = Store(path)
    store.import_batch(_frame("B2C", "search", CAMPAIGNS), file_name="campagnes.xlsx", sheets=["Campagnes"],
                       sha256="1" * 64, imported_by="cdo")
    store.import_batch(_frame("B2E", "intranet", INTRANET), file_name="intranet.xlsx", sheets=["Intranet"],
                       sha256="2" * 64, imported_by="cdo")
    store.import_batch(_frame("B2E", "intranet", {"active_users": (800,)}, MONTHS[2:]),
                       file_name="intranet_sept.xlsx", sheets=["Intranet"], sha256="3" * 64, imported_by="cdo")
    store.set_targets(pd.DataFrame({"kpi": ["clicks"], "segment": ["B2C"], "period_start": ["2026-01-01"],
                                    "period_end": ["2026-12-31"], "value": [2000.0]}), by="cdo")
    return path


@pytest.fixture(scope="session")
def _doctest_result():
    from kpis import ingest

    return ingest.check_bytes(EFFECTIFS_CSV.encode(), "effectifs.csv", segment="B2E")


@pytest.fixture(autouse=True)
def _builtin_catalog():
    """Every test starts and ends with the built-in catalog and no tracked subject: a store's own KPIs
    (``catalog.install``) and subjects (``kpis.esn.subjects.install``) never leak into the next test."""
    from kpis import catalog
    from kpis.esn import subjects

    catalog.install()
    subjects.install()
    yield
    catalog.install()
    subjects.install()


@pytest.fixture(autouse=True)
def _doctest_names(request, doctest_namespace):
    """Fill ``doctest_namespace`` afresh for each doctest (other tests are left alone)."""
    if type(request.node).__name__ != "DoctestItem":
        yield
        return
    from kpis import metrics
    from kpis.model import Filter
    from kpis.store import Store

    tmp_path = request.getfixturevalue("tmp_path")
    monkeypatch = request.getfixturevalue("monkeypatch")
    monkeypatch.chdir(tmp_path)
    template = request.getfixturevalue("_doctest_store_template")
    copy = tmp_path / "store" / template.name
    copy.parent.mkdir()
    for sibling in template.parent.iterdir():  # the database and its .version sidecar
        if sibling.name.startswith(template.name) and not sibling.name.endswith(".lock"):
            shutil.copy2(sibling, copy.parent / sibling.name)
    store = Store(copy)
    flt = Filter(segments=("B2C", "B2E"), start=date(2026, 7, 1), end=date(2026, 9, 30))
    correction = _frame("B2C", "search", {"clicks": (210,), "impressions": (10000,)}, MONTHS[2:])
    doctest_namespace.update(
        store=store, flt=flt, native=metrics.fetch(store, flt), obs=correction,
        digest=hashlib.sha256(b"ads.xlsx, September corrected").hexdigest(),
        result=request.getfixturevalue("_doctest_result"), tmp_path=tmp_path,
    )
    import pandas as pd

    # Frames print the same whatever the terminal: all their columns, wrapped at 120 characters.
    with pd.option_context("display.width", 120, "display.max_columns", 50):
        yield
    doctest_namespace.clear()
