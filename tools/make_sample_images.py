"""Make the pictures of the sample issues content/2020-06/images/ and content/2020-09/images/.

Cover photos are neutral placeholders made as tools/make_placeholders.py makes
those of 2020-02 (300 ppi at their placed size). The wide chart is real
artwork: China's R&D spending 2010-2019 (National Bureau of Statistics,
annual communiqués), a 5:1 bar chart at 300 ppi across the text block
(176 mm), with bilingual labels readable at print size.

For 2020-09 (the page composer's awkward cases): two cover placeholders, a portrait photo
and a column-wide one, and a wide chart of China's grain output 2010-2020 (National Bureau of
Statistics, revised series after the third agricultural census), drawn like the R&D chart.

    python tools/make_sample_images.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

import make_placeholders
from make_placeholders import placeholder

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "content/2020-06/images"
OUT_09 = ROOT / "content/2020-09/images"
CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # Debian's fonts-noto-cjk (tools/setup.sh)
CJK_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
SC = 2  # the Simplified Chinese face of the collection

PHOTOS = {
    # Three cover photos: the first spans the cover (176 mm × 62 mm), the others half of it.
    "cover-1.jpg": ("PHOTO 1", 2080, 734, ((30, 70, 110), (180, 200, 220))),
    "cover-2.jpg": ("PHOTO 2", 1090, 734, ((70, 100, 60), (200, 216, 180))),
    "cover-3.jpg": ("PHOTO 3", 1090, 734, ((110, 60, 80), (226, 196, 206))),
    # Photos in the articles: a column wide (85 mm), and a portrait.
    "fast-telescope.jpg": ("PHOTO · FAST", 1010, 660, ((50, 80, 120), (200, 210, 230))),
    "lab-portrait.jpg": ("PHOTO · LAB", 1010, 1350, ((90, 90, 70), (220, 216, 196))),
}

PHOTOS_09 = {
    "cover-1.jpg": ("PHOTO 1", 2080, 734, ((20, 60, 100), (170, 200, 225))),
    "cover-2.jpg": ("PHOTO 2", 2080, 734, ((60, 100, 50), (210, 220, 170))),
    # A portrait beside the text, and a column-wide landscape.
    "submersible-portrait.jpg": ("PHOTO · SUB", 1010, 1420, ((20, 50, 90), (150, 190, 220))),
    "paddy.jpg": ("PHOTO · PADDY", 1010, 640, ((70, 110, 40), (215, 225, 170))),
}

# 全国粮食总产量（万吨）, 2010-2020, and the sown area of grain (千公顷 → million ha).
GRAIN = [(2010, 55911, 111.7), (2011, 58849, 112.9), (2012, 61223, 114.4), (2013, 63048, 115.9),
         (2014, 63965, 117.5), (2015, 66060, 118.96), (2016, 66044, 119.23), (2017, 66161, 117.99),
         (2018, 65789, 117.04), (2019, 66384, 116.06), (2020, 66949, 116.77)]

# 全社会研究与试验发展（R&D）经费，亿元, and R&D intensity (% of GDP), 2010-2019.
RD = [(2010, 7062.6, 1.71), (2011, 8687.0, 1.78), (2012, 10298.4, 1.91), (2013, 11846.6, 2.00),
      (2014, 13015.6, 2.02), (2015, 14169.9, 2.06), (2016, 15676.7, 2.10), (2017, 17606.1, 2.12),
      (2018, 19677.9, 2.14), (2019, 22143.6, 2.23)]


def chart(width: int = 2084, height: int = 417, rows=None, titles=None, bar=None, under=None) -> Image.Image:
    """Bars for spending with their values, the year and the intensity under each; labels of
    7.5-8.5 pt at the printed size."""
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    pt = 300 / 72  # pixels per point at 300 ppi
    small = ImageFont.truetype(str(CJK), size=round(7.5 * pt), index=SC)
    label = ImageFont.truetype(str(CJK_BOLD), size=round(8.5 * pt), index=SC)
    navy, red, grey = (29, 63, 115), (179, 38, 45), (120, 120, 120)
    left, right, top, bottom = 30, width - 30, 120, height - 95
    rows = rows or RD
    title, legend = titles or ("全社会 R&D 经费（亿元） R&D expenditure (100 million yuan)",
                               "投入强度（占 GDP %） R&D intensity (% of GDP)")
    bar = bar or (lambda spend: f"{spend:,.1f}")
    under = under or (lambda share: f"{share:.2f}%")
    draw.text((left, 10), title, font=label, fill=navy)
    legend_y = 10
    if left + draw.textlength(title, font=label) + 2 * label.size > right - draw.textlength(legend, font=label):
        # Title and legend would overlap on one line: the legend goes under the title, the bars lower.
        legend_y = 10 + round(label.size * 1.3)
        top += legend_y - 10
    draw.text((right - draw.textlength(legend, font=label), legend_y), legend, font=label, fill=red)
    draw.line((left, bottom, right, bottom), fill=grey, width=3)
    step = (right - left) / len(rows)
    peak = max(spend for _, spend, _ in rows)
    for i, (year, spend, share) in enumerate(rows):
        middle = left + (i + 0.5) * step
        half = step * 0.3
        y = bottom - (bottom - top) * spend / peak
        draw.rectangle((middle - half, y, middle + half, bottom), fill=navy)
        for text, font, colour, at in ((bar(spend), small, navy, y - 46), (str(year), small, "black", bottom + 6),
                                       (under(share), label, red, bottom + 46)):
            draw.text((middle - draw.textlength(text, font=font) / 2, at), text, font=font, fill=colour)
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    make_placeholders.FONT = CJK_BOLD  # the labels are ASCII: Debian's face does, whatever fonts/ holds
    for name, (text, w, h, (c0, c1)) in PHOTOS.items():
        placeholder(text, w, h, c0, c1).save(OUT / name, quality=80, optimize=True, dpi=(300, 300))
    chart().save(OUT / "rd-chart.png", optimize=True, dpi=(300, 300))
    OUT_09.mkdir(parents=True, exist_ok=True)
    for name, (text, w, h, (c0, c1)) in PHOTOS_09.items():
        placeholder(text, w, h, c0, c1).save(OUT_09 / name, quality=80, optimize=True, dpi=(300, 300))
    # Bars from 50,000 (10,000 t) up, so that the decade's growth shows: labelled as such.
    grain = [(year, tonnes - 50000, area) for year, tonnes, area in GRAIN]
    chart(rows=grain, titles=("全国粮食总产量（万吨，柱高自 50,000 起） Grain output (10,000 t, bars from 50,000)",
                              "播种面积（百万公顷） Sown area (million ha)"),
          bar=lambda above: f"{above + 50000:,}", under=lambda area: f"{area:.1f}").save(
        OUT_09 / "grain-chart.png", optimize=True, dpi=(300, 300))


if __name__ == "__main__":
    main()
