#!/usr/bin/env bash
# Renders deploy/nginx.conf (the todo-chatbot site) and prints it on stdout.
#
# usage: deploy/render-nginx.sh [--standalone PREFIX_DIR] --server-name NAME
#            --https-listen ADDR [--https-listen ADDR ...] --http-listen ADDR [--http-listen ADDR ...]
#            --static-root DIR --certificate PEM --certificate-key PEM [--max-body-size 1m]
#            --upstream unix:/path/fcgi.sock|HOST:PORT [--upstream ...]
#            --password-upstream unix:/path/password.sock|HOST:PORT [--password-upstream ...] [--access-log PATH|off]
#
# Without --standalone the output is a site for /etc/nginx/sites-available/ (upstream + server blocks, to be
# included inside Debian's http {}). With --standalone PREFIX_DIR it is a complete nginx.conf for a private,
# unprivileged instance whose pid, logs and temporary files all live in PREFIX_DIR (created if missing):
#     nginx -c FILE -p PREFIX_DIR -g 'daemon off;'      stop: kill -QUIT <master pid>  (or -s quit with -c)
# --access-log applies to --standalone only (default PREFIX_DIR/access.log; `off` for benchmarks).
#
# ADDR is PORT, IPV4:PORT or [IPV6]:PORT; give --https-listen/--http-listen twice for IPv4 and IPv6.
# A single pool address (a unix socket, or one HOST:PORT) is listed twice with max_fails=0 so nginx can retry
# a request lost to a dying worker; several HOST:PORT pools are listed once each with max_fails=1
# fail_timeout=5s (see the comments in deploy/nginx.conf). --password-upstream names the same hosts' password
# lanes (FCGI_PASSWORD_LISTEN), one per pool host, rendered the same way. Each --upstream also gets its own
# loopback-only /pool/N/metrics and /pool/N/status (N = 1, 2, ... in the order given).
#
# Values are checked against strict patterns before they reach the file (no spaces, quotes, `$`, `;` or
# braces), so an argument can never add a directive. Only bash, sed and coreutils are used: a fresh Debian
# machine has no envsubst.
set -euo pipefail

deploy_dir=$(cd "$(dirname "$0")" && pwd)
template=$deploy_dir/nginx.conf
headers_snippet=$deploy_dir/nginx-security-headers.conf

die() {
    echo "render-nginx.sh: $*" >&2
    exit 2
}

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
    exit 2
}

standalone_prefix=""
server_name=""
https_listen=()
http_listen=()
static_root=""
certificate=""
certificate_key=""
max_body_size=1m
upstreams=()
password_upstreams=()
access_log=""

while [ $# -gt 0 ]; do
    option=$1
    case "$option" in
        -h | --help) usage ;;
        --standalone | --server-name | --https-listen | --http-listen | --static-root | --certificate | \
            --certificate-key | --max-body-size | --upstream | --password-upstream | --access-log)
            [ $# -ge 2 ] || die "$option needs a value"
            value=$2
            shift 2
            ;;
        *) die "unknown argument: $option (see --help)" ;;
    esac
    case "$option" in
        --standalone) standalone_prefix=$value ;;
        --server-name) server_name=$value ;;
        --https-listen) https_listen+=("$value") ;;
        --http-listen) http_listen+=("$value") ;;
        --static-root) static_root=$value ;;
        --certificate) certificate=$value ;;
        --certificate-key) certificate_key=$value ;;
        --max-body-size) max_body_size=$value ;;
        --upstream) upstreams+=("$value") ;;
        --password-upstream) password_upstreams+=("$value") ;;
        --access-log) access_log=$value ;;
    esac
done

[ -n "$server_name" ] || die "--server-name is required"
[ "${#https_listen[@]}" -gt 0 ] || die "--https-listen is required"
[ "${#http_listen[@]}" -gt 0 ] || die "--http-listen is required"
[ -n "$static_root" ] || die "--static-root is required"
[ -n "$certificate" ] || die "--certificate is required"
[ -n "$certificate_key" ] || die "--certificate-key is required"
[ "${#upstreams[@]}" -gt 0 ] || die "--upstream is required (once per pool address)"
[ "${#password_upstreams[@]}" -gt 0 ] || die "--password-upstream is required (once per pool host: its FCGI_PASSWORD_LISTEN)"
[ -z "$access_log" ] || [ -n "$standalone_prefix" ] || die "--access-log only applies with --standalone"

# --- Validation ------------------------------------------------------------------------------------------

readonly path_pattern='^/[A-Za-z0-9._/@+=,:~-]*$'
readonly ipv4_pattern='[0-9]{1,3}(\.[0-9]{1,3}){3}'
readonly ipv6_pattern='\[[0-9A-Fa-f:.]+\]'
readonly hostname_pattern='[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*'

# Prints PATH made absolute (relative paths would be resolved against nginx's prefix, not the caller's
# directory) after checking that nginx can take it unquoted.
absolute_path() {
    local name=$1 path=$2
    path=$(realpath -m -- "$path")
    [[ $path =~ $path_pattern ]] || die "$name must be a path of letters, digits and ._/@+=,:~- only: $path"
    printf '%s' "$path"
}

