"""Fill a freshly generated django.po from other catalogues (branches) and a JSON of new ones.

After merging branches that each ran ``make messages`` (which rewraps the whole catalogue), take
either side's django.po, run ``make messages`` again, then fill it from every branch's copy
(``git show BRANCH:src/linli/locale/zh_Hans/LC_MESSAGES/django.po > /tmp/x.po``):

usage: .venv/bin/python tools/po_fill.py TARGET.po [--from SRC.po ...] [--json extra.json]
Entries are matched on (msgctxt, msgid, msgid_plural). Fuzzy entries with a source match are
replaced and un-fuzzied. Prints what stays untranslated or fuzzy.
"""

import json
import sys

import polib


def key(e):
    return (e.msgctxt or "", e.msgid, e.msgid_plural or "")


def main(argv):
    target = argv[0]
    srcs, extra = [], {}
    i = 1
    while i < len(argv):
        if argv[i] == "--from":
            srcs.append(argv[i + 1])
            i += 2
        elif argv[i] == "--json":
            with open(argv[i + 1], encoding="utf-8") as f:
                extra = json.load(f)
            i += 2
        else:
            raise SystemExit(f"unknown {argv[i]}")
    known = {}
    for s in srcs:
        for e in polib.pofile(s):
            if e.translated() and "fuzzy" not in e.flags:
                known.setdefault(key(e), e)
    po = polib.pofile(target)
    for e in po:
        if e.obsolete:
            continue
        k = key(e)
        need = (not e.translated()) or ("fuzzy" in e.flags)
        if not need:
            continue
        if e.msgid in extra:
            v = extra[e.msgid]
            if e.msgid_plural:
                e.msgstr_plural = {0: v if isinstance(v, str) else v[0]}
            else:
                e.msgstr = v
        elif k in known:
            src = known[k]
            if e.msgid_plural:
                e.msgstr_plural = dict(src.msgstr_plural)
            else:
                e.msgstr = src.msgstr
        else:
            continue
        if "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
            e.previous_msgid = None
            e.previous_msgid_plural = None
            e.previous_msgctxt = None
    po.save(target)
    left = [e.msgid for e in po.untranslated_entries()] + [
        "FUZZY " + e.msgid for e in po.fuzzy_entries()
    ]
    for m in left:
        print("LEFT:", m[:120])
    print(f"{len(left)} left")


if __name__ == "__main__":
    main(sys.argv[1:])
