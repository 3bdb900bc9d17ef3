"""Who handles technical-assistance requests: the "TA staff" group, ensured after every `migrate` (and test flush).

Like the forum moderators (community/forum/permissions.py): a post_migrate handler, because permissions of our own
models only exist once every migration has run; it only adds what is missing, so an operator's changes survive.
TA staff are not superusers: they see and work TA requests (view, triage, assign, reply) and read the directory,
nothing else in the admin.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.db import transaction

from community.models import TA_STAFF_GROUP

VIEW = "community.view_tarequest"
TRIAGE = "community.triage_tarequest"
ASSIGN = "community.assign_tarequest"
REPLY = "community.reply_tarequest"

TA_STAFF_PERMISSIONS = [
    ("community", "view_tarequest"),
    ("community", "change_tarequest"),  # the admin's edit form, where triage, assignment and replies happen
    ("community", "triage_tarequest"),
    ("community", "assign_tarequest"),
    ("community", "reply_tarequest"),
    ("community", "view_agency"),  # who is asking
    ("wagtailadmin", "access_admin"),
]


def is_ta_staff(user) -> bool:
    return bool(user.is_active and user.has_perm(VIEW))


@transaction.atomic
def ensure_ta_staff() -> Group:
    group, _ = Group.objects.get_or_create(name=TA_STAFF_GROUP)
    for app_label, codename in TA_STAFF_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


def on_post_migrate(sender, using="default", **kwargs) -> None:
    if sender.name != "community":
        return
    for config in (global_apps.get_app_config("community"), global_apps.get_app_config("wagtailadmin")):
        create_contenttypes(config, verbosity=0, using=using)
        create_permissions(config, verbosity=0, using=using)
    ensure_ta_staff()
