"""Who may approve, who may waive a blocker, and what a quarantined source asks of a reviewer."""

from __future__ import annotations

import pytest

from pressroom.errors import ConfigError
from pressroom.models import ComplianceReport, Finding, ReviewDecision
from pressroom.reviewers import ReviewersConfig, check_approval
from pressroom.settings import load_model

REVIEWERS = ReviewersConfig.model_validate(
    {
        "roles": {
            "editor": {"waive": []},
            "legal": {"waive": ["C1", "H3"]},
            "boss": {"waive": ["*"]},
        },
        "reviewers": {"Sam Lee": ["editor"], "Alex Martin": ["legal"], "Camille Durand": ["boss"]},
    }
)
JUSTIFICATION = "Quoted with the author's written permission."


def finding(rule_id: str, severity: str = "blocker", location: str = "x") -> Finding:
    return Finding(rule_id=rule_id, severity=severity, message="m", location=location)  # type: ignore[arg-type]


def report(*findings: Finding) -> ComplianceReport:
    return ComplianceReport(content_sha256="a" * 64, findings=list(findings))


def approve(reviewer: str, **fields: object) -> ReviewDecision:
    return ReviewDecision(gate="social", round=0, decision="approve", reviewer=reviewer, **fields)  # type: ignore[arg-type]


def test_anyone_may_approve_clean_content_by_default() -> None:
    check = check_approval(approve("A passer-by"), report(finding("L3", "warning")), REVIEWERS)
    assert check.stands and check.waivers == []


def test_closed_approval_refuses_an_unlisted_reviewer_and_accepts_a_listed_one() -> None:
    closed = REVIEWERS.model_copy(update={"open_approval": False})
    refused = check_approval(approve("A passer-by"), report(), closed)
    assert not refused.stands and "not listed" in refused.problems[0]
    assert check_approval(approve("  sam   LEE "), report(), closed).stands


def test_a_blocker_without_a_waiver_refuses_the_approval_and_says_what_to_do() -> None:
    check = check_approval(approve("Camille Durand"), report(finding("H1")), REVIEWERS)
    assert not check.stands
    assert "1 blocker(s) stand (H1)" in check.problems[0]
    assert "Waive Blockers" in check.problems[0]


def test_a_role_that_allows_every_blocker_waives_them_each_with_the_reason() -> None:
    blockers = report(finding("H1", location="x"), finding("C1", location="linkedin"))
    decision = approve("Camille Durand", waive_blockers=True, waiver_justification=JUSTIFICATION)
    check = check_approval(decision, blockers, REVIEWERS)
    assert check.stands
    assert [(w.rule_id, w.location, w.roles, w.justification) for w in check.waivers] == [
        ("H1", "x", ["boss"], JUSTIFICATION),
        ("C1", "linkedin", ["boss"], JUSTIFICATION),
    ]


def test_a_role_may_waive_only_its_rules() -> None:
    decision = approve("Alex Martin", waive_blockers=True, waiver_justification=JUSTIFICATION)
    assert check_approval(decision, report(finding("C1")), REVIEWERS).stands
    refused = check_approval(decision, report(finding("C1"), finding("H1")), REVIEWERS)
    assert not refused.stands and refused.waivers == []
    assert refused.problems == ["Alex Martin with role(s) legal may not waive H1"]


@pytest.mark.parametrize("reviewer", ["Sam Lee", "Somebody Else"])
def test_reviewers_without_a_waiving_role_cannot_waive(reviewer: str) -> None:
    decision = approve(reviewer, waive_blockers=True, waiver_justification=JUSTIFICATION)
    check = check_approval(decision, report(finding("C1")), REVIEWERS)
    assert not check.stands and "may not waive C1" in check.problems[0]


def test_nobody_waives_an_unwaivable_rule() -> None:
    decision = approve("Camille Durand", waive_blockers=True, waiver_justification=JUSTIFICATION)
    check = check_approval(decision, report(finding("X1")), REVIEWERS)
    assert not check.stands and "nobody may waive X1" in check.problems[0]


@pytest.mark.parametrize("justification", ["", "  ", "ok fine"])
def test_a_waiver_needs_a_written_justification(justification: str) -> None:
    decision = approve("Camille Durand", waive_blockers=True, waiver_justification=justification)
    check = check_approval(decision, report(finding("H1")), REVIEWERS)
    assert not check.stands and "justification" in check.problems[0]


def test_a_quarantined_source_needs_the_reviewers_confirmation() -> None:
    quarantined = report(finding("I2", "warning", "source"))
    assert quarantined.quarantined
    refused = check_approval(approve("Sam Lee"), quarantined, REVIEWERS)
    assert not refused.stands and "Source Checked" in refused.problems[0]
    assert check_approval(approve("Sam Lee", source_checked=True), quarantined, REVIEWERS).stands


def test_who_may_waive_lists_the_people_allowed_for_every_rule() -> None:
    assert REVIEWERS.who_may_waive(["C1"]) == ["Alex Martin", "Camille Durand"]
    assert REVIEWERS.who_may_waive(["C1", "H1"]) == ["Camille Durand"]
    assert REVIEWERS.who_may_waive(["X1"]) == []


def test_a_reviewer_with_an_unknown_role_is_a_config_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "reviewers.yaml"
    path.write_text("roles: {editor: {}}\nreviewers: {Sam: [editr]}\n")
    with pytest.raises(ConfigError, match="unknown role"):
        load_model(path, ReviewersConfig)


def test_the_shipped_reviewers_file_loads(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.reviewers.roles and settings.reviewers.who_may_waive(["H1"])
