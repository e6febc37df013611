"""Every Slack id of coaching (the staff list, triplets, their sessions and takeaways), named once."""

from handlers.slack.shared_ids import BOOK_SESSION as BOOK_SESSION_SHARED
from handlers.slack.shared_ids import PROPOSE_TRIPLETS as PROPOSE_TRIPLETS_SHARED

STAFF_WORD = "staff"
TRIPLETS_WORD = "triplets"

# The proposal (an ephemeral message): value "round id:version".
APPROVE = "coaching_approve"
REGENERATE = "coaching_regenerate"
SWAP = "coaching_swap_open"
PROPOSAL_BLOCK = "coaching_proposal"

# The triplet's group DM and the check back: value the triplet id.
BOOK_SESSION = BOOK_SESSION_SHARED
MET = "coaching_met"
NOT_MET = "coaching_not_met"
ADD_TAKEAWAY = "coaching_takeaway_open"
TRIPLET_BLOCK = "coaching_triplet"

# Modals (callback ids).
SWAP_CALLBACK = "coaching_swap"
BOOK_CALLBACK = "coaching_book_save"
TAKEAWAY_CALLBACK = "coaching_takeaway_save"
PROPOSE_CALLBACK = "coaching_propose"
PROPOSE_TRIPLETS = PROPOSE_TRIPLETS_SHARED

# Swap modal fields.
FIRST, SECOND = "first", "second"
# Propose modal fields (from the Home tab).
SUBJECT, TERM = "subject", "term"
