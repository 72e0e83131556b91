"""My week holds what can still be done: each obligation offers the action that meets it (its evidence source's),
missed obligations are off the lists with a one-line summary and a list behind it, the week of any date, and
panels only for the kinds of setting the reader works in."""

import datetime as dt

import pytest
from django.db import connection
from django.template import Template
from django.test.utils import CaptureQueriesContext

from keyworker.attendance.challenge import ATTENDANCE_FOLLOW_UP, UNEXPLAINED_ABSENCE
from keyworker.core import clock
from keyworker.core.extensions import (
    CHILDCARE_KINDS,
    WeekPanel,
    register_week_panel,
    unregister_week_panel,
)
from keyworker.organisations.models import SettingKind
from keyworker.standards.evidence import registered
from keyworker.standards.models import Cadence, Obligation, ObligationState, Subject
from keyworker.standards.testing import make_standard
from keyworker.testing import (
    add_calendar,
    allocate,
    make_child,
    make_family,
    make_group,
    make_setting,
    make_staff,
)

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 18)  # a Wednesday in Autumn 2 (the fixed clock)


def oblige(world, standard, *, due_on, state=ObligationState.DUE_SOON, family=None, child=None, staff=None, event="",
           period_start=None, period_end=None, setting=None, met_on=None):
    """An obligation as the engine stores it (the engine is tested elsewhere; these tests are about the page)."""
    family = family if family is not None else world.family_a
    subject = f"c{child.pk}" if child is not None else f"f{family.pk}"
    start = period_start or due_on - dt.timedelta(days=4)
    return Obligation.objects.create(
        organisation=world.org, standard=standard, setting=setting or world.school, family=family, child=child,
        subject_key=f"{subject}@{event}" if event else subject, responsible_staff=staff or world.ta_a,
        period_start=start, period_end=period_end or start + dt.timedelta(days=6), due_on=due_on, state=state, met_on=met_on,
        updated_at=clock.now(),
    )


@pytest.fixture
def duties(world):
    """The school's duties, each met by its own kind of record."""
    return {
        "SCH-2": make_standard(world.org, "data_check", clause="SCH-2", title="Data check", subject=Subject.CHILD,
                               cadence=Cadence.HALF_TERMLY),
        "SCH-3": make_standard(world.org, "briefing_acknowledged", clause="SCH-3", title="Changes acknowledged",
                               subject=Subject.CHILD, cadence=Cadence.AFTER_EVENT, event="key_aspects_changed"),
        "SCH-4": make_standard(world.org, "contact_log", clause="SCH-4", title="Weekly contact"),
        "SCH-5": make_standard(world.org, ATTENDANCE_FOLLOW_UP, clause="SCH-5", title="Challenge each absence",
                               subject=Subject.CHILD, cadence=Cadence.AFTER_EVENT, event=UNEXPLAINED_ABSENCE),
    }


def rows_of(week):
    return {row.obligation.standard.clause: row for row in [*week.overdue, *week.due_this_week, *week.coming_up]}


# Evidence fits the duty --------------------------------------------------------------------------------------


def test_each_obligation_offers_the_action_that_meets_it(world, client_for, duties):
    child = world.child_a
    oblige(world, duties["SCH-2"], child=child, due_on=D(2026, 11, 20), period_start=D(2026, 11, 2), period_end=D(2026, 12, 18))
    oblige(world, duties["SCH-3"], child=child, due_on=D(2026, 11, 19), event="kac12")
    oblige(world, duties["SCH-4"], due_on=D(2026, 11, 20), period_start=D(2026, 11, 16), period_end=D(2026, 11, 22))
    oblige(world, duties["SCH-5"], child=child, due_on=D(2026, 11, 19), event=f"abs{child.pk}-20261118",
           period_start=TODAY, period_end=D(2026, 11, 19))
    r = client_for(world.ta_a).get("/my-week/")
    rows = rows_of(r.context["week"])
    assert {clause: row.action_label for clause, row in rows.items()} == {
        "SCH-2": "Confirm", "SCH-3": "Mark as read", "SCH-4": "Log contact", "SCH-5": "Record the follow-up",
    }
    assert rows["SCH-2"].action_url == f"/data-checks/children/{child.pk}/confirm/"
    assert rows["SCH-3"].action_url == "/briefings/"
    assert rows["SCH-4"].action_url == f"/contacts/new/?family={world.family_a.pk}&from=2026-11-16&to=2026-11-22"
    assert rows["SCH-5"].action_url == f"/contacts/new/?family={world.family_a.pk}&absence=abs{child.pk}-20261118"
    html = r.content.decode()
    assert html.count(">Log contact<") == 1  # only the weekly contact: a briefing does not offer "Log contact"
    assert ">Mark as read<" in html and ">Confirm<" in html and ">Record the follow-up<" in html


