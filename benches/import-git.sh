#!/usr/bin/env bash
# Times `palimpsest import-git` on a synthetic git-scraping mirror the size of a real one:
# FILES article pages (default 40,000) added over the first commits, then bulk rewrites of
# promo lines and proxy addresses (noise), a few real edits, deletions and re-adds, COMMITS
# commits in all (default 4,700). Prints the time, the file versions read per second and what
# was recorded; a second import of the same repository (nothing new) is timed too. The pages name
# originals in dated folders, as news sites do: an archive folder holding tens of thousands of
# articles makes every commit rewrite that folder's tree.
#
#   benches/import-git.sh [FILES] [COMMITS]
set -euo pipefail
FILES=${1:-40000}; COMMITS=${2:-4700}
HERE=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
(cd "$HERE" && cargo build --release --quiet)
P=$HERE/target/release/palimpsest

git init -q -b master "$W/mirror"
python3 - "$FILES" "$COMMITS" <<'PY' | git -C "$W/mirror" fast-import --quiet
import random, sys
files, commits = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(7)
adds = max(1, commits // 12)               # the first commits add every page
per_add = -(-files // adds)
def page(i, ip, edit):
    body = "\n".join(f"<p>\n 第{i}篇报道的第{p}段，记录了当地政府的决定和居民的反应{'（更正）' if edit and p == 2 else ''}。\n</p>" for p in range(6))
    return (f"### 第{i}篇报道的标题\n------------------------\n\n"
            f"#### [首页](../../README.md) &nbsp;|&nbsp; [网站代理](http://{ip}:10080/gb/)\n\n"
            f"<div>\n{body}\n</div>\n\n#### [ 🔥 推荐阅读](http://{ip}:10000/videos/index.html)\n\n"
            f"原文地址：https://news.example.org/gb/2020/{i % 12 + 1}/{i % 28 + 1}/{i}.html\n"
            f"<img src=\"http://{ip}:8000/t.gif?page={i}\" width=\"0px\"/>\n")
def blob(text):
    data = text.encode()
    return b"data %d\n" % len(data) + data + b"\n"
out = sys.stdout.buffer
edited, present = set(), set()
for c in range(commits):
    ip = f"198.51.{c % 250}.{c % 200 + 1}"
    ops = []
    if c < adds:
        for i in range(c * per_add, min(files, (c + 1) * per_add)):
            present.add(i); ops.append(("M", i))
    else:
        for i in rng.sample(range(files), 20):
            r = rng.random()
            if r < 0.02 and i in present:
                present.discard(i); ops.append(("D", i))
            else:
                if r < 0.05: edited.add(i)
                present.add(i); ops.append(("M", i))
    out.write(b"commit refs/heads/master\ncommitter mirror <m@example.invalid> %d +0800\n" % (1_600_000_000 + c * 3600))
    msg = b"sync"
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    for op, i in ops:
        path = f"pages/p{i % 97}/{i}.md".encode()
        if op == "D":
            out.write(b"D " + path + b"\n")
        else:
            out.write(b"M 100644 inline " + path + b"\n" + blob(page(i, ip, i in edited)))
    out.write(b"\n")
PY
export PALIMPSEST_ARCHIVE=$W/archive
"$P" init "$W/archive" >/dev/null
t0=$(date +%s.%N)
/usr/bin/time -f '%U %S %M' -o "$W/time" "$P" import-git --json "$W/mirror" > "$W/out"
t1=$(date +%s.%N); read -r u s m < "$W/time"
versions=$(python3 -c "import json;print(json.load(open('$W/out'))['file_versions'])")
printf 'import-git: %d commits, %s file versions in %.1fs wall (%.1fs CPU, %d MB peak) = %.0f file versions/s\n' \
  "$COMMITS" "$versions" "$(echo "$t1 - $t0" | bc)" "$(echo "$u + $s" | bc)" "$((m / 1024))" "$(echo "$versions / ($t1 - $t0)" | bc -l)"
echo "recorded: $(cat "$W/out")"
t0=$(date +%s.%N); "$P" import-git --json "$W/mirror" > "$W/out2"; t1=$(date +%s.%N)
printf 'second import (nothing new): %.2fs: %s\n' "$(echo "$t1 - $t0" | bc)" "$(cat "$W/out2")"
