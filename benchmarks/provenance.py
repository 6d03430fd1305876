"""Content credentials: time to sign and to verify a 1080×1920 PNG, a 5 s 1080×1920 MP4 and a
5 s WAV, the bytes the manifest adds, and what the SDK's default thumbnail would cost a PNG.

Each figure is the median of several runs, after one warm-up. Prints figures; asserts nothing.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import c2pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pressroom.models import Generation
from pressroom.provenance import (
    KeyPaths,
    create_keys,
    manifest_definition,
    sign_asset,
    verify_asset,
)
from tests.provenance_media import ffmpeg_media, png_bytes, wav_bytes

RUNS = 5
GENERATION = Generation(
    provider="openai", model="gpt-image-1", template_id="t", template_version="1"
)


def median_seconds(action: Callable[[], object]) -> float:
    action()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sign_with_sdk_thumbnail(data: bytes, keys: KeyPaths) -> bytes:
    """As `sign_asset`, but with the SDK's default thumbnail (which Pressroom turns off)."""
    info = c2pa.C2paSignerInfo(
        c2pa.C2paSigningAlg.ES256,
        keys.signing_cert.read_bytes(),
        keys.private_key.read_bytes(),
        None,
    )
    out = io.BytesIO()
    context = c2pa.Context.from_dict({"verify": {"remote_manifest_fetch": False}})
    with (
        context,
        c2pa.Signer.from_info(info) as signer,
        c2pa.Builder(manifest_definition("card.png", GENERATION), context=context) as builder,
    ):
        builder.sign(signer, "image/png", io.BytesIO(data), out)
    return out.getvalue()


def card_like_png() -> bytes:
    """A 1080×1920 card-like PNG: a vertical gradient under blocks of text."""
    from PIL import Image, ImageDraw

    image = Image.linear_gradient("L").resize((1080, 1920)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for row in range(200, 1700, 90):
        draw.text((90, row), "Seagrass is spreading again in Port Alder harbour " * 2, fill="white")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def report(name: str, data: bytes, media_type: str, keys: KeyPaths) -> None:
    def sign() -> bytes:
        return sign_asset(data, media_type, title=name, generation=GENERATION, keys=keys)

    signed = sign()
    signing = median_seconds(sign)
    verifying = median_seconds(lambda: verify_asset(signed, media_type, keys=keys))
    print(
        f"{name:<28} {len(data) / 1e6:7.2f} MB  sign {signing * 1000:7.1f} ms  "
        f"verify {verifying * 1000:7.1f} ms  manifest +{(len(signed) - len(data)) / 1e3:.1f} kB"
    )


def main() -> None:
    keys = create_keys(Path(tempfile.mkdtemp(prefix="pressroom-bench-keys-")))
    print(f"c2pa-python {c2pa.__version__} (c2pa-rs {c2pa.sdk_version()}), median of {RUNS}")
    card = card_like_png()
    noise = png_bytes(1080, 1920)
    report("PNG 1080×1920 card-like", card, "image/png", keys)
    report("PNG 1080×1920 noise", noise, "image/png", keys)
    report("MP4 5 s 1080×1920", ffmpeg_media(".mp4", 5, size="1080x1920"), "video/mp4", keys)
    grainy = ffmpeg_media(".mp4", 5, size="1080x1920", grain=True)
    report("MP4 5 s 1080×1920 grainy", grainy, "video/mp4", keys)
    report("WAV 5 s 16 kHz mono", wav_bytes(5), "audio/wav", keys)
    for name, png in [("card-like", card), ("noise", noise)]:
        plain = len(sign_asset(png, "image/png", title="x", generation=None, keys=keys))
        seconds = median_seconds(lambda png=png: sign_with_sdk_thumbnail(png, keys))
        thumbnailed = len(sign_with_sdk_thumbnail(png, keys))
        print(
            f"SDK thumbnail, PNG {name:<10} sign {seconds * 1000:7.1f} ms, "
            f"+{(thumbnailed - plain) / 1e3:.1f} kB over Pressroom's signed file"
        )


if __name__ == "__main__":
    main()
