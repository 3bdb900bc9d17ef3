"""The directory's CSV: export what staff filtered (formulas neutralised), import all-or-nothing with per-row
errors, hostile files refused clearly."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from community import csv_io
from community.factories import AgencyContactFactory, AgencyFactory
from community.models import Agency, AgencyContact

pytestmark = pytest.mark.django_db

HEADER = ",".join(csv_io.COLUMNS)
MESA = "Mesa Police Department,Mesa,AZ,law_enforcement,2022,https://mesa.example.gov"
GOOD = "\n".join(
    [
        HEADER,
        f"{MESA},Lt. Ana Ruiz,cit_coordinator,aruiz@mesa.example.gov,480-555-0101",
        f"{MESA},Dr. Kim Lee,behavioral_health_liaison,klee@mesa.example.gov,",
        "Doña Ana County Sheriff's Office,Las Cruces,nm,law_enforcement,2024,,,,,",
        "",
    ]
)


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_import_creates_agencies_with_contacts_then_updates_them():
    result = csv_io.import_csv(GOOD.encode())
    assert (result.created, result.updated, result.contacts, result.errors) == (2, 0, 2, [])
    mesa = Agency.objects.get(name="Mesa Police Department")
    assert [contact.name for contact in mesa.contacts.order_by("sort_order")] == ["Lt. Ana Ruiz", "Dr. Kim Lee"]
    assert Agency.objects.get(name__startswith="Doña").state == "NM"
    again = csv_io.import_csv(GOOD.replace("480-555-0101", "480-555-0199").encode())
    assert (again.created, again.updated) == (0, 2)
    assert AgencyContact.objects.count() == 2
    assert AgencyContact.objects.get(name="Lt. Ana Ruiz").phone == "480-555-0199"


def test_any_bad_row_imports_nothing_and_names_every_bad_row():
    bad = (
        GOOD
        + "Tulsa Police Department,Tulsa,XX,law_enforcement,2023,,,,,\n"
        + "Tulsa Police Department,Tulsa,OK,sheriff,20x3,,,,,\n"
        + "Tulsa Police Department,Tulsa,OK,law_enforcement,2023,,Pat,cit_coordinator,not-an-email,\n"
    )
    result = csv_io.import_csv(bad.encode())
    assert not Agency.objects.exists()
    assert [error.split(":")[0] for error in result.errors] == ["Row 5", "Row 6", "Row 7"]
    assert "state" in result.errors[0] and "cohort" in result.errors[1] and "email" in result.errors[2]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,state\nMesa,AZ\n", "Missing columns"),
        (GOOD.encode("latin-1"), "not UTF-8"),
        (b"\xff\xfe" + GOOD.encode("utf-16-le"), "not UTF-8"),
        (b"x" * (2 * 1024 * 1024 + 1), "larger than"),
    ],
)
def test_unreadable_files_are_refused_clearly(data, message):
    with pytest.raises(csv_io.ImportRefused, match=message):
        csv_io.import_csv(data)


def test_row_limit(settings):
    settings.AGENCY_IMPORT_MAX_ROWS = 2
    with pytest.raises(csv_io.ImportRefused, match="more than 2 rows"):
        csv_io.import_csv(GOOD.encode())


def test_export_neutralises_formulas_and_round_trips():
    agency = AgencyFactory(name='=HYPERLINK("http://evil.example","Click")', city="+1-555", state="TX", cohort=2025)
    AgencyContactFactory(agency=agency, name="@SUM(A1:A9)", phone="-2+3", email="")
    exported = csv_io.export_csv(Agency.objects.all())
    [header, row] = rows(exported)
    assert header == csv_io.COLUMNS
    assert row[0] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row[1] == "'+1-555" and row[6] == "'@SUM(A1:A9)" and row[9] == "'-2+3"
    Agency.objects.all().delete()
    assert csv_io.import_csv(exported.encode()).errors == []
    assert AgencyContact.objects.get().name == "@SUM(A1:A9)"  # restored on the way back in


def test_admin_export_applies_the_listing_filters(admin_client):
    AgencyFactory(name="Mesa Police Department", state="AZ", cohort=2022)
    AgencyFactory(name="Tulsa Police Department", state="OK", cohort=2023)
    listing = admin_client.get("/admin/agencies/?state=AZ")
    assert b"Export CSV" in listing.content and b"/admin/agencies/export/?state=AZ" in listing.content
    response = admin_client.get("/admin/agencies/export/?state=AZ")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    names = [row[0] for row in rows(response.content.decode())[1:]]
    assert names == ["Mesa Police Department"]
    searched = admin_client.get("/admin/agencies/export/?q=tulsa")
    assert [row[0] for row in rows(searched.content.decode())[1:]] == ["Tulsa Police Department"]


def test_admin_import_shows_row_errors_or_imports(admin_client):
    url = "/admin/agencies/import/"
    assert admin_client.get(url).status_code == 200
    bad = SimpleUploadedFile("a.csv", (GOOD + "X,Y,ZZ,law_enforcement,2023,,,,,\n").encode(), "text/csv")
    response = admin_client.post(url, {"file": bad})
    assert b"Nothing was imported" in response.content and b"Row 5" in response.content
    latin = SimpleUploadedFile("a.csv", GOOD.encode("latin-1"), "text/csv")
    assert b"not UTF-8" in admin_client.post(url, {"file": latin}).content
    assert not Agency.objects.exists()
    response = admin_client.post(url, {"file": SimpleUploadedFile("a.csv", GOOD.encode(), "text/csv")})
    assert response.status_code == 302 and Agency.objects.count() == 2


def test_non_staff_cannot_export(client, member):
    client.force_login(member)
    assert client.get("/admin/agencies/export/").status_code in (302, 403)


def test_import_command(tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_bytes(GOOD.encode())
    call_command("import_agencies", str(path), "--dry-run", stdout=io.StringIO())
    assert not Agency.objects.exists()
    call_command("import_agencies", str(path), stdout=io.StringIO())
    assert Agency.objects.count() == 2
    path.write_bytes(GOOD.encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_agencies", str(path))
