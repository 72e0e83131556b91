"""`{% icon "warning" %}`: an SVG icon from the sprite in core static, hidden from screen readers (the words beside it
say what it means). Never an emoji or a pictograph character: they differ between devices and are read out oddly."""

from django import template
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
        name, f" {extra_class}" if extra_class else "", static("core/icons.svg"), name,
    )
