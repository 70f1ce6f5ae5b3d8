'use strict';
// OAuth 2.0 through the real Node-RED runtime and the real core `http request` node (the 401 loop
// of test/support/nodered.js), against a REAL authorization server: oidc-provider 9 (OpenID
// Certified), started in this process on a free port by test/support/oidc.js, with a protected
// resource that checks every token against the provider's own stores. What reached the token
// endpoint (client authentication method, form, status) comes from the fixture's stats.
//
// Client credentials with client_secret_basic (the default, also with an id and secret that need
// RFC 6749 §2.3.1 form-encoding) and client_secret_post, the scope granted, a short lifetime →
// renewal before expiry with no 401 on the way, a token revoked at the server → one fresh token and
// one retry, a client deleted at the server and a wrong secret → one clear error via Catch in the
// server's words (and no second token request within the 30 s refusal memory), 1000 concurrent
// messages on a cold cache → one token request, refresh-token mode with rotation (the next refresh
// uses the rotated token, the node warns once that the stored one is stale, no refresh token in
// any msg, error, status or log), a spent refresh token, a token_type other than Bearer (a tiny
// local server: oidc-provider only issues Bearer), and the config dialog's Test button.
const assert = require('node:assert');
const http = require('node:http');
const oidcFixture = require('./support/oidc');
const rt = require('./support/nodered');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** RFC 6749 §2.3.1 / Appendix B: form-encoding (space as '+'), as the core does it. */
const form = (s) => encodeURIComponent(s).replace(/%20/g, '+');
const basic = (c) => 'Basic ' + Buffer.from(`${form(c.id)}:${form(c.secret)}`).toString('base64');
/** What a Catch node shows: Node-RED prefixes the error's name ("ApiAuthError: …"). */
const words = (msg) => msg.error.message.replace(/^\w*Error: /, '');

