r"""Free text from people and files, made safe to store and to print.

    >>> clean_text("\x1b[31mROOT\x1b[0m\r")
    'ROOT'

An author (``--by``), an origin label, a file, sheet or column name can hold
characters a terminal obeys instead of showing: an ANSI escape that recolours
or rewrites the screen, a carriage return that overwrites the line, a
right-to-left override that reverses what follows. ``clean_text`` removes
them from one-line values before they are stored; ``clean_output`` does the
same to what the command line prints, keeping line breaks and tabs.
"""

from __future__ import annotations

import re

__all__ = ["clean_text", "clean_output"]

_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
"""CSI (colours, cursor moves), OSC (window title, links) and two-character escapes: removed whole."""
_OTHER_CONTROLS = r"\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
"""DEL and the C1 controls (with C0, Unicode category Cc), the bidirectional marks, overrides and isolates, the
Unicode line and paragraph separators."""
_UNSAFE = re.compile(rf"[\x00-\x1f{_OTHER_CONTROLS}]")
_UNSAFE_IN_OUTPUT = re.compile(rf"[\x00-\x08\x0b-\x1f{_OTHER_CONTROLS}]")  # keeps \t and \n


def clean_text(text: str) -> str:
    r"""One line of text without control characters: line breaks and tabs become spaces, the ends are stripped.

        >>> clean_text("Marie\tDupont\n")
        'Marie Dupont'
        >>> clean_text("a\u202egnp.exe")        # a right-to-left override would show 'aexe.png'
        'agnp.exe'
    """
    text = _ESCAPE_SEQUENCE.sub("", str(text))
    text = re.sub(r"[\t\n\r\v\f]+", " ", text)
    return _UNSAFE.sub("", text).strip()


def clean_output(text: str) -> str:
    r"""What the command line prints: control characters removed, line breaks and tabs kept.

        >>> clean_output("1  \x1b[31mROOT\x1b[0m\r\n2  ok\n")
        '1  ROOT\n2  ok\n'
    """
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _UNSAFE_IN_OUTPUT.sub("", text)
