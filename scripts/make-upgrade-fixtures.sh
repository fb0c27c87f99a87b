#!/usr/bin/env bash
# Makes the databases of crates/server/tests/fixtures/ with a relay-server
# binary of an earlier release, so that crates/server/tests/upgrade.rs can
# check that this release upgrades them in place with nothing lost.
#
#   scripts/make-upgrade-fixtures.sh RELAY_SERVER_BINARY NAME [POSTGRES_ADMIN_URL]
#   RELAY_SYNC=RELAY_SYNC_BINARY scripts/make-upgrade-fixtures.sh …
#
# With RELAY_SYNC (that release's relay-sync) it also writes the app's
# local store of alice, synced from that release's demo server, to
# crates/core/tests/fixtures/NAME-store/ (for crates/core/tests/store_upgrade.rs).
#
# It writes NAME.sqlite and NAME.pg.sql (a pg_dump) holding the demo
# organisation (a few customers), alice with two-step sign-in on (secret
# JBSWY3DPEHPK3PXP, recovery codes in NAME.BACKEND.recovery.txt), a changed
# password for wangli, sessions and security events.
set -euo pipefail
BIN=$1 NAME=$2 PG=${3:-postgres://postgres@127.0.0.1:5432/postgres}
OUT="$(cd "$(dirname "$0")/.." && pwd)/crates/server/tests/fixtures"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
PASSWORD='Harbor-Lantern-47!'
SECRET=JBSWY3DPEHPK3PXP

totp() { python3 -c '
import hmac,hashlib,struct,time,base64,sys
k=base64.b32decode(sys.argv[1]); t=int(time.time())//30
h=hmac.new(k,struct.pack(">Q",t),hashlib.sha1).digest(); o=h[19]&15
print("%06d"%((struct.unpack(">I",h[o:o+4])[0]&0x7fffffff)%1000000))' "$SECRET"; }

fill() {   # $1 = extra args for the database
    "$BIN" demo --data-dir "$WORK/data" --customers 5 $1 >/dev/null
    "$BIN" serve --data-dir "$WORK/data" --listen 127.0.0.1:18491 --delivery outbox $1 >"$WORK/serve.log" 2>&1 &
    for _ in $(seq 50); do curl -sf localhost:18491/healthz >/dev/null && break; sleep 0.2; done
    local api=localhost:18491/api/v1 t
    t=$(curl -s $api/auth/login -d "{\"login\":\"alice\",\"password\":\"$PASSWORD\",\"device_name\":\"fixture\"}" | jq -r .access_token)
    curl -s $api/me/mfa/totp/setup -X POST -H "Authorization: Bearer $t" >/dev/null
    # The old release kept the secret in the clear: put a known one in.
    case "$1" in
        *postgres*) psql "${1#--database-url }" -qc "UPDATE users SET totp_pending_secret = '$SECRET' WHERE login = 'alice'" ;;
        *) python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE users SET totp_pending_secret='$SECRET' WHERE login='alice'\"); c.commit()" "$WORK/data/relay.db" ;;
    esac
    curl -s $api/me/mfa/totp/enable -H "Authorization: Bearer $t" -d "{\"code\":\"$(totp)\"}" | jq -r '.recovery_codes[]' >"$OUT/$NAME.$2.recovery.txt"
    local w
    w=$(curl -s $api/auth/login -d "{\"login\":\"wangli\",\"password\":\"$PASSWORD\"}" | jq -r .access_token)
    local id
    id=$(curl -s $api/me/password/change -H "Authorization: Bearer $w" \
        -d "{\"current_password\":\"$PASSWORD\",\"new_password\":\"Lotus-Bridge-58!\",\"channel\":\"email\"}" | jq -r .challenge_id)
    sleep 1
    local code
    code=$(grep password_change_code "$WORK/data/outbox.jsonl" | tail -n1 | jq -r .code)
    curl -s $api/me/password/change/$id/confirm -H "Authorization: Bearer $w" -d "{\"code\":\"$code\"}" >/dev/null
    kill %1; wait %1 2>/dev/null || true
}

fill "" sqlite
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.execute('VACUUM')" "$WORK/data/relay.db"
cp "$WORK/data/relay.db" "$OUT/$NAME.sqlite"

if [ -n "${RELAY_SYNC:-}" ]; then
    rm -rf "$WORK/data" "$WORK/app"
    "$BIN" demo --data-dir "$WORK/data" --customers 5 >/dev/null
    "$BIN" serve --data-dir "$WORK/data" --listen 127.0.0.1:18491 --delivery outbox >"$WORK/serve.log" 2>&1 &
    for _ in $(seq 50); do curl -sf localhost:18491/healthz >/dev/null && break; sleep 0.2; done
    echo -n "$PASSWORD" | "$RELAY_SYNC" --server http://127.0.0.1:18491 --login alice --data-dir "$WORK/app"
    kill %1; wait %1 2>/dev/null || true
    STORE="$(dirname "$OUT")/../../core/tests/fixtures/$NAME-store"
    mkdir -p "$STORE"
    cp "$(find "$WORK/app" -name crm.db)" "$(find "$WORK/app" -name store-key.json)" "$STORE/"
fi

DB=relay_fixture_$$
psql "$PG" -qc "CREATE DATABASE $DB"
rm -rf "$WORK/data"
fill "--database-url ${PG%/*}/$DB" pg
pg_dump --no-owner --no-privileges "${PG%/*}/$DB" >"$OUT/$NAME.pg.sql"
psql "$PG" -qc "DROP DATABASE $DB"
ls -l "$OUT"
