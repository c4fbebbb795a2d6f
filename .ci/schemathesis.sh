#!/usr/bin/env bash
# Fuzz the whole REST API with schemathesis against a live server (gunicorn on a free
# loopback port) and fail on any server error (5xx). Bounded in time: the fuzzing stops
# after SCHEMATHESIS_MAX_TIME seconds (default 120), and schemathesis is killed a minute
# after that if it has not finished.
#
# The database is a throwaway SQLite file, or DATABASE_URL when given (CI passes an
# empty PostgreSQL database of its own: some server errors only PostgreSQL raises).
# It is migrated, seeded with demo data, and the requests carry a manager's API token.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV_BIN:-.venv/bin}
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export HELPDESK_VAR_DIR="$work" MEDIA_ROOT="$work/media"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$work/db.sqlite3}"
export DEBUG=false ALLOWED_HOSTS=127.0.0.1 SITE_URL="http://127.0.0.1:$port"
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
export HELPDESK_INTAKE_SECRET=fuzz-intake-secret LOG_LEVEL=ERROR
unset REDIS_URL TEST_DATABASE_NAME  # tasks run in-process

"$BIN/python" manage.py migrate --noinput -v0
"$BIN/python" manage.py seed_demo --tickets "${SCHEMATHESIS_TICKETS:-150}" --seed 7 >/dev/null 2>&1
token=$("$BIN/python" manage.py create_agent fuzz-manager@example.com --role manager | tail -n 1)

"$BIN/gunicorn" helpdesk.wsgi:application --bind "127.0.0.1:$port" --workers 2 --timeout 60 \
  --access-logfile /dev/null --error-logfile "$work/gunicorn.log" >>"$work/gunicorn.log" 2>&1 &
server_pid=$!
for _ in $(seq 60); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done

max_time=${SCHEMATHESIS_MAX_TIME:-120}
status=0
timeout "$((max_time + 60))" "$BIN/schemathesis" run "http://127.0.0.1:$port/api/schema/" \
  --header "Authorization: Token $token" \
  --checks not_a_server_error \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" \
  --max-time "$max_time" \
  --workers 2 --request-timeout 30 --seed 11 \
  --generation-database none --no-color --warnings off || status=$?
if [ "$status" -eq 124 ]; then
  echo "schemathesis did not finish within $((max_time + 60)) s; the server's log:"
  tail -n 80 "$work/gunicorn.log" || true
elif [ "$status" -ne 0 ]; then
  echo "schemathesis found server errors (exit $status); the server's log:"
  tail -n 80 "$work/gunicorn.log" || true
fi
exit "$status"
