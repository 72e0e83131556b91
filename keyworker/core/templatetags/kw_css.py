"""A percentage as a whole number 0–100, for the width classes (w-0 … w-100) that replace inline styles.

The Content Security Policy allows no style="…" attributes, so bars take a class: `class="w-{{ share|pct }}"`.
"""

from django import template

register = template.Library()


@register.filter
def pct(value) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0
    if number != number:  # NaN
        return 0
    return max(0, min(100, round(number)))
