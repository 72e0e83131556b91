"""`{% icon "warning" %}`: an SVG icon from the sprite in core static, hidden from screen readers (the words beside it
say what it means). Never an emoji or a pictograph character: they differ between devices and are read out oddly."""

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

NAMES = frozenset({"check", "cross", "warning", "lock", "star", "clock", "hourglass", "pencil", "circle", "dot", "up",
                   "info", "dash", "half"})
# The characters older values still carry (a state's "icon" in the standards app), drawn as the icon they stood for.
CHARACTERS = {
    "✓": "check", "✔": "check", "✅": "check", "✗": "cross", "✕": "cross", "❌": "cross", "⚠": "warning",
    "🔒": "lock", "★": "star", "⭐": "star", "◷": "clock", "⏰": "clock", "⏳": "hourglass", "✎": "pencil",
    "○": "circle", "●": "dot", "•": "dot", "▲": "up", "–": "dash", "◐": "half", "!": "warning",
}


@lru_cache(maxsize=1)
def sprite() -> str:
    """The sprite's address, asked of the static files storage once (in production a hashed name from its manifest):
    a page of a thousand cells draws a thousand icons."""
    return static("core/icons.svg")


@receiver(setting_changed)
def _forget_sprite(setting: str, **kwargs) -> None:
    if setting in ("STATIC_URL", "STORAGES"):
        sprite.cache_clear()


def icon_name(value: str) -> str:
    value = (value or "").strip().replace("\ufe0f", "")
    return value if value in NAMES else CHARACTERS.get(value, "")


@register.simple_tag
def icon(value: str, extra_class: str = ""):
    """The icon named (or the one a legacy character stood for); nothing for an unknown name."""
    name = icon_name(value)
    if not name:
        return ""
    return format_html(
        '<svg class="icon icon--{}{}" aria-hidden="true" focusable="false" width="16" height="16"><use href="{}#{}"></use></svg>',
        name, f" {extra_class}" if extra_class else "", sprite(), name,
    )
