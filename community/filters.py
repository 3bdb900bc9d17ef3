"""The admin's directory filters, shared by the listing and the CSV export (which exports what staff see)."""

import django_filters
from django.db.models import Q
from wagtail.admin.filters import WagtailFilterSet

from community.models import Agency, TaRequest
from community.selectors import TA_QUEUES, ta_queue, ta_staff_users
from pages.models import Topic


class AgencyFilterSet(WagtailFilterSet):
    class Meta:
        model = Agency
        fields = ["state", "cohort", "agency_type"]


class TaRequestFilterSet(WagtailFilterSet):
    """TA staff's triage list: the queues they work from, then the request's own fields."""

    queue = django_filters.ChoiceFilter(
        label="Queue",
        choices=[(name, label) for name, (label, _) in TA_QUEUES.items()],
        method="filter_queue",
        empty_label="All requests",
    )
    focus_area = django_filters.ModelChoiceFilter(
        queryset=lambda request: Topic.objects.filter(kind=Topic.Kind.TECHNICAL_ASSISTANCE)
    )
    assignee = django_filters.ModelChoiceFilter(queryset=lambda request: ta_staff_users())

    def filter_queue(self, queryset, name, value):
        return queryset.filter(ta_queue(value, user=self.request.user)) if value else queryset

    class Meta:
        model = TaRequest
        fields = ["queue", "status", "urgency", "focus_area", "agency__state", "assignee"]


def filtered_agencies(params):
    """Agencies as the admin listing shows them for these query parameters (filters and the `q` search)."""
    rows = AgencyFilterSet(params, queryset=Agency.objects.all()).qs
    query = (params.get("q") or "").strip()[:100]
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(city__icontains=query) | Q(contacts__name__icontains=query))
    return rows.distinct().order_by("name", "state")
