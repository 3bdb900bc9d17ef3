#!/usr/bin/env bash
# `make serve-prod`: the production shape on this machine. cms.settings.production served by gunicorn
# (gunicorn.conf.py) with the task worker (run_worker) and an RQ worker for webhooks, on the local PostgreSQL and
# Redis and an S3-compatible server (moto_server, a dev dependency). Ctrl-C stops every process it started.
#
# Everything below can be set from the environment (the load suite, bench/load/run.py, runs this script on its own
# ports, database and Redis db):
#   PORT (8080)  DB_NAME (cms_prod)  REDIS_DB (0)  S3_PORT (a free one)  WEB_CONCURRENCY (gunicorn.conf.py's rule)
#   TASK_WORKERS (1)  RQ_WORKERS (1)  SERVE_PROD_DIR (.serve-prod: secret key, static files, logs)
#   KEEP_DB (unset: the database is re-created on each start, see below)
#   SEED_VOLUME (unset: the demo content only; N: N more events and publications, `seed_demo --volume N`)
#
# Two things differ from a real deployment, on purpose:
# - No TLS here, so SECURE_SSL_REDIRECT=false (otherwise every request would be redirected to an https:// that no
#   one serves). Session/CSRF cookies stay Secure: browsers accept them on http://127.0.0.1 and localhost.
# - moto_server keeps objects in memory only, so the media bucket is empty at every start. The database is
#   therefore re-created too (KEEP_DB=1 keeps it, with media rows pointing at missing files) and the demo content
#   re-seeded, so database and bucket always agree.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[[ -x $PY ]] || { echo "run 'make install' first" >&2; exit 1; }

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

PORT=${PORT:-8080}
DB_NAME=${DB_NAME:-cms_prod}
REDIS_DB=${REDIS_DB:-0}
[[ $DB_NAME =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "DB_NAME must be a plain PostgreSQL name" >&2; exit 1; }
[[ $REDIS_DB =~ ^[0-9]+$ ]] || { echo "REDIS_DB must be a number" >&2; exit 1; }
S3_PORT=${S3_PORT:-$(free_port)}
TASK_WORKERS=${TASK_WORKERS:-1}
RQ_WORKERS=${RQ_WORKERS:-1}
STATE=${SERVE_PROD_DIR:-.serve-prod}
mkdir -p "$STATE"
chmod 700 "$STATE"
STATE=$(cd "$STATE" && pwd)

# A local secret key, made once and kept out of git (the directory is git-ignored).
if [[ -z ${SECRET_KEY:-} ]]; then
  if [[ ! -s $STATE/secret-key ]]; then
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$STATE/secret-key")
  fi
  SECRET_KEY=$(cat "$STATE/secret-key")
fi

export DJANGO_SETTINGS_MODULE=cms.settings.production
export SECRET_KEY
export SECURE_SSL_REDIRECT=false
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export CSRF_TRUSTED_ORIGINS=${CSRF_TRUSTED_ORIGINS:-http://127.0.0.1:$PORT,http://localhost:$PORT}
export WAGTAILADMIN_BASE_URL=${WAGTAILADMIN_BASE_URL:-http://127.0.0.1:$PORT}
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-$WAGTAILADMIN_BASE_URL}
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB_NAME
export CONN_MAX_AGE=${CONN_MAX_AGE:-60}
export REDIS_URL=redis://127.0.0.1:6379/$REDIS_DB
export AWS_STORAGE_BUCKET_NAME=${AWS_STORAGE_BUCKET_NAME:-cms-media}
export AWS_S3_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
export AWS_S3_REGION_NAME=us-east-1
export AWS_ACCESS_KEY_ID=local-moto AWS_SECRET_ACCESS_KEY=local-moto
export STATIC_ROOT=$STATE/static
# Webhook receivers on this machine (the load suite's, yours); production keeps this empty.
export WEBHOOKS_ALLOWED_NETWORKS=${WEBHOOKS_ALLOWED_NETWORKS:-127.0.0.0/8,::1/128}
export GUNICORN_BIND=127.0.0.1:$PORT
export PYTHONUNBUFFERED=1

# Every child is in this shell's process group: stop them all on Ctrl-C, on an error, or when one of them exits.
trap 'trap - INT TERM EXIT; kill 0 2>/dev/null; wait' INT TERM EXIT

echo "S3 (moto_server): http://127.0.0.1:$S3_PORT, bucket $AWS_STORAGE_BUCKET_NAME"
.venv/bin/moto_server -H 127.0.0.1 -p "$S3_PORT" > "$STATE/moto.log" 2>&1 &
"$PY" - <<'EOF'
import os, time, boto3, botocore
client = boto3.client("s3", endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"], region_name="us-east-1")
for _ in range(100):
    try:
        client.create_bucket(Bucket=os.environ["AWS_STORAGE_BUCKET_NAME"])
        break
    except (botocore.exceptions.EndpointConnectionError, ConnectionError):
        time.sleep(0.1)
else:
    raise SystemExit("moto_server did not start")
EOF

"$PY" - <<EOF
import psycopg
with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
    exists = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", ["$DB_NAME"]).fetchone()
    if exists and not "${KEEP_DB:-}":
        db.execute('DROP DATABASE "$DB_NAME" WITH (FORCE)')
    if not exists or not "${KEEP_DB:-}":
        db.execute('CREATE DATABASE "$DB_NAME"')
        print("PostgreSQL: created database $DB_NAME")
EOF

"$PY" manage.py migrate --noinput -v0
"$PY" manage.py seed_demo --allow-production -v0 --volume "${SEED_VOLUME:-0}"
# Fresh planner statistics, as autovacuum gives a database that has been running a while (an empty table's
# statistics make PostgreSQL scan where it would use an index: see bench/graphql_events.py).
"$PY" manage.py dbshell -- -q -c "ANALYZE" > /dev/null
"$PY" manage.py collectstatic --noinput -v0

for _ in $(seq "$TASK_WORKERS"); do "$PY" manage.py run_worker & done
# With REDIS_URL set, webhook delivery runs on the RQ backend (cms/settings/base.py).
for _ in $(seq "$RQ_WORKERS"); do
  "$PY" manage.py rqworker default --job-class django_tasks_rq.Job --with-scheduler &
done
.venv/bin/gunicorn -c gunicorn.conf.py cms.wsgi &

echo "CMS (production settings): http://127.0.0.1:$PORT/admin/  health: /healthz  (demo logins: ${DEMO_CREDENTIALS_FILE:-.demo-credentials})"
wait -n  # the first process to exit (crash or Ctrl-C) stops the others through the trap
