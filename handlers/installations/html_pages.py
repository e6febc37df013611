"""The web pages of an install (OAuth mode): the install page, success, failure, and /privacy.

HTML for a browser, not Block Kit (so not named pages.py, which the Block Kit checks walk).

Plain HTML, one small style sheet, no scripts. Everything that comes from outside (a workspace's name, Slack's
error code, the authorize URL) is escaped with `html.escape`.
"""

from __future__ import annotations

from html import escape

# Each bot scope the app asks for, and why, in a school admin's words. manifest.yml must ask for exactly these
# (tests/cross/test_manifest.py compares them); the OAuth install asks Slack for them.
SCOPES: dict[str, str] = {
    "commands": "to answer /observe, /meeting, /target, /review, /concern, /evidence, /visit and /mentor",
    "chat:write": "to send reminders, digests and the messages you ask it to (sign-offs, shared notes)",
    "im:write": "to open a direct message with a mentor or mentee it needs to tell something",
    "mpim:write": "to open one group message for each coaching triplet, so its three colleagues can book their session",
    "users:read": "to know people's names and time zones, and whether they are a workspace admin",
    "users:read.email": "to match a staff list (CSV) you import to people in Slack, by their email",
    "channels:read": "to find the SLT channel you choose, by name",
    "groups:read": "to find the SLT channel when it is a private channel",
    "files:write": "to attach review reports (PDF) and the digest's full list (CSV)",
    "im:history": "to check its own earlier messages before resending a digest after a crash",
    "channels:history": "the same check, in the SLT channel",
    "groups:history": "the same check, when the SLT channel is private",
}

PRIVACY_PATH = "/privacy"

_STYLE = """
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; background: #f5f7f8;
       margin: 0; }
main { max-width: 42rem; margin: 2.5rem auto; padding: 2rem 2.25rem; background: #fff; border-radius: 10px;
       box-shadow: 0 1px 3px rgba(0,0,0,.12); }
h1 { color: #1d4e5f; font-size: 1.7rem; margin-top: 0; }
h2 { color: #1d4e5f; font-size: 1.15rem; margin-top: 1.8rem; }
code { background: #eef2f4; padding: .1rem .35rem; border-radius: 4px; font-size: .95em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; }
dt code { white-space: nowrap; }
dd { margin: 0; }
.button { display: inline-block; background: #4a154b; color: #fff; text-decoration: none; font-weight: 600;
          padding: .75rem 1.4rem; border-radius: 6px; margin: .5rem 0 1rem; }
.button:hover, .button:focus { background: #611f64; }
.note { color: #52606d; font-size: .92rem; }
.problem { border-left: 4px solid #c0392b; padding-left: 1rem; }
.done { border-left: 4px solid #1e8e3e; padding-left: 1rem; }
"""


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def install_page(authorize_url: str) -> str:
    """What a school's admin opens to add mentor-bot to their workspace."""
    scopes = "\n".join(f"<dt><code>{escape(scope)}</code></dt><dd>{escape(why)}</dd>" for scope, why in SCOPES.items())
    body = f"""<h1>Add mentor-bot to your school's Slack</h1>
<p>mentor-bot runs teacher mentoring where your staff already talk. Mentors record lesson observations against
the Teachers' Standards, log weekly meetings and set targets in plain words; trainees and early career teachers
reflect and sign off; lead mentors and senior leaders get a weekly summary of who is on track and who needs
support; concerns and support plans are recorded and the right people told. Mentors' own certification
evidence gathers itself from the mentoring they log, and every member of staff can join coaching triplets and
peer visits.</p>
<p><a class="button" href="{escape(authorize_url, quote=True)}">Add to Slack</a></p>
<p class="note">You need to be allowed to install apps in your workspace. Slack shows you what mentor-bot asks
for and you choose the workspace; nothing is added until you press <em>Allow</em> there.</p>
<h2>What it asks Slack for, and why</h2>
<dl>
{scopes}
</dl>
<p class="note">It never reads your channels' conversations: the history scopes only let it see its own
messages.</p>
<h2>Your data</h2>
<p>What mentor-bot keeps, who sees it and for how long: <a href="{PRIVACY_PATH}">privacy</a>.</p>"""
    return _page("Add mentor-bot to Slack", body)


