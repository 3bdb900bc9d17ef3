"""The admin's directory filters, shared by the listing and the CSV export (which exports what staff see)."""

import django_filters
from django.db.models import Q
from wagtail.admin.filters import WagtailFilterSet

from community.models import Agency, TaRequest
from pages.models import Topic


class AgencyFilterSet(WagtailFilterSet):
    class Meta:
        model = Agency
        fields = ["state", "cohort", "agency_type"]


class TaRequestFilterSet(WagtailFilterSet):
    focus_area = django_filters.ModelChoiceFilter(
        queryset=lambda request: Topic.objects.filter(kind=Topic.Kind.TECHNICAL_ASSISTANCE)
    )

    class Meta:
        model = TaRequest
        fields = ["status", "urgency", "focus_area", "agency__state", "assignee"]


def filtered_agencies(params):
    """Agencies as the admin listing shows them for these query parameters (filters and the `q` search)."""
    rows = AgencyFilterSet(params, queryset=Agency.objects.all()).qs
    query = (params.get("q") or "").strip()[:100]
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(city__icontains=query) | Q(contacts__name__icontains=query))
    return rows.distinct().order_by("name", "state")