check_port() {
    local name=$1 port=$2
    [[ $port =~ ^[0-9]{1,5}$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "$name: invalid port $port"
}

# listen ADDR: PORT, IPV4:PORT or [IPV6]:PORT.
check_listen() {
    local name=$1 address=$2
    if [[ $address =~ ^[0-9]+$ ]]; then
        check_port "$name" "$address"
    elif [[ $address =~ ^($ipv4_pattern|$ipv6_pattern):([0-9]+)$ ]]; then
        check_port "$name" "${address##*:}"
    else
        die "$name must be PORT, IPV4:PORT or [IPV6]:PORT: $address"
    fi
}

for name in $server_name; do
    [[ $name == _ || $name =~ ^(\*\.)?$hostname_pattern$ ]] || die "--server-name: invalid name: $name"
done
server_name=$(printf '%s' "$server_name" | tr -s ' ')
[[ $server_name =~ ^[^[:space:]]+( [^[:space:]]+)*$ ]] || die "--server-name: names are separated by one space"
for address in "${https_listen[@]}"; do check_listen --https-listen "$address"; done
for address in "${http_listen[@]}"; do check_listen --http-listen "$address"; done
[[ $max_body_size =~ ^[0-9]+[kKmMgG]?$ ]] || die "--max-body-size must be a size such as 1m, 512k or 1048576"
static_root=$(absolute_path --static-root "$static_root")
certificate=$(absolute_path --certificate "$certificate")
certificate_key=$(absolute_path --certificate-key "$certificate_key")
[ -d "$static_root" ] || echo "render-nginx.sh: warning: $static_root does not exist (yet)" >&2
if [ -n "$standalone_prefix" ]; then
    standalone_prefix=$(absolute_path --standalone "$standalone_prefix")
    if [ -z "$access_log" ]; then
        access_log=$standalone_prefix/access.log
    elif [ "$access_log" != off ]; then
        access_log=$(absolute_path --access-log "$access_log")
    fi
fi

# The redirect from plain HTTP names the HTTPS port unless it is 443 (e.g. :8443 for a local instance).
first_https_port=${https_listen[0]##*:}
https_port_suffix=""
[ "$first_https_port" = 443 ] || https_port_suffix=":$first_https_port"

# --- Upstream lines --------------------------------------------------------------------------------------

# Prints the server lines of one upstream block, one per line, for the addresses given.
upstream_server_lines() {
    local option=$1 upstream socket_path
    shift
    for upstream in "$@"; do
        if [[ $upstream == unix:* ]]; then
            socket_path=${upstream#unix:}
            [[ $socket_path =~ $path_pattern ]] || die "$option: the socket must be an absolute path: $upstream"
            # sockaddr_un.sun_path holds 108 bytes, NUL included.
            [ "${#socket_path}" -le 107 ] || die "$option: socket path longer than 107 bytes: $socket_path"
        elif [[ $upstream =~ ^($ipv4_pattern|$ipv6_pattern|$hostname_pattern):([0-9]+)$ ]]; then
            check_port "$option" "${upstream##*:}"
        else
            die "$option must be unix:/absolute/path or HOST:PORT: $upstream"
        fi
    done
    for upstream in "$@"; do
        if [[ $upstream == unix:* ]] || [ "$#" -eq 1 ]; then
            # One pool address: listed twice so a request lost to a dying worker has a second attempt
            # (max_fails/fail_timeout are ignored for a lone server anyway, and max_fails=0 keeps nginx from
            # ever marking the pool down).
            printf '%s\n' "server $upstream max_fails=0;" "server $upstream max_fails=0;"
        else
            # One of several hosts: a host that fails is skipped for 5 s; its requests are retried on another.
            printf '%s\n' "server $upstream max_fails=1 fail_timeout=5s;"
        fi
    done
}

upstream_lines=$(upstream_server_lines --upstream "${upstreams[@]}")
password_upstream_lines=$(upstream_server_lines --password-upstream "${password_upstreams[@]}")

# --- Rendering -------------------------------------------------------------------------------------------

# Escapes a value for the replacement side of a sed s|||: backslash, & and the | delimiter.
sed_replacement() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }

# The template without its leading comment block (it documents the tokens) and with the multi-line markers
# expanded; the single-value tokens are left for sed.
expand_markers() {
    local line indent in_header=yes address servers server per_host=no per_host_lines=() index host_line
    while IFS= read -r line || [ -n "$line" ]; do
        if [ "$in_header" = yes ]; then
            [[ $line == \#* ]] && continue
            in_header=no
            [ -z "$line" ] && continue
        fi
        if [[ $line =~ ^[[:space:]]*@@PER_POOL_HOST@@[[:space:]]*$ ]]; then
            per_host=yes
            per_host_lines=()
        elif [[ $line =~ ^[[:space:]]*@@END_PER_POOL_HOST@@[[:space:]]*$ ]]; then
            per_host=no
            index=0
            for address in "${upstreams[@]}"; do
                index=$((index + 1))
                for host_line in "${per_host_lines[@]}"; do
                    host_line=${host_line//@@POOL_HOST_INDEX@@/$index}
                    printf '%s\n' "${host_line//@@POOL_HOST_ADDRESS@@/"$address"}"
                done
            done
        elif [ "$per_host" = yes ]; then
            per_host_lines+=("$line")
        elif [[ $line =~ ^([[:space:]]*)@@SECURITY_HEADERS@@[[:space:]]*$ ]]; then
            indent=${BASH_REMATCH[1]}
            while IFS= read -r header || [ -n "$header" ]; do
                [[ $header =~ ^[[:space:]]*(#|$) ]] && continue
                printf '%s%s\n' "$indent" "$header"
            done <"$headers_snippet"
        elif [[ $line =~ ^([[:space:]]*)@@(PASSWORD_)?UPSTREAM_SERVERS@@[[:space:]]*$ ]]; then
            indent=${BASH_REMATCH[1]}
            if [ -n "${BASH_REMATCH[2]}" ]; then servers=$password_upstream_lines; else servers=$upstream_lines; fi
            while IFS= read -r server; do printf '%s%s\n' "$indent" "$server"; done <<<"$servers"
        elif [[ $line == *@@HTTPS_LISTEN@@* ]]; then
            for address in "${https_listen[@]}"; do printf '%s\n' "${line/@@HTTPS_LISTEN@@/"$address"}"; done
        elif [[ $line == *@@HTTP_LISTEN@@* ]]; then
            for address in "${http_listen[@]}"; do printf '%s\n' "${line/@@HTTP_LISTEN@@/"$address"}"; done
        else
            printf '%s\n' "$line"
        fi
    done <"$template"
}

render_site() {
    echo "# todo-chatbot site, rendered by deploy/render-nginx.sh from deploy/nginx.conf and"
    echo "# deploy/nginx-security-headers.conf: change those and render again rather than editing this file."
    echo
    expand_markers | sed \
        -e "s|@@SERVER_NAME@@|$(sed_replacement "$server_name")|g" \
        -e "s|@@HTTPS_PORT_SUFFIX@@|$(sed_replacement "$https_port_suffix")|g" \
        -e "s|@@STATIC_ROOT@@|$(sed_replacement "$static_root")|g" \
        -e "s|@@TLS_CERTIFICATE@@|$(sed_replacement "$certificate")|g" \
        -e "s|@@TLS_CERTIFICATE_KEY@@|$(sed_replacement "$certificate_key")|g" \
        -e "s|@@MAX_BODY_SIZE@@|$(sed_replacement "$max_body_size")|g"
}

render_standalone() {
    local prefix=$standalone_prefix
    mkdir -p "$prefix"
    cat <<EOF
# A complete nginx.conf for a private todo-chatbot instance (./run, the end-to-end tests, bench/run),
# rendered by deploy/render-nginx.sh --standalone: pid, logs and temporary files live in $prefix.
#   start: nginx -c THIS_FILE -p $prefix -g 'daemon off;'
#   stop:  kill -QUIT <master pid>      reload: kill -HUP <master pid>
EOF
    if [ "$(id -u)" -eq 0 ]; then
        cat <<'EOF'
# Rendered as root: without a `user` directive a root master runs its workers as `nobody`, who cannot reach
# a pool socket or static files under a private (0700) checkout or temporary folder. This instance listens
# on the addresses given to the renderer (loopback for ./run, the tests and the bench) and exists only while
# they run; the production site runs under Debian's nginx as www-data instead (deploy/README.md).
user root;
EOF
    fi
    cat <<EOF
worker_processes auto;
# Each client connection may hold an upstream connection too: room for both (4096 connections per worker, 8192 descriptors).
worker_rlimit_nofile 8192;
pid $prefix/nginx.pid;
error_log $prefix/error.log warn;

events {
    worker_connections 4096;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;

    # Debian's compiled-in temporary paths are under /var/lib/nginx, which only root may write.
    client_body_temp_path $prefix/client_body_temp;
    fastcgi_temp_path $prefix/fastcgi_temp;
    proxy_temp_path $prefix/proxy_temp;
    uwsgi_temp_path $prefix/uwsgi_temp;
    scgi_temp_path $prefix/scgi_temp;

    # \$request_id is what the pool logs as request_id: one grep joins the two logs.
    log_format todo_chatbot '\$remote_addr [\$time_iso8601] "\$request" \$status \$body_bytes_sent '
                            'request_time=\$request_time upstream_time=\$upstream_response_time '
                            'upstream=\$upstream_addr request_id=\$request_id';
EOF
    if [ "$access_log" = off ]; then
        echo "    access_log off;"
    else
        echo "    access_log $access_log todo_chatbot buffer=64k flush=1s;"
    fi
    echo
    render_site | sed -e 's/^\(.\)/    \1/'
    echo "}"
}

if [ -n "$standalone_prefix" ]; then
    output=$(render_standalone)
else
    output=$(render_site)
fi
if [[ $output == *@@* ]]; then
    die "internal error: a token was left unrendered: $(printf '%s\n' "$output" | grep -m1 -o '@@[A-Z_]*@@')"
fi
printf '%s\n' "$output"
