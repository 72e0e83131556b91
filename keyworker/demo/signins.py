"""The demo's sign-ins, read back from the database (for printing when the demo already exists)."""

from keyworker.accounts.models import StaffRole

from .builder import GROUP_SLUG, SCHOOL_SLUG, SignIn

WANTED = [
    (SCHOOL_SLUG, "headteacher", "Headteacher"),
    (SCHOOL_SLUG, "deputy_headteacher", "Deputy headteacher"),
    (SCHOOL_SLUG, "safeguarding_lead", "Safeguarding lead (TA4)"),
    (SCHOOL_SLUG, "admin_office", "Admin office"),
    (GROUP_SLUG, "manager", "Manager (early years)"),
]


def current_sign_ins() -> list[SignIn]:
    out = []
    for slug, code, label in WANTED:
        sr = StaffRole.objects.select_related("staff__user", "organisation").filter(organisation__slug=slug, role__code=code).order_by("id").first()
        if sr:
            out.append(SignIn(label, sr.staff.user.full_name, sr.staff.user.email, sr.organisation.name))
    from keyworker.caseload.models import KeyWorkerAllocation

    for slug, label in [(SCHOOL_SLUG, "Key worker (teaching assistant)"), (GROUP_SLUG, "Key person (practitioner)")]:
        a = (KeyWorkerAllocation.objects.filter(organisation__slug=slug, ends_at__isnull=True, staff__staff_roles__role__code__in=["teaching_assistant", "practitioner"])
             .select_related("staff__user", "organisation").order_by("id").first())
        if a:
            out.append(SignIn(label, a.staff.user.full_name, a.staff.user.email, a.organisation.name))
    return out


CARER_ROLE = "Carer (no password: /family/sign-in/, the link is in demo-emails/)"


def carer_sign_in() -> list[SignIn]:
    """The demo carer who signs in to the carers' portal with an e-mailed link."""
    from keyworker.portal.demo import demo_carer_sign_in

    found = demo_carer_sign_in()
    return [SignIn(CARER_ROLE, found[0], found[1], found[2])] if found else []
