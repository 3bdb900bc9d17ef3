"""The interactive eGuide: a member ticks checklist items and answers self-assessment questions chapter by chapter
(`saveGuideProgress`), and reads it back (`guideProgress`). Every key is checked against the guide's live content,
nothing is saved on any error, and one member's progress never reaches anyone else, with the response cache on."""

import json
import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from community import services
from community.factories import AgencyFactory, member_user, ta_staff_user
from community.models import GuideProgress
from integrations.graphql.services import api_token_create
from pages.access import MEMBERS_GROUP
from pages.editorial import EDITORS, PARTNERS
from pages.factories import GuidePageFactory, checklist, paragraph, question, self_assessment
from tests.integrations.graphql.helpers import data, run, user_in

pytestmark = pytest.mark.django_db

PROGRESS = """query ($slug: String, $id: ID) {
  guideProgress(slug: $slug, id: $id) {
    guide { slug }
    chaptersVisited chaptersCompleted percentComplete updatedAt
    chapters { chapter title visited completed checkedItems percentComplete updatedAt
               answers { question kind scale yesNo text } }
  }
}"""
SAVE = """mutation ($input: SaveGuideProgressInput!) {
  saveGuideProgress(input: $input) {
    progress { percentComplete chaptersVisited chapters { chapter checkedItems completed percentComplete
               answers { question scale yesNo text } } }
    errors { field message code }
  }
}"""
SECRET = "Our sheriff has not signed the MOU yet"


def chapter(title, slug, *body):
    return ("chapter", {"title": title, "slug": slug, "summary": "", "body": [paragraph(f"About {title}."), *body]})


def guide_chapters():
    return [
        chapter(
            "Partnerships",
            "partnerships",
            checklist(
                "Partners at the table", [("mou", "An MOU is signed"), ("coordinator", "A coordinator is named")]
            ),
            self_assessment(
                "Where are you?",
                [
                    question("partner-strength", "How strong are your partnerships?", low="Starting", high="Strong"),
                    question("has-advisory-board", "Do you have an advisory board?", "yes_no"),
                    question("gaps", "What is missing?", "text", max_length=80),
                ],
            ),
        ),
        chapter("Evaluation", "evaluation", checklist("Data", [("call-data", "Call outcomes are recorded")])),
        chapter("Why CIT", "why-cit"),
    ]


@pytest.fixture
def guide(course_index):
    return GuidePageFactory(parent=course_index, title="CIT eGuide", slug="cit-eguide", chapters=guide_chapters())


@pytest.fixture
def other_member(db):
    return member_user("avasquez", agency=AgencyFactory(name="Tucson Police Department"))


def save(user, **values):
    values.setdefault("guideSlug", "cit-eguide")
    values.setdefault("chapter", "partnerships")
    return data(SAVE, user=user, input=values)["saveGuideProgress"]


def progress(user, **lookup):
    return data(PROGRESS, user=user, **(lookup or {"slug": "cit-eguide"}))["guideProgress"]


def stored():
    return sorted(GuideProgress.objects.values_list("user_id", "chapter_slug", "checked_items", "answers", "completed"))


# --- the blocks over GraphQL ------------------------------------------------------------------------------------


