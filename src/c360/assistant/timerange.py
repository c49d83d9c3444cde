"""Time expressions in questions, resolved against the data's as-of date (never the clock).

Rules (also in semantic_model.yml's conventions):

- "last/past N days|weeks|months|years" is a rolling window ending with the as-of date,
  inclusive ("last 90 days" with as-of 2025-12-31 = 2025-10-03 .. 2025-12-31);
- "this month|quarter|year" (also "month/quarter/year to date", "ytd") is the calendar
  period containing the as-of date, up to it;
- "last|previous month|quarter|year" is the calendar period before that one;
- "in 2025", "in Q3 2025", "in March 2025", "in March" (the latest March on or before the
  as-of date), "since June 2025", "between 2025-01-01 and 2025-03-31", "before 2025".

Every range is [start, end) in days; `end` never goes past the day after the as-of date.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "sixty": 60, "ninety": 90, "a": 1, "an": 1,
}  # fmt: skip
ORDINAL_QUARTERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
ORDINAL_QUARTERS |= {"fourth": 4, "4th": 4, "last": 4}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_N = r"(?P<n>\d+|" + "|".join(NUMBER_WORDS) + r")"
_UNIT = r"(?P<unit>days?|weeks?|months?|quarters?|years?)"
_DATE = r"\d{4}-\d{2}-\d{2}"


_HISTORY_START = date(1900, 1, 1)  # "before 2025": from the start of history


class TimeError(ValueError):
    """A time expression that names no usable range (e.g. a future year)."""


@dataclass(frozen=True)
class TimeRange:
    start: date
    end: date  # exclusive
    label: str

    def describe(self) -> str:
        last = self.end - timedelta(days=1)
        if self.start <= _HISTORY_START:
            return f"{self.label} (up to {last.isoformat()})"
        return f"{self.label} ({self.start.isoformat()} to {last.isoformat()})"


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    """The first day of the month n months after d's month."""
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text]


def _clip(start: date, end: date, as_of: date, label: str) -> TimeRange:
    limit = as_of + timedelta(days=1)
    end = min(end, limit)
    if start >= end:
        raise TimeError(f"{label} is after the data's as-of date {as_of.isoformat()}")
    return TimeRange(start, end, label)


def _rolling(n: int, unit: str, as_of: date) -> TimeRange:
    unit = unit.rstrip("s")
    end = as_of + timedelta(days=1)
    if unit == "day":
        start = end - timedelta(days=n)
    elif unit == "week":
        start = end - timedelta(weeks=n)
    else:
        months = n * {"month": 1, "quarter": 3, "year": 12}[unit]
        shifted = add_months(end, -months)
        start = shifted.replace(day=min(end.day, 28)) if end.day != 1 else shifted
    plural = unit + ("s" if n != 1 else "")
    return TimeRange(start, end, f"last {n} {plural}")


def _period(kind: str, offset: int, as_of: date) -> TimeRange:
    """The calendar period containing as_of (offset 0) or the one before (offset -1)."""
    if kind == "month":
        start = add_months(month_start(as_of), offset)
        end = add_months(start, 1)
        label = start.strftime("%B %Y")
    elif kind == "quarter":
        start = add_months(quarter_start(as_of), 3 * offset)
        end = add_months(start, 3)
        label = f"Q{(start.month - 1) // 3 + 1} {start.year}"
    elif kind == "week":
        start = as_of - timedelta(days=as_of.weekday()) + timedelta(weeks=offset)
        end = start + timedelta(days=7)
        label = f"week of {start.isoformat()}"
    else:
        start = date(as_of.year + offset, 1, 1)
        end = date(start.year + 1, 1, 1)
        label = str(start.year)
    return _clip(start, end, as_of, label)


def _month_of(month: int, year: int | None, as_of: date) -> TimeRange:
    if year is None:
        year = as_of.year if month <= as_of.month else as_of.year - 1
    start = date(year, month, 1)
    return _clip(start, add_months(start, 1), as_of, start.strftime("%B %Y"))


def _quarter_of(q: int, year: int | None, as_of: date) -> TimeRange:
    if year is None:
        year = as_of.year if 3 * (q - 1) + 1 <= as_of.month else as_of.year - 1
    start = date(year, 3 * (q - 1) + 1, 1)
    return _clip(start, add_months(start, 3), as_of, f"Q{q} {year}")


def _point(text: str, as_of: date) -> tuple[date, date, str]:
    """A date, 'March 2025', '2025' or 'March' as (first day, day after, label)."""
    text = text.strip()
    if re.fullmatch(_DATE, text):
        d = date.fromisoformat(text)
        return d, d + timedelta(days=1), d.isoformat()
    m = re.fullmatch(_MONTH + r"(?:\s+(?:of\s+)?" + _YEAR + r")?", text)
    if m:
        r = _month_of(MONTHS[m["month"]], int(m["year"]) if m["year"] else None, as_of)
        return r.start, r.end, r.label
    if re.fullmatch(_YEAR, text):
        y = int(text)
        return date(y, 1, 1), date(y + 1, 1, 1), text
    raise TimeError(f"not a date: {text!r}")


