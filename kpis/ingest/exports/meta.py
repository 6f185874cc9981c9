"""Meta Ads Manager exports (Facebook, Instagram)."""

from __future__ import annotations

from kpis.catalog import match_header
from kpis.ingest.exports.base import (
    CHANNEL_HEADER,
    Recognised,
    Rewrite,
    find_header,
    locale_convention,
    map_kpis,
)
from kpis.ingest.readers import RawSheet

META_CHANNEL = "social"
META_KPIS = (("impressions", "impressions"), ("link clicks", "clicks"), ("clics sur un lien", "clicks"))
META_FRENCH = frozenset({"debut des rapports", "fin des rapports", "nom de la campagne", "couverture"})
META_IGNORE = frozenset({"reach", "couverture", "results", "resultats", "result indicator",
                         "indicateur de resultats", "result type", "type de resultat", "starts", "ends", "debut",
                         "fin", "ad set name", "nom de l ensemble de publicites", "ad name", "nom de la publicite",
                         "clicks all", "clics tous"})


def meta_ads(sheet: RawSheet) -> Recognised | None:
    found = find_header(sheet, (("reporting starts", "debut des rapports"), ("reporting ends", "fin des rapports"),
                            ("impressions",)))
    if found is None:
        return None
    i, index = found
    spent = [h for h in index if h.startswith(("amount spent", "montant depense"))]
    if not spent:
        return None
    rw = Rewrite(sheet, i)
    kpis = META_KPIS + tuple((h, "cost") for h in spent)
    french = bool(META_FRENCH & index.keys())
    convention = locale_convention(rw, kpis, "fr" if french else "en")
    for name in META_IGNORE & index.keys():
        rw.maps[rw.header[index[name]]] = "ignore"
    map_kpis(rw, kpis, convention)
    for name, role in (("reporting starts", "period_start"), ("debut des rapports", "period_start"),
                       ("reporting ends", "period_end"), ("fin des rapports", "period_end"),
                       ("campaign name", "initiative"), ("nom de la campagne", "initiative")):
        if name in index:
            rw.maps[rw.header[index[name]]] = role
    for h in rw.header:  # Campaign delivery, Attribution setting…: attributes, not a second campaign or period
        if isinstance(h, str) and h.strip() and h not in rw.maps and getattr(match_header(h), "role", None) in (
                "initiative", "period", "period_start", "period_end"):
            rw.maps[h] = "ignore"
    has_channel = any(getattr(match_header(h), "role", None) == "channel" for h in rw.header
                      if isinstance(h, str) and h not in rw.maps)
    if not has_channel:
        rw.add(CHANNEL_HEADER, "channel", META_CHANNEL)
    return Recognised("meta_ads", rw.sheet(), rw.maps, None, () if has_channel else (META_CHANNEL,), convention)
