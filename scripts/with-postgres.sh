#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster.
#
#   scripts/with-postgres.sh <command...>   run <command> with the cluster up
#   scripts/with-postgres.sh                 no command: open "$SHELL" (interactive use)
#
# The cluster lives in a fresh `mktemp -d` directory, listens on a free TCP
# port on 127.0.0.1 only (its unix socket is inside the temp dir, so it never
# touches /var/run/postgresql), and has an empty database `alloy_test`. The
# command runs as the invoking user with
#   ALLOY_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:<port>/alloy_test
# plus PGHOST/PGPORT/PGUSER/PGDATABASE pointing at the same place, so a bare
# `psql` works in the interactive shell. Auth is `trust`: local throwaway only.
#
# When the command exits (or the script gets INT/TERM/HUP), the cluster is
# stopped and the temp dir removed; the script exits with the command's status.
# A TERM/HUP sent to this script is forwarded to the command; INT is not,
# because Ctrl-C in a terminal already reaches the whole foreground process
# group (and an interactive shell rightly ignores it).
#
# Note: quote variables for the inner command, e.g.
#   scripts/with-postgres.sh bash -c 'psql "$ALLOY_TEST_DATABASE_URL"'
# otherwise your own shell expands $ALLOY_TEST_DATABASE_URL before it exists.
#
# Needs: PostgreSQL server binaries (Debian: apt-get install postgresql) and
# node (only to pick a free port). As root (e.g. CI), the server runs as the
# `postgres` system user, because PostgreSQL refuses to run as root.
set -euo pipefail

me=with-postgres
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }

# --- locate the server binaries ------------------------------------------------
# pg_config can come from libpq-dev alone (bindir=/usr/bin without initdb), so
# only trust it when initdb is really there; otherwise take the newest Debian
# versioned install.
find_bindir() {
  local dir
  if command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      printf '%s\n' "$dir"
      return 0
    fi
  fi
  dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
    printf '%s\n' "$dir"
    return 0
  fi
  return 1
}
bindir=$(find_bindir) ||
  die "no PostgreSQL server binaries found (looked at \`pg_config --bindir\` and /usr/lib/postgresql/*/bin). Install them, e.g. \`apt-get install postgresql\`."
command -v node >/dev/null 2>&1 || die "node is required (used to pick a free TCP port)"

# --- run server-side tools as a non-root user ------------------------------------
# initdb/postgres refuse to run as root, so as root everything server-side runs
# as `postgres`; as a normal user we simply run them directly.
if [ "$(id -u)" -eq 0 ]; then
  if ! id -u postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  # cd into the temp dir first: postgres may not be allowed to read root's cwd.
  as_pg() { (cd "$tmp" && runuser -u postgres -- "$@"); }
else
  as_pg() { "$@"; }
fi

tmp=""
data=""
started=""
child=""

# Stop the cluster and delete everything, whatever path we leave by (normal
# exit, `set -e` failure, or signal); keep the exit status we were leaving with.
# shellcheck disable=SC2317  # only reached via trap; shellcheck can't see that
cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  if [ -n "$started" ]; then
    as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 ||
      printf '%s: warning: pg_ctl stop failed (server already gone?)\n' "$me" >&2
  fi
  if [ -n "$tmp" ]; then
    rm -rf -- "$tmp"
  fi
  exit "$status"
}

# While the command runs, pass TERM/HUP on and keep waiting so its own exit
# status is what we return; during setup, just bail out (EXIT trap cleans up).
# shellcheck disable=SC2317  # only reached via trap
on_signal() {
  local sig=$1 code=$2
  if [ -n "$child" ]; then
    if [ "$sig" != INT ]; then
      kill -s "$sig" "$child" 2>/dev/null || true
    fi
    return 0
  fi
  exit "$code"
}

trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

tmp=$(mktemp -d "${TMPDIR:-/tmp}/with-postgres.XXXXXXXX")
data="$tmp/data"
sockdir="$tmp/sock"
log="$tmp/postgres.log"
mkdir "$sockdir"
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres: "$tmp"
fi

# --no-sync only skips fsync while initdb writes the template files (they are
# throwaway); the running server keeps the default fsync=on so tests exercise
# the same durability settings as production.
as_pg "$bindir/initdb" -D "$data" -A trust -U postgres --encoding=UTF8 --locale=C \
  --no-sync >"$tmp/initdb.log" 2>&1 || {
  cat "$tmp/initdb.log" >&2
  die "initdb failed"
}

{
  echo "# added by scripts/with-postgres.sh"
  echo "listen_addresses = '127.0.0.1'"
  echo "unix_socket_directories = '$sockdir'"
  echo "max_connections = 200"
} >>"$data/postgresql.conf"

# Ask the kernel for a free port (listen on 0). Another process could grab it
# before postgres binds, e.g. a parallel run of this script, so retry a few
# times with a new port when the server fails to start.
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

port=""
for attempt in 1 2 3 4 5; do
  port=$(free_port)
  # Fresh log per attempt, so the bind-error check below only sees this try.
  rm -f -- "$log"
  if as_pg "$bindir/pg_ctl" -D "$data" -l "$log" -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
    started=1
    break
  fi
  if [ "$attempt" -lt 5 ] && grep -q 'could not bind\|Address already in use' "$log" 2>/dev/null; then
    continue
  fi
  printf '%s: PostgreSQL failed to start; last lines of %s:\n' "$me" "$log" >&2
  tail -n 30 "$log" >&2 2>/dev/null || true
  die "pg_ctl start failed"
done
[ -n "$started" ] || die "pg_ctl start failed"

"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres alloy_test

export ALLOY_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/alloy_test"
export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres PGDATABASE=alloy_test

version=$("$bindir/postgres" --version)
# stderr, so the command's stdout stays clean for pipes.
printf '%s: %s on 127.0.0.1:%s (data %s), ALLOY_TEST_DATABASE_URL=%s\n' \
  "$me" "$version" "$port" "$tmp" "$ALLOY_TEST_DATABASE_URL" >&2

if [ "$#" -eq 0 ]; then
  set -- "${SHELL:-/bin/bash}"
fi

# Run the command in the background and `wait`, so signals sent to this script
# are handled immediately (bash defers traps until a foreground child exits).
# `<&0` keeps stdin: a background job would otherwise get /dev/null. Without
# job control, bash also starts background jobs with INT/QUIT ignored (and
# `trap -` cannot undo that), so restore the defaults through a tiny exec
# wrapper; otherwise Ctrl-C would not stop e.g. `npm test`.
if env --default-signal=INT,QUIT true 2>/dev/null; then
  reset_signals=(env '--default-signal=INT,QUIT') # GNU coreutils >= 8.31
elif command -v perl >/dev/null 2>&1; then
  # shellcheck disable=SC2016  # perl code, not shell expansions
  reset_signals=(perl -e '$SIG{INT}=$SIG{QUIT}="DEFAULT"; exec {$ARGV[0]} @ARGV or die "exec $ARGV[0]: $!\n"')
else
  reset_signals=()
fi
${reset_signals[@]+"${reset_signals[@]}"} "$@" <&0 &
child=$!
# `wait` returns early (>128) when a trapped signal arrives; keep waiting until
# the command is really gone, then ask once more for its saved exit status.
while kill -0 "$child" 2>/dev/null; do
  wait "$child" || true
done
status=0
wait "$child" || status=$?
exit "$status"
