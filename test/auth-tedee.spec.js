'use strict';
// Tedee bridge (fake from PROTOCOLS.md §4, time window + single use) through the real
// http request node: fresh keys per message, header and query placement, plain mode,
// the 401 loop (one retry with a fresh key), a wrong token, and a bridge that is down.
const assert = require('node:assert');
const tedee = require('./fakes/tedee');
const rt = require('./support/nodered');
const { closedPort } = require('./support/ports');

const TOKEN = 'BE9xnPnGfVUS';

describe('auth: tedee bridge keys', function () {
    let fake;
    afterEach(async function () {
        await rt.unload();
        if (fake) await fake.close();
        fake = null;
    });

    it('encrypted key in the api_token header is fresh for every message (20 in a row all accepted)', async function () {
        fake = await tedee.start({ token: TOKEN });
        await rt.load(rt.loopFlow({ props: { scheme: 'tedee', mode: 'encrypted', placement: 'header' }, creds: { token: TOKEN } }));
        for (let i = 0; i < 20; i++) {
            const r = await rt.request({ url: `${fake.base}/bridge`, method: 'GET', payload: '' });
            assert.strictEqual(r.via, 'out');
            assert.strictEqual(r.msg.statusCode, 200, JSON.stringify(r.msg.payload));
            assert.strictEqual(r.msg.payload.name, 'Fake bridge');
            assert.strictEqual(r.msg._apiAuth, undefined, 'marker removed from the final response');
        }
        assert.strictEqual(fake.stats.accepted, 20);
        assert.strictEqual(fake.stats.replays, 0);
        const keys = new Set(fake.stats.log.map((l) => l.headers.api_token));
        assert.strictEqual(keys.size, 20);
    });

    it('encrypted key in the query replaces an existing api_token and keeps other params', async function () {
        fake = await tedee.start({ token: TOKEN });
        await rt.load(rt.loopFlow({ props: { scheme: 'tedee', mode: 'encrypted', placement: 'query' }, creds: { token: TOKEN } }));
        const url = `${fake.base}/lock?x=1&api_token=stale`;
        const r = await rt.request({ url, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        assert.ok(Array.isArray(r.msg.payload));
        const l = fake.stats.log[0];
        assert.strictEqual(l.query.x, '1');
        assert.match(l.query.api_token, /^[0-9a-f]{64}\d{13}$/);
        assert.strictEqual(l.headers.api_token, undefined);
    });

    it('plain mode sends the token itself', async function () {
        fake = await tedee.start({ token: TOKEN, mode: 'plain' });
        await rt.load(rt.loopFlow({ props: { scheme: 'tedee', mode: 'plain' }, creds: { token: TOKEN } }));
        const r = await rt.request({ url: `${fake.base}/bridge`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.log[0].headers.api_token, TOKEN);
    });

    it('a refused key is retried once with a fresh key ~0.5 s later and then succeeds', async function () {
        fake = await tedee.start({ token: TOKEN });
        await rt.load(rt.loopFlow({ props: { scheme: 'tedee', mode: 'encrypted' }, creds: { token: TOKEN } }));
        fake.failNext(1, 401);
        const t0 = Date.now();
        const r = await rt.request({ url: `${fake.base}/lock/12345/unlock`, method: 'POST', payload: '' });
        assert.strictEqual(r.via, 'out');
        assert.strictEqual(r.msg.statusCode, 202);
        assert.ok(Date.now() - t0 >= 450, 'waited before the retry');
        assert.strictEqual(fake.stats.requests, 2);
        assert.strictEqual(fake.stats.unlock, 1);
    });

    it('a wrong token fails cleanly: exactly one error via Catch naming the status and "Invalid token", 2 requests', async function () {
        fake = await tedee.start({ token: TOKEN });
        await rt.load(rt.loopFlow({ props: { name: 'bridge', scheme: 'tedee', mode: 'encrypted' }, creds: { token: 'WRONGtoken12' } }));
        const errors = rt.collect('caught');
        const outs = rt.collect('out');
        const r = await rt.request({ url: `${fake.base}/bridge`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        const msg = r.msg.error.message;
        assert.match(msg, /API credentials "bridge"/);
        assert.match(msg, /401/);
        assert.match(msg, /Invalid token/);
        assert.ok(!msg.includes('WRONGtoken12'), 'no secret in the error');
        await new Promise((res) => setTimeout(res, 300));
        assert.strictEqual(errors.length, 1);
        assert.strictEqual(outs.length, 0);
        assert.strictEqual(fake.stats.requests, 2);
    });

    it('bridge down (closed port) → a clear error through Catch within the timeout', async function () {
        const port = await closedPort();
        await rt.load(rt.loopFlow({ props: { scheme: 'tedee', mode: 'encrypted' }, creds: { token: TOKEN } }));
        const t0 = Date.now();
        const r = await rt.request({ url: `http://127.0.0.1:${port}/v1.0/bridge`, method: 'GET' }, { wait: ['caught'] });
        assert.match(String(r.msg.error.message), /ECONNREFUSED/);
        assert.ok(Date.now() - t0 < 10000);
    });
});
