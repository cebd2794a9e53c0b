#!/usr/bin/env bash
# Brings a Debian 12 machine that has only Node 20 to a working Lingwei, and is cheap to run again:
#   1. Debian packages that are missing (PostgreSQL 15 + PostGIS 3, Redis, GDAL, Chromium),
#   2. PostgreSQL and Redis on 127.0.0.1 when nothing answers at DATABASE_URL / REDIS_URL,
#   3. npm packages when node_modules is missing or older than package-lock.json,
#   4. database migrations.
# It never starts, stops or reconfigures a server the user pointed DATABASE_URL / REDIS_URL at.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT_DIR=$PWD
STATE_DIR="$ROOT_DIR/.lingwei"

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

DEFAULT_DATABASE_URL=postgres://lingwei:lingwei@127.0.0.1:5432/lingwei
DEFAULT_REDIS_URL=redis://127.0.0.1:6379
DATABASE_URL_GIVEN=${DATABASE_URL:+yes}
REDIS_URL_GIVEN=${REDIS_URL:+yes}
export DATABASE_URL=${DATABASE_URL:-$DEFAULT_DATABASE_URL}
export REDIS_URL=${REDIS_URL:-$DEFAULT_REDIS_URL}
PG_VERSION=15

# ---------------------------------------------------------------------------------------------
# 1. Debian packages
# docker-compose only validates docker-compose.yml in the tests; no Docker engine is needed.
# cgi-mapserver is the API bench's reference vector tile server; fonts-wqy-microhei gives Chromium
# Chinese glyphs (PDF reports, viewer screenshots); poppler-utils (pdftotext, pdftoppm) reads printed
# PDFs back in the report layout tests; python3-qgis (PyQGIS 3.22, about 600 MB with its Qt libraries)
# is the GIS client test's real QGIS, loading every kind of layer with Basic authentication;
# python3-onnx reads the shipped ONNX networks' weights back into PyTorch checkpoints
# (models/onnx_to_checkpoint.py), so `npm run model -- adapt` can fine-tune the networks that ship
# without one.
APT_PACKAGES=(postgresql-$PG_VERSION postgresql-$PG_VERSION-postgis-3 postgresql-client-$PG_VERSION
  redis-server redis-tools libgdal-dev gdal-bin chromium fonts-wqy-microhei poppler-utils docker-compose cgi-mapserver
  python3-qgis python3-onnx)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    die "missing Debian packages: ${missing[*]}
  install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}
  then run this command again."
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >"$ROOT_DIR/.apt-install.log" 2>&1 \
    || { tail -30 "$ROOT_DIR/.apt-install.log" >&2; die "apt-get install failed (log: .apt-install.log)"; }
  rm -f "$ROOT_DIR/.apt-install.log"
else
  say "Debian packages present: ${APT_PACKAGES[*]}"
fi

# ---------------------------------------------------------------------------------------------
# 2a. PostgreSQL + PostGIS
PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
pg_answers() { pg_isready -q -d "$DATABASE_URL" -t 2; }

