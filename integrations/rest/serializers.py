"""REST API v2 representations of an event's related objects and feed link: the same fields the GraphQL
contract gives partners, so /api/v2/ stays a like-for-like baseline for the GraphQL benchmark."""

from rest_framework import serializers

from cms.links import public_url
from events.calendar_links import event_feed_path


class TopicSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    organization = serializers.CharField()


class IcalUrlField(serializers.Field):
    """The event's own feed, as GraphQL's `icalUrl` gives it."""

    def to_representation(self, event):
        return public_url(event_feed_path(event.slug))
