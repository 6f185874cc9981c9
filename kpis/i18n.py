r"""Every user-facing label of the app, French first, and locale-aware number formatting.

    >>> t("nav.cdo", "en")
    'CDO view'
    >>> fmt_value(1234.5, "count", "fr"), fmt_value(12.5, "count", "fr")
    ('1\u202f234', '12,5')
    >>> fmt_value(0.125, "%", "fr"), fmt_value(0.125, "%", "en")
    ('12,5\u202f%', '12.5%')

KPI labels and definitions live in the catalog; this module holds the rest.
French numbers use a narrow no-break space for thousands and a comma for
decimals; English ones a comma and a point.
"""

from __future__ import annotations

import math
from datetime import date

__all__ = ["LANGS", "t", "fmt_value", "fmt_change", "fmt_date", "fmt_period", "MONTHS", "escape_markdown"]

LANGS = ("fr", "en")
NNBSP = "\u202f"  # narrow no-break space: French thousands separator
NBSP = "\u00a0"

MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

_LABELS: dict[str, tuple[str, str]] = {
    # navigation
    "app.title": ("Passerelle", "Passerelle"),
    "nav.steering": ("Pilotage", "Steering"),
    "nav.worlds": ("Mondes", "Worlds"),
    "nav.data": ("Données", "Data"),
    "nav.access": ("Accès", "Access"),
    "help.access": ("Qui voit et modifie quels segments : les droits donnés à une adresse e-mail ou à un groupe, "
                    "et le journal de qui a fait quoi.",
                    "Who sees and changes which segments: the rights given to an e-mail address or a group, and "
                    "the log of who did what."),
    "access.sign_in_why": ("Passerelle présente les indicateurs du groupe : connectez-vous avec votre compte de "
                           "l'organisation.",
                           "Passerelle shows the group's indicators: sign in with your organisation account."),
    "access.sign_in": ("Se connecter", "Sign in"),
    "access.weak_secret": ("La connexion est configurée mais le secret du cookie d'identité (cookie_secret dans "
                           ".streamlit/secrets.toml) a moins de {n} caractères : l'application reste fermée tant "
                           "qu'un secret long et aléatoire n'est pas donné.",
                           "Sign-in is configured but the identity cookie's secret (cookie_secret in "
                           ".streamlit/secrets.toml) has fewer than {n} characters: the app stays closed until a "
                           "long random secret is given."),
    "access.sign_out": ("Se déconnecter", "Sign out"),
    "access.your_it": ("votre service informatique", "your IT department"),
    "access.no_grant": ("{who} n'a encore aucun droit sur Passerelle. Demandez un accès à : {admins}.",
                        "{who} has no right on Passerelle yet. Ask for access: {admins}."),
    "access.local_mode": ("Mode local, sans authentification", "Local mode, no sign-in"),
    "access.local_mode_help": ("Sans section [auth] dans .streamlit/secrets.toml, l'application n'écoute que cette "
                               "machine et donne tous les droits à la personne qui l'a lancée. Le README dit comment "
                               "activer la connexion (Entra ID, Google…).",
                               "Without an [auth] section in .streamlit/secrets.toml, the app listens to this "
                               "machine only and gives every right to the person who started it. The README says "
                               "how to turn sign-in on (Entra ID, Google…)."),
    "access.signed_in": ("{name} · {role} · {segments}", "{name} · {role} · {segments}"),
    "access.role.viewer": ("lecture", "viewer"),
    "access.role.editor": ("modification", "editor"),
    "access.role.admin": ("administration", "administrator"),
    "access.scope_note": ("Vos droits couvrent : {segments} (entités : {entities}). Les autres segments ne sont ni "
                          "affichés ni comptés.",
                          "Your rights cover: {segments} (entities: {entities}). Other segments are neither shown "
                          "nor counted."),
    "access.scope_help": ("Les totaux « tous segments » de cette page ne portent que sur ces segments.",
                          "The 'all segments' totals of this page cover these segments only."),
    "access.kind.email": ("adresse", "address"),
    "access.kind.group": ("groupe", "group"),
    "access.grants": ("Droits donnés", "Rights given"),
    "access.none": ("Aucun droit donné : seuls les administrateurs du réglage PASSERELLE_ADMINS entrent.",
                    "No right given: only the administrators of the PASSERELLE_ADMINS setting get in."),
    "access.add": ("Donner un droit", "Give a right"),
    "access.to": ("Adresse e-mail ou nom de groupe", "E-mail address or group name"),
    "access.to_help": ("Une adresse (ines.martin@groupe.fr) ou un groupe de l'annuaire tel que le jeton "
                       "d'identité le transmet (Entra ID : l'identifiant du groupe).",
                       "An address (ines.martin@groupe.fr) or a directory group as the identity token carries it "
                       "(Entra ID: the group's id)."),
    "access.role": ("Rôle", "Role"),
    "access.role_help": ("lecture : voir et télécharger ; modification : aussi importer, supprimer des lots, "
                         "changer les objectifs ; administration : tout, y compris les accès.",
                         "viewer: see and download; editor: also import, delete batches, change targets; "
                         "administrator: everything, access included."),
    "access.segments": ("Segments", "Segments"),
    "access.entities": ("Entités (vide : toutes)", "Entities (empty: all)"),
    "access.give": ("Donner ce droit", "Give this right"),
    "access.given": ("Droit n° {n} donné.", "Right #{n} given."),
    "access.remove": ("Retirer un droit", "Remove a right"),
    "access.remove_button": ("Retirer", "Remove"),
    "access.removed": ("Droit n° {n} retiré.", "Right #{n} removed."),
    "access.mode_local": ("Mode local : ces droits s'appliqueront quand la connexion sera activée ([auth] dans "
                          ".streamlit/secrets.toml).",
                          "Local mode: these rights apply once sign-in is turned on ([auth] in "
                          ".streamlit/secrets.toml)."),
    "history.audit": ("Journal des actions", "Audit trail"),
    "history.audit_help": ("Qui a importé, supprimé, restauré, changé un objectif, une source de référence ou un "
                           "droit, et quand.",
                           "Who imported, deleted, restored, changed a target, a reference source or a right, "
                           "and when."),
    "history.audit_filter": ("Actions", "Actions"),
    "audit.action.import": ("Import", "Import"),
    "audit.action.delete_batch": ("Suppression d'un lot", "Batch deleted"),
    "audit.action.delete_demo": ("Retrait de la démonstration", "Demo removed"),
    "audit.action.undelete": ("Suppression annulée", "Deletion undone"),
    "audit.action.targets": ("Objectifs", "Targets"),
    "audit.action.reference": ("Source de référence", "Reference source"),
    "audit.action.grant_add": ("Droit donné", "Right given"),
    "audit.action.grant_remove": ("Droit retiré", "Right removed"),
    "audit.action.restore": ("Restauration", "Restore"),
    "audit.action.kpi_add": ("Indicateur créé", "KPI created"),
    "audit.action.kpi_edit": ("Indicateur modifié", "KPI changed"),
    "audit.action.kpi_remove": ("Indicateur supprimé", "KPI removed"),
    "audit.action.subject_add": ("Sujet suivi ajouté", "Tracked subject added"),
    "audit.action.subject_edit": ("Sujet suivi modifié", "Tracked subject changed"),
    "audit.action.subject_remove": ("Sujet suivi retiré", "Tracked subject removed"),
    "audit.detail.kpi_add": ("{kpi}", "{kpi}"),
    "audit.detail.kpi_edit": ("{kpi} : {fields}", "{kpi}: {fields}"),
    "audit.detail.kpi_remove": ("{kpi}", "{kpi}"),
    "audit.detail.import": ("lot n° {batch} · {file} · {values} valeurs", "batch #{batch} · {file} · {values} values"),
    "audit.detail.delete_batch": ("lot n° {batch} · {values} valeurs", "batch #{batch} · {values} values"),
    "audit.detail.delete_demo": ("lots {batches} · {values} valeurs", "batches {batches} · {values} values"),
    "audit.detail.undelete": ("suppression n° {deletion} · lots {batches}", "deletion #{deletion} · batches {batches}"),
    "audit.detail.targets": ("{targets} objectif(s) : {kpis}", "{targets} target(s): {kpis}"),
    "audit.detail.reference": ("{kpi} → {origin}", "{kpi} → {origin}"),
    "audit.detail.grant_add": ("n° {grant} · {role} · {to}", "#{grant} · {role} · {to}"),
    "audit.detail.grant_remove": ("n° {grant} · {role} · {to}", "#{grant} · {role} · {to}"),
    "audit.detail.restore": ("depuis {backup}", "from {backup}"),
    "nav.cdo": ("Vue CDO", "CDO view"),
    "nav.side_by_side": ("Côte à côte", "Side by side"),
    "nav.external": ("Digital externe", "External digital"),
    "nav.internal": ("Digital interne", "Internal digital"),
    "nav.reputation": ("E-réputation", "E-reputation"),
    "nav.importer": ("Importer", "Import"),
    "nav.history": ("Historique", "History"),
    "nav.catalog": ("Référentiel", "Catalog"),
    # what each page shows (st.Page help: the navigation's tooltip)
    "help.cdo": ("Les indicateurs clés de chaque segment, l'entonnoir unifié B2C / B2B / B2E sur une même échelle, "
                 "l'état des objectifs et les tendances indexées.",
                 "Each segment's key indicators, the unified B2C / B2B / B2E funnel on one scale, where the targets "
                 "stand and indexed trends."),
    "help.side_by_side": ("Digital externe et digital interne côte à côte, étape par étape de l'entonnoir, chacun avec "
                          "son vocabulaire.",
                          "External and internal digital side by side, funnel stage by stage, each in its own words."),
    "help.external": ("Les indicateurs B2C et B2B : tendances et objectifs, détail par entité et par canal, meilleures "
                      "campagnes, chaque valeur avec son lot d'import.",
                      "B2C and B2B indicators: trends and targets, breakdowns by entity and channel, top campaigns, "
                      "every value with its import batch."),
    "help.internal": ("Les indicateurs B2E : tendances et objectifs, détail par entité et par canal, espaces "
                      "collaboratifs les plus actifs, profil de participation.",
                      "B2E indicators: trends and targets, breakdowns by entity and channel, most active collaborative "
                      "spaces, participation profile."),
    "help.reputation": ("E-réputation externe et interne côte à côte : mentions de la marque et messages du réseau "
                        "social d'entreprise, leur tonalité sur la même échelle, voix actives et conversations.",
                        "External and internal e-reputation side by side: brand mentions and enterprise social "
                        "network messages, their tone on the same scale, active voices and conversations."),
    "help.importer": ("Déposez des exports Excel ou CSV : ce qui a été compris, les problèmes avec feuille, ligne et "
                      "colonne, puis l'import en un lot par fichier.",
                      "Drop Excel or CSV exports: what was understood, the issues with sheet, row and column, then "
                      "one import batch per file."),
    "help.history": ("Les lots importés et leur suppression, la couverture par origine et par mois, le journal des "
                     "suppressions.",
                     "The import batches and their deletion, coverage by origin and month, the deletion log."),
    "help.catalog": ("La définition, la formule, l'unité et le sens de chaque indicateur, et les objectifs, "
                     "modifiables ou chargés depuis une feuille.",
                     "Each KPI's definition, formula, unit and direction, and the targets, edited here or uploaded as "
                     "a sheet."),
    # filters
    "filter.title": ("Filtres", "Filters"),
    "filter.segments": ("Segments", "Segments"),
    "filter.period": ("Période", "Period"),
    "filter.range": ("Dates", "Dates"),
    "filter.grain": ("Granularité", "Granularity"),
    "filter.entities": ("Entités", "Entities"),
    "filter.channels": ("Canaux", "Channels"),
    "filter.all": ("Toutes", "All"),
    "filter.language": ("Langue", "Language"),
    "preset.12m": ("12 derniers mois", "Last 12 months"),
    "preset.ytd": ("Année en cours", "Year to date"),
    "preset.lq": ("Dernier trimestre", "Last quarter"),
    "preset.cq": ("Trimestre en cours", "Quarter to date"),
    "preset.lm": ("Dernier mois", "Last month"),
    "preset.cm": ("Mois en cours", "Month to date"),
    "preset.custom": ("Personnalisée", "Custom range"),
    "grain.week": ("Semaine", "Week"),
    "grain.month": ("Mois", "Month"),
    "grain.quarter": ("Trimestre", "Quarter"),
    "grain.year": ("Année", "Year"),
    "grain.partial": ("{period} : données jusqu'au {day}", "{period}: data to {day}"),
    "grain.partial_chart": ("Point creux, trait pointillé : {notes}", "Hollow point, dashed line: {notes}"),
    "grain.native": ("grain natif : {grain}", "native grain: {grain}"),
    "grain.finer": ("grain natif : {native} — la granularité « {grain} » est plus fine que les données : "
                    "la courbe les montre par {native}, comme importées.",
                    "native grain: {native} — the “{grain}” granularity is finer than the data: "
                    "the chart shows them by {native}, as imported."),
    "filter.compare": ("Comparer à", "Compare with"),
    "filter.compare.previous": ("Période précédente", "Previous period"),
    "filter.compare.year": ("N-1", "Year before"),
    "filter.compare.help": ("Ce que montre la variation de chaque carte. Période précédente : la période de même "
                            "durée juste avant ; N-1 : la même période un an plus tôt. L'aide de chaque carte donne "
                            "les deux.",
                            "What each card's change is measured against. Previous period: the period of the same "
                            "length just before; year before: the same period a year earlier. Each card's help "
                            "gives both."),
    "filter.url_unknown": ("Le lien demande {param}={value}, valeur inconnue : {shown} est affiché.",
                           "The link asks for {param}={value}, an unknown value: showing {shown}."),
    "filter.range_clamped": ("Dates ramenées aux données disponibles : du {start} au {end} (demandé : {asked}).",
                             "Dates brought within the data available: {start} to {end} (asked: {asked})."),
    # common
    "empty.title": ("Aucune donnée pour ce filtre", "No data for this filter"),
    "empty.hint": ("Élargissez la période ou les segments, ou importez des fichiers.",
                   "Widen the period or the segments, or import files."),
    "empty.store": ("Aucune donnée importée pour l'instant.", "No data imported yet."),
    "demo.banner": ("Données de démonstration (Groupe Horizon, fictif) chargées au premier lancement.",
                    "Demo data (Groupe Horizon, fictitious) loaded on first run."),
    "demo.remove": ("Retirer les données de démonstration", "Remove the demo data"),
    "download.excel": ("Télécharger (Excel)", "Download (Excel)"),
    # the title block of every exported sheet (kpis.dashboard.export_heading)
    "export.window": ("Période : du {start} au {end}", "Period: {start} to {end}"),
    "export.filters": ("Filtres : segments {segments} · entités : {entities} · canaux : {channels}",
                       "Filters: segments {segments} · entities: {entities} · channels: {channels}"),
    "export.no_sources": ("Sources : aucune donnée importée pour ce filtre",
                          "Sources: no data imported for this filter"),
    "export.exported": ("Exporté le {day} à {time}", "Exported on {day} at {time}"),
    "export.by": (" par {author}", " by {author}"),
    "export.all": ("tous", "all"),
    "export.objectives": ("Objectifs", "Targets"),
    "export.funnel": ("Entonnoir", "Funnel"),
    "export.kpis": ("Indicateurs par période", "KPIs by period"),
    "export.scorecard": ("Synthèse : chaque indicateur sur la période", "Scorecard: each KPI over the period"),
    "export.detail": ("Détail", "Detail"),
    "export.report": ("Rapport de validation", "Validation report"),
    "unit.count": ("nombre", "number"),
    "unit.%": ("%", "%"),
    "unit.€": ("€", "€"),
    "unit.×": ("×", "×"),
    "unit.score": ("score", "score"),
    "vs.previous": ("vs {period}", "vs {period}"),
    "vs.first_days": (" (sur les {days} premiers jours)", " (over the first {days} days)"),
    "card.latest": ("dernière valeur : {period}", "latest value: {period}"),
    "vs.year": ("vs an dernier", "vs last year"),
    "vs.previous_window": ("vs période précédente", "vs previous period"),
    "vs.year_window": ("vs N-1", "vs year before"),
    "card.basis.flow": ("cumul du {start} au {end}", "total from {start} to {end}"),
    "card.basis.stock": ("au {end}", "at {end}"),
    "card.basis.distinct": ("{basis}, du {start} au {end}", "{basis}, from {start} to {end}"),
    "card.basis.ratio": ("du {start} au {end}", "from {start} to {end}"),
    "card.compare": ("{label} ({start} – {end}) : {change}", "{label} ({start} – {end}): {change}"),
    "card.anomaly": ("anomalie", "anomaly"),
    "sources.title": ("Sources : ", "Sources: "),
    "sources.item": ("{name} — données au {date}", "{name} — data to {date}"),
    "sources.lagging": ("(en retard)", "(lagging)"),
    "card.anomaly_hint": ("> 100 % : les deux composantes ne correspondent pas",
                          "> 100 %: the components do not match"),
    "card.source": ("Source : {source}", "Source: {source}"),
    "card.other_sources": ("(autres sources, non additionnées : {others} — voir « Par source »)",
                           "(other sources, not added: {others} — see \"By source\")"),
    "world.by_source": ("Par source", "By source"),
    "world.by_source_help": (
        "Un stock ou un effectif (population, utilisateurs actifs…) ne s'additionne pas entre deux sources qui "
        "comptent des populations différentes : le chiffre affiché vient de la source de référence (★), celle qui "
        "couvre le mieux la période, ou celle choisie sur la page Référentiel. Les autres sont montrées ici.",
        "A stock or a head count (population, active users…) is not added across two sources that count different "
        "populations: the headline comes from the reference source (★), the one covering the period best, or the "
        "one chosen on the Référentiel page. The others are shown here."),
    "card.direction.up": ("hausse = favorable", "an increase is good"),
    "card.direction.down": ("baisse = favorable", "a decrease is good"),
    "status.green": ("Atteint", "On target"),
    "status.amber": ("Proche", "Close"),
    "status.red": ("En retard", "Behind"),
    "segment.ALL": ("Tous segments", "All segments"),
    "world.external": ("Digital externe (B2C, B2B)", "External digital (B2C, B2B)"),
    "world.internal": ("Digital interne (B2E)", "Internal digital (B2E)"),
    # cdo view
    "cdo.caption": ("Du {start} au {end} · segments {segments}. Chaque carte donne l'indicateur sur toute la "
                    "période ; variations {comparison}, couleur selon le sens de l'indicateur.",
                    "From {start} to {end} · segments {segments}. Each card is the KPI over the whole period; "
                    "changes {comparison}, coloured by each KPI's direction."),
    "compare.previous": ("par rapport à la période précédente de même durée",
                         "against the previous period of the same length"),
    "compare.year": ("par rapport à la même période un an plus tôt (N-1)", "against the same period a year earlier"),
    "cdo.segment.B2C": ("B2C — clients particuliers", "B2C — consumers"),
    "cdo.segment.B2B": ("B2B — clients professionnels", "B2B — business customers"),
    "cdo.segment.B2E": ("B2E — collaborateurs", "B2E — employees"),
    "cdo.funnel": ("L'entonnoir unifié : engagement et action, sur une même échelle",
                   "The unified funnel: engagement and action on one scale"),
    "cdo.funnel_help": ("Engagement = clics / impressions (CTR) ou actifs / population (adoption) ; "
                        "action = conversions / clics ou contributeurs / actifs (participation).",
                        "Engagement = clicks / impressions (CTR) or active users / population (adoption); "
                        "action = conversions / clicks or contributors / active users (participation)."),
    "cdo.funnel_table": ("Étapes de l'entonnoir par segment", "Funnel stages by segment"),
    "cdo.status": ("Objectifs : où en est-on ?", "Targets: where do we stand?"),
    "cdo.no_targets": ("Aucun objectif défini pour cette sélection (voir Référentiel).",
                       "No target set for this selection (see Catalog)."),
    "cdo.trends": ("Tendances indexées (base 100 au début de la période)",
                   "Indexed trends (100 at the start of the period)"),
    "cdo.trends_single_title": ("Valeurs de la période", "Values of the period"),
    "cdo.trends_single": ("une seule période : pas d'évolution à indexer",
                          "a single period: no change to index"),
    "cdo.trends_help": ("Chaque courbe suit un indicateur d'un segment, ramené à 100 à la première période "
                        "où il a une valeur : 120 veut dire +20 % depuis le début, quelle que soit l'unité. "
                        "Par défaut, l'audience, l'engagement et l'action de chaque segment choisi.",
                        "Each line follows one KPI of one segment, set to 100 at the first period it has a "
                        "value: 120 means +20% since the start, whatever the unit. By default, the audience, "
                        "engagement and action of each selected segment."),
    "cdo.trends_single_help": ("La fenêtre tient en une seule période : chaque indicateur est montré par sa "
                               "valeur, avec son unité, sans indice.",
                               "The window fits in a single period: each KPI is shown by its value, with its "
                               "unit, without an index."),
    "cdo.trends_pick": ("Indicateurs des tendances", "KPIs of the trends"),
    "cdo.trends_pick_help": ("Par défaut, l'audience, l'engagement et l'action des segments choisis ; "
                             "ajoutez ou retirez des indicateurs.",
                             "By default, the audience, engagement and action of the selected segments; "
                             "add or remove KPIs."),
    "cdo.trends_none": ("Aucun indicateur choisi, ou aucune valeur pour ceux-ci.",
                        "No KPI picked, or no value for them."),
    # side by side
    "sbs.caption": ("Chaque étape de l'entonnoir, avec le vocabulaire de chaque monde : "
                    "campagne ↔ espace collaboratif, "
                    "client ↔ collaborateur, taux de conversion ↔ taux de participation.",
                    "Each funnel stage in each world's words: campaign ↔ collaborative space, customer ↔ employee, "
                    "conversion rate ↔ participation rate."),
    "sbs.world_off": ("Aucun segment de ce monde n'est sélectionné.", "No segment of this world is selected."),
    "sbs.vocabulary": ("Les deux vocabulaires", "The two vocabularies"),
    # e-reputation page
    "rep.caption": ("Ce que l'on dit de la marque dehors, et ce que disent les collaborateurs sur le réseau social "
                    "d'entreprise (groupes et échanges privés exclus, aucun message ni nom conservé).",
                    "What is said of the brand outside, and what employees say on the enterprise social network "
                    "(private groups and chats excluded, no message or name kept)."),
    "rep.external": ("E-réputation externe (B2C, B2B)", "External e-reputation (B2C, B2B)"),
    "rep.internal": ("E-réputation interne (B2E)", "Internal e-reputation (B2E)"),
    "rep.no_data": ("Aucune donnée de ce côté pour la période et les filtres choisis.",
                    "No data on this side for the chosen period and filters."),
    "rep.trend": ("Tonalité dehors et dedans", "Tone outside and inside"),
    "rep.trend_help": ("(Positifs − négatifs) / total : mentions de la marque dehors, messages du réseau social "
                       "dedans ; de −100 % à +100 %.",
                       "(Positive − negative) / total: brand mentions outside, social network messages inside; "
                       "from −100% to +100%."),
    "rep.spaces": ("Messages par espace", "Messages by space"),
    "rep.topics": ("Sujets qui montent", "Rising topics"),
    "rep.topics_help": ("Termes les plus caractéristiques du réseau sur la période (messages pondérés par leur "
                        "rareté entre espaces), comparés à la période précédente de même durée ; seuls les termes "
                        "employés par au moins 5 personnes distinctes sont conservés.",
                        "The network's most telling terms over the period (messages weighted by how rare they are "
                        "across spaces), against the previous period of the same length; only terms used by at "
                        "least 5 distinct people are kept."),
    "rep.no_topics": ("Aucun terme employé par au moins 5 personnes sur la période.",
                      "No term used by at least 5 people over the period."),
    "rep.influencers": ("Influenceurs", "Influencers"),
    "rep.influencers_help": ("{month} : les personnes dont les conversations portent le réseau (rang dans le "
                             "graphe des réponses), présentées par profil, jamais par nom ; la direction n'est "
                             "indiquée que si 5 personnes au moins la partagent.",
                             "{month}: the people whose conversations carry the network (rank in the reply "
                             "graph), shown as profiles, never by name; the department is given only when at "
                             "least 5 people share it."),
    "rep.no_influencers": ("Aucune réponse échangée sur la période.", "No reply exchanged over the period."),
    "rep.new": ("nouveau", "new"),
    "rep.col_rank": ("Rang", "Rank"),
    "rep.col_term": ("Terme", "Term"),
    "rep.col_messages": ("Messages", "Messages"),
    "rep.col_authors": ("Auteurs (max. par mois)", "Authors (monthly max.)"),
    "rep.col_previous": ("Période précédente", "Previous period"),
    "rep.col_change": ("Évolution", "Change"),
    "rep.col_month": ("Mois", "Month"),
    "rep.col_profile": ("Profil", "Profile"),
    "rep.influencers_help_named": ("{month} : les personnes dont les conversations portent le réseau (rang dans "
                                   "le graphe des réponses) ; leur nom est affiché (réglage esn_names) pour les "
                                   "mois d'au moins 5 auteurs ; la direction n'est indiquée que si 5 personnes au "
                                   "moins la partagent.",
                                   "{month}: the people whose conversations carry the network (rank in the reply "
                                   "graph); their name is shown (esn_names setting) for months of at least 5 "
                                   "authors; the department is given only when at least 5 people share it."),
    "rep.subjects": ("Sujets suivis", "Tracked subjects"),
    "rep.subjects_help": ("Messages qui citent chaque sujet du référentiel (nom ou synonyme, en mots entiers, sans "
                          "tenir compte des majuscules ni des accents), comparés à la période précédente de même "
                          "durée ; la tonalité (parts de messages positifs et négatifs, score sur l'échelle du "
                          "score de sentiment interne) n'est donnée que si 5 auteurs au moins l'ont cité dans un "
                          "même mois.",
                          "Messages mentioning each subject of the reference data (name or synonym, as whole words, "
                          "whatever the case and accents), against the previous period of the same length; the "
                          "tone (shares of positive and negative messages, score on the internal sentiment score's "
                          "scale) is given only when at least 5 authors mentioned it in one month."),
    "rep.no_subjects": ("Aucun sujet suivi : ajoutez-en dans le Référentiel.",
                        "No tracked subject: add some on the Catalog page."),
    "rep.subject_few": ("moins de 5 auteurs", "fewer than 5 authors"),
    "rep.subject_trend": ("Score de sentiment des sujets suivis, par mois",
                          "Sentiment score of the tracked subjects, by month"),
    "rep.subject_untracked": ("{name} : non suivi lors de l'import de {months} : réimportez l'export pour le "
                              "compter.", "{name}: not tracked when {months} was imported: import the export "
                              "again to count it."),
    "rep.col_subject": ("Sujet", "Subject"),
    "rep.col_positive": ("Part positive", "Positive share"),
    "rep.col_negative": ("Part négative", "Negative share"),
    "rep.col_score": ("Score de sentiment", "Sentiment score"),
    # the Référentiel's tracked subjects
    "subjects.title": ("Sujets suivis sur le réseau social", "Subjects tracked on the social network"),
    "subjects.help": ("Les programmes, projets et marques dont la page E-réputation compte les mentions. Un sujet "
                      "ajouté compte à partir des exports importés ensuite ; réimportez un export pour le compter "
                      "sur des mois déjà importés.",
                      "The programmes, projects and brands whose mentions the E-reputation page counts. A subject "
                      "added counts from the exports imported afterwards; import an export again to count it over "
                      "months already imported."),
    "subjects.none": ("Aucun sujet suivi pour l'instant.", "No tracked subject yet."),
    "subjects.pick": ("Sujet à modifier", "Subject to change"),
    "subjects.new": ("Nouveau sujet", "New subject"),
    "subjects.code": ("Code", "Code"),
    "subjects.code_help": ("Lettres minuscules, chiffres et _ (par exemple atlas) ; il ne change plus ensuite.",
                           "Lowercase letters, digits and _ (e.g. atlas); it cannot change afterwards."),
    "subjects.name_fr": ("Nom français", "French name"),
    "subjects.name_en": ("Nom anglais (facultatif)", "English name (optional)"),
    "subjects.synonyms": ("Synonymes", "Synonyms"),
    "subjects.synonyms_help": ("Un par ligne (ou séparés par des virgules) : les autres noms sous lesquels le sujet "
                               "est cité, trouvés en mots entiers.",
                               "One a line (or separated by commas): the other names the subject is mentioned "
                               "by, found as whole words."),
    "subjects.save": ("Enregistrer le sujet", "Save the subject"),
    "subjects.remove": ("Ne plus suivre ce sujet", "Stop tracking this subject"),
    "subjects.added": ("Sujet ajouté : {name}.", "Subject added: {name}."),
    "subjects.edited": ("Sujet modifié : {name}.", "Subject changed: {name}."),
    "subjects.removed": ("Sujet retiré : {name}.", "Subject removed: {name}."),
    "subjects.col_code": ("Code", "Code"),
    "subjects.col_name_fr": ("Nom français", "French name"),
    "subjects.col_name_en": ("Nom anglais", "English name"),
    "subjects.col_synonyms": ("Synonymes", "Synonyms"),
    # world pages
    "world.caption": ("Segments {segments}.", "Segments {segments}."),
    "world.kpi": ("Indicateur", "KPI"),
    "world.segment": ("Segment détaillé", "Segment in detail"),
    "world.entity": ("Entité", "Entity"),
    "world.channel": ("Canal", "Channel"),
    "world.by_entity": ("{kpi} par entité", "{kpi} by entity"),
    "world.by_channel": ("{kpi} par canal", "{kpi} by channel"),
    "world.by_initiative": ("{kpi} : les 10 premiers", "{kpi}: top 10"),
    "world.top_campaigns": ("Meilleures campagnes", "Top campaigns"),
    "world.top_spaces": ("Espaces collaboratifs les plus actifs", "Most active collaborative spaces"),
    "world.campaign": ("Campagne", "Campaign"),
    "world.space": ("Espace", "Space"),
    "world.no_breakdown": ("Pas de détail pour cet indicateur.", "No breakdown for this KPI."),
    "world.detail": ("Détail des valeurs et lot d'origine", "Values in detail, with their import batch"),
    "world.detail_cut": ("{shown} lignes les plus récentes sur {total} : le téléchargement contient tout.",
                         "The {shown} most recent rows of {total}: the download holds every row."),
    "world.profile": ("Profil de participation : actifs, lecteurs, contributeurs",
                      "Participation profile: active users, readers, contributors"),
    "world.profile_help": ("Moyenne mensuelle des personnes distinctes ; un contributeur est aussi lecteur et actif.",
                           "Monthly mean of distinct people; a contributor is also a reader and an active user."),
    # importer
    "import.caption": ("Déposez les exports des équipes : rien n'est enregistré avant le bouton « Importer ».",
                       "Drop the teams' exports: nothing is stored before the Import button."),
    "import.drop": ("Fichiers Excel ou CSV (xlsx, xlsm, xls, ods, csv)",
                    "Excel or CSV files (xlsx, xlsm, xls, ods, csv)"),
    "import.templates": ("Modèles vides", "Empty templates"),
    "import.template.external": ("Modèle digital externe", "External digital template"),
    "import.template.internal": ("Modèle digital interne", "Internal digital template"),
    "import.template.targets": ("Modèle d'objectifs", "Targets template"),
    "import.importable": ("Prêt à importer", "Ready to import"),
    "import.not_importable": ("Non importable", "Not importable"),
    "import.segment": ("Segment du fichier", "The file's segment"),
    "import.choose_segment": ("Choisissez son segment ci-dessous pour l'importer",
                              "Choose its segment below to import it"),
    "import.window": ("Période couverte par chaque ligne (jours)", "Period each row covers (days)"),
    "import.window_help": (
        "Le fichier ne date ses valeurs que par une date d'actualisation : indiquez sur combien de jours elles "
        "portent (7, 28, 30, 90…), la période se terminant à cette date.",
        "The file dates its values by a refresh date only: say how many days they cover (7, 28, 30, 90…), the "
        "period ending on that date."),
    "import.segment_history": ("Proposé : {segment}, comme les {n} import(s) précédent(s) de « {source} ».",
                               "Proposed: {segment}, like the {n} earlier import(s) of '{source}'."),
    "import.segment_words": ("Proposé : {segment}, d'après « {word} » dans le nom « {name} ».",
                             "Proposed: {segment}, from '{word}' in the name '{name}'."),
    "import.segment_format": ("Proposé : {segment}, le segment habituel des exports {source}. Changez-le si ce "
                              "fichier en couvre un autre.",
                              "Proposed: {segment}, the usual segment of {source} exports. Change it if this "
                              "file covers another one."),
    "import.segment_help": ("Le fichier ne dit pas s'il s'agit de B2C, B2B ou B2E : choisissez.",
                            "The file does not say whether it is B2C, B2B or B2E: choose."),
    "import.summary": ("Ce qui a été compris", "What was understood"),
    "import.columns": ("Colonnes de « {sheet} »", "Columns of '{sheet}'"),
    "import.map": ("Associer les colonnes non reconnues", "Map the columns not recognised"),
    "import.map_help": ("Chaque colonne est désignée par sa lettre : un en-tête répété (« Pages vues » deux fois) "
                        "se choisit colonne par colonne. Retenu pour les prochains fichiers ayant les mêmes "
                        "en-têtes, y compris le même tableau le mois suivant avec un mois de plus.",
                        "Each column is named by its letter: a repeated header ('Page views' twice) is chosen "
                        "column by column. Remembered for the next files with the same headers, including the same "
                        "table next month with one more month."),
    "import.map_none": ("— ne pas utiliser —", "— do not use —"),
    "import.issues": ("Problèmes ({n})", "Issues ({n})"),
    "import.no_issues": ("Aucun problème détecté.", "No issue found."),
    "import.report": ("Rapport de validation (Excel)", "Validation report (Excel)"),
    "import.preview": ("Aperçu des observations ({n})", "Preview of the observations ({n})"),
    "import.button": ("Importer {n} fichier(s)", "Import {n} file(s)"),
    "import.done": ("{file} : lot n° {batch} importé, {rows} valeurs enregistrées.",
                    "{file}: batch #{batch} imported, {rows} values stored."),
    "import.superseded": ("{n} valeurs plus anciennes des mêmes séries et périodes sont remplacées "
                          "(elles restent dans l'historique).",
                          "{n} older values of the same series and periods are replaced (they stay in the history)."),
    "import.duplicate": ("{file} : déjà importé (lot n° {batch} du {date}) — rien n'a été ajouté, "
                         "rien n'est compté deux fois.",
                         "{file}: already imported (batch #{batch} of {date}) — nothing added, nothing counted twice."),
    "import.refused": ("{file} : refusé — {reason}", "{file}: refused — {reason}"),
    "column.recognised": ("{label} — reconnu (en-tête « {header} »)", "{label} — recognised (header '{header}')"),
    "column.partial": ("{label} — reconnu d'après une partie de l'en-tête « {header} »",
                       "{label} — recognised from part of the header '{header}'"),
    "column.mapped": ("{label} — associé à votre demande", "{label} — mapped at your request"),
    "column.format": ("{label} — reconnu comme dans tout export {source} (en-tête « {header} »)",
                      "{label} — recognised as in every {source} export (header '{header}')"),
    "column.ignored_format": ("Ignorée — non utilisée pour un export {source} (double emploi ou hors indicateurs)",
                              "Ignored — not used for a {source} export (a duplicate or not an indicator)"),
    "column.remembered": ("{label} — association retenue lors d'un import précédent",
                          "{label} — mapping remembered from a previous import"),
    "column.ratio": ("{header} — recalculé à partir des indicateurs {parts}, non importé",
                     "{header} — recomputed from the KPIs {parts}, not imported"),
    "column.ratio_generic": ("{header} — ratio ou moyenne, recalculé à partir de ses composantes, non importé",
                             "{header} — ratio or average, recomputed from its components, not imported"),
    "column.unknown": ("Non reconnue — choisissez ce qu'elle contient ci-dessous",
                       "Not recognised — choose what it holds below"),
    "column.ignored_request": ("Ignorée — à votre demande", "Ignored — at your request"),
    "column.total": ("Ignorée — colonne de total", "Ignored — a total column"),
    "column.ambiguous": ("Ignorée — plusieurs colonnes donnent le même indicateur : associez celle à garder",
                         "Ignored — several columns give the same KPI: map the one to keep"),
    "column.other_gives": ("Ignorée — la colonne {column} donne déjà « {target} »",
                           "Ignored — column {column} already gives '{target}'"),
    "column.window_length": ("Ignorée — durée de la période : les lignes ne sont pas datées d'un seul jour",
                             "Ignored — length of the period: the rows are not dated by a single day"),
    "column.person": ("Ignorée — identifiant de personne : les personnes sont comptées, jamais enregistrées",
                      "Ignored — person identifier: people are counted, never stored"),
    "column.yes_no": ("oui/non par personne : les personnes sont comptées", "yes/no per person: people are counted"),
    "column.period_by_range": ("Ignorée — la période est donnée par les colonnes de début et de fin",
                               "Ignored — the period is given by the start and end columns"),
    "import.outcome_done": ("✔ {file} — lot n° {batch} importé, {rows} valeurs enregistrées",
                            "✔ {file} — batch #{batch} imported, {rows} values stored"),
    "import.outcome_superseded": (" ; {n} valeurs plus anciennes des mêmes séries et périodes sont remplacées",
                                  "; {n} older values of the same series and periods are replaced"),
    "import.outcome_refused": ("✖ {file} — refusé : {reason}", "✖ {file} — refused: {reason}"),
    "import.outcome_duplicate": ("✖ {file} — déjà importé (lot n° {batch}) : rien n'a été ajouté",
                                 "✖ {file} — already imported (batch #{batch}): nothing was added"),
    "import.outcome_title": ("Import terminé : {ok} fichier(s) sur {n}", "Import finished: {ok} of {n} file(s)"),
    "import.details": ("Détail de l'import de {file}", "Details of the import of {file}"),
    "import.reading": ("Lecture de {file}…", "Reading {file}…"),
    "import.to_confirm": ("À confirmer avant import", "To confirm before import"),
    "import.question": ("Que contient la colonne {column} « {header} » ({sheet}) ?",
                        "What does column {column} '{header}' ({sheet}) hold?"),
    "import.question_keep": ("Confirmer : {kpi}", "Confirm: {kpi}"),
    "import.question_pending": ("Choisissez pour pouvoir importer", "Choose to be able to import"),
    "import.origin": ("Origine (source des données)", "Origin (source of the data)"),
    "import.other_source": (
        "{segment} : {kpis} viennent déjà de la source « {origins} ». Sous l'origine « {origin} », ce fichier "
        "n'en prend pas la suite : deux sources ne mélangent jamais leurs effectifs, et le chiffre affiché reste "
        "celui de la source qui couvre le mieux la période. S'il continue la même série, donnez-lui cette origine.",
        "{segment}: {kpis} already come from the source '{origins}'. Under the origin '{origin}', this file does "
        "not continue them: two sources never mix their head counts, and the headline stays the one of the source "
        "covering the period best. If it continues the same series, give it that origin."),
    "import.use_origin": ("Utiliser l'origine « {origin} »", "Use the origin '{origin}'"),
    "import.origin_help": ("Le nom de la source de ces données. Les fichiers d'une même source se corrigent : le "
                           "plus récent remplace les mêmes séries et périodes. Proposé d'après le format reconnu, "
                           "sinon une source déjà importée de même structure, sinon le nom du fichier ; un autre "
                           "nom en fait une nouvelle source.",
                           "The name of the source of these data. Files of one source correct each other: the "
                           "latest replaces the same series and periods. Suggested from the recognised format, "
                           "else a source already imported with the same structure, else the file's name; another "
                           "name makes it a new source."),
    "import.overlap": ("Ces séries ont déjà des valeurs d'une autre origine : rien ne sera additionné sans votre "
                       "choix.", "These series already hold values from another origin: nothing is summed "
                       "without your choice."),
    "import.overlap_choice": ("Que contient ce fichier ?", "What does this file hold?"),
    "import.overlap_replaces": ("C'est une correction de ce lot : n° {batch} (origine « {origin} »), qu'il remplace",
                                "It is a correction of this batch: #{batch} (origin '{origin}'), which it replaces"),
    "import.overlap_adds": ("Ce sont d'autres données : elles s'ajoutent (noté sur le lot)",
                            "It is other data: it adds up (recorded on the batch)"),
    "import.accept_rejections": ("Importer quand même : {n} ligne(s) rejetée(s) sur {read} lue(s) seront "
                                 "laissées de côté",
                                 "Import anyway: {n} rejected row(s) of {read} read will be left out"),
    "rows.read": ("Lignes lues", "Rows read"),
    "rows.kept": ("Gardées", "Kept"),
    "rows.rejected": ("Rejetées", "Rejected"),
    "rows.dropped": ("Écartées (totaux, descriptions)", "Dropped (totals, descriptions)"),
    # history
    "history.batches": ("Lots d'import", "Import batches"),
    "history.delete": ("Supprimer un lot", "Delete a batch"),
    "history.delete_pick": ("Lot à supprimer", "Batch to delete"),
    "history.delete_confirm": ("Je confirme la suppression du lot n° {id}", "I confirm deleting batch {id}"),
    "history.deleted": ("Lot(s) {ids} supprimé(s) : {removed} valeurs retirées, "
                        "{restored} valeurs plus anciennes redevenues à jour.",
                        "Batch(es) {ids} deleted: {removed} values removed, {restored} older values current again."),
    "history.coverage": ("Couverture par origine et par mois", "Coverage by origin and month"),
    "history.coverage_help": ("Nombre de valeurs à jour ; une case vide est un mois sans données.",
                              "Number of current values; an empty cell is a month without data."),
    "history.stale": ("Origines en retard sur leur rythme habituel", "Origins behind their usual rhythm"),
    "history.deletions": ("Journal des suppressions", "Deletion log"),
    "history.none": ("Aucun lot importé.", "No batch imported."),
    "history.preview": ("Ce qui sera supprimé", "What will be deleted"),
    "history.undo": ("Annuler la suppression", "Undo"),
    "history.undone": ("Suppression n° {id} annulée : lot(s) {ids} de retour ({rows} valeurs), {targets} objectif(s), "
                       "{mappings} correspondance(s).",
                       "Deletion {id} undone: batch(es) {ids} back ({rows} values), {targets} target(s), "
                       "{mappings} mapping(s)."),
    "history.undo_item": ("N° {id} · {when} · {what}", "No. {id} · {when} · {what}"),
    "history.undo_none": ("Aucune suppression annulable (elles le restent {days} jours).",
                          "No deletion can be undone (they can for {days} days)."),
    "demo.confirm_title": ("Retirer les données de démonstration ?", "Remove the demo data?"),
    "demo.confirm": ("Oui, retirer", "Yes, remove"),
    "demo.cancel": ("Annuler", "Cancel"),
    "demo.removed": ("Données de démonstration retirées (suppression n° {id}, annulable depuis Historique).",
                     "Demo data removed (deletion {id}, can be undone from History)."),
    "deletion.batch": ("Lot n° {id} · {file} · origine {origin} · {rows} valeurs · du {start} au {end}",
                       "Batch {id} · {file} · origin {origin} · {rows} values · {start} to {end}"),
    "deletion.restored": ("{n} valeur(s) plus ancienne(s) redeviennent à jour : {detail}",
                          "{n} older value(s) become current again: {detail}"),
    "deletion.restored_from": ("lot(s) {ids}", "batch(es) {ids}"),
    "deletion.restored_none": ("Aucune valeur plus ancienne ne revient.", "No older value comes back."),
    "deletion.targets": ("{n} objectif(s) de démonstration", "{n} demo target(s)"),
    "deletion.mappings": ("{n} correspondance(s) de colonnes mémorisée(s) par la démonstration",
                          "{n} column mapping(s) remembered by the demo"),
    "deletion.nothing": ("Rien à supprimer.", "Nothing to delete."),
    "deletion.changed": ("Les données ont changé depuis l'aperçu : rien n'a été supprimé, vérifiez à nouveau.",
                         "The data changed since the preview: nothing was deleted; check again."),
    "deletion.undo_hint": ("Réversible pendant {days} jours depuis le journal des suppressions.",
                           "Can be undone for {days} days from the deletion log."),
    # catalog
    "catalog.kpis": ("Catalogue des indicateurs", "KPI catalog"),
    "catalog.targets": ("Objectifs", "Targets"),
    "catalog.references": ("Sources de référence", "Reference sources"),
    "catalog.references_help": (
        "Quand plusieurs sources donnent le même effectif ou stock (utilisateurs actifs du classeur mensuel et "
        "d'une communauté Viva Engage), elles ne sont jamais additionnées ni moyennées : le chiffre affiché vient "
        "d'une seule, par défaut celle qui couvre le mieux la période choisie. Choisissez-la ici.",
        "When several sources give the same head count or stock (active users from the monthly workbook and from "
        "a Viva Engage community), they are never added or averaged: the headline comes from one, by default the "
        "one covering the selected period best. Choose it here."),
    "catalog.references_none": ("Aucun indicateur n'a plusieurs sources : rien à choisir.",
                                "No KPI has several sources: nothing to choose."),
    "catalog.reference_kpi": ("Indicateur", "KPI"),
    "catalog.reference_origin": ("Source de référence", "Reference source"),
    "catalog.reference_auto": ("Automatique (la meilleure couverture de la période)",
                               "Automatic (the best coverage of the period)"),
    "catalog.reference_save": ("Enregistrer la source", "Save the source"),
    "catalog.reference_saved": ("Source de référence enregistrée : {kpi} ({segment}) → {origin}.",
                                "Reference source saved: {kpi} ({segment}) → {origin}."),
    "catalog.targets_help": ("Modifiez, ajoutez ou supprimez des lignes puis enregistrez. "
                             "Période : 2026, T3 2026 ou 2026-10.",
                             "Edit, add or delete rows, then save. Period: 2026, Q3 2026 or 2026-10."),
    "catalog.save": ("Enregistrer les objectifs", "Save the targets"),
    "catalog.saved": ("{n} objectif(s) enregistré(s).", "{n} target(s) saved."),
    "catalog.kpi": ("Indicateur", "KPI"),
    "catalog.unit": ("Unité", "Unit"),
    "catalog.unit_help": ("L'unité de l'indicateur, tirée du catalogue.", "The KPI's unit, from the catalog."),
    "catalog.value_help": ("Dans l'unité affichée ; un taux en pourcentage : 70,46 ou 70.46 pour 70,46 %.",
                           "In the unit shown; a rate in percent: 70.46 or 70,46 for 70.46%."),
    "catalog.saved_changes": ("{n} objectif(s) modifié(s), ajouté(s) ou supprimé(s).",
                              "{n} target(s) changed, added or removed."),
    "catalog.entity": ("Entité (vide = toutes)", "Entity (empty = all)"),
    "catalog.period": ("Période", "Period"),
    "catalog.value": ("Cible", "Target"),
    "catalog.unreadable": ("Ligne illisible, non enregistrée :", "Unreadable row, not saved:"),
    "catalog.upload": ("Charger une feuille d'objectifs", "Upload a targets sheet"),
    # the organisation's own KPIs
    "orgkpi.title": ("Indicateurs de l'organisation", "The organisation's KPIs"),
    "orgkpi.help": ("Ajoutez les indicateurs propres à votre organisation : leurs colonnes sont reconnues à "
                    "l'import, ils sont calculés, ciblés et exportés comme les indicateurs intégrés. Une "
                    "modification faite alors que des données existent est gardée dans l'historique.",
                    "Add the indicators of your own organisation: their columns are recognised on import, they "
                    "are computed, targeted and exported like the built-in KPIs. A change made once data exist is "
                    "kept in the history."),
    "orgkpi.pick": ("Indicateur", "KPI"),
    "orgkpi.new": ("Nouvel indicateur", "New KPI"),
    "orgkpi.code": ("Code", "Code"),
    "orgkpi.code_help": ("Lettres minuscules, chiffres et _ (p. ex. tickets_assistance) ; il ne change plus ensuite.",
                         "Lowercase letters, digits and _ (e.g. helpdesk_tickets); it cannot change afterwards."),
    "orgkpi.label_fr": ("Libellé (français)", "Label (French)"),
    "orgkpi.label_en": ("Libellé (anglais)", "Label (English)"),
    "orgkpi.definition_fr": ("Définition (français)", "Definition (French)"),
    "orgkpi.definition_en": ("Définition (anglais)", "Definition (English)"),
    "orgkpi.world": ("Monde", "World"),
    "orgkpi.world.external": ("Digital externe (B2C, B2B)", "External digital (B2C, B2B)"),
    "orgkpi.world.internal": ("Digital interne (B2E)", "Internal digital (B2E)"),
    "orgkpi.world.both": ("Les deux mondes (B2C, B2B, B2E)", "Both worlds (B2C, B2B, B2E)"),
    "orgkpi.segments": ("Segments", "Segments"),
    "orgkpi.kind": ("Nature", "Kind"),
    "orgkpi.kind.flow": ("Flux : additionné dans le temps (clics, tickets)",
                         "Flow: summed over time (clicks, tickets)"),
    "orgkpi.kind.stock": ("Stock : valeur de fin de période (abonnés, effectif)",
                          "Stock: end-of-period value (followers, headcount)"),
    "orgkpi.kind.distinct": ("Comptage distinct : moyenne des périodes du fichier (utilisateurs actifs)",
                             "Distinct count: mean of the file's periods (active users)"),
    "orgkpi.kind.ratio": ("Ratio : numérateur / dénominateur", "Ratio: numerator / denominator"),
    "orgkpi.kind.score": ("Score : (promoteurs − détracteurs) / répondants × 100",
                          "Score: (promoters − detractors) / respondents × 100"),
    "orgkpi.unit": ("Unité", "Unit"),
    "orgkpi.unit.count": ("Nombre", "Count"),
    "orgkpi.unit.€": ("Euros (€)", "Euros (€)"),
    "orgkpi.unit.%": ("Pourcentage (%)", "Percentage (%)"),
    "orgkpi.unit.×": ("Multiple (×)", "Multiple (×)"),
    "orgkpi.unit.score": ("Score", "Score"),
    "orgkpi.direction": ("Sens", "Direction"),
    "orgkpi.direction.1": ("↑ plus haut = mieux", "↑ higher is better"),
    "orgkpi.direction.-1": ("↓ plus bas = mieux", "↓ lower is better"),
    "orgkpi.synonyms": ("En-têtes de colonne reconnus (un par ligne)", "Column headers recognised (one per line)"),
    "orgkpi.numerator": ("Numérateur (ratio, score)", "Numerator (ratio, score)"),
    "orgkpi.minus": ("Soustrait du numérateur (les détracteurs d'un score)",
                     "Subtracted from the numerator (a score's detractors)"),
    "orgkpi.denominator": ("Dénominateur (ratio, score)", "Denominator (ratio, score)"),
    "orgkpi.stage": ("Étape de l'entonnoir", "Funnel stage"),
    "orgkpi.twin": ("Jumeau dans l'autre monde (Côte à côte)", "Twin in the other world (Side by side)"),
    "orgkpi.none": ("—", "—"),
    "orgkpi.save": ("Enregistrer l'indicateur", "Save the KPI"),
    "orgkpi.created": ("Indicateur « {label} » créé.", "KPI “{label}” created."),
    "orgkpi.edited": ("Indicateur « {label} » modifié : {fields}.", "KPI “{label}” changed: {fields}."),
    "orgkpi.unchanged": ("Rien n'a changé.", "Nothing changed."),
    "orgkpi.remove": ("Supprimer cet indicateur", "Remove this KPI"),
    "orgkpi.removed": ("Indicateur « {label} » supprimé.", "KPI “{label}” removed."),
    "orgkpi.history": ("Historique des définitions", "History of the definitions"),
    "orgkpi.history_none": ("Aucune modification enregistrée.", "No change recorded."),
    "orgkpi.origin": ("Origine", "Origin"),
    "orgkpi.builtin": ("Intégré", "Built-in"),
    "orgkpi.custom": ("Organisation", "Organisation"),
    "orgkpi.action.created": ("création", "created"),
    "orgkpi.action.edited": ("modification", "edited"),
    "orgkpi.action.removed": ("suppression", "removed"),
    "import.create_kpi": ("Créer un KPI à partir de cette colonne", "Create a KPI from this column"),
    "import.create_kpi_ratio": (
        "Les valeurs ressemblent à un taux : un ratio se recalcule toujours à partir de son numérateur et de son "
        "dénominateur. Choisissez la nature Ratio et ses deux indicateurs, ou gardez un flux.",
        "The values look like a rate: a ratio is always recomputed from its numerator and denominator. Choose "
        "the kind Ratio and its two KPIs, or keep a flow."),
    # points of attention (kpis.attention)
    "attention.title": ("Points d'attention", "Points of attention"),
    "attention.none": ("Rien à signaler sur cette période : objectifs tenus, évolutions habituelles, sources à jour.",
                       "Nothing to report for this period: targets met, usual moves, sources up to date."),
    "attention.help": (
        "Par ordre d'importance, 7 au plus : objectifs manqués (rouge), sources en retard (dernières données plus "
        "anciennes qu'une période habituelle de la source à la fin de la fenêtre), évolutions inhabituelles, "
        "objectifs en danger (orange), mois sans données, puis les 3 plus beaux progrès. Une évolution est "
        "inhabituelle quand la variation de la dernière période de la fenêtre (à la granularité choisie) par "
        "rapport à la précédente s'écarte de la médiane des variations passées de l'indicateur de plus de 3 fois "
        "leur écart absolu médian (au moins 6 variations passées), dans le sens défavorable.",
        "In order of importance, 7 at most: targets missed (red), late sources (latest data older than one of the "
        "source's usual periods at the window's end), unusual moves, targets at risk (amber), months without data, "
        "then the 3 best improvements. A move is unusual when the change of the window's last period (at the "
        "chosen granularity) from the one before lies more than 3 median absolute deviations from the median of "
        "the KPI's past changes (at least 6 of them), in the unfavourable direction."),
    "attention.dismiss": ("Masquer pour cette période", "Hide for this period"),
    "attention.dismissed": ("{n} point(s) masqué(s) pour cette période.", "{n} point(s) hidden for this period."),
    "attention.restore": ("Tout réafficher", "Show all again"),
    "attention.open": ("Voir", "Open"),
    "attention.target.red": ("{name} : objectif manqué", "{name}: target missed"),
    "attention.target.amber": ("{name} : objectif en danger", "{name}: target at risk"),
    "attention.target.reason": ("{actual} sur la période pour un objectif de {target}, soit {attainment} "
                                "d'atteinte.",
                                "{actual} over the period against a target of {target}: {attainment} attained."),
    "attention.move.title": ("{name} : évolution inhabituelle", "{name}: unusual move"),
    "attention.move.reason": ("{period} : {change} par rapport à {before}, {n} fois l'écart habituel (médiane des "
                              "{k} variations passées {median}, écart absolu médian {mad}).",
                              "{period}: {change} from {before}, {n} times the usual deviation (median of the "
                              "{k} past changes {median}, median absolute deviation {mad})."),
    "attention.stale.title": ("Source en retard : {name}", "Late source: {name}"),
    "attention.stale.reason": ("Dernières données au {end} ; la source couvre d'habitude {cadence} jours par "
                               "période : {missed} période(s) manquante(s) au {as_of}.",
                               "Latest data on {end}; the source usually covers {cadence} days per period: "
                               "{missed} period(s) missing at {as_of}."),
    "attention.gap.title": ("Données manquantes : {name}", "Missing data: {name}"),
    "attention.gap.reason": ("Aucune donnée pour {n} mois ({months}), alors que la source couvre les mois "
                             "autour.", "No data for {n} month(s) ({months}), while the source covers the months "
                             "around them."),
    "attention.improvement.title": ("{name} : en progrès", "{name}: improving"),
    "attention.improvement.reason": ("{value}, {change} {against}.", "{value}, {change} {against}."),
    "attention.page.external": ("Digital externe", "External digital"),
    "attention.page.internal": ("Digital interne", "Internal digital"),
    "attention.page.history": ("Historique", "History"),
    "attention.page.cdo": ("Vue CDO", "CDO view"),
    # the committee deck (kpis.deck)
    "pack.button": ("Pack comité", "Committee pack"),
    "pack.help": ("Un fichier PowerPoint de la sélection, modifiable : points d'attention, cartes de chaque "
                  "segment, entonnoir unifié, côte à côte, objectifs, sources et définitions.",
                  "An editable PowerPoint file of the selection: points of attention, each segment's cards, the "
                  "unified funnel, side by side, targets, sources and definitions."),
    "pack.title": ("Comité de pilotage digital", "Digital steering committee"),
    "pack.subtitle": ("Du {start} au {end} · segments {segments} · données au {day}",
                      "From {start} to {end} · segments {segments} · data to {day}"),
    "pack.cards_note": ("Chaque valeur porte sur toute la période ; l'évolution est comparée à la période indiquée ; "
                        "l'atteinte rapporte le réalisé à l'objectif (inversée quand une baisse est favorable).",
                        "Each value covers the whole period; the change is measured against the period named; "
                        "attainment is actual over target (inverted when a decrease is good)."),
    "pack.sources": ("Sources des données et fraîcheur", "Data sources and freshness"),
    "pack.definitions": ("Définitions utilisées", "Definitions used"),
    "pack.fresh": ("à jour", "up to date"),
    "pack.continued": ("(suite)", "(continued)"),
    "pack.col.kpi": ("Indicateur", "KPI"),
    "pack.col.value": ("Valeur", "Value"),
    "pack.col.change": ("Évolution", "Change"),
    "pack.col.against": ("Comparée à", "Against"),
    "pack.col.target": ("Objectif", "Target"),
    "pack.col.attainment": ("Atteinte", "Attainment"),
    "pack.col.status": ("Statut", "Status"),
    "pack.col.stage": ("Étape", "Stage"),
    "pack.col.point": ("Point", "Point"),
    "pack.col.reason": ("Pourquoi", "Why"),
    "pack.col.source": ("Source", "Source"),
    "pack.col.segments": ("Segments", "Segments"),
    "pack.col.data_to": ("Données jusqu'au", "Data to"),
    "pack.col.imported": ("Dernier import", "Last import"),
    "pack.col.freshness": ("Fraîcheur", "Freshness"),
    # comments on the numbers (kpis.comments)
    "comments.title": ("Commentaires de la période", "Comments of the period"),
    "comments.sheet": ("Commentaires", "Comments"),
    "comments.help": ("Une explication courte sur un chiffre (un indicateur d'un segment sur une période), avec "
                      "son auteur et sa date : elle apparaît sur la carte, sur la courbe et dans le pack comité.",
                      "A short explanation of a number (a KPI of a segment over a period), with its author and "
                      "date: it shows on the card, on the trend and in the committee pack."),
    "comments.none": ("Aucun commentaire sur cette période.", "No comment for this period."),
    "comments.period": ("du {start} au {end}", "from {start} to {end}"),
    "comments.add": ("Commenter un chiffre", "Comment on a number"),
    "comments.kpi": ("Indicateur", "KPI"),
    "comments.segment": ("Segment", "Segment"),
    "comments.when": ("Période", "Period"),
    "comments.whole": ("Toute la période ({start} – {end})", "The whole period ({start} – {end})"),
    "comments.text": ("Commentaire", "Comment"),
    "comments.save": ("Ajouter le commentaire", "Add the comment"),
    "comments.saved": ("Commentaire ajouté.", "Comment added."),
    "comments.remove_pick": ("Commentaire à retirer", "Comment to remove"),
    "comments.remove": ("Retirer", "Remove"),
    "comments.removed": ("Commentaire retiré.", "Comment removed."),
    "comments.on_card": ("{n} commentaire(s)", "{n} comment(s)"),
    "comments.col.id": ("N°", "No."),
    "comments.col.kpi": ("Indicateur", "KPI"),
    "comments.col.segment": ("Segment", "Segment"),
    "comments.col.entity": ("Entité", "Entity"),
    "comments.col.period": ("Période", "Period"),
    "comments.col.text": ("Commentaire", "Comment"),
    "comments.col.author": ("Auteur", "Author"),
    "comments.col.date": ("Date", "Date"),
    # the e-mail digest (kpis.digest)
    "digest.subject": ("Passerelle — points d'attention du {start} au {end}",
                       "Passerelle — points of attention, {start} to {end}"),
    "digest.intro": ("Points d'attention du {start} au {end} (segments {segments}) :",
                     "Points of attention from {start} to {end} (segments {segments}):"),
    "digest.attached": ("Le pack comité de la période est joint (PowerPoint modifiable).",
                        "The period's committee pack is attached (editable PowerPoint)."),
}


