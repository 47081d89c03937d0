"""Make the neutral placeholder photos of content/2020-02/images/.

The seeds hold no photo files; these stand in for them at print
resolution (300 ppi at their placed size) so that layout, preflight and
file sizes behave as they will with real photos.

    python tools/make_placeholders.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "content/2020-02/images"
FONT = ROOT / "fonts/cjk/NotoSansSC-Bold.otf"

# name: (label, width px, height px, two gradient colours); sizes are 300 ppi at the placed size
PHOTOS = {
    "cover-1.jpg": ("PHOTO 1", 1090, 734, ((38, 84, 124), (170, 196, 214))),
    "cover-2.jpg": ("PHOTO 2", 1090, 734, ((64, 110, 90), (196, 214, 190))),
    "cover-3.jpg": ("PHOTO 3", 1090, 734, ((120, 82, 60), (226, 204, 180))),
    "cover-4.jpg": ("PHOTO 4", 1090, 734, ((82, 72, 124), (204, 198, 226))),
    "who-briefing.jpg": ("PHOTO · WHO BRIEFING", 1010, 660, ((46, 96, 140), (200, 214, 226))),
    "russia-team.jpg": ("PHOTO · MEDICAL TEAM", 1010, 660, ((140, 60, 56), (230, 206, 196))),
    "iraq-team.jpg": ("PHOTO · IRAQ", 1010, 660, ((150, 120, 60), (232, 220, 190))),
}


def placeholder(label: str, w: int, h: int, c0: tuple, c1: tuple) -> Image.Image:
    # A diagonal gradient: calm, compresses well, and plainly not a photo.
    grad = Image.linear_gradient("L").resize((w + h, w + h)).rotate(-45).crop((h // 2, w // 2, h // 2 + w, w // 2 + h))
    img = Image.composite(Image.new("RGB", (w, h), c1), Image.new("RGB", (w, h), c0), grad)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT), size=h // 14)
    box = draw.textbbox((0, 0), label, font=font)
    x, y = (w - (box[2] - box[0])) // 2, (h - (box[3] - box[1])) // 2
    draw.rectangle((x - 24, y - 16, x + box[2] - box[0] + 24, y + box[3] - box[1] + 28), outline=(255, 255, 255), width=3)
    draw.text((x - box[0], y - box[1]), label, font=font, fill=(255, 255, 255))
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (label, w, h, (c0, c1)) in PHOTOS.items():
        placeholder(label, w, h, c0, c1).save(OUT / name, quality=80, optimize=True, dpi=(300, 300))


if __name__ == "__main__":
    main()
