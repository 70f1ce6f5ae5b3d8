'use strict';
// Actyx through the real Node-RED runtime and the real core `http request` node (the 401 loop of
// test/support/nodered.js).
//
// Against the REAL Actyx node (ax 2.18.2, started by test/support/actyx-node.js on free ports in
// a temp working dir, stopped afterwards): the manifest → token exchange and the Bearer header on
// /api/v2/events/offsets, the token reused (and one exchange for 100 concurrent messages), a node
// restart → 401 ERR_TOKEN_EXPIRED → one fresh exchange and one retry, query placement
// (?access_token= raw), a manifest the node refuses (its own words reach the Catch node), a trial
// app id refused before sending, and the config dialog's Test button (POST /api-auth/test/:id).
// What reached the node and what it answered is seen through a recording proxy
// (test/support/recording-proxy.js: the request target byte for byte) and, for the exchanges, in
// the node's own log ("AUTH: Successfully authenticated …" per token it issued).
//
// On the fake (test/fakes/actyx.js, which test/actyx-conformance.spec.js keeps answering as the
// real node does) only what the real node cannot show: a short token validity (the node's is
// fixed at 86400 s) and a token close to its 24 h expiry (the fake's clock), the node's clock
// running ahead, and faults (a 500 from the exchange). "Node down" needs no server at all.
const assert = require('node:assert');
const axNode = require('./support/actyx-node');
const { startProxy } = require('./support/recording-proxy');
const actyx = require('./fakes/actyx');
const rt = require('./support/nodered');
const { closedPort } = require('./support/ports');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// 20 characters: the token then ends in '=' padding, so the query test can see that it went raw
// what a Catch node shows: Node-RED prefixes the error's name ("ApiAuthError: …"); compare the rest
const words = (msg) => msg.error.message.replace(/^\w*Error: /, '');
const MANIFEST = { appId: 'com.example.node-red', displayName: 'Node-RED', appVersion: '1.0.0' };
const OFFSETS = '/api/v2/events/offsets';

function flowTo(baseUrl, extra = {}) {
    return rt.loopFlow({ props: { name: 'ax', scheme: 'actyx', mode: 'exchange', baseUrl, ...MANIFEST, ...extra } });
}

