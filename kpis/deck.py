"""The committee deck ("Pack comité"): the selection's view as an editable PowerPoint file.

    >>> from datetime import date
    >>> pack = Pack.of(store, Filter(segments=("B2C", "B2E"), start=date(2026, 9, 1), end=date(2026, 9, 30)),
    ...                lang="en", charts=False)
    >>> [title for title, _ in pack.outline()][:4]
    ['Digital steering committee', 'Points of attention', 'B2C — consumers', 'B2E — employees']
    >>> deck = pack.pptx()        # bytes of a .pptx file

Every number comes from the functions the pages call (``kpis.dashboard`` on a ``metrics.cdo_view``), written
as the pages write it: the cards of each segment (``dashboard.cards``), the funnel table and chart, the side by
side, the target table (``dashboard.status_table``), the points of attention (``kpis.attention``), the comments
of the period (``kpis.comments``). Charts are
the app's own Altair charts (``kpis.charts``) rendered to PNG by ``vl-convert`` (no browser); every text, table
included, stays editable. In the language asked for.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from kpis import attention, charts, dashboard, metrics, reports
from kpis.catalog import KPIS
from kpis.i18n import fmt_date, fmt_value, t
from kpis.model import EXTERNAL_SEGMENTS, INTERNAL_SEGMENTS, Filter

__all__ = ["Pack", "ROWS_PER_SLIDE", "card_rows", "side_by_side_rows", "sources_rows", "definitions_rows",
           "CHART_SIZE"]

ROWS_PER_SLIDE = 12
"""Table rows on one slide; a longer table continues on the next ("(suite)")."""
CHART_SIZE = (760, 300)
"""Width and height (CSS pixels) of a chart drawn for a slide; rendered at twice that."""


def card_rows(view, segment: str, lang: str, compare: str | None) -> pd.DataFrame:
    """One row per card of a segment's funnel (``dashboard.cards``): the card's own texts (value, change and what
    it is measured against) and the target, attainment and status of the scorecard (the cards' status)."""
    cols = [t(f"pack.col.{c}", lang) for c in ("kpi", "value", "change", "against", "target", "attainment",
                                               "status")]
    sc = view.scorecard[view.scorecard["segment"] == segment].set_index("kpi")
    rows = []
    for card in dashboard.cards(view, segment, dashboard.CDO_CARDS[segment], lang, compare):
        row = sc.loc[card.kpi]
        has_target = not _missing(row["target"])
        rows.append((KPIS[card.kpi].label(lang), card.value, card.delta or "—", card.delta_description or "—",
                     fmt_value(row["target"], KPIS[card.kpi].unit, lang) if has_target else "—",
                     fmt_value(card.attainment, "%", lang, decimals=0) if card.attainment is not None else "—",
                     t(f"status.{card.status}", lang) if card.status else "—"))
    return pd.DataFrame(rows, columns=cols)


def side_by_side_rows(view, segments: tuple[str, ...], lang: str) -> pd.DataFrame:
    """The Côte à côte page as a table: stage, external KPI and value, internal KPI and value (``—`` for a world
    that is not selected, as the page shows)."""
    external = any(s in EXTERNAL_SEGMENTS for s in segments)
    internal = any(s in INTERNAL_SEGMENTS for s in segments)
    cols = [t("pack.col.stage", lang), t("world.external", lang), t("pack.col.value", lang),
            t("world.internal", lang), t("pack.col.value", lang)]
    rows = [(r.stage_label, r.external_label[:1].upper() + r.external_label[1:],
             fmt_value(r.external_value, r.unit, lang) if external else "—",
             r.internal_label[:1].upper() + r.internal_label[1:],
             fmt_value(r.internal_value, r.unit, lang) if internal else "—")
            for r in view.side_by_side.itertuples(index=False)]
    return pd.DataFrame(rows, columns=cols)


def sources_rows(batches: list[dict], native: pd.DataFrame, flt: Filter, as_of: date, lang: str) -> pd.DataFrame:
    """Each origin of the selected segments: its name, segments, the day its data reach, its last import, and
    whether it is late (``attention.stale_sources``, the rule of the points of attention)."""
    cols = [t(f"pack.col.{c}", lang) for c in ("source", "segments", "data_to", "imported", "freshness")]
    names = dashboard.source_names(batches, lang)
    late = {p.origin: p for p in attention.stale_sources(batches, native, flt, as_of, lang)}
    info: dict[str, dict] = {}
    for b in batches:
        if b["status"] == "superseded" or not b["period_end"] or not set(b["segments"]) & set(flt.segments):
            continue
        mine = info.setdefault(b["origin"], {"end": b["period_end"], "imported": b["imported_at"], "segments": set()})
        mine["end"] = max(mine["end"], b["period_end"])
        mine["imported"] = max(mine["imported"], b["imported_at"])
        mine["segments"] |= set(b["segments"])
    rows = []
    for origin, i in sorted(info.items(), key=lambda kv: (kv[1]["end"], kv[0]), reverse=True):
        fresh = late[origin].reason if origin in late else t("pack.fresh", lang)
        rows.append((names.get(origin, origin), ", ".join(sorted(i["segments"])),
                     fmt_date(date.fromisoformat(i["end"]), lang), fmt_date(date.fromisoformat(i["imported"][:10]),
                                                                            lang), fresh))
    return pd.DataFrame(rows, columns=cols)


def definitions_rows(kpis: tuple[str, ...], lang: str) -> pd.DataFrame:
    """The Référentiel's catalog rows (``reports.catalog_frame``) of the KPIs the deck shows: label, definition,
    aggregation and direction."""
    frame = reports.catalog_frame(lang)
    labels = [KPIS[k].label(lang) for k in kpis]
    frame = frame.set_index(frame.columns[0]).loc[labels].reset_index()
    return frame.iloc[:, [0, 2, 5, 6]]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


@dataclass(frozen=True)
class Pack:
    """What the deck shows for one selection, computed once: the view, its points of attention, the sources."""

    view: metrics.CdoView  # with its data grain and source names (as ui.cdo_view gives it)
    points: list
    batches: list[dict]
    flt: Filter
    lang: str = "fr"
    compare: str | None = None
    native: pd.DataFrame | None = None
    comments: pd.DataFrame | None = None
    charts: bool = True
    images: dict = field(default_factory=dict)

    @classmethod
    def of(cls, store, flt: Filter, grain: str = "month", fiscal_start: int = 1, lang: str = "fr",
           compare: str | None = None, charts: bool = True, dismissed: frozenset[str] = frozenset()) -> Pack:
        """The pack of a selection read from ``store`` (the Vue CDO's view and points for the same selection)."""
        from kpis import grain as grains

        warming = _warm_renderer() if charts else None  # vl-convert's engine starts while the store is read
        native = metrics.fetch(store, flt, grain, fiscal_start)
        view = metrics.cdo_view(store, flt, grain, fiscal_start=fiscal_start, lang=lang, native=native)
        batches = store.batches()
        view = grains.with_data_grain(view, native, flt)
        view = replace(view, meta={**view.meta, "source_names": dashboard.source_names(batches, lang)})
        points = attention.points(view, native, batches, lang, compare, flt, None, dismissed)
        if warming is not None:
            warming.join()
        return cls(view, points, batches, flt, lang, compare, native, store.comments(flt), charts)

    # --- what the deck says --------------------------------------------------------------------------------

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(s for s in self.flt.segments if not self.view.scorecard.empty
                     and (self.view.scorecard["segment"] == s).any())

    def data_date(self) -> date | None:
        """The last day the current data of the selected segments reach (the sources' freshest)."""
        ends = [b["period_end"] for b in self.batches if b["status"] != "superseded" and b["period_end"]
                and set(b["segments"]) & set(self.flt.segments)]
        return date.fromisoformat(max(ends)) if ends else None

    def subtitle(self) -> str:
        lang, view = self.lang, self.view
        day = self.data_date()
        start, end = view.period_start, view.period_end
        return t("pack.subtitle", lang, start=fmt_date(start, lang) if start else "—",
                 end=fmt_date(end, lang) if end else "—", segments=", ".join(self.flt.segments),
                 day=fmt_date(day, lang) if day else "—")

    def attention_rows(self) -> pd.DataFrame:
        cols = [t("pack.col.point", self.lang), t("pack.col.reason", self.lang)]
        return pd.DataFrame([(p.title, p.reason) for p in self.points], columns=cols)

    def comment_rows(self) -> pd.DataFrame:
        """The comments of the period (``kpis.comments.frame``, as the pages list them)."""
        from kpis import comments

        return comments.frame(self.comments, self.lang)

    def shown_kpis(self) -> tuple[str, ...]:
        """The KPIs whose numbers the deck shows: the cards of each segment, then those with a target."""
        kpis = list(dashboard.cdo_card_kpis(self.segments))
        if not self.view.targets.empty:
            kpis += list(self.view.targets["kpi"])
        return tuple(dict.fromkeys(k for k in kpis if k in KPIS))

    def outline(self) -> list[tuple[str, list]]:
        """(title, blocks) per slide, in order; a block is ("text", str), ("table", frame) or ("chart", name)."""
        lang = self.lang
        slides: list[tuple[str, list]] = [(t("pack.title", lang), [("subtitle", self.subtitle())])]
        rows = self.attention_rows()
        slides.append((t("attention.title", lang), [("table", rows)] if len(rows) else
                       [("text", t("attention.none", lang))]))
        for segment in self.segments:
            slides.append((t(f"cdo.segment.{segment}", lang),
                           [("table", card_rows(self.view, segment, lang, self.compare)),
                            ("text", t("pack.cards_note", lang))]))
        slides.append((t("cdo.funnel_table", lang), [("table", dashboard.funnel_table(self.view.funnel, lang)
                                                      .reset_index()), ("chart", "funnel")]))
        slides.append((t("cdo.trends", lang), [("chart", "trends")]))
        slides.append((t("nav.side_by_side", lang), [("table", side_by_side_rows(self.view, self.flt.segments,
                                                                                  lang))]))
        status = dashboard.status_table(self.view.targets, lang)
        slides.append((t("cdo.status", lang), [("table", status)] if len(status) else
                       [("text", t("cdo.no_targets", lang))]))
        notes = self.comment_rows()
        if len(notes):
            slides.append((t("comments.title", lang), [("table", notes)]))
        as_of = self.flt.end or self.view.period_end or date.today()
        slides.append((t("pack.sources", lang), [("table", sources_rows(self.batches, self.native, self.flt, as_of,
                                                                        lang))]))
        slides.append((t("pack.definitions", lang), [("table", definitions_rows(self.shown_kpis(), lang))]))
        return _paginate(slides, lang)

    # --- charts -------------------------------------------------------------------------------------------

    def chart(self, name: str):
        """The Altair chart of the page (``funnel``: the unified funnel's rates; ``trends``: the indexed trends of
        the headline funnel)."""
        lang, view = self.lang, self.view
        if name == "funnel":
            return charts.funnel_rates(dashboard.funnel_rates_frame(view.funnel, lang), title=t("cdo.funnel", lang),
                                       lang=lang)
        at = dashboard.trends_grain(view, self.flt.segments)
        raw = view.trends
        if at != view.grain:
            native = self.native if self.native is not None else pd.DataFrame()
            raw = metrics.indexed_trends(metrics.kpi_table(native, self.flt, at, view.fiscal_start, lang),
                                         dashboard.TREND_KPIS)
        frame = dashboard.indexed_frame(raw, lang, dashboard.trend_defaults(self.flt.segments), self.flt.segments)
        if frame.empty:
            return None
        return charts.indexed(frame, title=t("cdo.trends", lang), lang=lang,
                              single=(t("cdo.trends_single_title", lang), t("cdo.trends_single", lang)))

    def png(self, name: str) -> bytes | None:
        """The chart drawn to PNG by vl-convert (no browser), at ``CHART_SIZE``, twice the pixels."""
        import vl_convert

        chart = self.chart(name)
        if chart is None:
            return None
        spec = chart.to_dict()
        spec["width"], spec["height"] = CHART_SIZE
        spec.pop("autosize", None)
        return vl_convert.vegalite_to_png(spec, scale=2)

    # --- the file -----------------------------------------------------------------------------------------

    def pptx(self) -> bytes:
        """The deck as .pptx bytes (16:9): a title slide, then one slide per outline entry."""
        from pptx import Presentation
        from pptx.util import Inches, Pt

        prs = Presentation()
        prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
        for i, (title, blocks) in enumerate(self.outline()):
            if i == 0:
                slide = prs.slides.add_slide(prs.slide_layouts[0])
                slide.shapes.title.text = title
                slide.placeholders[1].text = blocks[0][1]
                slide.shapes.title.width = slide.placeholders[1].width = Inches(11.5)
                slide.shapes.title.left = slide.placeholders[1].left = Inches(0.9)
                continue
            slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
            slide.shapes.title.text = title
            slide.shapes.title.left, slide.shapes.title.top = Inches(0.5), Inches(0.3)
            slide.shapes.title.width, slide.shapes.title.height = Inches(12.3), Inches(0.9)
            slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(28)
            top = int(Inches(1.3))
            for kind, content in blocks:
                if kind == "table":
                    top = _table(slide, content, top)
                elif kind == "text":
                    box = slide.shapes.add_textbox(Inches(0.5), top, Inches(12.3), Inches(0.6))
                    box.text_frame.word_wrap = True
                    box.text_frame.text = content
                    box.text_frame.paragraphs[0].font.size = Pt(12)
                    top += Inches(0.7)
                elif kind == "chart" and self.charts:
                    png = self.images.get(content) or self.png(content)
                    if png is None:
                        continue
                    self.images[content] = png
                    height = min(Inches(7.3) - top, Inches(5.6))
                    pic = slide.shapes.add_picture(io.BytesIO(png), Inches(0.5), top, height=height)
                    if pic.width > Inches(12.3):  # keep it on the slide
                        ratio = Inches(12.3) / pic.width
                        pic.width, pic.height = Inches(12.3), int(pic.height * ratio)
                    top += pic.height
        out = io.BytesIO()
        prs.save(out)
        return out.getvalue()


def _warm_renderer():
    """A thread drawing a one-point chart: vl-convert's first render starts its JavaScript engine (about a
    second), which then overlaps the store read instead of following it."""
    import threading

    def draw() -> None:
        import vl_convert

        vl_convert.vegalite_to_png({"mark": "point", "data": {"values": [{"x": 1}]},
                                    "encoding": {"x": {"field": "x", "type": "quantitative"}}})

    thread = threading.Thread(target=draw, name="vl-convert-warmup", daemon=True)
    thread.start()
    return thread


def _paginate(slides: list[tuple[str, list]], lang: str) -> list[tuple[str, list]]:
    """A slide whose table is longer than ``ROWS_PER_SLIDE`` continues on the next slides, titled "(suite)"."""
    out = []
    for title, blocks in slides:
        tables = [b for b in blocks if b[0] == "table" and len(b[1]) > ROWS_PER_SLIDE]
        if not tables:
            out.append((title, blocks))
            continue
        frame = tables[0][1]
        for n, first in enumerate(range(0, len(frame), ROWS_PER_SLIDE)):
            part = frame.iloc[first:first + ROWS_PER_SLIDE]
            rest = [b for b in blocks if b is not tables[0]] if n == 0 else []
            out.append((title if n == 0 else f"{title} {t('pack.continued', lang)}", [("table", part), *rest]))
    return out


def _table(slide, frame: pd.DataFrame, top: int) -> int:
    """An editable table of ``frame`` (header row first) at ``top``; returns the top of what follows."""
    from pptx.util import Inches, Pt

    rows, cols = len(frame) + 1, len(frame.columns)
    height = Inches(0.32) * rows
    shape = slide.shapes.add_table(rows, cols, Inches(0.5), top, Inches(12.3), height)
    table = shape.table
    widths = [max(len(str(c)), *(len(str(v)) for v in frame.iloc[:, j])) if len(frame) else len(str(c))
              for j, c in enumerate(frame.columns)]
    total = sum(min(w, 60) for w in widths) or 1
    for j, w in enumerate(widths):
        table.columns[j].width = int(Inches(12.3) * min(w, 60) / total)
    for j, name in enumerate(frame.columns):
        _cell(table.cell(0, j), str(name), Pt(11), bold=True)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            _cell(table.cell(i, j), "" if value is None else str(value), Pt(10))
    return top + height + Inches(0.25)


def _cell(cell, text: str, size, bold: bool = False) -> None:
    cell.text = text
    for paragraph in cell.text_frame.paragraphs:
        paragraph.font.size = size
        paragraph.font.bold = bold
