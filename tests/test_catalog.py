"""The catalog is the single declaration every other module reads."""

import pytest

from kpis.catalog import (
    BASE_KPIS,
    DERIVED_KPIS,
    FAMILIES,
    FUNNEL,
    KPIS,
    closest,
    fold,
    kpi_for_name,
    match_header,
    segment_of,
    stage_of,
    world_variant,
)

REQUIRED_BASE = """impressions clicks sessions engaged_sessions conversions leads revenue cost mentions
positive_mentions negative_mentions followers new_followers reposts unique_visitors nps_promoters nps_detractors
nps_respondents population contributors contributions readers spaces active_spaces enps_promoters enps_detractors
enps_respondents active_users comments reactions page_views""".split()


def test_every_required_base_kpi_is_declared():
    assert set(REQUIRED_BASE) <= set(BASE_KPIS)


@pytest.mark.parametrize("code", list(KPIS))
def test_every_kpi_is_documented_in_both_languages(code):
    kpi = KPIS[code]
    assert kpi.label_fr and kpi.label_en and kpi.definition_fr and kpi.definition_en
    assert kpi.unit in {"count", "€", "%", "×", "score"}
    assert kpi.aggregation in {"flow", "stock", "distinct", "ratio", "score"}
    assert kpi.direction in (1, -1)
    assert kpi.segments and set(kpi.segments) <= {"B2C", "B2B", "B2E"}


@pytest.mark.parametrize("code", DERIVED_KPIS)
def test_derived_kpis_are_built_from_base_kpis_of_their_world(code):
    kpi = KPIS[code]
    for component in kpi.components:
        assert KPIS[component].base
        assert set(kpi.segments) <= set(KPIS[component].segments)


@pytest.mark.parametrize(
    "code, formula",
    [
        ("ctr", "clicks / impressions"),
        ("conversion_rate", "conversions / clicks"),
        ("engagement_rate", "engaged_sessions / sessions"),
        ("cpc", "cost / clicks"),
        ("cpa", "cost / conversions"),
        ("roas", "revenue / cost"),
        ("sentiment_score", "(positive_mentions − negative_mentions) / mentions"),
        ("nps", "(nps_promoters − nps_detractors) / nps_respondents × 100"),
        ("adoption_rate", "active_users / population"),
        ("participation_rate", "contributors / active_users"),
        ("contributions_per_active_user", "contributions / active_users"),
        ("active_space_rate", "active_spaces / spaces"),
        ("enps", "(enps_promoters − enps_detractors) / enps_respondents × 100"),
    ],
)
def test_formulas_are_the_specified_ones(code, formula):
    assert KPIS[code].formula == formula


@pytest.mark.parametrize(
    "code, kind",
    [("followers", "stock"), ("population", "stock"), ("spaces", "stock"), ("new_followers", "flow"),
     ("reposts", "flow"), ("active_users", "distinct"), ("unique_visitors", "distinct"), ("contributors", "distinct"),
     ("clicks", "flow"), ("nps", "score"), ("ctr", "ratio")],
)
def test_aggregation_kinds(code, kind):
    assert KPIS[code].aggregation == kind


def test_lower_is_better_kpis():
    assert {c for c, k in KPIS.items() if k.direction < 0} >= {"cost", "cpc", "cpa", "negative_mentions"}


