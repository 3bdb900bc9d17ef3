"""The member directory (agencies and their program contacts), member accounts and invitations, and technical
assistance (TA) requests with their change history.

Visibility of directory fields: the directory is members-only today, but each field is classed as *public-facing*
(safe for a future public map: name, city, state, type, cohort, website) or *members-only* (program contacts'
email and phone, the agency's notes for peers). `AGENCY_PUBLIC_FIELDS` is that list; the GraphQL type descriptions
repeat it for partners.
"""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable

US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
    ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"),
    ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
    ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
    ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
    ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"), ("SD", "South Dakota"),
    ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"),
    ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
    ("PR", "Puerto Rico"), ("GU", "Guam"), ("VI", "U.S. Virgin Islands"),
]  # fmt: skip
STATE_CODES = {code for code, _ in US_STATES}
FIRST_COHORT = 2021  # the program began in 2021: cohorts are COPS Office funding years

AGENCY_PUBLIC_FIELDS = ("name", "city", "state", "agency_type", "cohort", "website")


class AgencyType(models.TextChoices):
    """What kind of organization a member agency is."""

    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health"
    CO_RESPONSE = "co_response", "Co-response partnership"
    EMERGENCY_COMMUNICATIONS = "emergency_communications", "911 / emergency communications"
    OTHER = "other", "Other"


class Agency(ClusterableModel):
    """A Community of Practice member agency (COPS Office funded), as the member directory shows it."""

    name = models.CharField(max_length=200, help_text="Public-facing.")
    city = models.CharField(max_length=100, blank=True, help_text="Public-facing.")
    state = models.CharField(max_length=2, choices=US_STATES, db_index=True, help_text="Public-facing.")
    agency_type = models.CharField(max_length=32, choices=AgencyType.choices, help_text="Public-facing.")
    cohort = models.PositiveSmallIntegerField(
        "CoP cohort",
        validators=[MinValueValidator(FIRST_COHORT), MaxValueValidator(2100)],
        db_index=True,
        help_text="The COPS Office funding year that brought the agency into the Community of Practice. Public.",
    )
    website = models.URLField(blank=True, help_text="Public-facing.")
    notes = models.TextField(
        "notes for members", blank=True, max_length=2000, help_text="Members-only: what peers should know."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("city"), FieldPanel("state")]),
        FieldRowPanel([FieldPanel("agency_type"), FieldPanel("cohort")]),
        FieldPanel("website"),
        FieldPanel("notes"),
        InlinePanel("contacts", label="Program contacts", heading="Program contacts (email and phone: members-only)"),
    ]

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name", "state"]
        constraints = [models.UniqueConstraint(fields=["name", "state"], name="unique_agency_name_per_state")]

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"


class ContactRole(models.TextChoices):
    """A contact's role in the agency's crisis-response program."""

    PROGRAM_MANAGER = "program_manager", "Program manager"
    CIT_COORDINATOR = "cit_coordinator", "CIT coordinator"
    BEHAVIORAL_HEALTH_LIAISON = "behavioral_health_liaison", "Behavioral health liaison"
    AGENCY_LEAD = "agency_lead", "Chief / sheriff / director"
    DATA_ANALYST = "data_analyst", "Data analyst"
    OTHER = "other", "Other"


class AgencyContact(Orderable):
    """A program contact of an agency. Name and role are public-facing; email and phone are members-only."""

    agency = ParentalKey(Agency, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=32, choices=ContactRole.choices, default=ContactRole.PROGRAM_MANAGER)
    email = models.EmailField(blank=True, help_text="Members-only.")
    phone = models.CharField(max_length=40, blank=True, help_text="Members-only.")

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("role")]),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
    ]

    def __str__(self) -> str:
        return f"{self.name}, {self.get_role_display()}"


def person_name(user) -> str:
    """A user as staff see them: their full name, else their username."""
    return user.get_full_name() or user.get_username()


