"""Factories for the program pages and snippets: used by tests, benchmarks and the demo-content command."""

import factory
import wagtail_factories
from factory.django import DjangoModelFactory

from pages.models import CourseIndexPage, CoursePage, GuidePage, HomePage, Person, ProgramPage, Topic


class TopicFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda topic: topic.name.lower().replace(" ", "-"))
    kind = Topic.Kind.TRAINING
    description = factory.Faker("sentence")

    class Meta:
        model = Topic
        django_get_or_create = ("slug",)


class PersonFactory(DjangoModelFactory):
    name = factory.Faker("name")
    role = "Facilitator"
    organization = "National Center for Police Innovation"

    class Meta:
        model = Person


def paragraph(text: str) -> tuple[str, str]:
    return ("paragraph", f"<p>{text}</p>")


class HomePageFactory(wagtail_factories.PageFactory):
    title = "CIT ASSIST"
    intro = "Crisis Intervention Teams Adaptive System of Supports for Implementation of Specialized Training."

    class Meta:
        model = HomePage


class ProgramPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Program page {n}")
    summary = factory.Faker("sentence")
    body = factory.LazyFunction(lambda: [paragraph("The Community of Practice meets virtually each quarter.")])

    class Meta:
        model = ProgramPage


class CourseIndexPageFactory(wagtail_factories.PageFactory):
    title = "Self-paced training"

    class Meta:
        model = CourseIndexPage


class CoursePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"CIT eLearning course {n}")
    summary = "A no-cost, on-demand course on contemporary crisis response."
    duration_minutes = 90
    audience = "Public safety, mental and behavioral health, and advocacy professionals"
    course_url = "https://learning.example.org/courses/cit"

    class Meta:
        model = CoursePage


class GuidePageFactory(wagtail_factories.PageFactory):
    title = "CIT Interactive eGuide"
    summary = "An interactive guide to building and sustaining a Crisis Intervention Team."
    chapters = factory.LazyFunction(
        lambda: [
            (
                "chapter",
                {"title": "Why CIT", "summary": "", "body": [paragraph("CIT is more than training.")]},
            )
        ]
    )

    class Meta:
        model = GuidePage
