#!/usr/bin/env bash
# Fuzzes the real server against its own OpenAPI document with schemathesis
# (PyPI): a fresh SQLite server, an authenticated user, a bounded number of
# examples per operation. Fails on any server error (5xx) and on any answer
# the document does not describe.
#
#   scripts/schemathesis.sh RELAY_SERVER_BINARY [ST_COMMAND]
set -euo pipefail
BIN=$1
ST=${2:-st}
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
cat >"$WORK/relay.toml" <<'TOML'
[security]
argon2_memory_kib = 4096
argon2_iterations = 1
login_per_ip_per_minute = 100000
reset_per_ip_per_minute = 100000
resend_per_ip_per_minute = 100000
change_per_user_per_minute = 100000
code_failures_per_hour = 100000
lockout_threshold = 100000
TOML
PASSWORD='Tq7#mV2!pLx9'
printf '%s\n' "$PASSWORD" | "$BIN" user add --data-dir "$WORK" --config "$WORK/relay.toml" \
    --login fuzz --email fuzz@example.com --display-name Fuzz --password-stdin >/dev/null
"$BIN" serve --data-dir "$WORK" --config "$WORK/relay.toml" --delivery outbox \
    --listen 127.0.0.1:0 >"$WORK/out" 2>"$WORK/err" &
SERVER=$!
for _ in $(seq 100); do grep -q "listening on" "$WORK/out" 2>/dev/null && break; sleep 0.1; done
ADDR=$(sed -n 's/^listening on //p' "$WORK/out")
TOKEN=$(python3 -c '
import json,sys,urllib.request
req=urllib.request.Request("http://%s/api/v1/auth/login" % sys.argv[1],
    data=json.dumps({"login":"fuzz","password":sys.argv[2]}).encode(), headers={"Content-Type":"application/json"})
print(json.load(urllib.request.urlopen(req))["access_token"])' "$ADDR" "$PASSWORD")
# Signing out or ending sessions would take the fuzzer's own token away.
# $ST may be "python -m schemathesis.cli": split on purpose.
# shellcheck disable=SC2086
$ST run "http://$ADDR/api/v1/openapi.json" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance \
    --exclude-path /api/v1/auth/logout \
    --exclude-path-regex '/api/v1/me/sessions.*' \
    --exclude-path /api/v1/me/mfa/disable \
    --phases examples,coverage,fuzzing \
    --max-examples "${ST_MAX_EXAMPLES:-25}" \
    --max-time "${ST_MAX_TIME:-240}" \
    --no-color
