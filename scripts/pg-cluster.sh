#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the chain-books tests: TLS on (a certificate
# authority made for it), password logins over TLS only, on a loopback port, run as a
# non-root user (postgres when this runs as root).
#
#   scripts/pg-cluster.sh start DIR [PORT]   makes and starts it; writes DIR/env
#   scripts/pg-cluster.sh stop DIR           stops it (fast)
#   scripts/pg-cluster.sh restart-stopped DIR   starts a stopped one again
#   scripts/pg-cluster.sh remove DIR         stops it and removes DIR
#
# DIR/env holds AIRTILL_TEST_PG_ADMIN_URL (no password in it), AIRTILL_TEST_PG_PASSWORD,
# AIRTILL_TEST_PG_CA and AIRTILL_TEST_PG_DIR for the tests.
set -euo pipefail
cmd=${1:?start, stop, restart-stopped or remove}
dir=${2:?the cluster folder}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL's server is not installed (apt install postgresql)"; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    port=${3:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    # The authority and the server's certificate (for localhost and 127.0.0.1).
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Airtill test CA" \
      -keyout "$dir/ca.key" -out "$dir/ca.pem" >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$dir/san.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
      -extfile "$dir/san.ext" -out "$dir/server.pem" >/dev/null 2>&1
    # Another authority, whose certificates no test trusts.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Someone else" \
      -keyout "$dir/other-ca.key" -out "$dir/other-ca.pem" >/dev/null 2>&1
    printf '%s' "$password" > "$dir/pwfile"
    chmod 600 "$dir/server.key" "$dir/pwfile"
    [ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A scram-sha-256 --pwfile="$dir/pwfile" -E UTF8 --locale=C >"$dir/initdb.log" 2>&1
    cat > "$dir/data/pg_hba.conf" <<HBA
# The tests' cluster: the owner over its socket; everyone else over TLS with a password.
local   all   postgres                 peer
hostssl all   all       127.0.0.1/32   scram-sha-256
hostssl all   all       ::1/128        scram-sha-256
host    all   all       127.0.0.1/32   reject
host    all   all       ::1/128        reject
HBA
    cat >> "$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
ssl = on
ssl_cert_file = '$dir/server.pem'
ssl_key_file = '$dir/server.key'
max_connections = 200
fsync = on
CONF
    [ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null
    {
      echo "AIRTILL_TEST_PG_ADMIN_URL=postgres://postgres@localhost:$port/postgres"
      echo "AIRTILL_TEST_PG_PASSWORD=$password"
      echo "AIRTILL_TEST_PG_CA=$dir/ca.pem"
      echo "AIRTILL_TEST_PG_OTHER_CA=$dir/other-ca.pem"
      echo "AIRTILL_TEST_PG_DIR=$dir"
    } > "$dir/env"
    chmod 644 "$dir/env"
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') up on 127.0.0.1:$port (TLS) in $dir"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  restart-stopped)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null
    ;;
  remove)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "start, stop, restart-stopped or remove"; exit 2 ;;
esac
