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


def checklist(heading: str, items: list[tuple[str, str]], intro: str = "") -> tuple[str, dict]:
    """A chapter's checklist block: `items` are (key, text); an empty key is made from the text on save."""
    return ("checklist", {"heading": heading, "intro": intro, "items": [{"key": k, "text": t} for k, t in items]})


def question(key: str, prompt: str, kind: str = "scale", *, low: str = "", high: str = "", max_length=None) -> dict:
    """One self-assessment question; a scale question gets labelled ends by default."""
    if kind == "scale":
        low, high = low or "Not yet", high or "Fully in place"
    return {
        "key": key,
        "prompt": prompt,
        "kind": kind,
        "scale_low_label": low,
        "scale_high_label": high,
        "max_length": max_length if kind != "text" else max_length or 500,
    }


def self_assessment(heading: str, questions: list[dict], intro: str = "") -> tuple[str, dict]:
    return ("self_assessment", {"heading": heading, "intro": intro, "questions": questions})


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
