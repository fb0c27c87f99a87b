#!/usr/bin/env python3
"""Makes resources/fonts/NotoSansSC-Subset.otf and NotoSansSC-Bold-Subset.otf
from Debian's fonts-noto-cjk.

The app embeds these fonts so Chinese renders on machines without CJK fonts,
and bold text looks the same everywhere (without its own bold face the text
engine would borrow whatever bold the system has).
The subset keeps Latin, common punctuation and symbols, all 6763 characters
of GB2312 (which covers everyday Chinese names and words) and every character
used in i18n/zh-CN/relay.ftl. Rerun after adding new Chinese text:

    apt-get install fonts-noto-cjk && pip install fonttools
    python3 scripts/make-font-subset.py
"""
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
FACES = [
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
     ROOT / "resources/fonts/NotoSansSC-Subset.otf"),
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
     ROOT / "resources/fonts/NotoSansSC-Bold-Subset.otf"),
]

chars = set()
for lo, hi in [(0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x2027), (0x2030, 0x203A), (0x2190, 0x2193),
               (0x2713, 0x2717), (0x25A0, 0x25CF), (0x3000, 0x303F), (0xFF01, 0xFF5E)]:
    chars.update(range(lo, hi + 1))
for hi_byte in range(0xB0, 0xF8):
    for lo_byte in range(0xA1, 0xFF):
        try:
            chars.add(ord(bytes([hi_byte, lo_byte]).decode("gb2312")))
        except UnicodeDecodeError:
            pass
for ftl in (ROOT / "i18n").glob("*/relay.ftl"):
    chars.update(ord(c) for c in ftl.read_text(encoding="utf-8"))

for source, target in FACES:
    collection = TTCollection(str(source))
    font = next(f for f in collection.fonts if "Noto Sans CJK SC" in f["name"].getDebugName(1))
    options = subset.Options()
    options.layout_features = ["kern", "liga", "locl", "palt", "vert"]
    options.name_IDs = ["*"]
    options.hinting = False
    options.desubroutinize = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(chars))
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(target))
    print(f"{target.relative_to(ROOT)}: {len(chars)} characters, {target.stat().st_size // 1024} KiB")
