"""Every table whose rows belong to an organisation carries `organisation_id`; a new model without it, and without a
reason below, fails. (That no request reads another organisation's rows is checked on the demo's two organisations
in test_permission_matrix.py, `test_no_request_reads_another_organisations_rows`, which shares its data.)"""

from django.apps import apps

from keyworker.organisations.models import Organisation

# Models of keyworker apps without an organisation_id column, and why their rows belong to no single organisation.
NOT_OWNED = {
    "organisations.Organisation": "the tenant itself",
    "accounts.User": "a person signs in once, whatever organisations they belong to (their memberships carry it)",
    "accounts.User_groups": "Django's permission groups of the installation's operators (the admin site)",
    "accounts.User_user_permissions": "Django's permissions of the installation's operators (the admin site)",
    "accounts.ApiToken": "a person's key: it acts in whichever of their organisations a request names",
    "accounts.ConfirmationFailure": "a person's wrong passwords, counted across their organisations",
    "notifications.Delivery": "one attempt to send one notification, which carries the organisation",
    "notifications.Lease": "a named piece of the installation's background work",
    "notifications.NotificationPreference": "a person's own choice, the same in every organisation",
    "attendance.AttendanceCode": "reference data of a jurisdiction, shared by every organisation there",
    "portal.SignInLinkRequest": "a digest of an address that asked for a link: maybe nobody's, maybe several's",
}
# The plumbing knows no domain (architecture.md): its tables carry the id as a plain column, not a foreign key.
PLAIN_ID_APPS = {"core", "notifications"}


def _keyworker_models():
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.app_config.name.startswith("keyworker.")]


def _column(model):
    return next((f for f in model._meta.concrete_fields if f.column == "organisation_id"), None)


def _join_of_owned_tables(model) -> bool:
    """A many-to-many table Django makes, whose both sides carry organisation_id."""
    if not model._meta.auto_created:
        return False
    sides = [f.related_model for f in model._meta.concrete_fields if f.is_relation]
    return len(sides) == 2 and all(_column(side) is not None for side in sides)


def test_every_organisations_table_carries_organisation_id():
    missing = [m._meta.label for m in _keyworker_models()
               if _column(m) is None and m._meta.label not in NOT_OWNED and not _join_of_owned_tables(m)]
    assert not missing, ("models without organisation_id: add the column (OrganisationOwned), or say in NOT_OWNED "
                         "why their rows belong to no organisation: " + ", ".join(missing))


def test_the_allow_list_names_only_models_without_it():
    labels = {m._meta.label: m for m in _keyworker_models()}
    stale = [label for label in NOT_OWNED if label not in labels or _column(labels[label]) is not None]
    assert not stale, f"NOT_OWNED names models that are gone or now carry organisation_id: {stale}"


def test_organisation_id_is_a_foreign_key_above_the_plumbing():
    wrong = []
    for model in _keyworker_models():
        column = _column(model)
        if column is None or model._meta.app_label in PLAIN_ID_APPS:
            continue
        if not column.is_relation or column.related_model is not Organisation:
            wrong.append(model._meta.label)
    assert not wrong, f"organisation_id should be a foreign key to Organisation in: {wrong}"
