"""The one helper for counts and articles (issue 12.14)."""

from bot.core.words import a, counted, noun, verb


def test_counts_and_articles() -> None:
    assert [counted(1, "mentee"), counted(2, "mentee"), counted(0, "mentorship")] == [
        "1 mentee",
        "2 mentees",
        "0 mentorships",
    ]
    assert [counted(1, "person"), counted(3, "person"), counted(2, "entry"), counted(2, "staff")] == [
        "1 person",
        "3 people",
        "2 entries",
        "2 staff",
    ]
    assert counted(2, "open target") == "2 open targets" and noun(2, "day") == "days"
    assert (verb(1, "needs", "need"), verb(4, "needs", "need")) == ("needs", "need")
    assert [a("lead mentor"), a("admin"), a("ECT"), a("trainee"), a("member of the SLT")] == [
        "a lead mentor",
        "an admin",
        "an ECT",
        "a trainee",
        "a member of the SLT",
    ]
