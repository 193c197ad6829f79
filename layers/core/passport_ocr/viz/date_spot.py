"""A date the recogniser could not read, found by what its frames fit. Pure numpy.

On rough pages (blur, grain, faint print) a date comes out as '22 400 2005' or '1106 22':
nothing parses, yet the recogniser's frames still give the printed digits and letters some
probability. Where the MRZ bounds what a date can be (a date of issue lies a whole number
of years before the MRZ's expiry), each date it may be is written the ways pages print dates
(day, month and year with any separator; day, English month name, year; year first) and
fitted to a line's frames as CTC would (spot.PhraseTables). A line gives such a date when
one of them fits it closely and clearly better than any other, and than the dates the line
would hold if it printed something else the MRZ gives (its birth and expiry dates).
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

import numpy as np

from .spot import PhraseTables

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
# A date is spotted when it fits the frames at least this closely (mean log-ratio per
# character; 0: the line reads as the date), at least MARGIN better than every other date
# it may be, and RIVAL_MARGIN better than the line's fit to the rival dates.
MIN_FIT = -1.2
MARGIN = 0.15
RIVAL_MARGIN = 0.3


def renderings(day: date) -> list[str]:
    """`day` as pages print it (separators are gaps to the fit: '12.08.2012' is '12 08 2012')."""
    return [
        f"{day.day:02d} {day.month:02d} {day.year}",
        f"{day.day:02d} {MONTHS[day.month - 1]} {day.year}",
        f"{day.year} {day.month:02d} {day.day:02d}",
    ]


def spot_date(
    frames: Sequence[Sequence[np.ndarray]], candidates: Sequence[date], rivals: Sequence[date]
) -> tuple[int, date, float] | None:
    """(line index, date, fit) of the one line of `frames` (per line, the FrameColumns
    log-ratios of each recogniser that read it; none for a line left out) that fits one of
    `candidates` closely, clearly better than the other candidates and than `rivals`; None
    when no line does, or several do. A date's fit to a line read twice is the mean of its
    fits to the two readings: both recognisers must see it."""
    candidates = list(dict.fromkeys(candidates))
    rivals = [day for day in dict.fromkeys(rivals) if day not in candidates]
    if not candidates:
        return None
    written = [(day, text) for day in candidates + rivals for text in renderings(day)]
    days = [day for day, _ in written]
    tables = PhraseTables([text for _, text in written])
    spotted = []
    for index, views in enumerate(frames):
        views = [view for view in views if len(view)]
        if not views:
            continue
        best_by_day: dict[date, float] = {}
        for view in views:
            by_day: dict[date, float] = {}
            for day, fit in zip(days, tables.fits(view)):
                by_day[day] = max(by_day.get(day, -np.inf), float(fit))
            for day, fit in by_day.items():
                best_by_day[day] = best_by_day.get(day, 0.0) + fit / len(views)
        ranked = sorted(candidates, key=lambda day: -best_by_day[day])
        best = ranked[0]
        fit = best_by_day[best]
        runner_up = best_by_day[ranked[1]] if len(ranked) > 1 else -np.inf
        rival = max((best_by_day[day] for day in rivals), default=-np.inf)
        if fit >= MIN_FIT and fit - runner_up >= MARGIN and fit - rival >= RIVAL_MARGIN:
            spotted.append((index, best, fit))
    if len({day for _, day, _ in spotted}) != 1:
        return None
    return max(spotted, key=lambda item: item[2])


__all__ = ["MONTHS", "renderings", "spot_date"]
