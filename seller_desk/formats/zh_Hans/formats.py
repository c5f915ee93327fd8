"""The desk's Simplified Chinese date formats (templates use these names, never a literal format)."""

DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATETIME_FORMAT = "n月j日 H:i"
MONTH_DAY_FORMAT = "n月j日"
SHORT_DATE_FORMAT = "n月j日 D"
YEAR_MONTH_FORMAT = "Y年n月"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