describe('auth: actyx against the real Actyx node (ax 2.18.2)', function () {
    let ax;
    let proxy;
    before(async function () {
        ax = await axNode.startOrSkip(this);
        proxy = await startProxy(ax.url);
    });
    after(async function () {
        if (proxy) await proxy.close();
        if (ax) await ax.stop();
    });
    afterEach(async function () {
        await rt.unload();
        if (proxy) proxy.clear();
    });

    const exchanges = () => proxy.calls('POST', '/api/v2/auth');
    const apiCalls = () => proxy.calls('GET', OFFSETS);
    const get = (extra = {}) => rt.request({ url: `${proxy.url}${OFFSETS}`, method: 'GET', ...extra });

    it('exchanges the manifest at the node and sends Authorization: Bearer <its token>: 200 from /api/v2/events/offsets', async function () {
        const issuedBefore = ax.authLines().length;
        await rt.load(flowTo(proxy.url));
        const r = await get();
        assert.strictEqual(r.via, 'out', r.msg.error && r.msg.error.message);
        assert.strictEqual(r.msg.statusCode, 200, JSON.stringify(r.msg.payload));
        assert.strictEqual(typeof r.msg.payload.present[`${ax.nodeId}-0`], 'number', JSON.stringify(r.msg.payload));
        assert.deepStrictEqual(r.msg.payload.toReplicate, {});

        const [ex] = exchanges();
        assert.strictEqual(exchanges().length, 1);
        assert.deepStrictEqual(JSON.parse(ex.body), { appId: MANIFEST.appId, displayName: MANIFEST.displayName, version: MANIFEST.appVersion });
        assert.strictEqual(ex.headers['content-type'], 'application/json');
        assert.deepStrictEqual([ex.status, ex.type], [200, 'application/json']);
        const token = ex.json.token;
        const d = actyx.decodeToken(token);
        assert.strictEqual(actyx.nodeIdOf(d.publicKey), ax.nodeId, 'the token is signed by this node');
        assert.deepStrictEqual([d.payload.appId, d.payload.appMode, d.payload.validity], [MANIFEST.appId, 'trial', 86400]);

        const [call] = apiCalls();
        assert.strictEqual(apiCalls().length, 1);
        assert.strictEqual(call.headers.authorization, `Bearer ${token}`);
        assert.strictEqual(call.url, OFFSETS, 'nothing in the query');
        assert.strictEqual(call.status, 200);
        assert.strictEqual(ax.authLines().length, issuedBefore + 1, 'the node itself logged one issued token');
        assert.match(ax.authLines().pop(), /authorized com\.example\.node-red for trial usage/);
    });

    it('reuses the token: 3 messages in a row → one exchange, the same Bearer token on every call, all 200', async function () {
        const issuedBefore = ax.authLines().length;
        await rt.load(flowTo(proxy.url));
        for (let i = 0; i < 3; i++) {
            const r = await get();
            assert.strictEqual(r.msg.statusCode, 200, `message ${i + 1}: ${JSON.stringify(r.msg.payload)}`);
        }
        assert.strictEqual(exchanges().length, 1);
        const token = exchanges()[0].json.token;
        assert.deepStrictEqual(apiCalls().map((c) => [c.headers.authorization, c.status]), Array(3).fill([`Bearer ${token}`, 200]));
        assert.strictEqual(ax.authLines().length, issuedBefore + 1);
    });

    it('100 concurrent messages on a cold cache: exactly one exchange at the node, all 200', async function () {
        await rt.load(flowTo(proxy.url));
        const errors = rt.collect('caught');
        const all = await Promise.all(Array.from({ length: 100 }, () => get()));
        assert.deepStrictEqual([...new Set(all.map((r) => `${r.via} ${r.msg.statusCode}`))], ['out 200']);
        assert.strictEqual(exchanges().length, 1);
        assert.strictEqual(apiCalls().length, 100);
        assert.ok(apiCalls().every((c) => c.headers.authorization === `Bearer ${exchanges()[0].json.token}` && c.status === 200));
        await sleep(50);
        assert.deepStrictEqual(errors.map((m) => m.error.message), [], 'no error reached the Catch node');
    });

    it('node restarted → 401 ERR_TOKEN_EXPIRED → the 401 loop gets ONE fresh token and retries ONCE → 200', async function () {
        await rt.load(flowTo(proxy.url));
        const errors = rt.collect('caught');
        let r = await get();
        assert.strictEqual(r.msg.statusCode, 200);
        const old = exchanges()[0].json.token;

        await ax.restart();
        console.log(`      (restarted the node in ${ax.lastRestartMs} ms: stopped with SIGTERM, answering again ${ax.startMs} ms after the new start)`);
        proxy.clear();
        const issuedBefore = ax.authLines().length;
        r = await get();
        assert.strictEqual(r.via, 'out', r.msg.error && r.msg.error.message);
        assert.strictEqual(r.msg.statusCode, 200, JSON.stringify(r.msg.payload));
        // what the node saw and said, in order
        assert.deepStrictEqual(proxy.log.map((e) => [e.method, e.url.split('?')[0], e.status, e.json && e.json.code]), [
            ['GET', OFFSETS, 401, 'ERR_TOKEN_EXPIRED'],
            ['POST', '/api/v2/auth', 200, undefined],
            ['GET', OFFSETS, 200, undefined],
        ]);
        assert.deepStrictEqual(proxy.log[0].json, { code: 'ERR_TOKEN_EXPIRED', message: 'Expired token.' });
        assert.strictEqual(proxy.log[0].headers.authorization, `Bearer ${old}`);
        const fresh = proxy.log[1].json.token;
        assert.notStrictEqual(fresh, old);
        assert.strictEqual(actyx.decodeToken(fresh).payload.cycles, actyx.decodeToken(old).payload.cycles + 1);
        assert.strictEqual(proxy.log[2].headers.authorization, `Bearer ${fresh}`);
        assert.strictEqual(ax.authLines().length, issuedBefore + 1, 'the node issued exactly one new token');
        // the response that leaves the loop is the retry's, and the fresh token stays in use
        r = await get();
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(exchanges().length, 1);
        assert.strictEqual(proxy.log[3].headers.authorization, `Bearer ${fresh}`);
        await sleep(50);
        assert.strictEqual(errors.length, 0, 'no error reached the Catch node');
    });

    it('node restarted while 20 messages are in flight: 20 × 401 ERR_TOKEN_EXPIRED, still ONE fresh token, every retry 200', async function () {
        await rt.load(flowTo(proxy.url));
        const errors = rt.collect('caught');
        assert.strictEqual((await get()).msg.statusCode, 200);
        const old = exchanges()[0].json.token;
        await ax.restart();
        proxy.clear();
        const all = await Promise.all(Array.from({ length: 20 }, () => get()));
        assert.deepStrictEqual([...new Set(all.map((r) => `${r.via} ${r.msg.statusCode}`))], ['out 200']);
        assert.strictEqual(exchanges().length, 1, 'one fresh exchange for all of them');
        const fresh = exchanges()[0].json.token;
        const calls = apiCalls();
        assert.strictEqual(calls.filter((c) => c.status === 401 && c.json.code === 'ERR_TOKEN_EXPIRED' && c.headers.authorization === `Bearer ${old}`).length, 20);
        assert.strictEqual(calls.filter((c) => c.status === 200 && c.headers.authorization === `Bearer ${fresh}`).length, 20);
        assert.strictEqual(calls.length, 40, 'each message was retried exactly once');
        await sleep(50);
        assert.deepStrictEqual(errors.map((m) => m.error.message), [], 'no error reached the Catch node');
    });

    it('query placement: ?access_token=<token> raw (base64 + / = not percent-encoded), accepted with 200', async function () {
        await rt.load(flowTo(proxy.url, { placement: 'query' }));
        const r = await get();
        assert.strictEqual(r.via, 'out', r.msg.error && r.msg.error.message);
        assert.strictEqual(r.msg.statusCode, 200, JSON.stringify(r.msg.payload));
        const token = exchanges()[0].json.token;
        assert.match(token, /=$/, 'the manifest is chosen so the token has padding: the test can see raw vs encoded');
        const [call] = apiCalls();
        assert.strictEqual(call.url, `${OFFSETS}?access_token=${token}`, 'the request target carries the token byte for byte');
        assert.strictEqual(call.headers.authorization, undefined);
        assert.strictEqual(call.status, 200);
        // and the node does not decode a percent-encoded one (why it must go raw)
        const enc = await fetch(`${ax.url}${OFFSETS}?access_token=${encodeURIComponent(token)}`);
        assert.strictEqual(enc.status, 400);
        assert.strictEqual((await enc.json()).code, 'ERR_TOKEN_INVALID');
    });

    it('a manifest the node refuses (bad signature): the Catch node sees HTTP 400 and the node\'s own words, once; then no hammering', async function () {
        await rt.load(flowTo(proxy.url, { appId: 'com.acme.app', signature: 'garbage' }));
        const errors = rt.collect('caught');
        const r = await get();
        assert.strictEqual(r.via, 'caught');
        const [ex] = exchanges();
        assert.strictEqual(ex.status, 400);
        assert.deepStrictEqual(ex.json, { code: 'ERR_MANIFEST_INVALID', message: 'Invalid manifest. Invalid last symbol 101, offset 6.' });
        assert.strictEqual(words(r.msg),
            `API credentials "ax": token exchange POST /api/v2/auth: HTTP 400 ${ex.json.code}: ${ex.json.message}`);
        await get();
        await sleep(100);
        assert.strictEqual(errors.length, 2);
        assert.strictEqual(proxy.log.length, 1, 'the refused exchange is not repeated within the cooldown, and no API call was made');
    });

    it('a trial app id outside com.example. is refused before sending, in the words the node would use', async function () {
        const manifest = { ...MANIFEST, appId: 'io.acme.app' };
        await rt.load(flowTo(proxy.url, manifest));
        const r = await get();
        assert.strictEqual(r.via, 'caught');
        assert.strictEqual(proxy.log.length, 0, 'nothing reached the node');
        // the same manifest sent to the node by hand: the auth node's error carries the node's sentence
        const direct = await fetch(`${ax.url}/api/v2/auth`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ appId: manifest.appId, displayName: manifest.displayName, version: manifest.appVersion }) });
        const body = await direct.json();
        assert.deepStrictEqual([direct.status, body.code], [400, 'ERR_BAD_REQUEST']);
        const sentence = body.message.replace(/^Invalid request\. /, '');
        assert.strictEqual(sentence, "Trial app id needs to start with 'com.example.'. Got 'io.acme.app'.");
        assert.ok(words(r.msg).startsWith(`API credentials "ax": appId: ${sentence}`), words(r.msg));
    });

    describe('the config dialog\'s Test button (POST /api-auth/test/:id) against the real node', function () {
        const post = (id, body) => rt.helper.request().post(`/api-auth/test/${id}`).send(body).expect(200).then((res) => res.body);

        it('a good manifest: ✓ token exchange OK, naming the app id, mode and validity the node put in the token', async function () {
            await rt.load(flowTo(proxy.url));
            const issuedBefore = ax.authLines().length;
            const body = await post('cfg', { scheme: 'actyx', mode: 'exchange', baseUrl: ax.url, ...MANIFEST, signature: '' });
            assert.deepStrictEqual(body, { ok: true, status: 200, message: 'token exchange OK (appId com.example.node-red, mode trial, valid 86400 s)' });
            assert.strictEqual(ax.authLines().length, issuedBefore + 1, 'the node issued the token');
            // unsaved values (a node that was never deployed) go the same way
            const other = await post('not-deployed', { scheme: 'actyx', mode: 'exchange', baseUrl: proxy.url, ...MANIFEST, appId: 'com.example.other' });
            assert.strictEqual(other.ok, true, JSON.stringify(other));
            assert.match(other.message, /appId com\.example\.other, mode trial/);
            assert.strictEqual(exchanges().length, 1);
            assert.strictEqual(exchanges()[0].status, 200);
        });

        it('a manifest the node refuses: ✗ HTTP 400 with the node\'s own words', async function () {
            await rt.load(flowTo(proxy.url));
            const body = await post('cfg', { scheme: 'actyx', mode: 'exchange', baseUrl: proxy.url, ...MANIFEST, appId: 'com.acme.app', signature: 'garbage' });
            const [ex] = exchanges();
            assert.strictEqual(ex.status, 400);
            assert.strictEqual(body.ok, false);
            assert.strictEqual(body.status, 400);
            assert.strictEqual(body.message, `Test: token exchange POST /api/v2/auth: HTTP 400 ${ex.json.code}: ${ex.json.message}`);
            assert.match(body.message, /ERR_MANIFEST_INVALID: Invalid manifest\. Invalid last symbol 101, offset 6\./);
        });
    });
});

