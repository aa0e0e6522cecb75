#!/usr/bin/env bash
# A three-centre cluster on this machine, each centre a whole node in one
# process (`journey serve --follow`): north on 127.0.0.1:7411, central on
# :7412, south on :7413, every centre pulling from the other two, with a
# random token per client and every public key pinned.
#
#   bash Scripts/cluster.sh start [DIR]   create (first time) and start the nodes
#   bash Scripts/cluster.sh status [DIR]  each node's view of every origin
#   bash Scripts/cluster.sh stop [DIR]    stop the nodes
#
# A new cluster starts with two simulated days at each centre, so `status`
# shows the three logs converging. A running node is its store's only
# writer: to add data, `stop`, import or simulate (e.g. `journey simulate
# --data DIR/north --sites north,central,south --days 3 --start 2026-03-04`),
# then `start` again and watch it reach the others.
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:-start}; dir=${2:-./journey-cluster}
sites=(north central south); ports=(7411 7412 7413)
swift build -c release --product journey >/dev/null
journey=$PWD/.build/release/journey

token() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

case "$action" in
start)
  if [ ! -f "$dir/north/journey.json" ]; then
    mkdir -p "$dir"
    for s in "${sites[@]}"; do $journey init --data "$dir/$s" --site "$s" >/dev/null; done
    declare -A key tok
    for s in "${sites[@]}"; do
      key[$s]=$($journey keys --data "$dir/$s" | awk '{ print $NF }' | tail -1)
      tok[$s]=$(token)
    done
    for i in 0 1 2; do
      s=${sites[$i]}; peers=""; clients=""; keys=""
      for j in 0 1 2; do
        o=${sites[$j]}
        keys+="${keys:+, }\"$o\": \"${key[$o]}\""
        [ "$o" = "$s" ] && continue
        # s presents its own token to o; o accepts each client by that client's token.
        peers+="${peers:+, }{\"name\": \"$o\", \"url\": \"http://127.0.0.1:${ports[$j]}\", \"token\": \"${tok[$s]}\"}"
        clients+="${clients:+, }{\"name\": \"$o\", \"token\": \"${tok[$o]}\"}"
      done
      printf '{"listen": "127.0.0.1:%s",\n "peers": [%s],\n "clients": [%s],\n "keys": {%s}}\n' "${ports[$i]}" "$peers" "$clients" "$keys" > "$dir/$s/sync.json"
    done
    for s in "${sites[@]}"; do
      $journey simulate --data "$dir/$s" --sites north,central,south --days 2 --agents 40 --contacts-per-day 1500 >/dev/null 2>&1
    done
    echo "created $dir/{north,central,south} with sync.json (tokens and pinned keys) and two simulated days each"
  fi
  for s in "${sites[@]}"; do
    $journey serve --data "$dir/$s" --follow > "$dir/$s.log" 2>&1 &
    echo $! > "$dir/$s.pid"
    echo "$s: serving and following (pid $!, log $dir/$s.log)"
  done
  ;;
status)
  for s in "${sites[@]}"; do echo "== $s"; $journey status --data "$dir/$s"; done
  ;;
stop)
  for s in "${sites[@]}"; do
    if [ -f "$dir/$s.pid" ]; then kill "$(cat "$dir/$s.pid")" 2>/dev/null || true; rm -f "$dir/$s.pid"; echo "$s stopped"; fi
  done
  ;;
*) echo "usage: $0 start|status|stop [DIR]" >&2; exit 64 ;;
esac
