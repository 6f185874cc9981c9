"""The catalog is the single declaration every other module reads."""

import pytest

from kpis.catalog import (
    BASE_KPIS,
    DERIVED_KPIS,
    FUNNEL,
    KPIS,
    closest,
    fold,
    kpi_for_name,
    match_header,
    segment_of,
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
