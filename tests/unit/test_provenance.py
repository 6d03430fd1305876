"""Content credentials: the key set `pressroom keys init` makes, signing and reading back PNG,
JPEG and WAV, and rule R5 over bundle files."""

from __future__ import annotations

import io
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import c2pa
import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from typer.testing import CliRunner

from pressroom.cli import app
from pressroom.compliance.provenance import check_provenance
from pressroom.errors import PressroomError
from pressroom.models import Generation
from pressroom.provenance import (
    AI_SOURCE_TYPE,
    KEYS_DIR_ENV,
    KeyPaths,
    ProvenanceError,
    create_keys,
    default_keys_dir,
    describe_keys,
    load_keys,
    manifest_definition,
    sign_asset,
    verify_asset,
)
from tests.provenance_media import flip_media_byte, jpeg_bytes, png_bytes, wav_bytes

GENERATION = Generation(
    provider="openai", model="gpt-image-1", template_id="card", template_version="3"
)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPaths:
    return create_keys(tmp_path_factory.mktemp("keys") / "keys", organisation="Gazette du Port")


@pytest.fixture(scope="module")
def signed_png(keys: KeyPaths) -> bytes:
    return sign_asset(
        png_bytes(), "image/png", title="linkedin.png", generation=GENERATION, keys=keys
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---------------------------------------------------------------- keys


def test_keys_init_makes_a_root_and_a_signer_with_a_private_key_only_its_owner_reads(
    keys: KeyPaths,
) -> None:
    assert mode(keys.private_key) == 0o600
    assert mode(keys.root_cert) == 0o644
    assert mode(keys.signing_cert) == 0o644
    assert sorted(p.name for p in keys.directory.iterdir()) == sorted(p.name for p in keys.files())


def test_the_signing_certificate_is_what_a_c2pa_validator_accepts_from_a_signer(
    keys: KeyPaths,
) -> None:
    root = x509.load_pem_x509_certificate(keys.root_cert.read_bytes())
    signer = x509.load_pem_x509_certificate(keys.signing_cert.read_bytes())
    signer.verify_directly_issued_by(root)
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert root.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert not signer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = signer.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_cert_sign
    extended = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(extended) == [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    assert signer.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert describe_keys(keys).organisation == "Gazette du Port"


def test_keys_are_not_replaced_without_force(tmp_path: Path) -> None:
    first = create_keys(tmp_path)
    before = first.root_cert.read_bytes()
    with pytest.raises(ProvenanceError, match="already exist.*--force"):
        create_keys(tmp_path)
    assert first.root_cert.read_bytes() == before
    create_keys(tmp_path, force=True)
    assert first.root_cert.read_bytes() != before
    assert mode(first.private_key) == 0o600


def test_the_keys_folder_is_the_state_folder_unless_the_environment_names_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEYS_DIR_ENV, raising=False)
    monkeypatch.setenv("PRESSROOM_HOME", str(tmp_path / "home"))
    assert default_keys_dir() == tmp_path / "home" / "keys"
    monkeypatch.setenv(KEYS_DIR_ENV, str(tmp_path / "elsewhere"))
    assert default_keys_dir() == tmp_path / "elsewhere"


def test_missing_keys_say_how_to_make_them(tmp_path: Path) -> None:
    with pytest.raises(PressroomError, match="pressroom keys init"):
        load_keys(tmp_path)


def test_signing_without_keys_says_how_to_make_them(tmp_path: Path) -> None:
    with pytest.raises(ProvenanceError, match="signing-cert.pem.*pressroom keys init"):
        sign_asset(png_bytes(), "image/png", title="x", generation=None, keys=KeyPaths(tmp_path))


# ---------------------------------------------------------------- signing and reading back


def test_a_signed_png_validates_and_declares_it_was_made_by_a_trained_model(
    keys: KeyPaths, signed_png: bytes
) -> None:
    check = verify_asset(signed_png, "image/png", keys=keys)
    assert check.signed and check.valid and check.declares_ai, check.problems
    assert check.issuer == "Gazette du Port"
    assert check.problems == [] and check.codes == []


def test_the_manifest_names_pressroom_and_the_model_that_made_the_asset(
    signed_png: bytes,
) -> None:
    with c2pa.Reader("image/png", io.BytesIO(signed_png)) as reader:
        manifest = reader.get_active_manifest()
    assert manifest is not None
    assert manifest["claim_generator_info"][0]["name"] == "Pressroom"
    assert manifest["title"] == "linkedin.png"
    (actions,) = [a for a in manifest["assertions"] if a["label"].startswith("c2pa.actions")]
    (created,) = actions["data"]["actions"]
    assert created["action"] == "c2pa.created"
    assert created["digitalSourceType"] == AI_SOURCE_TYPE
    assert created["softwareAgent"]["name"].startswith("Pressroom ")
    assert created["softwareAgent"]["name"].endswith("with openai gpt-image-1")


@pytest.mark.parametrize(
    ("media_type", "make"),
    [("image/jpeg", jpeg_bytes), ("audio/wav", wav_bytes), ("audio/x-wav", wav_bytes)],
)
def test_jpeg_and_wav_are_signed_too(
    keys: KeyPaths, media_type: str, make: Callable[[], bytes]
) -> None:
    signed = sign_asset(make(), media_type, title="asset", generation=GENERATION, keys=keys)
    check = verify_asset(signed, media_type, keys=keys)
    assert check.valid and check.declares_ai, check.problems


@pytest.mark.parametrize(
    ("media_type", "make"), [("image/png", png_bytes), ("audio/wav", wav_bytes)]
)
def test_one_byte_changed_after_signing_is_named_in_plain_words(
    keys: KeyPaths, media_type: str, make: Callable[[], bytes]
) -> None:
    signed = sign_asset(make(), media_type, title="asset", generation=GENERATION, keys=keys)
    check = verify_asset(flip_media_byte(signed, media_type), media_type, keys=keys)
    assert check.signed and not check.valid
    assert check.codes == ["assertion.dataHash.mismatch"]
    assert check.problems == ["the file's content was changed after it was signed"]


def test_an_asset_signed_under_another_root_is_not_trusted(keys: KeyPaths, tmp_path: Path) -> None:
    stranger = create_keys(tmp_path, organisation="Someone Else")
    signed = sign_asset(png_bytes(), "image/png", title="x", generation=None, keys=stranger)
    assert verify_asset(signed, "image/png", keys=stranger).valid
    check = verify_asset(signed, "image/png", keys=keys)
    assert not check.valid
    assert "signingCredential.untrusted" in check.codes
    assert "the signer's certificate does not come from our root" in check.problems


def test_an_unsigned_file_has_no_credentials(keys: KeyPaths) -> None:
    check = verify_asset(png_bytes(), "image/png", keys=keys)
    assert not check.signed and not check.valid and not check.declares_ai


def test_a_format_pressroom_does_not_sign_is_refused_by_name(keys: KeyPaths) -> None:
    with pytest.raises(ProvenanceError, match="image/gif"):
        sign_asset(b"GIF89a", "image/gif", title="x", generation=None, keys=keys)


def test_bytes_that_are_not_the_named_format_cannot_be_signed(keys: KeyPaths) -> None:
    with pytest.raises(ProvenanceError, match="could not sign 'broken.png'"):
        sign_asset(b"not a png", "image/png", title="broken.png", generation=None, keys=keys)


# ---------------------------------------------------------------- R5


def test_r5_passes_signed_media_and_ignores_text(keys: KeyPaths, signed_png: bytes) -> None:
    files = [
        ("images/linkedin.png", signed_png, "image/png"),
        ("posts.md", b"# x", "text/markdown"),
    ]
    assert check_provenance(files, keys=keys) == []


def test_r5_blocks_an_unsigned_image_and_says_why(keys: KeyPaths) -> None:
    (finding,) = check_provenance([("images/x.png", png_bytes(), "image/png")], keys=keys)
    assert (finding.rule_id, finding.severity, finding.location) == (
        "R5",
        "blocker",
        "images/x.png",
    )
    assert "no content credentials" in finding.message
    assert finding.evidence == "images/x.png: no content credentials"


def test_r5_blocks_a_file_changed_after_signing_with_the_validator_reason(
    keys: KeyPaths, signed_png: bytes
) -> None:
    tampered = flip_media_byte(signed_png, "image/png")
    (finding,) = check_provenance([("images/x.png", tampered, "image/png")], keys=keys)
    assert finding.severity == "blocker"
    assert "was changed after it was signed" in finding.message
    assert "assertion.dataHash.mismatch" in finding.evidence
    assert finding.evidence.startswith("images/x.png: ")


def test_r5_blocks_credentials_that_do_not_declare_ai(keys: KeyPaths) -> None:
    manifest = manifest_definition("x.png", None)
    manifest["assertions"][0]["data"]["actions"][0]["digitalSourceType"] = (
        "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
    )
    signed = sign_with_manifest(png_bytes(), "image/png", manifest, keys)
    assert verify_asset(signed, "image/png", keys=keys).valid
    (finding,) = check_provenance([("images/x.png", signed, "image/png")], keys=keys)
    assert "do not say it was made by AI" in finding.message
    assert "trainedAlgorithmicMedia" in finding.evidence


def test_r5_blocks_a_generated_image_in_a_format_that_cannot_be_signed(keys: KeyPaths) -> None:
    (finding,) = check_provenance([("images/x.gif", b"GIF89a", "image/gif")], keys=keys)
    assert finding.severity == "blocker" and "image/gif" in finding.message


def sign_with_manifest(
    data: bytes, media_type: str, manifest: dict[str, Any], keys: KeyPaths
) -> bytes:
    """Sign with the SDK directly, for a manifest `sign_asset` would never write."""
    info = c2pa.C2paSignerInfo(
        c2pa.C2paSigningAlg.ES256,
        keys.signing_cert.read_bytes(),
        keys.private_key.read_bytes(),
        None,
    )
    out = io.BytesIO()
    with c2pa.Signer.from_info(info) as signer, c2pa.Builder(json.dumps(manifest)) as builder:
        builder.sign(signer, media_type, io.BytesIO(data), out)
    return out.getvalue()


# ---------------------------------------------------------------- CLI


def test_keys_init_prints_where_the_keys_are_and_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "keys"
    first = runner.invoke(app, ["keys", "init", "--dir", str(folder)])
    assert first.exit_code == 0, first.output
    assert str(folder) in first.output
    assert str(folder / "signing-key.pem") in first.output and "mode 0600" in first.output
    fingerprint = describe_keys(load_keys(folder)).root_sha256
    assert fingerprint in first.output

    again = runner.invoke(app, ["keys", "init", "--dir", str(folder)])
    assert again.exit_code == 1
    assert "already exist" in again.output and "--force" in again.output
    assert describe_keys(load_keys(folder)).root_sha256 == fingerprint

    forced = runner.invoke(
        app, ["keys", "init", "--dir", str(folder), "--force", "--organisation", "La Gazette"]
    )
    assert forced.exit_code == 0, forced.output
    assert "La Gazette" in forced.output
    assert describe_keys(load_keys(folder)).root_sha256 != fingerprint


def test_keys_show_reads_the_environment_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEYS_DIR_ENV, str(tmp_path / "env-keys"))
    runner = CliRunner()
    missing = runner.invoke(app, ["keys", "show"])
    assert missing.exit_code == 1 and "pressroom keys init" in missing.output
    assert runner.invoke(app, ["keys", "init"]).exit_code == 0
    shown = runner.invoke(app, ["keys", "show"])
    assert shown.exit_code == 0
    assert str(tmp_path / "env-keys" / "root-ca.pem") in shown.output
