#!/bin/sh
# The operations console in a real browser, and its API against its OpenAPI
# document: builds a small three-centre demo, serves north read-only on a free
# loopback port, then
#   1. Scripts/console-browser-test.py drives headless Chromium (Selenium,
#      Debian's chromium and chromium-driver) through sign-in, Today against
#      `journey query sites`, a live update, repeats → contacts → journey, the
#      plan as viewer and manager, with no browser console errors;
#   2. schemathesis checks every API operation's answers against
#      /v1/api/openapi.json (a short run), with a viewer's bearer token.
# Selenium and schemathesis come from PyPI into a virtual environment under
# .build/ (made the first time).
#
#   Scripts/console-browser-test.sh JOURNEY [SCREENSHOTS]
#
# JOURNEY is the journey executable (e.g. .build/debug/journey); SCREENSHOTS a
# directory for the pages' PNGs (docs/ keeps the README's).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
journey=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shots="${2:-}"
venv="${JOURNEY_BROWSER_VENV:-$here/../.build/browser-venv}"
python="$venv/bin/python"
for tool in chromium chromedriver; do
  command -v "$tool" >/dev/null 2>&1 || { echo "console-browser-test: $tool is not installed (Debian: apt-get install chromium chromium-driver)" >&2; exit 69; }
done
if ! "$python" -c 'import selenium, schemathesis' >/dev/null 2>&1; then
  echo "console-browser-test: creating $venv with selenium and schemathesis from PyPI…" >&2
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'selenium>=4.10' 'schemathesis>=3.30' >&2
fi

work=$(mktemp -d /tmp/journey-console-test.XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$journey" demo --dir "$work/demo" --days 15 --agents 30 --contacts-per-day 600 --port 7611 > "$work/demo.log" 2>&1 \
  || { cat "$work/demo.log" >&2; exit 1; }
data="$work/demo/north"
"$journey" serve --data "$data" --listen 127.0.0.1:0 > "$work/serve.log" 2>&1 &
server=$!
url=""
for _ in $(seq 1 600); do
  url=$(sed -n 's|^serve: console for .* at \(http://[^ ]*\)/$|\1|p' "$work/serve.log")
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "console-browser-test: journey serve did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
token() { "$python" -c "import json,sys; print([v['token'] for v in json.load(open('$data/sync.json'))['viewers'] if v['role'] == sys.argv[1]][0])" "$1"; }
viewer=$(token viewer)
manager=$(token manager)
echo "console-browser-test: north's console at $url"

[ -n "$shots" ] && mkdir -p "$shots"
"$python" "$here/console-browser-test.py" "$journey" "$data" "$url" "$viewer" "$manager" $shots

# Every operation's answers against the document (status codes documented, bodies of the documented schema).
# positive_data_acceptance is left out: the rules across options (`day` or `from`/`to`, not both; `from` not
# after `to`), which OpenAPI 3.0 cannot express, make some schema-valid requests a documented 400.
# (run from the scratch directory: schemathesis keeps a cache in its working directory)
(cd "$work" && "$venv/bin/schemathesis" run "$url/v1/api/openapi.json" --header "Authorization: Bearer $viewer" \
  --checks all --exclude-checks positive_data_acceptance --max-examples "${JOURNEY_SCHEMATHESIS_EXAMPLES:-25}" --url "$url") \
  > "$work/schemathesis.log" 2>&1 || { cat "$work/schemathesis.log" >&2; echo "console-browser-test: schemathesis found answers that break the document" >&2; exit 1; }
tail -n 5 "$work/schemathesis.log"
echo "console-browser-test: browser and API checks passed"
