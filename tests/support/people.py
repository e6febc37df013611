"""One school's people, ids and names, used across the suite (import them; don't retype the literals).

Amy mentors Ben (a trainee); Leo is lead mentor, Sam is SLT, Hana (ADMIN) is the workspace admin, Cat a
colleague with no role. Cal, Dev, Dee and Eva are further mentees and mentors where a test needs them; LEAD
is one person who holds several roles at once. The two-school permission walk (tests/cross/school.py)
names its people per school instead.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)  # a Tuesday in the second half of the autumn term
SIGNING_SECRET = "test-signing-secret-0123456789"

TEAM, OTHER_TEAM = "T0001", "T0002"
SLT_CHANNEL = "CSLT0001"

ADMIN = "UADMIN01"
AMY = "UAMY0001"
BEN = "UBEN0001"
CAL = "UCAL0001"
CAT = "UCAT0001"
DEE = "UDEE0001"
DEV = "UDEV0001"
EVA = "UEVA0001"
LEO = "ULEO0001"
LIA = "ULIA0001"  # a second lead mentor
SAM = "USAM0001"
LEAD = "ULEAD001"
TIA = "UTIA0001"  # induction tutor (reviews)
HAL = "UHAL0001"  # headteacher (reviews)

# Each person's Slack handle and real name, as the emulator and the roster know them.
HANDLES = {
    ADMIN: "head",
    AMY: "amy",
    BEN: "ben",
    CAL: "cal",
    CAT: "cat",
    DEE: "dee",
    DEV: "dev",
    EVA: "eva",
    LEO: "leo",
    LIA: "lia",
    SAM: "sam",
    LEAD: "lead",
    TIA: "tia",
    HAL: "hal",
}
NAMES = {
    ADMIN: "Hana Head",
    AMY: "Amy Mentor",
    BEN: "Ben Trainee",
    CAL: "Cal Early",
    CAT: "Cat Colleague",
    DEE: "Dee Mentor",
    DEV: "Dev Early",
    EVA: "Eva Staff",
    LEO: "Leo Lead",
    LIA: "Lia Lead",
    SAM: "Sam Senior",
    LEAD: "Lee Allroles",
    TIA: "Tia Tutor",
    HAL: "Hal Headteacher",
}


def mention(user_id: str, name: str = "someone") -> str:
    """How Slack writes a person into a command's text."""
    return f"<@{user_id}|{name}>"
