"""End-to-end journeys in headless Chromium: what each persona does and sees."""

import re

import pytest
from playwright.sync_api import expect

from browser_tests.helpers import join_other_organisation, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["tablet", "phone"])
def test_key_worker_updates_a_childs_allergies(world, open_page, viewport):
    page = sign_in(open_page(viewport), world.ta_a)

    expect(page).to_have_url(re.compile(r"/my-week/$"))  # key workers land on My week
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My families").click()
    expect(page).to_have_url(re.compile(r"/families/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My families")
    card = page.locator(".card", has=page.get_by_role("heading", name="The Adams family"))
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="Alfie Adams")).to_be_visible()
    carer = world.family_a.carers.get()
    expect(card.get_by_role("listitem").filter(has_text=carer.full_name)).to_contain_text("Prefers: Phone")
    expect(card.get_by_role("link", name="07700 900123")).to_have_attribute("href", "tel:07700 900123")
    expect(page.get_by_role("heading", name="The Brown family")).to_have_count(0)

    card.get_by_role("link", name="Alfie Adams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alfie Adams")
    expect(page.get_by_text("No changes recorded yet.")).to_be_visible()

    page.get_by_role("link", name="Update key aspects").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Key aspects of Alfie Adams")
    page.get_by_label("Allergies").fill("Peanuts: carries an adrenaline pen")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Alfie Adams")
    expect(page.get_by_role("status")).to_contain_text("Saved 1 change to Alfie Adams's key aspects.")
    aspects = page.locator("section", has=page.get_by_role("heading", name="Key aspects"))
    expect(aspects).to_contain_text("Peanuts: carries an adrenaline pen")
    changes = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Who"))
    row = changes.get_by_role("row").filter(has_text="Allergies")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Kim Keyworker")
    expect(row).to_contain_text("Peanuts: carries an adrenaline pen")


