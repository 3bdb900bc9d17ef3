"""Cache-miss reads of the lists: a fixed number of queries whatever the number of related rows per item, page
bodies read only when the operation names them, and the same answer either way."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.factories import TrainingEventPageFactory
from events.models import TrainingEventPage
from pages.factories import PersonFactory, TopicFactory
from tests.integrations.graphql.helpers import data

pytestmark = pytest.mark.django_db

CONTRACT = """
query { events(perPage: 20) { items { id title slug url summary startsAt endsAt timeZone status deliveryMode
  registrationUrl icalUrl topics { name slug } facilitators { name role organization } } pagination { total } } }
"""
WITH_BODY = """
query { events(perPage: 20) { items { id title ...Body topics { name slug } facilitators { name photo { title } } }
  pagination { total } } }
fragment Body on TrainingEventPage { body { blockType ... on RichTextBlock { html } } }
"""


def make_events(event_index, *, topics: int, people: int, count: int = 20):
    topic_rows = [TopicFactory(name=f"Topic {n}") for n in range(topics)]
    person_rows = [PersonFactory(name=f"Person {n}") for n in range(people)]
    for n in range(count):
        event = TrainingEventPageFactory(parent=event_index, title=f"Event {n}", body=[("paragraph", f"<p>{n}</p>")])
        event.topics.set(topic_rows)
        event.facilitators.set(person_rows)
        event.save()


def run(query) -> tuple[list[str], dict]:
    with CaptureQueriesContext(connection) as queries:
        result = data(query)
    return [query["sql"] for query in queries.captured_queries], result


@pytest.mark.parametrize("query", [CONTRACT, WITH_BODY])
def test_twenty_events_cost_the_same_queries_with_one_or_fifty_topics_each(event_index, query):
    make_events(event_index, topics=1, people=1)
    one, _ = run(query)
    more_topics = [TopicFactory(name=f"More {n}") for n in range(50)]
    more_people = [PersonFactory(name=f"Facilitator {n}") for n in range(10)]
    for event in TrainingEventPage.objects.all():
        event.topics.add(*more_topics)
        event.facilitators.add(*more_people)
        event.save()  # parental relations are written on save
    fifty, large = run(query)
    assert len(large["events"]["items"]) == 20
    assert all(len(item["topics"]) == 51 for item in large["events"]["items"])
    assert len(one) == len(fifty), (len(one), len(fifty))


def test_a_list_that_does_not_name_the_body_does_not_read_it_and_answers_the_same(event_index):
    make_events(event_index, topics=2, people=2, count=3)
    sql, without_body = run(CONTRACT)
    events_query = next(statement for statement in sql if "LIMIT" in statement and "start_date" in statement)
    assert '"body"' not in events_query
    sql, with_body = run(WITH_BODY)
    events_query = next(statement for statement in sql if "LIMIT" in statement and "start_date" in statement)
    assert '"body"' in events_query
    assert [item["body"][0]["html"] for item in with_body["events"]["items"]] == ["<p>0</p>", "<p>1</p>", "<p>2</p>"]
    for plain, full in zip(without_body["events"]["items"], with_body["events"]["items"], strict=True):
        assert (plain["id"], plain["title"], plain["topics"]) == (full["id"], full["title"], full["topics"])
