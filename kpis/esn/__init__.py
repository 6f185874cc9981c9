"""Internal e-reputation: what the enterprise social network (ESN) talks about, in what tone, and who carries it.

    >>> from kpis.esn import find_layout
    >>> find_layout([["Date", "Groupe", "Auteur", "Texte"]]).format
    'esn_messages'

A message export is read into memory (``read_messages``: authors, texts and ids never leave this package),
each message's tone is scored (``tones``, French and English, libraries that ship their lexicons) and the
messages are aggregated by month × group into the catalog's ``esn_*`` KPIs (``monthly``). ``term_counts`` and
``top_terms`` give the topics (terms used by at least 5 people), ``profiles`` the influencers (reply-graph
PageRank, shown as profiles, names only with the ``esn_names`` setting), ``subject_counts`` the mentions of
the organisation's tracked subjects (``kpis.esn.subjects``). Ingestion calls it
through the recogniser ``kpis.ingest.exports.esn``. Private groups and conversations are left out unless the
``esn_private`` setting says otherwise.
"""

from kpis.esn.influence import Profile, pagerank, profile_text, profiles
from kpis.esn.layout import GENERIC_FORMAT, VIVA_FORMAT, Layout, find_layout
from kpis.esn.messages import NETWORK_FEED, Messages, read_messages
from kpis.esn.monthly import MONTHLY_KPIS, MonthGroup, fold_groups, monthly
from kpis.esn.sentiment import language, tone, tones
from kpis.esn.subjects import Subject, SubjectCount, mentioned, subject_counts
from kpis.esn.topics import TermCount, term_counts, terms, top_terms

__all__ = [
    "GENERIC_FORMAT", "VIVA_FORMAT", "Layout", "find_layout", "NETWORK_FEED", "Messages", "read_messages",
    "MONTHLY_KPIS", "MonthGroup", "fold_groups", "monthly", "language", "tone", "tones",
    "TermCount", "term_counts", "terms", "top_terms", "Profile", "pagerank", "profile_text", "profiles",
    "Subject", "SubjectCount", "mentioned", "subject_counts",
]
