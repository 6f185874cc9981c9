"""Stage 1 (kpis.ingest.header): where the table starts and its layout, on rows as a reader gives them."""

from types import SimpleNamespace

from kpis.ingest.header import HEADER_SEARCH_ROWS, crosstab_periods, find_header
from kpis.ingest.mapping import header_key, parse_target


def test_header_below_title_rows_and_blank_lines():
    rows = [["Rapport mensuel des campagnes"], ["Export du 01/10/2026"], [], ["Mois", "Campagne", "Clics", "Coût"],
            ["sept. 2026", "A", "12", "3,5"]]
    found = find_header(rows, {}, [])
    assert (found.index, found.layout) == (3, "wide")


def test_long_layout_needs_both_kpi_and_value_headers():
    rows = [["Mois", "Indicateur", "Valeur"], ["09/2026", "Clics", "3"]]
    assert find_header(rows, {}, []).layout == "long"
    rows = [["Mois", "Indicateur", "Commentaire"], ["09/2026", "Clics", "3"]]
    assert find_header(rows, {}, []).layout != "long"


def test_crosstab_is_periods_across_and_kpis_down():
    rows = [["Indicateur", "janv. 2026", "févr. 2026", "Total"], ["Clics", 10, 20, 30], ["Impressions", 100, 200, 300]]
    found = find_header(rows, {}, [])
    assert (found.index, found.layout) == (0, "crosstab")
    # columns B and C are periods; D is a Total column, not a period
    assert crosstab_periods(rows[0]) == ([1, 2], [3])


def test_plain_numbers_are_not_a_header_of_periods():
    # 3 and 45 are data, not years: only 1900–2100 could be a year in a header
    assert crosstab_periods(["Clics", 3, 45]) == ([], [1, 2])


def test_a_remembered_header_set_wins_and_brings_its_mapping():
    rows = [["Jour", "Trucs", "Machins"], ["01/09/2026", "3", "4"]]
    remembered = [SimpleNamespace(headers=header_key(rows[0]), mapping={"Trucs": "clicks", "Machins": "ignore"})]
    found = find_header(rows, {}, remembered)
    assert found.index == 0
    assert found.forced["trucs"] == parse_target("clicks")
    assert found.forced["machins"].role == "ignored"


def test_header_beyond_the_search_rows_is_not_found():
    rows = [["titre"]] * HEADER_SEARCH_ROWS + [["Date", "Clics"], ["01/09/2026", "3"]]
    assert find_header(rows, {}, []).index is None
