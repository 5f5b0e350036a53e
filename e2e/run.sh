#!/usr/bin/env bash
# Runs the browser tests against a freshly started Lärnav with demo data and a real SMTP
# catcher. Used by .ci/run; also handy by hand: bash e2e/run.sh (after cargo build).
# Needs: /usr/bin/chromium, node + npm, python3 with aiosmtpd (installed by .ci/run).
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
bin=${LARNAV_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/larnav}
port=${E2E_PORT:-18090}
smtp_port=${E2E_SMTP_PORT:-2525}
work=$(mktemp -d)
mailbox=$work/mailbox
# aiosmtpd creates the Maildir (with tmp/, new/, cur/) itself.

python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$mailbox" &
smtp_pid=$!
LARNAV_MAIL__SMTP_URL="smtp://127.0.0.1:$smtp_port" LARNAV_LOG__LEVEL=warn \
  "$bin" serve --demo --bind "127.0.0.1:$port" --data-dir "$work/data" > "$work/server.log" 2>&1 &
server_pid=$!
cleanup() {
  kill "$server_pid" "$smtp_pid" 2>/dev/null || true
  wait "$server_pid" "$smtp_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  if curl -sf "http://127.0.0.1:$port/readyz" > /dev/null; then break; fi
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/readyz" > /dev/null || { cat "$work/server.log"; exit 1; }

[ -d node_modules ] || npm ci --no-audit --no-fund
status=0
LARNAV_URL="http://127.0.0.1:$port" MAILBOX_DIR="$mailbox" node --test --test-concurrency=1 ${E2E_TESTS:-tests/} || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log ---"
  tail -50 "$work/server.log"
fi
exit "$status"
