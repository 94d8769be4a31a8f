#!/usr/bin/env python3
"""Helpers for bench.sh (stdlib + the openssl CLI): an RSA key, a signed token, a loopback
issuer (discovery + JWKS) and a start-to-exit timer with peak RSS."""
import base64, http.server, json, os, resource, statistics, subprocess, sys, threading, time


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def setup(work):
    subprocess.run(["openssl", "genrsa", "-out", f"{work}/key.pem", "2048"], check=True, capture_output=True)
    text = subprocess.run(["openssl", "rsa", "-in", f"{work}/key.pem", "-noout", "-modulus"],
                          check=True, capture_output=True, text=True).stdout
    n = bytes.fromhex(text.strip().split("=", 1)[1])
    jwks = {"keys": [{"kty": "RSA", "kid": "bench-1", "alg": "RS256", "use": "sig", "n": b64(n), "e": "AQAB"}]}
    with open(f"{work}/jwks.json", "w") as f:
        json.dump(jwks, f)


def serve(work):
    jwks = open(f"{work}/jwks.json", "rb").read()

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            iss = f"http://127.0.0.1:{self.server.server_port}/issuer"
            if self.path == "/issuer/.well-known/openid-configuration":
                body = json.dumps({"issuer": iss, "jwks_uri": iss + "/keys"}).encode()
            elif self.path == "/issuer/keys":
                body = jwks
            else:
                self.send_response(404); self.end_headers(); return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    with open(f"{work}/issuer.tmp", "w") as f:
        f.write(f"http://127.0.0.1:{srv.server_port}/issuer")
    os.rename(f"{work}/issuer.tmp", f"{work}/issuer")
    srv.serve_forever()


def token(work, issuer):
    now = int(time.time())
    header = {"alg": "RS256", "kid": "bench-1", "typ": "JWT"}
    claims = {"iss": issuer, "sub": "entity-1", "aud": "bench-client", "iat": now, "exp": now + 3600,
              "username": "alice", "groups": ["engineering"]}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", f"{work}/key.pem"],
                         input=signing_input.encode(), check=True, capture_output=True).stdout
    with open(f"{work}/token", "w") as f:
        f.write(f"{signing_input}.{b64(sig)}")


def measure(runs, cmd):
    times, peaks = [], []
    for _ in range(int(runs)):
        t0 = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1); os.dup2(fd, 2)
            os.execvp(cmd[0], cmd)
        _, status, ru = os.wait4(pid, 0)
        times.append((time.perf_counter() - t0) * 1000)
        peaks.append(ru.ru_maxrss)  # KiB on Linux
        if status != 0:
            sys.exit(f"{cmd[0]} failed (status {status})")
    print(f"{statistics.median(times):.1f} ms median, {max(peaks) / 1024:.1f} MiB peak")


if __name__ == "__main__":
    op = sys.argv[1]
    if op == "setup":
        setup(sys.argv[2])
    elif op == "serve":
        serve(sys.argv[2])
    elif op == "token":
        token(sys.argv[2], sys.argv[3])
    elif op == "measure":
        measure(sys.argv[2], sys.argv[3:])
