"""Content credentials (C2PA): the keys that sign, signing a generated asset, checking it back.

Everything is offline. ``pressroom keys init`` makes a two-link ES256 chain with
`cryptography`: a self-signed root (the trust anchor) and a signing certificate it issues with
what the C2PA validator demands of a signer (digitalSignature, emailProtection, an authority key
identifier, not a CA). Only the signing key is kept: the root's private key is thrown away once
it has issued the signing certificate, so a stolen folder cannot mint new signers; renewing means
a new chain (``keys init --force``).

Signing uses no timestamp authority, and reading never fetches a remote manifest or OCSP answer.
Verification trusts our own root and nothing else: it is given to the SDK as its only anchor, so
an asset is valid only when its signature chains to that root and no validation check failed.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pressroom.errors import PressroomError
from pressroom.local_server import state_dir
from pressroom.models import Generation

KEYS_DIR_ENV = "PRESSROOM_KEYS_DIR"
AI_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
ROOT_LIFETIME = datetime.timedelta(days=3650)
SIGNER_LIFETIME = datetime.timedelta(days=825)
CLOCK_SKEW = datetime.timedelta(minutes=5)

SIGNABLE_MEDIA_TYPES = frozenset(
    {"image/png", "image/jpeg", "audio/wav", "audio/x-wav", "audio/mpeg", "video/mp4"}
)

# Validation codes (C2PA 2.x, section 15) in words a reviewer understands.
_PLAIN_CODES = {
    "assertion.dataHash.mismatch": "the file's content was changed after it was signed",
    "assertion.bmffHash.mismatch": "the file's content was changed after it was signed",
    "assertion.boxesHash.mismatch": "the file's content was changed after it was signed",
    "assertion.collectionHash.mismatch": "the file's content was changed after it was signed",
    "assertion.hashedURI.mismatch": "a statement inside the credentials was altered",
    "assertion.missing": "a statement the credentials refer to is missing",
    "claimSignature.mismatch": "the signature does not match the credentials",
    "claimSignature.missing": "the credentials carry no signature",
    "claimSignature.outsideValidity": "the signature was made outside the certificate's dates",
    "signingCredential.untrusted": "the signer's certificate does not come from our root",
    "signingCredential.invalid": "the signer's certificate is not fit for signing content",
    "signingCredential.expired": "the signer's certificate has expired",
    "signingCredential.revoked": "the signer's certificate was revoked",
    "claim.missing": "the credentials are incomplete",
    "manifest.inaccessible": "the credentials could not be read",
}


class ProvenanceError(PressroomError):
    """Keys are missing or unusable, or an asset cannot be signed."""


@dataclass(frozen=True)
class KeyPaths:
    """Where one key set lives: the root certificate, the signing certificate and its key."""

    directory: Path

    @property
    def root_cert(self) -> Path:
        return self.directory / "root-ca.pem"

    @property
    def signing_cert(self) -> Path:
        return self.directory / "signing-cert.pem"

    @property
    def private_key(self) -> Path:
        return self.directory / "signing-key.pem"

    def files(self) -> list[Path]:
        return [self.root_cert, self.signing_cert, self.private_key]


@dataclass(frozen=True)
class KeysInfo:
    """What `pressroom keys show` prints."""

    keys: KeyPaths
    organisation: str
    signer: str
    root_sha256: str
    expires: datetime.datetime
    key_mode: int

    def text(self) -> str:
        lines = [
            f"Folder:        {self.keys.directory}",
            f"Organisation:  {self.organisation}",
            f"Signer:        {self.signer} (valid until {self.expires:%Y-%m-%d})",
            f"Trust anchor:  {self.keys.root_cert}",
            f"  sha256:      {self.root_sha256}",
            f"Signing key:   {self.keys.private_key} (mode {self.key_mode:04o})",
        ]
        if self.key_mode & 0o077:
            lines.append("  warning: others can read the signing key; chmod 600 it")
        return "\n".join(lines)


@dataclass
class ProvenanceCheck:
    """What reading an asset's content credentials back found."""

    signed: bool
    valid: bool
    declares_ai: bool
    issuer: str | None = None
    problems: list[str] = field(default_factory=list)  # in plain words
    codes: list[str] = field(default_factory=list)  # the validator's status codes


def default_keys_dir() -> Path:
    """$PRESSROOM_KEYS_DIR, else `keys/` in Pressroom's state folder (`.pressroom/`)."""
    override = os.environ.get(KEYS_DIR_ENV)
    return Path(override) if override else state_dir() / "keys"


