"""Training events: live virtual, in-person or hybrid sessions, one-off or recurring.

Editors enter dates and wall-clock times in the event's own IANA time zone ("10:00 in Chicago"); the aware
`start`/`end` instants every channel reads are derived from those on save, so no admin user's browser or
account time zone can shift an event.
"""

import base64
import hashlib
import json
import uuid
from datetime import datetime
from itertools import islice
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.crypto import salted_hmac
from grapple.models import (
    GraphQLBoolean,
    GraphQLCollection,
    GraphQLField,
    GraphQLForeignKey,
    GraphQLInt,
    GraphQLStreamfield,
    GraphQLString,
)
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.hashing import secret_digest
from events.recurrence import (
    MAX_SESSIONS,
    Session,
    build_rule,
    elapsed,
    exists_in_zone,
    later,
    local_to_aware,
    resolve_local,
)
from pages.audience import AUDIENCE_PANEL, AudienceForm, AudiencePageMixin
from pages.blocks import BodyBlock
from pages.models import (
    BODY_DESCRIPTION,
    CARD_IMAGE_FIELD,
    INTRO_DESCRIPTION,
    TOPICS_FIELD,
    Person,
    Topic,
    card_image_field,
)
from pages.preview import PartnerPreviewMixin
from pages.validators import validate_web_url

US_TIME_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
]
TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in US_TIME_ZONES] + [
    (name, name.replace("_", " "))
    for name in sorted(available_timezones() - set(US_TIME_ZONES))
    if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))
]


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"“{value}” is not a time zone name such as America/Chicago.", code="time_zone")


def dst_gap_message(local: datetime, time_zone: str) -> str:
    return (
        f"{local:%-I:%M %p} does not exist on {local:%B %-d} in {time_zone}: "
        "clocks skip that hour for daylight saving time."
    )


class EventStatus(models.TextChoices):
    """Whether an event (or one session) goes ahead. Cancelled events stay listed and in calendars, marked
    cancelled, so show them as such rather than hiding them; postponed ones await new dates."""

    SCHEDULED = "scheduled", "Scheduled"
    POSTPONED = "postponed", "Postponed"
    CANCELLED = "cancelled", "Cancelled"


class DeliveryMode(models.TextChoices):
    """How participants attend: online (`joinUrl`, members only), at a venue (`location`), or either."""

    LIVE_VIRTUAL = "live_virtual", "Live virtual"
    IN_PERSON = "in_person", "In person"
    HYBRID = "hybrid", "Hybrid"


class RecurrenceFrequency(models.TextChoices):
    NONE = "", "Does not repeat"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly (same weekday)"
    MONTHLY = "monthly", "Monthly"
    YEARLY = "yearly", "Yearly"


