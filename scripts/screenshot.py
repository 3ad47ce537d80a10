#!/usr/bin/python3
"""screenshot.py: render a terminal capture (tmux capture-pane -e -p, with
its SGR colour escapes) to a PNG, for the README. A documentation tool, not
part of the build or the tests. Needs Debian's python3-pil and
fonts-dejavu-core.

    tmux capture-pane -e -p -t PANE | scripts/screenshot.py out.png
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 15
BG, FG = (24, 24, 27), (220, 220, 220)
BASE = [(0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16), (36, 114, 200),
        (188, 63, 188), (17, 168, 205), (229, 229, 229)]
BRIGHT = [(102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67), (59, 142, 234),
          (214, 112, 214), (41, 184, 219), (255, 255, 255)]
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def color256(n):
    if n < 8:
        return BASE[n]
    if n < 16:
        return BRIGHT[n - 8]
    if n < 232:
        n -= 16
        return tuple(0 if c == 0 else 55 + 40 * c for c in (n // 36, n // 6 % 6, n % 6))
    v = 8 + 10 * (n - 232)
    return (v, v, v)


def apply(codes, st):
    codes = [int(c) if c else 0 for c in codes.split(";")] or [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            st.update(fg=FG, bg=BG, bold=False, rev=False)
        elif c == 1:
            st["bold"] = True
        elif c == 22:
            st["bold"] = False
        elif c == 7:
            st["rev"] = True
        elif c == 27:
            st["rev"] = False
        elif 30 <= c <= 37:
            st["fg"] = BASE[c - 30]
        elif 90 <= c <= 97:
            st["fg"] = BRIGHT[c - 90]
        elif 40 <= c <= 47:
            st["bg"] = BASE[c - 40]
        elif 100 <= c <= 107:
            st["bg"] = BRIGHT[c - 100]
        elif c == 39:
            st["fg"] = FG
        elif c == 49:
            st["bg"] = BG
        elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
            st["fg" if c == 38 else "bg"] = color256(codes[i + 2])
            i += 2
        i += 1


def main():
    lines = sys.stdin.read().split("\n")
    font, bold = ImageFont.truetype(FONT, SIZE), ImageFont.truetype(BOLD, SIZE)
    cw, ch = font.getbbox("M")[2], SIZE + 4
    cols = max(len(SGR.sub("", l)) for l in lines)
    img = Image.new("RGB", (cw * cols + 24, ch * len(lines) + 24), BG)
    draw = ImageDraw.Draw(img)
    st = dict(fg=FG, bg=BG, bold=False, rev=False)
    for y, line in enumerate(lines):
        x = 0
        for part in re.split(r"(\x1b\[[0-9;]*m)", line):
            m = SGR.fullmatch(part)
            if m:
                apply(m.group(1), st)
                continue
            fg, bg = (st["bg"], st["fg"]) if st["rev"] else (st["fg"], st["bg"])
            for chr_ in part:
                px, py = 12 + x * cw, 12 + y * ch
                if bg != BG:
                    draw.rectangle([px, py, px + cw, py + ch], fill=bg)
                draw.text((px, py + 1), chr_, font=bold if st["bold"] else font, fill=fg)
                x += 1
    img.save(sys.argv[1])


if __name__ == "__main__":
    main()
