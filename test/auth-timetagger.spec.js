'use strict';
// TimeTagger with the REAL server (PyPI timetagger==26.1.3 on loopback, test/support/timetagger.js)
// through the real http request node: create a record and read it back; the 'bearer' option is
// real (the server answers 401 "Missing jwt 'authtoken'"); a revoked API token surfaces as a
// clear error through a Catch node.
const assert = require('node:assert');
const timetagger = require('./support/timetagger');
const rt = require('./support/nodered');

describe('auth: timetagger (real server)', function () {
    this.timeout(90000);
    let tt;
    before(async function () {
        tt = await timetagger.start();
    });
    after(async function () {
        if (tt) await tt.close();
    });
    afterEach(async function () {
        await rt.unload();
    });

    it('creates a record (PUT records) and reads it back (GET records?timerange=)', async function () {
        await rt.load(rt.loopFlow({ props: { scheme: 'timetagger', mode: 'authtoken', baseUrl: tt.base }, creds: { token: tt.apiToken } }));
        const now = Math.floor(Date.now() / 1000);
        const key = 'nr' + Math.random().toString(36).slice(2, 10);
        const record = { key, mt: now, t1: now - 600, t2: now - 60, ds: '#node-red test record', st: 0 };
        let r = await rt.request({ url: `${tt.base}records`, method: 'PUT', payload: [record], headers: { 'content-type': 'application/json' } });
        assert.strictEqual(r.via, 'out', r.msg.error && r.msg.error.message);
        assert.strictEqual(r.msg.statusCode, 200, JSON.stringify(r.msg.payload));
        assert.deepStrictEqual(r.msg.payload.accepted, [key]);

        // the response's headers (x-node-red-request-node) go back in: they must not be sent
        r = await rt.request({ url: `${tt.base}records?timerange=${now - 3600}-${now + 60}`, method: 'GET', headers: r.msg.headers });
        assert.strictEqual(r.msg.statusCode, 200, JSON.stringify(r.msg.payload));
        const found = r.msg.payload.records.find((x) => x.key === key);
        assert.ok(found, 'the record comes back');
        assert.strictEqual(found.ds, '#node-red test record');

        r = await rt.request({ url: `${tt.base}version`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(r.msg.payload.version, '26.1.3');
    });

    it("mode 'bearer' sends Authorization: Bearer, which this server refuses: 401 Missing jwt 'authtoken'", async function () {
        await rt.load(rt.loopFlow({ props: { name: 'tt-bearer', scheme: 'timetagger', mode: 'bearer' }, creds: { token: tt.apiToken } }));
        const r = await rt.request({ url: `${tt.base}version`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        assert.match(r.msg.error.message, /HTTP 401 from GET \/timetagger\/api\/v2\/version: unauthorized: Missing jwt 'authtoken' in header\. — API credentials "tt-bearer"$/);
        assert.ok(!r.msg.error.message.includes(tt.apiToken));
    });

    it('after resetApiToken() the old token surfaces as a clear error via Catch containing "revoked"', async function () {
        const old = tt.apiToken;
        await rt.load(rt.loopFlow({ props: { name: 'tt', scheme: 'timetagger', baseUrl: tt.base }, creds: { token: old } }));
        let r = await rt.request({ url: `${tt.base}version`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        await tt.resetApiToken();
        const errors = rt.collect('caught');
        r = await rt.request({ url: `${tt.base}version`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        const m = r.msg.error.message;
        // the status and the server's own words first: they read whole in the debug sidebar
        assert.match(m, /HTTP 401 from GET \/timetagger\/api\/v2\/version: unauthorized: The apitoken is revoked \(seed does not match\) — API credentials "tt"$/);
        assert.ok(!m.includes(old), 'the token is not in the error');
        await new Promise((res) => setTimeout(res, 200));
        assert.strictEqual(errors.length, 1);
    });

    it('the Test endpoint answers with the server version (GET /version)', async function () {
        await rt.load(rt.loopFlow({ props: { scheme: 'timetagger', baseUrl: tt.base }, creds: { token: tt.apiToken } }));
        const res = await rt.helper.request().post('/api-auth/test/cfg')
            .send({ scheme: 'timetagger', mode: 'authtoken', baseUrl: tt.base, credentials: { token: '__PWRD__' } })
            .expect(200);
        assert.strictEqual(res.body.ok, true, JSON.stringify(res.body));
        assert.match(res.body.message, /26\.1\.3/);
    });
});