# ---------------------------------------------------------------- keys


def create_keys(
    directory: Path | None = None, *, organisation: str = "Pressroom", force: bool = False
) -> KeyPaths:
    """Make a root and a signing certificate in ``directory``; refuse to replace keys unless
    ``force``."""
    keys = KeyPaths(directory or default_keys_dir())
    existing = [p for p in keys.files() if p.exists()]
    if existing and not force:
        raise ProvenanceError(
            f"signing keys already exist in {keys.directory} ({existing[0].name}); "
            "pass --force to replace them (assets signed with the old keys will no longer "
            "verify against the new root)"
        )
    if not organisation.strip():
        raise ProvenanceError("the organisation name is empty")
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _root_certificate(root_key, organisation)
    signing_key = ec.generate_private_key(ec.SECP256R1())
    signing = _signing_certificate(signing_key, root, root_key, organisation)
    keys.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_file(keys.root_cert, _pem(root), mode=0o644)
    _write_file(keys.signing_cert, _pem(signing), mode=0o644)
    key_pem = signing_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_file(keys.private_key, key_pem, mode=0o600)
    return keys


def load_keys(directory: Path | None = None) -> KeyPaths:
    """The key set in ``directory`` (default: `default_keys_dir()`), checked to be complete."""
    keys = KeyPaths(directory or default_keys_dir())
    missing = [p.name for p in keys.files() if not p.is_file()]
    if missing:
        raise ProvenanceError(
            f"no complete signing keys in {keys.directory} (missing {', '.join(missing)}); "
            "create them with `pressroom keys init`"
        )
    return keys


def ensure_keys(directory: Path | None = None) -> tuple[KeyPaths, bool]:
    """The key set, created on first use when the folder holds none (the demo and a new
    checkout need no setup step); True when it was just created. A partial set is an error."""
    keys = KeyPaths(directory or default_keys_dir())
    if not any(path.exists() for path in keys.files()):
        return create_keys(keys.directory), True
    return load_keys(keys.directory), False


def describe_keys(keys: KeyPaths) -> KeysInfo:
    root = _read_certificate(keys.root_cert)
    signing = _read_certificate(keys.signing_cert)
    return KeysInfo(
        keys=keys,
        organisation=_name_attribute(signing.subject, NameOID.ORGANIZATION_NAME) or "",
        signer=_name_attribute(signing.subject, NameOID.COMMON_NAME) or "",
        root_sha256=root.fingerprint(hashes.SHA256()).hex(),
        expires=signing.not_valid_after_utc,
        key_mode=stat.S_IMODE(keys.private_key.stat().st_mode),
    )


def _subject(organisation: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, signs_content: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signs_content,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signs_content,
        crl_sign=not signs_content,
        encipher_only=False,
        decipher_only=False,
    )


def _root_certificate(key: ec.EllipticCurvePrivateKey, organisation: str) -> x509.Certificate:
    name = _subject(organisation, f"{organisation} content credentials root")
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + ROOT_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_content=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )


def _signing_certificate(
    key: ec.EllipticCurvePrivateKey,
    root: x509.Certificate,
    root_key: ec.EllipticCurvePrivateKey,
    organisation: str,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    root_ski = root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(_subject(organisation, f"{organisation} content signing"))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + SIGNER_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signs_content=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _read_certificate(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as error:
        raise ProvenanceError(f"cannot read the certificate {path}: {error}") from None


def _name_attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def _write_file(path: Path, data: bytes, *, mode: int) -> None:
    """Write beside the target with ``mode`` from the start, then rename over it."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- signing and reading


def _offline_context(keys: KeyPaths) -> c2pa.Context:
    """SDK settings: our root is the only trust anchor; nothing is fetched over the network."""
    return c2pa.Context.from_dict(
        {
            "trust": {"user_anchors": _read_key_file(keys.root_cert).decode()},
            "verify": {
                "verify_trust": True,
                "ocsp_fetch": False,
                "remote_manifest_fetch": False,
            },
            "core": {"allowed_network_hosts": []},
            # No thumbnail: the asset is its own picture; the SDK's 1024 px copy would add
            # 30-540 kB to a 1080x1920 PNG and triple its signing time (benchmarks/provenance.py).
            "builder": {"certificate_status_fetch": None, "thumbnail": {"enabled": False}},
        }
    )


def _read_key_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ProvenanceError(
            f"cannot read {path} ({error.strerror}); create keys with `pressroom keys init`"
        ) from None


def _require_signable(media_type: str) -> None:
    if media_type not in SIGNABLE_MEDIA_TYPES:
        raise ProvenanceError(
            f"cannot attach content credentials to {media_type!r}: Pressroom signs "
            f"{', '.join(sorted(SIGNABLE_MEDIA_TYPES))}"
        )


def software_agent(generation: Generation | None) -> str:
    """Who made the asset, as the manifest names it: Pressroom and the provider's model."""
    pressroom = f"Pressroom {version('pressroom')}"
    if generation is None:
        return pressroom
    return f"{pressroom} with {generation.provider} {generation.model}"


def manifest_definition(title: str, generation: Generation | None) -> dict[str, Any]:
    """The manifest signed into an asset: created by a trained model, with Pressroom's name."""
    return {
        "claim_generator_info": [{"name": "Pressroom", "version": version("pressroom")}],
        "title": title,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": AI_SOURCE_TYPE,
                            "softwareAgent": {"name": software_agent(generation)},
                        }
                    ]
                },
            }
        ],
    }


