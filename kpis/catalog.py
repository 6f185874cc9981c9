"""The KPI catalog: every indicator Passerelle knows, declared once as data.

    >>> KPIS["ctr"].formula
    'clicks / impressions'
    >>> match_header("Clics sur un lien").kpi
    'clicks'
    >>> match_header("Effectif total").match
    'partial'

Ingestion reads the synonyms, metrics reads the aggregation kinds and formulas,
the Référentiel page and the docs read the labels. Nothing else declares a KPI.

Aggregation kinds (DESIGN.md, "KPI semantics"):

- ``flow``: summed over time and every dimension, prorated by day;
- ``stock``: end of period over time, summed over entities, maximum over
  channels and initiatives;
- ``distinct``: per native sub-period summed over entities (maximum over
  channels and initiatives), then averaged over the sub-periods with data;
- ``ratio``: numerator / denominator of the aggregated components;
- ``score``: (promoters − detractors) / respondents × 100 from pooled counts.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from kpis.model import EXTERNAL_SEGMENTS, INTERNAL_SEGMENTS, SEGMENTS

__all__ = [
    "KPIS",
    "BASE_KPIS",
    "DERIVED_KPIS",
    "Kpi",
    "Stage",
    "FUNNEL",
    "FAMILIES",
    "stage_of",
    "VOCABULARY",
    "MATCHED",
    "MATCHED_PARTS",
    "MATCH_BY_CHANNEL",
    "SOURCE_NAMES",
    "SOURCE_NAMES_EN",
    "source_name",
    "source_origin",
    "DIMENSION_ROLES",
    "HeaderMatch",
    "fold",
    "match_header",
    "kpi_for_name",
    "closest",
    "segment_of",
    "world_variant",
    "BUILTIN_KPIS",
    "install",
    "installed",
    "on_change",
]

EXTERNAL = EXTERNAL_SEGMENTS
INTERNAL = INTERNAL_SEGMENTS
BOTH = SEGMENTS

ADDITIVE_OVER = {
    "flow": ("period", "entity", "channel", "initiative"),
    "stock": ("entity",),
    "distinct": ("entity",),
    "ratio": (),
    "score": (),
}
"""The dimensions over which a KPI of each kind may be summed."""


@dataclass(frozen=True)
class Kpi:
    """One catalog entry. Derived KPIs (ratio, score) carry their formula."""

    code: str
    label_fr: str
    label_en: str
    definition_fr: str
    definition_en: str
    unit: str  # "count", "€", "%", "×" or "score"
    aggregation: str  # "flow", "stock", "distinct", "ratio" or "score"
    segments: tuple[str, ...]
    synonyms: tuple[str, ...] = ()
    direction: int = 1  # +1: higher is better; -1: lower is better
    numerator: tuple[tuple[int, str], ...] = ()  # (sign, code) terms
    denominator: str | None = None
    scale: float = 1.0
    thresholds: tuple[float, float] = (1.0, 0.9)  # attainment for green, amber
    custom: bool = False  # one of the organisation's own KPIs (kept in the store), not a built-in one
    stage: str | None = None  # a FUNNEL stage code the KPI belongs to (the organisation's KPIs only)
    twin: str | None = None  # the KPI playing the same role in the other world (the organisation's KPIs only)
    bounded: bool = True  # a % ratio whose numerator is a part of its denominator: above 100 % is an anomaly

    @property
    def base(self) -> bool:
        """A base KPI is stored; a derived one is computed from base KPIs."""
        return self.aggregation in ("flow", "stock", "distinct")

    @property
    def additive_over(self) -> tuple[str, ...]:
        return ADDITIVE_OVER[self.aggregation]

    @property
    def components(self) -> tuple[str, ...]:
        """The base KPIs a derived KPI is computed from."""
        codes = [code for _, code in self.numerator]
        if self.denominator:
            codes.append(self.denominator)
        return tuple(dict.fromkeys(codes))

    @property
    def formula(self) -> str | None:
        """The formula as text, e.g. ``'(nps_promoters − nps_detractors) / nps_respondents × 100'``."""
        if not self.denominator:
            return None
        terms = " ".join(("" if i == 0 and s > 0 else ("+ " if s > 0 else "− ")) + c
                         for i, (s, c) in enumerate(self.numerator)).strip()
        if len(self.numerator) > 1:
            terms = f"({terms})"
        text = f"{terms} / {self.denominator}"
        return text + (f" × {self.scale:g}" if self.scale != 1 else "")

    def label(self, lang: str = "fr") -> str:
        return self.label_fr if lang == "fr" else self.label_en

    def short(self, lang: str = "fr") -> str:
        """A label short enough for a KPI card (``CTR``, ``Adoption``); the full label otherwise."""
        fr, en = SHORT_LABELS.get(self.code, (self.label_fr, self.label_en))
        return fr if lang == "fr" else en

    def definition(self, lang: str = "fr") -> str:
        return self.definition_fr if lang == "fr" else self.definition_en


def _flow(code, fr, en, dfr, den, segments, synonyms, unit="count", direction=1):
    return Kpi(code, fr, en, dfr, den, unit, "flow", segments, synonyms, direction)


def _stock(code, fr, en, dfr, den, segments, synonyms):
    return Kpi(code, fr, en, dfr, den, "count", "stock", segments, synonyms)


def _distinct(code, fr, en, dfr, den, segments, synonyms):
    return Kpi(code, fr, en, dfr, den, "count", "distinct", segments, synonyms)


def _ratio(code, fr, en, dfr, den, segments, num, denom, unit="%", direction=1, synonyms=(), bounded=True):
    terms = tuple((1, n) if isinstance(n, str) else n for n in ((num,) if isinstance(num, str) else num))
    return Kpi(code, fr, en, dfr, den, unit, "ratio", segments, synonyms, direction, terms, denom, bounded=bounded)


def _score(code, fr, en, dfr, den, segments, prefix):
    terms = ((1, f"{prefix}_promoters"), (-1, f"{prefix}_detractors"))
    return Kpi(code, fr, en, dfr, den, "score", "score", segments, (), 1, terms, f"{prefix}_respondents", 100.0)


_CATALOG = (
    # --- external: audience and acquisition -------------------------------------------------
    _flow("impressions", "Impressions", "Impressions",
          "Nombre d'affichages d'une annonce ou d'un contenu.", "Number of times an ad or a post was shown.",
          EXTERNAL, ("impressions", "impr", "impression", "affichages")),
    _flow("clicks", "Clics", "Clicks",
          "Clics sur une annonce ou un contenu (les clics sur un lien comptent comme des clics).",
          "Clicks on an ad or a post (link clicks count as clicks).",
          EXTERNAL, ("clicks", "clics", "clic", "click", "link clicks", "clics sur un lien", "clics sur le lien",
                     "clics sur les liens")),
    _flow("sessions", "Sessions", "Sessions",
          "Visites d'un site ou d'une application.", "Visits of a website or an app.",
          EXTERNAL, ("sessions", "visites", "visits")),
    _flow("engaged_sessions", "Sessions avec engagement", "Engaged sessions",
          "Sessions de plus de 10 s, avec un événement clé ou au moins deux pages vues.",
          "Sessions lasting over 10 s, with a key event or at least two page views.",
          EXTERNAL, ("engaged sessions", "sessions avec engagement", "sessions engagees")),
    _flow("conversions", "Conversions", "Conversions",
          "Actions attendues réalisées (achat, inscription, événement clé).",
          "Completed goal actions (purchase, sign-up, key event).",
          EXTERNAL, ("conversions", "conversion", "conv", "key events", "evenements cles", "evenement cle")),
    _flow("leads", "Prospects (leads)", "Leads",
          "Contacts commerciaux qualifiés générés.", "Qualified sales contacts generated.",
          EXTERNAL, ("leads", "lead", "prospects", "leads generes", "nouveaux prospects")),
    _flow("revenue", "Chiffre d'affaires", "Revenue",
          "Revenu attribué au digital, en devise de la source.",
          "Revenue attributed to digital, in the source's currency.",
          EXTERNAL, ("revenue", "revenu", "revenus", "total revenue", "revenu total", "chiffre d affaires", "ca",
                     "conv value", "valeur de conv", "conversion value", "valeur de conversion",
                     "purchase revenue", "revenus generes par les achats"), unit="€"),
    _flow("cost", "Coût", "Cost",
          "Dépense média, en devise de la source.", "Media spend, in the source's currency.",
          EXTERNAL, ("cost", "cout", "couts", "depenses", "depense", "spend", "amount spent", "montant depense",
                     "budget depense", "montant depense eur"), unit="€", direction=-1),
    # --- external: e-reputation and audience ---------------------------------------------------
    _flow("mentions", "Mentions", "Mentions",
          "Mentions de la marque relevées en ligne.", "Brand mentions found online.",
          EXTERNAL, ("mentions", "mention", "volume de mentions")),
    _flow("positive_mentions", "Mentions positives", "Positive mentions",
          "Mentions de tonalité positive.", "Mentions with a positive tone.",
          EXTERNAL, ("positive mentions", "mentions positives")),
    _flow("negative_mentions", "Mentions négatives", "Negative mentions",
          "Mentions de tonalité négative.", "Mentions with a negative tone.",
          EXTERNAL, ("negative mentions", "mentions negatives"), direction=-1),
    _stock("followers", "Abonnés", "Followers",
           "Nombre d'abonnés en fin de période (stock, jamais additionné dans le temps).",
           "Followers at the end of the period (a stock, never summed over time).",
           EXTERNAL, ("followers", "abonnes", "nombre d abonnes", "fans")),
    _flow("new_followers", "Nouveaux abonnés", "New followers",
          "Abonnés gagnés pendant la période.", "Followers gained during the period.",
          EXTERNAL, ("new followers", "nouveaux abonnes", "abonnes gagnes", "gained followers", "subscribers gained")),
    _flow("reposts", "Partages", "Reposts",
          "Partages ou republications d'un contenu.", "Shares or reposts of a post.",
          EXTERNAL, ("reposts", "repost", "shares", "partages", "republications", "retweets")),
    _distinct("unique_visitors", "Visiteurs uniques", "Unique visitors",
              "Personnes distinctes ayant visité, par période native du fichier.",
              "Distinct people who visited, per native period of the file.",
              EXTERNAL, ("unique visitors", "visiteurs uniques", "visiteurs")),
    _flow("nps_promoters", "Promoteurs (NPS)", "Promoters (NPS)",
          "Répondants ayant noté 9 ou 10.", "Respondents who scored 9 or 10.",
          EXTERNAL, ("promoters", "promoteurs", "nps promoters", "promoteurs nps")),
    _flow("nps_detractors", "Détracteurs (NPS)", "Detractors (NPS)",
          "Répondants ayant noté de 0 à 6.", "Respondents who scored 0 to 6.",
          EXTERNAL, ("detractors", "detracteurs", "nps detractors", "detracteurs nps"), direction=-1),
    _flow("nps_respondents", "Répondants (NPS)", "Respondents (NPS)",
          "Clients ayant répondu à l'enquête NPS.", "Customers who answered the NPS survey.",
          EXTERNAL, ("respondents", "repondants", "nps respondents", "repondants nps", "nombre de reponses",
                     "reponses")),
    # --- external: e-mail campaigns (Brevo, Mailchimp, HubSpot: the words of their reports) --------
    _flow("emails_sent", "E-mails envoyés", "E-mails sent",
          "E-mails envoyés par une campagne (destinataires).", "E-mails sent by a campaign (recipients).",
          EXTERNAL, ("emails sent", "e mails envoyes", "emails envoyes", "sent", "envoyes", "total recipients",
                     "recipients", "destinataires", "nombre d envois", "envois")),
    _flow("emails_delivered", "E-mails délivrés", "E-mails delivered",
          "E-mails arrivés dans une boîte de réception (envoyés moins les rebonds).",
          "E-mails that reached an inbox (sent minus bounces).",
          EXTERNAL, ("delivered", "delivres", "emails delivered", "e mails delivres", "successful deliveries",
                     "livres", "distribues")),
    _flow("email_opens", "Ouvertures d'e-mails", "E-mail opens",
          "Ouvertures, y compris les ouvertures répétées d'un même destinataire.",
          "Opens, including repeated opens by the same recipient.",
          EXTERNAL, ("opens", "ouvertures", "total opens", "ouvertures totales", "total des ouvertures")),
    _flow("email_unique_opens", "Ouvertures uniques", "Unique opens",
          "Destinataires ayant ouvert l'e-mail au moins une fois.", "Recipients who opened the e-mail at least once.",
          EXTERNAL, ("unique opens", "ouvertures uniques", "openers", "ouvreurs", "opened", "ouverts")),
    _flow("email_unique_clicks", "Clics uniques (e-mail)", "Unique clicks (e-mail)",
          "Destinataires ayant cliqué au moins un lien de l'e-mail.",
          "Recipients who clicked at least one link of the e-mail.",
          EXTERNAL, ("unique clicks", "clics uniques", "clickers", "cliqueurs", "unique clickers")),
    _flow("email_bounces", "Rebonds d'e-mails", "E-mail bounces",
          "E-mails non délivrés (rebonds temporaires et définitifs).", "E-mails not delivered (soft and hard bounces).",
          EXTERNAL, ("email bounces", "total bounces", "bounced", "rebonds e mail", "total des rebonds",
                     "e mails en erreur"), direction=-1),
    _flow("email_unsubscribes", "Désinscriptions", "Unsubscribes",
          "Destinataires désinscrits depuis l'e-mail.", "Recipients who unsubscribed from the e-mail.",
          EXTERNAL, ("unsubscribes", "unsubscribed", "unsubscriptions", "desinscriptions", "desinscrits",
                     "desabonnements", "desabonnes"), direction=-1),
    # --- external: sales funnel (CRM reports) ----------------------------------------------------
    _flow("mql", "Leads qualifiés marketing (MQL)", "Marketing qualified leads (MQL)",
          "Prospects qualifiés par le marketing dans la période.", "Leads qualified by marketing in the period.",
          EXTERNAL, ("mql", "mqls", "marketing qualified leads", "leads qualifies marketing")),
    _flow("sql", "Leads qualifiés commerciaux (SQL)", "Sales qualified leads (SQL)",
          "Prospects acceptés par les commerciaux dans la période.", "Leads accepted by sales in the period.",
          EXTERNAL, ("sql", "sqls", "sales qualified leads", "leads qualifies commerciaux", "leads qualifies ventes")),
    _flow("opportunities", "Opportunités", "Opportunities",
          "Opportunités commerciales créées dans la période.", "Sales opportunities created in the period.",
          EXTERNAL, ("opportunities", "opportunites", "deals created",
                     "affaires creees", "transactions creees", "record count opportunities")),
    _flow("won_deals", "Affaires gagnées", "Won deals",
          "Opportunités conclues gagnées dans la période.", "Opportunities closed won in the period.",
          EXTERNAL, ("won deals", "affaires gagnees", "deals won", "closed won",
                     "opportunites gagnees", "transactions gagnees")),
    _flow("pipeline_amount", "Montant du pipeline créé", "Pipeline created",
          "Montant des opportunités créées dans la période (un flux, comme leur nombre).",
          "Amount of the opportunities created in the period (a flow, like their count).",
          EXTERNAL, ("pipeline amount", "montant du pipeline", "pipeline cree", "pipeline created",
                     "montant des opportunites"), unit="€"),
    _flow("won_amount", "Montant gagné", "Won amount",
          "Montant des affaires conclues gagnées dans la période.", "Amount of the deals closed won in the period.",
          EXTERNAL, ("won amount", "montant gagne", "closed won amount", "montant des affaires gagnees",
                     "amount won", "bookings"), unit="€"),
    # --- external: video (YouTube Studio and the like) -------------------------------------------
    _flow("video_views", "Vues de vidéos", "Video views",
          "Lectures d'une vidéo comptées par la plateforme.", "Plays of a video counted by the platform.",
          EXTERNAL, ("video views", "vues de la video", "vues des videos", "vues de videos", "lectures de videos",
                     "video plays")),
    _flow("watch_time_hours", "Durée de visionnage (heures)", "Watch time (hours)",
          "Heures de vidéo regardées.", "Hours of video watched.",
          EXTERNAL, ("watch time hours", "duree de visionnage heures", "watch time", "duree de visionnage",
                     "temps de visionnage", "temps de visionnage heures")),
    _flow("lost_followers", "Abonnés perdus", "Lost followers",
          "Abonnés perdus pendant la période (désabonnements d'une chaîne ou d'une page).",
          "Followers lost during the period (unfollows of a channel or a page).",
          EXTERNAL, ("subscribers lost", "abonnes perdus", "lost followers", "unfollows", "followers lost"),
          direction=-1),
    # --- external: mobile app -------------------------------------------------------------------
    _flow("app_installs", "Installations de l'application", "App installs",
          "Installations (premiers téléchargements) de l'application.", "App installs (first-time downloads).",
          EXTERNAL, ("installs", "installations", "app installs", "installations de l application",
                     "first time downloads", "premiers telechargements", "install events", "app units")),
    _flow("app_ratings", "Notes reçues (application)", "App ratings received",
          "Nombre de notes laissées sur le magasin d'applications.", "Number of ratings left on the app store.",
          EXTERNAL, ("ratings", "nombre de notes", "number of ratings", "ratings count", "notes recues")),
    _flow("app_rating_points", "Total des étoiles (application)", "App rating stars",
          "Somme des étoiles des notes reçues (5 pour une note de 5 étoiles) : la note moyenne en découle.",
          "Sum of the stars of the ratings received (5 for a 5-star rating): the average rating is derived from it.",
          EXTERNAL, ("rating points", "total stars", "total des etoiles", "somme des notes", "sum of ratings")),
    # --- internal ----------------------------------------------------------------------------
    _stock("population", "Population cible", "Target population",
           "Collaborateurs visés (licenciés, effectif) en fin de période.",
           "Employees in scope (licensed users, headcount) at the end of the period.",
           INTERNAL, ("population", "effectif", "effectifs", "population cible", "target population", "headcount",
                      "licensed users", "utilisateurs sous licence", "nombre de collaborateurs", "employees",
                      "salaries")),
    _distinct("contributors", "Contributeurs", "Contributors",
              "Collaborateurs ayant publié au moins une fois dans la période native.",
              "Employees who posted at least once in the native period.",
              INTERNAL, ("contributors", "contributeurs", "contributeurs actifs", "posters")),
    _flow("contributions", "Contributions", "Contributions",
          "Publications, réponses et messages postés.", "Posts, replies and messages posted.",
          INTERNAL, ("contributions", "publications", "posts", "messages publies", "messages postes", "messages",
                     "channel messages", "messages du canal", "messages des canaux")),
    _distinct("readers", "Lecteurs", "Readers",
              "Collaborateurs ayant lu au moins un contenu dans la période native.",
              "Employees who read at least one item in the native period.",
              INTERNAL, ("readers", "lecteurs")),
    _stock("spaces", "Espaces collaboratifs", "Collaborative spaces",
           "Espaces, communautés ou sites existants en fin de période.",
           "Spaces, communities or sites existing at the end of the period.",
           INTERNAL, ("spaces", "espaces", "nombre d espaces", "espaces collaboratifs", "communautes", "communities")),
    _distinct("active_spaces", "Espaces actifs", "Active spaces",
              "Espaces ayant reçu au moins une contribution dans la période native.",
              "Spaces with at least one contribution in the native period.",
              INTERNAL, ("active spaces", "espaces actifs", "communautes actives")),
    _flow("enps_promoters", "Promoteurs (eNPS)", "Promoters (eNPS)",
          "Collaborateurs ayant noté 9 ou 10.", "Employees who scored 9 or 10.",
          INTERNAL, ("enps promoters", "promoteurs enps")),
    _flow("enps_detractors", "Détracteurs (eNPS)", "Detractors (eNPS)",
          "Collaborateurs ayant noté de 0 à 6.", "Employees who scored 0 to 6.",
          INTERNAL, ("enps detractors", "detracteurs enps"), direction=-1),
    _flow("enps_respondents", "Répondants (eNPS)", "Respondents (eNPS)",
          "Collaborateurs ayant répondu à l'enquête eNPS.", "Employees who answered the eNPS survey.",
          INTERNAL, ("enps respondents", "repondants enps")),
    _flow("training_hours", "Heures de formation", "Training hours",
          "Heures de formation suivies par les collaborateurs.", "Training hours attended by employees.",
          INTERNAL, ("training hours", "heures de formation", "nombre d heures de formation", "heures formation",
                     "hours of training", "learning hours")),
    _flow("suggestions", "Idées proposées", "Suggestions",
          "Idées ou suggestions déposées par les collaborateurs.", "Ideas or suggestions submitted by employees.",
          INTERNAL, ("suggestions", "idees proposees", "idees deposees", "ideas submitted", "idees soumises",
                     "ideas", "idees")),
    _flow("ideas_adopted", "Idées adoptées", "Ideas adopted",
          "Idées retenues pour être mises en œuvre.", "Ideas selected for implementation.",
          INTERNAL, ("ideas adopted", "idees adoptees", "idees retenues", "ideas implemented", "idees mises en oeuvre",
                     "adopted ideas")),
    _flow("helpdesk_tickets", "Tickets d'assistance", "Helpdesk tickets",
          "Demandes ouvertes auprès du support informatique (moins il y en a, mieux l'outil est compris).",
          "Requests opened with IT support (fewer means the tool is better understood).",
          INTERNAL, ("helpdesk tickets", "tickets d assistance", "tickets", "tickets ouverts", "support tickets",
                     "demandes d assistance", "tickets helpdesk"), direction=-1),
    # --- internal: e-reputation on the enterprise social network (kpis.esn) -------------------
    _flow("esn_threads", "Conversations lancées (RSE)", "Conversations started (ESN)",
          "Messages du réseau social d'entreprise qui ouvrent une conversation, hors groupes et échanges privés.",
          "Enterprise social network messages that start a conversation, private groups and chats excluded.",
          INTERNAL, ("conversations lancees", "conversations started", "fils de discussion", "threads")),
    _flow("esn_replied_threads", "Conversations avec réponse (RSE)", "Conversations with a reply (ESN)",
          "Conversations lancées dans la période qui ont reçu au moins une réponse.",
          "Conversations started in the period that received at least one reply.",
          INTERNAL, ("conversations avec reponse", "conversations with a reply", "replied threads")),
    _flow("esn_messages", "Messages analysés (RSE)", "Analysed messages (ESN)",
          "Messages et réponses publiés sur le réseau social d'entreprise, hors groupes et échanges privés.",
          "Posts and replies on the enterprise social network, private groups and chats excluded.",
          INTERNAL, ("messages analyses", "analysed messages", "messages rse", "esn messages")),
    _distinct("esn_voices", "Voix actives (RSE)", "Active voices (ESN)",
              "Auteurs distincts d'au moins un message sur le réseau social dans la période native.",
              "Distinct authors of at least one message on the social network in the native period.",
              INTERNAL, ("voix actives", "active voices", "auteurs distincts", "distinct authors")),
    _flow("esn_positive_messages", "Messages positifs (RSE)", "Positive messages (ESN)",
          "Messages du réseau social d'entreprise de tonalité positive.",
          "Enterprise social network messages with a positive tone.",
          INTERNAL, ("messages positifs", "positive messages")),
    _flow("esn_negative_messages", "Messages négatifs (RSE)", "Negative messages (ESN)",
          "Messages du réseau social d'entreprise de tonalité négative.",
          "Enterprise social network messages with a negative tone.",
          INTERNAL, ("messages negatifs", "negative messages"), direction=-1),
    _flow("esn_neutral_messages", "Messages neutres (RSE)", "Neutral messages (ESN)",
          "Messages du réseau social d'entreprise sans tonalité marquée (questions, informations).",
          "Enterprise social network messages without a marked tone (questions, information).",
          INTERNAL, ("messages neutres", "neutral messages")),
    # --- both worlds -------------------------------------------------------------------------
    _distinct("active_users", "Utilisateurs actifs", "Active users",
              "Personnes distinctes actives dans la période native (moyenne sur les périodes plus longues).",
              "Distinct people active in the native period (averaged over longer periods).",
              BOTH, ("active users", "utilisateurs actifs", "total users", "utilisateurs", "users", "actifs",
                     "monthly active users", "utilisateurs actifs mensuels", "mau")),
    _flow("comments", "Commentaires", "Comments",
          "Commentaires publiés.", "Comments posted.",
          BOTH, ("comments", "commentaires", "comment", "commentaire")),
    _flow("reactions", "Réactions", "Reactions",
          "Réactions et mentions J'aime.", "Reactions and likes.",
          BOTH, ("reactions", "reaction", "likes", "j aime", "liked")),
    _flow("page_views", "Pages vues", "Page views",
          "Pages consultées.", "Pages viewed.",
          BOTH, ("page views", "pages vues", "vues de pages", "pageviews", "vues", "views", "pages consultees")),
    # --- derived: external -------------------------------------------------------------------
    _ratio("ctr", "Taux de clic (CTR)", "Click-through rate (CTR)",
           "Clics / impressions.", "Clicks / impressions.", EXTERNAL, "clicks", "impressions"),
    _ratio("conversion_rate", "Taux de conversion", "Conversion rate",
           "Conversions / clics.", "Conversions / clicks.", EXTERNAL, "conversions", "clicks"),
    _ratio("engagement_rate", "Taux d'engagement", "Engagement rate",
           "Sessions avec engagement / sessions.", "Engaged sessions / sessions.", EXTERNAL, "engaged_sessions",
           "sessions"),
    _ratio("cpc", "Coût par clic (CPC)", "Cost per click (CPC)",
           "Coût / clics.", "Cost / clicks.", EXTERNAL, "cost", "clicks", unit="€", direction=-1),
    _ratio("cpa", "Coût par acquisition (CPA)", "Cost per acquisition (CPA)",
           "Coût / conversions.", "Cost / conversions.", EXTERNAL, "cost", "conversions", unit="€", direction=-1),
    _ratio("roas", "Retour sur dépense publicitaire (ROAS)", "Return on ad spend (ROAS)",
           "Chiffre d'affaires / coût.", "Revenue / cost.", EXTERNAL, "revenue", "cost", unit="×"),
    _ratio("sentiment_score", "Score de sentiment", "Sentiment score",
           "(Mentions positives − mentions négatives) / mentions.", "(Positive − negative mentions) / mentions.",
           EXTERNAL, ((1, "positive_mentions"), (-1, "negative_mentions")), "mentions"),
    _ratio("open_rate", "Taux d'ouverture", "Open rate",
           "Ouvertures uniques / e-mails délivrés.", "Unique opens / e-mails delivered.", EXTERNAL,
           "email_unique_opens", "emails_delivered"),
    _ratio("click_to_open_rate", "Taux de réactivité (CTOR)", "Click-to-open rate (CTOR)",
           "Clics uniques / ouvertures uniques.", "Unique clicks / unique opens.", EXTERNAL, "email_unique_clicks",
           "email_unique_opens"),
    _ratio("email_bounce_rate", "Taux de rebond (e-mail)", "Bounce rate (e-mail)",
           "Rebonds / e-mails envoyés.", "Bounces / e-mails sent.", EXTERNAL, "email_bounces", "emails_sent",
           direction=-1),
    _ratio("unsubscribe_rate", "Taux de désinscription", "Unsubscribe rate",
           "Désinscriptions / e-mails délivrés.", "Unsubscribes / e-mails delivered.", EXTERNAL,
           "email_unsubscribes", "emails_delivered", direction=-1),
    _ratio("delivery_rate", "Taux de délivrabilité", "Delivery rate",
           "E-mails délivrés / e-mails envoyés.", "E-mails delivered / e-mails sent.", EXTERNAL, "emails_delivered",
           "emails_sent"),
    _ratio("mql_to_sql_rate", "Taux de passage MQL → SQL", "MQL → SQL rate",
           "SQL / MQL de la période ; peut dépasser 100 % quand des MQL d'une période antérieure deviennent SQL.",
           "SQL / MQL of the period; can exceed 100 % when MQLs of an earlier period become SQLs.",
           EXTERNAL, "sql", "mql", bounded=False),
    _ratio("win_rate", "Taux de transformation (affaires gagnées)", "Win rate",
           "Affaires gagnées / opportunités de la période ; peut dépasser 100 % quand des opportunités d'une "
           "période antérieure sont gagnées.",
           "Won deals / opportunities of the period; can exceed 100 % when opportunities of an earlier period are "
           "won.", EXTERNAL, "won_deals", "opportunities", bounded=False),
    _ratio("average_deal", "Panier moyen (affaire gagnée)", "Average deal size",
           "Montant gagné / affaires gagnées.", "Won amount / won deals.", EXTERNAL, "won_amount", "won_deals",
           unit="€"),
    _ratio("view_rate", "Taux de vue (vidéo)", "View rate (video)",
           "Vues de vidéos / impressions.", "Video views / impressions.", EXTERNAL, "video_views", "impressions"),
    _ratio("app_rating", "Note moyenne (application)", "Average app rating",
           "Total des étoiles / notes reçues : une moyenne pondérée, jamais une somme ni une moyenne de moyennes.",
           "Rating stars / ratings received: a weighted average, never a sum nor an average of averages.",
           EXTERNAL, "app_rating_points", "app_ratings", unit="score"),
    _score("nps", "NPS", "NPS",
           "(Promoteurs − détracteurs) / répondants × 100, sur les réponses cumulées.",
           "(Promoters − detractors) / respondents × 100, from pooled answers.", EXTERNAL, "nps"),
    # --- derived: internal -------------------------------------------------------------------
    _ratio("adoption_rate", "Taux d'adoption", "Adoption rate",
           "Utilisateurs actifs / population cible.", "Active users / target population.",
           INTERNAL, "active_users", "population"),
    _ratio("participation_rate", "Taux de participation", "Participation rate",
           "Contributeurs / utilisateurs actifs.", "Contributors / active users.",
           INTERNAL, "contributors", "active_users"),
    _ratio("contributions_per_active_user", "Contributions par utilisateur actif", "Contributions per active user",
           "Contributions / utilisateurs actifs.", "Contributions / active users.",
           INTERNAL, "contributions", "active_users", unit="count"),
    _ratio("active_space_rate", "Taux d'espaces actifs", "Active space rate",
           "Espaces actifs / espaces.", "Active spaces / spaces.", INTERNAL, "active_spaces", "spaces"),
    _ratio("ideas_adoption_rate", "Taux d'adoption des idées", "Idea adoption rate",
           "Idées adoptées / idées proposées.", "Ideas adopted / suggestions.", INTERNAL, "ideas_adopted",
           "suggestions"),
    _ratio("esn_reply_rate", "Taux de réponse (RSE)", "Reply rate (ESN)",
           "Conversations avec réponse / conversations lancées.", "Conversations with a reply / conversations "
           "started.", INTERNAL, "esn_replied_threads", "esn_threads"),
    _ratio("esn_sentiment_score", "Score de sentiment interne", "Internal sentiment score",
           "(Messages positifs − messages négatifs) / messages analysés, sur la même échelle que le score de "
           "sentiment externe.", "(Positive − negative messages) / analysed messages, on the same scale as the "
           "external sentiment score.",
           INTERNAL, ((1, "esn_positive_messages"), (-1, "esn_negative_messages")), "esn_messages"),
    _score("enps", "eNPS", "eNPS",
           "(Promoteurs − détracteurs) / répondants × 100, sur les réponses cumulées.",
           "(Promoters − detractors) / respondents × 100, from pooled answers.", INTERNAL, "enps"),
)

SHORT_LABELS = {
    "ctr": ("CTR", "CTR"), "conversion_rate": ("Conversion", "Conversion"), "cpc": ("CPC", "CPC"),
    "cpa": ("CPA", "CPA"), "roas": ("ROAS", "ROAS"), "engagement_rate": ("Engagement", "Engagement"),
    "sentiment_score": ("Sentiment", "Sentiment"), "adoption_rate": ("Adoption", "Adoption"),
    "participation_rate": ("Participation", "Participation"), "active_users": ("Actifs", "Active users"),
    "contributions_per_active_user": ("Contrib. / actif", "Contrib. / user"),
    "active_space_rate": ("Espaces actifs", "Active spaces"), "spaces": ("Espaces", "Spaces"),
    "population": ("Population", "Population"), "unique_visitors": ("Visiteurs", "Visitors"),
    "new_followers": ("Nouveaux abonnés", "New followers"),
    "engaged_sessions": ("Sessions engagées", "Engaged sessions"),
    "revenue": ("CA", "Revenue"), "leads": ("Leads", "Leads"),
    "open_rate": ("Ouverture", "Open rate"), "click_to_open_rate": ("CTOR", "CTOR"),
    "email_bounce_rate": ("Rebond e-mail", "E-mail bounce"), "unsubscribe_rate": ("Désinscription", "Unsubscribe"),
    "delivery_rate": ("Délivrabilité", "Delivery"), "mql_to_sql_rate": ("MQL → SQL", "MQL → SQL"),
    "win_rate": ("Transformation", "Win rate"), "average_deal": ("Affaire moyenne", "Average deal"),
    "view_rate": ("Taux de vue", "View rate"), "app_rating": ("Note appli", "App rating"),
    "ideas_adoption_rate": ("Idées adoptées", "Idea adoption"), "email_unique_opens": ("Ouvertures", "Unique opens"),
    "email_unique_clicks": ("Clics e-mail", "E-mail clicks"), "watch_time_hours": ("Visionnage (h)", "Watch time (h)"),
    "helpdesk_tickets": ("Tickets", "Tickets"), "app_installs": ("Installations", "Installs"),
    "esn_sentiment_score": ("Sentiment interne", "Internal sentiment"),
    "esn_reply_rate": ("Taux de réponse", "Reply rate"), "esn_voices": ("Voix actives", "Active voices"),
    "esn_threads": ("Conversations", "Conversations"), "esn_messages": ("Messages RSE", "ESN messages"),
}
"""Card labels, where the catalog label would be cut (the card's help gives the definition)."""

BUILTIN_KPIS: dict[str, Kpi] = {k.code: k for k in _CATALOG}
"""The KPIs Passerelle ships with, never changed."""
KPIS: dict[str, Kpi] = dict(BUILTIN_KPIS)
"""Every KPI known now: the built-in ones, then the organisation's own KPIs of the store in use (``install``).
Modules keep a reference to this dict: ``install`` changes it in place, never rebinds it."""
BASE_KPIS: tuple[str, ...] = tuple(c for c, k in BUILTIN_KPIS.items() if k.base)
DERIVED_KPIS: tuple[str, ...] = tuple(c for c, k in BUILTIN_KPIS.items() if not k.base)

MATCH_SEPARATOR = "~"
MATCHED: dict[str, dict[str, str]] = {}
"""Ratio -> {component -> code of its matched part}. A ratio is computed from matched components only: the
values of a component in a series (origin, segment, entity, channel, initiative) and native period where every
other component of the ratio has a value too, so that no rate divides one tool's events by another tool's
clicks. The store computes the matched parts (``Store.native_totals(..., sources=True)``); the metrics divide
them. A ratio of stocks or distinct counts (adoption: active users over population) matches on origin, segment,
entity and period only, since its components are read across channels (the largest) rather than per channel.
Scores (NPS) are not matched: a survey's promoters, detractors and respondents come together."""
MATCHED_PARTS: dict[str, tuple[str, str]] = {}
"""Code of a matched part -> (ratio, component)."""
MATCH_BY_CHANNEL: set[str] = set()
"""Ratios of flows only: their components also match on channel and initiative."""


def _derive_matched() -> None:
    """Fill ``MATCHED``, ``MATCHED_PARTS`` and ``MATCH_BY_CHANNEL`` from ``KPIS``, in place."""
    matched = {c: {part: f"{c}{MATCH_SEPARATOR}{part}" for part in k.components}
               for c, k in KPIS.items() if k.aggregation == "ratio"}
    for gone in [c for c in MATCHED if c not in matched]:
        del MATCHED[gone]
    MATCHED.update(matched)
    parts = {code: (ratio, part) for ratio, parts in matched.items() for part, code in parts.items()}
    for gone in [c for c in MATCHED_PARTS if c not in parts]:
        del MATCHED_PARTS[gone]
    MATCHED_PARTS.update(parts)
    by_channel = {c for c in matched if all(KPIS[p].aggregation == "flow" for p in KPIS[c].components)}
    MATCH_BY_CHANNEL.intersection_update(by_channel)
    MATCH_BY_CHANNEL.update(by_channel)


_derive_matched()

SOURCE_NAMES = {
    "google_ads_campaign": "Google Ads", "ga4": "Google Analytics 4", "linkedin_visitors": "LinkedIn (visiteurs)",
    "linkedin_followers": "LinkedIn (abonnés)", "linkedin_content": "LinkedIn (contenus)", "meta_ads": "Meta Ads",
    "m365_viva_engage_user_detail": "Viva Engage (utilisateurs)",
    "m365_viva_engage_groups": "Viva Engage (communautés)",
    "m365_sharepoint_site_usage": "SharePoint (sites)", "m365_teams_user_activity": "Teams (utilisateurs)",
    "m365_daily_counts": "Microsoft 365 (activité quotidienne)",
    "google_search_console": "Google Search Console", "matomo": "Matomo", "mailchimp_campaigns": "Mailchimp",
    "hubspot_email": "HubSpot (e-mails marketing)", "salesforce_opportunities": "Salesforce (opportunités)",
    "hubspot_deals": "HubSpot (transactions)", "youtube_studio": "YouTube Studio",
    "m365_teams_team_activity": "Teams (équipes)",
    "esn_viva_engage_messages": "Viva Engage (messages)", "esn_messages": "Réseau social d'entreprise (messages)",
    "instagram_content": "Instagram (contenus, Meta Business Suite)",
}
"""Human names of the recognised export formats (the origin of their batches), in French."""

SOURCE_NAMES_EN = {
    "linkedin_visitors": "LinkedIn (visitors)", "linkedin_followers": "LinkedIn (followers)",
    "linkedin_content": "LinkedIn (content)", "m365_viva_engage_user_detail": "Viva Engage (users)",
    "m365_viva_engage_groups": "Viva Engage (communities)", "m365_sharepoint_site_usage": "SharePoint (sites)",
    "m365_teams_user_activity": "Teams (users)", "m365_daily_counts": "Microsoft 365 (daily activity)",
    "hubspot_email": "HubSpot (marketing e-mails)", "salesforce_opportunities": "Salesforce (opportunities)",
    "hubspot_deals": "HubSpot (deals)", "m365_teams_team_activity": "Teams (teams)",
    "esn_viva_engage_messages": "Viva Engage (messages)", "esn_messages": "Enterprise social network (messages)",
    "instagram_content": "Instagram (content, Meta Business Suite)",
}
"""The English names that differ from the French ones."""


def source_name(origin: str, lang: str = "fr") -> str:
    """A source as a person names it, in ``lang``; other origins (the demo's workbooks, a generic file's
    structural origin) as they are.

        >>> source_name("ga4"), source_name("linkedin_followers"), source_name("linkedin_followers", "en")
        ('Google Analytics 4', 'LinkedIn (abonnés)', 'LinkedIn (followers)')
    """
    if lang != "fr" and origin in SOURCE_NAMES_EN:
        return SOURCE_NAMES_EN[origin]
    return SOURCE_NAMES.get(origin, origin)


def source_origin(name: str) -> str | None:
    """The format a name given in either language stands for (``"LinkedIn (followers)"`` →
    ``linkedin_followers``), else None."""
    for names in (SOURCE_NAMES, SOURCE_NAMES_EN):
        for origin, known in names.items():
            if known == name:
                return origin
    return None


# --- the unified CDO funnel ----------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    code: str
    label_fr: str
    label_en: str
    external: str  # KPI playing this role for B2C / B2B
    internal: str  # KPI playing this role for B2E
    members: tuple[str, ...] = ()  # the families' KPIs at this stage (shown with it, never added to its KPI)

    def kpi(self, segment: str) -> str:
        return self.internal if segment in INTERNAL else self.external

    def label(self, lang: str = "fr") -> str:
        return self.label_fr if lang == "fr" else self.label_en


FUNNEL = (
    Stage("audience", "Audience", "Audience", "impressions", "population",
          ("emails_sent", "emails_delivered", "email_bounces", "delivery_rate", "email_bounce_rate")),
    Stage("engagement", "Engagement", "Engagement", "clicks", "active_users",
          ("email_opens", "email_unique_opens", "open_rate", "video_views", "watch_time_hours", "view_rate",
           "training_hours")),
    Stage("action", "Action", "Action", "conversions", "contributors",
          ("email_unique_clicks", "click_to_open_rate", "leads", "mql", "sql", "opportunities", "won_deals",
           "pipeline_amount", "won_amount", "mql_to_sql_rate", "win_rate", "average_deal", "new_followers",
           "lost_followers",
           "app_installs", "suggestions", "ideas_adopted", "ideas_adoption_rate")),
    Stage("satisfaction", "Satisfaction", "Satisfaction", "nps", "enps",
          ("email_unsubscribes", "unsubscribe_rate", "app_ratings", "app_rating_points", "app_rating",
           "helpdesk_tickets")),
)
"""DESIGN.md's funnel: funnel_engagement_rate = engagement / audience,
funnel_action_rate = action / engagement.

``members`` places the families' KPIs (e-mail, sales, video, app, internal) at the stage they play, for either
world: e-mails delivered are an audience, opens and views an engagement, clicks of an e-mail, leads, deals,
installs and ideas an action, unsubscribes, store ratings and helpdesk tickets a satisfaction signal. The stage's
own KPI stays the one that is comparable across worlds; members are never added to it."""

FAMILIES: dict[str, tuple[str, ...]] = {
    "email": ("emails_sent", "emails_delivered", "email_opens", "email_unique_opens", "email_unique_clicks",
              "email_bounces", "email_unsubscribes", "open_rate", "click_to_open_rate", "email_bounce_rate",
              "unsubscribe_rate", "delivery_rate"),
    "sales": ("leads", "mql", "sql", "opportunities", "won_deals", "pipeline_amount", "won_amount",
              "mql_to_sql_rate", "win_rate", "average_deal"),
    "video": ("video_views", "watch_time_hours", "new_followers", "lost_followers", "view_rate"),
    "app": ("app_installs", "app_ratings", "app_rating_points", "app_rating"),
    "internal": ("training_hours", "suggestions", "ideas_adopted", "helpdesk_tickets", "ideas_adoption_rate"),
}
"""The KPI families of the teams' exports beyond the unified funnel (issue 12). YouTube's subscribers gained are
``new_followers``: the same flow as a page's new followers, one code for one concept."""


def stage_of(kpi: str) -> str | None:
    """The funnel stage a KPI plays (its own or as a member), else ``None``.

        >>> stage_of("open_rate"), stage_of("clicks"), stage_of("helpdesk_tickets")
        ('engagement', 'engagement', 'satisfaction')
    """
    for stage in FUNNEL:
        if kpi in (stage.external, stage.internal) or kpi in stage.members:
            return stage.code
    return None


VOCABULARY = (
    # (external FR, internal FR, external EN, internal EN)
    ("campagne", "espace collaboratif", "campaign", "collaborative space"),
    ("client", "collaborateur", "customer", "employee"),
    ("prospect", "nouvel arrivant", "prospect", "newcomer"),
    ("taux de conversion", "taux de participation", "conversion rate", "participation rate"),
    ("taux de clic", "taux d'adoption", "click-through rate", "adoption rate"),
    ("NPS", "eNPS", "NPS", "eNPS"),
    ("e-mailing", "newsletter interne", "e-mail campaign", "internal newsletter"),
    ("lead", "idée proposée", "lead", "suggestion"),
    ("affaire gagnée", "idée adoptée", "won deal", "adopted idea"),
    ("taux de transformation", "taux d'adoption des idées", "win rate", "idea adoption rate"),
    ("avis sur l'application", "ticket d'assistance", "app rating", "helpdesk ticket"),
)
"""The two vocabularies, word for word, for the side-by-side view."""


# --- headers --------------------------------------------------------------------------------

DIMENSION_ROLES = ("period", "period_start", "period_end", "segment", "entity", "channel", "initiative", "currency")

DIMENSION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "period": ("date", "jour", "day", "mois", "month", "semaine", "week", "trimestre", "quarter", "annee", "year",
               "an", "periode", "period", "report date", "date du rapport", "exercice", "date de publication"),
    "period_start": ("reporting starts", "debut des rapports", "date de debut", "start date", "debut", "date debut",
                     "from", "du", "period start", "debut de periode"),
    "period_end": ("reporting ends", "fin des rapports", "date de fin", "end date", "fin", "date fin", "to", "au",
                   "period end", "fin de periode"),
    "segment": ("segment", "segment client", "univers", "type de client", "customer type", "monde", "cible client"),
    "entity": ("entity", "entite", "marque", "brand", "marche", "market", "pays", "country", "bu", "business unit",
               "direction", "site", "filiale", "subsidiary", "departement", "department", "region", "division",
               "societe", "company", "pole", "branche", "zone"),
    "channel": ("channel", "canal", "canaux", "source", "network", "reseau", "outil", "tool", "plateforme",
                "platform", "channel group", "groupe de canaux", "default channel group", "support", "levier",
                "media", "source support"),
    "initiative": ("campaign", "campagne", "campaign name", "nom de la campagne", "space", "espace",
                   "espace collaboratif", "communaute", "community", "group", "groupe", "projet", "project",
                   "initiative", "programme", "operation", "nom du groupe", "group name"),
    "currency": ("currency", "currency code", "devise", "code de la devise", "monnaie"),
}

