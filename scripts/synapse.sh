# Sourced by scripts/test: starts a throw-away Matrix homeserver (Synapse, from the PyPI package
# matrix-synapse) on loopback for the tests and sets STEWARD_TEST_SYNAPSE_URL and
# STEWARD_TEST_SYNAPSE_SECRET. Synapse is installed into a Python venv under
# ${STEWARD_CACHE_DIR:-$HOME/.cache/steward}/synapse-venv, which later runs re-use. Each run gets a
# fresh server: SQLite, plain HTTP on 127.0.0.1, server name `localhost`, open registration
# (m.login.dummy) and no rate limits, so tests register their own users.
#
# Installs no trap: the caller must call steward_stop_synapse when it exits, e.g.
#   trap 'steward_stop_postgres; steward_stop_synapse' EXIT

steward_synapse_venv() {
  echo "${STEWARD_CACHE_DIR:-$HOME/.cache/steward}/synapse-venv"
}

# Creates the venv and installs matrix-synapse into it unless it already imports.
steward_install_synapse() {
  local venv
  venv=$(steward_synapse_venv)
  if "$venv/bin/python" -c 'import synapse' >/dev/null 2>&1; then
    return 0
  fi
  echo "scripts: installing Synapse (PyPI package matrix-synapse) into $venv" >&2
  mkdir -p "$(dirname "$venv")"
  rm -rf "$venv"
  python3 -m venv "$venv" >&2 \
    && "$venv/bin/pip" install -q --disable-pip-version-check matrix-synapse >&2 \
    && "$venv/bin/python" -c 'import synapse' \
    || { echo "scripts: Synapse did not install" >&2; rm -rf "$venv"; return 1; }
}

steward_start_synapse() {
  local venv
  venv=$(steward_synapse_venv)
  if command -v flock >/dev/null 2>&1; then
    # Two runs on one machine must not build the shared venv at the same time.
    mkdir -p "$(dirname "$venv")"
    (flock 9 && steward_install_synapse) 9>"$venv.lock" || return 1
  else
    steward_install_synapse || return 1
  fi
  local python="$venv/bin/python"

  STEWARD_SYNAPSE_DIR=$(mktemp -d /tmp/steward-synapse.XXXXXX)
  local dir=$STEWARD_SYNAPSE_DIR
  (cd "$dir" && "$python" -m synapse.app.homeserver --server-name localhost \
    --config-path homeserver.yaml --generate-config --report-stats=no) >"$dir/generate.log" 2>&1 \
    || { cat "$dir/generate.log" >&2; return 1; }

  local port
  for port in $(seq 58008 58108); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  done
  local secret
  secret=$("$python" -c 'import secrets; print(secrets.token_hex(24))')

  # Override the generated defaults: loopback only, open registration, no rate limits.
  "$python" - "$dir/homeserver.yaml" "$port" "$secret" <<'EOF' || return 1
import sys, yaml
path, port, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path) as f:
    config = yaml.safe_load(f)
def unlimited():
    return {"per_second": 1000, "burst_count": 1000}
config.update({
    "listeners": [{
        "port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False,
        "x_forwarded": False, "resources": [{"names": ["client"], "compress": False}],
    }],
    "enable_registration": True,
    "enable_registration_without_verification": True,
    "registration_shared_secret": secret,
    "trusted_key_servers": [],
    "suppress_key_server_warning": True,
    "presence": {"enabled": False},
    "report_stats": False,
    "rc_message": unlimited(),
    "rc_registration": unlimited(),
    "rc_registration_token_validity": unlimited(),
    "rc_login": {"address": unlimited(), "account": unlimited(), "failed_attempts": unlimited()},
    "rc_joins": {"local": unlimited(), "remote": unlimited()},
    "rc_joins_per_room": unlimited(),
    "rc_invites": {"per_room": unlimited(), "per_user": unlimited(), "per_issuer": unlimited()},
    "rc_third_party_invite": unlimited(),
    "rc_3pid_validation": unlimited(),
    "rc_admin_redaction": unlimited(),
    "rc_room_creation": unlimited(),
    "rc_media_create": unlimited(),
    "rc_reports": unlimited(),
    "rc_delayed_event_mgmt": unlimited(),
    "rc_presence": {"per_user": unlimited()},
    "rc_key_requests": unlimited(),
    "rc_user_directory": unlimited(),
    "rc_profile": unlimited(),
})
with open(path, "w") as f:
    yaml.safe_dump(config, f, default_flow_style=False)
EOF

  (cd "$dir" && exec "$python" -m synapse.app.homeserver -c homeserver.yaml) >"$dir/server.log" 2>&1 &
  STEWARD_SYNAPSE_PID=$!
  local url="http://127.0.0.1:$port" tries=0
  until "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "$url/_matrix/client/versions" >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 300 ] || ! kill -0 "$STEWARD_SYNAPSE_PID" 2>/dev/null; then
      echo "scripts: Synapse did not start on 127.0.0.1:$port; the end of its logs:" >&2
      tail -n 40 "$dir/server.log" >&2 || true
      tail -n 40 "$dir/homeserver.log" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.2
  done
  export STEWARD_TEST_SYNAPSE_URL=$url
  export STEWARD_TEST_SYNAPSE_SECRET=$secret
  echo "scripts: Synapse $("$python" -c 'import synapse; print(synapse.__version__)') on 127.0.0.1:$port" >&2
}

steward_stop_synapse() {
  if [ -n "${STEWARD_SYNAPSE_PID:-}" ]; then
    kill "$STEWARD_SYNAPSE_PID" 2>/dev/null || true
    local tries=0
    while kill -0 "$STEWARD_SYNAPSE_PID" 2>/dev/null && [ "$tries" -lt 50 ]; do
      sleep 0.1
      tries=$((tries + 1))
    done
    kill -9 "$STEWARD_SYNAPSE_PID" 2>/dev/null || true
    wait "$STEWARD_SYNAPSE_PID" 2>/dev/null || true
    STEWARD_SYNAPSE_PID=""
  fi
  if [ -n "${STEWARD_SYNAPSE_DIR:-}" ] && [ -d "$STEWARD_SYNAPSE_DIR" ]; then
    rm -rf "$STEWARD_SYNAPSE_DIR"
  fi
  STEWARD_SYNAPSE_DIR=""
}
