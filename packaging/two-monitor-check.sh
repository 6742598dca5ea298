#!/usr/bin/env bash
# Checks the customer display on a real two-monitor X server: starts Xorg with the dummy video
# driver and two RandR monitors side by side (1280x800 for the cashier, 1024x768 for the
# customer), runs the release binary in demo mode, rings up 19.90, and decodes the QR code
# from a screenshot of the customer's monitor alone. The decoded link must equal the order's
# code_url in SQLite.
#
# Needs root for Xorg and the Debian packages xserver-xorg-core xserver-xorg-video-dummy
# xdotool imagemagick zbar-tools. Xvfb cannot run this check: its RandR shows one CRTC per
# screen, and winit lists monitors by CRTC.
set -euo pipefail
binary=${1:-target/release/wxpay-pos}
display=${DISPLAY_NUMBER:-:97}
work=$(mktemp -d)
trap 'kill "$app" "$xorg" 2>/dev/null || true' EXIT

cat >"$work/xorg.conf" <<'CONF'
Section "Device"
    Identifier "dummy"
    Driver "dummy"
    VideoRam 256000
EndSection
Section "Monitor"
    Identifier "monitor"
    HorizSync 5.0-1000.0
    VertRefresh 5.0-200.0
EndSection
Section "Screen"
    Identifier "screen"
    Device "dummy"
    Monitor "monitor"
    DefaultDepth 24
    SubSection "Display"
        Depth 24
        Virtual 2304 800
    EndSubSection
EndSection
CONF

Xorg "$display" -noreset -nolisten tcp -config "$work/xorg.conf" \
    -logfile "$work/Xorg.log" >"$work/xorg.out" 2>&1 &
xorg=$!
export DISPLAY=$display
for _ in $(seq 1 100); do xrandr >/dev/null 2>&1 && break; sleep 0.1; done
xrandr --addmode DUMMY1 1024x768
xrandr --output DUMMY0 --mode 1280x800 --pos 0x0 --output DUMMY1 --mode 1024x768 --pos 1280x0
xrandr --listmonitors

HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" LANG=zh_CN.UTF-8 \
    RUST_LOG=info "$binary" >"$work/app.log" 2>&1 &
app=$!
for _ in $(seq 1 300); do grep -q "cashier window ready" "$work/app.log" && break; sleep 0.05; done
grep -o 'customer display monitor.*' "$work/app.log" | sed 's/\x1b\[[0-9;]*m//g'

cashier=$(xdotool search --name 'wxpay-pos' | while read -r id; do
    if [ "$(xdotool getwindowname "$id")" != "wxpay-pos customer display" ]; then echo "$id"; fi
done | head -1)
# The window may be listed before it is mapped, and focusing an unmapped window fails.
for _ in $(seq 1 50); do xdotool windowfocus "$cashier" 2>/dev/null && break; sleep 0.1; done
sleep 0.3
xdotool type --delay 60 '19.90'
xdotool key F1
pressed=$(date +%s.%N)

# Poll the customer's monitor until its QR code decodes, for at most 20 s. On a loaded
# machine llvmpipe can take a few seconds to draw both windows.
decoded=""
for _ in $(seq 1 40); do
    import -window root "$work/root.png"
    convert "$work/root.png" -crop 1024x768+1280+0 +repage "$work/customer.png"
    decoded=$(zbarimg -q --raw "$work/customer.png" 2>/dev/null || true)
    [ -n "$decoded" ] && break
    sleep 0.25
done
printf 'QR code readable on the customer monitor %.1f s after F1\n' \
    "$(echo "$(date +%s.%N) - $pressed" | bc)"
stored=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT code_url FROM orders ORDER BY id DESC LIMIT 1").fetchone()[0])' \
    "$(find "$work/data" -name '*.sqlite3' | head -1)")
echo "decoded from the customer monitor: $decoded"
echo "code_url in SQLite:                $stored"
echo "screenshots: $work/root.png $work/customer.png"
if [ -n "$decoded" ] && [ "$decoded" = "$stored" ]; then
    echo "OK: the customer display shows the order's QR code"
else
    echo "FAILED: the QR code on the customer display does not match the order" >&2
    exit 1
fi
