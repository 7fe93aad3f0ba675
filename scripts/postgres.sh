#!/usr/bin/env bash
# Runs a private PostgreSQL 15 cluster for ./run, ./test, the end-to-end tests and the bench.
#
# usage: scripts/postgres.sh start DATA_DIR PORT    prints the URL of its `postgres` database, nothing else
#        scripts/postgres.sh stop DATA_DIR          fast shutdown; fine if it is not running
#        scripts/postgres.sh restart DATA_DIR       stop, then start on the port it last used
#        scripts/postgres.sh createdb URL NAME      creates database NAME if missing, prints its URL
#        scripts/postgres.sh socket-url DATA_DIR NAME
#                                                   prints the URL of database NAME through the running
#                                                   cluster's unix socket
#
# DATA_DIR holds cluster/ (the data directory), socket/, postgres.log and port. The cluster listens on
# 127.0.0.1:PORT and on a unix socket only; Debian's own cluster (15/main, port 5432) and the system services
# are never touched. PG_FAST_UNSAFE=1 turns fsync off: for tests only, a crash can then corrupt the cluster.
set -euo pipefail

readonly bin=/usr/lib/postgresql/15/bin
readonly fallback_root=/var/tmp/todo-chatbot-pg

say() { echo "postgres.sh: $*" >&2; }
die() {
    say "$*"
    exit 1
}
usage() {
    die "usage: $0 start DATA_DIR PORT | stop DATA_DIR | restart DATA_DIR | createdb URL NAME | socket-url DATA_DIR NAME"
}

# PostgreSQL refuses to run as root: as root the cluster belongs to, and runs as, the `postgres` OS user.
if [ "$(id -u)" -eq 0 ]; then
    readonly cluster_user=postgres
    # From / so the postgres user is not left in a working directory it may not enter (e.g. /root/...).
    as_cluster_user() { (cd / && runuser -u postgres -- "$@"); }
else
    cluster_user=$(id -un)
    readonly cluster_user
    as_cluster_user() { "$@"; }
fi

install_postgresql() {
    [ -x "$bin/initdb" ] && return
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL 15 is missing and only root can install it: apt-get install postgresql-15"
    say "installing PostgreSQL 15 (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    # policy-rc.d stops the package from starting Debian's own cluster service; removed again on the way out.
    local policy=/usr/sbin/policy-rc.d
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    # A fresh machine has empty package lists; update only then, or when the install fails on stale ones.
    if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null ||
        ! apt-get install -y -qq --no-install-recommends postgresql-15 postgresql-client-15 >&2; then
        apt-get update -qq >&2
        apt-get install -y -qq --no-install-recommends postgresql-15 postgresql-client-15 >&2
    fi
}

# Sets `data_dir` to where the files really live. As root that directory must be reachable by the postgres
# user; when a parent is closed to it (a checkout under /root, mode 700), the files go to a directory under
# $fallback_root named by a hash of DATA_DIR, and DATA_DIR becomes a link to it.
resolve_data_dir() {
    local requested=$1
    if [ -L "$requested" ] || [ "$(id -u)" -ne 0 ]; then
        mkdir -p "$requested"
        data_dir=$(realpath "$requested")
        return
    fi
    local absolute parent
    absolute=$(realpath -m "$requested")
    parent=$(dirname "$absolute")
    mkdir -p "$parent"
    if as_cluster_user test -x "$parent"; then
        mkdir -p "$absolute"
        data_dir=$absolute
        return
    fi
    mkdir -p "$fallback_root"
    chmod 755 "$fallback_root"
    data_dir=$fallback_root/$(printf '%s' "$absolute" | sha256sum | cut -c1-16)
    mkdir -p "$data_dir"
    if [ -d "$absolute" ]; then
        rmdir "$absolute" 2>/dev/null || die "$absolute is not empty and the postgres user cannot reach it"
    fi
    ln -s "$data_dir" "$absolute"
    say "the postgres user cannot reach $parent: the cluster lives in $data_dir ($absolute links to it)"
}

