"""What curated text may hold: no control characters, no lone surrogates.

A C0 control character (say "\\x0b" or "\\x1b") is invisible to a curator, breaks XML (the
Atom feed) and terminals; a lone surrogate cannot be encoded as UTF-8 at all. Multi-line
text may hold tabs and line breaks; a single-line field holds neither.
"""

import re

from django.core.exceptions import ValidationError

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
SINGLE_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def describe_character(character):
    if "\ud800" <= character <= "\udfff":
        return f"a lone surrogate (U+{ord(character):04X})"
    return f"a control character (U+{ord(character):04X})"


def refuse(pattern, value, where):
    found = pattern.search(value) if isinstance(value, str) else None
    if found:
        raise ValidationError(
            f"The text holds {describe_character(found.group())} at character {found.start() + 1}; {where}.",
            code="control_character",
        )


def validate_text(value):
    """For multi-line text: tabs and line breaks (\\n, \\r) are allowed, other control characters not."""
    refuse(CONTROL, value, "remove it (only tabs and line breaks are allowed)")


def validate_single_line(value):
    """For names, titles and other one-line fields: no control character at all, not even a tab."""
    refuse(SINGLE_LINE_CONTROL, value, "remove it (a one-line field holds no tabs or line breaks)")


def printable(text):
    """Text safe to print or to put in XML: control characters and surrogates shown as escapes."""
    return SINGLE_LINE_CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def xml_safe(text):
    """Text XML 1.0 can carry (the Atom feed): a control character or surrogate becomes U+FFFD."""
    return CONTROL.sub("\ufffd", text)
