"""E-mail campaign reports: Mailchimp's campaign export and HubSpot's marketing e-mail export.

What the exports are (looked up before writing this module):

- Mailchimp, "About Email Campaign Reports" (mailchimp.com/help/about-email-campaign-reports): Recipients
  (contacts the campaign was sent to), Successful deliveries (recipients that did not bounce), Opened
  (recipients who opened, any number of times), Total opens (every open), Clicked (recipients who clicked),
  Bounced (hard or soft), Unsubscribed, Open rate and Click rate (percentages of successful deliveries). Its
  Reports page exports one row per campaign with the columns ``Title``, ``Subject``, ``List``, ``Send Date``
  (``Sep 15, 2026 10:00 am``), ``Send Weekday``, ``Total Recipients``, ``Successful Deliveries``, ``Soft
  Bounces``, ``Hard Bounces``, ``Total Bounces``, ``Times Forwarded``, ``Forwarded Opens``, ``Unique Opens``,
  ``Open Rate``, ``Total Opens``, ``Unique Clicks``, ``Click Rate``, ``Total Clicks``, ``Unsubscribes``,
  ``Abuse Complaints``… (the dbt package fivetran/dbt_mailchimp documents the same unique and total counts).
- HubSpot, "What do my marketing email statistics mean?" (knowledge.hubspot.com): Sent (contacts selected
  minus ineligible ones), Delivered, Opened, Clicked ("the number of unique recipients who clicked on any
  link"), Bounces, Unsubscribed, Spam reports; open and click rates are percentages of delivered e-mails.
  Its e-mail list export has one row per e-mail: ``Email name``, ``Subject``, ``Send date``, then those
  counts and rates.

How they are read: one row per campaign, dated by its send day (a campaign report gives its opens and clicks
to the day it was sent), channel ``email``, the campaign or e-mail name as the initiative. Recipients are
e-mails sent, successful deliveries delivered, unique opens and clicks the people who opened or clicked
(HubSpot's Opened and Clicked), total clicks clicks. Soft and hard bounces, forwards, complaints and every
rate are not imported (the dashboard recomputes open, click-to-open, bounce and unsubscribe rates).
"""

from __future__ import annotations

from kpis.catalog import match_header
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

EMAIL_CHANNEL = "email"
MAILCHIMP_KPIS = (
    ("total recipients", "emails_sent"), ("successful deliveries", "emails_delivered"),
    ("total bounces", "email_bounces"), ("unique opens", "email_unique_opens"), ("total opens", "email_opens"),
    ("unique clicks", "email_unique_clicks"), ("total clicks", "clicks"), ("unsubscribes", "email_unsubscribes"),
)
MAILCHIMP_REQUIRED = (("title",), ("send date",), ("total recipients",), ("successful deliveries",),
                      ("unique opens",), ("unique clicks",))
HUBSPOT_KPIS = (
    ("sent", "emails_sent"), ("delivered", "emails_delivered"), ("opened", "email_unique_opens"),
    ("clicked", "email_unique_clicks"), ("bounced", "email_bounces"), ("bounces", "email_bounces"),
    ("unsubscribed", "email_unsubscribes"), ("unsubscribes", "email_unsubscribes"),
)
HUBSPOT_DATES = ("send date", "sent date", "publish date", "published date")
HUBSPOT_REQUIRED = (("email name",), HUBSPOT_DATES, ("sent",), ("delivered",), ("opened",), ("clicked",))


def _campaigns(sheet: RawSheet, fmt: str, required, kpis, name: str, dates: tuple[str, ...]) -> Recognised | None:
    found = find_header(sheet, required, 6)
    if found is None:
        return None
    i, index = found
    rw = Rewrite(sheet, i)
    convention = locale_convention(rw, kpis, "en")
    map_kpis(rw, kpis, convention)
    rw.maps[rw.header[index[name]]] = "initiative"
    day = first_of(index, *dates)
    assert day is not None  # a required header
    order = parsing.date_order(rw.column(day)) or "mdy"  # US interface by default; 15/09/2026 settles it
    rewrite_dates(rw, day, order)
    rw.maps[rw.header[day]] = "period:day"
    for h in rw.header:  # Send Weekday, List, HubSpot's Campaign, Last updated: attributes, not dimensions here
        if isinstance(h, str) and h.strip() and h not in rw.maps and getattr(match_header(h), "role", None) in (
                "initiative", "period", "period_start", "period_end", "entity", "channel"):
            rw.maps[h] = "ignore"
    rw.add(CHANNEL_HEADER, "channel", EMAIL_CHANNEL)
    return Recognised(fmt, rw.sheet(), rw.maps, None, (EMAIL_CHANNEL,), convention, order)


def mailchimp(sheet: RawSheet) -> Recognised | None:
    return _campaigns(sheet, "mailchimp_campaigns", MAILCHIMP_REQUIRED, MAILCHIMP_KPIS, "title", ("send date",))


def hubspot_email(sheet: RawSheet) -> Recognised | None:
    return _campaigns(sheet, "hubspot_email", HUBSPOT_REQUIRED, HUBSPOT_KPIS, "email name", HUBSPOT_DATES)
