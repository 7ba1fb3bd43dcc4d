#!/usr/bin/env bash
# Installs the Debian packages the product and its tests use, when they are missing:
#   ffmpeg  - serves a real RTSP stream on loopback in ingest tests
#   chromium - a real headless browser for the web page tests (driven by Playwright; never downloaded by it)
#   fonts-wqy-microhei - a CJK font for Chinese labels on evidence images (never downloaded at run time)
# Idempotent and quiet when everything is present.
set -euo pipefail
missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "system-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then apt=(apt-get); elif command -v sudo >/dev/null 2>&1; then apt=(sudo apt-get); else
    echo "system-deps: missing ${missing[*]}; install them with your package manager (needs root)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
