"""PDFs built at test time: scans (Pillow's PDF writer) and hand-written files for the hostile cases.

The hand-written ones go through one small writer with a correct cross-reference table, so
each case differs from a valid PDF only in what it tests (page size, encryption, an image
that claims too many pixels, no pages).
"""

from __future__ import annotations

import hashlib
import io
import zlib

from PIL import Image

A4_PT = (595.28, 841.89)
POINTS_PER_INCH = 72


def scan_pdf(*pages: Image.Image, dpi: float = 300) -> bytes:
    """What a scanner writes: each image as one page whose size is the image at `dpi`."""
    buffer = io.BytesIO()
    first, *rest = [page.convert("RGB") for page in pages]
    first.save(buffer, "PDF", resolution=dpi, save_all=True, append_images=rest)
    return buffer.getvalue()


def on_a4_page(document: Image.Image, width_mm: float = 125, scan_dpi: int = 300) -> Image.Image:
    """The document image pasted at its true size (a passport data page is 125 mm wide) an inch
    from the top left of a white A4 page, as a flatbed scanner at scan_dpi sees it."""
    page = Image.new("RGB", (round(A4_PT[0] / POINTS_PER_INCH * scan_dpi), round(A4_PT[1] / POINTS_PER_INCH * scan_dpi)), "white")
    width_px = round(width_mm / 25.4 * scan_dpi)
    placed = document.convert("RGB").resize((width_px, round(document.height * width_px / document.width)), Image.Resampling.LANCZOS)
    page.paste(placed, (scan_dpi, scan_dpi))
    return page


def write_pdf(objects: list[bytes], *, trailer: bytes = b"") -> bytes:
    """Objects 1..n (object 1 the catalog) with a correct xref table and trailer."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


# A blue rectangle over the left half of the page: easy to find in the rendered pixels.
def blue_left_half(width_pt: float) -> bytes:
    return b"0 0 1 rg 0 0 %.2f 100000 re f" % (width_pt / 2)


def vector_page_objects(
    width_pt: float, height_pt: float, content: bytes, resources: bytes = b"<< >>", page_entries: bytes = b""
) -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents 4 0 R /Resources %s %s>>"
        % (width_pt, height_pt, resources, page_entries),
        stream(content),
    ]


def vector_pdf(width_pt: float, height_pt: float, content: bytes | None = None, page_entries: bytes = b"") -> bytes:
    """One page of width x height points with vector content (default: the blue left half)."""
    return write_pdf(vector_page_objects(width_pt, height_pt, content or blue_left_half(width_pt), page_entries=page_entries))


def no_pages_pdf() -> bytes:
    return write_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def image_bomb_pdf(width_px: int = 100_000, height_px: int = 100_000) -> bytes:
    """A letter page drawing one image XObject that claims width x height grey pixels, backed by
    a few hundred bytes of Flate data: decoding it would cost 10 GB."""
    objects = vector_page_objects(612, 792, b"q 612 0 0 792 0 0 cm /Im0 Do Q", resources=b"<< /XObject << /Im0 5 0 R >> >>")
    pixels = zlib.compress(b"\x80" * 100_000, 9)
    objects.append(
        stream(
            pixels,
            b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode "
            % (width_px, height_px),
        )
    )
    return write_pdf(objects)


# --- the standard security handler, revision 2 (RC4, 40-bit key): PDF 1.7, 7.6.3 --------
_PASSWORD_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_FILE_ID = bytes(range(16))
_PERMISSIONS = -44  # print and copy allowed, editing not: a typical "protected" PDF


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def _padded(password: bytes) -> bytes:
    return (password + _PASSWORD_PAD)[:32]


def encrypted_pdf(*, user_password: bytes, owner_password: bytes = b"owner") -> bytes:
    """The blue-left-half letter page, RC4-encrypted. An empty user password opens it for any
    reader (owner-only "protection"); any other user password must be given to open it."""
    owner_entry = _rc4(hashlib.md5(_padded(owner_password)).digest()[:5], _padded(user_password))
    file_key = hashlib.md5(
        _padded(user_password) + owner_entry + _PERMISSIONS.to_bytes(4, "little", signed=True) + _FILE_ID
    ).digest()[:5]
    user_entry = _rc4(file_key, _PASSWORD_PAD)

    content_number = 4
    object_key = hashlib.md5(file_key + content_number.to_bytes(3, "little") + b"\x00\x00").digest()[:10]
    objects = vector_page_objects(612, 792, b"")
    objects[content_number - 1] = stream(_rc4(object_key, blue_left_half(612)))
    objects.append(
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
        % (owner_entry.hex().encode(), user_entry.hex().encode(), _PERMISSIONS)
    )
    trailer = b"/Encrypt %d 0 R /ID [<%s> <%s>] " % (len(objects), _FILE_ID.hex().encode(), _FILE_ID.hex().encode())
    return write_pdf(objects, trailer=trailer)
