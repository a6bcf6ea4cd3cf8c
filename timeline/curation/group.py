"""The curators group: exactly what editing the corpus needs, nothing over users or the site."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from timeline.listing.dimensions import DIMENSIONS

CURATORS = "curators"
STATEMENTS = ("eventstatement", "actorstatement", "erastatement")
EDITED = ("event", "citation", "actor", "source", "alias", "participation", "synonym", *STATEMENTS)
LOOKED_UP = tuple(  # the registry's other vocabularies: eras, categories
    d.vocabulary._meta.model_name for d in DIMENSIONS if d.vocabulary and d.vocabulary._meta.model_name not in EDITED
)
ADMINISTRATORS_ONLY = ("delete_source",)


def curator_permissions():
    """Add, change, delete and view on the corpus, statements included (aliases, participations
    and statements are edited inline with their owners), except deleting a source, which only
    administrators do; view only on the eras and categories an event is filed under (an era's
    statements are edited on its page, its other fields stay read-only: EraAdmin)."""
    edited = Q(content_type__model__in=EDITED) & ~Q(codename__in=ADMINISTRATORS_ONLY)
    looked_up = Q(content_type__model__in=LOOKED_UP, codename__startswith="view_")
    return Permission.objects.filter(Q(content_type__app_label="timeline") & (edited | looked_up))


def sync_curators_group(**kwargs):
    """Run after every migrate, so the group matches this list even when it changes."""
    group, _ = Group.objects.get_or_create(name=CURATORS)
    group.permissions.set(curator_permissions())
