#!/bin/sh
# The DuckDB peer of `journey bench rebuild` (Scripts/duckdb-peer.py), run in
# a virtual environment this script creates the first time (under .build/,
# which git ignores) with DuckDB from PyPI.
#
#   Scripts/duckdb-peer.sh --setup     create the environment if needed; print its python
#   Scripts/duckdb-peer.sh ARGS…       run the peer (see duckdb-peer.py --help)
#
# JOURNEY_DUCKDB_VENV chooses another place for the environment.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
venv="${JOURNEY_DUCKDB_VENV:-$here/../.build/duckdb-venv}"
python="$venv/bin/python"
if ! "$python" -c 'import duckdb' >/dev/null 2>&1; then
  command -v python3 >/dev/null 2>&1 || { echo "duckdb-peer: python3 is not installed (Debian: apt-get install python3 python3-venv)" >&2; exit 69; }
  echo "duckdb-peer: creating $venv with DuckDB from PyPI…" >&2
  python3 -m venv "$venv" >&2 || { echo "duckdb-peer: python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 69; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'duckdb>=1.1' >&2 || { echo "duckdb-peer: pip could not install duckdb" >&2; exit 69; }
fi
if [ "${1:-}" = "--setup" ]; then
  echo "$python"
  exit 0
fi
exec "$python" "$here/duckdb-peer.py" "$@"