def t(key: str, lang: str = "fr", **values) -> str:
    """The label for ``key`` in ``lang``; ``{name}`` placeholders filled from ``values``."""
    fr, en = _LABELS[key]
    text = fr if lang == "fr" else en
    return text.format(**values) if values else text


def _grouped(value: float, decimals: int, lang: str) -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def _decimals(value: float, unit: str) -> int:
    if unit == "%":
        return 1
    if unit == "€":
        return 0 if abs(value) >= 1000 else 2
    if unit == "×":
        return 2
    if unit == "score":
        return 0 if abs(value) >= 10 else 1
    return 0 if abs(value) >= 100 or float(value).is_integer() else 1


_COMPACT = ((1e9, 1e9, {"fr": "Md", "en": "bn"}), (1e6, 1e6, {"fr": "M", "en": "M"}))


def fmt_value(value: float | None, unit: str = "count", lang: str = "fr", decimals: int | None = None,
              compact: bool = False) -> str:
    """A value for display: ``1 234``, ``12,5``, ``12,5 %``, ``4,67 €`` (French) or ``1,234``, ``12.5%``, ``€4.67``.

    Counts of 100 and more and euros of 1,000 and more have no decimals, other counts one when needed.

    ``compact`` shortens values of a million and more for cards: ``13,8 M``, ``1,6 M€``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    shown = value * 100 if unit == "%" else value
    if compact and unit != "%":
        for threshold, size, suffix in _COMPACT:
            if abs(shown) >= threshold:
                number = _grouped(shown / size, 1, lang)
                if unit == "€":
                    return f"{number}{NBSP}{suffix[lang]}€" if lang == "fr" else f"€{number}{suffix[lang]}"
                return f"{number}{NBSP}{suffix[lang]}" if lang == "fr" else f"{number}{suffix[lang]}"
    text = _grouped(shown, _decimals(shown, unit) if decimals is None else decimals, lang)
    if unit == "%":
        return f"{text}{NNBSP}%" if lang == "fr" else f"{text}%"
    if unit == "€":
        return f"{text}{NBSP}€" if lang == "fr" else f"€{text}"
    if unit == "×":
        return f"{text}{NBSP}×" if lang == "fr" else f"{text}×"
    return text


def fmt_change(change: float | None, unit: str, change_unit: str, lang: str = "fr", compact: bool = False) -> str:
    """A signed change: ``+1,2 pt`` (``change`` already in percentage points), ``−0,30 €``, ``+12 %`` (relative)."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return "—"
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    magnitude = abs(change)
    if change_unit == "pp":
        text = _grouped(magnitude, 2 if magnitude < 1 else 1, lang)
        return f"{sign}{text}{NBSP}pt" if lang == "fr" else f"{sign}{text} pt"
    if change_unit == "relative":
        text = _grouped(magnitude * 100, 1, lang)
        return f"{sign}{text}{NNBSP}%" if lang == "fr" else f"{sign}{text}%"
    return sign + fmt_value(magnitude, unit, lang, compact=compact)