describe('auth: actyx — what the real node cannot show (fake, see test/actyx-conformance.spec.js)', function () {
    let fake;
    afterEach(async function () {
        await rt.unload();
        if (fake) await fake.close();
        fake = null;
    });
    const get = (extra = {}) => rt.request({ url: `${fake.url}${OFFSETS}`, method: 'GET', ...extra });

    it('a short validity (the real node\'s is fixed at 86400 s): the token is renewed before created + validity', async function () {
        fake = await actyx.start({ validitySecs: 2 });
        await rt.load(flowTo(fake.url));
        let r = await get();
        assert.strictEqual(r.msg.statusCode, 200);
        await sleep(2100);
        r = await get();
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.exchanges, 2);
        assert.strictEqual(fake.stats.errors.ERR_TOKEN_EXPIRED, undefined, 'no request was sent with an expired token');
    });

    it('a token 30 s from its 24 h expiry is renewed before it is used again (no ERR_TOKEN_EXPIRED)', async function () {
        fake = await actyx.start();
        // the node issues the first token as if it had been made 23 h 59 min 30 s ago
        fake.setClock(() => Date.now() - (86400 - 30) * 1000);
        await rt.load(flowTo(fake.url));
        let r = await get();
        assert.strictEqual(r.msg.statusCode, 200);
        const first = fake.stats.log.find((l) => l.path === OFFSETS).headers.authorization;
        const left = actyx.decodeToken(first.slice(7)).payload;
        assert.ok(Math.abs(left.created / 1000 + left.validity * 1000 - Date.now() - 30000) < 5000, 'the first token had about 30 s left');
        fake.setClock(undefined);
        r = await get();
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.exchanges, 2, 'renewed within the 60 s margin, before the second request');
        const second = fake.stats.log.filter((l) => l.path === OFFSETS)[1].headers.authorization;
        assert.notStrictEqual(second, first);
        assert.strictEqual(fake.stats.errors.ERR_TOKEN_EXPIRED, undefined);
    });

    it('the node\'s clock is 25 h ahead: 401 ERR_TOKEN_EXPIRED on a token Node-RED thinks fresh → one fresh token, one retry → 200', async function () {
        fake = await actyx.start();
        await rt.load(flowTo(fake.url));
        let r = await get();
        assert.strictEqual(r.msg.statusCode, 200);
        fake.setClock(() => Date.now() + 25 * 3600 * 1000);
        r = await get();
        assert.strictEqual(r.via, 'out', r.msg.error && r.msg.error.message);
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.errors.ERR_TOKEN_EXPIRED, 1);
        assert.strictEqual(fake.stats.exchanges, 2);
    });

    it('a fault (500 from the exchange): the Catch node sees the node-style words; the next message tries again and succeeds', async function () {
        fake = await actyx.start({ failExchange: 1 });
        await rt.load(flowTo(fake.url));
        let r = await get();
        assert.strictEqual(r.via, 'caught');
        assert.strictEqual(words(r.msg), 'API credentials "ax": token exchange POST /api/v2/auth: HTTP 500 ERR_INTERNAL: Internal server error.');
        r = await get();
        assert.strictEqual(r.via, 'out', r.msg.error && r.msg.error.message);
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.exchanges, 2);
    });

    it('node down (closed port, no server at all) → a clear error via Catch', async function () {
        const port = await closedPort();
        await rt.load(flowTo(`http://127.0.0.1:${port}`));
        const r = await rt.request({ url: `http://127.0.0.1:${port}${OFFSETS}`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        assert.match(r.msg.error.message, /API credentials "ax": token exchange POST \/api\/v2\/auth: connection refused/);
    });
});