RATIO_HEADERS = (
    "ctr", "taux de clic", "taux de clics", "click through rate", "clickthrough rate",
    "taux de conv", "taux de conversion", "conv rate", "conversion rate",
    "cpc", "cpc moy", "avg cpc", "average cpc", "cout par clic", "cost per click",
    "cout conv", "cost conv", "cout par conversion", "cost per conversion", "cpa", "cost per acquisition",
    "cost per result", "cout par resultat", "cpm", "cpm moy", "avg cpm",
    "engagement rate", "taux d engagement", "roas", "conv value cost", "valeur de conv cout",
    "taux d adoption", "adoption rate", "taux de participation", "participation rate",
    "bounce rate", "taux de rebond", "nps", "enps", "net promoter score", "sentiment", "score de sentiment",
    "frequency", "frequence", "taux", "rate", "ratio", "moyenne", "average", "avg", "moy", "mean",
    "pourcentage", "percent", "percentage", "pct", "per", "par utilisateur", "par espace", "par jour",
)
"""Header words of ratios and averages: recognised, reported, never imported."""

ATTRIBUTE_WORDS = frozenset({
    "status", "statut", "etat", "state", "type", "id", "code", "budget", "objective", "objectif", "strategy",
    "strategie", "bid", "enchere", "encheres", "url", "owner", "proprietaire", "last", "derniere", "dernier",
    "refresh", "change", "creation", "created", "label", "libelle", "description", "is", "deleted",
})
"""Words that make a header describe an attribute of a thing, not the thing:
``Campaign status`` is not a campaign, ``Last activity date`` not a period."""