@pytest.mark.parametrize(
    "text, folded",
    [("Montant dépensé (EUR)", "montant depense"), ("Coût (€)", "cout"), ("CTR (%)", "ctr"),
     ("Impressions (total)", "impressions total"), ("  Chiffre d'affaires ", "chiffre d affaires"),
     ("Taille (Byte)", "taille")],
)
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    "header, role, kpi, match",
    [
        ("Impr.", "kpi", "impressions", "exact"),
        ("Clics sur un lien", "kpi", "clicks", "exact"),
        ("Link clicks", "kpi", "clicks", "exact"),
        ("Montant dépensé (EUR)", "kpi", "cost", "exact"),
        ("Amount spent (EUR)", "kpi", "cost", "exact"),
        ("Événements clés", "kpi", "conversions", "exact"),
        ("Key events", "kpi", "conversions", "exact"),
        ("Revenu total", "kpi", "revenue", "exact"),
        ("Chiffre d'affaires", "kpi", "revenue", "exact"),
        ("Sessions avec engagement", "kpi", "engaged_sessions", "exact"),
        ("Total users", "kpi", "active_users", "exact"),
        ("Population cible", "kpi", "population", "exact"),
        ("Effectif total", "kpi", "population", "partial"),
        ("Nombre de clics", "kpi", "clicks", "partial"),
        ("Likes", "kpi", "reactions", "exact"),
        ("Shares", "kpi", "reposts", "exact"),
        ("Page views", "kpi", "page_views", "exact"),
        ("Jour", "period", None, "exact"),
        ("Trimestre", "period", None, "exact"),
        ("Campagne", "initiative", None, "exact"),
        ("Espace", "initiative", None, "exact"),
        ("Canal", "channel", None, "exact"),
        ("Session primary channel group", "channel", None, "partial"),
        ("Reporting starts", "period_start", None, "exact"),
        ("Fin des rapports", "period_end", None, "exact"),
        ("Code de la devise", "currency", None, "exact"),
        # ratios are recognised and never partially match a base KPI
        ("CTR", "ratio", None, "exact"),
        ("Taux de conv.", "ratio", None, "exact"),
        ("Conv. rate", "ratio", None, "exact"),
        ("CPC moy.", "ratio", None, "exact"),
        ("Avg. CPC", "ratio", None, "exact"),
        ("Coût/conv.", "ratio", None, "exact"),
        ("Cost / conv.", "ratio", None, "exact"),
        ("Engagement rate (organic)", "ratio", None, "partial"),
        ("Taux d'engagement", "ratio", None, "exact"),
        # a header naming a dimension and a KPI is the KPI; a period word still wins; "du" alone is a start
        ("Channel Messages", "kpi", "contributions", "exact"),
        ("Messages du groupe", "kpi", "contributions", "partial"),
        ("Campagne impressions", "kpi", "impressions", "partial"),
        ("Canal", "channel", None, "exact"),
        ("Date de conversion", "period", None, "partial"),
        ("Du", "period_start", None, "exact"),
    ],
)
def test_match_header(header, role, kpi, match):
    m = match_header(header)
    assert (m.role, m.kpi, m.match) == (role, kpi, match)


@pytest.mark.parametrize("header", ["Campaign status", "Campaign type", "État", "Last Activity Date", "Reach", ""])
def test_headers_that_mean_nothing_known(header):
    assert match_header(header) is None


def test_total_qualifier_is_kept_and_organic_is_not_total():
    assert match_header("Impressions (total)").total
    assert not match_header("Impressions (organic)").total
    assert match_header("Impressions (organic)").kpi == "impressions"


def test_long_layout_names_and_suggestions():
    assert kpi_for_name("pages vues") == "page_views"
    assert kpi_for_name("ctr") is None  # a ratio is never a base KPI
    assert closest("Clik")[0] == "clicks"


@pytest.mark.parametrize(
    "value, segment",
    [("Grand public", "B2C"), ("Particuliers", "B2C"), ("Professionnels", "B2B"), ("Entreprises", "B2B"),
     ("Collaborateurs", "B2E"), ("Interne", "B2E"), ("b2b", "B2B"), ("Autre", None)],
)
def test_segment_words(value, segment):
    assert segment_of(value) == segment


def test_survey_counts_follow_the_world():
    assert world_variant("nps_promoters", "B2E") == "enps_promoters"
    assert world_variant("nps_promoters", "B2C") == "nps_promoters"


def test_funnel_maps_both_worlds():
    assert [(s.external, s.internal) for s in FUNNEL] == [
        ("impressions", "population"), ("clicks", "active_users"), ("conversions", "contributors"), ("nps", "enps")]


def test_short_card_labels_are_short_and_fall_back_to_the_label():
    from kpis.catalog import SHORT_LABELS

    assert set(SHORT_LABELS) <= set(KPIS)
    assert all(len(fr) <= 18 and len(en) <= 18 for fr, en in SHORT_LABELS.values())
    assert KPIS["ctr"].short("fr") == "CTR" and KPIS["clicks"].short("en") == "Clicks"


# --- the families of issue 12: e-mail, sales, video, app, internal ------------------------------------------


