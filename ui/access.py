"""Sign-in and this session's rights: local mode without ``[auth]``, Streamlit's OpenID Connect sign-in with it.

    >>> rights = sign_in()          # app.py, first thing: stops the page until the person may see something
    >>> can_edit("B2E"), rights.who

Without an ``[auth]`` section in ``.streamlit/secrets.toml`` the app runs in
local mode: one person at this machine, every right, named by their login
(``kpis.access.LOCAL``). With it, ``st.login`` signs people in with the
organisation's identity provider, and ``kpis.access.resolve`` turns the
grants stored in the store (and the ``admins`` setting) into their rights.
The store handed to pages (``ui.store()``) enforces those rights itself.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from kpis.access import LOCAL, Identity, Rights, resolve
from kpis.settings import local_user
from ui.state import settings, t

RIGHTS_KEY = "rights"
MIN_COOKIE_SECRET = 32
"""Characters the identity cookie's signing secret must have at least: a short one can be guessed, and a
guessed secret lets anyone forge a signed-in identity."""


def auth_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` has an ``[auth]`` section (sign-in on)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own error type
        return False


def rights() -> Rights:
    """This session's rights (set by ``sign_in``); local mode's every right before that."""
    return st.session_state.get(RIGHTS_KEY) or replace(LOCAL, who=local_user())


def user() -> str:
    """Who acts in this session, for the batch log, the audit trail and the exports: the signed-in person's
    e-mail address, or in local mode the login name of the user running the app."""
    return rights().who


def can_edit(*segments: str) -> bool:
    """Whether this session may change data of every one of ``segments`` (none named: of any segment)."""
    editable = rights().editable
    return all(s in editable for s in segments) if segments else bool(editable)


def sign_in(raw_store) -> Rights:
    """The rights of the person at the browser; stops the page with a sign-in page, or a page naming whom to
    ask when no grant names them. ``raw_store`` is the store itself (grants are read before any scope)."""
    if not auth_configured():
        st.session_state[RIGHTS_KEY] = replace(LOCAL, who=local_user())
        return st.session_state[RIGHTS_KEY]
    if len(str(st.secrets["auth"].get("cookie_secret", ""))) < MIN_COOKIE_SECRET:
        st.title(t("app.title"))
        st.error(t("access.weak_secret", n=MIN_COOKIE_SECRET), icon=":material/key_off:")
        st.stop()
    if not st.user.is_logged_in:
        st.title(t("app.title"))
        st.markdown(t("access.sign_in_why"))
        st.button(t("access.sign_in"), type="primary", icon=":material/login:", on_click=st.login,
                  key="sign_in")
        st.stop()
    groups = st.user.get(settings().group_claim) or ()
    identity = Identity(st.user.get("email"), st.user.get("name"),
                        tuple(groups) if isinstance(groups, (list, tuple)) else (str(groups),))
    found = resolve(identity, [g for _, g in raw_store.grants()], settings().admins)
    if found is None:
        st.title(t("app.title"))
        admins = ", ".join(settings().admins) or t("access.your_it")
        st.warning(t("access.no_grant", who=identity.label, admins=admins), icon=":material/lock:")
        st.button(t("access.sign_out"), on_click=st.logout, key="sign_out")
        st.stop()
    st.session_state[RIGHTS_KEY] = found
    return found


def sidebar_identity(lang: str) -> None:
    """Who is signed in and a sign-out button, or the discreet local-mode note."""
    if not auth_configured():
        st.caption(t("access.local_mode"), help=t("access.local_mode_help"))
        return
    r = rights()
    st.caption(t("access.signed_in", name=st.user.get("name") or r.who, role=t(f"access.role.{r.role}"),
                 segments=", ".join(r.readable)))
    st.button(t("access.sign_out"), on_click=st.logout, key="sign_out", icon=":material/logout:")
