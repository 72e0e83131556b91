"""The built-in policy templates: the two source policies, clause by clause, as plain data an organisation adopts."""

from dataclasses import dataclass, field

CHILDCARE_KINDS = ("early_years", "out_of_school_care", "youth")
SCHOOL_KINDS = ("school",)


@dataclass(frozen=True)
class StandardTemplate:
    clause: str
    section: str
    title: str
    description: str
    setting_kinds: tuple[str, ...]
    subject: str
    cadence: str
    cadence_n: int
    evidence: str
    responsible: str
    due_soon_days: int
    escalate_after_days: int | None
    escalate_to_roles: tuple[str, ...]
    conditions: dict = field(default_factory=dict)
    evidence_conditions: dict = field(default_factory=dict)
    enabled: bool = True
    event: str = ""
    # "school": the days above (N in the cadence, due soon, escalate after) are school days in the setting's term
    # calendar ("the next school day"); "calendar": every day counts. A school's duties counted in days after
    # something happens (allocation after enrolment, a change acknowledged, an absence challenged, a concern followed
    # up) count school days: no one is in to act during a holiday. Childcare settings, many open all year, count
    # calendar days; weekly and longer cadences count their periods, and reminders before an appointment count
    # calendar days (the family's days, not the school's).
    day_count: str = "calendar"
    grace_school_days: int = 5
    one_off_open_school_days: int = 10

    def fields(self) -> dict:
        """The Standard model's fields, ready to create one."""
        return {
            "clause": self.clause, "title": self.title, "description": self.description, "enabled": self.enabled,
            "setting_kinds": list(self.setting_kinds), "conditions": dict(self.conditions), "subject": self.subject,
            "cadence": self.cadence, "cadence_n": self.cadence_n, "evidence": self.evidence, "event": self.event,
            "evidence_conditions": dict(self.evidence_conditions), "responsible": self.responsible,
            "due_soon_days": self.due_soon_days, "escalate_after_days": self.escalate_after_days,
            "escalate_to_roles": list(self.escalate_to_roles), "day_count": self.day_count,
            "grace_school_days": self.grace_school_days, "one_off_open_school_days": self.one_off_open_school_days,
        }


@dataclass(frozen=True)
class SourceVersion:
    """One row of the source document's own version table (CC-D1)."""

    number: int
    date: str
    author: str
    replaces: str
    comment: str = ""


@dataclass(frozen=True)
class PolicyTemplate:
    code: str
    title: str
    summary: str
    setting_kinds: tuple[str, ...]
    responsible_officer: str
    author: str
    source_effective_from: str
    source_review_on: str
    review_after_months: int
    standards: tuple[StandardTemplate, ...]
    source_versions: tuple[SourceVersion, ...] = ()


# The evidence each template names, in the users' words. Codes without a registered source wait for their records.
EVIDENCE_LABELS = {
    "key_worker_allocated": "A key worker allocated",
    "contact_log": "A contact log with a write-up",
    "celebration": "A celebration recorded",
    "data_check": "A data check confirmed",
    "briefing_acknowledged": "Changes to key aspects acknowledged",
    "attendance_follow_up": "An attendance follow-up",
    "attendance_concern_action": "An action logged on the attendance concern",
    "appointment_reminder": "An appointment reminder sent",
    "review_booklet_shared": "The pupil booklet shared",
    "targets_shared": "Learning targets shared",
    "wellbeing_follow_up": "A wellbeing follow-up",
    "transition_dates_shared": "Transition visit dates shared with the family",
    "transition_write_up_shared": "A transition visit write-up shared with the family",
    "care_plan_review": "A care plan review",
    "observation": "A learning journal observation",
    "induction_completed": "An induction checklist completed",
    "chat_session_offered": "A chat session offered",
    "manager_introduction": "A manager's introduction",
    "enrolment_paperwork": "Enrolment paperwork complete",
    "information_session_attended": "An induction or information session attended",
    "enrolment_checklist": "The enrolment checklist completed",
    "meeting_held": "A meeting with the family held",
    "care_plan_update_child_chose": "A care plan update with the staff member the child chose",
    "agency_contact": "Contact with an outside agency",
    "journal_monitoring": "Learning journals and care plans monitored",
    "manager_attended": "The manager at the meeting",
    "message_answered": "A reply to the carer's message",
    "annual_review_held": "The annual review meeting held",
    "review_invitations_sent": "Review invitations sent",
    "review_papers_circulated": "Advice and papers circulated",
    "review_key_worker_invited": "The key worker invited to the review",
    "review_report_sent": "The review report sent",
    "phase_transfer_review": "A review held before the transfer deadline",
}

