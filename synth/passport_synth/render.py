"""Draws a document's data page (security background, photo, visual zone, OCR-B MRZ) with Pillow.

Geometry is in millimetres of the real document (ICAO 9303 sizes) scaled by `px_per_mm`, so
every resolution keeps the true proportions: the MRZ pitch is 2.54 mm (10 characters per inch).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from . import data, fonts
from .dates import format_date, pick_style as pick_date_style
from .identity import Document

# Width, height of the data page in mm.
PAGE_SIZE_MM = {"TD3": (125.0, 88.0), "TD2": (105.0, 74.0), "TD1": (85.6, 54.0), "MRVA": (120.0, 80.0), "MRVB": (105.0, 74.0)}
MRZ_PITCH_MM = 2.54
MRZ_CAP_HEIGHT_MM = 2.35
MRZ_LINE_PITCH_MM = (3.9, 4.4)

# Rows of the visual zone per kind of document: fields side by side in one row.
ROWS = {
    "passport": (
        ("document_type", "document_code", "document_number"),
        ("surname",),
        ("given_names",),
        ("nationality",),
        ("date_of_birth", "personal_number"),
        ("sex", "place_of_birth"),
        ("date_of_issue", "authority"),
        ("date_of_expiry",),
    ),
    "id": (
        ("card_number",),
        ("surname",),
        ("given_names",),
        ("date_of_birth", "sex", "nationality"),
        ("place_of_birth",),
        ("date_of_issue", "date_of_expiry"),
        ("authority",),
    ),
    "visa": (
        ("issuing_country", "document_type", "document_number"),
        ("surname",),
        ("given_names",),
        ("date_of_birth", "sex", "nationality"),
        ("date_of_issue", "date_of_expiry"),
    ),
}

_TINTS = ((214, 232, 214), (220, 226, 240), (240, 222, 226), (238, 232, 212), (226, 236, 238), (236, 226, 240))


@dataclass
class PageStyle:
    """Every random choice about how one page looks, drawn once so rendering is deterministic."""

    px_per_mm: float
    tint: tuple[int, int, int]
    label_languages: tuple[str, ...]
    date_style: str
    numbered_labels: bool
    photo_left: bool
    face: tuple
    margin_mm: float
    mrz_line_pitch_mm: float
    mrz_offset_mm: tuple[float, float]
    label_mm: float
    value_mm: float
    sex_variant: int  # which of data.SEX_PRINTED's spellings the page uses


def pick_page_style(rng: random.Random, doc: Document, px_per_mm: float) -> PageStyle:
    languages = ("en",) + tuple(lang for lang in doc.issuing_state.languages if lang in ("fr", "de", "es"))
    count = rng.choice((1, 2, 2, 3))
    if rng.random() < 0.25 and len(languages) > 1:
        languages = (languages[1], "en") + languages[2:]  # local language first
    small = doc.doc_format in ("TD1", "MRVB", "TD2")
    return PageStyle(
        px_per_mm=px_per_mm,
        tint=rng.choice(_TINTS),
        label_languages=languages[:count],
        date_style=pick_date_style(rng),
        numbered_labels=rng.random() < 0.3,
        photo_left=rng.random() < 0.85,
        face=rng.choice(fonts.available_faces()),
        margin_mm=rng.uniform(3.0, 6.0),
        mrz_line_pitch_mm=rng.uniform(*MRZ_LINE_PITCH_MM),
        mrz_offset_mm=(rng.uniform(-1.2, 1.2), rng.uniform(3.2, 5.0)),
        label_mm=rng.uniform(1.3, 1.6) if small else rng.uniform(1.5, 1.9),
        value_mm=rng.uniform(2.1, 2.5) if small else rng.uniform(2.5, 3.1),
        sex_variant=rng.randrange(3),
    )


def _label(key: str, index: int, style: PageStyle) -> str:
    texts = []
    for lang in style.label_languages:
        text = data.LABELS[key].get(lang)
        if text and text not in texts:
            texts.append(text)
    label = " / ".join(texts)
    return f"{index}. {label}" if style.numbered_labels else label


def _values(doc: Document, style: PageStyle) -> dict[str, str | None]:
    lang = style.label_languages[-1] if style.label_languages[-1] in data.MONTHS else "en"
    return {
        "document_type": doc.document_code,
        "document_code": doc.issuing_state.code,
        "issuing_country": doc.issuing_state.code,
        "document_number": doc.document_number,
        "card_number": doc.document_number,
        "surname": doc.printed_surname,
        "given_names": doc.printed_given_names,
        "nationality": doc.nationality_state.code if doc.kind != "passport" else doc.nationality_state.name,
        "date_of_birth": format_date(doc.date_of_birth, style.date_style, lang),
        "sex": data.SEX_PRINTED[doc.sex][style.sex_variant],
        "place_of_birth": doc.place_of_birth,
        "date_of_issue": format_date(doc.date_of_issue, style.date_style, lang),
        "date_of_expiry": format_date(doc.date_of_expiry, style.date_style, lang),
        "authority": doc.authority,
        "personal_number": doc.personal_number,
    }


def _background(rng: random.Random, size: tuple[int, int], tint_rgb: tuple[int, int, int], px_per_mm: float,
                mrz_top: int | None) -> Image.Image:
    """Pale tint with a gradient and guilloche lines; fainter over the MRZ's clear zone."""
    width, height = size
    np_rng = np.random.default_rng(rng.getrandbits(32))
    tint = np.array(tint_rgb, dtype=np.float32)
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :, None]
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    angle = rng.uniform(0, math.pi)
    ramp = (math.cos(angle) * x + math.sin(angle) * y) * rng.uniform(0.3, 0.8)
    other = np.array(rng.choice(_TINTS), dtype=np.float32)
    pixels = tint * (1 - ramp) + other * ramp + np_rng.normal(0, 1.5, (height, width, 1))
    page = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")

    draw = ImageDraw.Draw(page)
    line_color = tuple(max(0, c - rng.randint(30, 60)) for c in tint_rgb)
    line_width = max(1, round(px_per_mm * 0.08))
    steps = max(200, width // 2)
    # Guilloche: families of phase-shifted sine waves, the engraving pattern of security paper.
    for family in range(rng.randint(3, 5)):
        amplitude = height * rng.uniform(0.03, 0.12)
        frequency = rng.uniform(2, 7) * math.pi / width
        base = rng.uniform(0.1, 0.9) * height
        spread = rng.uniform(0.5, 2.0) * px_per_mm
        for k in range(rng.randint(8, 16)):
            phase = k * rng.uniform(0.15, 0.3)
            points = [
                (i * width / steps,
                 base + k * spread + amplitude * math.sin(frequency * i * width / steps + phase)
                 + amplitude * 0.3 * math.sin(3.1 * frequency * i * width / steps - phase))
                for i in range(steps + 1)
            ]
            draw.line(points, fill=line_color, width=line_width)
    # A rosette (hypotrochoid) somewhere on the page.
    cx, cy = rng.uniform(0.3, 0.8) * width, rng.uniform(0.2, 0.6) * height
    radius = rng.uniform(0.12, 0.25) * height
    ratio, offset = rng.choice((5, 7, 9, 11)), rng.uniform(0.3, 0.7)
    points = []
    for i in range(1200):
        t = i * 2 * math.pi * ratio / 1200 * 3
        r = radius * (1 - offset * math.cos(ratio * t / 3))
        points.append((cx + r * math.cos(t / 3), cy + r * math.sin(t / 3)))
    draw.line(points, fill=line_color, width=line_width)

    if mrz_top is None:
        return page
    # ICAO asks for a clear MRZ; real pages still carry a faint background there.
    clear = page.crop((0, mrz_top, width, height))
    clear = Image.blend(clear, Image.new("RGB", clear.size, (250, 250, 248)), rng.uniform(0.6, 0.85))
    page.paste(clear, (0, mrz_top))
    return page


def _photo(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A portrait placeholder: backdrop, head and shoulders silhouette."""
    width, height = size
    backdrop = tuple(rng.randint(170, 225) for _ in range(3))
    photo = Image.new("RGB", size, backdrop)
    draw = ImageDraw.Draw(photo)
    skin = (rng.randint(120, 230), rng.randint(90, 190), rng.randint(70, 160))
    cloth = tuple(rng.randint(20, 120) for _ in range(3))
    draw.ellipse((width * 0.05, height * 0.7, width * 0.95, height * 1.4), fill=cloth)
    draw.ellipse((width * 0.27, height * 0.15, width * 0.73, height * 0.72), fill=skin)
    hair = tuple(rng.randint(10, 90) for _ in range(3))
    draw.chord((width * 0.25, height * 0.1, width * 0.75, height * 0.5), 180, 360, fill=hair)
    return photo.filter(ImageFilter.GaussianBlur(max(1, width / 60)))


def _fit(draw: ImageDraw.ImageDraw, text: str, path, size_px: float, max_width: float):
    size = int(size_px)
    while size > 6:
        font = fonts.load(path, size)
        if draw.textlength(text, font=font) <= max_width:
            return font
        size -= 1
    return fonts.load(path, 6)


def _draw_mrz(draw: ImageDraw.ImageDraw, doc: Document, style: PageStyle, page_mm: tuple[float, float]) -> tuple[float, float, float, float]:
    """Draws the MRZ one cell at a time so the pitch is exact. Returns its box in px."""
    mm = style.px_per_mm
    chars = len(doc.mrz_lines[0])
    font = fonts.load(fonts.OCR_B, round(MRZ_CAP_HEIGHT_MM * mm / fonts.ocr_b_cap_ratio()))
    left_mm = (page_mm[0] - chars * MRZ_PITCH_MM) / 2 + style.mrz_offset_mm[0]
    last_baseline_mm = page_mm[1] - style.mrz_offset_mm[1]
    line_count = len(doc.mrz_lines)
    for row, line in enumerate(doc.mrz_lines):
        baseline = (last_baseline_mm - (line_count - 1 - row) * style.mrz_line_pitch_mm) * mm
        for col, char in enumerate(line):
            cell_left = (left_mm + col * MRZ_PITCH_MM) * mm
            advance = draw.textlength(char, font=font)
            draw.text((cell_left + (MRZ_PITCH_MM * mm - advance) / 2, baseline), char, font=font, fill=(18, 18, 22), anchor="ls")
    top = (last_baseline_mm - (line_count - 1) * style.mrz_line_pitch_mm - MRZ_CAP_HEIGHT_MM) * mm
    return (left_mm * mm, top, (left_mm + chars * MRZ_PITCH_MM) * mm, last_baseline_mm * mm)


def render_page(rng: random.Random, doc: Document, px_per_mm: float) -> Image.Image:
    style = pick_page_style(rng, doc, px_per_mm)
    mm = px_per_mm
    page_mm = PAGE_SIZE_MM[doc.doc_format]
    size = (round(page_mm[0] * mm), round(page_mm[1] * mm))
    line_count = len(doc.mrz_lines)
    mrz_top_mm = page_mm[1] - style.mrz_offset_mm[1] - (line_count - 1) * style.mrz_line_pitch_mm - MRZ_CAP_HEIGHT_MM - 2.5
    page = _background(rng, size, style.tint, mm, round(mrz_top_mm * mm))
    draw = ImageDraw.Draw(page)
    regular, bold = style.face
    ink = (rng.randint(10, 40), rng.randint(10, 40), rng.randint(20, 60))
    label_ink = tuple(min(255, c + 70) for c in ink)

    # Header: document title(s) and the state's name.
    header_mm = 9.0 if doc.kind != "id" else 7.0
    titles = " / ".join(dict.fromkeys(data.DOCUMENT_TITLES[doc.kind][lang] for lang in style.label_languages))
    title_font = _fit(draw, titles, bold, 2.6 * mm, size[0] * 0.9)
    draw.text((style.margin_mm * mm, 1.8 * mm), titles, font=title_font, fill=ink)
    state_font = _fit(draw, doc.issuing_state.name, regular, 2.0 * mm, size[0] * 0.9)
    draw.text((style.margin_mm * mm, 5.0 * mm if doc.kind != "id" else 4.4 * mm), doc.issuing_state.name, font=state_font, fill=label_ink)

    # Photo, then the fields to its side.
    zone_top, zone_bottom = header_mm, mrz_top_mm - 1.0
    photo_w = (page_mm[0] * rng.uniform(0.24, 0.3))
    photo_h = min(photo_w * 1.28, zone_bottom - zone_top)
    photo_w = photo_h / 1.28
    photo_x = style.margin_mm if style.photo_left else page_mm[0] - style.margin_mm - photo_w
    photo = _photo(rng, (round(photo_w * mm), round(photo_h * mm)))
    page.paste(photo, (round(photo_x * mm), round(zone_top * mm)))
    text_left = (photo_x + photo_w + 3.5) if style.photo_left else style.margin_mm
    text_right = page_mm[0] - style.margin_mm if style.photo_left else photo_x - 3.0

    values = _values(doc, style)
    rows = [tuple(k for k in row if values.get(k) is not None) for row in ROWS[doc.kind]]
    rows = [row for row in rows if row]
    row_height = (zone_bottom - zone_top) / len(rows)
    scale = min(1.0, row_height / (style.label_mm + style.value_mm + 0.9))
    label_px, value_px = style.label_mm * scale * mm, style.value_mm * scale * mm
    number = 1
    for index, row in enumerate(rows):
        y = (zone_top + index * row_height) * mm
        cell_width = (text_right - text_left) / len(row) * mm
        for col, key in enumerate(row):
            x = text_left * mm + col * cell_width
            label = _label(key, number, style)
            number += 1
            draw.text((x, y), label, font=_fit(draw, label, regular, label_px, cell_width - mm), fill=label_ink)
            value = values[key]
            value_font = _fit(draw, value, bold if rng.random() < 0.5 else regular, value_px, cell_width - mm)
            draw.text((x, y + label_px * 1.15), value, font=value_font, fill=ink)

    _draw_mrz(draw, doc, style, page_mm)
    return page


def with_facing_page(rng: random.Random, page: Image.Image, px_per_mm: float) -> Image.Image:
    """The open booklet: the page facing the data page sits above it, as scans and photos of
    passports show it, so the MRZ is no longer near the bottom edge of the image."""
    width, height = page.size
    facing = _background(rng, (width, height), rng.choice(_TINTS), px_per_mm, None)
    draw = ImageDraw.Draw(facing)
    regular, _ = rng.choice(fonts.available_faces())
    ink = (90, 90, 110)
    title = rng.choice(("OBSERVATIONS", "ENDORSEMENTS / MENTIONS SPÉCIALES", "AMTLICHE VERMERKE", "OBSERVACIONES"))
    draw.text((8 * px_per_mm, 6 * px_per_mm), title, font=fonts.load(regular, round(2.2 * px_per_mm)), fill=ink)
    for row in range(rng.randint(3, 8)):  # ruled lines for endorsements
        y = (14 + row * 8) * px_per_mm
        if y < height - 6 * px_per_mm:
            draw.line([(8 * px_per_mm, y), (width - 8 * px_per_mm, y)], fill=(170, 170, 180), width=1)
    if rng.random() < 0.6:  # the holder's signature, a scribble
        x, y = rng.uniform(0.2, 0.5) * width, rng.uniform(0.5, 0.8) * height
        points = []
        for step in range(40):
            x += rng.uniform(0.3, 1.5) * px_per_mm
            y += rng.uniform(-1.5, 1.5) * px_per_mm
            points.append((x, y))
        draw.line(points, fill=(30, 30, 90), width=max(1, round(0.3 * px_per_mm)))
    gutter = max(2, round(1.5 * px_per_mm))
    spread = Image.new("RGB", (width, 2 * height + gutter), (120, 115, 110))
    spread.paste(facing, (0, 0))
    spread.paste(page, (0, height + gutter))
    # The fold's shadow on both sides of the gutter.
    shadow = Image.new("L", (width, 6 * gutter), 0)
    shadow_pixels = np.linspace(90, 0, 6 * gutter, dtype=np.float32)[:, None].repeat(width, axis=1)
    shadow = Image.fromarray(shadow_pixels.astype(np.uint8), "L")
    darkness = Image.new("RGB", (width, 6 * gutter), (60, 55, 50))
    spread.paste(darkness, (0, height + gutter), shadow)
    spread.paste(darkness, (0, height - 6 * gutter), shadow.transpose(Image.Transpose.FLIP_TOP_BOTTOM))
    return spread
