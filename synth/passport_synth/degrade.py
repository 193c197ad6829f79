"""Capture conditions: each named preset turns a flat page into what a scanner or phone gives.

Presets are data (ranges the random draws come from); the steps are small functions on PIL
images. Perspective uses Image.transform(PERSPECTIVE): no OpenCV.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from . import fonts


@dataclass(frozen=True)
class Preset:
    name: str
    px_per_mm: tuple[float, float]  # page resolution the page is drawn at
    mrz_char_px: tuple[float, float] | None = None  # resample so MRZ capitals are this tall
    rotation_deg: float = 0.0  # small tilt, uniform in [-r, r]
    noise_sigma: tuple[float, float] = (0.0, 0.0)
    blur_px: tuple[float, float] = (0.0, 0.0)
    contrast: tuple[float, float] = (1.0, 1.0)
    jpeg_quality: tuple[int, int] | None = None  # None: lossless PNG
    scanner_bed: bool = False
    photo: bool = False
    facing_page_share: float = 0.0  # booklet pages (TD3, MRV-A): how often the facing page shows


PRESETS: dict[str, Preset] = {
    "clean": Preset("clean", px_per_mm=(7.0, 10.0)),
    "scan": Preset(
        "scan", px_per_mm=(6.0, 9.0), rotation_deg=3.0, noise_sigma=(2.0, 6.0), blur_px=(0.2, 0.7),
        jpeg_quality=(70, 92), scanner_bed=True, facing_page_share=0.5,
    ),
    "lowres": Preset("lowres", px_per_mm=(8.0, 8.0), mrz_char_px=(8.0, 10.0), noise_sigma=(0.0, 3.0), jpeg_quality=(75, 92)),
    "photo": Preset(
        "photo", px_per_mm=(8.0, 10.0), noise_sigma=(3.0, 8.0), blur_px=(0.4, 1.4), jpeg_quality=(70, 90), photo=True,
        facing_page_share=0.4,
    ),
    "heavy": Preset(
        "heavy", px_per_mm=(5.5, 7.5), rotation_deg=2.0, noise_sigma=(12.0, 22.0), blur_px=(1.0, 1.8),
        contrast=(0.35, 0.6), jpeg_quality=(30, 50), facing_page_share=0.3,
    ),
}
CONDITIONS: tuple[str, ...] = tuple(PRESETS)


def _uniform(rng: random.Random, bounds: tuple[float, float]) -> float:
    return rng.uniform(*bounds)


def add_noise(image: Image.Image, sigma: float, np_rng: np.random.Generator) -> Image.Image:
    if sigma <= 0:
        return image
    pixels = np.asarray(image, dtype=np.float32) + np_rng.normal(0, sigma, (image.height, image.width, 1))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def encode(image: Image.Image, jpeg_quality: int | None) -> bytes:
    buffer = io.BytesIO()
    if jpeg_quality is None:
        image.save(buffer, format="PNG", optimize=False, compress_level=6)
    else:
        image.save(buffer, format="JPEG", quality=jpeg_quality)
    return buffer.getvalue()


def place_on_bed(rng: random.Random, page: Image.Image) -> Image.Image:
    """A flatbed scan: margins of the lid's colour around the page, then a small tilt."""
    bed_color = tuple(rng.randint(225, 250) for _ in range(3))
    margin_x, margin_y = (round(side * rng.uniform(0.03, 0.12)) for side in page.size)
    bed = Image.new("RGB", (page.width + 2 * margin_x, page.height + 2 * margin_y), bed_color)
    bed.paste(page, (margin_x, margin_y))
    return bed


def rotate(image: Image.Image, degrees: float, fill: tuple[int, int, int]) -> Image.Image:
    return image.rotate(degrees, resample=Image.BICUBIC, expand=True, fillcolor=fill)


def perspective_coefficients(output_corners, input_corners) -> list[float]:
    """PIL's PERSPECTIVE maps each output pixel back to the input: solve the 8 unknowns."""
    matrix, target = [], []
    for (x, y), (u, v) in zip(output_corners, input_corners):
        matrix.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        matrix.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        target += [u, v]
    return np.linalg.solve(np.array(matrix, dtype=np.float64), np.array(target, dtype=np.float64)).tolist()


