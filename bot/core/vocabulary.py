"""The words users see for the domain's enums: ONE table per enum, imported wherever a label is shown.

The enums themselves live in storage (they are column types); this module only maps them to words. Where a
screen needs a second form (a short column heading, a count), it is a second named column beside the first.
"""

from __future__ import annotations

from storage.concerns import ConcernCategory, ConcernStatus, PlanOutcome, PlanStatus
from storage.meetings import ReviewOutcome
from storage.observations import Rating
from storage.reviews import Capacity, Outcome, ReviewKind
from storage.roster import MeetingCadence, MenteeKind, Role
from storage.targets import TargetStatus

# --- rating (the ECT observation form's scale) --------------------------------------------------------------------
RATING_LABEL = {
    Rating.NOT_APPLICABLE: "N/A in this observation",
    Rating.NOT_DEMONSTRATED: "Not demonstrated",
    Rating.PARTLY: "Partly demonstrated",
    Rating.FULLY: "Fully demonstrated",
}
RATING_SHORT = {  # column headings and chart legends
    Rating.NOT_APPLICABLE: "N/A",
    Rating.NOT_DEMONSTRATED: "Not",
    Rating.PARTLY: "Partly",
    Rating.FULLY: "Fully",
}
RATING_MARK = {  # the mark beside a rating in Slack
    Rating.NOT_APPLICABLE: ":heavy_minus_sign:",
    Rating.NOT_DEMONSTRATED: ":red_circle:",
    Rating.PARTLY: ":large_yellow_circle:",
    Rating.FULLY: ":large_green_circle:",
}

# --- meeting cadence ----------------------------------------------------------------------------------------------
CADENCE_LABEL = {
    MeetingCadence.WEEKLY: "weekly",
    MeetingCadence.FORTNIGHTLY: "fortnightly",
    MeetingCadence.TWICE_A_TERM: "twice a term",
}
CADENCE_WORDS = {  # what people may type for each cadence
    "weekly": MeetingCadence.WEEKLY,
    "fortnightly": MeetingCadence.FORTNIGHTLY,
    "twice-a-term": MeetingCadence.TWICE_A_TERM,
    "termly": MeetingCadence.TWICE_A_TERM,
}

# --- mentee kind --------------------------------------------------------------------------------------------------
KIND_LABEL = {MenteeKind.TRAINEE: "trainee", MenteeKind.ECT: "ECT", MenteeKind.STAFF: "staff member"}
KIND_COUNTED = {  # (one, many) after a number: "1 staff", "3 ECTs"
    MenteeKind.TRAINEE: ("trainee", "trainees"),
    MenteeKind.ECT: ("ECT", "ECTs"),
    MenteeKind.STAFF: ("staff", "staff"),
}
KIND_WORDS = {"trainee": MenteeKind.TRAINEE, "ect": MenteeKind.ECT, "staff": MenteeKind.STAFF}  # typed or in a CSV

# --- role ---------------------------------------------------------------------------------------------------------
ROLE_LABEL = {
    Role.LEAD: "lead mentor",
    Role.SLT: "SLT",
    Role.ADMIN: "admin",
    Role.TUTOR: "induction tutor",
    Role.HEAD: "headteacher",
}
ROLE_MEMBER = {  # "is now a …"
    Role.LEAD: "lead mentor",
    Role.SLT: "member of the SLT",
    Role.ADMIN: "admin",
    Role.TUTOR: "induction tutor",
    Role.HEAD: "headteacher",
}
ROLE_WORDS = {  # typed in /mentor role
    "lead": Role.LEAD,
    "slt": Role.SLT,
    "admin": Role.ADMIN,
    "tutor": Role.TUTOR,
    "head": Role.HEAD,
}

# --- targets ------------------------------------------------------------------------------------------------------
TARGET_STATUS_LABEL = {
    TargetStatus.OPEN: "open",
    TargetStatus.MET: "met",
    TargetStatus.NOT_MET: "not met",
    TargetStatus.DROPPED: "dropped",
}
OUTCOME_LABEL = {  # a target's review at a meeting
    ReviewOutcome.MET: "Met",
    ReviewOutcome.PROGRESSING: "Progressing",
    ReviewOutcome.NOT_MET: "Not met",
    ReviewOutcome.DROPPED: "Dropped",
}

# --- reviews (progress reviews and assessments) ---------------------------------------------------------------------
REVIEW_KIND_LABEL = {
    ReviewKind.PROGRESS: "progress review",
    ReviewKind.FORMAL: "formal assessment",
    ReviewKind.INTERIM: "interim assessment",
    ReviewKind.PROVIDER: "review point",
}
REVIEW_OUTCOME_LABEL = {  # the final assessment's outcome
    Outcome.MEETS: "Meets the Teachers' Standards",
    Outcome.DOES_NOT_MEET: "Does not meet the Teachers' Standards",
    Outcome.EXTENSION: "Recommend an extension to induction",
}
SIGNER_LABEL = {  # the capacity a review is signed in
    Capacity.MENTEE: "Teacher",
    Capacity.MENTOR: "Mentor",
    Capacity.TUTOR: "Induction tutor",
    Capacity.HEAD: "Headteacher",
}

# --- concerns -----------------------------------------------------------------------------------------------------
CONCERN_CATEGORY_LABEL = {
    ConcernCategory.TEACHING: "Teaching and progress",
    ConcernCategory.CONDUCT: "Professional conduct",
    ConcernCategory.ATTENDANCE: "Attendance and punctuality",
    ConcernCategory.WELLBEING: "Wellbeing",
}
CONCERN_STATUS_LABEL = {  # where a concern stands; a resolution's outcome uses the same words
    ConcernStatus.OPEN: "open",
    ConcernStatus.RESOLVED: "resolved",
    ConcernStatus.SUPPORT_PLAN: "moved to a support plan",
    ConcernStatus.ESCALATED: "escalated to the provider or appropriate body",
}

# --- support plans ------------------------------------------------------------------------------------------------
PLAN_NAME = {  # what a support plan is called for each kind of mentee
    MenteeKind.TRAINEE: "individual recovery plan (IRP)",
    MenteeKind.ECT: "support plan",
    MenteeKind.STAFF: "support plan",
}
PLAN_STATUS_LABEL = {
    PlanStatus.OPEN: "open",
    PlanStatus.CLOSED: "closed: back on track",
    PlanStatus.ESCALATED: "escalated",
}
PLAN_OUTCOME_LABEL = {
    PlanOutcome.BACK_ON_TRACK: "Back on track (close the plan)",
    PlanOutcome.CONTINUED: "Continued, with a new review date",
    PlanOutcome.ESCALATED: "Escalated to the provider or appropriate body",
}

# --- early warnings (bot/core/early_warnings.py: KINDS) ------------------------------------------------------------
WARNING_LABEL = {
    "not_demonstrated": "the same standard not demonstrated in a row",
    "missed_meetings": "meetings missed in a row",
    "target_carried": "a target carried past meetings",
    "wellbeing": "wellbeing falling or at its lowest",
    "reflection_owed": "reflections owed",
}
