"""GraphQL enums made from the models' choices, so filters are typed and a bad value fails validation."""

import graphene

from events.models import DeliveryMode, EventStatus
from pages.models import Topic

EventStatusEnum = graphene.Enum.from_enum(EventStatus, name="EventStatus")
DeliveryModeEnum = graphene.Enum.from_enum(DeliveryMode, name="DeliveryMode")
TopicKindEnum = graphene.Enum.from_enum(Topic.Kind, name="TopicKind")
