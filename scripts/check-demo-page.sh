#!/usr/bin/env bash
# Opens the demo's results page in headless Chromium and fails on console errors or failed resource loads;
# writes a screenshot. Usage: scripts/check-demo-page.sh [RESULTS_DIR (default liftedgan-demo)] [SCREENSHOT (default docs/images/demo-page.png)]
# Installs Debian's chromium package when no Chromium is on the PATH.
set -euo pipefail

results="${1:-liftedgan-demo}"
screenshot="${2:-docs/images/demo-page.png}"
page="$results/index.html"
[[ -f "$page" ]] || { echo "check-demo-page: $page: not found (run: liftedgan demo --out $results)" >&2; exit 1; }

browser="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$browser" ]]; then
  echo "check-demo-page: installing chromium (apt-get)" >&2
  sudo_cmd=""
  [[ "$(id -u)" -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get install -y chromium >&2 || { $sudo_cmd apt-get update >&2 && $sudo_cmd apt-get install -y chromium >&2; }
  browser="$(command -v chromium)"
fi

# 1. Every file the page shows or links to exists, and every reference is relative (no remote resources).
status=0
page_dir="$(cd "$(dirname "$page")" && pwd)"
while IFS= read -r ref; do
  case "$ref" in
    \#*|data:*) continue ;;
    *://*|/*) echo "check-demo-page: $page: non-relative reference '$ref'" >&2; status=1; continue ;;
  esac
  [[ -f "$page_dir/$ref" ]] || { echo "check-demo-page: $page: missing file '$ref'" >&2; status=1; }
done < <(grep -oE '(src|href)="[^"]*"' "$page" | sed -E 's/^(src|href)="(.*)"$/\2/' | sort -u)
if grep -qi '<script' "$page"; then echo "check-demo-page: $page: contains a script" >&2; status=1; fi

# 2. Chromium loads it headless: no console errors, no failed loads.
mkdir -p "$(dirname "$screenshot")"
screenshot_abs="$(cd "$(dirname "$screenshot")" && pwd)/$(basename "$screenshot")"
log="$(mktemp)"
profile="$(mktemp -d)"
trap 'rm -rf "$log" "$profile"' EXIT
rm -f "$screenshot_abs"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
  --user-data-dir="$profile" --no-first-run --hide-scrollbars \
  --screenshot="$screenshot_abs" --window-size=1280,2400 "file://$page_dir/index.html" 2>"$log" >/dev/null || {
  echo "check-demo-page: chromium failed:" >&2; cat "$log" >&2; exit 1; }
errors="$(grep -E 'CONSOLE|Uncaught|net::ERR_|Failed to load|Not allowed to load' "$log" || true)"
if [[ -n "$errors" ]]; then
  echo "check-demo-page: errors while loading $page:" >&2
  echo "$errors" >&2
  status=1
fi
[[ -s "$screenshot_abs" ]] || { echo "check-demo-page: no screenshot written" >&2; status=1; }
if [[ $status -eq 0 ]]; then echo "check-demo-page: $page OK; screenshot $screenshot"; fi
exit $status
