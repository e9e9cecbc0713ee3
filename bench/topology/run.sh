#!/usr/bin/env bash
# The deployment of docs/scaling.md on one machine, from Debian's packages, checked under load:
#
#   primary PostgreSQL 15 --streaming--> read replica (pg_basebackup -R)
#        ^ PgBouncer 1.18, transaction pooling          ^ DATABASE_READ_URL (directory lists)
#        | DATABASE_URL (DATABASE_PREPARED_STATEMENTS=false)
#   mitroa replica 1 + mitroa replica 2  <--  haproxy (round robin, /health checks)  <--  load
#
# Run as root (it installs pgbouncer and haproxy with apt-get when missing and runs PostgreSQL and
# PgBouncer as the postgres user): npm run topology:check. Everything it starts lives in a
# temporary folder and is stopped on exit, whatever happens. TOPOLOGY_SECONDS (default 20) and
# TOPOLOGY_CONCURRENCY (default 16) shape the load.
set -euo pipefail
cd "$(dirname "$0")/../.."

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
RUN_AS=${TOPOLOGY_DB_USER:-postgres}
log() { printf '[topology] %s\n' "$*"; }

if ! command -v pgbouncer >/dev/null || ! command -v haproxy >/dev/null; then
  log "installing pgbouncer and haproxy (Debian packages)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbouncer haproxy >/dev/null
fi
[ -x "$PGBIN/initdb" ] || { log "no PostgreSQL binaries in $PGBIN (set PGBIN)"; exit 1; }
id "$RUN_AS" >/dev/null 2>&1 || { log "no user $RUN_AS to run PostgreSQL as (set TOPOLOGY_DB_USER)"; exit 1; }

WORK=$(mktemp -d /tmp/mitroa-topology.XXXXXX)
chown "$RUN_AS" "$WORK"
as_db() { runuser -u "$RUN_AS" -- "$@"; }
PIDS=()

teardown() {
  local status=$?
  trap - EXIT INT TERM
  log "tearing down"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/haproxy.pid" ] && kill "$(cat "$WORK/haproxy.pid")" 2>/dev/null || true
  [ -f "$WORK/pgbouncer.pid" ] && kill "$(cat "$WORK/pgbouncer.pid")" 2>/dev/null || true
  for node in replica primary; do
    [ -f "$WORK/$node/postmaster.pid" ] && as_db "$PGBIN/pg_ctl" -D "$WORK/$node" -m fast -w stop >/dev/null 2>&1 || true
  done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    log "failed (exit $status); last lines of each log:"
    for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 15 "$f"; }; done
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT TERM

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_http() { # url, seconds
  for _ in $(seq 1 $(($2 * 5))); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
  log "$1 did not answer within $2 s"; return 1
}

PRIMARY=$(free_port); REPLICA=$(free_port); BOUNCER=$(free_port)
SVC1=$(free_port); SVC2=$(free_port); LB=$(free_port)

JWT_SECRET=$(node -e "console.log(require('crypto').randomBytes(36).toString('base64'))")
REFERRAL_LINK_SECRET=$(node -e "console.log(require('crypto').randomBytes(36).toString('base64'))")
export JWT_SECRET REFERRAL_LINK_SECRET
log "building the service"
npm run build --silent

log "primary PostgreSQL on 127.0.0.1:$PRIMARY"
as_db "$PGBIN/initdb" -D "$WORK/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log"
cat >>"$WORK/primary/postgresql.conf" <<EOF
port = $PRIMARY
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
max_connections = 60
wal_level = replica
max_wal_senders = 4
hot_standby = on
EOF
as_db "$PGBIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w start >/dev/null
PRIMARY_URL="postgresql://postgres@127.0.0.1:$PRIMARY/mitroa"
as_db "$PGBIN/createdb" -h 127.0.0.1 -p "$PRIMARY" -U postgres mitroa

log "migrations and demo data, once, on the primary (the release step)"
DATABASE_URL=$PRIMARY_URL NODE_ENV=production node dist/src/cli.js migrate >"$WORK/migrate.log"
DATABASE_URL=$PRIMARY_URL NODE_ENV=production node dist/src/cli.js seed-demo >"$WORK/seed.log"

