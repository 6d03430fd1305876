"""Publishing steps every flow shares: after the local bundle of record, the remote targets."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from pressroom.errors import PublishFailed
from pressroom.models import PublishReceipt
from pressroom.settings import S3Target, TargetConfig, WebhookTarget
from tasks.publish import presign_assets, publish_to_target


def describe_targets(targets: list[TargetConfig], out_dir: str) -> str:
    where = [f"the local folder `{out_dir}/`"]
    for target in targets:
        if isinstance(target, S3Target):
            where.append(f"`s3://{target.bucket}/{target.prefix}`")
        elif isinstance(target, WebhookTarget):
            where.append(f"the webhook *{target.name}*")
    return ", then ".join(where)


def publish_remotely(
    targets: list[TargetConfig], local: PublishReceipt, out_dir: str
) -> list[PublishReceipt]:
    """S3 first (webhooks then point at its objects), each target in its own task; one failing
    target does not stop the others, and the run fails at the end naming every failure."""
    bundle_path = unquote(urlparse(local.uri).path)
    ordered = [t for t in targets if isinstance(t, S3Target)] + [
        t for t in targets if isinstance(t, WebhookTarget)
    ]
    receipts: list[PublishReceipt] = []
    failures: list[str] = []
    asset_urls: dict[str, str] = {}
    for target in ordered:
        state = publish_to_target(target, bundle_path, out_dir, asset_urls, return_state=True)
        outcome = state.result(raise_on_failure=False)
        if isinstance(outcome, PublishReceipt):
            receipts.append(outcome)
            if isinstance(target, S3Target):
                asset_urls = presign_assets(target, bundle_path)
        else:
            failures.append(f"{target.type}: {outcome}")
    if failures:
        done = ", ".join(["local", *(r.target for r in receipts)])
        raise PublishFailed(f"published to {done}; failed: {'; '.join(failures)}")
    return receipts
