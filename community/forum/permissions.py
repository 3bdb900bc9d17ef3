"""Who may moderate: the "Forum moderators" group, ensured after every `migrate` (and every test flush).

A post_migrate handler, like pages.editorial, rather than a data migration: permissions of our own models only
exist once every migration has run, and the handler puts the group back after a flush. It only adds what is
missing, so an operator's own changes to the group survive.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.db import transaction

FORUM_MODERATORS = "Forum moderators"
MODERATE_PERMISSION = "forum.moderate_forum"

# What the group may do through the admin's own forms, besides MODERATE_PERMISSION (the action views).
MODEL_PERMISSIONS = {
    "forumcategory": ["add", "change", "view"],
    "forumthread": ["view"],
    "forumpost": ["view"],
    "forumreport": ["view"],
    "forumban": ["add", "view"],
    "moderationaction": ["view"],
}


def can_moderate(user) -> bool:
    return user.is_active and user.has_perm(MODERATE_PERMISSION)


@transaction.atomic
def ensure_forum_moderators() -> Group:
    group, _ = Group.objects.get_or_create(name=FORUM_MODERATORS)
    codenames = [f"{action}_{model}" for model, actions in MODEL_PERMISSIONS.items() for action in actions]
    wanted = Permission.objects.filter(content_type__app_label="forum", codename__in=[*codenames, "moderate_forum"])
    group.permissions.add(
        *wanted, Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return group


def on_post_migrate(sender, using="default", **kwargs) -> None:
    if sender.name != "community.forum":
        return
    # The permissions granted (ours and wagtailadmin's access_admin) must exist first; only those two apps are
    # needed (pages.editorial's handler already covers every app once per migrate).
    for config in (global_apps.get_app_config("forum"), global_apps.get_app_config("wagtailadmin")):
        create_contenttypes(config, verbosity=0, using=using)
        create_permissions(config, verbosity=0, using=using)
    ensure_forum_moderators()
