"""The editorial setup: groups, the two-step workflow on the root page, and pages moving through it to live."""

from datetime import date, time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import (
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from events.factories import TrainingEventPageFactory
from events.models import TrainingEventPage
from pages.access import MEMBERS_GROUP
from pages.editorial import EDITORS, MODERATORS, PARTNERS, TASKS, WORKFLOW_NAME, ensure_editorial_setup
from pages.factories import ProgramPageFactory
from pages.models import ProgramPage

User = get_user_model()


@pytest.fixture
def editor(db):
    user = User.objects.create_user("editor", "editor@example.org", "password")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def moderator(db):
    user = User.objects.create_user("moderator", "moderator@example.org", "password")
    user.groups.add(Group.objects.get(name=MODERATORS))
    return user


@pytest.fixture
def draft_page(home_page):
    return ProgramPageFactory(parent=home_page, live=False, title="Community of Practice", slug="community-of-practice")


def submit(page, user) -> WorkflowState:
    page.save_revision(user=user)
    return page.get_workflow().start(page, user)


def act(state: WorkflowState, user, action: str) -> WorkflowState:
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, user, action)
    return WorkflowState.objects.get(pk=state.pk)


# --- what migrate sets up ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_groups_exist():
    names = set(Group.objects.values_list("name", flat=True))
    assert {EDITORS, MODERATORS, MEMBERS_GROUP, PARTNERS} <= names
    assert {"Editors", "Moderators", "CoP Members", "Partners"} <= names


@pytest.mark.django_db
def test_workflow_has_review_then_approval_assigned_to_the_root_page():
    workflow = Workflow.objects.get(name="Editorial and program approval")
    assert workflow.active
    assert [task.name for task in workflow.tasks] == ["Editorial review", "Program approval"]
    for task in workflow.tasks:
        assert isinstance(task.specific, GroupApprovalTask)
        assert [group.name for group in task.specific.groups.all()] == [MODERATORS]
    root = Page.get_first_root_node()
    assert WorkflowPage.objects.get(page=root).workflow == workflow


def test_every_program_page_inherits_the_workflow(home_page, event_index):
    event = TrainingEventPageFactory(parent=event_index)
    for page in (home_page, event_index, event):
        assert page.get_workflow().name == WORKFLOW_NAME


@pytest.mark.django_db
def test_editors_have_no_publish_permission_and_moderators_do():
    root = Page.get_first_root_node()

    def codenames(group_name):
        return set(
            GroupPagePermission.objects.filter(group__name=group_name, page=root).values_list(
                "permission__codename", flat=True
            )
        )

    assert "publish_page" not in codenames(EDITORS)
    assert {"add_page", "change_page"} <= codenames(EDITORS)
    assert "publish_page" in codenames(MODERATORS)
    assert not GroupPagePermission.objects.filter(group__name__in=[MEMBERS_GROUP, PARTNERS]).exists()


def test_editor_can_edit_and_submit_but_not_publish(draft_page, editor, moderator):
    editor_perms = draft_page.permissions_for_user(editor)
    assert editor_perms.can_edit()
    assert editor_perms.can_submit_for_moderation()
    assert not editor_perms.can_publish()
    assert not editor_perms.can_unpublish()
    assert draft_page.permissions_for_user(moderator).can_publish()


def test_editor_publish_action_in_the_admin_only_saves_a_draft(client, draft_page, editor):
    client.force_login(editor)
    response = client.post(reverse("wagtailadmin_pages:edit", args=[draft_page.pk]), program_form_data(draft_page))
    assert response.status_code == 302
    stored = ProgramPage.objects.get(pk=draft_page.pk)
    assert not stored.live
    assert stored.get_latest_revision().user == editor
    assert stored.live_revision is None


# --- moving a page through the workflow -------------------------------------------------------------------------


