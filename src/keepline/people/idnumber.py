"""Resident identity numbers (GB 11643-1999): 18 characters, the last a check digit.

Layout: 6-digit region code (GB/T 2260), 8-digit date of birth YYYYMMDD, 3-digit
sequence (odd for men, even for women), check character. The check character is
ISO 7064 MOD 11-2: weights 2^(17-i) mod 11 for positions i = 0..16, the weighted sum
mod 11 maps to '1 0 X 9 8 7 6 5 4 3 2'.
"""

from __future__ import annotations

import datetime as dt

from keepline.errors import msg, quote

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
CHECK = "10X98765432"


def check_char(first17: str) -> str:
    """The check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need 17 digits")
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def problem(number: str) -> str | None:
    """Why ``number`` is not a well-formed identity number, or None when it is."""
    n = number.strip().upper()
    if len(n) != 18:
        return msg("an ID number has 18 characters, not %(n)s", n=len(n))
    if not n[:17].isdigit() or not (n[17].isdigit() or n[17] == "X"):
        return msg("an ID number is 17 digits and a digit or X")
    try:
        born = dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        return msg("%(born)s is not a date of birth", born=quote(n[6:14]))
    if born.year < 1900 or born > dt.date.today():
        return msg("date of birth %(born)s is not plausible", born=born)
    if check_char(n[:17]) != n[17]:
        return msg(
            "check digit should be %(want)s, not %(got)s", want=check_char(n[:17]), got=n[17]
        )
    return None


def make(region: str, born: dt.date, sequence: int) -> str:
    """A well-formed number (for generated, fake rosters)."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
