"""Date and time formats, the same in Chinese and English (``FORMAT_MODULE_PATH``).

A date a template prints without a format (``{{ record.occurred_on }}``) reads 2026-12-07 and a
time 2026-12-07 09:30, as the pages' explicit ``|date:"Y-m-d"`` do: Django's own defaults
(2026年12月7日 / Dec. 7, 2026) put two styles of date side by side on one page. What is typed
into a form is read as Django's locale formats read it (only the display formats are set here).
"""