WHOLE_HEADER_ONLY = frozenset({"du", "au", "to", "from", "an"})
"""Synonyms that mean something only as the whole header (``Du`` is a period start): inside a longer header
they are prepositions (``Messages du canal``)."""

SEGMENT_WORDS: dict[str, tuple[str, ...]] = {
    "B2C": ("b2c", "grand public", "particuliers", "particulier", "consumer", "consumers", "clients particuliers",
            "btoc"),
    "B2B": ("b2b", "professionnels", "professionnel", "entreprises", "entreprise", "business", "pro", "pros", "btob"),
    "B2E": ("b2e", "collaborateurs", "collaborateur", "interne", "internal", "employees", "employes", "salaries",
            "btoe"),
}

_UNIT_PARENS = re.compile(
    r"\(\s*(?:€|eur|euros?|usd|\$|gbp|£|chf|k€|keur|%|#|nb|bytes?|octets?|ko|mo|go|kb|mb|gb|s|sec|min|h)\s*\)",
    re.IGNORECASE,
)
_NON_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=8192)
def fold(text: object) -> str:
    """Fold a header for comparison: case, accents, punctuation, unit parentheses.

        >>> fold("Montant dépensé (EUR)")
        'montant depense'
        >>> fold("Impressions (total)")
        'impressions total'
    """
    s = str(text).strip().lower()
    s = _UNIT_PARENS.sub(" ", s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("œ", "oe").replace("æ", "ae")
    return _NON_WORD.sub(" ", s).strip()


@dataclass(frozen=True)
class HeaderMatch:
    """What a header means. ``role`` is ``"kpi"``, a dimension role or ``"ratio"``."""

    role: str
    kpi: str | None = None
    match: str = "exact"  # "exact" or "partial"
    total: bool = False  # qualified "(total)": wins over its siblings
    synonym: str = ""

    @property
    def target(self) -> str:
        """The KPI code, or the role for dimensions and ratios."""
        return self.kpi or self.role


def _index(kpis=None) -> dict[str, tuple[str, str | None]]:
    """Folded synonym -> (role, KPI code): the base KPIs' codes and synonyms, then the dimensions'."""
    index: dict[str, tuple[str, str | None]] = {}
    for kpi in (KPIS if kpis is None else kpis).values():
        if kpi.base:
            for syn in (kpi.code, *kpi.synonyms):
                index.setdefault(fold(syn), ("kpi", kpi.code))
    for role, synonyms in DIMENSION_SYNONYMS.items():
        for syn in synonyms:
            index.setdefault(fold(syn), (role, None))
    return index


_EXACT = _index()
_KIND_RANK = {"period": 2, "period_start": 2, "period_end": 2, "kpi": 1}
"""On a tie between synonyms of one length, a period word wins (``Date de conversion`` holds dates), then a KPI
over the other dimensions: ``Channel Messages`` counts messages, it does not name channels."""
_RATIOS = frozenset(fold(r) for r in RATIO_HEADERS)
_MAX_SYNONYM_WORDS = max(len(s.split()) for s in (*_EXACT, *_RATIOS))


@lru_cache(maxsize=4096)
def match_header(header: object) -> HeaderMatch | None:
    """The meaning of a column header, or ``None`` when nothing matches.

    An exact synonym wins; then the longest synonym found as whole words in the
    header (a ratio word wins a tie, so ``CPC moy.`` is never a cost; then a
    period word, then a KPI over a dimension, so ``Channel Messages`` is a
    count); a partial match is refused when the header names an attribute
    (``Campaign status``).

        >>> match_header("Coût/conv.").role
        'ratio'
        >>> match_header("Campaign status") is None
        True
    """
    folded = fold(header)
    if not folded:
        return None
    if folded in _EXACT:
        role, kpi = _EXACT[folded]
        return HeaderMatch(role, kpi, "exact", synonym=folded)
    if folded in _RATIOS:
        return HeaderMatch("ratio", match="exact", synonym=folded)
    words = folded.split()
    best: tuple[int, int, int, str] | None = None  # (n_words, ratio_bonus, kind_rank, synonym)
    for n in range(min(len(words), _MAX_SYNONYM_WORDS), 0, -1):
        for i in range(len(words) - n + 1):
            candidate = " ".join(words[i : i + n])
            is_ratio = candidate in _RATIOS
            if (candidate in _EXACT and candidate not in WHOLE_HEADER_ONLY) or is_ratio:
                key = (n, int(is_ratio), 0 if is_ratio else _KIND_RANK.get(_EXACT[candidate][0], 0), candidate)
                if best is None or key[:3] > best[:3]:
                    best = key
        if best is not None:
            break
    if best is None:
        return None
    n, ratio_bonus, _, synonym = best
    if ratio_bonus:
        return HeaderMatch("ratio", match="partial", synonym=synonym)
    extra = set(words) - set(synonym.split())
    if extra & ATTRIBUTE_WORDS:
        return None
    role, kpi = _EXACT[synonym]
    return HeaderMatch(role, kpi, "partial", total="total" in extra, synonym=synonym)


def kpi_for_name(name: object) -> str | None:
    """The base KPI a cell names in a long or crosstab layout (code or synonym), else ``None``.

        >>> kpi_for_name("Pages vues")
        'page_views'
    """
    m = match_header(name)
    return m.kpi if m is not None and m.role == "kpi" else None


def closest(header: object, n: int = 3) -> list[str]:
    """Catalog KPI codes whose names look like ``header``, best first (for suggestions)."""
    folded = fold(header)
    names = {fold(s): k.code for k in KPIS.values() if k.base
             for s in (k.code, k.label_fr, k.label_en, *k.synonyms)}
    found = difflib.get_close_matches(folded, list(names), n=n * 3, cutoff=0.6)
    return list(dict.fromkeys(names[f] for f in found))[:n]


_SEGMENT_INDEX = {fold(w): seg for seg, words in SEGMENT_WORDS.items() for w in words}


def segment_of(value: object) -> str | None:
    """The segment a cell names (``"Grand public"`` → ``"B2C"``), else ``None``."""
    return _SEGMENT_INDEX.get(fold(value))


_WORLD_VARIANTS = {
    ("nps_promoters", "B2E"): "enps_promoters",
    ("nps_detractors", "B2E"): "enps_detractors",
    ("nps_respondents", "B2E"): "enps_respondents",
    ("enps_promoters", "B2C"): "nps_promoters",
    ("enps_detractors", "B2C"): "nps_detractors",
    ("enps_respondents", "B2C"): "nps_respondents",
    ("enps_promoters", "B2B"): "nps_promoters",
    ("enps_detractors", "B2B"): "nps_detractors",
    ("enps_respondents", "B2B"): "nps_respondents",
}


def world_variant(kpi: str, segment: str) -> str:
    """The KPI a generic header means in a segment: promoters of a B2E survey are eNPS promoters.

        >>> world_variant("nps_promoters", "B2E")
        'enps_promoters'
    """
    return _WORLD_VARIANTS.get((kpi, segment), kpi)


_BUILTIN_VARIANTS = dict(_WORLD_VARIANTS)
_BUILTIN_INDEX = _index(BUILTIN_KPIS)
_INSTALLED: list = [None]
"""The key of what ``install`` last installed (one item, changed in place)."""
_LISTENERS: list[Callable[[], None]] = []


def on_change(listener: Callable[[], None]) -> Callable[[], None]:
    """Register a function that recomputes what a module derives from ``KPIS`` (called by ``install``)."""
    _LISTENERS.append(listener)
    return listener


def installed() -> object:
    """The key given to the last ``install`` (``None``: the built-in KPIs only)."""
    return _INSTALLED[0]


def install(custom: Iterable[Kpi] = (), key: object = None) -> None:
    """Make the catalog the built-in KPIs plus the organisation's ``custom`` ones (those of the store in use).

        >>> install([Kpi("town_halls", "Plénières", "Town halls", "Réunions.", "Meetings.", "count", "flow",
        ...              ("B2E",), ("plenieres",), custom=True)], key="demo")
        >>> kpi_for_name("Plénières"), installed()
        ('town_halls', 'demo')
        >>> install()
        >>> kpi_for_name("Plénières") is None
        True

    Everything derived from ``KPIS`` follows: the header index (``match_header``'s cache cleared), the
    ratios' matched parts, the world twins, and what other modules registered with ``on_change``. The built-in
    entries are never taken out, even for a moment (pages of other sessions read them meanwhile), and the same
    KPIs installed again change nothing but the key. One
    process holds one catalog: ``kpis.store.Store`` installs its KPIs when it is opened and whenever its data
    version moved, so that two stores used in turn each see their own.
    """
    wanted = {k.code: k for k in custom if k.code not in BUILTIN_KPIS}
    if wanted == {c: k for c, k in KPIS.items() if c not in BUILTIN_KPIS}:
        _INSTALLED[0] = key  # the same KPIs (a store read again after an import): nothing moves under a reader
        return
    for code in [c for c in KPIS if c not in BUILTIN_KPIS]:  # then back in the store's order
        del KPIS[code]
    KPIS.update(wanted)
    _derive_matched()
    _replace(_EXACT, _index())
    global _MAX_SYNONYM_WORDS
    _MAX_SYNONYM_WORDS = max(len(s.split()) for s in (*_EXACT, *_RATIOS))
    match_header.cache_clear()
    variants = dict(_BUILTIN_VARIANTS)
    for k in KPIS.values():
        if k.custom and k.twin in KPIS:
            for segment in KPIS[k.twin].segments:
                variants[(k.code, segment)] = k.twin
    _replace(_WORLD_VARIANTS, variants)
    _INSTALLED[0] = key
    for listener in _LISTENERS:
        listener()


def _replace(mapping: dict, new: dict) -> None:
    """Make ``mapping`` equal to ``new`` in place, keeping the keys both hold (a reader never finds a built-in
    KPI missing while the organisation's are changed)."""
    for gone in [k for k in mapping if k not in new]:
        del mapping[gone]
    mapping.update(new)


def builtin_meaning(text: str) -> str | None:
    """What a built-in name means when ``text`` is one (``"clics"`` → ``'clicks'``, ``"mois"`` → ``'period'``,
    ``"ctr"`` → ``'ratio'``), else ``None``: the organisation's KPIs may not take these names."""
    folded = fold(text)
    if folded in _BUILTIN_INDEX:
        role, kpi = _BUILTIN_INDEX[folded]
        return kpi or role
    if folded in _RATIOS:
        return "ratio"
    return None


def exclusive_world(kpi: str) -> str | None:
    """``"internal"`` or ``"external"`` when the KPI exists in one world only, else ``None``."""
    segments = set(KPIS[kpi].segments)
    if segments <= set(INTERNAL):
        return "internal"
    if segments <= set(EXTERNAL):
        return "external"
    return None
