"""The demo's pictures, drawn at seed time with Pillow at the sizes editors upload (so renditions, crops and
srcsets mean something): wide card images, report covers and facilitators' portraits. Abstract compositions, not
photographs: a two-colour gradient, soft shapes around one bright subject, and a legible title.

Each drawing is deterministic (colours and layout follow from its text) and comes with the focal point of its
subject, so crops keep it in the picture.
"""

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

CARD_SIZE = (1600, 900)
COVER_SIZE = (1200, 1600)
PORTRAIT_SIZE = (1200, 1200)
# (dark, light, accent): deep blues and teals of the program's materials, warm accents for the subject.
PALETTES = [
    ((14, 42, 71), (31, 111, 139), (244, 162, 97)),
    ((27, 38, 59), (65, 90, 119), (233, 196, 106)),
    ((0, 61, 76), (42, 157, 143), (255, 209, 102)),
    ((45, 27, 78), (92, 77, 165), (239, 131, 84)),
    ((18, 53, 36), (64, 145, 108), (255, 230, 167)),
    ((61, 25, 44), (158, 42, 75), (255, 183, 3)),
]
WHITE = (255, 255, 255)


@dataclass
class Picture:
    content: bytes
    width: int
    height: int
    focal_point: tuple[int, int, int, int]  # centre x, centre y, width, height (Wagtail's focal point fields)

    def focal_point_fields(self) -> dict[str, int]:
        x, y, width, height = self.focal_point
        return {"focal_point_x": x, "focal_point_y": y, "focal_point_width": width, "focal_point_height": height}


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _gradient(size: tuple[int, int], dark, light) -> Image.Image:
    """A diagonal gradient from `dark` (top left) to `light` (bottom right): drawn at 256x256 and scaled up
    bilinearly, which keeps a linear gradient linear (within one step of drawing it full size, at a third of the
    time: seed_demo draws dozens)."""
    vertical = Image.linear_gradient("L")
    horizontal = vertical.rotate(90).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    mask = Image.blend(vertical, horizontal, 0.5)
    small = Image.composite(Image.new("RGB", mask.size, light), Image.new("RGB", mask.size, dark), mask)
    return small.resize(size, Image.Resampling.BILINEAR)


def _font(size: int) -> ImageFont.FreeTypeFont:
    # Pillow's bundled font (Aileron): the same drawing on every machine, no system fonts needed.
    return ImageFont.load_default(size=size)


def _wrap(text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and font.getlength(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def _subject(canvas: Image.Image, centre: tuple[int, int], radius: int, accent, seed: int) -> None:
    """Soft rings and dots around a bright disc: the part of the picture crops must keep."""
    # Everything lies within four radii of the centre (the outer ring is at three, dots reach less than 3.4): blend
    # only that box, not the whole canvas.
    reach = 4 * radius
    box = (
        max(centre[0] - reach, 0),
        max(centre[1] - reach, 0),
        min(centre[0] + reach, canvas.width),
        min(centre[1] + reach, canvas.height),
    )
    overlay = Image.new("RGBA", (box[2] - box[0], box[3] - box[1]), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    x, y = centre[0] - box[0], centre[1] - box[1]
    for ring in range(4, 0, -1):
        r = radius + ring * radius // 2
        draw.ellipse((x - r, y - r, x + r, y + r), outline=(*WHITE, 40 + ring * 10), width=max(radius // 12, 3))
    for n in range(9):
        angle_seed = (seed >> (n * 3)) & 0xFF
        dx = (angle_seed - 128) * radius * 3 // 128
        dy = (((seed >> (n * 5)) & 0xFF) - 128) * radius * 2 // 128
        r = radius // 6 + (angle_seed % (radius // 5 + 1))
        draw.ellipse((x + dx - r, y + dy - r, x + dx + r, y + dy + r), fill=(*WHITE, 45))
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(*accent, 235))
    canvas.paste(Image.alpha_composite(canvas.crop(box).convert("RGBA"), overlay).convert("RGB"), box[:2])


def _jpeg(canvas: Image.Image) -> bytes:
    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def card_picture(title: str, kicker: str) -> Picture:
    """A 1600x900 card: the title on the left, the subject on the right third (its focal point)."""
    seed = _seed(title)
    dark, light, accent = PALETTES[seed % len(PALETTES)]
    width, height = CARD_SIZE
    canvas = _gradient(CARD_SIZE, dark, light)
    centre = (int(width * (0.70 + (seed % 10) / 100)), int(height * (0.38 + (seed % 7) / 50)))
    radius = 120
    _subject(canvas, centre, radius, accent, seed)
    draw = ImageDraw.Draw(canvas)
    draw.text((96, 110), kicker.upper(), font=_font(34), fill=accent)
    title_font = _font(72)
    top = 180
    for line in _wrap(title, title_font, 820)[:5]:
        draw.text((96, top), line, font=title_font, fill=WHITE)
        top += 88
    draw.rectangle((96, height - 120, 96 + 180, height - 112), fill=accent)
    draw.text((96, height - 96), "CIT ASSIST", font=_font(30), fill=WHITE)
    size = radius * 3
    return Picture(_jpeg(canvas), width, height, (*centre, size, size))


def cover_picture(title: str, kicker: str) -> Picture:
    """A 1200x1600 report cover: a band of colour with the subject, the title below it."""
    seed = _seed(f"cover {title}")
    dark, light, accent = PALETTES[seed % len(PALETTES)]
    width, height = COVER_SIZE
    canvas = _gradient(COVER_SIZE, light, dark)
    centre = (width // 2 + (seed % 200) - 100, 520)
    radius = 150
    _subject(canvas, centre, radius, accent, seed)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, width, 24), fill=accent)
    draw.text((90, 90), kicker.upper(), font=_font(36), fill=WHITE)
    title_font = _font(80)
    top = 960
    for line in _wrap(title, title_font, width - 180)[:5]:
        draw.text((90, top), line, font=title_font, fill=WHITE)
        top += 98
    draw.text((90, height - 110), "CIT ASSIST resource library", font=_font(34), fill=accent)
    size = radius * 3
    return Picture(_jpeg(canvas), width, height, (*centre, size, size))


def portrait_picture(name: str) -> Picture:
    """A 1200x1200 avatar: the person's initials on a disc, a little above the centre (the focal point)."""
    seed = _seed(name)
    dark, light, accent = PALETTES[seed % len(PALETTES)]
    width, height = PORTRAIT_SIZE
    canvas = _gradient(PORTRAIT_SIZE, dark, light)
    centre = (width // 2, height * 9 // 20)
    radius = 330
    _subject(canvas, centre, radius, accent, seed)
    initials = "".join(part[0] for part in name.replace(".", "").split() if part[0].isupper())[-2:]
    draw = ImageDraw.Draw(canvas)
    draw.text(centre, initials, font=_font(300), fill=dark, anchor="mm")
    draw.text((width // 2, height - 140), name, font=_font(56), fill=WHITE, anchor="mm")
    return Picture(_jpeg(canvas), width, height, (*centre, radius * 2, radius * 2))
