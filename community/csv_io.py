"""The member directory as CSV: export (what staff see, filtered) and import (validated, all-or-nothing).

One row per program contact, the agency's columns repeated on each (an agency without contacts is one row with
empty contact columns): a flat file any spreadsheet opens and sorts. Agencies are matched on (name, state);
importing an agency replaces its contacts with the file's.

Hostile files: cells that a spreadsheet would run as a formula (starting with = + - @, or a tab/CR before one)
are exported with a leading apostrophe, and that apostrophe is removed again on import; input must be UTF-8
(a BOM is fine), at most AGENCY_IMPORT_MAX_BYTES and AGENCY_IMPORT_MAX_ROWS.
"""

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from community.models import Agency, AgencyContact, ContactRole

COLUMNS = [
    "name",
    "city",
    "state",
    "agency_type",
    "cohort",
    "website",
    "contact_name",
    "contact_role",
    "contact_email",
    "contact_phone",
]
AGENCY_COLUMNS = COLUMNS[:6]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell a spreadsheet shows as text: formula-like values get a leading apostrophe (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(value: str) -> str:
    """Undo `neutralise` for a value read back from our own export."""
    text = (value or "").strip()
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def export_rows(agencies) -> list[list[str]]:
    rows = []
    for agency in agencies.prefetch_related("contacts"):
        base = [agency.name, agency.city, agency.state, agency.agency_type, agency.cohort, agency.website]
        contacts = list(agency.contacts.all()) or [None]
        for contact in contacts:
            person = [contact.name, contact.role, contact.email, contact.phone] if contact else ["", "", "", ""]
            rows.append([neutralise(value) for value in base + person])
    return rows


def export_csv(agencies) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(export_rows(agencies))
    return buffer.getvalue()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    contacts: int = 0
    errors: list[str] = field(default_factory=list)  # "Row 7: state: 'XX' is not a US state code."


class ImportRefused(Exception):
    """The file as a whole cannot be read (encoding, size, header); nothing was imported."""


def _decode(data: bytes) -> str:
    if len(data) > settings.AGENCY_IMPORT_MAX_BYTES:
        raise ImportRefused(f"The file is larger than {settings.AGENCY_IMPORT_MAX_BYTES // 1024} KB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). In Excel, save as 'CSV UTF-8'."
        ) from None


def _agency_from_row(row: dict) -> Agency:
    agency = Agency(**{column: restore(row.get(column, "")) for column in AGENCY_COLUMNS if column != "cohort"})
    agency.state = agency.state.upper()
    cohort = restore(row.get("cohort", ""))
    agency.cohort = int(cohort) if cohort.isdigit() and len(cohort) <= 4 else None
    if agency.cohort is None:
        raise ValidationError({"cohort": f"'{cohort}' is not a funding year such as 2023."})
    agency.full_clean(exclude=["notes"], validate_unique=False, validate_constraints=False)
    return agency


def _contact_from_row(row: dict) -> AgencyContact | None:
    values = {column.removeprefix("contact_"): restore(row.get(column, "")) for column in COLUMNS[6:]}
    if not any(values.values()):
        return None
    values["role"] = values["role"] or ContactRole.OTHER
    contact = AgencyContact(**values)
    contact.full_clean(exclude=["agency", "sort_order"])
    return contact


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{name}: {' '.join(problems)}" for name, problems in error.message_dict.items())
    return " ".join(error.messages)


def import_csv(data: bytes, *, dry_run: bool = False) -> ImportResult:
    """Import the directory file; on any row error nothing is saved and every row's errors are returned."""
    lines = _decode(data).splitlines()
    if len(lines) - 1 > settings.AGENCY_IMPORT_MAX_ROWS:
        raise ImportRefused(f"The file has more than {settings.AGENCY_IMPORT_MAX_ROWS} rows; split it.")
    reader = csv.DictReader(lines)
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise ImportRefused(f"Missing columns: {', '.join(missing)}. Expected: {','.join(COLUMNS)}.")
    reader.fieldnames = header
    result = ImportResult()
    grouped: dict[tuple[str, str], tuple[Agency, list[AgencyContact]]] = {}
    for number, row in enumerate(reader, start=2):  # row 1 is the header
        if None in row:
            result.errors.append(f"Row {number}: more cells than columns.")
            continue
        try:
            agency = _agency_from_row(row)
            contact = _contact_from_row(row)
        except ValidationError as error:
            result.errors.append(f"Row {number}: {_messages(error)}")
            continue
        key = (agency.name.casefold(), agency.state)
        if key in grouped:
            first, contacts = grouped[key]
            if any(getattr(first, column) != getattr(agency, column) for column in AGENCY_COLUMNS):
                result.errors.append(f"Row {number}: {agency.name} ({agency.state}) differs from its earlier rows.")
                continue
        else:
            grouped[key] = (agency, [])
        if contact is not None:
            grouped[key][1].append(contact)
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        for agency, contacts in grouped.values():
            existing = Agency.objects.filter(name__iexact=agency.name, state=agency.state).first()
            if existing is None:
                agency.save()
                result.created += 1
            else:
                for column in AGENCY_COLUMNS:
                    setattr(existing, column, getattr(agency, column))
                existing.save()
                AgencyContact.objects.filter(agency=existing).delete()
                agency = existing
                result.updated += 1
            for order, contact in enumerate(contacts):
                contact.agency, contact.sort_order = agency, order
            AgencyContact.objects.bulk_create(contacts)
            result.contacts += len(contacts)
    return result
