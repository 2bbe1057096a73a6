#!/bin/sh
# Replays every kept regression input, then fuzzes each target for SECONDS from its corpus.
# Usage: fuzz/run.sh BIN_DIR SECONDS
set -eu
BIN=$1
SECONDS_EACH=${2:-15}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for target in canonical_order shipment headers config shopify_order inbound_webhook x12 partner_orders csv \
    history_input json_mapping; do
  exe="$BIN/fuzz_$target"
  corpus="$HERE/corpus/$target"
  regress="$HERE/regressions/$target"
  if [ -d "$regress" ] && [ -n "$(ls -A "$regress" 2>/dev/null)" ]; then
    "$exe" -runs=0 "$regress"/* > "$WORK/$target.regress.log" 2>&1 || {
      cat "$WORK/$target.regress.log"; echo "fuzz: regression input failed for $target"; exit 1; }
  fi
  mkdir -p "$WORK/$target"
  if ! "$exe" -max_total_time="$SECONDS_EACH" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$WORK/$target-" "$WORK/$target" "$corpus" > "$WORK/$target.log" 2>&1; then
    tail -40 "$WORK/$target.log"
    mkdir -p "$regress"
    for a in "$WORK/$target"-*; do [ -f "$a" ] && cp "$a" "$regress/" && echo "kept $regress/$(basename "$a")"; done
    echo "fuzz: $target found a failure (input kept under fuzz/regressions/$target)"
    exit 1
  fi
  runs=$(grep -o 'Done [0-9]* runs' "$WORK/$target.log" | tail -1)
  echo "fuzz: $target ok ($runs in ${SECONDS_EACH}s)"
done