def test_checklists_and_questions_are_typed_blocks_with_their_keys(guide):
    query = """{ guide(slug: "cit-eguide") { chapter(slug: "partnerships") { body { blockType
      ... on ChecklistBlock { heading intro items { key text } }
      ... on SelfAssessmentBlock { heading questions { key prompt kind scaleLowLabel scaleHighLabel maxLength } }
    } } } }"""
    body = data(query)["guide"]["chapter"]["body"]
    assert [block["blockType"] for block in body] == ["paragraph", "checklist", "self_assessment"]
    assert body[1]["items"] == [
        {"key": "mou", "text": "An MOU is signed"},
        {"key": "coordinator", "text": "A coordinator is named"},
    ]
    assert body[2]["questions"] == [
        {
            "key": "partner-strength",
            "prompt": "How strong are your partnerships?",
            "kind": "SCALE",
            "scaleLowLabel": "Starting",
            "scaleHighLabel": "Strong",
            "maxLength": None,
        },
        {
            "key": "has-advisory-board",
            "prompt": "Do you have an advisory board?",
            "kind": "YES_NO",
            "scaleLowLabel": None,
            "scaleHighLabel": None,
            "maxLength": None,
        },
        {
            "key": "gaps",
            "prompt": "What is missing?",
            "kind": "TEXT",
            "scaleLowLabel": None,
            "scaleHighLabel": None,
            "maxLength": 80,
        },
    ]


# --- the happy path ---------------------------------------------------------------------------------------------


def test_a_new_member_has_every_chapter_unvisited(guide, member):
    found = progress(member)
    assert found["guide"] == {"slug": "cit-eguide"}
    assert (found["chaptersVisited"], found["percentComplete"], found["updatedAt"]) == (0, 0, None)
    assert [c["chapter"] for c in found["chapters"]] == ["partnerships", "evaluation", "why-cit"]
    assert not any(c["visited"] or c["checkedItems"] or c["answers"] for c in found["chapters"])
    assert progress(member, id=str(guide.pk)) == found


def test_a_member_saves_and_reads_back_their_progress(guide, member):
    saved = save(
        member,
        checkedItems=["coordinator", "mou"],
        answers=[
            {"question": "gaps", "text": f"  {SECRET}  "},
            {"question": "partner-strength", "scale": 4},
            {"question": "has-advisory-board", "yesNo": False},
        ],
    )
    assert saved["errors"] == []
    found = progress(member)
    first = found["chapters"][0]
    assert first["visited"] and not first["completed"]
    assert first["checkedItems"] == ["mou", "coordinator"]  # the chapter's order
    assert first["answers"] == [  # the chapter's order, each with the field of its kind
        {"question": "partner-strength", "kind": "SCALE", "scale": 4, "yesNo": None, "text": None},
        {"question": "has-advisory-board", "kind": "YES_NO", "scale": None, "yesNo": False, "text": None},
        {"question": "gaps", "kind": "TEXT", "scale": None, "yesNo": None, "text": SECRET},  # stripped
    ]
    assert first["percentComplete"] == 100  # 2 items + 3 questions, all done
    assert first["updatedAt"] is not None and found["updatedAt"] == first["updatedAt"]
    assert (found["chaptersVisited"], found["chaptersCompleted"], found["percentComplete"]) == (1, 0, 33)
    assert saved["progress"]["chapters"][0]["checkedItems"] == ["mou", "coordinator"]


def test_what_is_left_out_is_kept_and_an_empty_list_clears(guide, member):
    save(member, checkedItems=["mou"], answers=[{"question": "partner-strength", "scale": 2}])
    save(member, completed=True)
    first = progress(member)["chapters"][0]
    assert (first["checkedItems"], len(first["answers"]), first["completed"]) == (["mou"], 1, True)
    assert first["percentComplete"] == 100  # marked complete
    save(member, checkedItems=[], answers=[], completed=False)
    first = progress(member)["chapters"][0]
    assert (first["checkedItems"], first["answers"], first["completed"], first["visited"]) == ([], [], False, True)
    assert GuideProgress.objects.count() == 1


def test_saving_nothing_records_a_visit_and_completion_counts(guide, member):
    save(member, chapter="why-cit", completed=True)
    save(member, chapter="evaluation")
    found = progress(member)
    assert [c["visited"] for c in found["chapters"]] == [False, True, True]
    assert (found["chaptersVisited"], found["chaptersCompleted"]) == (2, 1)
    assert found["percentComplete"] == 33  # (0 + 0 + 100) / 3