describe('auth: oauth2 against a real authorization server (oidc-provider)', function () {
    this.timeout(120000);
    let o;
    const DOOMED = { id: 'doomed-client', secret: 'doomed-secret-0123456789' };

    before(async function () {
        o = await oidcFixture.start({ clients: [DOOMED] });
    });
    after(async function () {
        if (o) await o.close();
    });
    beforeEach(function () {
        o.resetStats();
        o.setTtl(300);
    });
    afterEach(async function () {
        await rt.unload();
    });

    const ccFlow = (client, props = {}) => rt.loopFlow({
        props: { name: 'oauth', scheme: 'oauth2', mode: 'client-credentials', tokenUrl: o.tokenUrl, ...props },
        creds: { clientId: client.id, clientSecret: client.secret },
    });
    const get = (extra = {}) => rt.request({ url: o.resourceUrl, method: 'GET', ...extra });
    const tokens = () => o.stats.tokenRequests;
    /** The access tokens the server issued (from its replies), for "never in msg" checks. */
    const issued = () => tokens().filter((t) => t.status === 200).map((t) => t.body.access_token);

    describe('client credentials', function () {
        it('client_secret_basic (the default): Basic on the wire, the scope granted, Authorization: Bearer at the resource', async function () {
            const c = o.clients.basic;
            await rt.load(ccFlow(c, { scope: 'read write' }));
            const r = await get();
            assert.strictEqual(r.via, 'out', JSON.stringify(r.msg.error || r.msg.payload));
            assert.strictEqual(r.msg.statusCode, 200);
            assert.deepStrictEqual({ ...r.msg.payload, exp: 0 }, { ok: true, clientId: c.id, scope: 'read write', kind: 'ClientCredentials', exp: 0 });
            // on the wire: one token request, the client in HTTP Basic, nothing secret in the form
            assert.strictEqual(tokens().length, 1);
            const t = o.stats.lastTokenRequest;
            assert.deepStrictEqual([t.auth, t.clientId, t.grantType, t.status], ['basic', c.id, 'client_credentials', 200]);
            assert.strictEqual(t.headers.authorization, basic(c));
            assert.strictEqual(t.headers['content-type'], 'application/x-www-form-urlencoded');
            assert.strictEqual(t.headers.accept, 'application/json');
            assert.deepStrictEqual(t.form, { grant_type: 'client_credentials', scope: 'read write' });
            assert.deepStrictEqual([t.body.token_type, t.body.scope, t.body.expires_in], ['Bearer', 'read write', 300]);
            const [res] = o.stats.resourceRequests;
            assert.strictEqual(res.headers.authorization, `Bearer ${t.body.access_token}`);
            // nothing of the token endpoint's reply travels with the request (node-red-contrib-oauth2 leaked its headers)
            for (const h of ['cache-control', 'pragma', 'content-type', 'www-authenticate', 'set-cookie']) assert.ok(!(h in res.headers), h);
            // the response message carries neither the token nor the secret
            const seen = JSON.stringify(r.msg);
            assert.ok(!seen.includes(t.body.access_token) && !seen.includes(c.secret), seen);
            assert.strictEqual(r.msg.headers.authorization, undefined);
        });

        it('client_secret_post: id and secret in the body, no Authorization header; a relative msg.url under the optional Base URL', async function () {
            const c = o.clients.post;
            await rt.load(ccFlow(c, { clientAuth: 'post', baseUrl: o.issuer }));
            const r = await get({ url: '/resource' });
            assert.strictEqual(r.via, 'out', JSON.stringify(r.msg.error || r.msg.payload));
            assert.strictEqual(r.msg.statusCode, 200);
            assert.strictEqual(r.msg.payload.clientId, c.id);
            assert.strictEqual(r.msg.payload.scope, undefined, 'no scope asked, none granted');
            const t = o.stats.lastTokenRequest;
            assert.deepStrictEqual([t.auth, t.headers.authorization], ['post', undefined]);
            assert.deepStrictEqual(t.form, { grant_type: 'client_credentials', client_id: c.id, client_secret: c.secret });
        });

        it('an id and secret with ":" "%" "+" and a space go through Basic form-encoded (RFC 6749 §2.3.1)', async function () {
            const c = o.clients.special;
            await rt.load(ccFlow(c, { scope: 'read' }));
            const r = await get();
            assert.strictEqual(r.msg.statusCode, 200, JSON.stringify(r.msg.error || r.msg.payload));
            assert.strictEqual(r.msg.payload.clientId, 'svc:special');
            assert.strictEqual(o.stats.lastTokenRequest.headers.authorization, 'Basic ' + Buffer.from('svc%3Aspecial:p%3Aa%25s%2Bs+w0rd').toString('base64'));
        });

        it('audience is sent when set (oidc-provider ignores it: the token has no aud)', async function () {
            await rt.load(ccFlow(o.clients.basic, { scope: 'read', audience: 'https://api.example.test' }));
            const r = await get();
            assert.strictEqual(r.msg.statusCode, 200);
            assert.deepStrictEqual(o.stats.lastTokenRequest.form, { grant_type: 'client_credentials', scope: 'read', audience: 'https://api.example.test' });
            assert.strictEqual(r.msg.payload.aud, undefined);
        });

        it('the token is reused, then renewed before it expires (2 s lifetime): no request is ever sent with an expired token', async function () {
            o.setTtl(2);
            await rt.load(ccFlow(o.clients.basic));
            for (let i = 0; i < 3; i++) assert.strictEqual((await get()).msg.statusCode, 200);
            assert.strictEqual(tokens().length, 1, 'reused while fresh');
            await sleep(1900); // the margin: a tenth of the lifetime (0.2 s) before expires_in runs out
            for (let i = 0; i < 2; i++) assert.strictEqual((await get()).msg.statusCode, 200);
            assert.strictEqual(tokens().length, 2, 'renewed before expiry');
            assert.strictEqual(o.stats.resourceRefused, 0, 'no 401 on the way');
            const used = o.stats.resourceRequests.map((q) => q.headers.authorization);
            assert.deepStrictEqual(used, [...Array(3).fill(`Bearer ${issued()[0]}`), ...Array(2).fill(`Bearer ${issued()[1]}`)]);
        });

        it('a token revoked at the server (RFC 7009): 401 at the resource → exactly one fresh token and one retry → 200', async function () {
            const c = o.clients.basic;
            await rt.load(ccFlow(c));
            assert.strictEqual((await get()).msg.statusCode, 200);
            const old = issued()[0];
            const rv = await fetch(o.revocationUrl, {
                method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(c) }, body: new URLSearchParams({ token: old }),
            });
            assert.strictEqual(rv.status, 200);
            const r = await get();
            assert.strictEqual(r.via, 'out');
            assert.strictEqual(r.msg.statusCode, 200);
            assert.deepStrictEqual(o.stats.resourceRequests.map((q) => [q.status, q.headers.authorization]), [
                [200, `Bearer ${old}`], [401, `Bearer ${old}`], [200, `Bearer ${issued()[1]}`],
            ]);
            assert.strictEqual(tokens().length, 2);
            assert.strictEqual(o.stats.resourceRequests[1].body.error, 'invalid_token');
        });

        it('a client deleted at the server: its token is refused, the one fresh token request gets invalid_client → one clear error via Catch', async function () {
            await rt.load(ccFlow(DOOMED));
            const errors = rt.collect('caught');
            assert.strictEqual((await get()).msg.statusCode, 200);
            await o.revokeClient(DOOMED.id);
            const r = await get();
            assert.strictEqual(r.via, 'caught');
            assert.strictEqual(words(r.msg), 'API credentials "oauth": token exchange POST /token: HTTP 401 invalid_client: client authentication failed');
            assert.deepStrictEqual(tokens().map((t) => t.status), [200, 401]);
            assert.deepStrictEqual(o.stats.resourceRequests.map((q) => q.status), [200, 401]);
            assert.strictEqual(o.stats.resourceRequests[1].body.error_description, 'the client of this access token no longer exists');
            await sleep(200);
            assert.strictEqual(errors.length, 1);
            assert.ok(!JSON.stringify(r.msg).includes(DOOMED.secret));
        });

        it('a wrong secret: one error via Catch in the server\'s words; a second message within 30 s gets it without a second token request', async function () {
            const c = { id: o.clients.basic.id, secret: 'not-the-secret-4242' };
            await rt.load(ccFlow(c));
            const errors = rt.collect('caught');
            const r = await get();
            assert.strictEqual(r.via, 'caught');
            assert.strictEqual(words(r.msg), 'API credentials "oauth": token exchange POST /token: HTTP 401 invalid_client: client authentication failed');
            assert.strictEqual(r.msg.error.source.id, 'auth');
            await sleep(200);
            assert.strictEqual(errors.length, 1, 'one message, one error');
            const r2 = await get();
            assert.strictEqual(r2.via, 'caught');
            assert.strictEqual(words(r2.msg), words(r.msg));
            assert.strictEqual(tokens().length, 1, 'the refusal is remembered for 30 s: the server is not asked again');
            assert.strictEqual(o.stats.resourceHits, 0);
            for (const m of [r.msg, r2.msg]) assert.ok(!JSON.stringify(m).includes(c.secret));
            const statuses = rt.helper.getNode('auth').status.getCalls().map((call) => JSON.stringify(call.args));
            assert.ok(statuses.some((s) => s.includes('HTTP 401')), statuses.join('\n'));
        });

        it('1000 concurrent messages on a cold cache: exactly one token request, every message 200', async function () {
            await rt.load(ccFlow(o.clients.basic, { scope: 'read' }));
            // one process runs the server, Node-RED and 1000 round trips: give a slow machine time
            const all = await Promise.all(Array.from({ length: 1000 }, () => rt.request({ url: o.resourceUrl, method: 'GET' }, { timeoutMs: 90000 })));
            const failed = all.filter((r) => r.via !== 'out').map((r) => r.msg.error && r.msg.error.message);
            assert.deepStrictEqual([...new Set(all.map((r) => `${r.via} ${r.msg.statusCode}`))], ['out 200'], `${failed.length} failed: ${[...new Set(failed)].join(' | ')}`);
            assert.strictEqual(tokens().length, 1);
            assert.strictEqual(o.stats.resourceOk, 1000);
            assert.ok(o.stats.resourceRequests.every((q) => q.headers.authorization === `Bearer ${issued()[0]}`));
        });
    });

    describe('refresh tokens (the fixture\'s authorization_code client; refresh tokens rotate on every use)', function () {
        const c = () => o.clients.refresh;
        const rtFlow = (refreshToken, props = {}) => rt.loopFlow({
            props: { name: 'oauth-rt', scheme: 'oauth2', mode: 'refresh-token', tokenUrl: o.tokenUrl, ...props },
            creds: { clientId: c().id, clientSecret: c().secret, refreshToken },
        });

        it('rotation: the next refresh uses the rotated token, the node warns once that the stored one is stale, no refresh token shows anywhere', async function () {
            const stored = await o.obtainRefreshToken();
            o.resetStats();
            o.setTtl(2);
            const { cfg, auth } = await rt.load(rtFlow(stored));
            const seen = [];
            let r = await get();
            seen.push(r.msg);
            assert.strictEqual(r.via, 'out', JSON.stringify(r.msg.error || r.msg.payload));
            assert.strictEqual(r.msg.statusCode, 200);
            assert.deepStrictEqual([r.msg.payload.kind, r.msg.payload.sub, r.msg.payload.clientId], ['AccessToken', 'test-user', c().id]);
            const first = o.stats.lastTokenRequest;
            assert.deepStrictEqual([first.grantType, first.auth, first.form.refresh_token], ['refresh_token', 'basic', stored]);
            const rotated = first.body.refresh_token;
            assert.ok(rotated && rotated !== stored, 'the server rotated it');
            await sleep(1900);
            r = await get();
            seen.push(r.msg);
            assert.strictEqual(r.msg.statusCode, 200, JSON.stringify(r.msg.error || r.msg.payload));
            assert.deepStrictEqual(tokens().map((t) => [t.grantType, t.form.refresh_token, t.status]), [
                ['refresh_token', stored, 200], ['refresh_token', rotated, 200],
            ]);
            const refreshTokens = [stored, rotated, o.stats.lastTokenRequest.body.refresh_token];
            assert.strictEqual(o.stats.resourceRefused, 0);
            // the warning: once, naming no token
            const warnings = cfg.warn.getCalls().filter((call) => call.thisValue === cfg).map((call) => String(call.args[0]));
            const rotation = warnings.filter((w) => /rotated the refresh token/.test(w));
            assert.strictEqual(rotation.length, 1, warnings.join('\n'));
            assert.match(rotation[0], /^API credentials "oauth-rt": the authorization server rotated the refresh token: the stored one is now stale/);
            // no refresh token (nor access token) in any msg, warning, error, status or log line
            const everything = [
                ...seen.map((m) => JSON.stringify(m)),
                ...['warn', 'error', 'status', 'log'].flatMap((m) => [cfg, auth].flatMap((n) => n[m].getCalls().map((call) => JSON.stringify(call.args)))),
                ...rt.helper.log().getCalls().map((call) => JSON.stringify(call.args)),
            ].join('\n');
            for (const t of [...refreshTokens, ...issued()]) assert.ok(!everything.includes(t), 'a token leaked');
        });

        it('a refresh token that was already used: invalid_grant via Catch, with what it means, never the token', async function () {
            const stored = await o.obtainRefreshToken();
            const spend = await fetch(o.tokenUrl, {
                method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(c()) },
                body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stored }),
            });
            assert.strictEqual(spend.status, 200);
            o.resetStats();
            await rt.load(rtFlow(stored));
            const r = await get();
            assert.strictEqual(r.via, 'caught');
            assert.match(words(r.msg), /^API credentials "oauth-rt": token exchange POST \/token: HTTP 400 invalid_grant: grant request is invalid \(the stored refresh token was already used/);
            assert.ok(!JSON.stringify(r.msg).includes(stored));
            assert.strictEqual(o.stats.resourceHits, 0);
        });
    });

    describe('token types', function () {
        let server;
        afterEach(async function () {
            if (server) await new Promise((r) => server.close(r));
            server = null;
        });

        it('a token_type other than Bearer is refused with a clear error (oidc-provider only issues Bearer: a tiny server)', async function () {
            const hits = [];
            server = http.createServer((req, res) => {
                hits.push(req.url);
                res.writeHead(200, { 'content-type': 'application/json' });
                res.end(JSON.stringify({ access_token: 'mac-token-0123456789', token_type: 'mac', expires_in: 300, mac_key: 'k', mac_algorithm: 'hmac-sha-256' }));
            });
            await new Promise((r) => server.listen(0, '127.0.0.1', r));
            await rt.load(ccFlow(o.clients.basic, { tokenUrl: `http://127.0.0.1:${server.address().port}/oauth/token` }));
            const r = await get();
            assert.strictEqual(r.via, 'caught');
            assert.strictEqual(words(r.msg),
                'API credentials "oauth": token exchange POST /oauth/token: unexpected reply (token_type \'mac\' is not supported: this node sends only Bearer tokens (RFC 6750))');
            assert.deepStrictEqual(hits, ['/oauth/token']);
            assert.strictEqual(o.stats.resourceHits, 0, 'the token was not sent anywhere');
            assert.ok(!JSON.stringify(r.msg).includes('mac-token-0123456789'));
        });
    });

    describe('the config dialog\'s Test button (POST /api-auth/test/:id)', function () {
        const post = (id, body) => rt.helper.request().post(`/api-auth/test/${id}`).send(body).expect(200).then((res) => res.body);
        const dialog = (client, extra = {}) => ({
            scheme: 'oauth2', mode: 'client-credentials', baseUrl: '', tokenUrl: o.tokenUrl, scope: 'read write', audience: '', clientAuth: 'basic',
            ...extra, credentials: { clientId: client.id, clientSecret: client.secret, ...(extra.credentials || {}) },
        });

        it('a token request that shows the granted scope and the lifetime, never the token; the server\'s words when refused', async function () {
            await rt.load(ccFlow(o.clients.basic));
            let body = await post('not-deployed', dialog(o.clients.basic));
            assert.deepStrictEqual(body, { ok: true, status: 200, message: 'token OK (scope read write, valid 300 s)' });
            body = await post('not-deployed', dialog(o.clients.post, { clientAuth: 'post', scope: 'read' }));
            assert.deepStrictEqual(body, { ok: true, status: 200, message: 'token OK (scope read, valid 300 s)' });
            assert.deepStrictEqual(tokens().map((t) => [t.auth, t.status]), [['basic', 200], ['post', 200]]);
            body = await post('not-deployed', dialog({ id: o.clients.basic.id, secret: 'wrong-secret-0000' }));
            assert.deepStrictEqual(body, { ok: false, status: 401, message: 'Test: token exchange POST /token: HTTP 401 invalid_client: client authentication failed' });
            body = await post('not-deployed', dialog(o.clients.basic, { scope: 'admin' }));
            assert.strictEqual(body.message, 'Test: token exchange POST /token: HTTP 400 invalid_scope: requested scope is not allowed');
            body = await post('not-deployed', dialog(o.clients.basic, { tokenUrl: 'ftp://example.com/token' }));
            assert.deepStrictEqual(body, { ok: false, status: 0, message: 'tokenUrl: is not an http(s) URL (e.g. https://auth.example.com/oauth/token)' });
            for (const t of issued()) assert.ok(!JSON.stringify(body).includes(t));
        });

        it('refresh-token mode: the rotation is said (the refresh token used is spent), never a token', async function () {
            const stored = await o.obtainRefreshToken();
            o.resetStats();
            await rt.load(ccFlow(o.clients.basic));
            const body = await post('not-deployed', dialog(o.clients.refresh, { mode: 'refresh-token', scope: '', credentials: { refreshToken: stored } }));
            assert.deepStrictEqual(body, {
                ok: true, status: 200,
                message: 'token OK (scope offline_access read write, valid 300 s); the server rotated the refresh token: the stored one is now spent',
            });
            assert.ok(!JSON.stringify(body).includes(tokens()[0].body.refresh_token));
        });

        it('uses the stored secret of a deployed node only towards its saved token URL', async function () {
            const thief = [];
            const server = http.createServer((req, res) => { thief.push(req.headers); res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"access_token":"x","token_type":"Bearer"}'); });
            await new Promise((r) => server.listen(0, '127.0.0.1', r));
            try {
                await rt.load(ccFlow(o.clients.basic));
                const stored = { credentials: { clientId: o.clients.basic.id, clientSecret: '__PWRD__' }, scope: '' };
                let body = await post('cfg', dialog(o.clients.basic, { ...stored, tokenUrl: `http://127.0.0.1:${server.address().port}/token` }));
                assert.strictEqual(body.ok, false);
                assert.match(body.message, /^clientSecret: the stored secret is only used with the saved Base URL of a deployed API credentials node \(and its saved token URL/);
                assert.deepStrictEqual(thief, [], 'the stored secret was sent to a token URL the caller chose');
                body = await post('cfg', dialog(o.clients.basic, stored));
                assert.deepStrictEqual(body, { ok: true, status: 200, message: 'token OK (valid 300 s)' });
                assert.strictEqual(o.stats.lastTokenRequest.headers.authorization, basic(o.clients.basic));
            } finally {
                await new Promise((r) => server.close(r));
            }
        });
    });
});
