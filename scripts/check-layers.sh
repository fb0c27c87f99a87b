#!/usr/bin/env bash
# The dependency rule (README, "Architecture"), checked on what cargo
# resolves, normal dependencies only (tests may use anything):
#
#   relay-protocol  wire types and rules: no I/O, no server, no UI
#   relay-core      the app's client library: no server and no UI; the
#                   in-process demo server only with its `demo` feature
#   relay-server    no app code and no UI
#   relay (the app) everything above, iced on top
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
forbid() { # crate, then the crates it must not pull in
    local crate=$1 features=$2; shift 2
    local tree
    tree=$(cargo tree -q -p "$crate" $features -e normal --prefix none | sed 's/ .*//' | sort -u)
    for bad in "$@"; do
        if grep -qx "$bad" <<<"$tree"; then
            echo "layering: $crate ${features:-(no features)} depends on $bad" >&2
            cargo tree -q -p "$crate" $features -e normal -i "$bad" | head -12 >&2
            status=1
        fi
    done
}
forbid relay-protocol "" tokio axum sqlx reqwest iced relay-core relay-server
forbid relay-core "--no-default-features" axum sqlx lettre relay-server iced
forbid relay-server "" iced relay-core keyring-core rusqlite
[ "$status" -eq 0 ] && echo "layering: relay-protocol < relay-core < relay; relay-server apart: ok"
exit "$status"
