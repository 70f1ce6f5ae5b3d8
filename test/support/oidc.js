'use strict';
// A REAL OAuth 2.0 authorization server for tests: npm `oidc-provider` 9 (OpenID Certified),
// run in this process on a free 127.0.0.1 port, plus a protected resource on the same server.
// PROTOCOLS.md §6; what the server answers is pinned by test/oidc-fixture.spec.js.
//
//   const oidc = await require('./support/oidc').start({ ttlSeconds: 2 });
//   oidc.issuer       'http://127.0.0.1:PORT'
//   oidc.tokenUrl     'http://127.0.0.1:PORT/token'
//   oidc.resourceUrl  'http://127.0.0.1:PORT/resource'   (resource indicator of the same URL works too)
//   oidc.revocationUrl 'http://127.0.0.1:PORT/token/revocation'   (RFC 7009, the provider's own)
//   oidc.clients.basic    { id, secret, authMethod: 'client_secret_basic', scope: 'read write' }
//   oidc.clients.post     { id, secret, authMethod: 'client_secret_post',  scope: 'read write' }
//   oidc.clients.special  client_secret_basic, id 'svc:special' and secret 'p:a%s+s w0rd'
//                         (`:` `%` `+` and space: needs RFC 6749 §2.3.1 form-encoding in Basic)
//   oidc.clients.refresh  { ... grantTypes: ['authorization_code', 'refresh_token'] }  (Basic)
//   await oidc.obtainRefreshToken([clientId])  -> a fresh refresh token (authorization_code flow
//                         run without a browser, see below); refresh tokens rotate on every use
//   await oidc.authorizationCodeTokens([clientId, scope])  -> that flow's whole token response
//   oidc.stats        what reached the server since start or oidc.resetStats():
//                       tokenRequests[]  { grantType, clientId (as claimed: form or decoded Basic),
//                                          auth: 'basic'|'post'|'none', headers, form, status, body }
//                       lastTokenRequest, byGrant { grant_type: n }, byClient { id: n }
//                       resourceHits, resourceOk, resourceRefused, resourceRequests[] { headers, status, body }
//   oidc.setTtl(s)    lifetime (seconds) of access tokens issued from now on
//   await oidc.revokeClient(id)  the client no longer exists: token requests get 401
//                     invalid_client, its access tokens get 401 invalid_token at resourceUrl
//   oidc.provider     the oidc-provider instance (a Koa app), for anything not covered here
//   await oidc.close()
//
// start(opts): port (default: a free one), ttlSeconds (access tokens, default 300),
// refreshTtlSeconds (default 3600), rotateRefreshToken (default true), scopes (default
// ['read', 'write', 'admin']; 'openid' and 'offline_access' are always there), clients (extra
// clients: [{ id, secret, authMethod, scope, grantTypes }], added to oidc.clients by id).
//
// Worth knowing (the spec shows all of it): the server accepts either client authentication
// method from any client (the registered one is not enforced); `audience=` is ignored, only
// `resource=` binds a token; reusing a rotated refresh token revokes the whole grant.
//
// How the hard parts are done, for real:
// - Clients live in a storage adapter of this fixture (as dynamically registered clients do),
//   not in the static `clients` option: the provider looks them up on every request, so
//   revokeClient() deleting the record makes the client unknown from the next request on.
// - A refresh token needs the authorization_code grant. obtainRefreshToken() drives it over
//   HTTP like a browser (GET /auth, follow redirects, keep cookies). The provider sends the
//   user agent to /interaction/<uid>; this fixture answers that URL itself and resolves the
//   interaction with the provider's API (interactionDetails / interactionResult) as a login
//   page would: account 'test-user' logs in and consents to what was asked. The code that
//   comes back on the redirect URI is redeemed at /token (a counted authorization_code request).
// - The resource endpoint checks tokens against the provider's own stores
//   (ClientCredentials.find / AccessToken.find: unknown, revoked and expired tokens are not
//   found) and, as the provider's userinfo endpoint does, refuses tokens whose client is gone.
//
// The provider prints a warning about Node < 22 once per process: harmless here.
const crypto = require('node:crypto');
const http = require('node:http');
const { listenLocal } = require('./ports');

