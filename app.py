"""Passerelle: the CDO's governance dashboard (placeholder until the app issue lands)."""

import streamlit as st

from kpis.catalog import KPIS

st.set_page_config(page_title="Passerelle", layout="wide")
st.title("Passerelle")
st.write(
    "Tableau de bord de gouvernance du digital externe (B2C, B2B) et interne (B2E). "
    "Governance dashboard for external (B2C, B2B) and internal (B2E) digital."
)
st.caption(f"{len(KPIS)} indicateurs au catalogue · {len(KPIS)} KPIs in the catalog")