def success_page(team_name: str | None) -> str:
    """After Slack's Allow: what to type first."""
    where = escape(team_name) if team_name else "your workspace"
    body = f"""<h1>mentor-bot is in {where}</h1>
<div class="done"><p>It is installed. Go back to Slack and, as a workspace admin, type:</p>
<ol>
<li><code>/mentor help</code> to see what it does and who can do what;</li>
<li><code>/mentor assign @mentor @mentee trainee</code> (or <code>ect</code>, or <code>staff</code>) for each
mentor and mentee;</li>
<li><code>/mentor role add @person lead</code> for your lead mentor, and <code>/mentor slt-channel #slt</code>
for the senior leaders' weekly summary.</li>
</ol></div>
<p>Then mentors can type <code>/observe @teacher</code>, <code>/meeting @mentee</code> and
<code>/target @mentee …</code>, and everyone finds their dashboard on the app's Home tab.</p>
<p class="note">What it keeps and for how long: <a href="{PRIVACY_PATH}">privacy</a>. To remove it, uninstall the
app in Slack: it stops at once.</p>"""
    return _page("mentor-bot is installed", body)


# Why an install did not finish, for each reason Bolt's OAuth flow (or Slack) gives, in the admin's words.
_FAILURES: dict[str, str] = {
    "access_denied": "You (or Slack) cancelled the install, so nothing was added to your workspace.",
    "invalid_browser": "This install was started in another browser, or the browser did not keep its cookie. "
    "Start again from the install page, in one browser.",
    "invalid_state": "This install link has expired or was already used. Start again from the install page.",
    "missing_code": "Slack did not send back the install's code. Start again from the install page.",
    "invalid_code": "Slack did not accept the install (the code expired or the app's settings are wrong). "
    "Start again from the install page; if it happens again, tell whoever runs mentor-bot.",
    "storage_error": "Slack agreed, but mentor-bot could not save the install. Try again in a minute; if it happens "
    "again, tell whoever runs mentor-bot.",
}


def failure_page(reason: str, install_path: str) -> str:
    """Why an install did not finish, and how to start again."""
    why = _FAILURES.get(reason, "The install did not finish. Start again from the install page.")
    body = f"""<h1>mentor-bot was not installed</h1>
<div class="problem"><p>{escape(why)}</p>
<p class="note">Reason code: <code>{escape(reason)}</code></p></div>
<p><a class="button" href="{escape(install_path, quote=True)}">Start again</a></p>"""
    return _page("mentor-bot was not installed", body)


def privacy_page(retention_days: int) -> str:
    """What personal data mentor-bot keeps, who sees it, for how long, and how to get or erase it."""
    if retention_days:
        years = f" (about {retention_days / 365:.0f} years)" if retention_days >= 365 else ""
        retention = (
            f"A person's records are kept for {retention_days} days{years} after their last mentorship ends, "
            "then erased automatically, unless they still hold a role or have used mentor-bot since."
        )
    else:
        retention = "This installation keeps records until they are erased on request (no automatic retention)."
    body = f"""<h1>mentor-bot and your data</h1>
<h2>What it keeps</h2>
<ul>
<li>People's Slack ids, names, email addresses and time zones, as Slack gives them, and the roles your admins
grant (lead mentor, SLT, admin, induction tutor, head).</li>
<li>Who mentors whom, and the records mentors and mentees make: lesson observations with their ratings and
comments, reflections, meeting notes and wellbeing, targets, progress reviews and assessments, concerns and
support plans, and the dates of reminders and digests it sent.</li>
<li>For each workspace that installed it: the workspace's name, who installed it and when, and the bot's access
token. Tokens are secrets: they are never shown, exported or written to logs.</li>
</ul>
<h2>Who sees it</h2>
<p>Each school's records are kept apart: nobody in one workspace sees another's. Within a school, a record is
seen only by the people whose role needs it: a mentee sees their own records; their mentor sees their mentees';
lead mentors and senior leaders see what their role needs (senior leaders' weekly summary carries figures and
flags, never private notes); admins run the roster but do not read observations or meeting notes. A wellbeing note
marked private is kept for mentors and leads and not sent to the mentee.</p>
<h2>How long</h2>
<p>{escape(retention)}</p>
<p>If your school uninstalls mentor-bot, it stops at once (no more messages or reminders, and its access token is
deleted). The records stay under the same rule; mentorships that were still running count as running, so a school
that leaves and wants its records erased sooner asks whoever runs mentor-bot.</p>
<h2>Getting or erasing your data</h2>
<p>Ask your school (the data controller). Whoever runs mentor-bot can export everything held about a person (for
a subject access request) and erase a person: their id is replaced by a pseudonym and what was written about them
is blanked, so the school's counts stay right. Messages mentor-bot already sent in Slack are kept by Slack under
your workspace's own retention settings.</p>"""
    return _page("mentor-bot and your data", body)
