"""A new article's text: what is accepted, its digest, its file name in seeds/, and writing files safely."""

import os
import re
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError

from timeline.corpus.seeds import MAX_ARTICLE_BYTES, text_sha256
from timeline.corpus.text import validate_article

SEED_NAME = re.compile(r"^(\d{3,})_[0-9a-f]{16}\.txt$")


def decode_article(data):
    """An uploaded file's bytes as text; anything but UTF-8 is refused with where it went wrong."""
    if len(data) > MAX_ARTICLE_BYTES:
        raise ValidationError(f"The file is {len(data):,} bytes; an article may be at most {MAX_ARTICLE_BYTES:,}.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"The file is not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8 and upload it again."
        ) from exc
    check_article(text)
    return text


def check_article(text):
    """Refuse text that is empty, too long, or holds what the text rules refuse (timeline.corpus.text)."""
    if not text.strip():
        raise ValidationError("The article is empty.")
    validate_article(text)
    size = len(text.encode("utf-8"))
    if size > MAX_ARTICLE_BYTES:
        raise ValidationError(f"The article is {size:,} bytes as UTF-8; the limit is {MAX_ARTICLE_BYTES:,}.")


def next_seed_name(text, taken):
    """`NNN_<first 16 hex of the SHA-256>.txt`, NNN one past the highest number among the taken names."""
    numbers = [int(match[1]) for name in taken if (match := SEED_NAME.match(name))]
    return f"{max(numbers, default=-1) + 1:03d}_{text_sha256(text)[:16]}.txt"


def refuse_symlinks(path):
    """Writes go to real folders and files only: never through a link a curator or fixture could plant."""
    path = Path(path)
    for part in (path.parent, path):
        if part.is_symlink():
            raise OSError(f"Refusing to write {path}: {part} is a symbolic link.")


def write_atomically(path, data, replace=True):
    """Write bytes via a temporary file in the same folder, so readers see the old file or the new, never half.

    With replace=False an existing file is never overwritten (the write fails instead).
    """
    path = Path(path)
    refuse_symlinks(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)
