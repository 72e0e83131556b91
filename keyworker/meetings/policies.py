"""Who may do what with meetings. Pages, services and the API all ask here."""


# --- Reminders before appointments (SCH-6) and calendars ---------------------------------------------------------

def leads_setting(actor, setting_id: int) -> bool:
    from keyworker.accounts.capabilities import LEADS_SETTING

    return actor.can(LEADS_SETTING, setting_id)


def may_tick_off_reminder(actor, reminder) -> bool:
    """The key worker whose task it is, or a leader of the appointment's setting, ticks off a reminder."""
    if not getattr(actor, "is_member", False) or actor.organisation_id != reminder.organisation_id:
        return False
    return reminder.key_worker_id == actor.staff.pk or leads_setting(actor, reminder.appointment.setting_id)


def may_have_calendar(actor) -> bool:
    """Every member of staff has a private calendar address of the appointments they are invited to or made."""
    return bool(getattr(actor, "is_member", False))