# Clauses added with the carers' portal, beyond the source documents' own: a section of their own in each template.
SECTION_MESSAGES = "Messages from families"
# Each carer's message through the portal is answered within this many school days (the templates' default).
MESSAGE_REPLY_SCHOOL_DAYS = 2

SCHOOL_SECTION_ALLOCATION = "Allocation"
SCHOOL_SECTION_MINIMUM = "Minimum standards of the key worker"
SCHOOL_SECTION_REVIEWS = "EHCP annual reviews (SEND Code of Practice 2015, chapter 9)"

SCHOOL = PolicyTemplate(
    code="school_key_worker",
    title="Key worker role: minimum standards",
    summary="A special school's key worker system (Parents / Carers as partners, updated January 2020): "
            "every family has a key worker and ten minimum standards.",
    setting_kinds=SCHOOL_KINDS,
    responsible_officer="Headteacher",
    author="",
    source_effective_from="2020-01-01",
    source_review_on="",
    review_after_months=12,
    standards=(
        StandardTemplate(
            clause="SCH-A1", section=SCHOOL_SECTION_ALLOCATION, title="Every family has a key worker",
            description="“All of our families are allocated a key worker (either the class teacher or a class teaching "
                        "assistant) who will work closely with their child as a main point of contact in school and to "
                        "share and receive information.”",
            setting_kinds=SCHOOL_KINDS, subject="family", cadence="after_enrolment", cadence_n=5,
            evidence="key_worker_allocated", responsible="manager", due_soon_days=2, escalate_after_days=5,
            escalate_to_roles=("headteacher", "deputy_headteacher"), day_count="school",
        ),
        StandardTemplate(
            clause="SCH-1", section=SCHOOL_SECTION_MINIMUM, title="Communications predominantly positive",
            description="“Communications will always be predominantly positive and celebratory.” Face to face contact, "
                        "ClassDojo, Well Done Postcards and Star of the week. At least one celebration each half term.",
            setting_kinds=SCHOOL_KINDS, subject="family", cadence="half_termly", cadence_n=1,
            evidence="celebration", responsible="key_worker", due_soon_days=7, escalate_after_days=None,
            escalate_to_roles=(),
        ),
        StandardTemplate(
            clause="SCH-2", section=SCHOOL_SECTION_MINIMUM, title="Pupil data checked every half term",
            description="“Staff check the pupil data every half term with both parents/carers and the admin office, to "
                        "ensure that all information is up to date and correct.”",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="half_termly", cadence_n=1,
            evidence="data_check", responsible="admin_office", due_soon_days=10, escalate_after_days=10,
            escalate_to_roles=("deputy_headteacher",),
        ),
        StandardTemplate(
            clause="SCH-3", section=SCHOOL_SECTION_MINIMUM, title="Key aspects known and changes shared",
            description="“Key workers will be familiar with all key aspects of the children allocated to them e.g. first "
                        "language / siblings / religion / behaviour plans and risk assessments / Medical needs / "
                        "concerns. Key workers are to be up to date with any changes that may occur and share with the "
                        "class team.” Each change to a child's key aspects is acknowledged by the key worker within 5 school days.",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="after_event", cadence_n=5, event="key_aspects_changed",
            evidence="briefing_acknowledged", responsible="key_worker", due_soon_days=2, escalate_after_days=5,
            escalate_to_roles=("deputy_headteacher",), day_count="school",
        ),
        StandardTemplate(
            clause="SCH-4", section=SCHOOL_SECTION_MINIMUM, title="Weekly contact with parents and carers",
            description="“Key workers will ensure weekly contact with parents / carers using their preferred method of "
                        "communication including ClassDojo / telephone calls / or face to face contact. Parent contact "
                        "logs to be consistently completed when parental contact is made with a brief write up added.”",
            setting_kinds=SCHOOL_KINDS, subject="family", cadence="weekly", cadence_n=1,
            evidence="contact_log", evidence_conditions={"min_words": 5}, responsible="key_worker",
            due_soon_days=2, escalate_after_days=5, escalate_to_roles=("deputy_headteacher",),
        ),
        StandardTemplate(
            clause="SCH-5a", section=SCHOOL_SECTION_MINIMUM, title="Attendance monitored, absences challenged",
            description="“Key workers will monitor the attendance of their allocated pupils and ensure that positive "
                        "attendance is celebrated and absences are challenged. Any concerns relating to attendance, "
                        "following this, are flagged up to the Deputy Head Teacher.” Each unexplained absence (N, O, G "
                        "or U) is challenged with a contact with the family by the next school day.",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="after_event", cadence_n=1, event="unexplained_absence",
            evidence="attendance_follow_up", responsible="key_worker", due_soon_days=1, escalate_after_days=3,
            escalate_to_roles=("deputy_headteacher",), day_count="school",
        ),
        StandardTemplate(
            clause="SCH-5b", section=SCHOOL_SECTION_MINIMUM, title="Attendance concerns followed up",
            description="“Any concerns relating to attendance, following this, are flagged up to the Deputy Head "
                        "Teacher.” Each attendance concern opened or raised to a higher tier (persistent absence, a "
                        "pattern of absence) has an action logged on it within 5 school days.",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="after_event", cadence_n=5,
            event="attendance_concern_raised", evidence="attendance_concern_action", responsible="key_worker",
            due_soon_days=2, escalate_after_days=3, escalate_to_roles=("deputy_headteacher",), day_count="school",
        ),
        StandardTemplate(
            clause="SCH-6", section=SCHOOL_SECTION_MINIMUM, title="Reminders a few days before appointments",
            description="“Key workers are to remind parents / carers about appointments in school / reviews etc a few "
                        "days before the meeting and support them if needed, in completing the all about my family "
                        "section on the EHCP review form.” A reminder is due 3 days before each appointment.",
            setting_kinds=SCHOOL_KINDS, subject="family", cadence="before_event", cadence_n=3, event="appointment",
            evidence="appointment_reminder", responsible="key_worker", due_soon_days=3, escalate_after_days=None,
            escalate_to_roles=(),
        ),
        StandardTemplate(
            clause="SCH-7", section=SCHOOL_SECTION_MINIMUM, title="Pupil booklet shared at the annual review",
            description="“Key workers are invited to attend a part of their allocated pupil's annual review and where it is "
                        "possible the class teacher to swap with the key worker so the pupil booklet can be shared by "
                        "the Key Worker with the families.” Once a year, for children with an EHCP.",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="months", cadence_n=12,
            evidence="review_booklet_shared", conditions={"has_ehcp": True}, responsible="key_worker",
            due_soon_days=14, escalate_after_days=14, escalate_to_roles=("deputy_headteacher",),
        ),
        StandardTemplate(
            clause="SCH-8", section=SCHOOL_SECTION_MINIMUM, title="Learning targets shared every term",
            description="“Key workers will offer support to parent / carers around understanding and supporting their "
                        "child's ‘My Learning Targets’ and the monitoring of homework, giving support and feedback when "
                        "necessary.”",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="termly", cadence_n=1,
            evidence="targets_shared", responsible="key_worker", due_soon_days=10, escalate_after_days=None,
            escalate_to_roles=(),
        ),
        StandardTemplate(
            clause="SCH-9", section=SCHOOL_SECTION_MINIMUM, title="Families who are struggling are followed up",
            description="“Staff are to make aware to LMT any changes in behaviours that may suggest a family are "
                        "struggling and need further support and possibly signposting to other multi agency partners.” "
                        "Each wellbeing concern is followed up within 5 school days.",
            setting_kinds=SCHOOL_KINDS, subject="family", cadence="after_event", cadence_n=5, event="wellbeing_concern",
            evidence="wellbeing_follow_up", responsible="key_worker", due_soon_days=2, escalate_after_days=2,
            escalate_to_roles=("headteacher", "deputy_headteacher", "leadership_team"), day_count="school",
        ),
        StandardTemplate(
            clause="SCH-10a", section=SCHOOL_SECTION_MINIMUM, title="Year 6 families told the transition visit dates",
            description="“Our families are provided with the transition dates prior to them commencing and are kept fully "
                        "informed throughout the well planned visits to ensure a smooth and successful transition to high "
                        "school.” For each leaving pupil's transition plan, the visit dates are shared with the family at "
                        "least 5 days before the first visit (“N days before each event”, the event being the plan's "
                        "first visit). Dates shared any time earlier count: the family holds them from that day.",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="before_event", cadence_n=5,
            event="transition_first_visit", evidence="transition_dates_shared", responsible="key_worker",
            due_soon_days=7, escalate_after_days=None, escalate_to_roles=(),
        ),
        StandardTemplate(
            clause="SCH-10b", section=SCHOOL_SECTION_MINIMUM, title="Each transition visit written up for the family",
            description="“…and are kept fully informed throughout the well planned visits…” After each transition visit "
                        "the key worker records how it went and shares it with the family within 2 school days.",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="after_event", cadence_n=2, event="transition_visit",
            evidence="transition_write_up_shared", responsible="key_worker", due_soon_days=1, escalate_after_days=2,
            escalate_to_roles=("deputy_headteacher",), day_count="school",
        ),
        StandardTemplate(
            clause="SCH-11", section=SECTION_MESSAGES, title="Messages from families answered",
            description="“Key workers will ensure weekly contact with parents / carers using their preferred method of "
                        "communication.” Added with the carers' portal: each message a carer sends through the portal is "
                        "answered by the key worker, or a colleague covering, within 2 school days of reaching the school "
                        "(a message sent out of hours reaches it at the next opening).",
            setting_kinds=SCHOOL_KINDS, subject="family", cadence="after_event", cadence_n=MESSAGE_REPLY_SCHOOL_DAYS,
            event="carer_message_received", evidence="message_answered", responsible="key_worker", due_soon_days=1,
            escalate_after_days=2, escalate_to_roles=("deputy_headteacher",), day_count="school",
        ),
        StandardTemplate(
            clause="SCH-R1", section=SCHOOL_SECTION_REVIEWS, title="EHCP reviewed within 12 months",
            description="“EHC plans must be reviewed by the local authority as a minimum every 12 months.” (SEND Code "
                        "of Practice 9.166) Each review meeting is held at most 12 months after the last (the first "
                        "within 12 months of the plan being issued).",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="after_event", cadence_n=365, event="annual_review_due",
            evidence="annual_review_held", conditions={"has_ehcp": True}, responsible="manager", due_soon_days=42,
            escalate_after_days=7, escalate_to_roles=("headteacher",),
        ),
        StandardTemplate(
            clause="SCH-R2", section=SCHOOL_SECTION_REVIEWS, title="Review invitations sent 2 weeks before",
            description="“…invitations to the meeting must be sent out at least two weeks in advance of the meeting.” "
                        "(SEND Code of Practice 9.176)",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="before_event", cadence_n=14,
            event="annual_review_meeting", evidence="review_invitations_sent", conditions={"has_ehcp": True},
            responsible="manager", due_soon_days=7, escalate_after_days=None, escalate_to_roles=(),
        ),
        StandardTemplate(
            clause="SCH-R3", section=SCHOOL_SECTION_REVIEWS, title="Advice and papers circulated 2 weeks before",
            description="“…send any advice and information gathered to all those invited at least two weeks before the "
                        "meeting.” (SEND Code of Practice 9.176) The family's “All about my family” goes with the papers.",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="before_event", cadence_n=14,
            event="annual_review_meeting", evidence="review_papers_circulated", conditions={"has_ehcp": True},
            responsible="manager", due_soon_days=7, escalate_after_days=None, escalate_to_roles=(),
        ),
        StandardTemplate(
            clause="SCH-R4", section=SCHOOL_SECTION_REVIEWS, title="Key worker invited to the annual review",
            description="“Key workers are invited to attend a part of their allocated pupil's annual review” (SCH-7): "
                        "the key worker is invited with the other invitations, 2 weeks before the meeting.",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="before_event", cadence_n=14,
            event="annual_review_meeting", evidence="review_key_worker_invited", conditions={"has_ehcp": True},
            responsible="manager", due_soon_days=7, escalate_after_days=None, escalate_to_roles=(),
        ),
        StandardTemplate(
            clause="SCH-R5", section=SCHOOL_SECTION_REVIEWS, title="Review report sent within 2 weeks",
            description="“The report must be sent to everyone invited within two weeks of the review meeting.” (SEND "
                        "Code of Practice 9.176) The school sends it to the local authority and everyone invited.",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="after_event", cadence_n=14,
            event="annual_review_meeting", evidence="review_report_sent", conditions={"has_ehcp": True},
            responsible="manager", due_soon_days=5, escalate_after_days=3, escalate_to_roles=("headteacher",),
        ),
        StandardTemplate(
            clause="SCH-R6", section=SCHOOL_SECTION_REVIEWS, title="Phase transfer review by 15 February",
            description="“…the EHC plan must be reviewed and amended by 15 February in the calendar year of the "
                        "transfer.” (SEND Code of Practice 9.179) Transfer years: Nursery (to school) and Year 6 (to "
                        "secondary).",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="after_event", cadence_n=167, event="phase_transfer",
            evidence="phase_transfer_review", conditions={"has_ehcp": True}, responsible="manager", due_soon_days=42,
            escalate_after_days=1, escalate_to_roles=("headteacher",),
        ),
        StandardTemplate(
            clause="SCH-R7", section=SCHOOL_SECTION_REVIEWS, title="Post-16 transfer review by 31 March",
            description="“…for young people moving from secondary school to a post-16 institution … by 31 March in the "
                        "calendar year of the transfer.” (SEND Code of Practice 9.179) Year 11.",
            setting_kinds=SCHOOL_KINDS, subject="child", cadence="after_event", cadence_n=211,
            event="phase_transfer_post16", evidence="phase_transfer_review", conditions={"has_ehcp": True},
            responsible="manager", due_soon_days=42, escalate_after_days=1, escalate_to_roles=("headteacher",),
        ),
    ),
)

