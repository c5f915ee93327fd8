#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; the Noto fonts make Arabic, Hebrew, Korean and Chinese readable.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "NotoSansCJK" || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "NotoSansArabic" || need+=(fonts-noto-core)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing ${need[*]} for browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null; }
else
  echo "browser tests need: ${need[*]} (apt-get install -y ${need[*]}); they will skip outside CI" >&2
fi
