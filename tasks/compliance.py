"""Compliance on the exact bytes of a staged bundle; the report is also a table artifact."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact

from pressroom.compliance import check_bundle
from pressroom.compliance.hostile import screen_source
from pressroom.models import ComplianceReport, Source, StagedBundle
from pressroom.publishing import read_bundle_content
from pressroom.settings import BrandConfig, ChannelConfig
from tasks.publish import audit_log, current_run


@task(persist_result=True)
def check_compliance(
    staged: StagedBundle,
    source: Source,
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
    out_dir: str,
) -> ComplianceReport:
    report = check_bundle(
        read_bundle_content(staged, source.text), brand, channels, extra=screen_source(source)
    )
    run = current_run()
    audit_log(out_dir).append(
        "compliance",
        {
            "run_name": run["run_name"],
            "passed": report.passed,
            "quarantined": report.quarantined,
            "findings": [f.model_dump(mode="json") for f in report.findings],
        },
        run_id=run["run_id"],
        content_sha256=report.content_sha256,
    )
    create_table_artifact(
        key="compliance-report",
        table=[
            {
                "severity": f.severity,
                "rule": f.rule_id,
                "where": f.location,
                "what": f.message,
                "evidence": f.evidence,
            }
            for f in report.findings
        ]
        or [
            {
                "severity": "-",
                "rule": "-",
                "where": "-",
                "what": "every check passed",
                "evidence": "",
            }
        ],
        description=(
            f"Compliance of content {report.content_sha256[:12]}: "
            f"{len(report.blockers)} blocker(s), {len(report.warnings)} warning(s)"
        ),
    )
    return report
