"""Factories for the forum: used by tests and query-count benchmarks. Members come from `member_factory`."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from community.forum.models import ForumCategory, ForumPost, ForumThread
from pages.access import MEMBERS_GROUP


class MemberFactory(DjangoModelFactory):
    """A Community of Practice member (in the CoP Members group) with a full name."""

    username = factory.Sequence(lambda n: f"member{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@agency.example.org")
    password = factory.PostGenerationMethodCall("set_password", "member-password")

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    @factory.post_generation
    def member(user, create, extracted, **kwargs):
        if create:
            user.save()
            user.groups.add(Group.objects.get(name=MEMBERS_GROUP))


class ForumCategoryFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Crisis response in the field {n}")
    slug = factory.LazyAttribute(lambda category: slugify(category.name))

    class Meta:
        model = ForumCategory
        django_get_or_create = ("slug",)


class ForumThreadFactory(DjangoModelFactory):
    """A thread with its opening post (`body`)."""

    category = factory.SubFactory(ForumCategoryFactory)
    title = factory.Sequence(lambda n: f"Co-responder shift patterns, question {n}")
    author = factory.SubFactory(MemberFactory)

    class Meta:
        model = ForumThread
        skip_postgeneration_save = True

    @factory.post_generation
    def body(thread, create, extracted, **kwargs):
        if create:
            ForumPost.objects.create(
                thread=thread,
                author=thread.author,
                is_opening=True,
                body_html=extracted or "<p>How do other agencies schedule co-responders on nights?</p>",
                created_at=thread.created_at,
            )


class ForumPostFactory(DjangoModelFactory):
    thread = factory.SubFactory(ForumThreadFactory)
    author = factory.SubFactory(MemberFactory)
    body_html = "<p>We pair a clinician with a CIT officer from 2 pm to midnight.</p>"

    class Meta:
        model = ForumPost
