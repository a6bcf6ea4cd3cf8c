"""What curated text may hold: the one set of rules for every way text comes in.

Titles, names and notes (the admin's forms and the fixtures, through the model fields'
validators) and articles (pasted, uploaded, or read from seeds/) are all checked here.
Refused everywhere:

- control characters (C0, DEL and C1): invisible to a curator, they break XML (the Atom
  feed) and terminals. Multi-line text may hold tabs and line breaks; an article holds
  tabs and line feeds only; a single-line field holds none of them;
- lone surrogates: they cannot be encoded as UTF-8 at all;
- noncharacters (U+FDD0 to U+FDEF and the last two code points of every plane, such as
  U+FFFE and U+FFFF): XML 1.0 cannot carry U+FFFE and U+FFFF, so one of them made the feed
  unreadable for every subscriber, and Unicode reserves all of them for a program's
  internal use, never for interchange.
"""

import re

from django.core.exceptions import ValidationError

CONTROLS = [chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))]
NONCHARACTERS = [chr(c) for c in range(0xFDD0, 0xFDF0)] + [
    chr(plane << 16 | last) for plane in range(17) for last in (0xFFFE, 0xFFFF)
]
SURROGATES = "\ud800-\udfff"


def forbidden(allowed):
    """A pattern matching every character the rules refuse, except the whitespace in allowed."""
    characters = [c for c in CONTROLS if c not in allowed] + NONCHARACTERS
    return re.compile(f"[{re.escape(''.join(characters))}{SURROGATES}]")


MULTI_LINE = forbidden("\t\n\r")
ARTICLE = forbidden("\t\n")
SINGLE_LINE = forbidden("")


def describe_character(character):
    code = f"U+{ord(character):04X}"
    if "\ud800" <= character <= "\udfff":
        return f"a lone surrogate ({code})"
    if character in NONCHARACTERS:
        return f"a noncharacter ({code})"
    return f"a control character ({code})"


def refuse(pattern, value, where):
    found = pattern.search(value) if isinstance(value, str) else None
    if found:
        raise ValidationError(
            f"The text holds {describe_character(found.group())} at character {found.start() + 1}; {where}.",
            code="control_character",
        )


def validate_text(value):
    """For multi-line text: tabs and line breaks (\\n, \\r) are allowed."""
    refuse(MULTI_LINE, value, "remove it (only tabs and line breaks are allowed)")


def validate_article(value):
    """For an article added in the admin: tabs and line feeds; a carriage return is refused too."""
    refuse(ARTICLE, value, "remove it (only tabs and line breaks are allowed; save a Windows file with LF line ends)")


def validate_single_line(value):
    """For names, titles and other one-line fields: not even a tab or a line break."""
    refuse(SINGLE_LINE, value, "remove it (a one-line field holds no tabs or line breaks)")


def printable(text):
    """Text safe to print or to put in XML: what the rules refuse, and line breaks, shown as escapes."""
    return SINGLE_LINE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def xml_safe(text):
    """Text XML 1.0 can carry (the Atom feed): what the rules refuse becomes U+FFFD."""
    return MULTI_LINE.sub("\ufffd", text)