class Member(models.Model):
    """A member account: a Django user in the CoP Members group, belonging to one agency."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="members")
    joined_at = models.DateTimeField(default=timezone.now)

    panels = [FieldPanel("agency")]

    class Meta:
        ordering = ["agency__name", "user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return f"{person_name(self.user)} ({self.agency.name})"


class Invitation(models.Model):
    """An emailed, single-use, expiring link to become a member of an agency.

    Only the SHA-256 of the token is stored (as for calendar links): a database leak gives no working link, and the
    lookup is an indexed equality on the digest, so timing says nothing about the secret.
    """

    email = models.EmailField(help_text="The invitation link is sent here; it is also the member's sign-in name.")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    panels = [FieldPanel("email"), FieldPanel("agency")]

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} ({self.status})"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class TaRequestStatus(models.TextChoices):
    """Where program staff are with a technical-assistance request: received (NEW), a date set (SCHEDULED),
    under way (IN_PROGRESS), or finished or withdrawn (CLOSED)."""

    NEW = "new", "New"
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn by the agency"

    @property
    def description(self) -> str:
        """Read by the GraphQL enum for its values."""
        return TA_STATUS_DESCRIPTIONS[self.value]


TA_STATUS_DESCRIPTIONS = {
    "new": "Submitted; not yet triaged by TA staff.",
    "scheduled": "TA staff scheduled the assistance.",
    "in_progress": "TA staff are working on it.",
    "closed": "Done: TA staff closed it.",
    "withdrawn": "The agency withdrew it (withdrawTaRequest).",
}

# A request in one of these takes no more triage: it is off the staff's queues and cannot be withdrawn.
TA_FINISHED_STATUSES = (TaRequestStatus.CLOSED, TaRequestStatus.WITHDRAWN)
TA_STAFF_GROUP = "TA staff"


class TaDeliveryMode(models.TextChoices):
    """How the requesting agency would like technical assistance delivered."""

    VIRTUAL = "virtual", "Virtual"
    IN_PERSON = "in_person", "In person (on site)"
    HYBRID = "hybrid", "Hybrid"
    NO_PREFERENCE = "no_preference", "No preference"


class Urgency(models.TextChoices):
    """How soon the requesting agency needs help; each value's description says the time frame."""

    LOW = "low", "Low: within a few months"
    NORMAL = "normal", "Normal: within a month"
    HIGH = "high", "High: within two weeks"
    URGENT = "urgent", "Urgent: as soon as possible"


TA_DESCRIPTION_MAX_LENGTH = 5000