def test_every_registered_source_says_what_meets_it_and_offers_its_own_action(world):
    sources = registered()
    for code in ("contact_log", ATTENDANCE_FOLLOW_UP, "briefing_acknowledged", "data_check", "celebration",
                 "key_worker_allocated", "wellbeing_follow_up", "agency_contact", "attendance_concern_action"):
        source = sources[code]
        assert source.action is not None and source.action.label and source.action.meets, code
        # Only a contact source offers to log a contact.
        assert (source.action.label == "Log contact") == (code == "contact_log"), code


def test_the_obligation_page_says_what_meets_it_with_the_action(world, client_for, duties):
    o = oblige(world, duties["SCH-5"], child=world.child_a, due_on=D(2026, 11, 19), event=f"abs{world.child_a.pk}-20261118",
               period_start=TODAY, period_end=D(2026, 11, 19))
    html = client_for(world.ta_a).get(f"/obligations/{o.pk}/").content.decode()
    assert "What meets it" in html and "A contact with the family about that child and that absence" in html
    assert f'href="/contacts/new/?family={world.family_a.pk}&amp;absence=abs{world.child_a.pk}-20261118"' in html
    # Settled: no action.
    o.state, o.met_on = ObligationState.MET, TODAY
    o.save()
    html = client_for(world.ta_a).get(f"/obligations/{o.pk}/").content.decode()
    assert "Record the follow-up" not in html and "What meets it" in html


def test_an_own_duty_with_no_page_offers_no_button(world, client_for, duties):
    o = oblige(world, duties["SCH-4"], due_on=D(2026, 11, 20))
    o.family, o.subject_key = None, f"s{world.ta_a.pk}"
    o.save()
    r = client_for(world.ta_a).get("/my-week/")
    assert rows_of(r.context["week"])["SCH-4"].action_url == ""
    assert ">Log contact<" not in r.content.decode()


# Missed: off the lists, one line, a list behind it ----------------------------------------------------------------


@pytest.fixture
def missed(world, duties):
    weekly = duties["SCH-4"]
    out = []
    for monday in (D(2026, 11, 2), D(2026, 11, 9)):  # Autumn 2: counted
        out.append(oblige(world, weekly, due_on=monday + dt.timedelta(days=4), state=ObligationState.MISSED, period_start=monday))
    # Autumn 1: another half term, not counted
    oblige(world, weekly, due_on=D(2026, 10, 16), state=ObligationState.MISSED, period_start=D(2026, 10, 12))
    # teacher_b's family: counted for leaders, not for ta_a
    oblige(world, weekly, family=world.family_b, staff=world.teacher_b, due_on=D(2026, 11, 13), state=ObligationState.MISSED,
           period_start=D(2026, 11, 9))
    oblige(world, weekly, due_on=D(2026, 11, 20), period_start=D(2026, 11, 16))  # still to do
    return out


def test_missed_obligations_are_off_my_week_with_a_one_line_summary(world, client_for, missed):
    r = client_for(world.ta_a).get("/my-week/")
    week = r.context["week"]
    listed = [row.obligation for row in [*week.overdue, *week.due_this_week, *week.coming_up, *week.done_this_week]]
    assert [o.due_on for o in listed] == [D(2026, 11, 20)]
    assert all(o.state != ObligationState.MISSED for o in listed)
    html = r.content.decode()
    assert '<a href="/obligations/missed/">2 missed this half term</a>' in html
    assert "across the settings you lead" not in html  # a key worker who leads nothing


def test_leaders_see_their_settings_figure(world, client_for, missed):
    html = client_for(world.headteacher).get("/my-week/").content.decode()
    assert '<a href="/obligations/missed/?scope=settings">3 missed this half term across the settings you lead</a>' in html


