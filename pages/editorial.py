"""Groups, permissions and the two-step editorial workflow, ensured after every `migrate`.

Kept in a post_migrate handler rather than a data migration because permissions for our own models only exist
once every migration has run; each step only adds what is missing, so operators' own changes survive.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)
from wagtail.permissions import policy_registry

from pages.access import MEMBERS_GROUP

EDITORS = "Editors"
MODERATORS = "Moderators"
PARTNERS = "Partners"

WORKFLOW_NAME = "Editorial and program approval"
TASKS = ("Editorial review", "Program approval")

PAGE_PERMISSIONS = {
    EDITORS: ["add_page", "change_page", "lock_page"],
    MODERATORS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "bulk_delete_page"],
}
MEDIA_PERMISSIONS = {
    EDITORS: ["add", "change", "choose"],
    MODERATORS: ["add", "change", "delete", "choose"],
}
SNIPPET_MODELS = ["pages.Topic", "pages.Person"]


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def ensure_editorial_setup() -> None:
    groups = {
        name: Group.objects.get_or_create(name=name)[0] for name in (EDITORS, MODERATORS, MEMBERS_GROUP, PARTNERS)
    }
    access_admin = _permission("wagtailadmin", "access_admin")
    for name in (EDITORS, MODERATORS):
        group = groups[name]
        group.permissions.add(access_admin)
        for model_label in SNIPPET_MODELS:
            model = global_apps.get_model(model_label)
            actions = ["add", "change", "view"] + (["delete"] if name == MODERATORS else [])
            group.permissions.add(
                *(_permission(model._meta.app_label, f"{action}_{model._meta.model_name}") for action in actions)
            )

    root_page = Page.get_first_root_node()
    if root_page is None:  # a flushed test database: nothing to attach page permissions or workflows to
        return
    for name, codenames in PAGE_PERMISSIONS.items():
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(
                group=groups[name], page=root_page, permission=_permission("wagtailcore", codename)
            )

    root_collection = Collection.get_first_root_node()
    for model_label in ("media_library.CustomImage", "media_library.CustomDocument"):
        model = global_apps.get_model(model_label)
        # Wagtail's collection policies check the permissions of their auth_model (wagtailimages.Image,
        # wagtaildocs.Document), which Wagtail's own data migration grants to these groups; granted here too so a
        # database without those rows (a flushed test database, an operator's clean-up) still lets editors upload.
        auth_model = policy_registry.get_by_type(model).auth_model
        for name, actions in MEDIA_PERMISSIONS.items():
            for action in actions:
                # Choosers check "choose_image" / "choose_document", named after Wagtail's base models.
                suffix = model._meta.model_name.removeprefix("custom") if action == "choose" else model._meta.model_name
                permissions = [
                    _permission(model._meta.app_label, f"{action}_{suffix}"),
                    _permission(auth_model._meta.app_label, f"{action}_{auth_model._meta.model_name}"),
                ]
                for permission in permissions:
                    GroupCollectionPermission.objects.get_or_create(
                        group=groups[name], collection=root_collection, permission=permission
                    )

    workflow, created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if created:
        for order, task_name in enumerate(TASKS):
            task = GroupApprovalTask.objects.create(name=task_name)
            task.groups.set([groups[MODERATORS]])
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    # Replace Wagtail's single-step default on the root, but never an operator's own choice.
    current = WorkflowPage.objects.filter(page=root_page).select_related("workflow").first()
    if current is None:
        WorkflowPage.objects.create(page=root_page, workflow=workflow)
    elif current.workflow.name == "Moderators approval":
        current.workflow = workflow
        current.save(update_fields=["workflow"])


def on_post_migrate(sender, app_config=None, using="default", **kwargs) -> None:
    if sender.name != "pages":
        return
    # Make sure every app's content types and permissions exist before granting them.
    for config in global_apps.get_app_configs():
        create_contenttypes(config, verbosity=0, using=using)
        create_permissions(config, verbosity=0, using=using)
    ensure_editorial_setup()
