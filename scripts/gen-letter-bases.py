#!/usr/bin/env python3
"""Prints the letters sekisho reads as the ASCII letter under an overlay (guard:
src/text/letter_bases.rs, verifier: src/verifier/text/letter_bases.rs), from the Unicode
Character Database (apt-get install unicode-data: /usr/share/unicode/UnicodeData.txt).

The set: every Latin letter (Lu, Ll, Lt) with no decomposition whose name is `LATIN CAPITAL
LETTER X WITH ...`, `LATIN SMALL LETTER X WITH ...` or `... DOTLESS X ...`: a stroke, a bar, a
hook, a tail, a descender, a loop (`Ø`, `Ł`, `Ħ`, `Ŧ`, `Ɨ`, `Ⱥ`, `Ɍ`, `Ɉ`, `Ǥ`, `Ɲ`) drawn on or
beside X, which a reader still reads as X; NFKC leaves them as they are and UTS #39 gives them
no ASCII prototype. Besides these, the letters read as one though named otherwise: ENG `Ŋ` `ŋ`
(an N with a hook), TURNED A `Ɐ`, the sign FOR ALL `∀`, Greek LAMDA `Λ` `λ` (an A without
its bar), and the capitals (and their small forms) UTS #39 gives no prototype though they are
drawn as a Latin capital: Coptic ALFA `Ⲁ`, Cherokee NAH `Ꮑ` (N) and QUA `Ꮖ` (I).
"""
import re, sys
D = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode"
EXTRA = {0x014A: "n", 0x014B: "n", 0x2C6F: "a", 0x2200: "a", 0x039B: "a", 0x03BB: "a",
         0x2C80: "a", 0x2C81: "a", 0x13C1: "n", 0xAB91: "n", 0x13C6: "i", 0xAB96: "i"}
pat = re.compile(r"^LATIN (CAPITAL|SMALL) LETTER (DOTLESS |SMALL CAPITAL )?([A-Z])( WITH .*)?$")
out = dict(EXTRA)
for line in open(f"{D}/UnicodeData.txt"):
    f = line.split(";")
    c, name, cat, dec = int(f[0], 16), f[1], f[2], f[5]
    if c < 0x80 or cat not in ("Lu", "Ll", "Lt") or dec:
        continue
    m = pat.match(name)
    if m and (m.group(4) or m.group(2) == "DOTLESS "):
        out[c] = m.group(3).lower()
for c, l in sorted(out.items()):
    print(f"    (0x{c:04X}, b'{l}'),")
