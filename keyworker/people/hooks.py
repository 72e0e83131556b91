"""Callbacks run when a child's key aspects or a carer's e-mail address change, so other apps can react without this
app importing them.

A key aspects callback is called inside the change's transaction, after the change rows are written, as
`callback(child, changes, actor)` with the list of KeyAspectChange rows written together (one batch).

A carer's e-mail callback is called inside the change's transaction, after the carers are saved, as
`callback(changes, actor)` with a list of `(carer, address_before)`; a RuleViolation it raises refuses the whole
change (nothing is saved), with its message on the e-mail field.
"""

from collections.abc import Callable

KeyAspectsChanged = Callable[..., None]

_ON_KEY_ASPECTS_CHANGED: dict[str, KeyAspectsChanged] = {}
_ON_MANY: dict[str, Callable[..., None]] = {}


def register_key_aspects_changed(code: str, callback: KeyAspectsChanged,
                                 many: Callable[..., None] | None = None) -> None:
    """Add (or replace) the callback named `code`; registering twice keeps one. `many(batches, actor)`, if given,
    takes the changes to many children at once (`batches`: a list of `(child, changes)`), in a fixed number of
    queries; without it a batch calls `callback` once per child."""
    _ON_KEY_ASPECTS_CHANGED[code] = callback
    if many is not None:
        _ON_MANY[code] = many
    else:
        _ON_MANY.pop(code, None)


def unregister_key_aspects_changed(code: str) -> None:
    _ON_KEY_ASPECTS_CHANGED.pop(code, None)
    _ON_MANY.pop(code, None)


def on_key_aspects_changed(child, changes: list, actor) -> None:
    """Tell every registered callback about one batch of changes to one child's key aspects."""
    for callback in list(_ON_KEY_ASPECTS_CHANGED.values()):
        callback(child, changes, actor)


def on_many_key_aspects_changed(batches: list, actor) -> None:
    """Tell every registered callback about changes to many children's key aspects (one batch per child)."""
    for code, callback in list(_ON_KEY_ASPECTS_CHANGED.items()):
        many = _ON_MANY.get(code)
        if many is not None:
            many(batches, actor)
        else:
            for child, changes in batches:
                callback(child, changes, actor)


CarerEmailChanged = Callable[..., None]

_ON_CARER_EMAIL_CHANGED: dict[str, CarerEmailChanged] = {}


def register_carer_email_changed(code: str, callback: CarerEmailChanged) -> None:
    """Add (or replace) the callback named `code`, told of every change of carers' e-mail addresses."""
    _ON_CARER_EMAIL_CHANGED[code] = callback


def unregister_carer_email_changed(code: str) -> None:
    _ON_CARER_EMAIL_CHANGED.pop(code, None)


def on_carer_email_changed(changes: list, actor) -> None:
    """Tell every registered callback which carers' addresses changed: `changes` is a list of `(carer, before)`."""
    if not changes:
        return
    for callback in list(_ON_CARER_EMAIL_CHANGED.values()):
        callback(changes, actor)
