'use strict';
// What the OAuth 2.0 test server (test/support/oidc.js: the real oidc-provider 9) answers, pinned
// with plain fetch and no project code: the documentation of that server's behaviour for the
// flow tests built on it. Every status, header and error body below was observed, not assumed.
const assert = require('node:assert/strict');
const net = require('node:net');
const oidcFixture = require('./support/oidc');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
/** RFC 6749 §2.3.1: application/x-www-form-urlencoded (space -> '+'), the way URLSearchParams does. */
const formEncode = (s) => new URLSearchParams({ v: s }).toString().slice(2);
const basicHeader = (id, secret, enc = formEncode) => 'Basic ' + b64(`${enc(id)}:${enc(secret)}`);
const FORM = 'application/x-www-form-urlencoded';

async function call(url, init = {}) {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10000) });
    const text = await res.text();
    let body = text;
    try { body = JSON.parse(text); } catch (_) { /* not JSON */ }
    return { status: res.status, headers: res.headers, text, body };
}

function tokenCall(o, form, headers = {}) {
    return call(o.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': FORM, ...headers },
        body: typeof form === 'string' ? form : new URLSearchParams(form),
    });
}

const basicAuth = (c, enc) => ({ authorization: basicHeader(c.id, c.secret, enc) });
const postAuth = (c) => ({ client_id: c.id, client_secret: c.secret });
const bearer = (o, token, query = '') => call(o.resourceUrl + query, { headers: { authorization: `Bearer ${token}` } });

function assertInvalidClient(r, o, { basic }) {
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(r.body, { error: 'invalid_client', error_description: 'client authentication failed' });
    if (basic) {
        assert.equal(r.headers.get('www-authenticate'),
            `Basic realm="${o.issuer}", error="invalid_client", error_description="client authentication failed"`);
    } else {
        assert.equal(r.headers.get('www-authenticate'), null);
    }
}

function assertError(r, status, error, description) {
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(r.body.error, error);
    assert.equal(r.body.error_description, description);
}