const ACCOUNT = 'test-user';
const BASE_SCOPES = ['openid', 'offline_access'];

function randomSecret(prefix) {
    return `${prefix}-${crypto.randomBytes(12).toString('base64url')}`;
}

/** Storage for the provider's models (tokens, grants, sessions, interactions, clients), one per
 *  server: the provider's bundled memory adapter is a single LRU shared by every Provider in
 *  the process. Entries expire after the TTL the provider gives. */
function makeAdapter(store) {
    const grantIndex = new Map(); // grantId -> Set(keys)
    const uidIndex = new Map(); // session uid -> id
    const userCodeIndex = new Map();
    return class FixtureAdapter {
        constructor(model) { this.model = model; }

        key(id) { return `${this.model}:${id}`; }

        async upsert(id, payload, expiresIn) {
            const key = this.key(id);
            store.set(key, { payload: { ...payload }, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
            if (payload.grantId) {
                if (!grantIndex.has(payload.grantId)) grantIndex.set(payload.grantId, new Set());
                grantIndex.get(payload.grantId).add(key);
            }
            if (payload.uid) uidIndex.set(payload.uid, id);
            if (payload.userCode) userCodeIndex.set(payload.userCode, id);
        }

        async find(id) {
            const key = this.key(id);
            const entry = store.get(key);
            if (!entry) return undefined;
            if (entry.expiresAt <= Date.now()) {
                store.delete(key);
                return undefined;
            }
            return entry.payload;
        }

        async findByUid(uid) { return uidIndex.has(uid) ? this.find(uidIndex.get(uid)) : undefined; }

        async findByUserCode(code) { return userCodeIndex.has(code) ? this.find(userCodeIndex.get(code)) : undefined; }

        async consume(id) {
            const entry = store.get(this.key(id));
            if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
        }

        async destroy(id) { store.delete(this.key(id)); }

        async revokeByGrantId(grantId) {
            for (const key of grantIndex.get(grantId) || []) store.delete(key);
            grantIndex.delete(grantId);
        }
    };
}

/** Client metadata as oidc-provider wants it. */
function clientMetadata(c, issuer) {
    const grantTypes = c.grantTypes || ['client_credentials'];
    const code = grantTypes.includes('authorization_code');
    return {
        client_id: c.id,
        client_secret: c.secret,
        token_endpoint_auth_method: c.authMethod || 'client_secret_basic',
        grant_types: grantTypes,
        redirect_uris: code ? [`${issuer}/cb`] : [],
        response_types: code ? ['code'] : [],
        ...(c.scope ? { scope: c.scope } : {}),
    };
}

/** What the client claimed to be, read the way oidc-provider reads it (Basic: form-decoded). */
function claimedClientId(headers, form) {
    if (form && typeof form.client_id === 'string') return form.client_id;
    const m = /^basic\s+(\S+)$/i.exec(headers.authorization || '');
    if (!m) return undefined;
    const raw = Buffer.from(m[1], 'base64').toString('utf8');
    const i = raw.indexOf(':');
    if (i < 0) return undefined;
    try { return decodeURIComponent(raw.slice(0, i).replace(/\+/g, '%20')); } catch (_) { return raw.slice(0, i); }
}

function parseJson(text) {
    try { return JSON.parse(text); } catch (_) { return text; }
}

async function start(opts = {}) {
    const { default: Provider, errors } = await import('oidc-provider');

    let accessTtl = opts.ttlSeconds || 300;
    const refreshTtl = opts.refreshTtlSeconds || 3600;
    const scopes = [...new Set([...BASE_SCOPES, ...(opts.scopes || ['read', 'write', 'admin'])])];

    // Listen first (port 0), then build the provider with the issuer that port gives.
    let handler = (req, res) => { res.statusCode = 503; res.end(); };
    const server = http.createServer((req, res) => handler(req, res));
    // Clients keep connections alive (Node's global agent does since Node 19). Node closes an idle
    // one after 5 s, and a client that picks it up at that moment gets ECONNRESET: on a busy
    // machine (1000 messages at once) that race is real. Keep idle connections for a minute.
    server.keepAliveTimeout = 60000;
    const listening = await listenLocal(server, opts.port || 0);
    const { port } = listening;
    const issuer = `http://127.0.0.1:${port}`;
    const resourceUrl = `${issuer}/resource`;

    const clients = {
        basic: { id: 'cc-basic', secret: randomSecret('basic'), authMethod: 'client_secret_basic', scope: 'read write' },
        post: { id: 'cc-post', secret: randomSecret('post'), authMethod: 'client_secret_post', scope: 'read write' },
        special: { id: 'svc:special', secret: 'p:a%s+s w0rd', authMethod: 'client_secret_basic', scope: 'read write' },
        refresh: {
            id: 'rt-client', secret: randomSecret('refresh'), authMethod: 'client_secret_basic',
            scope: 'offline_access read write', grantTypes: ['authorization_code', 'refresh_token'],
        },
    };
    for (const c of opts.clients || []) clients[c.id] = { authMethod: 'client_secret_basic', ...c };

    const store = new Map();
    for (const c of Object.values(clients)) {
        store.set(`Client:${c.id}`, { payload: clientMetadata(c, issuer), expiresAt: Infinity });
    }

    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const provider = new Provider(issuer, {
        adapter: makeAdapter(store),
        jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'fixture', use: 'sig', alg: 'RS256' }] },
        cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
        scopes,
        features: {
            devInteractions: { enabled: false }, // /interaction/<uid> is answered below
            clientCredentials: { enabled: true },
            // RFC 7009 at /token/revocation; a client may revoke only its own tokens
            revocation: { enabled: true, allowedPolicy: (ctx, client, token) => token.clientId === client.clientId },
            resourceIndicators: {
                enabled: true,
                defaultResource: (ctx, client, oneOf) => oneOf,
                useGrantedResource: () => true,
                getResourceServerInfo: (ctx, resource) => {
                    if (resource !== resourceUrl) throw new errors.InvalidTarget();
                    return { scope: scopes.join(' '), accessTokenFormat: 'opaque', accessTokenTTL: accessTtl };
                },
            },
        },
        findAccount: (ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
        issueRefreshToken: (ctx, client) => client.grantTypeAllowed('refresh_token'),
        rotateRefreshToken: opts.rotateRefreshToken !== false,
        ttl: {
            AccessToken: () => accessTtl,
            ClientCredentials: () => accessTtl,
            RefreshToken: () => refreshTtl,
            AuthorizationCode: 60,
            Grant: 24 * 3600,
            Interaction: 600,
            Session: 24 * 3600,
            IdToken: 3600,
        },
        interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    });
    let lastServerError = null;
    provider.on('server_error', (ctx, err) => { lastServerError = err; });

    const stats = {
        tokenRequests: [], // { grantType, clientId, auth, headers, form, status, body }
        byGrant: {},
        byClient: {},
        get lastTokenRequest() { return stats.tokenRequests[stats.tokenRequests.length - 1]; },
        resourceHits: 0,
        resourceOk: 0,
        resourceRefused: 0,
        resourceRequests: [], // { headers, status, body }
    };
    function resetStats() {
        stats.tokenRequests.length = 0;
        stats.resourceRequests.length = 0;
        for (const k of Object.keys(stats.byGrant)) delete stats.byGrant[k];
        for (const k of Object.keys(stats.byClient)) delete stats.byClient[k];
        stats.resourceHits = stats.resourceOk = stats.resourceRefused = 0;
    }

    // Counts /token requests (after the provider answered: its parsed form is then at hand).
    provider.use(async (ctx, next) => {
        if (ctx.path !== '/token' || ctx.method !== 'POST') return next();
        try {
            await next();
        } finally {
            const headers = { ...ctx.request.headers };
            let form;
            try { form = ctx.oidc && ctx.oidc.body ? { ...ctx.oidc.body } : undefined; } catch (_) { form = undefined; }
            const grantType = (form && form.grant_type) || '(none)';
            const clientId = claimedClientId(headers, form) || '(none)';
            const auth = headers.authorization ? 'basic' : (form && form.client_secret !== undefined ? 'post' : 'none');
            stats.tokenRequests.push({ grantType, clientId, auth, headers, form, status: ctx.status, body: ctx.body });
            stats.byGrant[grantType] = (stats.byGrant[grantType] || 0) + 1;
            stats.byClient[clientId] = (stats.byClient[clientId] || 0) + 1;
        }
    });

    // The login/consent "page": resolves the interaction for ACCOUNT without user input.
    provider.use(async (ctx, next) => {
        const m = /^\/interaction\/([^/]+)$/.exec(ctx.path);
        if (!m || ctx.method !== 'GET') return next();
        const details = await provider.interactionDetails(ctx.req, ctx.res);
        const { prompt, params, session } = details;
        let result;
        if (prompt.name === 'login') {
            result = { login: { accountId: ACCOUNT } };
        } else if (prompt.name === 'consent') {
            const grant = details.grantId
                ? await provider.Grant.find(details.grantId)
                : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
            const d = prompt.details || {};
            if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
            if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
            for (const [indicator, s] of Object.entries(d.missingResourceScopes || {})) {
                grant.addResourceScope(indicator, s.join(' '));
            }
            result = { consent: { grantId: await grant.save() } };
        } else {
            ctx.status = 500;
            ctx.body = { error: `fixture: unexpected prompt ${prompt.name}` };
            return undefined;
        }
        const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
        ctx.status = 303;
        ctx.set('Location', returnTo);
        ctx.body = '';
        return undefined;
    });

    // The protected resource.
    provider.use(async (ctx, next) => {
        if (ctx.path !== '/resource') return next();
        stats.resourceHits++;
        const refuse = (status, error, description, extra = '') => {
            const challenge = error
                ? `Bearer realm="resource", error="${error}", error_description="${description}"${extra}`
                : 'Bearer realm="resource"';
            ctx.status = status;
            ctx.set('WWW-Authenticate', challenge);
            ctx.body = { ok: false, ...(error ? { error } : {}), error_description: description };
            stats.resourceRefused++;
        };
        try {
            const m = /^bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'));
            if (!m) {
                refuse(401, null, 'no bearer token');
                return;
            }
            const value = m[1];
            const token = (await provider.ClientCredentials.find(value)) || (await provider.AccessToken.find(value));
            if (!token || token.isExpired) {
                refuse(401, 'invalid_token', 'the access token is unknown, revoked or expired');
                return;
            }
            if (!(await provider.Client.find(token.clientId))) {
                refuse(401, 'invalid_token', 'the client of this access token no longer exists');
                return;
            }
            const need = ctx.query.scope ? String(ctx.query.scope).split(' ') : [];
            const have = token.scopes;
            const missing = need.filter((s) => !have.has(s));
            if (missing.length) {
                refuse(403, 'insufficient_scope', 'the access token lacks a required scope', `, scope="${need.join(' ')}"`);
                return;
            }
            stats.resourceOk++;
            ctx.status = 200;
            ctx.body = {
                ok: true,
                clientId: token.clientId,
                scope: token.scope,
                kind: token.kind,
                ...(token.accountId ? { sub: token.accountId } : {}),
                ...(token.aud ? { aud: token.aud } : {}),
                exp: token.exp,
            };
        } finally {
            stats.resourceRequests.push({ headers: { ...ctx.request.headers }, status: ctx.status, body: ctx.body });
        }
    });

    handler = provider.callback();

    let closed = false;
    async function close() {
        if (closed) return;
        closed = true;
        await listening.close();
        store.clear();
    }

    try {
        // A bad client (e.g. a secret outside printable ASCII) fails here, not at the first request.
        for (const c of Object.values(clients)) {
            const found = await provider.Client.find(c.id);
            if (!found) throw new Error(`oidc fixture: client ${c.id} not found after registration`);
        }
    } catch (err) {
        await close();
        if (err.error_description) err.message = `${err.message}: ${err.error_description}`;
        throw err;
    }

    async function tokenRequest(client, form) {
        const body = new URLSearchParams(form);
        const headers = { 'content-type': 'application/x-www-form-urlencoded' };
        if (client.authMethod === 'client_secret_post') {
            body.set('client_id', client.id);
            body.set('client_secret', client.secret);
        } else {
            const enc = (s) => encodeURIComponent(s);
            headers.authorization = 'Basic ' + Buffer.from(`${enc(client.id)}:${enc(client.secret)}`).toString('base64');
        }
        const res = await fetch(`${issuer}/token`, { method: 'POST', headers, body, signal: AbortSignal.timeout(10000) });
        return { status: res.status, body: parseJson(await res.text()) };
    }

    /** Runs the authorization_code flow for `clientId` (default clients.refresh) and returns the
     *  whole token response: { access_token, refresh_token, expires_in, scope, token_type }. */
    async function authorizationCodeTokens(clientId = clients.refresh.id, scope = 'offline_access read write') {
        const client = Object.values(clients).find((c) => c.id === clientId);
        if (!client) throw new Error(`oidc fixture: unknown client ${clientId}`);
        const redirectUri = `${issuer}/cb`;
        const jar = new Map();
        let url = `${issuer}/auth?${new URLSearchParams({
            client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope, prompt: 'consent',
            state: crypto.randomBytes(8).toString('hex'),
        })}`;
        let code;
        for (let i = 0; i < 10 && !code; i++) {
            const res = await fetch(url, {
                redirect: 'manual',
                headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
                signal: AbortSignal.timeout(10000),
            });
            for (const c of res.headers.getSetCookie()) {
                const [pair] = c.split(';');
                const eq = pair.indexOf('=');
                jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
            }
            const location = res.headers.get('location');
            if (!location) {
                throw new Error(`oidc fixture: authorization flow stopped at ${url}: ${res.status} ${(await res.text()).slice(0, 500)}${lastServerError ? ` (${lastServerError.stack})` : ''}`);
            }
            await res.arrayBuffer().catch(() => {});
            const next = new URL(location, url);
            if (next.href.startsWith(redirectUri)) {
                code = next.searchParams.get('code');
                if (!code) throw new Error(`oidc fixture: authorization failed: ${next.search}`);
            } else {
                url = next.href;
            }
        }
        if (!code) throw new Error('oidc fixture: no authorization code after 10 redirects');
        const r = await tokenRequest(client, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
        if (r.status !== 200 || !r.body.refresh_token) {
            throw new Error(`oidc fixture: code exchange: ${r.status} ${JSON.stringify(r.body)}`);
        }
        return r.body;
    }

    return {
        issuer,
        port,
        tokenUrl: `${issuer}/token`,
        resourceUrl,
        revocationUrl: `${issuer}/token/revocation`,
        clients,
        stats,
        resetStats,
        provider,
        setTtl(seconds) { accessTtl = seconds; },
        async obtainRefreshToken(clientId) {
            return (await authorizationCodeTokens(clientId)).refresh_token;
        },
        authorizationCodeTokens,
        async revokeClient(id) {
            store.delete(`Client:${id}`);
        },
        close,
    };
}

module.exports = { start };
