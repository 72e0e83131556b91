"""Reading one cell as a date, a yes/no, a relationship, a contact method or a restriction, as MIS exports write them."""

import datetime as dt
import re
from functools import lru_cache

from keyworker.people.models import ContactMethod, ContactRestriction, Relationship

from .mapping import normalise
from .reading import Cell

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_NAMED = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/]+([a-z]{3,9})\.?[\s\-/,]+(\d{4}|\d{2})$", re.IGNORECASE)
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel serial numbers from 1954 to 2119: a plain number outside this is not taken for a date.
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000


class BadValue(ValueError):
    """The cell cannot be read; the message says so in words for the school office."""


def _year(text: str, pivot: int) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year <= pivot else 1900
    return year


def parse_date(cell: Cell, *, pivot: int = 30) -> dt.date | None:
    """A date from dd/mm/yyyy, yyyy-mm-dd, dd-mm-yyyy, dd.mm.yyyy, "13 Nov 2008" or an Excel date; None if empty.

    `pivot`: two-digit years up to it are 20xx, later ones 19xx.
    """
    if cell is None:
        return None
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, int | float):
        if _SERIAL_MIN <= cell <= _SERIAL_MAX:
            return _EXCEL_EPOCH + dt.timedelta(days=int(cell))
        raise BadValue(f"“{cell}” is not a date")
    return _parse_date_text(cell.strip(), pivot)


@lru_cache(maxsize=8192)  # an export repeats the same dates (admission days, birthdays) many times
def _parse_date_text(text: str, pivot: int) -> dt.date | None:
    if not text:
        return None
    try:
        if m := _DMY.match(text):
            return dt.date(_year(m.group(3), pivot), int(m.group(2)), int(m.group(1)))
        if m := _YMD.match(text):
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _NAMED.match(text):
            month = _MONTHS.get(m.group(2)[:3].lower())
            if month is not None:
                return dt.date(_year(m.group(3), pivot), month, int(m.group(1)))
        if _SERIAL.match(text) and _SERIAL_MIN <= float(text) <= _SERIAL_MAX:
            return _EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    except ValueError:
        raise BadValue(f"“{text}” is not a real date") from None
    raise BadValue(f"“{text}” is not a date we can read (write it as dd/mm/yyyy)")


_YES = {"yes", "y", "true", "t", "1", "x", "pr", "has pr", "ticked"}
_NO = {"no", "n", "false", "f", "0", "none", "nil", "no pr"}


@lru_cache(maxsize=1024)
def parse_yes_no(text: str) -> bool | None:
    """True or False; None when the cell is empty; BadValue when it is neither."""
    word = normalise(text)
    if not word:
        return None
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise BadValue(f"“{text}” is not Yes or No")


_EHCP_YES = _YES | {"e", "ehcp", "ehc", "ehc plan", "education health and care plan", "statement", "s", "statemented"}
_EHCP_NO = _NO | {"k", "sen support", "no sen", "not sen", "a", "p", "school action", "school action plus", "support"}


@lru_cache(maxsize=1024)
def parse_ehcp(text: str) -> bool:
    word = normalise(text)
    if not word:
        return False
    if word in _EHCP_YES:
        return True
    if word in _EHCP_NO:
        return False
    raise BadValue(f"“{text}” is not Yes or No, nor an SEN status (E, K or N)")


_RELATIONSHIP_WORDS: dict[str, str] = {}
for _value, _words in {
    Relationship.MOTHER: ("mother", "mum", "mom", "mam", "mummy", "birth mother", "natural mother", "pam", "parent mother",
                          "mother parent", "female parent"),
    Relationship.FATHER: ("father", "dad", "daddy", "birth father", "natural father", "paf", "parent father",
                          "father parent", "male parent"),
    Relationship.STEP_PARENT: ("step parent", "stepparent", "step mother", "stepmother", "step mum", "stepmum",
                               "step father", "stepfather", "step dad", "stepdad", "stm", "stf", "step parent carer",
                               "mother s partner", "father s partner", "partner of parent"),
    Relationship.GRANDPARENT: ("grandparent", "grandmother", "grandfather", "grandma", "grandad", "granddad", "grandpa",
                               "nan", "nana", "nanna", "gran", "granny", "grampa", "gramps", "great grandparent",
                               "great grandmother", "great grandfather", "grm", "grf"),
    Relationship.FOSTER_CARER: ("foster carer", "foster parent", "foster mother", "foster father", "foster mum",
                                "foster dad", "fos", "fom", "fof", "foster"),
    Relationship.GUARDIAN: ("guardian", "legal guardian", "special guardian", "sgo", "kinship carer", "gua"),
    Relationship.SIBLING: ("sibling", "brother", "sister", "half brother", "half sister", "step brother", "step sister",
                           "stepbrother", "stepsister", "bro", "sis"),
    Relationship.OTHER_RELATIVE: ("other relative", "relative", "aunt", "auntie", "aunty", "uncle", "cousin", "niece",
                                  "nephew", "rel", "fam", "family member", "other family member"),
    Relationship.OTHER: ("other", "oth", "family friend", "friend", "neighbour", "childminder", "chm", "social worker",
                         "swr", "carer", "car", "doctor", "doc", "other contact"),
}.items():
    for _w in (*_words, _value, Relationship(_value).label):
        _RELATIONSHIP_WORDS[normalise(_w)] = _value


