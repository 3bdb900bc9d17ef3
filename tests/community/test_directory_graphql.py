"""The member directory over GraphQL: members only, filters, hostile search terms, constant query counts."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.factories import AgencyContactFactory, AgencyFactory, member_user
from community.models import AgencyType
from tests.integrations.graphql.helpers import data, run, user_in

pytestmark = pytest.mark.django_db

AGENCIES = """
query ($state: String, $cohort: Int, $agencyType: AgencyType, $search: String, $perPage: Int) {
  agencies(state: $state, cohort: $cohort, agencyType: $agencyType, search: $search, perPage: $perPage) {
    items { id name city state stateName agencyType cohort website notes
            contacts { name role email phone } }
    pagination { total count }
  }
}
"""


@pytest.fixture
def directory(agency):
    AgencyFactory(name="Albuquerque Police Department", city="Albuquerque", state="NM", cohort=2021)
    AgencyFactory(
        name="Doña Ana County Behavioral Health",
        city="Las Cruces",
        state="NM",
        cohort=2022,
        agency_type=AgencyType.BEHAVIORAL_HEALTH,
    )
    AgencyFactory(name="Tulsa Police Department", city="Tulsa", state="OK", cohort=2023)
    return agency


def names(result) -> list[str]:
    return [item["name"] for item in result["agencies"]["items"]]


def test_members_see_the_directory_with_contacts(directory, member):
    result = data(AGENCIES, user=member, state="OH")
    [franklin] = result["agencies"]["items"]
    assert franklin["name"] == "Franklin County Sheriff's Office"
    assert franklin["stateName"] == "Ohio"
    assert franklin["agencyType"] == "LAW_ENFORCEMENT"
    assert franklin["contacts"] == [
        {
            "name": "Sgt. Dana Ortiz",
            "role": "CIT_COORDINATOR",
            "email": "dortiz@sheriff.example.gov",
            "phone": "614-555-0100",
        }
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"state": "nm"}, ["Albuquerque Police Department", "Doña Ana County Behavioral Health"]),
        ({"cohort": 2023}, ["Franklin County Sheriff's Office", "Tulsa Police Department"]),
        ({"agencyType": "BEHAVIORAL_HEALTH"}, ["Doña Ana County Behavioral Health"]),
        ({"search": "police tulsa"}, ["Tulsa Police Department"]),
        ({"search": "las cruces"}, ["Doña Ana County Behavioral Health"]),
        ({"search": "Doña"}, ["Doña Ana County Behavioral Health"]),
        ({"search": "数据 ☃"}, []),
        ({"search": "' OR 1=1 --"}, []),
        ({"search": "%"}, []),
        ({"search": "x'); DROP TABLE community_agency; --"}, []),
        ({"state": "NM", "cohort": 2021}, ["Albuquerque Police Department"]),
    ],
)
def test_filters_and_search(directory, member, filters, expected):
    assert names(data(AGENCIES, user=member, **filters)) == expected


def test_sql_looking_search_leaves_the_table_alone(directory, member):
    data(AGENCIES, user=member, search="x'); DROP TABLE community_agency; --")
    assert data(AGENCIES, user=member)["agencies"]["pagination"]["total"] == 4


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"state": "ZZ"}, "two-letter US state"),
        ({"state": "O" * 500}, "two-letter US state"),
        ({"search": "a" * 101}, "at most 100 characters"),
        ({"search": "nul\x00byte"}, "control characters"),
        ({"perPage": 1000}, "perPage must be between 1 and 100"),
    ],
)
def test_bad_filters_are_clear_errors(directory, member, filters, message):
    result = run(AGENCIES, user=member, **filters)
    assert result.data is None or result.data.get("agencies") is None
    assert message in result.errors[0].message


@pytest.mark.parametrize("who", ["anonymous", "partner", "inactive member"])
def test_non_members_get_an_error_and_no_data(directory, who):
    user = {
        "anonymous": lambda: AnonymousUser(),
        "partner": lambda: user_in("Partners", "cit-international"),
        "inactive member": lambda: _inactive_member(directory),
    }[who]()
    for query in (AGENCIES, f'{{ agency(id: "{directory.pk}") {{ name }} }}', "{ taRequests { items { id } } }"):
        result = run(query, user=user)
        assert result.data is None or set(result.data.values()) == {None}
        code = result.errors[0].extensions["code"]
        assert code == ("FORBIDDEN" if who == "partner" else "UNAUTHENTICATED")


def _inactive_member(agency):
    user = member_user("former", agency=agency)
    user.is_active = False
    user.save()
    return user


def test_agency_by_id_and_unknown_ids(directory, member):
    query = "query ($id: ID!) { agency(id: $id) { name contacts { email } } }"
    assert data(query, user=member, id=str(directory.pk))["agency"]["name"] == "Franklin County Sheriff's Office"
    for bad in ("999999", "-1", "1 OR 1=1", "9" * 40, "\u0661"):  # the last: an Arabic-Indic digit one
        assert data(query, user=member, id=bad) == {"agency": None}


def test_viewer_agency(member, agency):
    assert data("{ viewer { agency { name } } }", user=member) == {"viewer": {"agency": {"name": agency.name}}}
    partner = user_in("Partners", "partner-web")
    assert data("{ viewer { agency { name } } }", user=partner) == {"viewer": {"agency": None}}


@pytest.mark.slow
def test_directory_query_count_is_constant(member):
    def queries_for(count: int) -> int:
        for index in range(count):
            agency = AgencyFactory(name=f"Agency {count}-{index}", state="TX", cohort=2024)
            AgencyContactFactory.create_batch(3, agency=agency)
        with CaptureQueriesContext(connection) as captured:
            result = data(AGENCIES, user=member, state="TX", cohort=2024, perPage=100)
        assert len(result["agencies"]["items"]) >= count
        return len(captured)

    small = queries_for(3)
    AgencyFactory._meta.model.objects.filter(state="TX").delete()
    assert queries_for(40) == small
    assert small <= 6, small


def test_public_and_members_only_fields_are_documented_alike_in_the_model_and_the_api():
    """AGENCY_PUBLIC_FIELDS is what a future public map may show; the admin and the API must say the same."""
    from community.models import AGENCY_PUBLIC_FIELDS, Agency
    from integrations.graphql.schema import schema

    api_fields = schema.graphql_schema.type_map["Agency"].fields
    for field in Agency._meta.get_fields():
        if not hasattr(field, "help_text") or field.name in ("id", "created_at", "updated_at"):
            continue
        api_name = "".join(part.title() if i else part for i, part in enumerate(field.name.split("_")))
        public = field.name in AGENCY_PUBLIC_FIELDS
        assert ("Public" in field.help_text) == public, field.name
        assert ("Members-only" in field.help_text) == (not public), field.name
        assert api_fields[api_name].description.startswith("Public-facing" if public else "Members-only"), api_name
