"""How visual zones print dates: each document picks one style and uses it for every date."""

from __future__ import annotations

import random
from datetime import date
from typing import Callable

from .data import MONTHS


def _month(day: date, language: str) -> str:
    return MONTHS[language][day.month - 1]


def _bilingual_month(day: date, language: str, english_first: bool = False) -> str:
    local, english = _month(day, language), _month(day, "en")
    if local == english:
        return local
    return f"{english}/{local}" if english_first else f"{local}/{english}"


DATE_STYLES: dict[str, Callable[[date, str], str]] = {
    "day_mon_year": lambda d, lang: f"{d.day:02d} {_month(d, 'en')} {d.year}",
    "local_mon": lambda d, lang: f"{d.day:02d} {_month(d, lang)} {d.year}",
    "bilingual_mon": lambda d, lang: f"{d.day:02d} {_bilingual_month(d, lang)} {d.year}",
    "bilingual_mon_yy": lambda d, lang: f"{d.day:02d} {_bilingual_month(d, lang, english_first=True)} {d.year % 100:02d}",
    "dotted": lambda d, lang: d.strftime("%d.%m.%Y"),
    "slashed": lambda d, lang: d.strftime("%d/%m/%Y"),
    "iso": lambda d, lang: d.isoformat(),
    "spaced": lambda d, lang: d.strftime("%d %m %Y"),
}


def pick_style(rng: random.Random) -> str:
    return rng.choice(sorted(DATE_STYLES))


def format_date(day: date, style: str, language: str) -> str:
    return DATE_STYLES[style](day, language)
