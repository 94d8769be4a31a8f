// Driven by scripts/check-browser-renewal, which sets VAULT_ADDR, VAULT_TOKEN_FILE,
// DEMO_PASSWORD_FILE and NODE_PATH. Prints what it checks, never a code, token or password.
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const { chromium } = require('playwright-core');

const VAULT = process.env.VAULT_ADDR;
const TOKEN = fs.readFileSync(process.env.VAULT_TOKEN_FILE, 'utf8').trim();
const PASSWORD = fs.readFileSync(process.env.DEMO_PASSWORD_FILE, 'utf8').trim();
const REDIRECT = 'http://127.0.0.1:8250/oidc/callback';

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures += 1;
}

function authorizeUrl(clientId, state) {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const q = new URLSearchParams({
    client_id: clientId, response_type: 'code', scope: 'openid profile', redirect_uri: REDIRECT,
    state, nonce: crypto.randomBytes(16).toString('base64url'),
    code_challenge: challenge, code_challenge_method: 'S256',
  });
  return `${VAULT}/ui/vault/identity/oidc/provider/main/authorize?${q}`;
}

// The app's callback: records each (state, has code) it receives.
function callbackServer() {
  const received = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, REDIRECT);
    if (url.pathname === '/oidc/callback') {
      received.push({ state: url.searchParams.get('state'), code: !!url.searchParams.get('code'),
        error: url.searchParams.get('error') });
    }
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<html><body>callback</body></html>');
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`cannot listen on 127.0.0.1:8250: ${e.message}`)));
    server.listen(8250, '127.0.0.1', () => resolve({ server, received }));
  });
}

(async () => {
  const reply = await fetch(`${VAULT}/v1/identity/oidc/client/cli`, { headers: { 'X-Vault-Token': TOKEN } });
  const clientId = (await reply.json()).data.client_id;
  const { server, received } = await callbackServer();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await (await browser.newContext()).newPage();

    // First sign-in: Vault's sign-in page, then back to the app.
    await page.goto(authorizeUrl(clientId, 'first'));
    const signIn = await page.waitForURL(/\/ui\/vault\/auth/, { timeout: 20000 }).then(() => true, () => false);
    check(signIn, 'first request shows the Vault sign-in page');
    const method = page.locator('select').first();
    await method.waitFor({ timeout: 20000 });
    await method.selectOption('userpass');
    await page.fill('input[name="username"]', 'demo');
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(/127\.0\.0\.1:8250\/oidc\/callback/, { timeout: 20000 });
    check(received.some((r) => r.state === 'first' && r.code), 'after sign-in the app receives a code for state "first"');

    // Renewal: a new request in the same browser goes straight back, without the sign-in page.
    const visited = [];
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) visited.push(new URL(f.url()).pathname); });
    await page.goto(authorizeUrl(clientId, 'second'));
    await page.waitForURL(/127\.0\.0\.1:8250\/oidc\/callback/, { timeout: 20000 });
    check(received.some((r) => r.state === 'second' && r.code), 'renewal: the app receives a new code for state "second"');
    check(!visited.some((p) => p.startsWith('/ui/vault/auth')), `renewal never shows the sign-in page (visited ${visited.join(' → ')})`);
    check(received.every((r) => !r.error), 'no error reached the callback');
  } finally {
    await browser.close();
    server.close();
  }
  console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
  process.exit(failures ? 1 : 0);
})().catch((e) => { console.error(`error: ${e.message}`); process.exit(1); });
