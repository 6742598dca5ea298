#!/usr/bin/env python3
"""Build the CJK font subset that the UI and the PDF receipts embed.

Usage: python3 packaging/make-font-subset.py SOURCE.ttc OUT.ttf

SOURCE.ttc is NotoSansCJK-Regular.ttc from the Debian package fonts-noto-cjk
(/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc). The script picks the
"Noto Sans CJK SC" Regular face, keeps only the glyphs for the characters in
build_charset(), and converts the CFF (cubic) outlines to TrueType (quadratic)
glyf outlines, the outline format that the project embeds in both the egui UI
and the printpdf receipts.

The font is licensed under the SIL Open Font License 1.1 (assets/fonts/OFL.txt).
The output is a Modified Version under that license, which must carry the
copyright notice and the license, so every name table record is kept unchanged.
The font has no Reserved Font Name, so the family name stays "Noto Sans CJK SC".

Requires fontTools (pip install fonttools).
"""

import sys

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, newTable

FAMILY_NAME = "Noto Sans CJK SC"
SUBFAMILY_NAME = "Regular"

# Maximum distance, in font units (1000 per em in Noto Sans CJK), between a
# cubic curve and the quadratic curves that replace it.
MAX_CURVE_ERROR = 1.0

# Tables that only make sense for CFF outlines, vertical layout or OpenType
# shaping. VORG is defined for CFF fonts only, the app lays out text
# horizontally, and with no layout features kept GSUB and GPOS would be empty.
DROPPED_TABLES = ["VORG", "vhea", "vmtx", "BASE", "GDEF", "GSUB", "GPOS"]


def gb2312_code_points():
    """Return every code point encodable in GB 2312 (EUC-CN bytes 0xA1-0xF7, 0xA1-0xFE)."""
    code_points = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                text = bytes([high, low]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            code_points.update(ord(ch) for ch in text)
    return code_points


def build_charset():
    """Return the sorted code points that the subset should cover."""
    code_points = gb2312_code_points()
    code_points.update(range(0x20, 0x7F))  # printable ASCII
    code_points.update(range(0x3000, 0x3040))  # CJK symbols and punctuation
    code_points.update(range(0xFF01, 0xFF5F))  # full-width ASCII variants
    code_points.update(range(0x2010, 0x2028))  # general punctuation, dashes to hyphenation point
    code_points.update(range(0x2030, 0x203B))  # per mille to single right angle quotation mark
    code_points.update(
        [
            0x00A5,  # YEN SIGN
            0xFFE5,  # FULLWIDTH YEN SIGN
            0x00B7,  # MIDDLE DOT
            0x30FB,  # KATAKANA MIDDLE DOT, Python's decoding of GB 2312 0xA1A4
            0x00D7,  # MULTIPLICATION SIGN
            0x00F7,  # DIVISION SIGN
            0x00B0,  # DEGREE SIGN
        ]
    )
    return sorted(code_points)


def load_sc_face(collection_path):
    """Return the Noto Sans CJK SC Regular face of the collection, or raise ValueError."""
    collection = TTCollection(collection_path)
    faces = []
    for font in collection.fonts:
        name_table = font["name"]
        family = name_table.getDebugName(1)
        style = name_table.getDebugName(2)
        faces.append(f"{family} {style}")
        if family == FAMILY_NAME and style == SUBFAMILY_NAME:
            return font
    raise ValueError(
        f"face '{FAMILY_NAME} {SUBFAMILY_NAME}' not found in {collection_path}. "
        f"Faces present: {', '.join(faces)}. "
        "Pass NotoSansCJK-Regular.ttc from the Debian package fonts-noto-cjk."
    )


def subset_font(font, code_points):
    """Cut the font down to code_points, in place, with hinting and layout features removed."""
    options = subset.Options()
    options.hinting = False
    options.desubroutinize = True
    options.layout_features = []
    # Keep every name record: the default keeps only IDs 0-6 and would drop
    # the trademark (7) and license (13, 14) entries.
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.drop_tables += DROPPED_TABLES
    options.notdef_outline = True

    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=code_points)
    subsetter.subset(font)


def convert_cff_to_glyf(font):
    """Replace the CFF outlines with quadratic glyf outlines, in place."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()

    glyphs = {}
    for glyph_name in glyph_order:
        tt_pen = TTGlyphPen(None)
        # By convention CFF outer contours run counter-clockwise and TrueType
        # ones clockwise, so the converted contours are reversed.
        cu2qu_pen = Cu2QuPen(tt_pen, MAX_CURVE_ERROR, reverse_direction=True)
        glyph_set[glyph_name].draw(cu2qu_pen)
        glyphs[glyph_name] = tt_pen.glyph()

    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]

    # TrueType expects the left side bearing to equal the glyph's xMin.
    hmtx = font["hmtx"]
    for glyph_name, glyph in glyphs.items():
        glyph.recalcBounds(glyf)
        advance, _ = hmtx[glyph_name]
        left_side_bearing = glyph.xMin if glyph.numberOfContours else 0
        hmtx[glyph_name] = (advance, left_side_bearing)

    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    maxp.maxTwilightPoints = 0
    maxp.maxStorage = 0
    maxp.maxFunctionDefs = 0
    maxp.maxInstructionDefs = 0
    maxp.maxStackElements = 0
    maxp.maxSizeOfInstructions = 0
    maxp.maxComponentElements = 0
    maxp.maxComponentDepth = 0
    # maxPoints, maxContours and the composite counts are recalculated from
    # glyf when the font is saved.
    maxp.maxPoints = 0
    maxp.maxContours = 0
    maxp.maxCompositePoints = 0
    maxp.maxCompositeContours = 0

    font["head"].glyphDataFormat = 0
    # Format 3 stores no glyph names, because the CID-keyed source only has
    # names like "cid12345".
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"


def check_coverage(font, code_points):
    """Raise ValueError if a GB 2312 character is missing, and print the other missing code points."""
    cmap = font.getBestCmap()
    missing = [cp for cp in code_points if cp not in cmap]
    gb2312 = gb2312_code_points()
    missing_gb2312 = [cp for cp in missing if cp in gb2312]
    if missing_gb2312:
        listed = " ".join(f"U+{cp:04X}" for cp in missing_gb2312[:20])
        raise ValueError(
            f"{len(missing_gb2312)} GB 2312 characters missing from the source font: {listed}. "
            "Pass NotoSansCJK-Regular.ttc from the Debian package fonts-noto-cjk."
        )
    # Noto Sans CJK 2.004 has no glyph for some of the requested general
    # punctuation (U+2017, U+201B, U+2031, U+2038 and others).
    if missing:
        listed = " ".join(f"U+{cp:04X}" for cp in missing)
        print(f"note: {len(missing)} requested code points have no glyph in the source font: {listed}")


def main(argv):
    if len(argv) != 3:
        print(f"usage: {argv[0]} SOURCE.ttc OUT.ttf", file=sys.stderr)
        return 2
    source_path, output_path = argv[1], argv[2]

    try:
        font = load_sc_face(source_path)
        code_points = build_charset()
        subset_font(font, code_points)
        check_coverage(font, code_points)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    convert_cff_to_glyf(font)
    # Keep the source's head.modified date so that rebuilding from the same
    # .ttc produces the same bytes.
    font.recalcTimestamp = False
    font.save(output_path)

    print(
        f"wrote {output_path}: {len(font.getGlyphOrder())} glyphs, "
        f"{len(code_points)} requested code points"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