def cluttered_background(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A desk: a base colour, grain, objects and stray printed text."""
    width, height = size
    base = tuple(rng.randint(40, 200) for _ in range(3))
    scene = Image.new("RGB", size, base)
    draw = ImageDraw.Draw(scene)
    for i in range(0, height, max(3, height // 120)):  # wood-like grain
        shade = tuple(max(0, min(255, c + rng.randint(-18, 18))) for c in base)
        draw.line([(0, i), (width, i + rng.randint(-20, 20))], fill=shade, width=rng.randint(1, 4))
    for _ in range(rng.randint(6, 14)):
        color = tuple(rng.randint(0, 255) for _ in range(3))
        x0, y0 = rng.uniform(-0.2, 1.0) * width, rng.uniform(-0.2, 1.0) * height
        x1, y1 = x0 + rng.uniform(0.05, 0.5) * width, y0 + rng.uniform(0.05, 0.5) * height
        shape = rng.choice((draw.rectangle, draw.ellipse))
        shape((x0, y0, x1, y1), fill=color)
    regular, _ = fonts.available_faces()[0]
    for _ in range(rng.randint(2, 6)):
        words = " ".join(rng.choice(("INVOICE", "Total", "2024", "Meeting 10:30", "RECEIPT", "No. 4471", "www")) for _ in range(3))
        font = fonts.load(regular, rng.randint(14, 40))
        draw.text((rng.uniform(0, 0.8) * width, rng.uniform(0, 0.95) * height), words, font=font,
                  fill=tuple(rng.randint(0, 255) for _ in range(3)))
    return scene.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 2.5)))


def place_in_photo(rng: random.Random, page: Image.Image) -> Image.Image:
    """A phone photo: the page, seen at an angle, covering 30-70 % of a cluttered frame."""
    long_side = rng.randint(1000, 1500)
    aspect = rng.choice((4 / 3, 16 / 9))
    frame = (long_side, round(long_side / aspect))
    area_share = rng.uniform(0.3, 0.7)
    scale = math.sqrt(area_share * frame[0] * frame[1] / (page.width * page.height))
    doc_w, doc_h = page.width * scale, page.height * scale
    if doc_w > frame[0] * 0.92 or doc_h > frame[1] * 0.92:
        shrink = min(frame[0] * 0.92 / doc_w, frame[1] * 0.92 / doc_h)
        doc_w, doc_h = doc_w * shrink, doc_h * shrink
    tilt = math.radians(rng.uniform(-12, 12))
    cos_t, sin_t = math.cos(tilt), math.sin(tilt)
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        # Perspective: each corner moves independently by up to 7 % of the page width.
        x = sx * doc_w / 2 + rng.uniform(-0.07, 0.07) * doc_w
        y = sy * doc_h / 2 + rng.uniform(-0.07, 0.07) * doc_w
        corners.append((x * cos_t - y * sin_t, x * sin_t + y * cos_t))
    min_x, max_x = min(c[0] for c in corners), max(c[0] for c in corners)
    min_y, max_y = min(c[1] for c in corners), max(c[1] for c in corners)
    fit = min(1.0, (frame[0] - 8) / (max_x - min_x), (frame[1] - 8) / (max_y - min_y))
    corners = [(x * fit, y * fit) for x, y in corners]
    min_x, max_x = min(c[0] for c in corners), max(c[0] for c in corners)
    min_y, max_y = min(c[1] for c in corners), max(c[1] for c in corners)
    cx = rng.uniform(4 - min_x, frame[0] - 4 - max_x)
    cy = rng.uniform(4 - min_y, frame[1] - 4 - max_y)
    corners = [(x + cx, y + cy) for x, y in corners]

    source = ((0, 0), (page.width, 0), (page.width, page.height), (0, page.height))
    coefficients = perspective_coefficients(corners, source)
    warped = page.convert("RGBA").transform(frame, Image.PERSPECTIVE, coefficients, resample=Image.BICUBIC,
                                            fillcolor=(0, 0, 0, 0))
    scene = cluttered_background(rng, frame).convert("RGBA")
    scene.alpha_composite(warped)
    return scene.convert("RGB")


PHONE_FRAME = (4032, 3024)  # a 12 MP phone photo


def skewed_view(rng: random.Random, page: Image.Image, amount: float = 0.06) -> Image.Image:
    """The page seen at an angle: each corner moved by up to `amount` of the page's size, so
    its lines no longer run quite parallel (the MRZ's not at the angle of the text above)."""
    w, h = page.size
    corners = [(x + rng.uniform(-amount, amount) * w, y + rng.uniform(-amount, amount) * h) for x, y in ((0, 0), (w, 0), (w, h), (0, h))]
    left, top = min(x for x, _ in corners), min(y for _, y in corners)
    corners = [(x - left, y - top) for x, y in corners]
    size = (int(max(x for x, _ in corners)), int(max(y for _, y in corners)))
    source = ((0, 0), (w, 0), (w, h), (0, h))
    return page.transform(size, Image.PERSPECTIVE, perspective_coefficients(corners, source), Image.BICUBIC, fillcolor=(90, 80, 70))


def phone_photo(rng: random.Random, page: Image.Image, share: float, angle: float) -> Image.Image:
    """`page` photographed at full phone resolution: skewed, turned `angle` degrees, `share`
    of the width of a 12 MP frame, softened. (place_in_photo makes the generator's smaller
    photos; this one takes any page, e.g. a real specimen.)"""
    scale = share * PHONE_FRAME[0] / page.width
    document = skewed_view(rng, page.resize((int(page.width * scale), int(page.height * scale)), Image.BICUBIC))
    document = document.convert("RGBA").rotate(angle, expand=True, resample=Image.BICUBIC)
    x = rng.randint(0, max(0, PHONE_FRAME[0] - document.width))
    y = rng.randint(0, max(0, PHONE_FRAME[1] - document.height))
    softness = rng.uniform(0.5, 1.5)
    # The frame's grain is drawn from `rng` too (Image.effect_noise draws from C's unseeded
    # rand(), so a case would differ from one run to the next).
    grain = np.random.default_rng(rng.getrandbits(32)).normal(128.0, 40.0, (PHONE_FRAME[1], PHONE_FRAME[0]))
    frame = Image.blend(
        Image.fromarray(np.clip(grain, 0, 255).astype(np.uint8), "L").convert("RGB").filter(ImageFilter.GaussianBlur(3)),
        Image.new("RGB", PHONE_FRAME, (120, 100, 80)),
        0.6,
    )
    frame.paste(document, (x, y), document)
    return frame.filter(ImageFilter.GaussianBlur(softness))


def uneven_light(rng: random.Random, image: Image.Image, np_rng: np.random.Generator) -> Image.Image:
    """A light gradient across the frame plus one glare spot."""
    width, height = image.size
    x = np.linspace(-1, 1, width, dtype=np.float32)[None, :]
    y = np.linspace(-1, 1, height, dtype=np.float32)[:, None]
    angle = rng.uniform(0, 2 * math.pi)
    light = 0.82 + rng.uniform(0.1, 0.25) * (math.cos(angle) * x + math.sin(angle) * y)
    gx, gy = rng.uniform(-0.8, 0.8), rng.uniform(-0.8, 0.8)
    radius = rng.uniform(0.08, 0.25)
    glare = rng.uniform(0.3, 0.8) * np.exp(-((x - gx) ** 2 + (y - gy) ** 2) / (2 * radius**2))
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels * light[..., None] + 255 * glare[..., None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


# Two documents scanned together lie this far apart on a grey bed.
PAIR_GAP_PX = 40
PAIR_BED = (200, 200, 200)


def side_by_side(left: Image.Image, right: Image.Image) -> Image.Image:
    """Two documents in one image, `right` scaled to `left`'s height and put beside it."""
    right = right.resize((round(right.width * left.height / right.height), left.height))
    canvas = Image.new("RGB", (left.width + right.width + PAIR_GAP_PX, left.height), PAIR_BED)
    canvas.paste(left, (0, 0))
    canvas.paste(right, (left.width + PAIR_GAP_PX, 0))
    return canvas


def one_above_the_other(top: Image.Image, bottom: Image.Image) -> Image.Image:
    """Two documents in one image, `top` scaled to `bottom`'s width and put above it."""
    top = top.resize((bottom.width, round(top.height * bottom.width / top.width)))
    canvas = Image.new("RGB", (bottom.width, top.height + bottom.height + PAIR_GAP_PX), PAIR_BED)
    canvas.paste(top, (0, 0))
    canvas.paste(bottom, (0, top.height + PAIR_GAP_PX))
    return canvas


def degrade(rng: random.Random, page: Image.Image, preset: Preset, mrz_cap_px: float) -> tuple[Image.Image, int | None]:
    """The captured image and the JPEG quality to encode it with (None: PNG)."""
    np_rng = np.random.default_rng(rng.getrandbits(32))
    image = page
    if preset.mrz_char_px is not None:
        target = _uniform(rng, preset.mrz_char_px)
        factor = target / mrz_cap_px
        image = image.resize((round(image.width * factor), round(image.height * factor)), Image.LANCZOS)
    if preset.scanner_bed:
        image = place_on_bed(rng, image)
    if preset.rotation_deg:
        corner = image.getpixel((0, 0))
        image = rotate(image, rng.uniform(-preset.rotation_deg, preset.rotation_deg), corner)
    if preset.photo:
        image = place_in_photo(rng, image)
        image = uneven_light(rng, image, np_rng)
    blur = _uniform(rng, preset.blur_px)
    if blur > 0:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    contrast = _uniform(rng, preset.contrast)
    if contrast != 1.0:
        image = ImageEnhance.Contrast(image).enhance(contrast)
    image = add_noise(image, _uniform(rng, preset.noise_sigma), np_rng)
    if preset.photo:
        # Phones are held any way round; EXIF-less uploads arrive sideways or upside down.
        turn = rng.choices((None, Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270),
                           weights=(55, 15, 15, 15))[0]
        if turn is not None:
            image = image.transpose(turn)
    quality = None if preset.jpeg_quality is None else rng.randint(*preset.jpeg_quality)
    return image, quality
