#!/usr/bin/env bash
# `make run`: the web server and the background worker side by side, started and stopped together.
# Ctrl-C, a TERM signal, or either of them exiting stops both, so no worker is left running unseen.
set -u
BIN=${BIN:-.venv/bin}

"$BIN/pathway-review" worker &
worker=$!
"$BIN/pathway-review" run "$@" &
server=$!

stop() { kill -TERM "$server" "$worker" 2>/dev/null; }
trap stop INT TERM

wait -n "$server" "$worker"
status=$?
stop
wait "$server" "$worker" 2>/dev/null
exit "$status"
