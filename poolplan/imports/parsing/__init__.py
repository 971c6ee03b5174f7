"""Reading the files schools already have: Untis exports (GPU text files, XML) and
spreadsheets of children, assistants and approvals.

Django-free on purpose: these modules turn bytes into plain rows and `Problem`s and never
raise on bad input. Matching the rows against a school's data and writing them is
`poolplan.imports.services`' job.

Messages are marked with the standard library's `gettext` (`_`), which returns them untouched:
makemessages still collects them, and `Problem.text()` translates them when it is shown.
"""

from poolplan.imports.parsing.common import Problem, TableRow

__all__ = ["Problem", "TableRow"]
