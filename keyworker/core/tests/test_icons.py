"""Icons are SVG from the sprite in core static, hidden from screen readers beside words; never emoji or pictograph
characters on a page. The site has an icon (favicon) in every page's head and at /favicon.ico."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template

import keyworker

ROOT = Path(keyworker.__file__).resolve().parent
SPRITE = ROOT / "core" / "static" / "core" / "icons.svg"
# Emoji and pictographs: dingbats, symbols, arrows-as-pictures, emoji planes, the emoji variation selector.
PICTOGRAPHS = re.compile("[\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2900-\u2bff\U0001f000-\U0001faff\ufe0f]")
# Pages still to move to the sprite (their states' characters are drawn by {% icon %} once they use it).
NOT_YET: set[str] = set()


def test_the_icon_tag_draws_the_sprites_symbol_hidden_from_screen_readers():
    html = Template('{% load icons %}<span class="tag">{% icon "warning" %} Overdue</span>{% icon level %}{% icon "nope" %}').render(
        Context({"level": "✓"}))
    assert html == ('<span class="tag"><svg class="icon icon--warning" aria-hidden="true" focusable="false" width="16" '
                    'height="16"><use href="/static/core/icons.svg#warning"></use></svg> Overdue</span>'
                    '<svg class="icon icon--check" aria-hidden="true" focusable="false" width="16" height="16">'
                    '<use href="/static/core/icons.svg#check"></use></svg>')


def test_every_icon_named_is_in_the_sprite():
    from keyworker.core.templatetags.icons import CHARACTERS, NAMES

    symbols = set(re.findall(r'<symbol id="([\w-]+)"', SPRITE.read_text()))
    assert NAMES <= symbols and set(CHARACTERS.values()) <= NAMES
    named = {m for p in ROOT.rglob("templates/**/*.html") for m in re.findall(r'\{% icon "([\w-]+)"', p.read_text())}
    assert named and named <= symbols


def test_no_page_draws_an_emoji_or_a_pictograph_character():
    found = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        rel = str(path.relative_to(ROOT))
        if rel in NOT_YET:
            continue
        for n, line in enumerate(path.read_text().splitlines(), start=1):
            if m := PICTOGRAPHS.search(line):
                found.append(f"{rel}:{n}: {m.group()!r}")
    for path in sorted(ROOT.rglob("static/**/*.css")):
        if m := PICTOGRAPHS.search(path.read_text()):
            found.append(f"{path.relative_to(ROOT)}: {m.group()!r}")
    assert not found, "\n".join(found)


@pytest.mark.django_db
def test_the_favicon_is_named_in_every_page_and_served_at_favicon_ico(client):
    page = client.get("/accounts/sign-in/").content.decode()
    assert '<link rel="icon" href="/static/core/favicon.svg" type="image/svg+xml">' in page
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"] == "/static/core/favicon.svg"
    assert (ROOT / "core" / "static" / "core" / "favicon.svg").read_text().startswith("<svg")
