"""Instagram content exports of Meta Business Suite (Insights > Content > Export, CSV), English and Spanish.

What the export is (looked up before writing this module; no vendor page lists the columns, so the layout comes
from public code that reads the real file):

- One row per post, reel or story of the period chosen, its metrics for the post's whole life: ``Post ID``,
  ``Account ID``, ``Account username``, ``Account name``, ``Description``, ``Duration (sec)``, ``Publish time``
  (``09/15/2026 18:00``, month first), ``Permalink``, ``Post type`` (``IG reel``, ``IG image``, ``IG carousel``),
  ``Data comment``, ``Date`` (``Lifetime``), ``Views``, ``Reach``, ``Likes``, ``Shares``, ``Follows``,
  ``Comments``, ``Saves``, the metrics in either order; thousands written ``"15,000"``, UTF-8 with a BOM.
  Independent readers of the file in the public code corpus carry this header, or a trimmed copy of it, in their
  tests (a FastAPI ``_parse_instagram_posts_csv``, a TypeScript ``buildPreview`` "export do Meta Business Suite
  em inglês", a German creator tool's "Insights englisch" case) or read it column by column (a Python
  ``_csv_row_to_dict``, "a Meta Business Suite CSV export row"); ``Date`` is ``Lifetime`` in all of them.
- The Spanish interface writes the same columns (aroaxinping/instapipe, ``examples/sample_data.csv`` and the
  ES/EN map of ``src/instapipe/clean.py``): ``identificador de la publicación``, ``Identificador de la cuenta``,
  ``Nombre de usuario de la cuenta``, ``Nombre de la cuenta``, ``Descripción``, ``Duración (segundos)``, ``Hora de
  publicación`` (still month first), ``Enlace permanente``, ``Tipo de publicación``, ``Comentario sobre los
  datos``, ``Fecha`` (``Total``), ``Visualizaciones``, ``Alcance``, ``Me gusta``, ``Veces que se ha compartido``,
  ``Seguidores`` (the follows the post brought), ``Comentarios``, ``Veces guardado``. No French export was found:
  a French file is not recognised and goes through the generic reader.
- Meta's Instagram API changelog: ``views`` replaces ``impressions`` (deprecated in 2025) as the count of times
  the content was displayed or played; ``reach`` counts distinct accounts.

How it is read: each post's lifetime metrics are dated by its publish day (as a campaign report gives its opens to
its send day), channel ``Instagram``: views are impressions, likes reactions, comments comments, shares reposts,
follows new followers. Reach (distinct accounts, never summed over posts), saves, the duration, the account,
the caption and every other column are not imported; ``Data comment`` and ``Date`` are not a KPI nor a period
(``Date``'s ``Lifetime``, ``Total`` in Spanish, is blanked: the reader would take the post for a totals row).
"""

from __future__ import annotations

from kpis.catalog import fold
from kpis.ingest import parsing
from kpis.ingest.exports.base import (
    CHANNEL_HEADER,
    Recognised,
    Rewrite,
    find_header,
    first_of,
    locale_convention,
    map_kpis,
    rewrite_dates,
)
from kpis.ingest.readers import RawSheet

FORMAT = "instagram_content"
INSTAGRAM_CHANNEL = "Instagram"
INSTAGRAM_KPIS = (
    ("views", "impressions"), ("visualizaciones", "impressions"),
    ("likes", "reactions"), ("me gusta", "reactions"),
    ("comments", "comments"), ("comentarios", "comments"),
    ("shares", "reposts"), ("veces que se ha compartido", "reposts"),
    ("follows", "new_followers"), ("seguidores", "new_followers"),
)
_PUBLISHED = ("publish time", "hora de publicacion")
_LIFETIME = frozenset({"lifetime", "total"})
INSTAGRAM_REQUIRED = (
    ("post id", "identificador de la publicacion"),
    ("account username", "nombre de usuario de la cuenta"),
    _PUBLISHED,
    ("permalink", "enlace permanente"),
    ("views", "visualizaciones", "likes", "me gusta"),
)
"""A Facebook Page's content export has Page ID and Page name, never an account username: not this format."""


def instagram_content(sheet: RawSheet) -> Recognised | None:
    found = find_header(sheet, INSTAGRAM_REQUIRED)
    if found is None:
        return None
    i, index = found
    rw = Rewrite(sheet, i)
    convention = locale_convention(rw, INSTAGRAM_KPIS, "en")
    map_kpis(rw, INSTAGRAM_KPIS, convention)
    for h in rw.header:  # reach, saves, Data comment, Date ("Lifetime"), ids, caption, account: not imported
        if isinstance(h, str) and h.strip() and h not in rw.maps:
            rw.maps[h] = "ignore"
    lifetime = first_of(index, "date", "fecha")
    if lifetime is not None:  # "Total" says lifetime metrics, not a totals row: blanked, or the reader drops the post
        rw.replace(lifetime, ["" if isinstance(c, str) and fold(c) in _LIFETIME else c for c in rw.column(lifetime)])
    day = first_of(index, *_PUBLISHED)
    assert day is not None  # a required header
    order = parsing.date_order(rw.column(day)) or "mdy"  # both interfaces write the month first
    rewrite_dates(rw, day, order)
    rw.maps[rw.header[day]] = "period:day"
    rw.add(CHANNEL_HEADER, "channel", INSTAGRAM_CHANNEL)
    return Recognised(FORMAT, rw.sheet(), rw.maps, None, (INSTAGRAM_CHANNEL,), convention, order)
