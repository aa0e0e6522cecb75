#!/usr/bin/env bash
# Follows a live Asterisk queue_log into a centre's store: new lines are
# imported as they are written, log rotation and truncation are handled, and
# the position is kept in DATA/ingest so a restart resumes where it stopped
# (only after the events before it are durable).
#
#   bash Scripts/follow-asterisk.sh DATA SITE [QUEUE_LOG]
#
# DATA is created for SITE if it does not exist. QUEUE_LOG defaults to
# /var/log/asterisk/queue_log. Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:?usage: $0 DATA SITE [QUEUE_LOG]}; site=${2:?usage: $0 DATA SITE [QUEUE_LOG]}
log=${3:-/var/log/asterisk/queue_log}
[ -r "$log" ] || { echo "cannot read $log (is Asterisk writing it here, and may this user read it?)" >&2; exit 3; }
swift build -c release --product journey >/dev/null
journey=.build/release/journey
[ -f "$data/journey.json" ] || $journey init --data "$data" --site "$site"
echo "following $log into $data (site $site); Ctrl-C to stop"
exec $journey import --data "$data" --format asterisk --follow "$log"