def test_progress_follows_the_live_content_when_editors_change_it(guide, member):
    save(member, checkedItems=["mou", "coordinator"], answers=[{"question": "has-advisory-board", "yesNo": True}])
    chapters = guide_chapters()
    body = chapters[0][1]["body"]
    body[1][1]["items"] = [{"key": "mou", "text": "A memorandum of understanding is signed"}]  # reworded, one gone
    body[2][1]["questions"][1]["kind"] = "scale"  # yes/no became a scale: the stored answer no longer fits
    guide.chapters = chapters
    guide.save_revision().publish()
    first = progress(member)["chapters"][0]
    assert first["checkedItems"] == ["mou"] and first["answers"] == []
    assert first["percentComplete"] == 25  # 1 of 1 item + 3 questions
    # A draft is not what progress is checked against: a key only the draft has is unknown.
    draft = guide_chapters()
    draft[0][1]["body"][1][1]["items"].append({"key": "draft-only", "text": "Not published"})
    guide.chapters = draft
    guide.save_revision()
    assert save(member, checkedItems=["draft-only"])["errors"][0]["code"] == "unknown_item"


def test_one_query_for_the_progress_whatever_the_number_of_chapters(course_index, member):
    def queries(count):
        chapters = [
            chapter(f"Chapter {n}", f"c{count}-{n}", checklist("C", [(f"i{count}-{n}", "Do")])) for n in range(count)
        ]
        slug = f"guide-{count}"
        GuidePageFactory(parent=course_index, slug=slug, chapters=chapters)
        for n in range(count):
            save(member, guideSlug=slug, chapter=f"c{count}-{n}", checkedItems=[f"i{count}-{n}"])
        with CaptureQueriesContext(connection) as captured:
            assert progress(member, slug=slug)["percentComplete"] == 100
        return len(captured)

    assert queries(2) == queries(12)


# --- hostile input: a clear error, nothing saved -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"chapter": "no-such-chapter"}, "chapter", "unknown_chapter"),
        ({"chapter": "x" * 5000}, "chapter", "unknown_chapter"),
        ({"checkedItems": ["mou", "no-such-item"]}, "checkedItems", "unknown_item"),
        ({"checkedItems": ["call-data"]}, "checkedItems", "unknown_item"),  # another chapter's item
        ({"checkedItems": ["partner-strength"]}, "checkedItems", "unknown_item"),  # a question is not an item
        ({"checkedItems": ["mou", "mou"]}, "checkedItems", "duplicate"),
        ({"checkedItems": ["mou"] * 121}, "checkedItems", "max_length"),
        ({"checkedItems": ["y" * 100_00]}, "checkedItems", "unknown_item"),
        ({"answers": [{"question": "nope", "scale": 3}]}, "answers", "unknown_question"),
        ({"answers": [{"question": "mou", "yesNo": True}]}, "answers", "unknown_question"),  # an item is no question
        ({"answers": [{"question": "partner-strength", "text": "4"}]}, "answers", "wrong_kind"),
        ({"answers": [{"question": "partner-strength", "scale": 3, "yesNo": True}]}, "answers", "wrong_kind"),
        ({"answers": [{"question": "partner-strength"}]}, "answers", "wrong_kind"),
        ({"answers": [{"question": "has-advisory-board", "scale": 1}]}, "answers", "wrong_kind"),
        ({"answers": [{"question": "partner-strength", "scale": 0}]}, "answers", "invalid_answer"),
        ({"answers": [{"question": "partner-strength", "scale": 6}]}, "answers", "invalid_answer"),
        ({"answers": [{"question": "partner-strength", "scale": -2147483648}]}, "answers", "invalid_answer"),
        ({"answers": [{"question": "gaps", "text": "x" * 81}]}, "answers", "invalid_answer"),
        ({"answers": [{"question": "gaps", "text": "   "}]}, "answers", "invalid_answer"),
        ({"answers": [{"question": "gaps", "text": "null\x00byte"}]}, "answers", "invalid_answer"),
        (
            {"answers": [{"question": "partner-strength", "scale": 1}, {"question": "partner-strength", "scale": 2}]},
            "answers",
            "duplicate",
        ),
        ({"answers": [{"question": "gaps", "text": "a"}] * 81}, "answers", "max_length"),
    ],
)
def test_bad_input_is_a_field_error_and_saves_nothing(guide, member, values, field, code):
    save(member, checkedItems=["coordinator"], answers=[{"question": "gaps", "text": SECRET}])
    before = stored()
    answer = save(member, completed=True, **values)
    assert answer["progress"] is None
    assert [(error["field"], error["code"]) for error in answer["errors"]] == [(field, code)]
    assert len(answer["errors"][0]["message"]) < 200  # the hostile id is shortened, not echoed whole
    assert stored() == before  # not even `completed`


