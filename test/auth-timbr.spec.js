'use strict';
// Timbr (fake from PROTOCOLS.md §2, its own Fernet) through the real http request node:
// get_token exchange in every key mode and both plaintext modes, static token mode, single
// flight, the 401/403 loop after a revoked token, wrong credentials, and a server that is down.
const assert = require('node:assert');
const crypto = require('node:crypto');
const timbr = require('./fakes/timbr');
const rt = require('./support/nodered');
const { closedPort } = require('./support/ports');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fernetKey = () => crypto.randomBytes(32).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

function exchangeFlow(fake, { salt, keyMode = 'key', plaintextMode = 'base64', password = 'secret', name = 'timbr' }) {
    return rt.loopFlow({
        props: { name, scheme: 'timbr', mode: 'exchange', baseUrl: fake.url, keyMode, plaintextMode },
        creds: { username: 'admin', password, salt },
    });
}

describe('auth: timbr', function () {
    let fake;
    afterEach(async function () {
        await rt.unload();
        if (fake) await fake.close();
        fake = null;
    });

    const modes = [
        { keyMode: 'key', plaintextMode: 'base64', salt: fernetKey() },
        { keyMode: 'key', plaintextMode: 'plain', salt: fernetKey() },
        { keyMode: 'md5', plaintextMode: 'base64', salt: 'my-api-auth-salt' },
        { keyMode: 'sha256', plaintextMode: 'base64', salt: 'my-api-auth-salt' },
    ];
    for (const m of modes) {
        it(`exchange (key mode ${m.keyMode}, plaintext ${m.plaintextMode}): get_token once, then x-api-key on every call`, async function () {
            fake = await timbr.start({ salt: m.salt, keyMode: m.keyMode, plaintextMode: m.plaintextMode, users: { admin: 'secret' } });
            await rt.load(exchangeFlow(fake, m));
            for (let i = 0; i < 3; i++) {
                const r = await rt.request({ url: `${fake.url}/timbr/api/query/demo`, method: 'POST', payload: { query: 'SELECT 1' } });
                assert.strictEqual(r.via, 'out', r.msg.error && r.msg.error.message);
                assert.strictEqual(r.msg.statusCode, 200, JSON.stringify(r.msg.payload));
                assert.strictEqual(r.msg.payload.data[0].user, 'admin');
            }
            assert.strictEqual(fake.stats.exchanges, 1);
            const ex = fake.stats.log.find((l) => l.path === '/timbr/api/get_token');
            assert.match(ex.headers.authorization, /^Bearer gAAAAA/);
            assert.strictEqual(ex.headers['content-type'], 'application/json');
            const call = fake.stats.log.find((l) => l.path === '/timbr/api/query/demo');
            assert.match(call.headers['x-api-key'], /^tk_/);
            assert.strictEqual(call.headers['content-type'], 'application/json');
        });
    }

    it('token mode: a static user token as x-api-key, no exchange', async function () {
        fake = await timbr.start({ salt: fernetKey() });
        fake.tokens.set('tk_static0123456789', { user: 'admin', revoked: false });
        await rt.load(rt.loopFlow({ props: { scheme: 'timbr', mode: 'token' }, creds: { token: 'tk_static0123456789' } }));
        const r = await rt.request({ url: `${fake.url}/timbr/api/ontologies`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(r.msg.payload.data[0].ontology, 'demo');
        assert.strictEqual(fake.stats.exchanges, 0);
    });

    it('token mode with a revoked token: one clear error via Catch ("token revoked")', async function () {
        fake = await timbr.start({ salt: fernetKey() });
        fake.tokens.set('tk_static0123456789', { user: 'admin', revoked: true });
        await rt.load(rt.loopFlow({ props: { name: 'tb', scheme: 'timbr', mode: 'token' }, creds: { token: 'tk_static0123456789' } }));
        const r = await rt.request({ url: `${fake.url}/timbr/api/ontologies`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        assert.match(r.msg.error.message, /HTTP 403 from GET \/timbr\/api\/ontologies: token revoked — API credentials "tb"$/);
        assert.ok(!r.msg.error.message.includes('tk_static0123456789'));
    });

    it('100 concurrent messages on a cold cache cause exactly one get_token', async function () {
        const salt = fernetKey();
        fake = await timbr.start({ salt });
        await rt.load(exchangeFlow(fake, { salt }));
        const all = await Promise.all(Array.from({ length: 100 }, () => rt.request({ url: `${fake.url}/timbr/api/ontologies`, method: 'GET' })));
        assert.ok(all.every((r) => r.via === 'out' && r.msg.statusCode === 200));
        assert.strictEqual(fake.stats.exchanges, 1);
    });

    it('401/403 loop: a token revoked server-side → one re-exchange → success; 100 concurrent 403s → one re-exchange', async function () {
        const salt = fernetKey();
        fake = await timbr.start({ salt });
        await rt.load(exchangeFlow(fake, { salt }));
        let r = await rt.request({ url: `${fake.url}/timbr/api/ontologies`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        fake.revokeAll();
        r = await rt.request({ url: `${fake.url}/timbr/api/ontologies`, method: 'GET' });
        assert.strictEqual(r.via, 'out');
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.exchanges, 2);
        fake.revokeAll();
        const all = await Promise.all(Array.from({ length: 100 }, () => rt.request({ url: `${fake.url}/timbr/api/ontologies`, method: 'GET' })));
        assert.ok(all.every((x) => x.via === 'out' && x.msg.statusCode === 200));
        assert.strictEqual(fake.stats.exchanges, 3);
    });

    it('the request is restored on the retry: method, url, payload and the user\'s own headers', async function () {
        const salt = fernetKey();
        fake = await timbr.start({ salt });
        await rt.load(exchangeFlow(fake, { salt }));
        let r = await rt.request({ url: `${fake.url}/timbr/api/ontologies`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        fake.revokeAll();
        r = await rt.request({ url: `${fake.url}/timbr/api/query/demo`, method: 'POST', payload: { query: 'SELECT 2' }, headers: { 'X-Trace': 'abc' } });
        assert.strictEqual(r.msg.statusCode, 200, JSON.stringify(r.msg.payload));
        const calls = fake.stats.log.filter((l) => l.path === '/timbr/api/query/demo');
        assert.strictEqual(calls.length, 2);
        assert.strictEqual(calls[1].method, 'POST');
        assert.strictEqual(calls[1].headers['x-trace'], 'abc');
        assert.notStrictEqual(calls[0].headers['x-api-key'], calls[1].headers['x-api-key']);
    });

    it('wrong password: exactly one error via Catch with the server\'s words, ≤ 2 requests', async function () {
        const salt = fernetKey();
        fake = await timbr.start({ salt });
        await rt.load(exchangeFlow(fake, { salt, password: 'wrong-password', name: 'tb' }));
        const errors = rt.collect('caught');
        const r = await rt.request({ url: `${fake.url}/timbr/api/ontologies`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        const m = r.msg.error.message;
        assert.match(m, /API credentials "tb": token exchange POST \/timbr\/api\/get_token: HTTP 401 invalid username or password/);
        assert.ok(!m.includes('wrong-password') && !m.includes(salt));
        await sleep(200);
        assert.strictEqual(errors.length, 1);
        assert.ok(fake.stats.requests <= 2);
    });

    it('a salt that is not a Fernet key (key mode) is refused with a message naming the field', async function () {
        fake = await timbr.start({ salt: fernetKey() });
        await rt.load(exchangeFlow(fake, { salt: 'not-a-key', name: 'tb' }));
        const r = await rt.request({ url: `${fake.url}/timbr/api/ontologies`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        assert.match(r.msg.error.message, /API credentials "tb": salt: /);
        assert.strictEqual(fake.stats.requests, 0);
    });

    it('server errors (5xx) are not cached: the next message exchanges again and succeeds', async function () {
        const salt = fernetKey();
        fake = await timbr.start({ salt });
        await rt.load(exchangeFlow(fake, { salt }));
        fake.failExchange(1, 500);
        let r = await rt.request({ url: `${fake.url}/timbr/api/ontologies`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        assert.match(r.msg.error.message, /HTTP 500 fake server fault/);
        r = await rt.request({ url: `${fake.url}/timbr/api/ontologies`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
    });

    it('server down (closed port) → a clear error via Catch', async function () {
        const port = await closedPort();
        await rt.load(rt.loopFlow({
            props: { name: 'tb', scheme: 'timbr', mode: 'exchange', baseUrl: `http://127.0.0.1:${port}` },
            creds: { username: 'admin', password: 'secret', salt: fernetKey() },
        }));
        const r = await rt.request({ url: `http://127.0.0.1:${port}/timbr/api/ontologies`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        assert.match(r.msg.error.message, /API credentials "tb": token exchange POST \/timbr\/api\/get_token: connection refused/);
    });
});