class EventIndexPage(Page):
    """The list of training events."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    graphql_description = "The training calendar section: its children are the training events."
    graphql_fields = [GraphQLString("intro", required=True, description=INTRO_DESCRIPTION)]
    parent_page_types = ["pages.HomePage"]
    content_kind = "event_index"  # its ContentKind in the API (partners route by it)
    subpage_types = ["events.TrainingEventPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from events.selectors import upcoming_events  # selectors import this module

        context = super().get_context(request, *args, **kwargs)
        context["events"] = upcoming_events(user=request.user)[:50]
        return context


class TrainingEventForm(AudienceForm):
    """Checks the skipped dates and changed sessions against the repeat rule, which needs the inline rows; and, when
    the event is on its way to going live (submitted, approved, published, scheduled), that participants will know
    where to go. A draft may still be saved without a venue or a join link."""

    def clean(self):
        cleaned_data = super().clean()
        if self.is_deferred_validation:  # Wagtail defers required fields on "Save draft" only
            return cleaned_data
        mode = cleaned_data.get("delivery_mode")
        if mode in (DeliveryMode.IN_PERSON, DeliveryMode.HYBRID) and not cleaned_data.get("location", "").strip():
            self.add_error("location", "Add the venue and address: participants of an in-person event need them.")
        if mode in (DeliveryMode.LIVE_VIRTUAL, DeliveryMode.HYBRID) and not cleaned_data.get("join_url"):
            self.add_error(
                "join_url",
                "Add the video-meeting link: participants of a virtual event need it to join "
                "(only Community of Practice members see it).",
            )
        return cleaned_data

    def _post_clean(self):
        super()._post_clean()  # the page instance now holds the submitted values and passed full_clean()
        page = self.instance
        if self.errors or not page.is_recurring:
            return
        valid_dates = {session.original_date for session in page.rule_sessions()}
        for relation, field, label in (
            ("skipped_dates", "date", "Skipped date"),
            ("session_changes", "original_date", "Changed session"),
        ):
            formset = self.formsets.get(relation)
            if formset is None or not formset.is_valid():
                continue
            for form in formset.forms:
                day = form.cleaned_data.get(field)
                if not day or form.cleaned_data.get("DELETE"):
                    continue
                if day not in valid_dates:
                    form.add_error(field, f"{label} {day:%B %-d, %Y} is not one of this event's dates.")
                elif relation == "session_changes":
                    self._check_new_times_exist(form, page)

    @staticmethod
    def _check_new_times_exist(form, page) -> None:
        day = form.cleaned_data.get("new_date") or form.cleaned_data["original_date"]
        for field in ("new_start_time", "new_end_time"):
            clock = form.cleaned_data.get(field)
            if clock and not exists_in_zone(datetime.combine(day, clock), page.zone):
                form.add_error(field, dst_gap_message(datetime.combine(day, clock), page.time_zone))


class TrainingEventPage(AudiencePageMixin, PartnerPreviewMixin, Page):
    """A facilitator-led training event or Community of Practice meeting."""

    summary = models.TextField(max_length=600, help_text="Two or three sentences for listings and calendars.")
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    start_date = models.DateField(help_text="The date of the (first) session.")
    start_time = models.TimeField(help_text="Local start time in the event's time zone.")
    end_date = models.DateField(null=True, blank=True, help_text="Leave empty when the event ends the same day.")
    end_time = models.TimeField(help_text="Local end time in the event's time zone.")
    time_zone = models.CharField(
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        default="America/New_York",
        validators=[validate_time_zone],
        help_text="The time zone the times above are in; calendars convert them for each member.",
    )
    # Derived from the local fields above on every save: what selectors filter and feeds emit.
    start = models.DateTimeField(editable=False, db_index=True)
    end = models.DateTimeField(editable=False)

    delivery_mode = models.CharField(max_length=20, choices=DeliveryMode.choices, default=DeliveryMode.LIVE_VIRTUAL)
    location = models.CharField(max_length=255, blank=True, help_text="Venue and address for in-person sessions.")
    join_url = models.URLField(
        "join URL",
        blank=True,
        max_length=500,
        validators=[validate_web_url],
        help_text="The video-meeting link. Shown to Community of Practice members only.",
    )
    registration_url = models.URLField(
        "registration URL",
        blank=True,
        max_length=500,
        validators=[validate_web_url],
        help_text="Where participants register.",
    )
    topics = ParentalManyToManyField(Topic, blank=True, related_name="events")
    facilitators = ParentalManyToManyField(Person, blank=True, related_name="events_facilitated")
    card_image = card_image_field()
    audience = models.CharField(
        max_length=255, blank=True, help_text="e.g. 'CIT coordinators, 911 call-takers and dispatchers'."
    )
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Leave empty for no limit.")
    status = models.CharField(
        max_length=20,
        choices=EventStatus.choices,
        default=EventStatus.SCHEDULED,
        help_text="Cancelled events stay listed (and in calendars) marked as cancelled.",
    )

    recurrence_frequency = models.CharField(
        "repeats", max_length=10, choices=RecurrenceFrequency.choices, blank=True, default=""
    )
    recurrence_interval = models.PositiveSmallIntegerField(
        "every",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="1 = every week/month; 3 with 'Monthly' = quarterly.",
    )
    recurrence_monthly_by_weekday = models.BooleanField(
        "same weekday of the month",
        default=True,
        help_text="For monthly repeats: e.g. 'the second Thursday' rather than 'the 14th'.",
    )
    recurrence_count = models.PositiveSmallIntegerField(
        "number of sessions",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSIONS)],
        help_text="Stop after this many sessions…",
    )
    recurrence_until = models.DateField("repeat until", null=True, blank=True, help_text="…or on this date.")

    # Calendar identity: stable across edits, moves and republishing (kept out of revisions).
    ical_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)
    schedule_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    base_form_class = TrainingEventForm

    content_panels = [
        *Page.content_panels,
        AUDIENCE_PANEL,
        FieldPanel("summary"),
        FieldPanel("card_image"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("start_time")]),
                FieldRowPanel([FieldPanel("end_date"), FieldPanel("end_time")]),
                FieldPanel("time_zone"),
                FieldPanel("status"),
            ],
            heading="When",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("recurrence_frequency"), FieldPanel("recurrence_interval")]),
                FieldPanel("recurrence_monthly_by_weekday"),
                FieldRowPanel([FieldPanel("recurrence_count"), FieldPanel("recurrence_until")]),
                InlinePanel("skipped_dates", heading="Skipped dates", label="Skipped date"),
                InlinePanel("session_changes", heading="Changed sessions", label="Changed session"),
            ],
            heading="Repeats",
            classname="collapsed",
        ),
        MultiFieldPanel(
            [
                FieldPanel("delivery_mode"),
                FieldPanel("location"),
                FieldPanel("join_url"),
                FieldPanel("registration_url"),
                FieldRowPanel([FieldPanel("audience"), FieldPanel("capacity")]),
            ],
            heading="Where and who",
        ),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        FieldPanel("facilitators", widget=forms.CheckboxSelectMultiple),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("start"),
        index.FilterField("status"),
        index.RelatedFields("topics", [index.SearchField("name")]),
    ]
    # The API's fields, declared the grapple way; events/graphql.py adds the computed ones (times in the event's
    # zone, sessions, calendar links, the members-only join URL).
    graphql_description = (
        "A live training, webinar or Community of Practice meeting: one-off or repeating, with times in its own "
        "time zone, calendar links and registration."
    )
    graphql_fields = [
        GraphQLString(
            "summary", required=True, description="Two or three sentences for listings and calendars (plain text)."
        ),
        CARD_IMAGE_FIELD,
        GraphQLString("time_zone", required=True, description="IANA time zone of the event, e.g. America/Chicago."),
        GraphQLString(
            "location", required=True, description="Venue and address for in-person sessions; empty when online only."
        ),
        GraphQLString("registration_url", required=True, description="Where participants register (https URL)."),
        GraphQLString(
            "audience", required=True, description="Who the event is for, e.g. CIT coordinators; may be empty."
        ),
        GraphQLInt("capacity", description="Places available; null for no limit."),
        GraphQLBoolean(
            "is_recurring", required=True, description="True when the event repeats: list its dates with `sessions`."
        ),
        GraphQLField("status", EventStatus, required=True, description="Whether the event goes ahead."),
        GraphQLField("delivery_mode", DeliveryMode, required=True, description="Online, in person or both."),
        GraphQLStreamfield("body", description=BODY_DESCRIPTION),
        TOPICS_FIELD,
        GraphQLCollection(
            GraphQLForeignKey,
            "facilitators",
            "pages.Person",
            required=True,
            item_required=True,
            description="Who runs the event, in the order editors listed them.",
        ),
    ]
    parent_page_types = ["events.EventIndexPage"]
    content_kind = "event"  # its ContentKind in the API (partners route by it)
    subpage_types = []
    exclude_fields_in_copy = ["ical_uid", "ical_sequence", "schedule_fingerprint"]

    # Webhooks (integrations/webhooks reads these two): the kind in the payload's `type` ("event.published") and
    # what an event's payload adds to every page's common fields, so a partner can tell a reschedule from a retitle.
    webhook_kind = "event"

    def webhook_data(self) -> dict:
        return {
            "startsAt": self.start.isoformat(),
            "endsAt": self.end.isoformat(),
            "timeZone": self.time_zone,
            "status": self.status,
            "icalSequence": self.ical_sequence,
        }

    class Meta:
        verbose_name = "training event"

    # --- time -------------------------------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> datetime:
        return datetime.combine(self.start_date, self.start_time)

    @property
    def local_end(self) -> datetime:
        return datetime.combine(self.end_date or self.start_date, self.end_time)

    def compute_instants(self) -> None:
        self.start = local_to_aware(self.start_date, self.start_time, self.zone)
        self.end = local_to_aware(self.end_date or self.start_date, self.end_time, self.zone)

    @property
    def is_recurring(self) -> bool:
        return bool(self.recurrence_frequency)

    def recurrence_rule(self):
        if not self.is_recurring:
            return None
        return build_rule(
            frequency=self.recurrence_frequency,
            interval=self.recurrence_interval,
            monthly_by_weekday=self.recurrence_monthly_by_weekday,
            local_start=self.local_start,
            count=self.recurrence_count,
            until=self.recurrence_until,
        )

    def rule_sessions(self, limit: int = MAX_SESSIONS) -> list[Session]:
        """Every session the rule yields (before skips and changes), at most `limit` of them.

        Each starts at the rule's local time and lasts as long as the first session: a start in an hour a clock
        change skips moves forward by the gap, one in an hour that happens twice is the first (`events.recurrence`).
        """
        length = elapsed(resolve_local(self.local_start, self.zone), resolve_local(self.local_end, self.zone))
        rule = self.recurrence_rule()
        starts = [self.local_start] if rule is None else list(islice(rule, limit))
        sessions = []
        for start in starts:
            begin = resolve_local(start, self.zone)
            sessions.append(
                Session(original_date=start.date(), start=begin, end=later(begin, length), status=self.status)
            )
        return sessions

    def sessions(self, limit: int = MAX_SESSIONS) -> list[Session]:
        """The sessions members attend: the rule's dates minus skipped ones, with changed sessions applied."""
        skipped = {row.date for row in self.skipped_dates.all()}
        changed = {row.original_date: row for row in self.session_changes.all()}
        sessions = []
        for session in self.rule_sessions(limit):
            if session.original_date in skipped:
                continue
            change = changed.get(session.original_date)
            sessions.append(change.apply_to(session, self.zone) if change else session)
        return sessions

    # --- validation -------------------------------------------------------------------------------------

    def clean(self):
        super().clean()
        errors = {}
        if self.time_zone not in available_timezones():
            errors["time_zone"] = "Choose a time zone from the list."
        if self.start_date and self.start_time and self.end_time and not errors:
            for field, local in (("start_time", self.local_start), ("end_time", self.local_end)):
                if not exists_in_zone(local, self.zone):
                    errors[field] = dst_gap_message(local, self.time_zone)
            if not errors and self.local_end <= self.local_start:
                errors["end_time"] = "The event must end after it starts."
        if self.recurrence_count and self.recurrence_until:
            errors["recurrence_until"] = "Choose either a number of sessions or an end date, not both."
        elif self.recurrence_until and self.start_date and self.recurrence_until < self.start_date:
            errors["recurrence_until"] = "The repeat end date is before the first session."
        if not self.is_recurring and (self.recurrence_count or self.recurrence_until):
            errors["recurrence_frequency"] = "Choose how often the event repeats, or clear the repeat end."
        if errors:
            raise ValidationError(errors)
        if self.is_recurring and not self.rule_sessions(limit=1):
            raise ValidationError({"recurrence_frequency": "This repeat rule gives no sessions at all."})

    def save(self, *args, **kwargs):
        self.compute_instants()
        if self.live and not self.schedule_fingerprint:
            # Live without a publish (created live in code, or imported): this schedule is SEQUENCE 0, so the first
            # published change to it is seen as a change.
            self.schedule_fingerprint = self.compute_schedule_fingerprint()
        super().save(*args, **kwargs)

    # --- calendar identity ------------------------------------------------------------------------------

    def with_content_json(self, content):
        """UID and SEQUENCE belong to the event, not to a revision: restoring an old revision keeps them."""
        page = super().with_content_json(content)
        page.ical_uid = self.ical_uid
        page.ical_sequence = self.ical_sequence
        page.schedule_fingerprint = self.schedule_fingerprint
        return page

    def compute_schedule_fingerprint(self) -> str:
        """A digest of what calendar clients must be told about (RFC 5545 SEQUENCE): time, place, status."""
        schedule = {
            "start": self.local_start.isoformat(),
            "end": self.local_end.isoformat(),
            "time_zone": self.time_zone,
            "status": self.status,
            "delivery_mode": self.delivery_mode,
            "location": self.location,
            "join_url": self.join_url,
            "rule": [
                self.recurrence_frequency,
                self.recurrence_interval,
                self.recurrence_monthly_by_weekday,
                self.recurrence_count,
                self.recurrence_until and self.recurrence_until.isoformat(),
            ],
            "skipped": sorted(row.date.isoformat() for row in self.skipped_dates.all()),
            "changed": sorted(row.fingerprint() for row in self.session_changes.all()),
        }
        return hashlib.sha256(json.dumps(schedule, sort_keys=True).encode()).hexdigest()


