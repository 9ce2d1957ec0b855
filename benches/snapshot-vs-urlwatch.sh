#!/usr/bin/env bash
# Times palimpsest and the peer urlwatch on the same local news site served by nginx, in one
# command: 1,000 pages of ~110 KB (PAD_KB=100), three runs (first pass, nothing changed, 100 pages
# edited), with wall time, CPU time and peak memory of each, the ratios, and the floor: a plain
# parallel fetch of the same pages with curl, which is the most any tool could gain here, and the
# CPU time of reading the same pages with `palimpsest extract` (the least a first pass costs).
# Then a 100,000-article archive with nothing due, and the commit throughput bench.
#
#   benches/snapshot-vs-urlwatch.sh [N] [K]        (defaults 1000 100)
#
# Needs ../shared/bench (site generator, nginx launcher, urlwatch runner) beside the checkout,
# python3, curl, bc and nginx (installed from Debian when missing). Only 127.0.0.1 is contacted.
set -euo pipefail
N=${1:-1000}; K=${2:-100}
HERE=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BENCH:-$HERE/../shared/bench}
[ -d "$BENCH" ] || { echo "no $BENCH: the shared bench tools are needed" >&2; exit 2; }
export PAD_KB=${PAD_KB:-100}
PORT=${PORT:-8766}
W=$(mktemp -d); chmod 755 "$W"  # nginx workers must read the site
trap 'kill ${SRV:-0} 2>/dev/null || true; rm -rf "$W"' EXIT
(cd "$HERE" && cargo build --release --quiet)
P=$HERE/target/release/palimpsest

python3 "$BENCH/gen_site.py" "$W/site" "$N"
"$BENCH/serve-nginx.sh" "$W/site" "$PORT" --no-conditional >/dev/null 2>&1 & SRV=$!
until curl -s -o /dev/null "http://127.0.0.1:$PORT/a/0.html"; do sleep 0.1; done
seq 0 $((N-1)) | sed "s#.*#http://127.0.0.1:$PORT/a/&.html#" > "$W/urls.txt"

measure() { # label command...: prints "label wall cpu maxrss_kb"
  local label=$1; shift
  local t0 t1; t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S %M' -o "$W/time" "$@" > "$W/$label.out" 2>"$W/$label.err" || true
  t1=$(date +%s.%N)
  read -r u s m < "$W/time"
  printf '%s %.3f %.3f %s\n' "$label" "$(echo "$t1 - $t0" | bc)" "$(echo "$u + $s" | bc)" "$m"
}

floor=$(measure floor sh -c "xargs -P 16 -n 50 curl -s -o /dev/null < '$W/urls.txt'")
# What reading the pages alone costs (no fetching, no archive), for what a first pass can reach.
reading=$(measure reading "$P" extract --json "$W"/site/a/*.html)
export PALIMPSEST_ARCHIVE=$W/archive
"$P" init "$W/archive" >/dev/null
xargs "$P" add < "$W/urls.txt" >/dev/null
SNAP=("$P" snapshot --all --host-concurrency 16 --host-delay 0 --jobs 16 --json)
p1=$(measure run1 "${SNAP[@]}"); p1_json=$(tail -1 "$W/run1.out")
p2=$(measure run2 "${SNAP[@]}"); p2_json=$(tail -1 "$W/run2.out")
python3 "$BENCH/gen_site.py" "$W/site" "$N" --edit "$K"
p3=$(measure run3 "${SNAP[@]}"); p3_json=$(tail -1 "$W/run3.out")
for r in run1 run2 run3; do
  grep -m3 '^error' "$W/$r.err" >&2 || true
done

echo "== urlwatch (peer), same generator, same nginx, same N=$N K=$K"
peer=$("$BENCH/peer-urlwatch.sh" "$N" "$K")
echo "$peer"

echo
echo "== palimpsest"
printf '%-6s %8s %8s %10s  %s\n' run wall_s cpu_s maxrss_KB summary
for r in "$p1|$p1_json" "$p2|$p2_json" "$p3|$p3_json"; do
  IFS='|' read -r m j <<<"$r"; read -r l w c rss <<<"$m"
  printf '%-6s %8s %8s %10s  %s\n' "$l" "$w" "$c" "$rss" "$j"
done
read -r _ fw fc _ <<<"$floor"
echo "floor (curl, 16 parallel, same pages): wall ${fw}s cpu ${fc}s"
read -r _ _ rc _ <<<"$reading"
printf 'reading alone (palimpsest extract, same pages, one thread): cpu %ss, at best %.3fs of wall on %s cores\n' \
  "$rc" "$(echo "$rc / $(nproc)" | bc -l)" "$(nproc)"
echo
echo "== ratios (urlwatch wall / palimpsest wall)"
for run in run1 run2 run3; do
  pw=$(grep "^$run " <<<"$p1
$p2
$p3" | awk '{print $2}')
  uw=$(grep "urlwatch $run " <<<"$peer" | sed -E 's/.*wall=([0-9.]+)s.*/\1/')
  [ -n "$uw" ] && printf '%s: urlwatch %ss / palimpsest %ss = %.1fx\n' "$run" "$uw" "$pw" "$(echo "$uw / $pw" | bc -l)"
done

echo
echo "== 100,000 tracked articles, nothing due"
kill $SRV 2>/dev/null || true
"$P" init "$W/big" >/dev/null
python3 -c "
import sys
urls = ',\n  '.join('\"https://news%d.example.com/2026/%d.html\"' % (i % 300, i) for i in range(100000))
open(sys.argv[1] + '/palimpsest.toml', 'a').write('\n')
text = open(sys.argv[1] + '/palimpsest.toml').read()
open(sys.argv[1] + '/palimpsest.toml', 'w').write('articles = [\n  ' + urls + ',\n]\n' + text)
" "$W/big"
# Commit the hand-made settings (untimed), then mark every article checked a moment ago and not
# due, as after a run, without fetching.
"$P" --archive "$W/big" snapshot --max 0 --quiet
python3 - "$W/big/.palimpsest/state.db" <<'PY'
import sqlite3, sys, time, re
db = sqlite3.connect(sys.argv[1])
text = open(sys.argv[1].replace('.palimpsest/state.db', 'palimpsest.toml')).read()
urls = re.findall(r'"(https://[^"]+)"', text)
now = int(time.time())
db.executemany("INSERT OR REPLACE INTO checks (url, checked_at, failures, next_due) VALUES (?, '', 0, ?)",
               [(u, now + 3600) for u in urls])
db.commit()
PY
measure big "$P" --archive "$W/big" snapshot --json | while read -r l w c rss; do
  echo "snapshot with nothing due over 100,000 tracked: wall ${w}s cpu ${c}s maxrss ${rss}KB: $(tail -1 "$W/big.out")"
done

echo
echo "== commit throughput (cargo bench --bench record)"
(cd "$HERE" && cargo bench --quiet --bench record 2>/dev/null)
