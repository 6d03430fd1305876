"""The review gate every flow runs: draft, check, ask a named human, publish what they approve.

`review_and_publish` loops until a decision ends it: an approval that stands publishes (the
local bundle of record, then the remote targets); an approval that cannot stand (blockers
without an allowed waiver, a quarantined source not confirmed) is recorded and the same draft is
asked again with the reason on top; request_changes drafts again with the comments; reject ends
it. At most `review.max_revision_rounds` + 1 rounds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from flows.publishing import describe_targets, publish_remotely
from pressroom.models import ComplianceReport, Generation, PublishReceipt, Revision, StagedBundle
from pressroom.reviewers import check_approval
from pressroom.settings import Settings
from tasks.publish import publish_bundle, record_decision
from tasks.review import request_review

#: Builds the description: (notice, round, who may waive the blockers, where approval publishes).
Describe = Callable[[str, int, list[str], str], str]


@dataclass(frozen=True)
class Draft:
    """One round's content under review, and what it cost."""

    staged: StagedBundle
    report: ComplianceReport
    describe: Describe
    paid: list[Generation] = field(default_factory=list)


class GateOutcome(BaseModel):
    gate: str
    status: Literal["published", "approved", "rejected", "sent back", "not approved"]
    reviewer: str = ""
    comments: str = ""
    receipt: PublishReceipt | None = None
    remote: list[PublishReceipt] = []
    paid: list[Generation] = []
    revision: Revision = Revision()  # the revision of the last draft reviewed

    def summary(self) -> str:
        said = f": {self.comments}" if self.comments else ""
        if self.status in ("published", "approved"):
            return f"{self.gate}: {self.status}, approved by {self.reviewer}"
        if self.status == "not approved":
            return f"{self.gate}: not approved in time; nothing was published"
        return f"{self.gate}: {self.status} by {self.reviewer}{said}; nothing was published"


def review_and_publish(
    *,
    gate: str,
    settings: Settings,
    destination: str,
    draft: Callable[[Revision], Draft],
    rewrite_channels: list[str] | None = None,
    upstream: dict[str, Generation] | None = None,
    changes_redraft: bool = True,
    publish: bool = True,
) -> GateOutcome:
    """Review rounds at `gate` until one ends it. `draft(revision)` makes (or, cached, finds)
    the content for a revision; with `changes_redraft` False a request for changes ends the
    gate ("sent back") instead of drafting again; with `publish` False an approval that stands
    ends it ("approved") without publishing: a gate on a plan, before the work it approves."""
    pipeline = settings.pipeline
    where = describe_targets(pipeline.publish.targets, destination)
    revision, notice = Revision(), ""
    paid: dict[int, list[Generation]] = {}  # per revision: a draft asked again is not paid twice
    for round_ in range(pipeline.review.max_revision_rounds + 1):
        current = draft(revision)
        paid[revision.round] = current.paid
        report = current.report
        may_waive = settings.reviewers.who_may_waive([f.rule_id for f in report.blockers])
        decision = request_review(
            gate=gate,
            round_=round_,
            description=current.describe(notice, round_, may_waive, where),
            channels=rewrite_channels or [],
            timeout_seconds=pipeline.review.timeout_seconds,
            poll_interval_seconds=pipeline.review.poll_interval_seconds,
            blockers=bool(report.blockers),
            quarantined=report.quarantined,
        )
        approving = decision.decision == "approve" and not decision.edits
        check = check_approval(decision, report, settings.reviewers) if approving else None
        recorded = record_decision(decision, current.staged, destination, check)
        if check is not None and not check.stands:
            notice = (
                f"The approval by {decision.reviewer} in round {round_} was not applied: "
                + "; ".join(check.problems)
                + ". Nothing was published."
            )
            continue  # the same draft, asked again
        notice = ""
        ended = GateOutcome(
            gate=gate,
            status="rejected",
            reviewer=decision.reviewer,
            comments=decision.comments,
            paid=[g for r in sorted(paid) for g in paid[r]],
            revision=revision,
        )
        if decision.decision == "reject":
            return ended
        if decision.decision == "request_changes" and not changes_redraft:
            return ended.model_copy(update={"status": "sent back"})
        if approving and not publish:
            return ended.model_copy(update={"status": "approved"})
        if approving:
            receipt = publish_bundle(current.staged, report, recorded, destination, upstream)
            remote = publish_remotely(pipeline.publish.targets, receipt, destination)
            return ended.model_copy(
                update={"status": "published", "receipt": receipt, "remote": remote}
            )
        revision = Revision(
            round=revision.round + 1,
            comments=[*revision.comments, decision.comments],
            edits={**revision.edits, **decision.edits},
        )
    return GateOutcome(
        gate=gate,
        status="not approved",
        paid=[g for r in sorted(paid) for g in paid[r]],
        revision=revision,
    )
