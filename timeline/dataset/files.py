"""Reading a fixture file: a plain file in the folder, never past MAX_FIXTURE_BYTES, and JSON
whose every oddity is kept to be named by file, record and field rather than raised.

An integer past Python's 4,300-digit limit would raise ValueError in json.loads, and a key given
twice would silently keep its last value; both are kept here for fixture_validation to refuse.
"""

import json
import os
import stat
from collections import Counter

MAX_FIXTURE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 8  # a file is a list of records, whose fields hold at most lists of natural keys


class Unreadable:
    """A JSON value Python will not read as given (an integer past int's digit limit), kept to be named."""

    def __init__(self, reason):
        self.reason = reason

    def __repr__(self):
        return self.reason


def read_integer(digits):
    try:
        return int(digits)
    except ValueError:
        return Unreadable(f"an integer of {len(digits.lstrip('-')):,} digits")


class Object(dict):
    """A JSON object that remembers the keys it was given more than once."""

    def __init__(self, pairs):
        super().__init__(pairs)
        self.duplicates = {key for key, count in Counter(key for key, _ in pairs).items() if count > 1}


def type_name(value):
    """A value's type as a problem names it: an object is a dict, whatever class kept it."""
    return "dict" if isinstance(value, dict) else type(value).__name__


UNREAD = object()


def read_json(path, shown, problems):
    """A fixture file's JSON, or UNREAD once the problem is recorded: a plain file, never past MAX_FIXTURE_BYTES."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        problems.append(f"{shown}: file is missing.")
        return UNREAD
    except OSError as exc:
        problems.append(f"{shown}: cannot be read ({exc.strerror}).")
        return UNREAD
    if stat.S_ISLNK(info.st_mode):
        problems.append(f"{shown}: is a symbolic link; a fixture must be a plain file.")
        return UNREAD
    if not stat.S_ISREG(info.st_mode):
        problems.append(f"{shown}: is not a plain file.")
        return UNREAD
    if info.st_size > MAX_FIXTURE_BYTES:
        problems.append(f"{shown}: file is {info.st_size:,} bytes; the limit is {MAX_FIXTURE_BYTES:,}.")
        return UNREAD
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            data = handle.read(MAX_FIXTURE_BYTES + 1)
    except OSError as exc:
        problems.append(f"{shown}: cannot be read ({exc.strerror}).")
        return UNREAD
    if len(data) > MAX_FIXTURE_BYTES:
        problems.append(f"{shown}: file grew past {MAX_FIXTURE_BYTES:,} bytes while it was read.")
        return UNREAD
    try:
        return json.loads(data.decode("utf-8"), parse_int=read_integer, object_pairs_hook=Object)
    except UnicodeDecodeError as exc:
        problems.append(f"{shown}: not UTF-8 ({exc.reason} at byte {exc.start}).")
    except json.JSONDecodeError as exc:
        problems.append(f"{shown}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.")
    except RecursionError:
        problems.append(f"{shown}: JSON nested too deeply; records nest at most {MAX_DEPTH} levels.")
    return UNREAD