def sign_asset(
    data: bytes, media_type: str, *, title: str, generation: Generation | None, keys: KeyPaths
) -> bytes:
    """The asset with a signed C2PA manifest embedded, declaring it AI-generated."""
    _require_signable(media_type)
    signer_info = c2pa.C2paSignerInfo(
        c2pa.C2paSigningAlg.ES256,
        _read_key_file(keys.signing_cert),
        _read_key_file(keys.private_key),
        None,  # no timestamp authority: signing never goes on the network
    )
    signed = io.BytesIO()
    try:
        with (
            _offline_context(keys) as context,
            c2pa.Signer.from_info(signer_info) as signer,
            c2pa.Builder(manifest_definition(title, generation), context=context) as builder,
        ):
            builder.sign(signer, media_type, io.BytesIO(data), signed)
    except c2pa.C2paError as error:
        raise ProvenanceError(f"could not sign {title!r} ({media_type}): {error}") from None
    return signed.getvalue()


def verify_asset(data: bytes, media_type: str, *, keys: KeyPaths) -> ProvenanceCheck:
    """Read the asset's content credentials back and say whether they hold, in plain words."""
    _require_signable(media_type)
    try:
        with (
            _offline_context(keys) as context,
            c2pa.Reader(media_type, io.BytesIO(data), context=context) as reader,
        ):
            store = json.loads(reader.json())
    except c2pa.C2paError.ManifestNotFound:
        return ProvenanceCheck(
            signed=False, valid=False, declares_ai=False, problems=["no content credentials"]
        )
    except c2pa.C2paError as error:
        return ProvenanceCheck(
            signed=True,
            valid=False,
            declares_ai=False,
            problems=[f"the content credentials could not be read ({error})"],
        )
    return _check_store(store)


def _check_store(store: dict[str, Any]) -> ProvenanceCheck:
    manifest = store.get("manifests", {}).get(store.get("active_manifest", ""), {})
    failures = _failures(store)
    codes = [status.get("code", "") for status in failures]
    problems = list(dict.fromkeys(_plain(status) for status in failures))
    if store.get("validation_state") != "Trusted" and not problems:
        problems.append(f"the credentials are {store.get('validation_state', 'unchecked')}")
    return ProvenanceCheck(
        signed=True,
        valid=not problems,
        declares_ai=_declares_ai(manifest),
        issuer=manifest.get("signature_info", {}).get("issuer"),
        problems=problems,
        codes=codes,
    )


def _failures(store: dict[str, Any]) -> list[dict[str, str]]:
    results = store.get("validation_results") or {}
    failures = list(results.get("activeManifest", {}).get("failure", []))
    for delta in results.get("ingredientDeltas", []):
        failures += delta.get("validationDeltas", {}).get("failure", [])
    return failures


def _plain(status: dict[str, str]) -> str:
    code = status.get("code", "")
    return _PLAIN_CODES.get(code) or status.get("explanation") or f"validation failed: {code}"


def _declares_ai(manifest: dict[str, Any]) -> bool:
    return any(
        action.get("action") == "c2pa.created" and action.get("digitalSourceType") == AI_SOURCE_TYPE
        for assertion in manifest.get("assertions", [])
        if assertion.get("label", "").startswith("c2pa.actions")
        for action in assertion.get("data", {}).get("actions", [])
    )