def test_submitted_page_goes_live_after_both_steps(draft_page, editor, moderator):
    state = submit(draft_page, editor)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.name == "Editorial review"
    assert state.requested_by == editor

    state = act(state, moderator, "approve")
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.name == "Program approval"
    assert not ProgramPage.objects.get(pk=draft_page.pk).live  # one approval is not enough

    state = act(state, moderator, "approve")
    assert state.status == WorkflowState.STATUS_APPROVED
    page = ProgramPage.objects.get(pk=draft_page.pk)
    assert page.live
    assert page.live_revision == page.get_latest_revision()
    assert not page.has_unpublished_changes
    assert list(TaskState.objects.filter(workflow_state=state).values_list("status", flat=True)) == [
        TaskState.STATUS_APPROVED,
        TaskState.STATUS_APPROVED,
    ]


def test_editor_cannot_approve_their_own_submission(draft_page, editor):
    state = submit(draft_page, editor)
    assert state.current_task_state.task.specific.get_actions(draft_page, editor) == []


def test_rejection_at_the_first_step_leaves_the_page_not_live(draft_page, editor, moderator):
    state = submit(draft_page, editor)

    state = act(state, moderator, "reject")

    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.status == "needs_changes"
    assert state.current_task_state.task.name == "Editorial review"
    assert state.current_task_state.status == TaskState.STATUS_REJECTED
    page = ProgramPage.objects.get(pk=draft_page.pk)
    assert not page.live
    assert page.live_revision is None


def test_rejection_at_the_second_step_keeps_the_live_version(home_page, editor, moderator):
    page = ProgramPageFactory(parent=home_page, title="Online Resource Center")
    page.save_revision(user=moderator).publish()
    page = ProgramPage.objects.get(pk=page.pk)
    live_revision = page.live_revision

    page.title = "Online Resource Center (draft rename)"
    state = submit(page, editor)
    state = act(act(state, moderator, "approve"), moderator, "reject")

    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    stored = ProgramPage.objects.get(pk=page.pk)
    assert stored.title == "Online Resource Center"
    assert stored.live_revision == live_revision


def test_approved_event_goes_live_with_its_calendar_identity(event_index, editor, moderator):
    event = TrainingEventPageFactory(
        parent=event_index,
        live=False,
        title="Best Practices in Co-Response",
        start_date=date(2027, 3, 11),
        start_time=time(13, 0),
        end_time=time(14, 30),
    )
    state = act(act(submit(event, editor), moderator, "approve"), moderator, "approve")

    assert state.status == WorkflowState.STATUS_APPROVED
    stored = TrainingEventPage.objects.get(pk=event.pk)
    assert stored.live
    assert stored.ical_uid == event.ical_uid
    assert stored.ical_sequence == 0
    assert stored.schedule_fingerprint == stored.compute_schedule_fingerprint()


# --- the same flow through the admin, as people do it ------------------------------------------------------------


def program_form_data(page, **extra):
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "summary": "The Community of Practice meets virtually each quarter.",
            "body": streamfield([("paragraph", rich_text("<p>Agencies share insights and experiences.</p>"))]),
            "comments": inline_formset([]),
        }
    )
    data.setdefault("action-publish", "action-publish")
    data.update(extra)
    return data


def test_admin_submit_approve_approve(client, draft_page, editor, moderator):
    client.force_login(editor)
    data = program_form_data(draft_page, **{"action-submit": "action-submit"})
    del data["action-publish"]
    response = client.post(reverse("wagtailadmin_pages:edit", args=[draft_page.pk]), data)
    assert response.status_code == 302
    state = WorkflowState.objects.get(object_id=str(draft_page.pk))
    assert state.requested_by == editor
    assert state.current_task_state.task.name == "Editorial review"

    # The editor is offered no approve action; the view refuses it.
    url = reverse("wagtailadmin_pages:workflow_action", args=[draft_page.pk, "approve", state.current_task_state.pk])
    response = client.post(url, {"comment": ""})
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")  # Wagtail's answer to PermissionDenied
    state.refresh_from_db()
    assert state.current_task_state.task.name == "Editorial review"
    assert state.current_task_state.status == TaskState.STATUS_IN_PROGRESS

    client.force_login(moderator)
    for expected_task in TASKS:
        state.refresh_from_db()
        assert state.current_task_state.task.name == expected_task
        url = reverse(
            "wagtailadmin_pages:workflow_action", args=[draft_page.pk, "approve", state.current_task_state.pk]
        )
        response = client.post(url, {"comment": f"{expected_task}: looks good"})
        assert response.status_code == 302

    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    page = ProgramPage.objects.get(pk=draft_page.pk)
    assert page.live
    assert [block.block_type for block in page.body] == ["paragraph"]


