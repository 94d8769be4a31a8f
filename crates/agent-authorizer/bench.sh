#!/usr/bin/env bash
# Acceptance 3 bench for agent-authorizer, side by side in one run:
#   1. release binary size (stripped; target <= 6 MB)
#   2. whole-process time from start to first decision in local mode (`--event`), JWKS fetched
#      from a loopback server, median of N runs + peak RSS (target >= 10x faster than Node
#      with aws-jwt-verify doing the same, and <= 15 MiB peak)
#   3. warm decisions per second (the checker's hot path, in-process)
# Needs: cargo, python3, /usr/bin/time (GNU) optional; node+npm for the comparison (skipped if absent).
# Everything listens on 127.0.0.1 only.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
RUNS="${RUNS:-21}"
WORK="$(mktemp -d)"
trap 'kill ${SERVER_PID:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== building release binary"
cargo build --release -p agent-authorizer --quiet
BIN="$CARGO_TARGET_DIR/release/agent-authorizer"
cp "$BIN" "$WORK/bootstrap"
strip "$WORK/bootstrap" 2>/dev/null || true
SIZE=$(stat -c %s "$WORK/bootstrap")

echo "== key, token, loopback issuer"
python3 "$HERE/bench_support.py" setup "$WORK"
python3 "$HERE/bench_support.py" serve "$WORK" & SERVER_PID=$!
for _ in $(seq 100); do [ -s "$WORK/issuer" ] && break; sleep 0.05; done
ISSUER=$(cat "$WORK/issuer")
python3 "$HERE/bench_support.py" token "$WORK" "$ISSUER"
TOKEN=$(cat "$WORK/token")
printf '{"type":"TOKEN","authorizationToken":"Bearer %s","methodArn":"arn:aws:execute-api:eu-west-1:123456789012:abc/prod/GET/items"}' "$TOKEN" > "$WORK/event.json"

export AUTHORIZER_ISSUERS="$ISSUER" AUTHORIZER_AUDIENCES="bench-client"
OUT=$("$WORK/bootstrap" --event "$WORK/event.json" 2>/dev/null)
echo "$OUT" | grep -q '"Allow"' || { echo "first decision is not Allow: $OUT"; exit 1; }

measure() { # measure NAME CMD... -> median ms, peak KiB
  python3 "$HERE/bench_support.py" measure "$RUNS" "$@"
}

echo "== start -> first decision (local mode, JWKS from loopback), $RUNS runs"
RUST=$(measure "$WORK/bootstrap" --event "$WORK/event.json")

NODE="skipped (node/npm not found)"
if command -v node >/dev/null && command -v npm >/dev/null; then
  (cd "$WORK" && npm init -y >/dev/null 2>&1 && npm install --silent --no-audit --no-fund aws-jwt-verify >/dev/null 2>&1) \
    && cat > "$WORK/verify.mjs" <<'JS'
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { readFileSync } from "node:fs";
const ev = JSON.parse(readFileSync(process.argv[2], "utf8"));
const token = ev.authorizationToken.replace(/^Bearer /, "");
const issuer = process.env.AUTHORIZER_ISSUERS;
// aws-jwt-verify's own fetcher only speaks https; the loopback issuer is http, so fetch with
// Node's built-in fetch (same request, no TLS handshake: this favours Node).
const fetcher = { fetch: async (uri) => (await fetch(uri)).arrayBuffer() };
const v = JwtRsaVerifier.create(
  { issuer, audience: "bench-client", jwksUri: issuer + "/keys" },
  { jwksCache: new SimpleJwksCache({ fetcher }) },
);
const p = await v.verify(token);
console.log(JSON.stringify({ principalId: p.username, effect: "Allow" }));
JS
  if [ -f "$WORK/verify.mjs" ]; then
    NODE=$(cd "$WORK" && measure node "$WORK/verify.mjs" "$WORK/event.json")
  fi
fi

echo "== warm decisions per second"
WARM=$(cargo run --release -p agent-authorizer --quiet --example warm -- "$ISSUER" "$TOKEN")

echo
echo "| measure | agent-authorizer (Rust) | Node + aws-jwt-verify |"
echo "| --- | --- | --- |"
echo "| stripped binary size | $SIZE bytes ($(python3 -c "print(round($SIZE/1048576,2))") MiB; target <= 6 MB) | - |"
echo "| start -> first decision (median ms, peak RSS) | $RUST | $NODE |"
echo "| warm decisions/s (1 core, in-process) | $WARM | - |"
