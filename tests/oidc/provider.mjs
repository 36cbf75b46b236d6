// A real OpenID provider for Cohort's single sign-on tests (panva's oidc-provider 9.x, a certified
// implementation; Node >= 20), on loopback. `npm ci` in this folder installs it (.ci/run does).
// Usage: PORT=9000 REDIRECT_URI=http://127.0.0.1:8080/callback node provider.mjs
// Prints "READY <issuer>" on stdout once listening (PORT=0 => ephemeral port).
// Tamper mode (negative tests): POST /__test/mode with body mode=<m>
//   m in: none | wrong_aud | expired | wrong_iss | bad_sig | wrong_nonce
// The mode rewrites the id_token of the NEXT successful /token response(s) and
// re-signs it with the provider's own key (except bad_sig: a foreign key, same kid).
import Provider from 'oidc-provider';
import * as jose from 'jose';

const port = Number(process.env.PORT ?? 0);
const redirectUri = process.env.REDIRECT_URI ?? 'http://127.0.0.1:8080/callback';
const clientId = process.env.CLIENT_ID ?? 'test-client';
const clientSecret = process.env.CLIENT_SECRET ?? 'test-secret';

// Own signing key, so the tamper middleware can re-sign tokens.
const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await jose.exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
const { privateKey: foreignKey } = await jose.generateKeyPair('RS256');

const accounts = {
  // any login name is accepted; claims derived from it
};
function claimsFor(sub) {
  // A login name with "@" is the address itself; one starting with "unverified" gets an
  // address the provider does not vouch for.
  const email = sub.includes('@') ? sub : `${sub}@example.test`;
  return accounts[sub] ?? {
    sub, email, email_verified: !sub.startsWith('unverified'), preferred_username: sub.split('@')[0],
  };
}

let issuer; // set after listen (needed for PORT=0)
let mode = process.env.TAMPER_MODE ?? 'none';

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: process.env.AUTH_METHOD ?? 'client_secret_basic', // or client_secret_post
  }],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },          // S256 is the only method in v9
  conformIdTokenClaims: false,              // put email/preferred_username into the id_token by scope
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'] },
  features: { devInteractions: { enabled: true } }, // built-in login + consent pages
  ttl: { IdToken: Number(process.env.ID_TOKEN_TTL ?? 3600) },
  // SKIP_CONSENT=1: auto-grant requested scopes (first-party recipe) -> login is the only interaction
  ...(process.env.SKIP_CONSENT === '1' ? {
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  } : {}),
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return claimsFor(id); } };
  },
};

// Provider must know its issuer at construction -> bind a server first.
import http from 'node:http';
const server = http.createServer();
await new Promise((r) => server.listen(port, '127.0.0.1', r));
issuer = `http://127.0.0.1:${server.address().port}`;
const provider = new Provider(issuer, configuration);

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/mode' && ctx.method === 'POST') {
    let body = '';
    for await (const c of ctx.req) body += c;
    mode = new URLSearchParams(body).get('mode') ?? 'none';
    ctx.body = { mode };
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token && mode !== 'none') {
    const claims = jose.decodeJwt(ctx.body.id_token);
    const now = Math.floor(Date.now() / 1000);
    if (mode === 'wrong_aud') claims.aud = 'some-other-client';
    if (mode === 'expired') { claims.iat = now - 7200; claims.exp = now - 3600; }
    if (mode === 'wrong_iss') claims.iss = 'http://127.0.0.1:1/evil';
    if (mode === 'wrong_nonce') claims.nonce = 'not-the-nonce';
    const key = mode === 'bad_sig' ? foreignKey : privateKey;
    ctx.body = {
      ...ctx.body,
      id_token: await new jose.SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'JWT' }).sign(key),
    };
  }
});

server.on('request', provider.callback());
console.log(`READY ${issuer}`);
