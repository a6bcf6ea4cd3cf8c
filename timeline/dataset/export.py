"""Writing the database as fixture files, and the articles it holds as seeds/ files.

Only to places that cannot be a trap: the project's fixtures/, a new folder or an earlier
export, never through a symbolic link; each file atomically.
"""

import os
from pathlib import Path

from django.conf import settings
from django.db import transaction

from timeline.corpus.articles import next_seed_name, refuse_symlinks, write_atomically
from timeline.dataset.schema import LAYOUT, database_records, dump
from timeline.models import Source


class ExportRefused(Exception):
    """The export would write somewhere it must not; nothing was written."""


def export(directory, seeds_dir=None):
    """Write the database as fixture files, each atomically; returns the paths written.

    Writes only to the project's fixtures/, to a folder it creates, or to a folder that
    holds nothing but fixture files (an earlier export); never through a symbolic link.
    With `seeds_dir`, first write there every article that is not there yet (see
    write_seeds), so the fixtures never name a file that does not exist.
    """
    directory = export_directory(Path(directory))
    for name in LAYOUT:
        refuse_link(directory / name)
    written = write_seeds(seeds_dir) if seeds_dir is not None else []
    for name, models_ in LAYOUT.items():
        path = directory / name
        write_atomically(path, dump((m, database_records(m)) for m in models_).encode("utf-8"))
        written.append(path)
    return written


def export_directory(directory):
    if directory.is_symlink():
        raise ExportRefused(f"{directory} is a symbolic link; export to a real folder.")
    if not directory.exists():
        directory.mkdir(parents=True)
        return directory
    if not directory.is_dir():
        raise ExportRefused(f"{directory} is not a folder.")
    if directory.resolve() == Path(settings.FIXTURES_DIR).resolve():
        return directory
    others = sorted(entry for entry in os.listdir(directory) if entry not in LAYOUT)
    if others:
        raise ExportRefused(
            f"{directory} already holds other files ({', '.join(others[:5])}{', ...' if len(others) > 5 else ''}); "
            "export to fixtures/, to a new folder, or to a folder holding only an earlier export."
        )
    return directory


def refuse_link(path):
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise ExportRefused(f"{path} is a symbolic link or not a plain file; nothing is written through it.")


class ExportError(Exception):
    """The database and seeds/ disagree about an article; nothing more was written."""


EXPORT_REASON = "export_timeline wrote the article to seeds/"  # shown in the source's admin history


def write_seeds(seeds_dir):
    """Write each article missing from seeds_dir, naming those added in the admin `NNN_<hash16>.txt`.

    A file already there is never overwritten: if its bytes are not the stored text, the export stops.
    """
    seeds_dir = Path(seeds_dir)
    refuse_symlinks(seeds_dir)
    taken = {path.name for path in seeds_dir.iterdir()}
    taken |= set(Source.objects.exclude(seed_file="").values_list("seed_file", flat=True))
    written = []
    for source in Source.objects.order_by("pk"):
        with transaction.atomic():
            named_now = not source.seed_file
            if named_now:
                source.seed_file = next_seed_name(source.text, taken)
                taken.add(source.seed_file)
            path = seeds_dir / source.seed_file
            data = source.text.encode("utf-8")
            if Path(source.seed_file).name != source.seed_file:
                raise ExportError(f"Source {source.slug!r}: {source.seed_file!r} is not a file name.")
            if path.is_symlink() or (path.exists() and not path.is_file()):
                raise ExportError(f"Source {source.slug!r}: {path} is not a plain file.")
            if path.exists():
                if path.read_bytes() != data:
                    raise ExportError(
                        f"Source {source.slug!r}: {path} differs from the article stored in the database; "
                        "it was left as it is."
                    )
                continue
            write_atomically(path, data, replace=False)
            written.append(path)
            if named_now:
                source._change_reason = EXPORT_REASON
                source.save(update_fields=["seed_file"])
    return written