def test_the_missed_list_is_scoped(world, client_for, missed):
    r = client_for(world.ta_a).get("/obligations/missed/")
    assert r.status_code == 200
    assert [o.due_on for o in r.context["page"].object_list] == [D(2026, 11, 13), D(2026, 11, 6)]
    html = r.content.decode()
    assert "The Adams family" in html and "The Brown family" not in html and 'icons.svg#cross"></use></svg> Missed' in html
    assert client_for(world.ta_a).get("/obligations/missed/", {"scope": "settings"}).status_code == 404  # not a leader
    r = client_for(world.headteacher).get("/obligations/missed/", {"scope": "settings"})
    assert {o.family.name for o in r.context["page"].object_list} == {"The Adams family", "The Brown family"}
    assert r.context["page"].paginator.count == 3
    # Another organisation's headteacher sees none of ours, and our missed obligations are not found for them.
    r = client_for(world.outsider).get("/obligations/missed/", {"scope": "settings"})
    assert r.context["page"].paginator.count == 0 and "The Adams family" not in r.content.decode()
    assert client_for(world.outsider).get(f"/obligations/{missed[0].pk}/").status_code == 404


def _missed_page_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/obligations/missed/", {"scope": "settings"})
    assert r.status_code == 200
    return len(ctx.captured_queries), r


def test_the_missed_list_pages_in_a_fixed_number_of_queries(world, client_for, duties):
    weekly = duties["SCH-4"]

    def add(n):
        for _ in range(n):
            f = make_family(world.org)
            make_child(f, world.school, world.class_a)
            allocate(f, world.school, world.ta_a)
            oblige(world, weekly, family=f, due_on=D(2026, 11, 6), state=ObligationState.MISSED, period_start=D(2026, 11, 2))

    add(3)
    client = client_for(world.headteacher)
    small, _ = _missed_page_queries(client)
    add(60)
    large, r = _missed_page_queries(client)
    assert large == small, (small, large)
    assert r.context["page"].paginator.count == 63 and len(r.context["page"].object_list) == 50
    assert "Page 1 of 2" in r.content.decode()
    assert len(client.get("/obligations/missed/", {"scope": "settings", "page": 2}).context["page"].object_list) == 13


# The week of any date ----------------------------------------------------------------------------------------


@pytest.fixture
def weeks(world, duties):
    """Weekly contact: last week's still open (overdue, in its grace), this week's due Friday, next weeks' upcoming;
    the week before last met on its Wednesday."""
    weekly = duties["SCH-4"]
    made = {}
    for monday, state in ((D(2026, 11, 2), ObligationState.MET), (D(2026, 11, 9), ObligationState.OVERDUE),
                          (D(2026, 11, 16), ObligationState.DUE_SOON), (D(2026, 11, 23), ObligationState.UPCOMING),
                          (D(2026, 11, 30), ObligationState.UPCOMING)):
        made[monday] = oblige(world, weekly, due_on=monday + dt.timedelta(days=4), state=state, period_start=monday,
                              met_on=monday + dt.timedelta(days=2) if state == ObligationState.MET else None)
    return made


def sections(client, as_of=None):
    r = client.get("/my-week/", {"as_of": as_of} if as_of else {})
    assert r.status_code == 200
    week = r.context["week"]
    return {name: [row.obligation.due_on for row in rows] for name, rows in (
        ("overdue", week.overdue), ("due", week.due_this_week), ("later", week.coming_up), ("done", week.done_this_week))}, r


def test_this_week(world, client_for, weeks):
    got, r = sections(client_for(world.ta_a))
    assert got == {"overdue": [D(2026, 11, 13)], "due": [D(2026, 11, 20)], "later": [D(2026, 11, 27), D(2026, 12, 4)], "done": []}
    assert "Due this week" in r.content.decode()


def test_a_future_week_lists_what_falls_due_in_it(world, client_for, weeks):
    got, r = sections(client_for(world.ta_a), "2026-11-25")
    # Not today's overdue nor this Friday's: what is due that week, and after it.
    assert got == {"overdue": [], "due": [D(2026, 11, 27)], "later": [D(2026, 12, 4)], "done": []}
    html = r.content.decode()
    assert "Due that week" in html and "Due after that week." in html


