"""Dates, parsed in one place: what a person typed (an option, a config value) and what the
catalog stores."""

from __future__ import annotations

from datetime import date

from seoulrec.errors import ConfigError, UsageError


def parse_date(value, where: str, error: type[UsageError] = UsageError) -> date:
    """A ``YYYY-MM-DD`` date typed by a person; ``where`` names the option or key in the error."""
    if isinstance(value, date):
        return value
    try:
        text = str(value)
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise error(f"{where} takes a date as YYYY-MM-DD, not {value!r}") from None


def config_date(value, where: str) -> date:
    return parse_date(value, where, ConfigError)


def stored_date(value: str | None) -> date | None:
    """A date (or the date part of a timestamp) the catalog holds; None when absent or unusable."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
