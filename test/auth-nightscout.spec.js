'use strict';
// Nightscout (fake from PROTOCOLS.md §3) through the real http request node: API secret,
// access token (header and query), JWT exchange with single flight, renewal before exp, the
// 401 loop after the server stops accepting the JWT, wrong secrets without hammering, and a
// server that is down or silent.
const assert = require('node:assert');
const net = require('node:net');
const nightscout = require('./fakes/nightscout');
const rt = require('./support/nodered');
const { closedPort } = require('./support/ports');

const API_SECRET = 'abcdefghij123456';
const SUBJECTS = [{ id: '5f0000000000000000000001', name: 'Node-RED reader', roles: ['readable'] }];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('auth: nightscout', function () {
    let fake;
    const extra = [];
    afterEach(async function () {
        await rt.unload();
        if (fake) await fake.close();
        fake = null;
        for (const s of extra.splice(0)) await new Promise((r) => { s.close(r); for (const c of s._conns || []) c.destroy(); });
    });

    it('secret mode: api-secret carries the SHA-1 of API_SECRET, never the plain secret', async function () {
        fake = await nightscout.start({ apiSecret: API_SECRET, subjects: SUBJECTS });
        await rt.load(rt.loopFlow({ props: { scheme: 'nightscout', mode: 'secret' }, creds: { secret: API_SECRET } }));
        const r = await rt.request({ url: `${fake.url}/api/v1/entries.json`, method: 'GET' });
        assert.strictEqual(r.via, 'out');
        assert.strictEqual(r.msg.statusCode, 200);
        assert.ok(r.msg.payload.some((e) => e.sgv === 120));
        assert.strictEqual(fake.stats.log[0].headers['api-secret'], 'bcf210644ec3d5ee81ee80ab9e8907abb49c203d');
    });

    it('secret mode with a wrong secret: one clear error via Catch ("Invalid/Missing"), one request, no retry', async function () {
        fake = await nightscout.start({ apiSecret: API_SECRET, subjects: SUBJECTS });
        await rt.load(rt.loopFlow({ props: { name: 'ns', scheme: 'nightscout', mode: 'secret' }, creds: { secret: 'not-the-right-secret' } }));
        const errors = rt.collect('caught');
        const r = await rt.request({ url: `${fake.url}/api/v1/entries.json`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        assert.match(r.msg.error.message, /HTTP 401 from GET \/api\/v1\/entries\.json: Unauthorized: Invalid\/Missing — API credentials "ns"$/);
        assert.ok(!r.msg.error.message.includes('not-the-right-secret'));
        await sleep(200);
        assert.strictEqual(errors.length, 1);
        assert.strictEqual(fake.stats.requests, 1, 'a static secret is not retried (each failure costs 5 s)');
    });

    it('an API_SECRET shorter than 12 characters is refused before anything is sent', async function () {
        fake = await nightscout.start({ apiSecret: API_SECRET, subjects: SUBJECTS });
        await rt.load(rt.loopFlow({ props: { scheme: 'nightscout', mode: 'secret' }, creds: { secret: 'short' } }));
        const r = await rt.request({ url: `${fake.url}/api/v1/entries.json`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        assert.match(r.msg.error.message, /secret/);
        assert.match(r.msg.error.message, /12/);
        assert.strictEqual(fake.stats.requests, 0);
    });

    it('token mode: the access token raw in api-secret, or as ?token= in the query', async function () {
        fake = await nightscout.start({ apiSecret: API_SECRET, subjects: SUBJECTS });
        const token = fake.tokenFor('Node-RED reader');
        assert.strictEqual(token, 'noderedrea-ecaba170b88208db');
        await rt.load(rt.loopFlow({ props: { scheme: 'nightscout', mode: 'token', placement: 'header' }, creds: { token } }));
        let r = await rt.request({ url: `${fake.url}/api/v1/entries.json`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.log[0].headers['api-secret'], token);
        await rt.unload();
        await rt.load(rt.loopFlow({ props: { scheme: 'nightscout', mode: 'token', placement: 'query' }, creds: { token } }));
        r = await rt.request({ url: `${fake.url}/api/v1/entries.json?count=2`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.log[1].query.token, token);
        assert.strictEqual(fake.stats.log[1].query.count, '2');
    });

    it('jwt mode: exchange, then Authorization: Bearer on API v3', async function () {
        fake = await nightscout.start({ apiSecret: API_SECRET, subjects: SUBJECTS });
        const token = fake.tokenFor('Node-RED reader');
        await rt.load(rt.loopFlow({ props: { scheme: 'nightscout', mode: 'jwt', baseUrl: fake.url }, creds: { token } }));
        const r = await rt.request({ url: `${fake.url}/api/v3/entries`, method: 'GET' });
        assert.strictEqual(r.via, 'out', JSON.stringify(r.msg.error || r.msg.payload));
        assert.strictEqual(r.msg.statusCode, 200);
        assert.ok(r.msg.payload.result.some((e) => e.sgv === 120));
        assert.strictEqual(fake.stats.exchanges, 1);
        const apiCall = fake.stats.log.find((l) => l.path === '/api/v3/entries');
        assert.match(apiCall.headers.authorization, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
        assert.ok(!JSON.stringify(r.msg).includes(apiCall.headers.authorization.slice(7)), 'the JWT is not left in the response msg');
    });

    it('jwt mode: 100 concurrent messages on a cold cache cause exactly one exchange', async function () {
        fake = await nightscout.start({ apiSecret: API_SECRET, subjects: SUBJECTS });
        await rt.load(rt.loopFlow({ props: { scheme: 'nightscout', mode: 'jwt', baseUrl: fake.url }, creds: { token: fake.tokenFor('Node-RED reader') } }));
        const all = await Promise.all(Array.from({ length: 100 }, () => rt.request({ url: `${fake.url}/api/v3/entries`, method: 'GET' })));
        assert.ok(all.every((r) => r.via === 'out' && r.msg.statusCode === 200));
        assert.strictEqual(fake.stats.exchanges, 1);
    });

    it('jwt mode: a JWT whose exp has (nearly) passed is renewed before use', async function () {
        fake = await nightscout.start({ apiSecret: API_SECRET, subjects: SUBJECTS, jwtLifetimeSecs: 2 });
        await rt.load(rt.loopFlow({ props: { scheme: 'nightscout', mode: 'jwt', baseUrl: fake.url }, creds: { token: fake.tokenFor('Node-RED reader') } }));
        let r = await rt.request({ url: `${fake.url}/api/v3/entries`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        r = await rt.request({ url: `${fake.url}/api/v3/entries`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.exchanges, 1, 'still fresh: no new exchange');
        await sleep(2100);
        r = await rt.request({ url: `${fake.url}/api/v3/entries`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.exchanges, 2, 'renewed because exp passed');
        assert.strictEqual(fake.stats.failures, 0, 'no request was sent with an expired JWT');
    });

    it('jwt mode 401 loop: a JWT the server no longer accepts → one re-exchange → success', async function () {
        fake = await nightscout.start({ apiSecret: API_SECRET, subjects: SUBJECTS, penaltyMs: 500 });
        await rt.load(rt.loopFlow({ props: { scheme: 'nightscout', mode: 'jwt', baseUrl: fake.url }, creds: { token: fake.tokenFor('Node-RED reader') } }));
        let r = await rt.request({ url: `${fake.url}/api/v3/entries`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        // the server's clock jumps 9 h ahead: our cached JWT (8 h) is expired for the server
        fake.setClock(Date.now() + 9 * 3600 * 1000);
        r = await rt.request({ url: `${fake.url}/api/v3/entries`, method: 'GET' });
        assert.strictEqual(r.via, 'out');
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.exchanges, 2);
    });

    it('jwt mode with a wrong access token: exactly one error via Catch, one request, then no hammering', async function () {
        fake = await nightscout.start({ apiSecret: API_SECRET, subjects: SUBJECTS });
        await rt.load(rt.loopFlow({ props: { name: 'ns-jwt', scheme: 'nightscout', mode: 'jwt', baseUrl: fake.url }, creds: { token: 'noderedrea-0000000000000000' } }));
        const errors = rt.collect('caught');
        const r = await rt.request({ url: `${fake.url}/api/v3/entries`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        const m = r.msg.error.message;
        assert.match(m, /API credentials "ns-jwt"/);
        assert.match(m, /HTTP 401/);
        assert.match(m, /Invalid\/Missing/);
        assert.match(m, /\/api\/v2\/authorization\/request\//);
        assert.ok(!m.includes('noderedrea-0000000000000000'), 'the access token in the path is masked');
        await sleep(200);
        assert.strictEqual(errors.length, 1);
        assert.strictEqual(fake.stats.requests, 1);
        // within the cooldown further messages fail at once without touching the server
        const r2 = await rt.request({ url: `${fake.url}/api/v3/entries`, method: 'GET' });
        assert.strictEqual(r2.via, 'caught');
        assert.strictEqual(fake.stats.requests, 1);
    });

    it('server down (closed port) → a clear error via Catch', async function () {
        const port = await closedPort();
        await rt.load(rt.loopFlow({ props: { name: 'ns', scheme: 'nightscout', mode: 'jwt', baseUrl: `http://127.0.0.1:${port}` }, creds: { token: 'noderedrea-ecaba170b88208db' } }));
        const r = await rt.request({ url: `http://127.0.0.1:${port}/api/v3/entries`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        assert.match(r.msg.error.message, /API credentials "ns": token exchange GET \/api\/v2\/authorization\/request\/.*connection refused/);
        assert.ok(!r.msg.error.message.includes('noderedrea-ecaba170b88208db'));
    });

    it('a silent server → "no answer within 1 s" via Catch, within the configured timeout', async function () {
        const silent = net.createServer((c) => { (silent._conns = silent._conns || []).push(c); });
        await new Promise((r) => silent.listen(0, '127.0.0.1', r));
        extra.push(silent);
        const base = `http://127.0.0.1:${silent.address().port}`;
        await rt.load(rt.loopFlow({ props: { scheme: 'nightscout', mode: 'jwt', baseUrl: base, timeout: 1 }, creds: { token: 'noderedrea-ecaba170b88208db' } }));
        const t0 = Date.now();
        const r = await rt.request({ url: `${base}/api/v3/entries`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        assert.match(r.msg.error.message, /no answer within 1 s/);
        assert.ok(Date.now() - t0 < 3000);
    });
});