_PARENT_WORDS = {"parent", "par", "birth parent", "natural parent", "parent carer"}
_MOTHER_TITLES = {"mrs", "ms", "miss"}


@lru_cache(maxsize=1024)
def parse_relationship(text: str, *, title: str = "") -> str | None:
    """A Relationship value; None when empty; BadValue when the word is unknown.

    "Parent" alone says neither mother nor father: the title decides (Mrs, Ms, Miss or Mr), otherwise Other.
    """
    word = normalise(text)
    if not word:
        return None
    if word in _PARENT_WORDS:
        t = normalise(title)
        return Relationship.MOTHER if t in _MOTHER_TITLES else Relationship.FATHER if t == "mr" else Relationship.OTHER
    value = _RELATIONSHIP_WORDS.get(word)
    if value is None:
        raise BadValue(f"“{text}” is not a relationship we know (use e.g. Mother, Father, Grandparent, Foster carer, "
                       "Guardian, Other relative or Other)")
    return value


_METHOD_WORDS: dict[str, str] = {}
for _value, _words in {
    ContactMethod.PHONE: ("phone", "telephone", "mobile", "tel", "call", "phone call", "telephone call", "mobile phone",
                          "home phone", "landline", "text", "text message", "sms", "ring"),
    ContactMethod.EMAIL: ("email", "emails", "email address", "electronic mail"),
    ContactMethod.MESSAGING_APP: ("class dojo", "classdojo", "dojo", "app", "messaging app", "school app", "parent app",
                                  "seesaw", "tapestry", "whatsapp", "messenger", "school ping", "parentmail",
                                  "message app", "class dojo app"),
    ContactMethod.FACE_TO_FACE: ("face to face", "in person", "f2f", "at the gate", "meeting", "person", "at school",
                                 "at pick up", "at drop off"),
    ContactMethod.LETTER: ("letter", "post", "postcard", "letter or postcard", "paper", "by post", "mail"),
}.items():
    for _w in (*_words, _value, ContactMethod(_value).label):
        _METHOD_WORDS[normalise(_w)] = _value


@lru_cache(maxsize=1024)
def parse_contact_method(text: str) -> str | None:
    word = normalise(text)
    if not word:
        return None
    value = _METHOD_WORDS.get(word)
    if value is None:
        raise BadValue(f"“{text}” is not a contact method we know (use Phone, E-mail, ClassDojo or app, Face to face "
                       "or Letter)")
    return value


_RESTRICTION_WORDS: dict[str, str] = {}
for _value, _words in {
    ContactRestriction.NONE: ("no", "n", "none", "false", "f", "0", "nil", "no restriction", "no restrictions",
                              "no court order", "not applicable", "n a", "na"),
    ContactRestriction.COURT_ORDER: ("yes", "y", "true", "t", "1", "court order", "court orders", "co", "order",
                                     "court order in place", "residence order", "child arrangements order",
                                     "prohibited steps order", "non molestation order"),
    ContactRestriction.NO_CONTACT: ("no contact", "do not contact", "not to contact", "no contact allowed",
                                    "contact not allowed", "no access"),
    ContactRestriction.INFORMATION_ONLY: ("information only", "info only", "information", "no decisions",
                                          "information only no decisions"),
}.items():
    for _w in (*_words, _value):
        if _w:
            _RESTRICTION_WORDS[normalise(_w)] = _value
_RESTRICTION_WORDS[normalise(ContactRestriction.INFORMATION_ONLY.label)] = ContactRestriction.INFORMATION_ONLY


@lru_cache(maxsize=1024)
def parse_restriction(text: str) -> str:
    word = normalise(text)
    if not word:
        return ContactRestriction.NONE
    value = _RESTRICTION_WORDS.get(word)
    if value is None:
        raise BadValue(f"“{text}” is not a restriction we know (use Court order, No contact, Information only, or "
                       "leave it empty)")
    return value


_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "lady", "lord", "master"}


def split_full_name(text: str) -> tuple[str, str, str]:
    """(title, first name, surname) from "Mrs Jeanie Richie" or "Richie, Jeanie"."""
    text = " ".join(text.split())
    if "," in text:
        last, _, rest = text.partition(",")
        words = rest.split()
        title = words.pop(0) if words and words[0].lower().rstrip(".") in _TITLES else ""
        return title, " ".join(words), last.strip()
    words = text.split()
    title = words.pop(0) if len(words) > 1 and words[0].lower().rstrip(".") in _TITLES else ""
    if len(words) == 1:
        return title, "", words[0]
    return title, " ".join(words[:-1]), words[-1] if words else ""


def phone_key(text: str) -> str:
    """Digits only, +44 written as 0, so "07700 900123" and "+447700900123" group together."""
    digits = re.sub(r"\D", "", text)
    if digits.startswith("44") and len(digits) > 10:
        digits = "0" + digits[2:]
    return digits
