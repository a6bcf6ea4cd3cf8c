"""The articles in seeds/: named, found and read so that no name can reach another file.

A source names its article by a bare file name. Only a plain regular file directly inside
seeds/ is ever opened (no separators, no symlinks, no devices), and never more than
MAX_ARTICLE_BYTES of it; the text must be UTF-8 without control characters.
"""

import hashlib
import os
import re
import stat
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from timeline.corpus.text import validate_text

MAX_ARTICLE_BYTES = 1_000_000  # the one limit: seeds/ files, and articles added in the admin
SEED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\.txt")


class SeedError(ValueError):
    """An article that cannot be used; the message names the file and never shows its content."""


def validate_seed_name(name):
    """A bare file name like 012_abcdef.txt: nothing that could climb out of seeds/."""
    if not isinstance(name, str) or not SEED_NAME.fullmatch(name):
        raise ValidationError(
            "An article is a file name in seeds/ (letters, digits, '_', '-', '.', ending in .txt), without any folder.",
            code="seed_name",
        )


def seeds_dir():
    return Path(settings.SEEDS_DIR)


def seed_path(name, directory=None):
    """The article's path, once it is known to be a regular file directly inside seeds/."""
    try:
        validate_seed_name(name)
    except ValidationError as exc:
        raise SeedError(f"{name!r:.60}: {exc.messages[0]}") from None
    directory = Path(directory or seeds_dir())
    path = directory / name
    try:
        info = path.lstat()
    except OSError:
        raise SeedError(f"no article {name!r} in seeds/.") from None
    if stat.S_ISLNK(info.st_mode):
        raise SeedError(f"seeds/{name} is a symbolic link; an article must be a plain file in seeds/.")
    if not stat.S_ISREG(info.st_mode):
        raise SeedError(f"seeds/{name} is not a plain file.")
    if path.resolve().parent != directory.resolve():
        raise SeedError(f"seeds/{name} is not inside seeds/.")
    return path


def read_seed(name, directory=None):
    """The article's text, read without following links and never past MAX_ARTICLE_BYTES."""
    path = seed_path(name, directory)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SeedError(f"cannot open seeds/{name} ({exc.strerror}).") from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise SeedError(f"seeds/{name} is not a plain file.")
        data = handle.read(MAX_ARTICLE_BYTES + 1)
    if len(data) > MAX_ARTICLE_BYTES:
        raise SeedError(f"seeds/{name} is larger than {MAX_ARTICLE_BYTES:,} bytes.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SeedError(f"seeds/{name} is not UTF-8 ({exc.reason} at byte {exc.start}).") from None
    try:
        validate_text(text)
    except ValidationError as exc:
        raise SeedError(f"seeds/{name}: {exc.messages[0]}") from None
    return text


def text_sha256(text):
    """The hex SHA-256 of the article's UTF-8 bytes, which identifies it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
