'use strict';
// Actyx (fake from PROTOCOLS.md §5) through the real http request node: manifest → token,
// Bearer header and raw access_token query, renewal before created + validity,
// ERR_TOKEN_EXPIRED after a node restart → 401 loop → re-exchange, a bad manifest, single flight,
// and a node that is down.
const assert = require('node:assert');
const actyx = require('./fakes/actyx');
const rt = require('./support/nodered');
const { closedPort } = require('./support/ports');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MANIFEST = { appId: 'com.example.nodered', displayName: 'Node-RED', appVersion: '1.0.0' };

function flow(fake, extra = {}) {
    return rt.loopFlow({ props: { name: 'ax', scheme: 'actyx', mode: 'exchange', baseUrl: fake.url, ...MANIFEST, ...extra } });
}

describe('auth: actyx', function () {
    let fake;
    afterEach(async function () {
        await rt.unload();
        if (fake) await fake.close();
        fake = null;
    });

    it('exchanges the manifest for a token and sends Authorization: Bearer', async function () {
        fake = await actyx.start();
        await rt.load(flow(fake));
        const r = await rt.request({ url: `${fake.url}/api/v2/events/offsets`, method: 'GET' });
        assert.strictEqual(r.via, 'out', r.msg.error && r.msg.error.message);
        assert.strictEqual(r.msg.statusCode, 200);
        assert.ok(r.msg.payload.present);
        assert.strictEqual(fake.stats.exchanges, 1);
        const call = fake.stats.log.find((l) => l.path === '/api/v2/events/offsets');
        assert.match(call.headers.authorization, /^Bearer [A-Za-z0-9+/=]+$/);
    });

    it('query placement sends access_token raw (base64 +/= not percent-encoded)', async function () {
        fake = await actyx.start();
        await rt.load(flow(fake, { placement: 'query' }));
        const r = await rt.request({ url: `${fake.url}/api/v2/node/id`, method: 'GET' }, {});
        assert.strictEqual(r.msg.statusCode, 200, JSON.stringify(r.msg.payload));
        assert.strictEqual(r.msg.payload, fake.nodeId);
        const call = fake.stats.log.find((l) => l.path === '/api/v2/node/id');
        assert.ok(!/%[0-9A-F]{2}/.test(call.rawQuery.access_token));
    });

    it('ERR_TOKEN_EXPIRED after a node restart → the 401 loop re-exchanges once and succeeds', async function () {
        fake = await actyx.start();
        await rt.load(flow(fake));
        let r = await rt.request({ url: `${fake.url}/api/v2/node/id`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        fake.restart();
        r = await rt.request({ url: `${fake.url}/api/v2/node/id`, method: 'GET' });
        assert.strictEqual(r.via, 'out');
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.exchanges, 2);
        assert.strictEqual(fake.stats.errors.ERR_TOKEN_EXPIRED, 1);
    });

    it('a token is renewed before created + validity (no request is sent with an expired token)', async function () {
        fake = await actyx.start({ validitySecs: 2 });
        await rt.load(flow(fake));
        let r = await rt.request({ url: `${fake.url}/api/v2/node/id`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        await sleep(2100);
        r = await rt.request({ url: `${fake.url}/api/v2/node/id`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.exchanges, 2);
        assert.strictEqual(fake.stats.errors.ERR_TOKEN_EXPIRED, undefined);
    });

    it('100 concurrent messages on a cold cache cause exactly one exchange', async function () {
        fake = await actyx.start();
        await rt.load(flow(fake));
        const all = await Promise.all(Array.from({ length: 100 }, () => rt.request({ url: `${fake.url}/api/v2/node/id`, method: 'GET' })));
        assert.ok(all.every((r) => r.via === 'out' && r.msg.statusCode === 200));
        assert.strictEqual(fake.stats.exchanges, 1);
    });

    it('a bad signature: one clear error via Catch (ERR_MANIFEST_INVALID), then no hammering', async function () {
        fake = await actyx.start({ acceptSignature: 'the-real-signature' });
        await rt.load(flow(fake, { appId: 'io.acme.app', signature: 'a-wrong-signature' }));
        const errors = rt.collect('caught');
        const r = await rt.request({ url: `${fake.url}/api/v2/node/id`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        assert.match(r.msg.error.message, /API credentials "ax": token exchange POST \/api\/v2\/auth: HTTP 400 ERR_MANIFEST_INVALID/);
        await rt.request({ url: `${fake.url}/api/v2/node/id`, method: 'GET' });
        await sleep(100);
        assert.strictEqual(errors.length, 2);
        assert.strictEqual(fake.stats.requests, 1, 'the refused exchange is not repeated within the cooldown');
    });

    it('a trial appId outside com.example. is refused before sending, naming the field', async function () {
        fake = await actyx.start();
        await rt.load(flow(fake, { appId: 'io.acme.app' }));
        const r = await rt.request({ url: `${fake.url}/api/v2/node/id`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        assert.match(r.msg.error.message, /appId/);
        assert.strictEqual(fake.stats.requests, 0);
    });

    it('node down (closed port) → a clear error via Catch', async function () {
        const port = await closedPort();
        await rt.load(rt.loopFlow({ props: { name: 'ax', scheme: 'actyx', baseUrl: `http://127.0.0.1:${port}`, ...MANIFEST } }));
        const r = await rt.request({ url: `http://127.0.0.1:${port}/api/v2/node/id`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        assert.match(r.msg.error.message, /API credentials "ax": token exchange POST \/api\/v2\/auth: connection refused/);
    });
});