def test_every_field_at_fault_is_listed(guide, member):
    answer = save(member, checkedItems=["nope"], answers=[{"question": "nope", "yesNo": True}])
    assert {error["field"] for error in answer["errors"]} == {"checkedItems", "answers"}
    assert GuideProgress.objects.count() == 0


@pytest.mark.parametrize(
    "values",
    [
        {"chapter": "partnerships", "checkedItems": "mou", "guideSlug": 42},  # a number where a string goes
        {"chapter": "partnerships", "answers": [{"question": "partner-strength", "scale": "four"}]},
        {"chapter": "partnerships", "answers": [{"question": "partner-strength", "scale": 2**40}]},
        {"chapter": "partnerships", "answers": [{"question": "has-advisory-board", "yesNo": "yes"}]},
        {"chapter": None},
        {"chapter": ["partnerships"]},
        {"chapter": "partnerships", "completed": "true"},
    ],
)
def test_wrong_types_fail_validation_and_save_nothing(guide, member, values):
    result = run(SAVE, user=member, input={"guideSlug": "cit-eguide", **values})
    assert result.errors and result.data is None
    assert GuideProgress.objects.count() == 0


def hidden_guides(course_index):
    """A draft, a guide restricted to another group, and one behind a password: none visible to a member."""
    GuidePageFactory(parent=course_index, slug="draft-guide", live=False, chapters=guide_chapters())
    partners_only = GuidePageFactory(parent=course_index, slug="partners-guide", chapters=guide_chapters())
    restriction = PageViewRestriction.objects.create(page=partners_only, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name=PARTNERS)])
    password = GuidePageFactory(parent=course_index, slug="password-guide", chapters=guide_chapters())
    PageViewRestriction.objects.create(page=password, restriction_type=PageViewRestriction.PASSWORD, password="pw")
    return ["draft-guide", "partners-guide", "password-guide"]


def test_a_guide_the_member_may_not_see_is_not_found(guide, course_index, member):
    for slug in [*hidden_guides(course_index), "no-such-guide", "g" * 3000]:
        for result in (
            run(PROGRESS, user=member, slug=slug),
            run(SAVE, user=member, input={"guideSlug": slug, "chapter": "partnerships", "checkedItems": ["mou"]}),
        ):
            assert [error.extensions["code"] for error in result.errors] == ["NOT_FOUND"], slug
            assert "may not see" in result.errors[0].message
    for guide_id in ["999999", "abc", "-1", "9" * 40]:
        result = run(SAVE, user=member, input={"guideId": guide_id, "chapter": "partnerships"})
        assert [error.extensions["code"] for error in result.errors] == ["NOT_FOUND"]
    assert GuideProgress.objects.count() == 0


def test_a_members_only_guide_is_saved_by_members(guide, course_index, member):
    restriction = PageViewRestriction.objects.create(page=guide, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])
    assert save(member, checkedItems=["mou"])["errors"] == []