def test_every_family_kpi_is_declared_and_placed_in_the_funnel():
    for family, codes in FAMILIES.items():
        for code in codes:
            assert code in KPIS, (family, code)
            assert stage_of(code) is not None, (family, code)
    assert stage_of("emails_delivered") == "audience" and stage_of("open_rate") == "engagement"
    assert stage_of("win_rate") == "action" and stage_of("helpdesk_tickets") == "satisfaction"
    assert stage_of("reposts") is None


@pytest.mark.parametrize(
    "code, formula",
    [("open_rate", "email_unique_opens / emails_delivered"),
     ("click_to_open_rate", "email_unique_clicks / email_unique_opens"),
     ("email_bounce_rate", "email_bounces / emails_sent"),
     ("unsubscribe_rate", "email_unsubscribes / emails_delivered"),
     ("delivery_rate", "emails_delivered / emails_sent"), ("mql_to_sql_rate", "sql / mql"),
     ("win_rate", "won_deals / opportunities"), ("average_deal", "won_amount / won_deals"),
     ("view_rate", "video_views / impressions"), ("app_rating", "app_rating_points / app_ratings"),
     ("ideas_adoption_rate", "ideas_adopted / suggestions")],
)
def test_family_ratios_are_ratios_of_components(code, formula):
    assert KPIS[code].aggregation == "ratio" and KPIS[code].formula == formula


def test_family_segments_and_directions():
    internal = {"training_hours", "suggestions", "ideas_adopted", "helpdesk_tickets", "ideas_adoption_rate"}
    for codes in FAMILIES.values():
        for code in codes:
            expected = ("B2E",) if code in internal else ("B2C", "B2B")
            assert KPIS[code].segments == expected, code
    lower = {c for c, k in KPIS.items() if k.direction < 0}
    assert {"email_bounces", "email_unsubscribes", "helpdesk_tickets", "email_bounce_rate", "unsubscribe_rate",
            "lost_followers"} <= lower
    assert not {"emails_delivered", "won_deals", "app_rating", "ideas_adopted"} & lower
    # a store rating is an average: never a flow to sum, a ratio of stars over ratings (a score, not a %)
    assert KPIS["app_rating"].unit == "score" and KPIS["app_rating_points"].aggregation == "flow"
    assert KPIS["watch_time_hours"].aggregation == "flow" and KPIS["pipeline_amount"].unit == "€"


@pytest.mark.parametrize(
    "header, kpi",
    [("Successful Deliveries", "emails_delivered"), ("Total Recipients", "emails_sent"),
     ("Unique Opens", "email_unique_opens"), ("Total Opens", "email_opens"),
     ("Ouvertures uniques", "email_unique_opens"),
     ("Clics uniques", "email_unique_clicks"), ("Unique Clicks", "email_unique_clicks"),
     ("Total Bounces", "email_bounces"), ("Unsubscribes", "email_unsubscribes"),
     ("Désinscriptions", "email_unsubscribes"), ("MQL", "mql"), ("SQL", "sql"), ("Opportunités", "opportunities"),
     ("Affaires gagnées", "won_deals"), ("Montant gagné", "won_amount"), ("Watch time (hours)", "watch_time_hours"),
     ("Durée de visionnage (heures)", "watch_time_hours"), ("Subscribers gained", "new_followers"),
     ("Abonnés perdus", "lost_followers"), ("Installs", "app_installs"), ("Heures de formation", "training_hours"),
     ("Idées adoptées", "ideas_adopted"), ("Idées proposées", "suggestions"),
     ("Tickets d'assistance", "helpdesk_tickets"),
     # the existing meanings stay: a plain click is a click, "Vues" a page view (questioned by ingestion)
     ("Clics", "clicks"), ("Vues", "page_views"), ("Leads", "leads"), ("Abonnés gagnés", "new_followers")],
)
def test_family_synonyms_from_real_exports(header, kpi):
    assert kpi_for_name(header) == kpi


@pytest.mark.parametrize("header", ["Open rate", "Taux d'ouverture", "Click rate", "Average Deal Size",
                                    "Total Average Rating", "Note moyenne", "Win rate", "Bounce rate"])
def test_family_rates_and_averages_in_a_file_are_never_imported(header):
    assert match_header(header).role == "ratio"


