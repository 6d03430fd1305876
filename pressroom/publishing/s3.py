"""S3 publisher: the bundle of record, uploaded to AWS S3 or any S3-compatible store.

Keys are ``{prefix}/{approval date}/{slug}/{content sha256}/{relative path}``, and manifest.json
goes last: a reader that finds the manifest finds a complete bundle. Publishing is idempotent (an
object already carrying the file's sha256 in its metadata is not sent again) and resumable:
large files go up as multipart uploads driven by hand, so that a retry finds the upload a crash
left behind and sends only the parts it lacks.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.exceptions import ConnectionError as EndpointUnreachable

from pressroom.errors import ConfigError, PublishFailed
from pressroom.models import PublishReceipt, sha256_hex
from pressroom.publishing.targets import PublishedBundle, S3Target, verify_published_bundle

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MIB = 1024 * 1024
AUDIT_LOG_PATH = "audit/audit.jsonl"
AUDIT_LOG_MEDIA_TYPE = "application/x-ndjson"
#: Every character S3 metadata may carry as is: printable ASCII, except the escape character.
_HEADER_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "%")
#: Named when a multipart upload is created and on each of its parts: S3 refuses parts whose
#: checksum type differs from the upload's, and botocore sends CRC32 by default.
_PART_CHECKSUM: Final = "CRC32"
_PART_CHECKSUM_FIELDS = (
    "ChecksumCRC32",
    "ChecksumCRC32C",
    "ChecksumCRC64NVME",
    "ChecksumSHA1",
    "ChecksumSHA256",
)
_NOT_PUBLISHED = (
    "The bundle is not marked published there (no manifest.json was written); publishing "
    "again resumes where this attempt stopped."
)
_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})
_ACCESS_DENIED = frozenset(
    {
        "403",
        "AccessDenied",
        "AllAccessDisabled",
        "ExpiredToken",
        "InvalidAccessKeyId",
        "InvalidToken",
        "SignatureDoesNotMatch",
    }
)


def object_key(prefix: str, decided_at: datetime, slug: str, content_sha256: str, path: str) -> str:
    """Where a bundle file lands: ``{prefix}/{YYYY-MM-DD}/{slug}/{content sha256}/{path}``."""
    parts = [prefix.strip("/"), f"{decided_at:%Y-%m-%d}", slug, content_sha256, path]
    return "/".join(part for part in parts if part)


def ascii_metadata(text: str) -> str:
    """S3 metadata is ASCII: UTF-8 percent-encoded, reversed by ``urllib.parse.unquote``."""
    return quote(text, safe=_HEADER_SAFE)


def explain_s3_error(error: BotoCoreError | ClientError, bucket: str, endpoint: str) -> str:
    """What went wrong, in words a user can act on."""
    if isinstance(error, ClientError):
        code = _error_code(error)
        if code == "NoSuchBucket":
            return f"the bucket {bucket} does not exist (endpoint {endpoint})"
        if code in _ACCESS_DENIED:
            return (
                f"access denied to bucket {bucket}: check the credentials (AWS environment, "
                "profile or the target's credentials_block) and that they may read, write and "
                "upload in parts there"
            )
        message = error.response.get("Error", {}).get("Message", "")
        return f"S3 refused {error.operation_name} on bucket {bucket} ({code}: {message})"
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return (
            "no usable AWS credentials: set the AWS environment variables or a profile, "
            "or name a prefect-aws credentials_block in the s3 target"
        )
    if isinstance(error, EndpointUnreachable):
        return f"the S3 endpoint {endpoint} cannot be reached ({error})"
    if isinstance(error, HTTPClientError):
        return f"the connection to the S3 endpoint {endpoint} broke ({error})"
    return f"the S3 request to {endpoint} failed ({error})"


@dataclass(frozen=True)
class _Upload:
    """One local file and everything S3 is told about it."""

    source: Path
    key: str
    sha256: str
    size: int
    content_type: str
    metadata: dict[str, str]


@dataclass(frozen=True)
class _Stored:
    """An object as S3 holds it."""

    etag: str
    version_id: str | None

    @classmethod
    def of(cls, response: Mapping[str, Any]) -> _Stored:
        return cls(etag=str(response["ETag"]).strip('"'), version_id=response.get("VersionId"))

    @property
    def version(self) -> str:
        return self.version_id or self.etag


class S3Publisher:
    """Publishes bundles of record to one bucket through a boto3 S3 client the caller builds.

    The credentials need s3:GetObject (and s3:ListBucket, so that a missing key reads as
    missing rather than forbidden), s3:PutObject, s3:ListBucketMultipartUploads,
    s3:ListMultipartUploadParts and s3:AbortMultipartUpload. Build the client with
    ``signature_version="s3v4"`` for presigned URLs that every region and KMS objects accept.
    """

    name = "s3"

    def __init__(self, config: S3Target, client: S3Client) -> None:
        if config.bucket is None:  # a bucket_block is resolved by the caller
            raise ConfigError("the S3 target names no bucket (resolve its bucket_block first)")
        self.config = config
        self.bucket: str = config.bucket
        self._client = client

    # ------------------------------------------------------------------ public interface

    def publish(self, bundle: PublishedBundle) -> PublishReceipt:
        verify_published_bundle(bundle)
        uploads = self._uploads(bundle)
        manifest = uploads[-1]
        with self._explained_errors(_NOT_PUBLISHED):
            stored = self._stored_copy(manifest)
            if stored is not None:
                return self._receipt(bundle, manifest, stored, already_published=True)
            for upload in uploads[:-1]:
                if self._stored_copy(upload) is None:
                    self._send(upload)
            return self._receipt(bundle, manifest, self._send(manifest), already_published=False)

    def object_key(self, bundle: PublishedBundle, path: str) -> str:
        """The key of one file of ``bundle``, relative path as in its manifest."""
        approval = bundle.approval
        return object_key(
            self.config.prefix, approval.decided_at, bundle.slug, bundle.content_sha256, path
        )

    def presigned_url(self, key: str, seconds: int | None = None) -> str:
        """A GET URL for ``key``, valid ``seconds`` (the target's presign_seconds by default)."""
        expires = self.config.presign_seconds if seconds is None else seconds
        with self._explained_errors("No link was made."):
            return self._client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=expires,
            )

    def stage_previews(
        self, folder: Path, content_sha256: str, paths: list[str], seconds: int
    ) -> dict[str, str]:
        """Upload files of a bundle under review to ``{prefix}/staging/{hash}/`` — never under
        the published keys — and return links valid ``seconds``, for the review dialog."""
        links: dict[str, str] = {}
        for path in paths:
            data = (folder / path).read_bytes()
            digest = sha256_hex(data)
            upload = _Upload(
                source=folder / path,
                key="/".join(
                    p for p in [self.config.prefix.strip("/"), "staging", content_sha256, path] if p
                ),
                sha256=digest,
                size=len(data),
                content_type=mimetypes.guess_type(path)[0] or "application/octet-stream",
                metadata={"sha256": digest, "content-sha256": content_sha256, "approved": "false"},
            )
            with self._explained_errors("The review previews were not uploaded."):
                if self._stored_copy(upload) is None:
                    self._put(upload)
            links[path] = self.presigned_url(upload.key, seconds)
        return links

    def upload_audit_log(self, path: Path) -> str:
        """Upload a local audit log to ``{prefix}/audit/audit.jsonl``; returns its key.

        Sent whole, in one request (never resumed): the log grows between uploads, and a
        multipart upload left behind would carry an older log's checksum in its metadata.
        """
        data = path.read_bytes()
        digest = sha256_hex(data)
        upload = _Upload(
            source=path,
            key="/".join(p for p in [self.config.prefix.strip("/"), AUDIT_LOG_PATH] if p),
            sha256=digest,
            size=len(data),
            content_type=AUDIT_LOG_MEDIA_TYPE,
            metadata={"sha256": digest},
        )
        with self._explained_errors("The audit log was not uploaded."):
            if self._stored_copy(upload) is None:
                self._put(upload)
        return upload.key

    # ------------------------------------------------------------------ planning

    def _uploads(self, bundle: PublishedBundle) -> list[_Upload]:
        """Every file of the bundle, manifest.json last, with its key, type and metadata."""
        entries = {entry["path"]: entry for entry in bundle.manifest["files"]}
        shared = {
            "content-sha256": bundle.content_sha256,
            "approval-id": sha256_hex((bundle.path / "approval.json").read_bytes()),
            "reviewer": ascii_metadata(bundle.approval.reviewer),
            "ai-generated": "true",
        }
        uploads = []
        for path in bundle.files():
            source = bundle.path / path
            entry = entries.get(path) or {
                "sha256": sha256_hex(source.read_bytes()),
                "size": source.stat().st_size,
                "media_type": "application/json",
            }
            uploads.append(
                _Upload(
                    source=source,
                    key=self.object_key(bundle, path),
                    sha256=entry["sha256"],
                    size=entry["size"],
                    content_type=entry["media_type"],
                    metadata={"sha256": entry["sha256"], **shared},
                )
            )
        return uploads

    def _receipt(
        self,
        bundle: PublishedBundle,
        manifest: _Upload,
        stored: _Stored,
        *,
        already_published: bool,
    ) -> PublishReceipt:
        return PublishReceipt(
            target=self.name,
            uri=f"s3://{self.bucket}/{manifest.key}",
            content_sha256=bundle.content_sha256,
            approval_reviewer=bundle.approval.reviewer,
            approval_decided_at=bundle.approval.decided_at,
            version=stored.version,
            already_published=already_published,
        )

    def _object_arguments(self, upload: _Upload) -> dict[str, Any]:
        return {
            "Bucket": self.bucket,
            "Key": upload.key,
            "ContentType": upload.content_type,
            "Metadata": upload.metadata,
            **self._encryption(),
        }

    def _encryption(self) -> dict[str, str]:
        if self.config.sse == "none":
            return {}
        arguments: dict[str, str] = {"ServerSideEncryption": self.config.sse}
        if self.config.sse == "aws:kms" and self.config.kms_key_id:
            arguments["SSEKMSKeyId"] = self.config.kms_key_id
        return arguments

    @property
    def _part_size(self) -> int:
        return self.config.part_size_mb * MIB

    @contextlib.contextmanager
    def _explained_errors(self, consequence: str) -> Iterator[None]:
        """SDK errors become a PublishFailed that says what happened and what it left."""
        try:
            yield
        except (BotoCoreError, ClientError) as error:
            reason = explain_s3_error(error, self.bucket, self._client.meta.endpoint_url)
            raise PublishFailed(f"S3: {reason}. {consequence}") from error

    # ------------------------------------------------------------------ single objects

    def _stored_copy(self, upload: _Upload) -> _Stored | None:
        """The object at ``upload.key`` if it already holds these bytes, else None."""
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=upload.key)
        except ClientError as error:
            if _error_code(error) in _NOT_FOUND:
                return None
            raise
        same_sha = head.get("Metadata", {}).get("sha256") == upload.sha256
        return _Stored.of(head) if same_sha and head["ContentLength"] == upload.size else None

    def _send(self, upload: _Upload) -> _Stored:
        if upload.size > self.config.multipart_threshold_mb * MIB:
            return self._send_in_parts(upload)
        return self._put(upload)

    def _put(self, upload: _Upload) -> _Stored:
        body = upload.source.read_bytes()
        return _Stored.of(self._client.put_object(Body=body, **self._object_arguments(upload)))

    # ------------------------------------------------------------------ multipart

    def _send_in_parts(self, upload: _Upload) -> _Stored:
        upload_id, parts = self._resumable_upload(upload)
        for number, (offset, length) in _part_ranges(upload.size, self._part_size).items():
            if number not in parts:
                parts[number] = self._upload_part(upload, upload_id, number, offset, length)
        return self._complete(upload, upload_id, parts)

    def _resumable_upload(self, upload: _Upload) -> tuple[str, dict[int, dict[str, Any]]]:
        """An upload in progress whose parts all match the local file, or a new one.

        Uploads whose parts do not match (another part size, other bytes) are aborted.
        """
        for upload_id in self._uploads_in_progress(upload.key):
            parts = self._matching_parts(upload, upload_id)
            if parts is not None:
                return upload_id, parts
            self._abort(upload.key, upload_id)
        return self._create_multipart(upload), {}

    def _uploads_in_progress(self, key: str) -> list[str]:
        """Upload ids in progress for exactly ``key``, newest first."""
        pages = self._client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=key
        )
        uploads = [u for page in pages for u in page.get("Uploads", []) if u["Key"] == key]
        uploads.sort(key=lambda u: u["Initiated"], reverse=True)
        return [u["UploadId"] for u in uploads]

    def _matching_parts(self, upload: _Upload, upload_id: str) -> dict[int, dict[str, Any]] | None:
        """The completed-part records of ``upload_id``; None if any part differs locally."""
        expected = _part_ranges(upload.size, self._part_size)
        parts = {}
        for part in self._listed_parts(upload.key, upload_id):
            number = part["PartNumber"]
            if number not in expected or not _part_matches(upload.source, expected[number], part):
                return None
            parts[number] = _completed_part(number, part)
        return parts

    def _listed_parts(self, key: str, upload_id: str) -> list[Mapping[str, Any]]:
        pages = self._client.get_paginator("list_parts").paginate(
            Bucket=self.bucket, Key=key, UploadId=upload_id
        )
        return [part for page in pages for part in page.get("Parts", [])]

    def _create_multipart(self, upload: _Upload) -> str:
        response = self._client.create_multipart_upload(
            ChecksumAlgorithm=_PART_CHECKSUM, **self._object_arguments(upload)
        )
        return response["UploadId"]

    def _upload_part(
        self, upload: _Upload, upload_id: str, number: int, offset: int, length: int
    ) -> dict[str, Any]:
        response = self._client.upload_part(
            Bucket=self.bucket,
            Key=upload.key,
            UploadId=upload_id,
            PartNumber=number,
            Body=_read_range(upload.source, offset, length),
            ChecksumAlgorithm=_PART_CHECKSUM,
        )
        return _completed_part(number, response)

    def _complete(self, upload: _Upload, upload_id: str, parts: dict[int, Any]) -> _Stored:
        response = self._client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=upload.key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [parts[number] for number in sorted(parts)]},
        )
        return _Stored.of(response)

    def _abort(self, key: str, upload_id: str) -> None:
        self._client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _part_ranges(size: int, part_size: int) -> dict[int, tuple[int, int]]:
    """Part number -> (offset, length), every part ``part_size`` long but the last."""
    return {
        number: (offset, min(part_size, size - offset))
        for number, offset in enumerate(range(0, size, part_size), start=1)
    }


def _read_range(path: Path, offset: int, length: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def _part_matches(path: Path, byte_range: tuple[int, int], part: Mapping[str, Any]) -> bool:
    """Whether a stored part holds the local bytes: same size, ETag = MD5 of the bytes.

    Under SSE-KMS a part's ETag is not its MD5, so a KMS upload never resumes: it is aborted
    and sent again, whole.
    """
    offset, length = byte_range
    if part["Size"] != length:
        return False
    local_md5 = hashlib.md5(_read_range(path, offset, length), usedforsecurity=False).hexdigest()
    return str(part["ETag"]).strip('"') == local_md5


def _completed_part(number: int, part: Mapping[str, Any]) -> dict[str, Any]:
    checksums = {name: part[name] for name in _PART_CHECKSUM_FIELDS if name in part}
    return {"PartNumber": number, "ETag": part["ETag"], **checksums}