def test_admin_reject(client, draft_page, editor, moderator):
    state = submit(draft_page, editor)
    client.force_login(moderator)
    url = reverse("wagtailadmin_pages:workflow_action", args=[draft_page.pk, "reject", state.current_task_state.pk])
    response = client.post(url, {"comment": "Please add the meeting schedule."})
    assert response.status_code == 302
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert not ProgramPage.objects.get(pk=draft_page.pk).live


# --- ensure_editorial_setup ------------------------------------------------------------------------------------


def setup_snapshot() -> dict:
    return {
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "group_permissions": sorted(
            Permission.objects.filter(group__isnull=False).values_list("group__name", "codename")
        ),
        "page_permissions": GroupPagePermission.objects.count(),
        "collection_permissions": GroupCollectionPermission.objects.count(),
        "workflows": sorted(Workflow.objects.values_list("name", flat=True)),
        "workflow_tasks": sorted(WorkflowTask.objects.values_list("workflow__name", "task__name", "sort_order")),
        "workflow_pages": sorted(WorkflowPage.objects.values_list("page_id", "workflow__name")),
    }


@pytest.mark.django_db
def test_ensure_editorial_setup_is_idempotent():
    before = setup_snapshot()
    assert before["workflow_tasks"].count((WORKFLOW_NAME, "Editorial review", 0)) == 1
    ensure_editorial_setup()
    ensure_editorial_setup()
    assert setup_snapshot() == before


@pytest.mark.django_db
def test_ensure_editorial_setup_restores_what_is_missing():
    Group.objects.filter(name=PARTNERS).delete()
    GroupPagePermission.objects.filter(group__name=MODERATORS, permission__codename="publish_page").delete()
    ensure_editorial_setup()
    assert Group.objects.filter(name=PARTNERS).exists()
    assert GroupPagePermission.objects.filter(group__name=MODERATORS, permission__codename="publish_page").exists()


@pytest.mark.django_db
def test_ensure_editorial_setup_keeps_the_operators_workflow():
    root = Page.get_first_root_node()
    operator_workflow = Workflow.objects.create(name="Legal sign-off")
    WorkflowTask.objects.create(
        workflow=operator_workflow, task=GroupApprovalTask.objects.create(name="Legal review"), sort_order=0
    )
    WorkflowPage.objects.filter(page=root).update(workflow=operator_workflow)

    ensure_editorial_setup()

    assert WorkflowPage.objects.get(page=root).workflow == operator_workflow
    assert [task.name for task in operator_workflow.tasks] == ["Legal review"]


@pytest.mark.django_db
def test_ensure_editorial_setup_keeps_the_operators_task_changes():
    workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    WorkflowTask.objects.filter(workflow=workflow, task__name="Program approval").delete()

    ensure_editorial_setup()

    assert [task.name for task in Workflow.objects.get(name=WORKFLOW_NAME).tasks] == ["Editorial review"]


@pytest.mark.django_db
def test_ensure_editorial_setup_replaces_wagtails_default_workflow_on_the_root():
    root = Page.get_first_root_node()
    default, _ = Workflow.objects.get_or_create(name="Moderators approval")
    WorkflowPage.objects.filter(page=root).update(workflow=default)

    ensure_editorial_setup()

    assert WorkflowPage.objects.get(page=root).workflow.name == WORKFLOW_NAME


@pytest.mark.django_db
def test_ensure_editorial_setup_assigns_the_workflow_when_the_root_has_none():
    root = Page.get_first_root_node()
    WorkflowPage.objects.filter(page=root).delete()

    ensure_editorial_setup()

    assert WorkflowPage.objects.get(page=root).workflow.name == WORKFLOW_NAME