log "streaming read replica on 127.0.0.1:$REPLICA (pg_basebackup -R)"
as_db "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY" -U postgres -D "$WORK/replica" -R -X stream -c fast
cat >>"$WORK/replica/postgresql.conf" <<EOF
port = $REPLICA
EOF
as_db "$PGBIN/pg_ctl" -D "$WORK/replica" -l "$WORK/replica.log" -w start >/dev/null
REPLICA_URL="postgresql://postgres@127.0.0.1:$REPLICA/mitroa"
[ "$(psql -qtA "$REPLICA_URL" -c 'SELECT pg_is_in_recovery()')" = t ] || { log "the replica is not in recovery"; exit 1; }

log "PgBouncer $(pgbouncer --version | head -1 | cut -d' ' -f2) on 127.0.0.1:$BOUNCER, transaction pooling, 10 server connections"
echo '"postgres" ""' >"$WORK/userlist.txt"
cat >"$WORK/pgbouncer.ini" <<EOF
[databases]
mitroa = host=127.0.0.1 port=$PRIMARY dbname=mitroa
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER
unix_socket_dir =
auth_type = trust
auth_file = $WORK/userlist.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = 10
max_client_conn = 200
logfile = $WORK/pgbouncer.log
pidfile = $WORK/pgbouncer.pid
EOF
chown "$RUN_AS" "$WORK/pgbouncer.ini" "$WORK/userlist.txt"
as_db pgbouncer -d -q "$WORK/pgbouncer.ini"
BOUNCER_URL="postgresql://postgres@127.0.0.1:$BOUNCER/mitroa"

for port in "$SVC1" "$SVC2"; do
  log "mitroa replica on 127.0.0.1:$port (DATABASE_URL -> PgBouncer, DATABASE_READ_URL -> replica)"
  NODE_ENV=production PORT=$port DATABASE_URL=$BOUNCER_URL DATABASE_READ_URL=$REPLICA_URL \
    DATABASE_PREPARED_STATEMENTS=false DATABASE_POOL_SIZE=8 SEED_DEMO=false LOG_LEVEL=warn \
    RATE_LIMIT_POINTS_PER_MINUTE=1000000 RATE_LIMIT_API_KEY_POINTS_PER_MINUTE=1000000 DATABASE_CONNECTIONS_PER_CALLER=1000 node dist/src/main.js >"$WORK/mitroa-$port.log" 2>&1 &
  PIDS+=($!)
done
wait_http "http://127.0.0.1:$SVC1/health" 60
wait_http "http://127.0.0.1:$SVC2/health" 60

log "haproxy on 127.0.0.1:$LB, round robin over both"
cat >"$WORK/haproxy.cfg" <<EOF
global
  maxconn 500
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
frontend api
  bind 127.0.0.1:$LB
  default_backend mitroa
backend mitroa
  balance roundrobin
  option httpchk GET /health
  http-response set-header X-Served-By %s
  server mitroa-1 127.0.0.1:$SVC1 check inter 2s
  server mitroa-2 127.0.0.1:$SVC2 check inter 2s
EOF
haproxy -f "$WORK/haproxy.cfg" -D -p "$WORK/haproxy.pid"
wait_http "http://127.0.0.1:$LB/health" 20

log "mixed load through haproxy"
LB_URL="http://127.0.0.1:$LB" PRIMARY_URL=$PRIMARY_URL REPLICA_URL=$REPLICA_URL node dist/bench/topology/load.js

log "PgBouncer pools after the load (clients and server connections to the primary)"
psql -qAF ' ' -h 127.0.0.1 -p "$BOUNCER" -U postgres pgbouncer -c 'SHOW POOLS' | sed 's/^/  /' | head -3
log "PgBouncer totals"
psql -qAF ' ' -h 127.0.0.1 -p "$BOUNCER" -U postgres pgbouncer -c 'SHOW STATS' |
  awk 'NR==1 || $1=="mitroa" {print "  " $1, $2, $3, $4}'
log "server connections the primary saw from PgBouncer at the end: $(psql -qtA "$PRIMARY_URL" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = 'mitroa' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")"
log "replication: $(psql -qtA "$PRIMARY_URL" -c "SELECT application_name || ' ' || state || ', replay lag ' || coalesce(replay_lag::text, '0') FROM pg_stat_replication")"
log "5xx in the service logs: $(cat "$WORK"/mitroa-*.log | grep -c '"statusCode":5' || true)"
