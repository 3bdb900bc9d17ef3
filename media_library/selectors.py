"""Reads for media and the media pages, through the one privacy rule in `pages.access`: who may download a
document, and the publication and recording lists (media_library/graphql.py adds ordering and batch loading)."""

from django.db.models import Prefetch, QuerySet

from media_library.models import PublicationPage, RecordingPage
from pages.access import visible_documents, visible_pages
from pages.queries import TopicMatch, by_pk_or_slug, in_year, search_hits, with_topics


def document_is_public(document_id) -> bool:
    """Public documents may be cached by a CDN; anything else is members-only (or otherwise restricted)."""
    return visible_documents(user=None).filter(pk=document_id).exists()


# --- publications ------------------------------------------------------------------------------------------


def publications(
    *,
    user,
    topic: str | None = None,
    topics: list[str] | None = None,
    topic_match: str = TopicMatch.ANY,
    type: str | None = None,
    search: str | None = None,
    year: int | None = None,
) -> QuerySet:
    """Publications `user` may see, by topic slug (or any/all of several), type, words in titles, abstracts and
    authors, and year; newest first."""
    publications = with_topics(visible_pages(PublicationPage, user=user), topic=topic, topics=topics, match=topic_match)
    if type is not None:
        publications = publications.filter(publication_type=type)
    publications = in_year(publications, "publication_date", year)
    if search is not None:
        publications = publications.filter(pk__in=search_hits(PublicationPage, search))
    return publications.order_by("-publication_date", "-pk")


def publication(*, user, pk: int | None = None, slug: str | None = None) -> PublicationPage | None:
    return by_pk_or_slug(visible_pages(PublicationPage, user=user), pk=pk, slug=slug)


# --- recordings --------------------------------------------------------------------------------------------


def recordings(
    *,
    user,
    topic: str | None = None,
    topics: list[str] | None = None,
    topic_match: str = TopicMatch.ANY,
    kind: str | None = None,
    search: str | None = None,
    year: int | None = None,
) -> QuerySet:
    """Recordings `user` may see, by topic slug (or any/all of several), kind, words in titles, summaries,
    transcripts and topics, and year; newest first."""
    recordings = with_topics(visible_pages(RecordingPage, user=user), topic=topic, topics=topics, match=topic_match)
    if kind is not None:
        recordings = recordings.filter(recording_kind=kind)
    recordings = in_year(recordings, "recorded_on", year)
    if search is not None:
        recordings = recordings.filter(pk__in=search_hits(RecordingPage, search))
    return with_recording_relations(recordings.order_by("-recorded_on", "-pk"), user=user)


def recording(*, user, pk: int | None = None, slug: str | None = None) -> RecordingPage | None:
    recordings = with_recording_relations(visible_pages(RecordingPage, user=user), user=user)
    return by_pk_or_slug(recordings, pk=pk, slug=slug)


def with_recording_relations(recordings: QuerySet, *, user) -> QuerySet:
    # The related event goes through the privacy rule: a members-only or draft event comes back as None
    # (`visible_related_event`).
    event_model = RecordingPage._meta.get_field("related_event").related_model
    return recordings.prefetch_related(
        Prefetch(
            "related_event",
            queryset=visible_pages(event_model, user=user).prefetch_related("topics", "facilitators"),
            to_attr="visible_related_event",
        ),
    )
