# Arabic: Django's own formats (django/conf/locale/ar) have no DATETIME_FORMAT, so
# date-and-time fell back to the English "N j, Y, P". Same day-month-year order and
# 12-hour clock as Django's Arabic DATE_FORMAT and TIME_FORMAT.
DATETIME_FORMAT = "j F Y، g:i A"
