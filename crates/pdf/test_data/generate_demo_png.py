"""Generate the DEV ONLY demo art used by the pdf crate's tests and the demo.

signature-blue.png: a blue, handwritten-looking signature on a transparent background.
seal-red.png: a red round seal ("ỦY BAN NHÂN DÂN PHƯỜNG NGÔ QUYỀN" around a star), transparent.

Neither image is a real signature or seal. Deterministic: no randomness.
Run with Pillow (python3 -m venv /tmp/pillow-venv && /tmp/pillow-venv/bin/pip install pillow):
    /tmp/pillow-venv/bin/python crates/pdf/test_data/generate_demo_png.py
"""

import math
import pathlib

from PIL import Image, ImageDraw, ImageFont

HERE = pathlib.Path(__file__).resolve().parent
FONT = "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"
SCALE = 4  # draw large, then downsample for anti-aliasing


def signature() -> Image.Image:
    width, height = 360, 150
    big = Image.new("RGBA", (width * SCALE, height * SCALE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    blue = (20, 40, 170, 255)

    def stroke(points, thickness):
        scaled = [(x * SCALE, y * SCALE) for x, y in points]
        draw.line(scaled, fill=blue, width=thickness * SCALE, joint="curve")
        for x, y in (scaled[0], scaled[-1]):
            r = thickness * SCALE / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=blue)

    # A looping cursive line: a sum of sines gives a pen-like rhythm.
    points = []
    for i in range(0, 601):
        t = i / 600
        x = 20 + 300 * t
        y = 85 - 30 * math.sin(t * 2 * math.pi * 4.2) * (1 - 0.5 * t) - 18 * math.sin(t * 9)
        x += 14 * math.cos(t * 2 * math.pi * 4.2)
        points.append((x, y))
    stroke(points, 4)
    # A capital-like opening loop.
    loop = [(40 + 28 * math.cos(a / 40 * 2 * math.pi) * (1 + a / 80),
             70 + 40 * math.sin(a / 40 * 2 * math.pi)) for a in range(0, 50)]
    stroke(loop, 4)
    # The underline flourish.
    flourish = [(30 + 3.1 * i, 125 - 10 * math.sin(i / 100 * math.pi) + 0.02 * i) for i in range(0, 101)]
    stroke(flourish, 3)
    return big.resize((width, height), Image.LANCZOS)


def star(cx, cy, outer, inner):
    points = []
    for k in range(10):
        angle = -math.pi / 2 + k * math.pi / 5
        radius = outer if k % 2 == 0 else inner
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def seal() -> Image.Image:
    size = 300
    big_size = size * SCALE
    big = Image.new("RGBA", (big_size, big_size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    red = (215, 25, 32, 255)
    c = big_size / 2
    for radius, width in ((146, 7), (132, 3), (86, 3)):
        r = radius * SCALE
        draw.ellipse((c - r, c - r, c + r, c + r), outline=red, width=width * SCALE)
    draw.polygon(star(c, c, 62 * SCALE, 24 * SCALE), fill=red)

    text = "ỦY BAN NHÂN DÂN PHƯỜNG NGÔ QUYỀN"
    font = ImageFont.truetype(FONT, 24 * SCALE)
    radius = 107 * SCALE
    widths = [font.getlength(ch) for ch in text]
    spacing = 1.5 * SCALE
    total = sum(widths) + spacing * (len(text) - 1)
    # The text runs clockwise over the top, centred on the top of the ring, covering ~300°.
    arc = total / radius
    angle = -math.pi / 2 - arc / 2
    for ch, w in zip(text, widths):
        mid = angle + (w / 2) / radius
        glyph = Image.new("RGBA", (int(w) + 8 * SCALE, 40 * SCALE), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((4 * SCALE, 2 * SCALE), ch, font=font, fill=red)
        rotated = glyph.rotate(-math.degrees(mid + math.pi / 2), resample=Image.BICUBIC, expand=True)
        x = c + radius * math.cos(mid) - rotated.width / 2
        y = c + radius * math.sin(mid) - rotated.height / 2
        big.alpha_composite(rotated, (int(x), int(y)))
        angle += (w + spacing) / radius
    return big.resize((size, size), Image.LANCZOS)


def save(image: Image.Image, name: str) -> None:
    path = HERE / name
    image.save(path, optimize=True)
    print(path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    save(signature(), "signature-blue.png")
    # A palette PNG with per-entry alpha (tRNS) keeps the seal under 60 KB and exercises the
    # decoder's palette expansion.
    save(seal().quantize(colors=32, method=Image.Quantize.FASTOCTREE), "seal-red.png")
