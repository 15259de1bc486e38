"""ISO 3166-1 alpha-2 country codes: the ones CloudFront geo restriction takes.

A static copy of the officially assigned codes, so that ``cfgen validate``
needs no network and no extra dependency.
"""

from __future__ import annotations

__all__ = ["COUNTRY_CODES", "country_code_problem"]

# One line per first letter, so a reviewer can find a code.
COUNTRY_CODES: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    YE YT
    ZA ZM ZW
    """.split()  # noqa: SIM905
)

# Codes people write that ISO 3166-1 does not assign (or reserves for other uses).
_LOOKALIKES = {
    "UK": "GB",  # the United Kingdom is GB in ISO 3166-1
    "EL": "GR",  # the EU's code for Greece
    "EN": "GB",
    "FX": "FR",  # "Metropolitan France", withdrawn
    "SU": "RU",
    "YU": "RS",
    "AN": "CW",  # Netherlands Antilles, withdrawn in 2010
    "TP": "TL",
    "ZR": "CD",
}


def country_code_problem(code: str) -> str | None:
    """Why ``code`` is not an ISO 3166-1 alpha-2 country code, or None."""
    if code in COUNTRY_CODES:
        return None
    hint = _LOOKALIKES.get(code.upper()) or (code.upper() if code.upper() in COUNTRY_CODES else None)
    fix = f"did you mean {hint}?" if hint else "use the two-letter ISO 3166-1 alpha-2 code, e.g. IE, GB, US"
    return f"'{code}' is not an ISO 3166-1 alpha-2 country code; {fix}"
