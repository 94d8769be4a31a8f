// Warm-cache verify throughput of aws-jwt-verify per algorithm, one core.
import { JwtVerifier } from "aws-jwt-verify";
import { generateKeyPairSync, createSign, sign as edSign } from "node:crypto";

const b64u = (b) => Buffer.from(b).toString("base64url");
const ISS = "https://issuer.example";
const algs = {
  RS256: { type: "rsa", opts: { modulusLength: 2048 }, hash: "sha256" },
  RS384: { type: "rsa", opts: { modulusLength: 2048 }, hash: "sha384" },
  RS512: { type: "rsa", opts: { modulusLength: 2048 }, hash: "sha512" },
  ES256: { type: "ec", opts: { namedCurve: "P-256" }, hash: "sha256" },
  ES384: { type: "ec", opts: { namedCurve: "P-384" }, hash: "sha384" },
  ES512: { type: "ec", opts: { namedCurve: "P-521" }, hash: "sha512" },
  EdDSA: { type: "ed25519", opts: {}, hash: null },
};
const seconds = Number(process.env.SECONDS_PER_ALG || 2);
for (const [alg, a] of Object.entries(algs)) {
  const { publicKey, privateKey } = generateKeyPairSync(a.type, a.opts);
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "k1", alg, use: "sig" };
  const now = Math.floor(Date.now() / 1000);
  const header = b64u(JSON.stringify({ alg, kid: "k1", typ: "JWT" }));
  const payload = b64u(JSON.stringify({ iss: ISS, sub: "s", aud: "client", iat: now, exp: now + 3600, username: "u", groups: ["g"] }));
  const input = `${header}.${payload}`;
  let sig;
  if (a.type === "ed25519") sig = edSign(null, Buffer.from(input), privateKey);
  else {
    const s = createSign(a.hash); s.update(input);
    sig = s.sign(a.type === "ec" ? { key: privateKey, dsaEncoding: "ieee-p1363" } : privateKey);
  }
  const token = `${input}.${b64u(sig)}`;
  const v = JwtVerifier.create({ issuer: ISS, audience: "client", jwksUri: ISS + "/keys" });
  v.cacheJwks({ keys: [jwk] });
  v.verifySync(token); // warm up + correctness
  let n = 0;
  const end = process.hrtime.bigint() + BigInt(seconds * 1e9);
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 100; i++) v.verifySync(token);
    n += 100;
  }
  console.log(`${alg} ${Math.round(n / seconds)}`);
}
