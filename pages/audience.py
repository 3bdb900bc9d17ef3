"""Who can see a page, set on its own form ("Public" / "Members only"), with the editorial workflow applying to it.

The page's view restriction (Wagtail's `PageViewRestriction`, what the Privacy side panel edits) stays the one
source of truth: it is what every channel reads (pages/access.py). The form's "Who can see this page" field never
writes it. Saving the form stores the editor's *request* in the revision's content, under `AUDIENCE_REQUEST`
beside the page's fields (not in a column: a column would be a second, stale copy of the restriction once the
request is applied). Publishing that revision (the workflow's last approval, "Publish", a scheduled go-live run by
`publish_scheduled`) applies it to the restriction inside the publish's transaction and before Wagtail's
`page_published` receivers (webhooks, content version, caches) run; so a draft, or a change still in review,
exposes nothing and hides nothing early, and no receiver ever sees the page with its old audience and new content.

Conflict with the Privacy panel: a request records the audience the editor saw when asking (`origin`). At publish
it applies only if the page's own restriction still says that. If someone changed it meanwhile in the Privacy panel
(to anything else), the panel's change stands, the request is dropped, and the page's history says so.

A page inside a restricted section (an ancestor's restriction covers it), or with a restriction the form cannot
express (a password, other groups), shows who can see it and leaves the change to the Privacy panel.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.log_actions import log
from wagtail.models import BaseViewRestriction, Page, PageViewRestriction

from pages.access import MEMBERS_GROUP, covering_paths

AUDIENCE_REQUEST = "audience_request"  # the key in a revision's content; no page model has a field of that name
FIELD = "who_can_see"  # the form field (TrainingEventPage already has a model field called "audience")
NOT_APPLIED_ACTION = "pages.audience_request_not_applied"

PUBLIC, MEMBERS = "public", "members"  # what the form can set
INHERITED, OTHER = "inherited", "other"  # what only the Privacy panel (here or on a section above) can change
CHOICES = [
    (PUBLIC, "Public: anyone, including partner sites"),
    (MEMBERS, "Members only: signed-in Community of Practice members"),
]
LABELS = {PUBLIC: "public, on partner sites", MEMBERS: "members only"}


@dataclass(frozen=True)
class Audience:
    """Who can see a page now, as its view restrictions say: `key` is PUBLIC, MEMBERS (its own restriction lets in
    exactly the members), INHERITED (a section above it is restricted: `source`) or OTHER (its own restriction is a
    password or other groups)."""

    key: str
    source: Page | None = None
    restriction: str = ""

    def sentence(self) -> str:
        if self.key == INHERITED:
            kind = "members only" if self.restriction == MEMBERS else "restricted"
            return f"{kind}, like everything under “{self.source.title}” (set in that page's Privacy panel)"
        if self.key == OTHER:
            return f"restricted in the Privacy panel ({self.restriction})"
        return LABELS[self.key]


@dataclass(frozen=True)
class AudienceRequest:
    """An editor's requested audience (`requested`) and the one they saw when asking (`origin`)."""

    requested: str
    origin: str

    def as_json(self) -> dict:
        return {"requested": self.requested, "from": self.origin}

    @classmethod
    def from_content(cls, content) -> AudienceRequest | None:
        """The request a revision's content carries; None when it has none or what it has is not one (a revision
        is JSON anyone with database access could have written: nothing malformed may restrict or expose a page)."""
        value = content.get(AUDIENCE_REQUEST) if isinstance(content, dict) else None
        if not isinstance(value, dict):
            return None
        requested, origin = value.get("requested"), value.get("from")
        if requested not in (PUBLIC, MEMBERS) or origin not in (PUBLIC, MEMBERS) or requested == origin:
            return None
        return cls(requested=requested, origin=origin)


def lets_in_members_only(restriction: PageViewRestriction) -> bool:
    """Whether `restriction` lets in exactly the members: under the privacy rule a login restriction does too
    (pages/access.py). Reads its groups: prefetch them for many."""
    if restriction.restriction_type == BaseViewRestriction.LOGIN:
        return True
    names = {group.name for group in restriction.groups.all()}
    return restriction.restriction_type == BaseViewRestriction.GROUPS and names == {MEMBERS_GROUP}


def _restriction_words(restriction: PageViewRestriction) -> str:
    if restriction.restriction_type == BaseViewRestriction.PASSWORD:
        return "password"
    return "other groups"


def current_audience(page: Page, *, parent: Page | None = None) -> Audience:
    """Who can see `page` now; a page not yet created (no pk) is placed under `parent`."""
    node = page if page.pk else parent
    if node is None:
        return Audience(PUBLIC)
    above = covering_paths(node) if page.pk is None else covering_paths(node)[:-1]  # a new page's parent counts
    restrictions = PageViewRestriction.objects.prefetch_related("groups").select_related("page")
    inherited = restrictions.filter(page__path__in=above).order_by("page__path").first()
    if inherited is not None:
        kind = MEMBERS if lets_in_members_only(inherited) else _restriction_words(inherited)
        return Audience(INHERITED, source=inherited.page, restriction=kind)
    own = list(restrictions.filter(page_id=page.pk)) if page.pk else []
    if not own:
        return Audience(PUBLIC)
    if all(lets_in_members_only(restriction) for restriction in own):
        return Audience(MEMBERS)
    return Audience(OTHER, restriction=_restriction_words(next(r for r in own if not lets_in_members_only(r))))


def pending_request(page: Page, now: Audience) -> AudienceRequest | None:
    """The request of the page's latest revision still waiting for a publish: one in a published revision was dealt
    with (applied, or overruled by the Privacy panel), and one whose origin the page no longer has is overruled."""
    request = getattr(page, "_audience_request", None)
    if request is None or (page.live and not page.has_unpublished_changes) or now.key != request.origin:
        return None
    return request


