#!/usr/bin/env python3
"""Prints the code points sekisho reads as a full stop `.` (guard: src/text/full_stops.rs,
verifier: src/verifier/full_stops.rs), from the Unicode Character Database
(apt-get install unicode-data: /usr/share/unicode/{PropList,UnicodeData}.txt).

The set: every non-ASCII character with the property Sentence_Terminal (the full stops,
dandas, question and exclamation marks of every script: a reader takes each for the end of a
sentence, so between numbers or names for a dot); and every non-ASCII punctuation or modifier
symbol (Po, Sk) or Terminal_Punctuation character whose name says it is one dot or a full stop
(`FULL STOP`, `PERIOD`, `DANDA`, `... DOT` / `DOT ...` but not two or more dots, `DOT WITHIN`,
`DOTS`, or a letter or mark with a dot).
"""
import re, sys
D = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode"
prop = {}
for line in open(f"{D}/PropList.txt"):
    line = line.split("#")[0].strip()
    if not line:
        continue
    r, p = [x.strip() for x in line.split(";")]
    a, b = (r.split("..") + [r])[:2]
    for c in range(int(a, 16), int(b, 16) + 1):
        prop.setdefault(c, set()).add(p)
name, cat = {}, {}
for line in open(f"{D}/UnicodeData.txt"):
    f = line.split(";")
    name[int(f[0], 16)] = f[1]
    cat[int(f[0], 16)] = f[2]
one_dot = re.compile(r"FULL STOP|PERIOD|DANDA|(^|[ -])DOT($| )")
many = re.compile(r"DOTS|TWO DOT|THREE DOT|FOUR DOT|DOUBLE DOT|TRIPLE DOT|DOT WITHIN|DOT OVER|DOTS? ABOVE [A-Z]|WITH DOT|DOTTED|DOT LEADER|DOT OPERATOR ")
out = set()
for c in name:
    if c < 0x80:
        continue
    props = prop.get(c, set())
    if "Sentence_Terminal" in props:
        out.add(c)
    elif (cat[c] in ("Po", "Sk") or "Terminal_Punctuation" in props) and one_dot.search(name[c]) and not many.search(name[c]):
        out.add(c)
# Ranges.
rs = []
for c in sorted(out):
    if rs and rs[-1][1] + 1 == c:
        rs[-1][1] = c
    else:
        rs.append([c, c])
for a, b in rs:
    print(f"{a:04X} {b:04X} {name[a]}" + ("" if a == b else f" .. {name[b]}"))
