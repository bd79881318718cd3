"""An initiative's lifecycle: its statuses, the decisions that move it, and the sets of statuses rules ask about.

Pure Python (no Django), so the permission rules, the models and the decision service read one table. Every status
set below is derived from TRANSITIONS, never written out by hand:

>>> ENDED
('completed', 'halted', 'not_approved')
>>> RUNNING
('live', 'paused')
>>> TRANSITIONS["halt"].sources, TRANSITIONS["halt"].target
(('submitted', 'live'), 'halted')
"""

from dataclasses import dataclass

DRAFT = "draft"
SUBMITTED = "submitted"
CHANGES_REQUESTED = "changes_requested"
LIVE = "live"
PAUSED = "paused"
COMPLETED = "completed"
HALTED = "halted"
NOT_APPROVED = "not_approved"
STATUSES = (DRAFT, SUBMITTED, CHANGES_REQUESTED, LIVE, PAUSED, COMPLETED, HALTED, NOT_APPROVED)

SUBMIT = "submit"
APPROVE = "approve"
REQUEST_CHANGES = "request_changes"
NOT_APPROVE = "not_approve"
PAUSE = "pause"
RESUME = "resume"
HALT = "halt"
COMPLETE = "complete"
REVIEW_DONE = "review_done"


@dataclass(frozen=True)
class Transition:
    kind: str
    sources: tuple[str, ...]
    target: str  # "" keeps the status (a review recorded)
    verb: str  # for messages: "You approved ‘…’."
    by_sponsor: bool = True  # a sponsor's decision; False for what the team does itself (submit, complete)


TRANSITIONS: dict[str, Transition] = {
    SUBMIT: Transition(SUBMIT, (DRAFT, CHANGES_REQUESTED), SUBMITTED, "submitted", by_sponsor=False),
    APPROVE: Transition(APPROVE, (SUBMITTED,), LIVE, "approved"),
    REQUEST_CHANGES: Transition(REQUEST_CHANGES, (SUBMITTED,), CHANGES_REQUESTED, "asked for changes to"),
    NOT_APPROVE: Transition(NOT_APPROVE, (SUBMITTED,), NOT_APPROVED, "did not approve"),
    PAUSE: Transition(PAUSE, (LIVE,), PAUSED, "paused"),
    RESUME: Transition(RESUME, (PAUSED,), LIVE, "resumed"),
    HALT: Transition(HALT, (SUBMITTED, LIVE), HALTED, "halted"),
    COMPLETE: Transition(COMPLETE, (LIVE,), COMPLETED, "completed", by_sponsor=False),
    REVIEW_DONE: Transition(REVIEW_DONE, (LIVE, PAUSED), "", "reviewed"),
}

# No decision leads out of these: the initiative has ended, and its charter and measures are closed to edits.
ENDED = tuple(s for s in STATUSES if not any(s in t.sources for t in TRANSITIONS.values()))
# Approved and not ended: PDSA cycles are recorded and reviews fall due. An ended initiative has no next review.
RUNNING = TRANSITIONS[REVIEW_DONE].sources
# The team may submit (or resubmit) from these.
SUBMITTABLE = TRANSITIONS[SUBMIT].sources
# Before approval, while still open: the sponsor has the charter in front of them.
IN_REVIEW = TRANSITIONS[APPROVE].sources
# Past draft and not ended: the initiative may carry a progress score. An ended initiative's last score stands.
OPEN = tuple(s for s in STATUSES if s != DRAFT and s not in ENDED)


def reviews_fall_due(status: str) -> bool:
    """Whether an initiative in this status has a next sponsor review: approved and not yet ended."""
    return status in RUNNING


def takes_progress_score(status: str) -> bool:
    """Whether an initiative in this status may be given a new progress score: past draft and not ended."""
    return status in OPEN