# Unix socket paths must fit sockaddr_un.sun_path (108 bytes with the NUL), "/.s.PGSQL.PORT" included;
# this keeps them under 107.
socket_dir_for() {
    local port=$1 directory=$data_dir/socket
    if [ $((${#directory} + ${#port} + 11)) -gt 107 ]; then
        directory=/tmp/todo-chatbot-pg-$(printf '%s' "$data_dir" | sha256sum | cut -c1-12)
        say "$data_dir is too long for a unix socket path: the socket lives in $directory"
    fi
    mkdir -p "$directory"
    chown "$cluster_user" "$directory"
    chmod 700 "$directory"
    printf '%s' "$directory"
}

is_running() {
    [ -f "$data_dir/cluster/PG_VERSION" ] && as_cluster_user "$bin/pg_ctl" status -D "$data_dir/cluster" >/dev/null 2>&1
}

url_for_port() { printf 'postgresql://postgres@127.0.0.1:%s/postgres\n' "$1"; }

initialise_cluster() {
    [ -f "$data_dir/cluster/PG_VERSION" ] && return
    # initdb wants an empty or missing directory: clear what a failed earlier attempt left.
    rm -rf "$data_dir/cluster"
    local sync_option=()
    if [ "${PG_FAST_UNSAFE:-0}" = 1 ]; then sync_option=(--no-sync); fi
    if ! as_cluster_user "$bin/initdb" -D "$data_dir/cluster" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth=trust "${sync_option[@]}" >"$data_dir/initdb.log" 2>&1; then
        cat "$data_dir/initdb.log" >&2
        die "initdb failed"
    fi
    # Trust, without passwords, is acceptable only because the server listens on loopback and on a socket in a
    # directory only its owner can enter: any local user may connect over 127.0.0.1 as superuser. These
    # clusters hold development and test data; production uses a real cluster with passwords.
    cat >"$data_dir/cluster/pg_hba.conf" <<'EOF'
local all all trust
host all all 127.0.0.1/32 trust
EOF
    cat >>"$data_dir/cluster/postgresql.conf" <<'EOF'

# scripts/postgres.sh: loopback only; the port, socket directory and fsync are given at start.
listen_addresses = '127.0.0.1'
max_connections = 200
logging_collector = off
EOF
}

start() {
    local port=$1
    [[ $port =~ ^[0-9]+$ ]] && [ "$port" -ge 1024 ] && [ "$port" -le 65535 ] || die "invalid port: $port"
    [ "$port" -ne 5432 ] || die "port 5432 belongs to Debian's own cluster; choose another"
    install_postgresql
    if [ "$(id -u)" -eq 0 ]; then chown "$cluster_user" "$data_dir"; fi
    chmod 700 "$data_dir"
    if is_running; then
        local running_port
        running_port=$(cat "$data_dir/port" 2>/dev/null || true)
        [ "$running_port" = "$port" ] || die "the cluster in $data_dir already runs on port $running_port, not $port"
        url_for_port "$port"
        return
    fi
    initialise_cluster
    local socket_dir fast_options=""
    socket_dir=$(socket_dir_for "$port")
    [[ $socket_dir != *"'"* ]] || die "the socket directory must not contain a quote: $socket_dir"
    if [ "${PG_FAST_UNSAFE:-0}" = 1 ]; then
        fast_options="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    echo "$port" >"$data_dir/port"
    touch "$data_dir/postgres.log"
    if [ "$(id -u)" -eq 0 ]; then chown "$cluster_user" "$data_dir/postgres.log" "$data_dir/port"; fi
    if ! as_cluster_user "$bin/pg_ctl" start -D "$data_dir/cluster" -l "$data_dir/postgres.log" -w -t 60 \
        -o "-p $port -k '$socket_dir' $fast_options" >&2; then
        tail -n 20 "$data_dir/postgres.log" >&2 || true
        die "PostgreSQL did not start; see $data_dir/postgres.log"
    fi
    # pg_ctl -w waits for the postmaster; this also proves TCP on the advertised address accepts connections.
    local attempt
    for attempt in $(seq 1 100); do
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres && break
        [ "$attempt" -lt 100 ] || die "PostgreSQL started but does not accept connections on 127.0.0.1:$port"
        sleep 0.1
    done
    url_for_port "$port"
}

stop() {
    [ -d "$data_dir/cluster" ] || return 0
    if is_running; then
        as_cluster_user "$bin/pg_ctl" stop -D "$data_dir/cluster" -m fast -w -t 60 >&2
    fi
}

create_database() {
    local url=$1 name=$2
    # psql quotes NAME itself (:'name' as a literal, format('%I') as an identifier).
    psql "$url" -X -q -v ON_ERROR_STOP=1 -v name="$name" >&2 <<'EOF'
SELECT format('CREATE DATABASE %I', :'name') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name')
\gexec
EOF
    # Same server and credentials, another database: replace the path, keep any ?parameters.
    local base=${url%%\?*} query=""
    [ "$base" = "$url" ] || query="?${url#*\?}"
    printf '%s/%s%s\n' "${base%/*}" "$name" "$query"
}

# The same server through its unix socket, as a pool on the same host should connect: a query's round trip
# measured 55–60 µs against 66 µs over loopback TCP, whose receive path runs in the sender's softirq
# (bench/README.md). postmaster.pid names the socket folder (line 5) and port (line 4), wherever start put them.
socket_url() {
    local name=$1 pid_file=$data_dir/cluster/postmaster.pid directory port
    is_running || die "the cluster in $data_dir is not running"
    directory=$(sed -n 5p "$pid_file")
    port=$(sed -n 4p "$pid_file")
    [ -S "$directory/.s.PGSQL.$port" ] || die "no PostgreSQL socket in $directory"
    printf 'postgresql://postgres@/%s?host=%s&port=%s\n' "$name" "$directory" "$port"
}

[ $# -ge 2 ] || usage
command=$1
case "$command" in
    start)
        [ $# -eq 3 ] || usage
        resolve_data_dir "$2"
        start "$3"
        ;;
    stop)
        [ $# -eq 2 ] || usage
        [ -e "$2" ] || exit 0
        data_dir=$(realpath "$2")
        stop
        ;;
    restart)
        [ $# -eq 2 ] || usage
        [ -e "$2" ] || die "$2 does not exist; use start"
        data_dir=$(realpath "$2")
        port=$(cat "$data_dir/port" 2>/dev/null) || die "no port recorded in $2; use start"
        stop
        start "$port"
        ;;
    createdb)
        [ $# -eq 3 ] || usage
        [[ $2 == postgres://* || $2 == postgresql://* ]] || die "createdb needs a postgresql:// URL"
        # Plain names only, so the printed URL needs no percent-encoding.
        [[ $3 =~ ^[A-Za-z0-9_-]+$ ]] || die "database names here are letters, digits, _ and - only: $3"
        create_database "$2" "$3"
        ;;
    socket-url)
        [ $# -eq 3 ] || usage
        [ -e "$2" ] || die "$2 does not exist; use start"
        data_dir=$(realpath "$2")
        [[ $3 =~ ^[A-Za-z0-9_-]+$ ]] || die "database names here are letters, digits, _ and - only: $3"
        socket_url "$3"
        ;;
    *) usage ;;
esac
