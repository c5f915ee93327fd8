"""The desk's English date formats (templates use these names, never a literal format)."""

DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y H:i"
SHORT_DATETIME_FORMAT = "M j, H:i"
MONTH_DAY_FORMAT = "M j"
SHORT_DATE_FORMAT = "D, M j"
YEAR_MONTH_FORMAT = "F Y"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