start_debian_cluster() { # as root: Debian's own cluster, owned by the postgres system user
  pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}' | grep -qx "$PG_VERSION/main" \
    || pg_createcluster "$PG_VERSION" main >/dev/null
  pg_ctlcluster "$PG_VERSION" main start >/dev/null 2>&1 || true
  as_superuser() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA "$@"; }
}
start_private_cluster() { # as an ordinary user: a cluster of our own under .lingwei/pg
  local data="$STATE_DIR/pg"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    mkdir -p "$STATE_DIR"
    "$PG_BIN/initdb" -D "$data" -U postgres -A trust >/dev/null
  fi
  "$PG_BIN/pg_ctl" -D "$data" -l "$STATE_DIR/pg.log" -w start \
    -o "-c listen_addresses=127.0.0.1 -p 5432 -c unix_socket_directories=$STATE_DIR" >/dev/null
  as_superuser() { psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
}

pg_lets_in() { psql "$DATABASE_URL" -qtAc 'SELECT 1' >/dev/null 2>&1; }
# A local development role: superuser so that tests can create throw-away databases with PostGIS.
create_local_role() {
  as_superuser -d postgres -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lingwei') THEN
        CREATE ROLE lingwei LOGIN SUPERUSER PASSWORD 'lingwei';
      END IF; END \$\$;"
  as_superuser -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'lingwei'" | grep -q 1 \
    || as_superuser -d postgres -c "CREATE DATABASE lingwei OWNER lingwei"
}

if pg_answers && pg_lets_in; then
  say "PostgreSQL answers at $DATABASE_URL (left as it is)"
elif pg_answers; then
  # A server answers but refuses the login: on a machine where Debian's PostgreSQL was already
  # installed and running, the default role and database do not exist yet. Setup provisions them
  # only in the cluster it would have started itself; a server the user named is theirs to fix.
  refusal=$(psql "$DATABASE_URL" -qtAc 'SELECT 1' 2>&1 >/dev/null | head -1 || true)
  if [[ -z $DATABASE_URL_GIVEN && $(id -u) -eq 0 ]] && pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}' | grep -qx "$PG_VERSION/main"; then
    start_debian_cluster
  elif [[ -z $DATABASE_URL_GIVEN && -f $STATE_DIR/pg/PG_VERSION ]]; then
    as_superuser() { psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
  else
    die "PostgreSQL answers at $DATABASE_URL but refuses the login: ${refusal:-no reason given}
  create that role and database (or point DATABASE_URL at ones that exist), then run this command again."
  fi
  create_local_role
  pg_lets_in || die "PostgreSQL at $DATABASE_URL still refuses the login after setup created role and database lingwei (a role lingwei with another password?)"
  say "PostgreSQL answers at $DATABASE_URL: created its role and database lingwei"
elif [[ -n $DATABASE_URL_GIVEN ]]; then
  die "nothing answers at DATABASE_URL=$DATABASE_URL. Start that server, or unset DATABASE_URL to let setup run a local one at $DEFAULT_DATABASE_URL."
else
  if [[ $(id -u) -eq 0 ]]; then start_debian_cluster; else start_private_cluster; fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL did not start on 127.0.0.1:5432"
  create_local_role
  say "started PostgreSQL $PG_VERSION on 127.0.0.1:5432 (database lingwei, role lingwei)"
fi

# ---------------------------------------------------------------------------------------------
# 2b. Redis
redis_answers() { [[ $(redis-cli -u "$REDIS_URL" ping 2>/dev/null) == PONG ]]; }
if redis_answers; then
  say "Redis answers at $REDIS_URL (left as it is)"
elif [[ -n $REDIS_URL_GIVEN ]]; then
  die "nothing answers at REDIS_URL=$REDIS_URL. Start that server, or unset REDIS_URL to let setup run a local one at $DEFAULT_REDIS_URL."
else
  mkdir -p "$STATE_DIR/redis"
  # AOF persistence: queued jobs survive a Redis restart. BullMQ needs noeviction.
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --dir "$STATE_DIR/redis" \
    --appendonly yes --maxmemory-policy noeviction --logfile "$STATE_DIR/redis.log" >/dev/null
  for _ in $(seq 1 20); do redis_answers && break; sleep 0.5; done
  redis_answers || die "Redis did not start on 127.0.0.1:6379 (log: .lingwei/redis.log)"
  say "started Redis on 127.0.0.1:6379 (append-only file in .lingwei/redis)"
fi

# ---------------------------------------------------------------------------------------------
# 3. npm packages (gdal-async builds against libgdal-dev, onnxruntime-node skips its CUDA download:
#    the settings and the install stamp are in scripts/npm-install-env.sh)
# shellcheck source=npm-install-env.sh
. "$ROOT_DIR/scripts/npm-install-env.sh"
if npm_install_current; then
  say "npm packages up to date"
else
  say "installing npm packages (npm ci; the first time builds gdal-async from source, about 5 minutes)"
  npm_install
fi

# ---------------------------------------------------------------------------------------------
# 4. The viewer's build (viewer/dist, served by the API), when missing or older than its sources
viewer_built=$ROOT_DIR/viewer/dist/index.html
if [[ ! -f $viewer_built ]] || [[ -n $(find "$ROOT_DIR/viewer/src" "$ROOT_DIR/viewer/index.html" "$ROOT_DIR/viewer/vite.config.ts" \
    "$ROOT_DIR/package-lock.json" -newer "$viewer_built" -print -quit) ]]; then
  say "building the viewer (vite)"
  node_modules/.bin/vite build --config viewer/vite.config.ts
else
  say "viewer build up to date"
fi

# ---------------------------------------------------------------------------------------------
# 5. Migrations
node_modules/.bin/tsx db/migrate.ts
# Training and adaptation (npm run train, npm run model -- adapt) need Debian's PyTorch; the
# tests, the demo and the pipeline do not, so setup only says how to get it.
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  say "note: python3-torch is not installed; npm run train and npm run model -- adapt need it: sudo apt-get install -y python3-torch"
fi
say "ready: DATABASE_URL=$DATABASE_URL REDIS_URL=$REDIS_URL"
