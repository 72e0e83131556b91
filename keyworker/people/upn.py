"""The unique pupil number (UPN) and its check letter.

A UPN has 13 characters: a check letter, then 12 characters (LA code, establishment, year, serial; a
temporary UPN ends in a letter). The check letter is the sum of each of characters 2–13 times its
position (2–13), modulo 23, mapped to ABCDEFGHJKLMNPQRTUVWXYZ. Real data contains bad ones: the
product warns and keeps the pupil.
"""

LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def _value(ch: str) -> int | None:
    if ch.isdigit():
        return int(ch)
    if ch in LETTERS:
        return LETTERS.index(ch)
    return None


def upn_check_letter(body: str) -> str | None:
    """The check letter for the 12 characters after it, or None if they cannot be a UPN."""
    if len(body) != 12 or not body[:11].isdigit():
        return None
    total = 0
    for weight, ch in enumerate(body, start=2):
        value = _value(ch)
        if value is None:
            return None
        total += value * weight
    return LETTERS[total % 23]


def upn_problem(upn: str) -> str:
    """An empty string for a valid UPN, otherwise what is wrong with it, in words for the screen."""
    upn = (upn or "").strip().upper()
    if not upn:
        return ""
    if len(upn) != 13:
        return f"A UPN has 13 characters; this one has {len(upn)}."
    expected = upn_check_letter(upn[1:])
    if expected is None:
        return "A UPN is a letter, 11 digits and a digit or letter."
    if upn[0] != expected:
        return f"The check letter should be {expected}, not {upn[0]}: the UPN may be mistyped."
    return ""