@pytest.mark.parametrize("header", ["Opportunity Name", "Nom de l'opportunité", "Bounces", "Position", "Actions"])
def test_labels_and_foreign_counts_are_no_family_kpi(header):
    assert kpi_for_name(header) is None


def test_every_base_synonym_means_its_own_kpi():
    """No synonym of the catalog is shadowed by another KPI's or a dimension's (the index keeps the first)."""
    for code in BASE_KPIS:
        for synonym in (code, *KPIS[code].synonyms):
            assert kpi_for_name(synonym) == code, (code, synonym)


FAMILY_OBS = [  # (segment, channel, initiative, kpi, value) over September 2026
    ("B2C", "email", "Rentrée", "email_unique_opens", 1200), ("B2C", "email", "Rentrée", "emails_delivered", 4000),
    ("B2C", "email", "Salon", "email_unique_opens", 300), ("B2C", "email", "Salon", "emails_delivered", 2000),
    ("B2B", "(all)", "(all)", "sql", 30), ("B2B", "(all)", "(all)", "mql", 120),
    ("B2B", "(all)", "(all)", "won_amount", 90000), ("B2B", "(all)", "(all)", "won_deals", 6),
    ("B2C", "video", "Chaîne", "video_views", 2500), ("B2C", "video", "Chaîne", "impressions", 50000),
    ("B2C", "Google Play", "(all)", "app_rating_points", 430), ("B2C", "Google Play", "(all)", "app_ratings", 100),
    ("B2C", "App Store", "(all)", "app_rating_points", 90), ("B2C", "App Store", "(all)", "app_ratings", 30),
    ("B2C", "AppGallery", "(all)", "app_ratings", 50),  # ratings without their stars: not matched, left out
    ("B2E", "(all)", "(all)", "ideas_adopted", 9), ("B2E", "(all)", "(all)", "suggestions", 60),
]


def test_a_ratio_of_each_family_from_its_components_through_a_real_store(tmp_path):
    from datetime import date

    import pandas as pd

    from kpis import metrics
    from kpis.model import OBS_COLUMNS, Filter
    from kpis.store import Store

    rows = [("2026-09-01", "2026-09-30", seg, "FR", ch, ini, kpi, v) for seg, ch, ini, kpi, v in FAMILY_OBS]
    o = pd.DataFrame(rows, columns=list(OBS_COLUMNS))
    o = o.assign(period_start=pd.to_datetime(o["period_start"]), period_end=pd.to_datetime(o["period_end"]),
                 value=o["value"].astype(float))
    store = Store(tmp_path / "s.duckdb")
    store.import_batch(o, file_name="families.xlsx", sheets=["Feuil1"], origin="manual", sha256="sha-families",
                       rows_read=len(o), rows_kept=len(o), rows_rejected=0, parser_version="1")
    flt = Filter(start=date(2026, 9, 1), end=date(2026, 9, 30))
    t = metrics.kpi_table(metrics.fetch(store, flt), flt, "month", lang="en")

    def value(kpi, segment):
        sel = t[(t["kpi"] == kpi) & (t["segment"] == segment)]
        assert len(sel) == 1, (kpi, sel)
        return sel["value"].iloc[0]

    # open rate pooled over both campaigns: (1,200 + 300) / (4,000 + 2,000) = 1,500 / 6,000 = 0.25
    # (the mean of the campaigns' rates would be (0.30 + 0.15) / 2 = 0.225)
    assert value("open_rate", "B2C") == pytest.approx(0.25)
    assert value("mql_to_sql_rate", "B2B") == pytest.approx(0.25)  # 30 / 120
    assert value("average_deal", "B2B") == pytest.approx(15000)  # 90,000 / 6
    assert value("view_rate", "B2C") == pytest.approx(0.05)  # 2,500 / 50,000
    # store rating: stars over ratings of the stores giving both, (430 + 90) / (100 + 30) = 520 / 130 = 4.0;
    # not the mean of the stores' averages (4.3 + 3.0) / 2 = 3.65, nor 520 / 180 with AppGallery's lone ratings
    assert value("app_rating", "B2C") == pytest.approx(4.0)
    assert value("app_ratings", "B2C") == 180  # the count itself is a flow: 100 + 30 + 50
    assert value("ideas_adoption_rate", "B2E") == pytest.approx(0.15)  # 9 / 60
