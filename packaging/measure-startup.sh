#!/usr/bin/env bash
# Measures the time from starting the release binary to its first drawn frame (the log line
# "cashier window ready"), in demo mode with a fresh data folder. Needs an X display, for
# example Xvfb: `Xvfb :93 -screen 0 1280x800x24 & DISPLAY=:93 packaging/measure-startup.sh`.
set -euo pipefail
binary=${1:-target/release/wxpay-pos}
runs=${RUNS:-5}
for run in $(seq 1 "$runs"); do
    home=$(mktemp -d)
    log="$home/app.log"
    start=$(date +%s.%N)
    HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" RUST_LOG=info \
        "$binary" >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 500); do
        grep -q "cashier window ready" "$log" && break
        sleep 0.01
    done
    end=$(date +%s.%N)
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    printf 'run %d: %.3f s to the first frame\n' "$run" "$(echo "$end - $start" | bc)"
    rm -rf "$home"
done