class TaRequest(models.Model):
    """A member agency's request for technical assistance, triaged by staff.

    The description is plain text as the member typed it: never HTML (the API escapes it where it offers HTML).
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="ta_requests")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    focus_area = models.ForeignKey(
        "pages.Topic",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "technical_assistance"},
        help_text="One of the program's technical-assistance focus areas.",
    )
    description = models.TextField(max_length=TA_DESCRIPTION_MAX_LENGTH, help_text="Plain text from the member.")
    preferred_delivery_mode = models.CharField(
        max_length=20, choices=TaDeliveryMode.choices, default=TaDeliveryMode.NO_PREFERENCE
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL, db_index=True)
    status = models.CharField(
        max_length=20, choices=TaRequestStatus.choices, default=TaRequestStatus.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_ta_requests",
        limit_choices_to={"groups__name": TA_STAFF_GROUP, "is_active": True},
        help_text="The TA staff member handling the request (a member of the TA staff group).",
    )
    staff_notes = models.TextField(blank=True, help_text="Internal: never shown to members.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # The first staff reply the agency could read: a request without one past its urgency's target is overdue.
    first_response_at = models.DateTimeField(null=True, blank=True, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("status"), FieldPanel("assignee")]),
        FieldPanel("staff_notes"),
        FieldPanel("agency", read_only=True),
        FieldPanel("focus_area", read_only=True),
        FieldRowPanel([FieldPanel("urgency", read_only=True), FieldPanel("preferred_delivery_mode", read_only=True)]),
        FieldPanel("description", read_only=True),
    ]

    # Changes to these are recorded in the history and sent as `ta_request.updated`.
    TRACKED_FIELDS = ("status", "assignee", "staff_notes")

    class Meta:
        verbose_name = "TA request"
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("triage_tarequest", "Can triage TA requests (change their status)"),
            ("assign_tarequest", "Can assign TA requests to TA staff"),
            ("reply_tarequest", "Can reply to TA requests and write internal notes"),
        ]

    def __str__(self) -> str:
        return f"TA request #{self.pk}: {self.agency.name}, {self.focus_area.name}"


class TaRequestChange(models.Model):
    """One change to a TA request: who, when, which field, from → to."""

    ta_request = models.ForeignKey(TaRequest, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    field = models.CharField(max_length=32)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value!r} → {self.new_value!r}"


class TaMessage(models.Model):
    """One entry in a TA request's conversation.

    Staff replies and member follow-ups are read by the requesting agency's members; internal notes are read by TA
    staff only and never leave the admin (no GraphQL field, email or webhook carries them)."""

    class Kind(models.TextChoices):
        REPLY = "reply", "Staff reply"
        NOTE = "note", "Internal note"
        FOLLOW_UP = "follow_up", "Member follow-up"

    MEMBER_VISIBLE = (Kind.REPLY, Kind.FOLLOW_UP)

    ta_request = models.ForeignKey(TaRequest, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=TA_DESCRIPTION_MAX_LENGTH, help_text="Plain text, never HTML.")
    attachment = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "TA message"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on TA request #{self.ta_request_id}"


class TaUpload(models.Model):
    """A file a member uploaded (POST /members/ta-attachments/) and has not yet attached to a follow-up.

    The document is made at upload time, through the same checks as any upload, in the members-only attachment
    collection; until a follow-up references it (addTaMessage(attachmentUploadId)), only its uploader and TA staff
    may fetch it. Referencing it deletes this row (the document becomes the message's attachment); an upload never
    referenced is deleted with its document once it expires (`ta_uploads_expire`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    document = models.OneToOneField(settings.WAGTAILDOCS_DOCUMENT_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "TA attachment upload"

    def __str__(self) -> str:
        return f"Upload {self.public_id} by {self.uploaded_by_id}"


# --- email notifications --------------------------------------------------------------------------------------


class NotificationCategory(models.TextChoices):
    """What a recipient can turn off, one switch each (NotificationPreference)."""

    TA_UPDATES = "ta_updates", "My agency's TA requests: confirmation, status changes and staff replies"
    TA_STAFF = "ta_staff", "TA staff: new requests and member follow-ups"
    FORUM_REPLIES = "forum_replies", "Forum: replies in threads I follow"
    FORUM_REPORTS = "forum_reports", "Forum moderators: reported posts"


class ForumReplyDelivery(models.TextChoices):
    IMMEDIATE = "immediate", "An email for each reply"
    DAILY = "daily", "One daily digest"
    OFF = "off", "No emails"


class NotificationPreference(models.Model):
    """A person's email choices; no row means the defaults (everything on, forum replies immediately)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ta_updates = models.BooleanField("TA request updates", default=True)
    ta_staff = models.BooleanField("TA staff alerts", default=True)
    forum_replies = models.CharField(
        max_length=10, choices=ForumReplyDelivery.choices, default=ForumReplyDelivery.IMMEDIATE
    )
    forum_reports = models.BooleanField("Forum reports", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Email preferences of {self.user}"

    def allows(self, category: str) -> bool:
        if category == NotificationCategory.FORUM_REPLIES:
            return self.forum_replies != ForumReplyDelivery.OFF
        return bool(getattr(self, category))


class Notification(models.Model):
    """One email to one person, written in the transaction of what caused it and sent by a task after commit.

    The row is the source of truth (like the webhook outbox): a task that fails (mail server down) leaves it
    pending with its next attempt scheduled; `notifications_sweep` re-enqueues any pending row whose task was
    lost. Who may receive it is checked again when it is sent (`audience_*`): an account deactivated, removed from
    the agency or from its staff group meanwhile gets nothing."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        DIGESTED = "digested", "Sent in a digest"
        SKIPPED = "skipped", "Not sent (recipient no longer allowed or opted out)"
        FAILED = "failed", "Failed (retries exhausted)"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=20, choices=NotificationCategory.choices)
    kind = models.CharField(max_length=40, help_text="What happened, e.g. ta_request.reply or forum.reply.")
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField()
    link = models.URLField(max_length=500)
    # Who may still receive it at send time: a member of this agency, any member, or holders of this permission.
    audience_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    audience_members = models.BooleanField(default=False)
    audience_permission = models.CharField(max_length=100, blank=True)
    # A forum email: the recipient must still be allowed to read this category (it may be restricted to groups).
    audience_forum_category = models.ForeignKey(
        "forum.ForumCategory", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    digest = models.BooleanField(default=False, help_text="Waits for the daily digest instead of its own email.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("resend_notification", "Can send a failed or retrying email notification again")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} ({self.status})"


class GuideProgress(models.Model):
    """One member's progress through one chapter of an eGuide: the checklist items they ticked, their answers to
    the chapter's self-assessment questions, and whether they marked it complete. A row is a chapter they visited.

    Private to the member: only they read it (`guideProgress`); staff screens show counts, never answers. It lives
    with the members' other own data (here, not in `pages`, which holds content only and imports no app), goes
    when the account is deleted, and refers to the guide's content by its stable keys (chapter slug, item and
    question keys), so it reads without the page, e.g. in an export of the member's data."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guide_progress")
    guide = models.ForeignKey("pages.GuidePage", on_delete=models.CASCADE, related_name="+")
    chapter_slug = models.CharField(max_length=100)
    checked_items = models.JSONField(default=list, blank=True, help_text="Keys of the ticked checklist items.")
    answers = models.JSONField(
        default=dict, blank=True, help_text="Question key -> answer (1-5 for a scale, true/false, or text)."
    )
    completed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, help_text="First visit.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "eGuide progress"
        verbose_name_plural = "eGuide progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "guide", "chapter_slug"], name="community_guide_progress_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.guide_id}/{self.chapter_slug}"