def test_a_past_week_lists_what_it_still_owes_and_what_was_done(world, client_for, weeks):
    got, _ = sections(client_for(world.ta_a), "2026-11-10")
    assert got == {"overdue": [], "due": [D(2026, 11, 13)], "later": [D(2026, 11, 20), D(2026, 11, 27), D(2026, 12, 4)], "done": []}
    got, _ = sections(client_for(world.ta_a), "2026-11-04")
    assert got["done"] == [D(2026, 11, 6)] and got["due"] == [] and got["overdue"] == []


def test_a_missed_week_stays_off_whichever_week_is_shown(world, client_for, weeks):
    weeks[D(2026, 11, 9)].state = ObligationState.MISSED
    weeks[D(2026, 11, 9)].save()
    for as_of in (None, "2026-11-10"):
        got, _ = sections(client_for(world.ta_a), as_of)
        assert D(2026, 11, 13) not in [d for days in got.values() for d in days]


# Panels by kind of setting --------------------------------------------------------------------------------------


@pytest.fixture
def nursery(world):
    setting = make_setting(world.org, kind=SettingKind.EARLY_YEARS, name="Little Acorns")
    add_calendar(setting)
    room = make_group(setting, "Bluebells", year_group="")
    practitioner = make_staff(world.org, setting, ["practitioner"], [room], name="Pat Practitioner")
    family = make_family(world.org, "The Nash family")
    make_child(family, setting, room, legal_first_name="Nia", legal_last_name="Nash")
    allocate(family, setting, practitioner)
    return setting, practitioner


CHILDCARE_PANEL = Template('<section class="panel"><h2>{{ panel }}</h2></section>')


@pytest.fixture
def childcare_panel():
    register_week_panel(WeekPanel("test_childcare", 99, CHILDCARE_PANEL, lambda actor, as_of: "Sessions to review", CHILDCARE_KINDS))
    yield
    unregister_week_panel("test_childcare")


def test_a_childcare_practitioner_never_sees_school_panels(world, client_for, nursery, childcare_panel):
    from keyworker.datachecks.panels import build

    _, practitioner = nursery
    assert build(world.actor(practitioner), TODAY) is not None  # it would have something to show
    r = client_for(practitioner).get("/my-week/")
    assert r.status_code == 200
    templates = [t for t, _ in r.context["panels"]]
    assert "datachecks/_week_panel.html" not in templates and "attendance/_week_panel.html" not in templates
    html = r.content.decode()
    assert "SCH-2" not in html and "Data checks this half term" not in html
    assert CHILDCARE_PANEL in templates and "Sessions to review" in html


def test_a_school_never_shows_childcare_panels(world, client_for, childcare_panel):
    r = client_for(world.ta_a).get("/my-week/")
    templates = [t for t, _ in r.context["panels"]]
    assert CHILDCARE_PANEL not in templates and "Sessions to review" not in r.content.decode()
    assert "datachecks/_week_panel.html" in templates  # the school's own


# Recording the follow-up from My week ------------------------------------------------------------------------------


def test_a_follow_up_about_one_absence_does_not_answer_another(world, duties):
    from keyworker.attendance.services import mark_record
    from keyworker.contacts.models import Channel, Tone
    from keyworker.contacts.services import contact_record

    teacher = world.actor(world.teacher_a)
    mark_record(actor=teacher, child=world.child_a, date=D(2026, 11, 16), session="AM", code="N")
    mark_record(actor=teacher, child=world.child_a, date=TODAY, session="AM", code="N")
    contact_record(actor=world.actor(world.ta_a), family=world.family_a, happened_on=TODAY, channel=Channel.PHONE,
                   tone=Tone.NEUTRAL, write_up="Mum says Alfie was at the dentist on Monday.",
                   absence_child=world.child_a, absence_on=D(2026, 11, 16))
    by_day = {o.period_start: o for o in Obligation.objects.filter(child=world.child_a, standard=duties["SCH-5"])}
    assert by_day[D(2026, 11, 16)].state == ObligationState.MET
    assert by_day[TODAY].state != ObligationState.MET