describe('OAuth 2.0 test server (oidc-provider 9, test/support/oidc.js)', function () {
    this.timeout(60000);
    let o;

    before(async () => { o = await oidcFixture.start(); });
    after(async () => { if (o) await o.close(); });
    beforeEach(() => { o.resetStats(); o.setTtl(300); });

    describe('client credentials: success', () => {
        it('client_secret_basic: 200 JSON {access_token, expires_in, scope, token_type: "Bearer"}, no-store', async () => {
            const c = o.clients.basic;
            const r = await tokenCall(o, { grant_type: 'client_credentials', scope: 'read' }, basicAuth(c));
            assert.equal(r.status, 200);
            assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
            assert.equal(r.headers.get('cache-control'), 'no-store');
            assert.deepEqual(Object.keys(r.body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
            assert.equal(r.body.token_type, 'Bearer'); // exactly this case
            assert.equal(r.body.expires_in, 300);
            assert.equal(r.body.scope, 'read');
            assert.match(r.body.access_token, /^[A-Za-z0-9_-]{43}$/); // opaque

            const res = await bearer(o, r.body.access_token);
            assert.equal(res.status, 200);
            assert.deepEqual({ ...res.body, exp: 0 }, { ok: true, clientId: c.id, scope: 'read', kind: 'ClientCredentials', exp: 0 });

            // on the wire (stats): Basic header, no secret in the form
            assert.equal(o.stats.tokenRequests.length, 1);
            const last = o.stats.lastTokenRequest;
            assert.equal(last.auth, 'basic');
            assert.equal(last.clientId, c.id);
            assert.equal(last.grantType, 'client_credentials');
            assert.equal(last.headers.authorization, basicHeader(c.id, c.secret));
            assert.deepEqual(last.form, { grant_type: 'client_credentials', scope: 'read' });
            assert.equal(last.status, 200);
            assert.deepEqual(o.stats.byGrant, { client_credentials: 1 });
            assert.deepEqual(o.stats.byClient, { [c.id]: 1 });
            assert.equal(o.stats.resourceHits, 1);
            assert.equal(o.stats.resourceOk, 1);
        });

        it('client_secret_post: same reply; without scope= the token has NO scope (not the client\'s)', async () => {
            const c = o.clients.post;
            const r = await tokenCall(o, { grant_type: 'client_credentials', ...postAuth(c) });
            assert.equal(r.status, 200);
            assert.deepEqual(Object.keys(r.body).sort(), ['access_token', 'expires_in', 'token_type']);
            assert.equal(r.body.token_type, 'Bearer');
            const res = await bearer(o, r.body.access_token);
            assert.equal(res.status, 200);
            assert.equal(res.body.clientId, c.id);
            assert.equal(res.body.scope, undefined);

            const last = o.stats.lastTokenRequest;
            assert.equal(last.auth, 'post');
            assert.equal(last.headers.authorization, undefined);
            assert.deepEqual(last.form, { grant_type: 'client_credentials', client_id: c.id, client_secret: c.secret });
        });

        it('scope "read write" is granted as asked', async () => {
            const r = await tokenCall(o, { grant_type: 'client_credentials', scope: 'read write' }, basicAuth(o.clients.basic));
            assert.equal(r.status, 200);
            assert.equal(r.body.scope, 'read write');
        });

        it('the registered auth method is NOT enforced: a basic client may use post and vice versa', async () => {
            const viaPost = await tokenCall(o, { grant_type: 'client_credentials', ...postAuth(o.clients.basic) });
            assert.equal(viaPost.status, 200);
            const viaBasic = await tokenCall(o, { grant_type: 'client_credentials' }, basicAuth(o.clients.post));
            assert.equal(viaBasic.status, 200);
            assert.deepEqual(o.stats.tokenRequests.map((t) => t.auth), ['post', 'basic']);
        });

        it('the Basic scheme name is case-insensitive ("basic")', async () => {
            const c = o.clients.basic;
            const r = await tokenCall(o, { grant_type: 'client_credentials' }, { authorization: basicHeader(c.id, c.secret).replace('Basic', 'basic') });
            assert.equal(r.status, 200);
        });
    });

    describe('client credentials: errors', () => {
        it('wrong secret: 401 invalid_client; WWW-Authenticate Basic only when Basic was used', async () => {
            const c = o.clients.basic;
            assertInvalidClient(await tokenCall(o, { grant_type: 'client_credentials' }, basicAuth({ id: c.id, secret: 'wrong' })), o, { basic: true });
            assertInvalidClient(await tokenCall(o, { grant_type: 'client_credentials', client_id: o.clients.post.id, client_secret: 'wrong' }), o, { basic: false });
            assert.deepEqual(o.stats.tokenRequests.map((t) => t.status), [401, 401]);
        });

        it('unknown client: exactly the same answer as a wrong secret', async () => {
            assertInvalidClient(await tokenCall(o, { grant_type: 'client_credentials' }, basicAuth({ id: 'nobody', secret: 'x' })), o, { basic: true });
            assertInvalidClient(await tokenCall(o, { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' }), o, { basic: false });
            // client_id alone (no secret anywhere) is an unauthenticated, failed attempt too
            assertInvalidClient(await tokenCall(o, { grant_type: 'client_credentials', client_id: o.clients.basic.id }), o, { basic: false });
        });

        it('scope the client may not have: 400 invalid_scope with a "scope" member; an undeclared scope is dropped', async () => {
            const c = o.clients.basic; // registered scope: 'read write'; the server also knows 'admin'
            const r = await tokenCall(o, { grant_type: 'client_credentials', scope: 'admin' }, basicAuth(c));
            assertError(r, 400, 'invalid_scope', 'requested scope is not allowed');
            assert.deepEqual(r.body, { error: 'invalid_scope', error_description: 'requested scope is not allowed', scope: 'admin' });
            assert.equal(r.headers.get('www-authenticate'), null);

            const bogus = await tokenCall(o, { grant_type: 'client_credentials', scope: 'read bogus' }, basicAuth(c));
            assert.equal(bogus.status, 200);
            assert.equal(bogus.body.scope, 'read');
            const onlyBogus = await tokenCall(o, { grant_type: 'client_credentials', scope: 'bogus' }, basicAuth(c));
            assert.equal(onlyBogus.status, 200);
            assert.equal(onlyBogus.body.scope, undefined);
        });

        it('wrong grant: unsupported_grant_type; a grant the client lacks is invalid_request (not unauthorized_client)', async () => {
            const c = o.clients.basic;
            assertError(await tokenCall(o, { grant_type: 'password', username: 'u', password: 'p' }, basicAuth(c)),
                400, 'unsupported_grant_type', 'unsupported grant_type requested');
            assertError(await tokenCall(o, { grant_type: 'refresh_token', refresh_token: 'x' }, basicAuth(c)),
                400, 'invalid_request', 'requested grant type is not allowed for this client');
            assertError(await tokenCall(o, { grant_type: 'client_credentials' }, basicAuth(o.clients.refresh)),
                400, 'invalid_request', 'requested grant type is not allowed for this client');
            assertError(await tokenCall(o, {}, basicAuth(c)),
                400, 'invalid_request', "missing required parameter 'grant_type'");
            assert.deepEqual(o.stats.byGrant, { password: 1, refresh_token: 1, client_credentials: 1, '(none)': 1 });
        });

        it('malformed requests: 400 invalid_request with these descriptions', async () => {
            const c = o.clients.basic;
            assertError(await tokenCall(o, { grant_type: 'client_credentials' }),
                400, 'invalid_request', 'no client authentication mechanism provided');
            assertError(await tokenCall(o, { grant_type: 'client_credentials', ...postAuth(c) }, basicAuth(c)),
                400, 'invalid_request', 'client authentication must only be provided using one mechanism');
            assertError(await tokenCall(o, 'grant_type=client_credentials&scope=read&scope=write', basicAuth(c)),
                400, 'invalid_request', "'scope' parameter must not be provided twice");
            assertError(await call(o.tokenUrl, {
                method: 'POST',
                headers: { 'content-type': 'application/json', ...basicAuth(c) },
                body: JSON.stringify({ grant_type: 'client_credentials' }),
            }), 400, 'invalid_request', 'only application/x-www-form-urlencoded content-type bodies are supported on POST /token');
            assertError(await tokenCall(o, { grant_type: 'client_credentials' }, { authorization: 'Basic !!!' }),
                400, 'invalid_request', 'invalid authorization header value format');
            assertError(await tokenCall(o, { grant_type: 'client_credentials' }, { authorization: 'Basic ' + b64('cc-basic') }),
                400, 'invalid_request', 'invalid authorization header value format');
            assertError(await tokenCall(o, { grant_type: 'client_credentials' }, { authorization: 'Bearer abc' }),
                400, 'invalid_request', 'invalid authorization header value format');
            assertError(await tokenCall(o, { grant_type: 'client_credentials' }, { authorization: 'Basic ' + b64('cc-basic:') }),
                400, 'invalid_request', 'client_secret must be provided in the Authorization header');
        });

        it('with Accept: text/html the error body is an HTML page (status and WWW-Authenticate unchanged)', async () => {
            const r = await tokenCall(o, { grant_type: 'client_credentials' }, { ...basicAuth({ id: 'cc-basic', secret: 'wrong' }), accept: 'text/html' });
            assert.equal(r.status, 401);
            assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
            assert.match(r.text, /<strong>error<\/strong>: invalid_client/);
            assert.match(r.headers.get('www-authenticate'), /^Basic realm=.*error="invalid_client"/);
        });
    });

    describe('Basic authentication: RFC 6749 §2.3.1 encoding of id and secret', () => {
        // clients.special: id 'svc:special', secret 'p:a%s+s w0rd'. The server base64-decodes,
        // splits at the FIRST ':', then decodes each side with decodeURIComponent after turning
        // '+' into a space, and rejects anything outside printable ASCII (%x20-7E) afterwards.
        it('form-encoded id and secret (space as "+") are accepted', async () => {
            const s = o.clients.special;
            assert.equal(basicHeader(s.id, s.secret), 'Basic ' + b64('svc%3Aspecial:p%3Aa%25s%2Bs+w0rd'));
            const r = await tokenCall(o, { grant_type: 'client_credentials' }, basicAuth(s));
            assert.equal(r.status, 200);
            assert.equal((await bearer(o, r.body.access_token)).body.clientId, 'svc:special');
        });

        it('encodeURIComponent (space as "%20") is accepted too', async () => {
            const r = await tokenCall(o, { grant_type: 'client_credentials' }, basicAuth(o.clients.special, encodeURIComponent));
            assert.equal(r.status, 200);
        });

        it('raw (unencoded) secret with a stray "%": 400 invalid_request "not properly encoded"', async () => {
            const s = o.clients.special;
            const r = await tokenCall(o, { grant_type: 'client_credentials' }, { authorization: 'Basic ' + b64(`${encodeURIComponent(s.id)}:${s.secret}`) });
            assertError(r, 400, 'invalid_request', 'client_id and client_secret in the authorization header are not properly encoded');
            assert.equal(r.headers.get('www-authenticate'), null);
        });

        it('raw id containing ":": the id ends at the first ":" (unknown client, 401)', async () => {
            const s = o.clients.special;
            const r = await tokenCall(o, { grant_type: 'client_credentials' }, { authorization: 'Basic ' + b64(`${s.id}:${formEncode(s.secret)}`) });
            assertInvalidClient(r, o, { basic: true });
            assert.equal(o.stats.lastTokenRequest.clientId, 'svc');
        });

        it('raw "+" is read as a space and raw "%25" as "%": a wrong secret, 401', async () => {
            const x = await oidcFixture.start({ clients: [{ id: 'plus', secret: 'a+b' }, { id: 'pct', secret: '100%25' }] });
            try {
                assertInvalidClient(await tokenCall(x, { grant_type: 'client_credentials' }, { authorization: 'Basic ' + b64('plus:a+b') }), x, { basic: true });
                assert.equal((await tokenCall(x, { grant_type: 'client_credentials' }, basicAuth(x.clients.plus))).status, 200);
                assertInvalidClient(await tokenCall(x, { grant_type: 'client_credentials' }, { authorization: 'Basic ' + b64('pct:100%25') }), x, { basic: true });
                assert.equal((await tokenCall(x, { grant_type: 'client_credentials' }, basicAuth(x.clients.pct))).status, 200);
            } finally {
                await x.close();
            }
        });

        it('non-ASCII: such a secret cannot be registered; in Basic (encoded or raw) it is 400 invalid_request, in the body 401', async () => {
            await assert.rejects(oidcFixture.start({ clients: [{ id: 'uni', secret: 'sécret' }] }),
                (err) => err.error === 'invalid_client_metadata' && /invalid client_secret value/.test(err.message));
            const c = o.clients.basic;
            for (const auth of [basicHeader(c.id, 'sécret'), 'Basic ' + b64(`${c.id}:sécret`)]) {
                assertError(await tokenCall(o, { grant_type: 'client_credentials' }, { authorization: auth }),
                    400, 'invalid_request', 'client_id and client_secret in the authorization header are not properly encoded');
            }
            assertInvalidClient(await tokenCall(o, { grant_type: 'client_credentials', client_id: o.clients.post.id, client_secret: 'sécret' }), o, { basic: false });
        });
    });

    describe('audience and resource indicators', () => {
        it('audience= (Auth0 style) is silently ignored: 200 and a token without an audience', async () => {
            const r = await tokenCall(o, { grant_type: 'client_credentials', scope: 'read', audience: 'https://api.example.test' }, basicAuth(o.clients.basic));
            assert.equal(r.status, 200);
            assert.deepEqual(Object.keys(r.body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
            const res = await bearer(o, r.body.access_token);
            assert.equal(res.status, 200);
            assert.equal(res.body.aud, undefined);
            // it did travel on the wire
            assert.equal(o.stats.lastTokenRequest.form.audience, 'https://api.example.test');
        });

        it('resource= (RFC 8707) of resourceUrl binds the token to it; another resource is 400 invalid_target', async () => {
            const r = await tokenCall(o, { grant_type: 'client_credentials', scope: 'read', resource: o.resourceUrl }, basicAuth(o.clients.basic));
            assert.equal(r.status, 200);
            assert.equal(r.body.scope, 'read');
            const res = await bearer(o, r.body.access_token);
            assert.equal(res.body.aud, o.resourceUrl);
            assertError(await tokenCall(o, { grant_type: 'client_credentials', resource: 'https://other.example.test/' }, basicAuth(o.clients.basic)),
                400, 'invalid_target', 'resource indicator is missing, or unknown');
        });
    });

    describe('the protected resource (resourceUrl)', () => {
        it('no token: 401, WWW-Authenticate Bearer realm="resource" without an error code (RFC 6750 §3.1)', async () => {
            const r = await call(o.resourceUrl);
            assert.equal(r.status, 401);
            assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="resource"');
            assert.deepEqual(r.body, { ok: false, error_description: 'no bearer token' });
        });

        it('unknown token: 401 Bearer error="invalid_token" and a JSON body', async () => {
            const r = await bearer(o, 'not-a-token');
            assert.equal(r.status, 401);
            assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
            assert.equal(r.headers.get('www-authenticate'),
                'Bearer realm="resource", error="invalid_token", error_description="the access token is unknown, revoked or expired"');
            assert.deepEqual(r.body, { ok: false, error: 'invalid_token', error_description: 'the access token is unknown, revoked or expired' });
            assert.equal(o.stats.resourceRefused, 1);
        });

        it('"bearer" in lower case is accepted; ?scope=write with a read token is 403 insufficient_scope', async () => {
            const t = (await tokenCall(o, { grant_type: 'client_credentials', scope: 'read' }, basicAuth(o.clients.basic))).body.access_token;
            assert.equal((await call(o.resourceUrl, { headers: { authorization: `bearer ${t}` } })).status, 200);
            assert.equal((await bearer(o, t, '?scope=read')).status, 200);
            const r = await bearer(o, t, '?scope=write');
            assert.equal(r.status, 403);
            assert.equal(r.headers.get('www-authenticate'),
                'Bearer realm="resource", error="insufficient_scope", error_description="the access token lacks a required scope", scope="write"');
        });

        it('short lifetimes: setTtl(2) -> expires_in 2, and the token is refused once expired', async () => {
            o.setTtl(2);
            const r = await tokenCall(o, { grant_type: 'client_credentials' }, basicAuth(o.clients.basic));
            assert.equal(r.body.expires_in, 2);
            assert.equal((await bearer(o, r.body.access_token)).status, 200);
            await sleep(2100);
            const res = await bearer(o, r.body.access_token);
            assert.equal(res.status, 401);
            assert.equal(res.body.error, 'invalid_token');
            assert.deepEqual([o.stats.resourceOk, o.stats.resourceRefused, o.stats.resourceHits], [1, 1, 2]);
        });

        it('RFC 7009 revocation at revocationUrl: 200 empty, then the token is refused', async () => {
            const c = o.clients.basic;
            const t = (await tokenCall(o, { grant_type: 'client_credentials' }, basicAuth(c))).body.access_token;
            const rv = await call(o.revocationUrl, { method: 'POST', headers: { 'content-type': FORM, ...basicAuth(c) }, body: new URLSearchParams({ token: t }) });
            assert.equal(rv.status, 200);
            assert.equal(rv.text, '');
            assert.equal((await bearer(o, t)).status, 401);
        });
    });

    describe('refresh tokens (client clients.refresh, authorization_code flow run by the fixture)', () => {
        const refresh = (rt, c = o.clients.refresh) => tokenCall(o, { grant_type: 'refresh_token', refresh_token: rt }, basicAuth(c));

        it('obtainRefreshToken() goes through /auth, the interaction and one authorization_code token request', async () => {
            const rt = await o.obtainRefreshToken();
            assert.match(rt, /^[A-Za-z0-9_-]{43}$/);
            assert.deepEqual(o.stats.byGrant, { authorization_code: 1 });
            assert.deepEqual(o.stats.byClient, { [o.clients.refresh.id]: 1 });
            const full = await o.authorizationCodeTokens();
            assert.deepEqual(Object.keys(full).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
            assert.equal(full.scope, 'offline_access read write');
        });

        it('refreshing rotates: a NEW refresh token comes back; the access token works at the resource', async () => {
            const rt = await o.obtainRefreshToken();
            const r = await refresh(rt);
            assert.equal(r.status, 200);
            assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
            assert.deepEqual(Object.keys(r.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
            assert.equal(r.body.token_type, 'Bearer');
            assert.equal(r.body.scope, 'offline_access read write');
            assert.notEqual(r.body.refresh_token, rt);
            const res = await bearer(o, r.body.access_token);
            assert.equal(res.status, 200);
            assert.equal(res.body.kind, 'AccessToken');
            assert.equal(res.body.clientId, o.clients.refresh.id);
            assert.equal(res.body.sub, 'test-user');
            // the chain goes on as long as each new token is used once
            const r2 = await refresh(r.body.refresh_token);
            assert.equal(r2.status, 200);
            assert.notEqual(r2.body.refresh_token, r.body.refresh_token);
            assert.equal(o.stats.byGrant.refresh_token, 2);
        });

        it('the old refresh token is then refused (400 invalid_grant) — and that reuse revokes the whole grant', async () => {
            const rt = await o.obtainRefreshToken();
            const r = await refresh(rt);
            assert.equal(r.status, 200);
            const again = await refresh(rt);
            assertError(again, 400, 'invalid_grant', 'grant request is invalid');
            assert.equal(again.headers.get('www-authenticate'), null);
            // reuse detection: the newer refresh token and the access tokens of the grant die too
            assertError(await refresh(r.body.refresh_token), 400, 'invalid_grant', 'grant request is invalid');
            assert.equal((await bearer(o, r.body.access_token)).status, 401);
        });

        it('an unknown refresh token: 400 invalid_grant; scope= may narrow the access token', async () => {
            assertError(await refresh('bogus'), 400, 'invalid_grant', 'grant request is invalid');
            const rt = await o.obtainRefreshToken();
            const r = await tokenCall(o, { grant_type: 'refresh_token', refresh_token: rt, scope: 'read' }, basicAuth(o.clients.refresh));
            assert.equal(r.status, 200);
            assert.equal(r.body.scope, 'read');
            assert.ok(r.body.refresh_token);
        });
    });

    describe('revokeClient, refresh token lifetime, close', () => {
        let x;
        before(async () => { x = await oidcFixture.start({ refreshTtlSeconds: 2 }); });
        after(async () => { if (x) await x.close(); });

        it('an expired refresh token: 400 invalid_grant', async () => {
            const rt = await x.obtainRefreshToken();
            await sleep(2100);
            assertError(await tokenCall(x, { grant_type: 'refresh_token', refresh_token: rt }, basicAuth(x.clients.refresh)),
                400, 'invalid_grant', 'grant request is invalid');
        });

        it('revokeClient(id): token requests then get 401 invalid_client, its tokens 401 invalid_token', async () => {
            const c = x.clients.basic;
            const before = await tokenCall(x, { grant_type: 'client_credentials' }, basicAuth(c));
            assert.equal(before.status, 200);
            await x.revokeClient(c.id);
            assertInvalidClient(await tokenCall(x, { grant_type: 'client_credentials' }, basicAuth(c)), x, { basic: true });
            const res = await bearer(x, before.body.access_token);
            assert.equal(res.status, 401);
            assert.equal(res.body.error_description, 'the client of this access token no longer exists');
            // other clients are untouched
            assert.equal((await tokenCall(x, { grant_type: 'client_credentials', ...postAuth(x.clients.post) })).status, 200);
        });

        it('close(): the port no longer accepts connections', async () => {
            const { port } = x;
            await x.close();
            x = null;
            await assert.rejects(new Promise((resolve, reject) => {
                const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(); });
                s.on('error', reject);
            }), /ECONNREFUSED/);
        });
    });
});
