"""``kpis.text``: free text without the characters a terminal obeys instead of showing."""

from __future__ import annotations

import pytest

from kpis.text import clean_output, clean_text


@pytest.mark.parametrize(("raw", "clean"), [
    ("\x1b[31mROOT\x1b[0m\r", "ROOT"),                        # colour codes removed whole, the return too
    ("ok\x1b]0;pwned\x07", "ok"),                               # OSC: sets the window title
    ("ok\x1b]8;;http://x\x1b\\lien\x1b]8;;\x1b\\", "oklien"),   # OSC 8 hyperlink around "lien"
    ("Marie\tDupont\n", "Marie Dupont"),                        # one line: tab and newline become a space
    ("a\u202egnp.exe", "agnp.exe"),                             # right-to-left override
    ("x\x00y\x7fz\x9b", "xyz"),                                 # NUL, DEL and the C1 CSI
    ("Équipe RH — Lyon", "Équipe RH — Lyon"),                   # accents and dashes untouched
])
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def test_clean_output_keeps_lines_and_tabs():
    assert clean_output("1\t\x1b[2Jlocal\r\n2\tROOT\x08\x08\n") == "1\tlocal\n2\tROOT\n"


def test_every_unicode_control_character_is_removed():
    import unicodedata

    controls = "".join(c for c in map(chr, range(0x110000)) if unicodedata.category(c) == "Cc")
    assert len(controls) == 65  # C0 (32), DEL, C1 (32)
    assert clean_text(f"a{controls}b") == "a b"  # \t \n \v \f \r become one space, the rest go
    assert clean_output(f"a{controls}b") == "a\t\nb"
