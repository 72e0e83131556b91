"""List pages as downloads: the page's rows with its filters, every page of them, as CSV or XLSX; no cell runs as a
formula; restricted words never leave; each download is in the audit log; the same queries for 2 rows or 20."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from keyworker.contacts.services import contact_record
from keyworker.core.models import AuditEvent
from keyworker.testing import allocate, make_child, make_family

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 18)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 names as they are
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_families_download_has_the_search_applied_every_page_and_no_formulas(world, client_for):
    evil = make_family(world.org, name="=HYPERLINK(\"http://evil.example\",\"Click\")")
    make_child(evil, world.school, world.class_a, legal_first_name="Zed")
    for i in range(30):  # more than a page of 25
        f = make_family(world.org, name=f"Many {i:02d}")
        make_child(f, world.school, world.class_b)
    client = client_for(world.headteacher)
    rows = _csv(client.get("/families/all/?download=csv"))
    assert rows[0] == ["Family", "Children", "Classes", "Key workers", "Preferred contact"]
    names = [r[0] for r in rows[1:]]
    assert len([n for n in names if n.startswith("Many")]) == 30
    assert "'=HYPERLINK(\"http://evil.example\",\"Click\")" in names
    assert world.other_family.name not in names  # another organisation's family is not there
    filtered = _csv(client.get("/families/all/?q=Many+0&download=csv&page=2"))
    assert [r[0] for r in filtered[1:]] == [f"Many 0{i}" for i in range(10)]
    sheet = _xlsx(client.get("/families/all/?q=Many+0&download=xlsx"))
    assert sheet[0][0] == "Family" and [r[0] for r in sheet[1:]] == [f"Many 0{i}" for i in range(10)]
    event = AuditEvent.objects.filter(event_type="export.downloaded").order_by("-id").first()
    assert event.data == {"list": "families", "format": "xlsx", "rows": 10, "filters": {"q": "Many 0"}}
    page = client.get("/families/all/?q=Many+0").content.decode()
    assert 'href="?q=Many+0&amp;download=csv"' in page and "Excel (XLSX)" in page


def test_families_download_takes_the_same_queries_for_2_or_20_families(world, client_for):
    client = client_for(world.headteacher)
    with CaptureQueriesContext(connection) as few:
        client.get("/families/all/?download=csv")
    for i in range(20):
        f = make_family(world.org, name=f"More {i}", carers=2)
        make_child(f, world.school, world.class_a)
        allocate(f, world.school, world.ta_a)
    with CaptureQueriesContext(connection) as many:
        rows = _csv(client.get("/families/all/?download=csv"))
    assert len(rows) > 20
    assert len(few.captured_queries) == len(many.captured_queries)


def test_my_families_download_is_the_key_workers_own(world, client_for):
    rows = _csv(client_for(world.ta_a).get("/families/?download=csv"))
    assert [r[0] for r in rows[1:]] == [world.family_a.name]


def _record(world, staff, family, **kw):
    values = {"happened_on": TODAY, "channel": "phone", "tone": "positive", "write_up": "Phoned mum about the trip; she was pleased."}
    values.update(kw)
    return contact_record(actor=world.actor(staff), family=family, **values)


def test_contacts_download_keeps_the_filters_and_never_the_words_of_a_concern(world, client_for):
    _record(world, world.ta_a, world.family_a, tone="concern", write_up="-1 on the reading chart; talked it through with dad.")
    _record(world, world.ta_a, world.family_a, write_up="Worried about bruising seen at drop-off today, told the DSL.",
            safeguarding_category="neglect")
    _record(world, world.teacher_b, world.family_b)
    rows = _csv(client_for(world.ta_a).get("/contacts/?download=csv"))
    assert rows[0][:4] == ["Date", "Family", "Children", "How"]
    text = "\n".join(",".join(r) for r in rows)
    assert "bruising" not in text
    assert "Safeguarding concern: Neglect (read it in Keyworker)" in text or "Restricted: ask the safeguarding lead" in text
    assert "'-1 on the reading chart" in text  # a cell starting with "-" cannot run as a formula
    assert world.family_b.name not in text  # not the key worker's family: not in their list
    leader = _csv(client_for(world.headteacher).get("/contacts/?tone=concern&download=csv"))
    assert len(leader) == 2 and leader[1][5] == "Concern"


def test_obligation_and_compliance_downloads(world, client_for, clock):
    from keyworker.standards.services import policy_adopt_builtin

    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=dt.date(2026, 9, 1))
    leader = client_for(world.headteacher)
    missed = _csv(leader.get("/obligations/missed/?scope=settings&download=csv"))
    assert missed[0] == ["Clause", "Standard", "Family", "Child", "Setting", "Due on", "State", "Responsible", "Escalated at"]
    assert _csv(leader.get("/obligations/escalated/?download=csv"))[0][0] == "Clause"
    team = _csv(leader.get(f"/compliance/?setting={world.school.pk}&download=csv"))
    assert team[0][:3] == ["Key worker", "Clause", "Standard"] and len(team) > 1
    assert any(r[0] == "The whole setting" for r in team[1:])
    org = _xlsx(leader.get("/compliance/organisation/?download=xlsx"))
    assert org[0][:4] == ["Clause", "Standard", "Half term", "Starts on"]
    # A key worker's compliance download is their own row only; the organisation's figures are for leaders.
    own = _csv(client_for(world.ta_a).get("/compliance/?download=csv"))
    assert {r[0] for r in own[1:]} <= {str(world.ta_a)}
    assert client_for(world.ta_a).get("/compliance/organisation/?download=csv").status_code == 403
    assert client_for(world.outsider).get(f"/compliance/?setting={world.school.pk}&download=csv").status_code == 404


def test_attendance_downloads(world, client_for):
    office = client_for(world.headteacher)
    rows = _csv(office.get(f"/attendance/classes/{world.class_a.pk}/?download=csv"))
    assert rows[0][:3] == ["Child", "Class", "Possible sessions"]
    assert world.child_a.display_name in [r[0] for r in rows[1:]]
    assert _csv(office.get("/attendance/concerns/?download=csv"))[0][0] == "Child"
    assert client_for(world.outsider).get(f"/attendance/classes/{world.class_a.pk}/?download=csv").status_code == 404
