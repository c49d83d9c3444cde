"""The calendar of a generated dataset: day 0 is the first day of history."""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from c360.config import HISTORY_MONTHS

CAMPAIGN_DAYS_BEFORE_AS_OF = 270


@dataclass(frozen=True)
class Timeline:
    start: date
    as_of: date

    @classmethod
    def ending(cls, as_of: date, months: int = HISTORY_MONTHS) -> "Timeline":
        """History of `months` months ending on (and including) `as_of`."""
        after = as_of + timedelta(days=1)
        year, month = divmod(after.year * 12 + after.month - 1 - months, 12)
        start = after.replace(year=year, month=month + 1, day=min(after.day, 28))
        return cls(start=start, as_of=as_of)

    @property
    def n_days(self) -> int:
        return (self.as_of - self.start).days + 1

    @property
    def campaign_day(self) -> int:
        return self.n_days - 1 - CAMPAIGN_DAYS_BEFORE_AS_OF

    def day_of(self, d: date) -> int:
        return (d - self.start).days

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=int(day))

    def datetime64(self, days: np.ndarray) -> np.ndarray:
        """Day indices to numpy dates."""
        return np.datetime64(self.start, "D") + days.astype("timedelta64[D]")