_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_POINT = rf"(?:{_DATE}|(?:{_MONTH_NAMES})(?:\s+(?:of\s+)?(?:19|20)\d\d)?|(?:19|20)\d\d)"

# (pattern, handler(match, as_of) -> TimeRange); tried in order on the lower-cased question.
PATTERNS = [
    (
        rf"\bbetween\s+(?P<a>{_POINT})\s+and\s+(?P<b>{_POINT})",
        lambda m, a: _span(m["a"], m["b"], a),
    ),
    (
        rf"\bfrom\s+(?P<a>{_POINT})\s+(?:to|until|through|thru)\s+(?P<b>{_POINT})",
        lambda m, a: _span(m["a"], m["b"], a),
    ),
    (
        rf"\b(?:in\s+the\s+|over\s+the\s+|during\s+the\s+|for\s+the\s+|within\s+the\s+)?"
        rf"(?:last|past|previous|prior|trailing)\s+{_N}\s+{_UNIT}\b",
        lambda m, a: _rolling(_number(m["n"]), m["unit"], a),
    ),
    (
        r"\b(?:in\s+the\s+|over\s+the\s+|during\s+the\s+)?past\s+(?P<unit>week|month|quarter|year)\b",
        lambda m, a: _rolling(1, m["unit"], a),
    ),
    (
        r"\b(?:year|month|quarter)\s+to\s+date\b|\bytd\b|\bmtd\b|\bqtd\b",
        lambda m, a: _period(_to_date_kind(m.group(0)), 0, a),
    ),
    (
        r"\b(?:in\s+|during\s+|for\s+)?(?:the\s+)?(?P<which>this|current|last|previous|prior)\s+"
        r"(?P<unit>week|month|quarter|year)\b",
        lambda m, a: _period(m["unit"], 0 if m["which"] in ("this", "current") else -1, a),
    ),
    (
        r"\b(?:in\s+|during\s+|for\s+)?(?:the\s+)?(?P<q>first|second|third|fourth|1st|2nd|3rd|4th)"
        rf"\s+quarter(?:\s+of)?(?:\s+{_YEAR})?",
        lambda m, a: _quarter_of(ORDINAL_QUARTERS[m["q"]], _int(m["year"]), a),
    ),
    (
        rf"\b(?:in\s+|during\s+|for\s+)?q(?P<q>[1-4])(?:\s+of)?(?:\s+{_YEAR})?\b",
        lambda m, a: _quarter_of(int(m["q"]), _int(m["year"]), a),
    ),
    (
        rf"\b(?:since|after)\s+(?P<a>{_POINT})",
        lambda m, a: _since(m["a"], a, m.group(0).startswith("after")),
    ),
    (
        rf"\b(?:before|until|prior\s+to)\s+(?P<a>{_POINT})",
        lambda m, a: _before(m["a"], a),
    ),
    (
        rf"\b(?:in|during|for|of|throughout)\s+{_MONTH}(?:\s+(?:of\s+)?{_YEAR})?\b",
        lambda m, a: _month_of(MONTHS[m["month"]], _int(m["year"]), a),
    ),
    (  # "October 2025" without a preposition: the year makes it a date
        rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b",
        lambda m, a: _month_of(MONTHS[m["month"]], _int(m["year"]), a),
    ),
    (
        rf"\b(?:in|during|for|of|throughout|within)\s+(?:the\s+year\s+)?{_YEAR}\b",
        lambda m, a: _year(int(m["year"]), a),
    ),
    (
        rf"\bon\s+(?P<a>{_DATE})\b",
        lambda m, a: _span(m["a"], m["a"], a),
    ),
]
_COMPILED = [(re.compile(p), h) for p, h in PATTERNS]


def _int(text: str | None) -> int | None:
    return int(text) if text else None


def _to_date_kind(text: str) -> str:
    if text.startswith(("month", "mtd")):
        return "month"
    if text.startswith(("quarter", "qtd")):
        return "quarter"
    return "year"


def _year(year: int, as_of: date) -> TimeRange:
    return _clip(date(year, 1, 1), date(year + 1, 1, 1), as_of, str(year))


def _span(a: str, b: str, as_of: date) -> TimeRange:
    start, _, la = _point(a, as_of)
    _, end, lb = _point(b, as_of)
    return _clip(start, end, as_of, f"{la} to {lb}")


def _since(a: str, as_of: date, after: bool) -> TimeRange:
    start, end, label = _point(a, as_of)
    return _clip(
        end if after else start, date.max, as_of, f"{'after' if after else 'since'} {label}"
    )


def _before(a: str, as_of: date) -> TimeRange:
    start, _, label = _point(a, as_of)
    return _clip(_HISTORY_START, start, as_of, f"before {label}")


def find(text: str, as_of: date) -> tuple[TimeRange | None, list[tuple[int, int]]]:
    """The first time range in lower-cased `text`, and the character spans it used."""
    for pattern, handler in _COMPILED:
        m = pattern.search(text)
        if m:
            return handler(m, as_of), [m.span()]
    return None, []
