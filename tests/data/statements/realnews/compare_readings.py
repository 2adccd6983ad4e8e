"""Compare two independent readings of the same articles.
usage: python3 compare.py A.jsonl B.jsonl  -> prints the differences to settle, per article."""
import json, sys

def chars(spans):
    out = set()
    for s, e in spans:
        out.update(range(s, e))
    return out

def load(p):
    return {d["id"]: d for d in map(json.loads, open(p, encoding="utf-8"))}

a, b = load(sys.argv[1]), load(sys.argv[2])
total = agree = 0
for aid in a:
    da, db = a[aid], b.get(aid)
    if db is None:
        print(f"## {aid}: missing in B"); continue
    text = da["text"]
    assert text == db["text"], aid
    sa, sb = da["statements"], db["statements"]
    ca, cb = [chars(s["content"]) for s in sa], [chars(s["content"]) for s in sb]
    pairs = sorted(((len(x & y) / max(len(x | y), 1), i, j) for i, x in enumerate(ca) for j, y in enumerate(cb) if x & y), reverse=True)
    ua, ub, match = set(), set(), []
    for ov, i, j in pairs:
        if i in ua or j in ub or ov < 0.3: continue
        ua.add(i); ub.add(j); match.append((ov, i, j))
    lines = []
    for i, s in enumerate(sa):
        if i not in ua:
            lines.append(f"ONLY A: [{s['speaker']}|{s['kind']}] {' / '.join(text[x:y] for x, y in s['content'])[:220]!r}")
    for j, s in enumerate(sb):
        if j not in ub:
            lines.append(f"ONLY B: [{s['speaker']}|{s['kind']}] {' / '.join(text[x:y] for x, y in s['content'])[:220]!r}")
    for ov, i, j in match:
        x, y = sa[i], sb[j]
        diffs = []
        if x["speaker"].lower() != y["speaker"].lower(): diffs.append(f"speaker A={x['speaker']!r} B={y['speaker']!r}")
        if x["kind"] != y["kind"]: diffs.append(f"kind A={x['kind']} B={y['kind']}")
        if x.get("type") != y.get("type"): diffs.append(f"type A={x.get('type')} B={y.get('type')}")
        if ov < 0.8: diffs.append(f"content overlap {ov:.2f}: A={' / '.join(text[p:q] for p, q in x['content'])[:160]!r} B={' / '.join(text[p:q] for p, q in y['content'])[:160]!r}")
        if diffs: lines.append("BOTH: " + "; ".join(diffs))
    total += len(sa) + len(sb); agree += 2 * sum(1 for ov, i, j in match if ov >= 0.8 and sa[i]["speaker"].lower() == sb[j]["speaker"].lower() and sa[i]["kind"] == sb[j]["kind"])
    print(f"## {aid}: A {len(sa)}, B {len(sb)}, matched {len(match)}")
    for l in lines: print("  " + l)
print(f"# agreement (same content >=0.8, speaker, kind): {agree / max(total, 1):.2f}")
