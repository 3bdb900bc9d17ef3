"""Factories for training events."""

from datetime import date, time, timedelta

import factory
import wagtail_factories

from events.models import EventIndexPage, TrainingEventPage


class EventIndexPageFactory(wagtail_factories.PageFactory):
    title = "Training events"
    intro = "Live, virtual training for the Community of Practice."

    class Meta:
        model = EventIndexPage


class TrainingEventPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Training event {n}")
    summary = "A facilitator-led live virtual training for Community of Practice agencies."
    start_date = factory.LazyFunction(lambda: date.today() + timedelta(days=30))
    start_time = time(13, 0)
    end_time = time(14, 30)
    time_zone = "America/New_York"
    registration_url = "https://events.example.org/register"

    class Meta:
        model = TrainingEventPage