def test_headteacher_allocates_and_reassigns(world, open_page):
    page = sign_in(open_page("desktop"), world.headteacher)

    expect(page).to_have_url(re.compile(r"/compliance/$"))  # leaders land on Compliance
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Allocation").click()
    expect(page).to_have_url(re.compile(r"/allocation/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Key workers at Test Primary")
    expect(page.locator(".lead")).to_contain_text("3 families on roll; 1 without a key worker.")
    unallocated = page.locator("section", has=page.get_by_role("heading", name="Families without a key worker"))
    expect(unallocated.get_by_role("row").filter(has_text="The Cole family")).to_contain_text("Cara Cole (Ash)")
    caseloads = page.locator("section", has=page.get_by_role("heading", name="Caseload sizes"))
    expect(caseloads.get_by_role("row").filter(has_text="Kim Keyworker")).to_contain_text("1")
    expect(caseloads.get_by_role("row").filter(has_text="Ben Teacher")).to_contain_text("1")
    expect(caseloads.get_by_role("row").filter(has_text="Tara Teacher")).to_contain_text("0")

    unallocated.get_by_label("Key worker for The Cole family").select_option(label="Tara Teacher")
    unallocated.get_by_role("button", name="Allocate").click()

    expect(page.get_by_role("status")).to_contain_text("Tara Teacher is now the key worker for The Cole family.")
    expect(page.get_by_text("Every family at Test Primary has a key worker.")).to_be_visible()
    expect(page.get_by_role("link", name="The Cole family")).to_have_count(0)
    tara = caseloads.get_by_role("row").filter(has_text="Tara Teacher")
    expect(tara.get_by_role("cell").nth(2)).to_have_text("1")

    page.goto(f"/allocation/families/{world.family_a.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Key worker for The Adams family")
    expect(page.locator(".lead")).to_contain_text("Now: Kim Keyworker")
    page.get_by_label("Key worker", exact=True).select_option(label="Tara Teacher")
    page.get_by_role("textbox", name="Reason").fill("Kim moves to Year 5 in January")
    page.get_by_role("button", name="Reassign").click()

    expect(page.get_by_role("status")).to_contain_text("Tara Teacher is now the key worker for The Adams family.")
    expect(page.locator(".lead")).to_contain_text("Now: Tara Teacher")
    history = page.locator("table").filter(has=page.get_by_role("columnheader", name="Reason"))
    new_row = history.get_by_role("row").filter(has_text="Tara Teacher")
    expect(new_row).to_contain_text("Kim moves to Year 5 in January")
    expect(new_row).to_contain_text("Helen Head")
    expect(new_row.get_by_role("cell").nth(3)).to_have_text("now")
    old_row = history.get_by_role("row").filter(has_text="Kim Keyworker")
    expect(old_row.get_by_role("cell").nth(3)).not_to_have_text("now")
    expect(old_row).to_contain_text("Ended: Kim moves to Year 5 in January")


def test_child_protection_needs_a_teacher(world, open_page):
    world.child_b.protection_status = "child_protection_plan"
    world.child_b.save()
    page = sign_in(open_page("tablet"), world.headteacher)

    page.goto(f"/allocation/families/{world.family_b.pk}/")
    expect(page.get_by_text("Only a teacher may be this family's key worker.")).to_be_visible()
    choices = page.get_by_label("Key worker", exact=True)
    # Nobody who is not a teacher is offered (the service refuses one posted anyway: see the caseload tests).
    expect(choices.locator("option", has_text="Sam Safeguarding")).to_have_count(0)
    expect(choices.locator("option", has_text="Kim Keyworker")).to_have_count(0)
    expect(page.locator(".lead")).to_contain_text("Now: Ben Teacher")


def test_outsider_cannot_open_another_organisations_family(world, open_page):
    page = sign_in(open_page("desktop"), world.outsider)

    response = page.goto(f"/families/{world.family_a.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("The Adams family")).to_have_count(0)

    response = page.goto(f"/families/children/{world.child_a.pk}/")
    assert response.status == 404
    expect(page.get_by_text("Alfie Adams")).to_have_count(0)


def test_someone_working_for_two_organisations_switches_between_them(world, open_page):
    join_other_organisation(world, world.headteacher)
    page = sign_in(open_page("tablet"), world.headteacher)

    # With no choice made yet, the first organisation by name: "Other School …" before "Test School …".
    switcher = page.get_by_label("Organisation")
    expect(switcher.locator("option:checked")).to_have_text(world.other_org.name)
    page.get_by_role("link", name="Families").click()
    expect(page.get_by_role("link", name="The Zed family")).to_be_visible()

    switcher.select_option(label=world.org.name)
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_label("Organisation").locator("option:checked")).to_have_text(world.org.name)
    page.get_by_role("link", name="Families").click()
    expect(page.get_by_role("link", name="The Adams family")).to_be_visible()
    expect(page.get_by_role("link", name="The Zed family")).to_have_count(0)


def test_sign_out(world, open_page):
    page = sign_in(open_page("phone"), world.ta_a)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Keyworker")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.goto("/families/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/families/"))
    expect(page.get_by_text("The Adams family")).to_have_count(0)


def test_wrong_password_is_refused(world, open_page):
    page = open_page("tablet")
    page.goto("/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(world.ta_a.user.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("The e-mail address or password is not right.")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def _adopt_school_policy(world):
    import datetime as dt

    from keyworker.standards.services import policy_adopt_builtin

    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=dt.date(2026, 11, 18))


def test_key_worker_logs_a_call_from_my_week_then_a_star_of_the_week(world, open_page):
    _adopt_school_policy(world)
    page = sign_in(open_page("tablet"), world.ta_a)
    expect(page).to_have_url(re.compile(r"/my-week/$"))
    this_week = page.locator("section", has=page.get_by_role("heading", name=re.compile("Due this week")))
    card = this_week.locator(".week-card").filter(has_text="The Adams family")
    due = card.locator(".duty").filter(has_text=re.compile(r"Weekly contact.*\(SCH-4\)")).first
    expect(due).to_be_visible()
    due.get_by_role("link", name="Log contact for The Adams family (SCH-4)").click()

    page.get_by_role("radio", name="Phone call", exact=True).check()
    page.get_by_role("radio", name="Positive", exact=True).check()
    page.get_by_label("Write-up").fill("Rang mum: Alfie enjoyed swimming and has his kit for Thursday again.")
    page.get_by_role("button", name="Save contact").click()

    expect(page).to_have_url(re.compile(r"/my-week/$"))
    done = page.locator("section", has=page.get_by_role("heading", name=re.compile("Done this week")))
    expect(done.locator(".week-card").filter(has_text="The Adams family").locator(".duty").filter(has_text=re.compile(r"Weekly contact.*\(SCH-4\)"))).to_contain_text("Met")

    page.goto(f"/families/{world.family_a.pk}/")
    page.get_by_role("link", name="Record a celebration", exact=True).click()
    page.get_by_role("radio", name="Star of the week", exact=True).check()
    page.get_by_label("What it is for").fill("Helping a new classmate find their way round school")
    page.get_by_role("button", name="Save celebration").click()

    page.goto(f"/families/{world.family_a.pk}/timeline/")
    timeline = page.get_by_role("list", name="Timeline, newest first")
    expect(timeline).to_contain_text("Star of the week")
    expect(timeline).to_contain_text("Phone call, positive")


def test_a_teacher_acknowledges_a_changed_allergy(world, open_page):
    from keyworker.people.services import key_aspects_update

    key_aspects_update(actor=world.actor(world.ta_a), child=world.child_a, changes={"allergies": "Sesame"})
    page = sign_in(open_page("tablet"), world.teacher_a)
    page.goto("/briefings/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("Sesame").first).to_be_visible()
    page.get_by_role("button", name=re.compile("I have read")).first.click()
    page.wait_for_load_state("load")
    from keyworker.briefings.models import BriefingRecipient

    assert BriefingRecipient.objects.filter(staff=world.teacher_a, acknowledged_at__isnull=False).exists()


def test_a_concern_reaches_the_team_and_nobody_else(world, open_page):
    page = sign_in(open_page("tablet"), world.ta_a)
    page.goto(f"/safeguarding/raise/?child={world.child_a.pk}")
    page.get_by_role("radio", name="Physical abuse").check()
    page.get_by_label("What did you see or hear?").fill(
        "Alfie said a neighbour called Zebedee pushed him over on the way home yesterday.")
    page.get_by_label("Time it happened").fill("08:45")
    page.get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.get_by_text(re.compile("Sent to the safeguarding team"))).to_be_visible()
    expect(page.get_by_text("Zebedee")).to_have_count(0)