class EventSkippedDate(Orderable):
    """A date the repeating event does not take place (iCal EXDATE)."""

    page = ParentalKey(TrainingEventPage, on_delete=models.CASCADE, related_name="skipped_dates")
    date = models.DateField(help_text="The date of the session that will not happen.")
    reason = models.CharField(max_length=255, blank=True, help_text="e.g. 'Thanksgiving week'.")

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("reason")])]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["page", "date"], name="unique_skipped_date")]


class SessionChange(Orderable):
    """One session of a repeating event moved to another time or cancelled (iCal RECURRENCE-ID)."""

    page = ParentalKey(TrainingEventPage, on_delete=models.CASCADE, related_name="session_changes")
    original_date = models.DateField(help_text="The date the session was originally planned for.")
    new_date = models.DateField(null=True, blank=True, help_text="Leave empty to keep the same date.")
    new_start_time = models.TimeField(null=True, blank=True, help_text="Leave empty to keep the usual time.")
    new_end_time = models.TimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    note = models.CharField(max_length=255, blank=True, help_text="Shown to members, e.g. 'Moved for the holiday'.")

    panels = [
        FieldRowPanel([FieldPanel("original_date"), FieldPanel("status")]),
        FieldRowPanel([FieldPanel("new_date"), FieldPanel("new_start_time"), FieldPanel("new_end_time")]),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "changed session"  # the admin's word for it ("Changed sessions" on the event's form)
        verbose_name_plural = "changed sessions"
        constraints = [models.UniqueConstraint(fields=["page", "original_date"], name="unique_change_per_session")]

    def clean(self):
        if (self.new_start_time is None) != (self.new_end_time is None):
            raise ValidationError({"new_end_time": "Give both a new start and a new end time, or neither."})
        if self.new_start_time and self.new_end_time and self.new_end_time <= self.new_start_time:
            raise ValidationError({"new_end_time": "The session must end after it starts."})

    def apply_to(self, session: Session, zone: ZoneInfo) -> Session:
        day = self.new_date or session.start.date()
        if self.new_start_time and self.new_end_time:
            start = local_to_aware(day, self.new_start_time, zone)
            end = local_to_aware(day, self.new_end_time, zone)
        else:
            start = local_to_aware(day, session.start.time(), zone)
            end = later(start, session.duration)
        return Session(
            original_date=session.original_date,
            start=start,
            end=end,
            status=self.status,
            is_changed=True,
            note=self.note,
        )

    def fingerprint(self) -> str:
        return "|".join(
            str(value)
            for value in (
                self.original_date,
                self.new_date,
                self.new_start_time,
                self.new_end_time,
                self.status,
            )
        )


class CalendarToken(models.Model):
    """A member's private calendar link: `/calendar/members/<token>.ics`.

    The token itself is never stored. It is HMAC-SHA256(SECRET_KEY, "<user id>:<nonce>") in URL-safe base64, so the
    link can be shown again (GraphQL `viewer.calendarUrl`, the subscription page) from the stored random nonce; the
    lookup uses its SHA-256. Rotating issues a new row (new nonce) and revokes the old one; revoked rows are kept so
    an old link answers 410 Gone rather than 404. At most one live token per member.

    `access_key`/`access_changed_at`: what the privacy rule knew about the holder (groups, superuser) when the link
    was last read, and when that last changed: the feed's Last-Modified moves when the holder gains or loses access,
    however that happened (admin, invitation, shell), not only when an event changes.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens", editable=False
    )
    nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    access_key = models.CharField(max_length=64, blank=True, editable=False)
    access_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "calendar link"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(revoked_at__isnull=True), name="one_live_calendar_token_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"Calendar link of {self.user} ({'revoked' if self.revoked_at else 'active'})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @staticmethod
    def make_token(user_id: int, nonce: str) -> str:
        digest = salted_hmac("events.CalendarToken", f"{user_id}:{nonce}", algorithm="sha256").digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    @staticmethod
    def hash_token(token: str) -> str:
        return secret_digest(token)

    @property
    def token(self) -> str:
        return self.make_token(self.user_id, self.nonce)