def fmt_date(d: date, lang: str = "fr") -> str:
    """``26/11/2026`` (French) or ``2026-11-26`` (English, unambiguous)."""
    return d.strftime("%d/%m/%Y") if lang == "fr" else d.isoformat()


def fmt_period(label: str, lang: str = "fr") -> str:
    """A period label from the metrics engine for display: ``2026-09`` → ``sept. 2026``, ``2026-Q3`` → ``T3 2026``."""
    if len(label) == 7 and label[4] == "-" and label[5:].isdigit():
        return f"{MONTHS[lang][int(label[5:]) - 1]} {label[:4]}"
    if "-Q" in label:
        year, q = label.split("-Q")
        return f"T{q} {year}" if lang == "fr" else f"Q{q} {year}"
    if "-W" in label:
        year, w = label.split("-W")
        return f"S{w} {year}" if lang == "fr" else f"W{w} {year}"
    if "/" in label:  # a window: 2025-11-01/2026-10-31
        lo, _, hi = label.partition("/")
        try:
            return f"{fmt_date(date.fromisoformat(lo), lang)} – {fmt_date(date.fromisoformat(hi), lang)}"
        except ValueError:
            return label
    return label


_MARKDOWN_SPECIAL = "\\`*_{}[]()#+-.!|<>~:$="


def escape_markdown(text: object) -> str:
    r"""Text from an upload (a file, sheet, header or campaign name) shown literally in Streamlit Markdown.

        >>> print(escape_markdown("**Total** [clic](javascript:x)"))
        \*\*Total\*\* \[clic\]\(javascript\:x\)

    Every Markdown and Streamlit directive character (``:red[…]``, ``:material/…:``) is backslash-escaped
    and line breaks become spaces, so nothing a team types into a spreadsheet can format or link.
    """
    out = str(text).replace("\r", " ").replace("\n", " ")
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in out)
