// A real OpenID Connect provider for the test suite (panva's oidc-provider, certified by the OpenID
// Foundation). Settings arrive as JSON in argv[2]:
//   {port, clients: [{client_id, client_secret, redirect_uris, tamper?}]}
// Anyone signs in at the development login form by typing an account id; the id is the e-mail address.
// A client may ask for "tamper": its ID tokens are re-signed with the provider's own key but a wrong
// audience or an expiry in the past, standing for a provider or network that misbehaves.
import { generateKeyPair, exportJWK, SignJWT, decodeJwt } from 'jose';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${settings.port}`;
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
const tampering = Object.fromEntries(settings.clients.filter((c) => c.tamper).map((c) => [c.client_id, c.tamper]));

const provider = new Provider(issuer, {
  clients: settings.clients.map(({ tamper, ...client }) => ({
    grant_types: ['authorization_code'], response_types: ['code'], ...client,
  })),
  jwks: { keys: [jwk] },
  cookies: { keys: ['test-cookie-key'] },
  pkce: { required: () => true },
  conformIdTokenClaims: false, // Entra ID puts email and preferred_username in the ID token too
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const local = id.split('@')[0].replace(/[._]/g, ' ');
        return { sub: `subject-${id}`, email: id, email_verified: true, preferred_username: id,
                 name: `Dr ${local.replace(/\b\w/g, (c) => c.toUpperCase())}` };
      },
    };
  },
});

provider.use(async (ctx, next) => {
  await next();
  const client = ctx.oidc && ctx.oidc.client && ctx.oidc.client.clientId;
  if (ctx.path !== '/token' || !tampering[client] || !ctx.body || !ctx.body.id_token) return;
  const claims = decodeJwt(ctx.body.id_token);
  const now = Math.floor(Date.now() / 1000);
  if (tampering[client] === 'audience') claims.aud = 'another-service';
  if (tampering[client] === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  ctx.body = { ...ctx.body, id_token: await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(privateKey) };
});

provider.listen(settings.port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
