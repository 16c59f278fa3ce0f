"""Draw BackCare's app icons (run once; the PNGs are committed under static/icons/).

The mark is a stylised spine: a column of rounded vertebrae on the brand blue, with a
safe zone for the maskable variant (Android crops up to 20% of each edge).

    .venv/bin/python scripts/make_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

BRAND_BLUE = (31, 95, 139)
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def draw_icon(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGB", (size, size), BRAND_BLUE)
    draw = ImageDraw.Draw(image)
    if not maskable:
        # A rounded white frame for the "any" icon, so it reads on any launcher background.
        image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle([0, 0, size - 1, size - 1], radius=size // 5, fill=BRAND_BLUE)
    content = size * (0.6 if maskable else 0.72)
    top = (size - content) / 2
    vertebrae = 5
    gap = content * 0.05
    height = (content - gap * (vertebrae - 1)) / vertebrae
    for index in range(vertebrae):
        # Vertebrae widen toward the lower back, as they do in a real spine.
        width = content * (0.34 + 0.07 * index)
        y0 = top + index * (height + gap)
        x0 = (size - width) / 2
        draw.rounded_rectangle([x0, y0, x0 + width, y0 + height], radius=height / 2.4, fill=WHITE)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw_icon(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    draw_icon(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
