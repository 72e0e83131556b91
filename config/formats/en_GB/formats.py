"""British dates as the glossary writes them: "Tue 3 March 2026" and "3/3/2026" in tables."""

DATE_FORMAT = "D j F Y"
SHORT_DATE_FORMAT = "j/n/Y"
DATETIME_FORMAT = "D j F Y, H:i"
SHORT_DATETIME_FORMAT = "j/n/Y H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"]
FIRST_DAY_OF_WEEK = 1