CC_SECTION_ALLOCATION = "Key person"
CC_SECTION_PARENTS = "Parents and carers"
CC_SECTION_PRACTITIONER = "The practitioner (key person / key contact)"
CC_SECTION_CHILD = "The child or young person"
CC_SECTION_MANAGER = "The manager"

CHILDCARE = PolicyTemplate(
    code="childcare_key_contact",
    title="Key contact / key worker policy",
    summary="A childcare and youth group's policy (Early Years, Out of School Care, youth service), underpinned by "
            "the Nurture principles.",
    setting_kinds=CHILDCARE_KINDS,
    responsible_officer="All Managers",
    author="Steph Grant",
    source_effective_from="2019-04-02",
    source_review_on="2021-04-02",
    review_after_months=24,
    source_versions=(
        SourceVersion(1, "April 2019", "Steph Grant", "N/A"),
        SourceVersion(2, "April 2019", "Steph Grant", "V1"),
    ),
    standards=(
        StandardTemplate(
            clause="CC-A1", section=CC_SECTION_ALLOCATION, title="Every child has a key person",
            description="“Children and young people thrive best when they have a key person to relate to who knows them "
                        "and their parents well who can ensure their individual needs are met.”",
            setting_kinds=CHILDCARE_KINDS, subject="family", cadence="after_enrolment", cadence_n=5,
            evidence="key_worker_allocated", responsible="manager", due_soon_days=2, escalate_after_days=5,
            escalate_to_roles=("manager",),
        ),
        StandardTemplate(
            clause="CC-P1", section=CC_SECTION_PARENTS, title="Enrolment information and paperwork complete",
            description="“Provide their Key Worker with detailed information and complete all relevant paperwork relating "
                        "to their child which will support their child's initial transition in to the service.” and "
                        "“Provide staff with appropriate information and updates regarding your child's health and "
                        "wellbeing for example allergies, support from outside agencies, family circumstance.” The "
                        "enrolment paperwork is complete within 14 days; later updates are recorded as key aspects.",
            setting_kinds=CHILDCARE_KINDS, subject="child", cadence="after_enrolment", cadence_n=14,
            evidence="enrolment_paperwork", responsible="key_worker", due_soon_days=5, escalate_after_days=7,
            escalate_to_roles=("manager",),
        ),
        StandardTemplate(
            clause="CC-P2", section=CC_SECTION_PARENTS, title="Parents invited to induction and information sessions",
            description="“To attend, where possible any induction/ information/parent sessions that provide detailed "
                        "information regarding your child's wellbeing and development.” Each new family is offered one "
                        "within 28 days of starting, and whether they came is recorded.",
            setting_kinds=CHILDCARE_KINDS, subject="family", cadence="after_enrolment", cadence_n=28,
            evidence="information_session_attended", responsible="manager", due_soon_days=7, escalate_after_days=None,
            escalate_to_roles=(),
        ),
        StandardTemplate(
            clause="CC-K1", section=CC_SECTION_PRACTITIONER, title="Enrolment facilitated by the key person",
            description="“Facilitate enrolment for the child and family ensuring that relevant paperwork is completed.” "
                        "(Out of School Care and youth: “Where possible, be present at the enrolment …”) The key person "
                        "completes the enrolment checklist within 7 days.",
            setting_kinds=CHILDCARE_KINDS, subject="child", cadence="after_enrolment", cadence_n=7,
            evidence="enrolment_checklist", responsible="key_worker", due_soon_days=2, escalate_after_days=3,
            escalate_to_roles=("manager",),
        ),
        StandardTemplate(
            clause="CC-K2", section=CC_SECTION_PRACTITIONER, title="Families met at parents' evenings or when required",
            description="“Meet with families during parent's evenings or at other times when required.” A meeting with "
                        "each family every term.",
            setting_kinds=("early_years",), subject="family", cadence="termly", cadence_n=1,
            evidence="meeting_held", responsible="key_worker", due_soon_days=14, escalate_after_days=None,
            escalate_to_roles=(),
        ),
        StandardTemplate(
            clause="CC-K3", section=CC_SECTION_PRACTITIONER, title="Personal care plan reviewed every term",
            description="“Ensure that the child's personal care plan is reviewed termly as a minimum.” Termly is the "
                        "stricter of this policy and Scotland's six-monthly review, so it applies everywhere.",
            setting_kinds=CHILDCARE_KINDS, subject="child", cadence="termly", cadence_n=1,
            evidence="care_plan_review", responsible="key_worker", due_soon_days=14, escalate_after_days=14,
            escalate_to_roles=("manager",),
        ),
        StandardTemplate(
            clause="CC-K4", section=CC_SECTION_PRACTITIONER, title="Observations up to date",
            description="“Plan for the child's learning taking into consideration observed interests, schematic approaches "
                        "or developmental needs as appropriate. Ensure that learning journals are updated and that "
                        "learning is tracked.” One observation every two weeks.",
            setting_kinds=("early_years",), subject="child", cadence="weekly", cadence_n=2,
            evidence="observation", responsible="key_worker", due_soon_days=3, escalate_after_days=7,
            escalate_to_roles=("manager",),
        ),
        StandardTemplate(
            clause="CC-K5", section=CC_SECTION_PRACTITIONER, title="Induction in the first week",
            description="“Share information with parent and child / young person during first week within service, "
                        "outlining key points from Children & Young People Handbook e.g. fire evacuation, tour of "
                        "spaces, snack etc.” The induction checklist is complete by the end of the child's first week: "
                        "within 4 working days of the first day (the setting's open days: a Monday start is due on "
                        "the Friday).",
            setting_kinds=CHILDCARE_KINDS, subject="child", cadence="after_enrolment", cadence_n=4,
            evidence="induction_completed", responsible="key_worker", due_soon_days=2, escalate_after_days=3,
            escalate_to_roles=("manager",), day_count="school",
        ),
        StandardTemplate(
            clause="CC-K6", section=CC_SECTION_PRACTITIONER, title="Chat sessions offered",
            description="“Ensure child / young person is offered chat sessions and regularly checking and updating the "
                        "child / young person's chat session sheet. … The Key Contact holds the responsibility of "
                        "ensuring children have been able to access these.” At least once each half term.",
            setting_kinds=("out_of_school_care", "youth"), subject="child", cadence="half_termly", cadence_n=1,
            evidence="chat_session_offered", responsible="key_worker", due_soon_days=7, escalate_after_days=7,
            escalate_to_roles=("manager",),
        ),
        StandardTemplate(
            clause="CC-K7", section=CC_SECTION_PRACTITIONER, title="Communication passed on and recorded",
            description="“Ensure that communication and information is passed to the parent/ carer or colleague when "
                        "required.” Each contact is recorded with a brief write-up; at least one recorded contact with "
                        "each family every two weeks.",
            setting_kinds=("out_of_school_care", "youth"), subject="family", cadence="weekly", cadence_n=2,
            evidence="contact_log", evidence_conditions={"min_words": 5}, responsible="key_worker",
            due_soon_days=3, escalate_after_days=7, escalate_to_roles=("manager",),
        ),
        StandardTemplate(
            clause="CC-C1", section=CC_SECTION_CHILD, title="The child chooses who updates their care plan",
            description="“Have the option to choose any staff member to complete their Care Plan updates with them "
                        "depending on their mood, relationships and/ or needs that day.” Each term's care plan update "
                        "records the staff member the child chose.",
            setting_kinds=("out_of_school_care", "youth"), subject="child", cadence="termly", cadence_n=1,
            evidence="care_plan_update_child_chose", responsible="key_worker", due_soon_days=14,
            escalate_after_days=None, escalate_to_roles=(),
        ),
        StandardTemplate(
            clause="CC-M1", section=CC_SECTION_MANAGER, title="Manager introduces themselves to new families",
            description="“Introduce themselves to all new children and their families to assist in building "
                        "relationships.”",
            setting_kinds=CHILDCARE_KINDS, subject="family", cadence="after_enrolment", cadence_n=14,
            evidence="manager_introduction", responsible="manager", due_soon_days=3, escalate_after_days=7,
            escalate_to_roles=("manager",),
        ),
        StandardTemplate(
            clause="CC-M2", section=CC_SECTION_MANAGER, title="Outside agencies contacted when support is needed",
            description="“Where additional support is required the manager will contact the appropriate agencies to "
                        "ensure the correct support and advice is provided and regular communication is maintained.” "
                        "Each wellbeing concern is followed by the manager's contact with an agency within 5 days.",
            setting_kinds=CHILDCARE_KINDS, subject="family", cadence="after_event", cadence_n=5,
            event="wellbeing_concern", evidence="agency_contact", responsible="manager", due_soon_days=2,
            escalate_after_days=3, escalate_to_roles=("manager",),
        ),
        StandardTemplate(
            clause="CC-M3", section=CC_SECTION_MANAGER, title="Learning journals and care plans monitored",
            description="“Monitor learning journals ensuring that observations are up to date and of a high standard.” "
                        "(Out of School Care and youth: “Monitor care plans ensuring that records are up to date and of a "
                        "high standard.”) The manager signs off a monitoring check of the setting every month.",
            setting_kinds=CHILDCARE_KINDS, subject="setting", cadence="months", cadence_n=1,
            evidence="journal_monitoring", responsible="manager", due_soon_days=5, escalate_after_days=None,
            escalate_to_roles=(),
        ),
        StandardTemplate(
            clause="CC-M4", section=CC_SECTION_MANAGER, title="Manager attends relevant meetings",
            description="“Attend relevant meetings relating to the child/ young person’s development and wellbeing.” The "
                        "manager's attendance at each support meeting (a review or multi-agency meeting) is recorded "
                        "within 2 days of it.",
            setting_kinds=("out_of_school_care", "youth"), subject="family", cadence="after_event", cadence_n=2, event="support_meeting",
            evidence="manager_attended", responsible="manager", due_soon_days=1, escalate_after_days=None,
            escalate_to_roles=(),
        ),
        StandardTemplate(
            clause="CC-K8", section=SECTION_MESSAGES, title="Messages from families answered",
            description="“Ensure that communication and information is passed to the parent/ carer or colleague when "
                        "required.” Added with the carers' portal: each message a carer sends through the portal is "
                        "answered by the key person, or a colleague covering, within 2 working days of reaching the "
                        "setting (a message sent out of hours reaches it at the next opening).",
            setting_kinds=CHILDCARE_KINDS, subject="family", cadence="after_event", cadence_n=MESSAGE_REPLY_SCHOOL_DAYS,
            event="carer_message_received", evidence="message_answered", responsible="key_worker", due_soon_days=1,
            escalate_after_days=2, escalate_to_roles=("manager",), day_count="school",
        ),
    ),
)

TEMPLATES: dict[str, PolicyTemplate] = {t.code: t for t in (SCHOOL, CHILDCARE)}


def template(code: str) -> PolicyTemplate | None:
    return TEMPLATES.get(code)


def section_of(template_code: str, clause: str) -> str:
    """The heading a clause sits under in its source document, or "Other standards" for clauses added later."""
    t = TEMPLATES.get(template_code)
    found = next((s.section for s in t.standards if s.clause == clause), None) if t else None
    return found or "Other standards"


def evidence_label(code: str) -> str:
    from .evidence import evidence_source

    source = evidence_source(code)
    if source is not None:
        return source.label
    return EVIDENCE_LABELS.get(code, code.replace("_", " ").capitalize())
