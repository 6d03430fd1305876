"""Who may approve and who may waive a blocker (`configs/reviewers.yaml`).

Prefect's open-source server has no user accounts: the name a reviewer types in the form is
matched here (case and spacing ignored). Behind Prefect Cloud, or a proxy that authenticates
editors, the same names can be checked against the actor of the resume call.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pressroom.models import ComplianceReport, Finding, ReviewDecision, Waiver

ALL_RULES = "*"
#: Waiving these would make the approval meaningless: the bundle disagrees with itself (X1),
#: or a signature says the asset is not what was signed (R5).
ALWAYS_UNWAIVABLE = ("X1", "R5")


class Role(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    waive: list[str] = Field(
        default_factory=list, description="Rule ids this role may waive, or '*' for any"
    )


class ReviewersConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    open_approval: bool = Field(
        default=True,
        description="Anyone may approve blocker-free content; false: only the people listed",
    )
    unwaivable: list[str] = Field(default_factory=lambda: list(ALWAYS_UNWAIVABLE))
    roles: dict[str, Role] = Field(default_factory=dict)
    reviewers: dict[str, list[str]] = Field(
        default_factory=dict, description="A reviewer's name, as typed in the form: their roles"
    )

    @model_validator(mode="after")
    def _known_roles(self) -> ReviewersConfig:
        for name, roles in self.reviewers.items():
            unknown = [role for role in roles if role not in self.roles]
            if unknown:
                raise ValueError(f"reviewers.{name}: unknown role(s) {unknown}")
        return self

    def roles_of(self, reviewer: str) -> list[str]:
        wanted = _folded(reviewer)
        for name, roles in self.reviewers.items():
            if _folded(name) == wanted:
                return roles
        return []

    def is_listed(self, reviewer: str) -> bool:
        wanted = _folded(reviewer)
        return any(_folded(name) == wanted for name in self.reviewers)

    def may_waive(self, reviewer: str, rule_id: str) -> bool:
        if rule_id in self.unwaivable:
            return False
        return any(
            ALL_RULES in self.roles[role].waive or rule_id in self.roles[role].waive
            for role in self.roles_of(reviewer)
        )

    def who_may_waive(self, rule_ids: Sequence[str]) -> list[str]:
        """The people who may waive every one of these rules."""
        return [
            name
            for name in self.reviewers
            if rule_ids and all(self.may_waive(name, rule) for rule in rule_ids)
        ]


def _folded(name: str) -> str:
    return " ".join(name.casefold().split())


class ApprovalCheck(BaseModel):
    """Whether an approval can stand, and the waivers it carries if it does."""

    problems: list[str] = Field(default_factory=list)
    waivers: list[Waiver] = Field(default_factory=list)

    @property
    def stands(self) -> bool:
        return not self.problems


def check_approval(
    decision: ReviewDecision, report: ComplianceReport, reviewers: ReviewersConfig
) -> ApprovalCheck:
    """An approval stands when the reviewer may approve, confirmed a quarantined source was
    checked, and every blocker is waived by someone whose role allows it, with a reason."""
    problems: list[str] = []
    if not reviewers.open_approval and not reviewers.is_listed(decision.reviewer):
        problems.append(
            f"{decision.reviewer} is not listed in configs/reviewers.yaml, and only listed "
            "reviewers may approve"
        )
    if report.quarantined and not decision.source_checked:
        problems.append(
            "the source is quarantined (it speaks to AI models): tick *Source Checked* once "
            "you have read the source and made sure it did not steer this draft"
        )
    waivers: list[Waiver] = []
    if report.blockers:
        waivers, refused = _waivers(decision, report.blockers, reviewers)
        problems += refused
    return ApprovalCheck(problems=problems, waivers=waivers if not problems else [])


def _waivers(
    decision: ReviewDecision, blockers: list[Finding], reviewers: ReviewersConfig
) -> tuple[list[Waiver], list[str]]:
    rules = sorted({f.rule_id for f in blockers})
    if not decision.waive_blockers:
        return [], [
            f"{len(blockers)} blocker(s) stand ({', '.join(rules)}): request changes, reject, "
            "or — if your role allows — tick *Waive Blockers* and justify it"
        ]
    not_allowed = [rule for rule in rules if not reviewers.may_waive(decision.reviewer, rule)]
    problems = []
    if not_allowed:
        roles = reviewers.roles_of(decision.reviewer)
        who = f"with role(s) {', '.join(roles)}" if roles else "(not listed in reviewers.yaml)"
        unwaivable = sorted(set(not_allowed) & set(reviewers.unwaivable))
        problems.append(
            f"{decision.reviewer} {who} may not waive {', '.join(not_allowed)}"
            + (f"; nobody may waive {', '.join(unwaivable)}" if unwaivable else "")
        )
    justification = decision.waiver_justification.strip()
    if len(justification.split()) < 3:
        problems.append("a waiver needs a written justification (a sentence, at least 3 words)")
    if problems:
        return [], problems
    roles = reviewers.roles_of(decision.reviewer)
    return [
        Waiver(
            rule_id=finding.rule_id,
            location=finding.location,
            evidence=finding.evidence,
            reviewer=decision.reviewer,
            roles=roles,
            justification=justification,
        )
        for finding in blockers
    ], []