def audience_request_apply(*, page: Page, request: AudienceRequest, user=None) -> bool:
    """Apply `request` to `page`'s own view restriction, unless the Privacy panel changed it since the request was
    made (then the panel's change stands and the page's history says why). True when the restriction changed."""
    now = current_audience(page)
    if now.key == request.requested:
        return False
    if now.key != request.origin:
        log(
            instance=page,
            action=NOT_APPLIED_ACTION,
            user=user,
            data={"requested": request.requested, "from": request.origin, "now": now.key},
        )
        return False
    if request.requested == MEMBERS:
        restriction = PageViewRestriction(page=page, restriction_type=BaseViewRestriction.GROUPS)
        restriction.save(user=user)  # Wagtail logs it as the Privacy panel's changes are logged
        restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])
    else:
        for restriction in PageViewRestriction.objects.filter(page_id=page.pk).select_related("page"):
            restriction.delete(user=user)
    return True


class PublishWithAudienceAction(PublishPageRevisionAction):
    """Wagtail's publish, which also applies the revision's audience request when the revision goes live now (not
    when a future go-live only schedules it: `publish_scheduled` publishes it again at that time).

    Members only is applied before the page row takes the new content and goes live, so not even the publish's
    own receivers see the new content as public; Public on a live page is applied after that row is saved, so the
    restriction's removal (which tells public webhook endpoints the page is back) carries the new content.
    Everything, Wagtail's `page_published` receivers included, runs in one transaction.
    """

    _after_save_request: AudienceRequest | None = None

    def execute(self, skip_permission_checks=False):
        with transaction.atomic():
            return super().execute(skip_permission_checks=skip_permission_checks)

    def _publish_revision(self, revision, object, user, changed, log_action, previous_revision=None):
        goes_live_now = not (object.go_live_at and object.go_live_at > timezone.now())  # Wagtail's own test
        request = AudienceRequest.from_content(revision.content) if goes_live_now else None
        if request is not None:
            if request.requested == MEMBERS or not object.live:
                audience_request_apply(page=object, request=request, user=user)
            else:
                self._after_save_request = request
        return super()._publish_revision(revision, object, user, changed, log_action, previous_revision)

    def _after_publish(self):
        if self._after_save_request is not None:
            audience_request_apply(page=self.object, request=self._after_save_request, user=self.user)
            self._after_save_request = None
        super()._after_publish()


class AudiencePageMixin:
    """For page models whose form has the "Who can see this page" field (`AudienceForm`): carries the request in
    the revision's content and applies it when the revision is published."""

    def serializable_data(self):
        data = super().serializable_data()
        request = getattr(self, "_audience_request", None)
        if request is not None:
            data[AUDIENCE_REQUEST] = request.as_json()
        return data

    def with_content_json(self, content):
        page = super().with_content_json(content)
        page._audience_request = AudienceRequest.from_content(content)
        return page

    def publish(
        self, revision, user=None, changed=True, log_action=True, previous_revision=None, skip_permission_checks=False
    ):
        # Every publish goes through here: the admin's "Publish", workflow approvals, publish_scheduled (all call
        # Revision.publish, which calls this).
        return PublishWithAudienceAction(
            revision, user=user, changed=changed, log_action=log_action, previous_revision=previous_revision
        ).execute(skip_permission_checks=skip_permission_checks)


class AudienceForm(WagtailAdminPageForm):
    """A page form with "Who can see this page": its first value is who can see the page now, or the audience the
    latest draft asked for; saving stores a request only when it differs from now (see the module docstring)."""

    who_can_see = forms.ChoiceField(
        label="Who can see this page", choices=CHOICES, widget=forms.RadioSelect, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.audience_now = current_audience(self.instance, parent=self.parent_page)
        pending = pending_request(self.instance, self.audience_now)
        field = self.fields[FIELD]
        if self.audience_now.key in (INHERITED, OTHER):
            field.disabled = True  # Django then ignores whatever is posted for it
            field.initial = MEMBERS if self.audience_now.restriction == MEMBERS else None
        else:
            field.initial = pending.requested if pending else self.audience_now.key
        field.help_text = self.audience_sentence(field.initial)

    def audience_sentence(self, after: str | None):
        """Who sees the page now and who will once it is published, in plain words."""
        live = self.instance.pk is not None and self.instance.live
        now = f"Now: {self.audience_now.sentence()}." if live else "Now: not published, so only CMS users see it."
        if self.audience_now.key in (INHERITED, OTHER):
            after_publishing = "" if live else f" After publishing: {self.audience_now.sentence()}."
            return f"{now}{after_publishing} Change it in the Privacy panel."
        # The span's text follows the radio buttons as the editor changes them (static/pages/js/audience.js).
        return format_html(
            '{} After publishing: <span data-audience-after data-public="{}" data-members="{}">{}</span>. '
            "A change here takes effect when the page is published.",
            now,
            LABELS[PUBLIC],
            LABELS[MEMBERS],
            LABELS[after],
        )

    def requested_audience(self) -> AudienceRequest | None:
        field = self.fields[FIELD]
        if field.disabled:
            return None
        wanted = self.cleaned_data.get(FIELD) or field.initial  # left out of the post: keep what was there
        if wanted == self.audience_now.key:
            return None
        return AudienceRequest(requested=wanted, origin=self.audience_now.key)

    def save(self, commit=True):
        page = super().save(commit=commit)
        # Read by AudiencePageMixin.serializable_data when the view saves the revision.
        page._audience_request = self.requested_audience()
        return page


AUDIENCE_PANEL = FieldPanel(FIELD, heading="Who can see this page")
