"""Callbacks run when a child's key aspects change, so other apps can react without this app importing them.

A callback is called inside the change's transaction, after the change rows are written, as
`callback(child, changes, actor)` with the list of KeyAspectChange rows written together (one batch).
"""

from collections.abc import Callable

KeyAspectsChanged = Callable[..., None]

_ON_KEY_ASPECTS_CHANGED: dict[str, KeyAspectsChanged] = {}


def register_key_aspects_changed(code: str, callback: KeyAspectsChanged) -> None:
    """Add (or replace) the callback named `code`; registering twice keeps one."""
    _ON_KEY_ASPECTS_CHANGED[code] = callback


def unregister_key_aspects_changed(code: str) -> None:
    _ON_KEY_ASPECTS_CHANGED.pop(code, None)


def on_key_aspects_changed(child, changes: list, actor) -> None:
    """Tell every registered callback about one batch of changes to one child's key aspects."""
    for callback in list(_ON_KEY_ASPECTS_CHANGED.values()):
        callback(child, changes, actor)