def test_the_guide_is_named_once(guide, member):
    for arguments in ({}, {"slug": "cit-eguide", "id": str(guide.pk)}):
        result = run(PROGRESS, user=member, **arguments)
        assert [error.extensions["code"] for error in result.errors] == ["BAD_USER_INPUT"]
    result = run(SAVE, user=member, input={"chapter": "partnerships"})
    assert [error.extensions["code"] for error in result.errors] == ["BAD_USER_INPUT"]


def test_the_body_limit_stops_a_huge_list_before_it_runs(guide, member, client):
    token = api_token_create(user=member, name="test")[1]
    variables = {"input": {"guideSlug": "cit-eguide", "chapter": "partnerships", "checkedItems": ["mou"] * 50_000}}
    response = client.post(
        "/graphql/",
        {"query": SAVE, "variables": variables},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 413
    assert GuideProgress.objects.count() == 0


# --- who may: members only, each their own -----------------------------------------------------------------------


def test_anonymous_callers_and_partners_are_refused(guide, course_index):
    partner = user_in(PARTNERS, "partner")
    staff = user_in(None, "someone")
    for user, code in ((None, "UNAUTHENTICATED"), (partner, "FORBIDDEN"), (staff, "FORBIDDEN")):
        for result in (
            run(PROGRESS, user=user, slug="cit-eguide"),
            run(SAVE, user=user, input={"guideSlug": "cit-eguide", "chapter": "partnerships"}),
        ):
            assert [error.extensions["code"] for error in result.errors] == [code]
            assert not any((result.data or {}).values())
    assert GuideProgress.objects.count() == 0


def test_an_inactive_member_is_anonymous(guide, member):
    member.is_active = False
    member.save()
    result = run(PROGRESS, user=member, slug="cit-eguide")
    assert [error.extensions["code"] for error in result.errors] == ["UNAUTHENTICATED"]


def post(query, token=None, **variables):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = Client().post(
        "/graphql/", {"query": query, "variables": variables}, content_type="application/json", **headers
    )
    return response.content.decode()


def test_one_members_progress_reaches_nobody_else_with_the_response_cache_on(guide, member, other_member, settings):
    assert settings.RESPONSE_CACHE
    settings.GRAPHQL_RATE_LIMIT_ANONYMOUS = settings.GRAPHQL_RATE_LIMIT_TOKEN = 0
    tokens = {
        name: api_token_create(user=user, name="test")[1]
        for name, user in (
            ("member", member),
            ("other member", other_member),  # another agency's
            ("partner", user_in(PARTNERS, "partner")),
            ("token without groups", user_in(None, "ops")),
        )
    }
    mine = {"input": {"guideSlug": "cit-eguide", "chapter": "partnerships", "checkedItems": ["mou"]}}
    mine["input"]["answers"] = [{"question": "gaps", "text": SECRET}]
    assert json.loads(post(SAVE, tokens["member"], **mine))["data"]["saveGuideProgress"]["errors"] == []
    read = "query ($slug: String) { guideProgress(slug: $slug) { chapters { checkedItems answers { text } } } }"
    # Each asks twice (a stored answer would be served the second time); the owner asks first and last.
    bodies = {name: [post(read, token, slug="cit-eguide") for _ in range(2)] for name, token in tokens.items()}
    bodies["anonymous"] = [post(read, slug="cit-eguide") for _ in range(2)]
    bodies["member again"] = [post(read, tokens["member"], slug="cit-eguide")]
    assert all(SECRET in body for body in bodies["member"] + bodies["member again"])
    for name in ("other member", "partner", "token without groups", "anonymous"):
        assert all(SECRET not in body and '"mou"' not in body for body in bodies[name]), name
    other = json.loads(bodies["other member"][1])["data"]["guideProgress"]["chapters"][0]
    assert other == {"checkedItems": [], "answers": []}
    assert json.loads(bodies["partner"][0])["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert json.loads(bodies["anonymous"][0])["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # Nor through the guide itself, the content every caller may share from the cache.
    content = '{ guide(slug: "cit-eguide") { chapters { ... on ChapterBlock { body { blockType } } } } }'
    for token in (tokens["member"], tokens["other member"], None):
        assert SECRET not in post(content, token)


def test_a_member_reads_and_writes_only_their_own_rows(guide, member, other_member):
    save(member, checkedItems=["mou", "coordinator"])
    save(other_member, checkedItems=["mou"])
    assert progress(member)["chapters"][0]["checkedItems"] == ["mou", "coordinator"]
    assert progress(other_member)["chapters"][0]["checkedItems"] == ["mou"]
    assert GuideProgress.objects.filter(user=member).count() == GuideProgress.objects.filter(user=other_member).count()


# --- the rows ---------------------------------------------------------------------------------------------------


def test_one_row_per_member_guide_and_chapter(guide, member):
    services.guide_progress_save(user=member, guide=guide, chapter="partnerships", checked_items=["mou"])
    services.guide_progress_save(user=member, guide=guide, chapter="partnerships", completed=True)
    assert GuideProgress.objects.count() == 1
    with pytest.raises(IntegrityError):
        GuideProgress.objects.create(user=member, guide=guide, chapter_slug="partnerships")


def test_rows_go_with_the_member_and_with_the_guide(guide, course_index, member, other_member):
    save(member, checkedItems=["mou"])
    save(other_member, checkedItems=["mou"])
    member.delete()
    assert list(GuideProgress.objects.values_list("user_id", flat=True)) == [other_member.pk]
    guide.delete()
    assert GuideProgress.objects.count() == 0


# --- editors: counts, never answers --------------------------------------------------------------------------------


def test_editors_dashboard_counts_members_per_chapter_without_their_answers(guide, member, other_member, client):
    save(member, checkedItems=["mou"], answers=[{"question": "gaps", "text": SECRET}], completed=True)
    save(other_member, checkedItems=["coordinator"])
    save(other_member, chapter="evaluation")
    editor = user_in(EDITORS, "editor")
    client.force_login(editor)
    page = client.get("/admin/").content.decode()
    panel = page[page.index("data-guide-progress-panel") :]
    panel = panel[: panel.index("</section>")]
    assert "CIT eGuide: 2 members started" in panel
    rows = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td><td>(\d+)</td></tr>", panel)
    assert rows == [("Partnerships", "2", "1"), ("Evaluation", "1", "0"), ("Why CIT", "0", "0")]
    assert SECRET not in page and "mou" not in panel and member.username not in panel


def test_the_panel_is_for_page_editors_and_absent_without_progress(guide, member, client):
    ta_staff = ta_staff_user("tstaff")  # admin access, no page permissions
    client.force_login(ta_staff)
    save(member, checkedItems=["mou"])
    assert "data-guide-progress-panel" not in client.get("/admin/").content.decode()
    GuideProgress.objects.all().delete()
    client.force_login(user_in(EDITORS, "editor"))
    assert "data-guide-progress-panel" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"checked_items": [["mou"]]}, "checked_items"),
        ({"checked_items": [None]}, "checked_items"),
        ({"answers": ["partner-strength"]}, "answers"),
        ({"answers": [{"question": ["gaps"], "text": "x"}]}, "answers"),
        ({"answers": [{"question": "partner-strength", "scale": True}]}, "answers"),  # a bool is no number
        ({"answers": [{"question": "partner-strength", "scale": 3.0}]}, "answers"),
        ({"chapter": ["partnerships"]}, "chapter"),
    ],
)
def test_the_service_refuses_shapes_no_graphql_input_has(guide, member, values, field):
    values = {"chapter": "partnerships", **values}
    with pytest.raises(ValidationError) as refused:
        services.guide_progress_save(user=member, guide=guide, **values)
    assert list(refused.value.error_dict) == [field]
    assert GuideProgress.objects.count() == 0
