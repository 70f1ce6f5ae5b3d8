'use strict';
// The config node and the auth node's message handling, against the fakes and the real
// http request node: ${ENV} credentials, unset variables, headers of a previous response, what
// the marker in msg holds, the wiring warning, the Test endpoint (unsaved and stored values).
const assert = require('node:assert');
const tedee = require('./fakes/tedee');
const nightscout = require('./fakes/nightscout');
const rt = require('./support/nodered');

const TOKEN = 'BE9xnPnGfVUS';
const API_SECRET = 'abcdefghij123456';
const SUBJECTS = [{ id: '5f0000000000000000000001', name: 'Node-RED reader', roles: ['readable'] }];

describe('auth: config node, env vars, message hygiene, Test endpoint', function () {
    let fake;
    afterEach(async function () {
        await rt.unload();
        if (fake) await fake.close();
        fake = null;
        delete process.env.API_AUTH_TEST_TEDEE;
        delete process.env.API_AUTH_TEST_UNSET;
    });

    it('${ENV_VAR} in a credential is resolved from the environment at deploy', async function () {
        fake = await tedee.start({ token: TOKEN });
        process.env.API_AUTH_TEST_TEDEE = TOKEN;
        await rt.load(rt.loopFlow({ props: { scheme: 'tedee' }, creds: { token: '${API_AUTH_TEST_TEDEE}' } }));
        const r = await rt.request({ url: `${fake.base}/bridge`, method: 'GET' });
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.accepted, 1);
    });

    it('an unset ${ENV_VAR} is reported: status "env var unset", an error naming the node, field and variable, nothing sent', async function () {
        fake = await tedee.start({ token: TOKEN });
        const { auth } = await rt.load(rt.loopFlow({ props: { name: 'bridge', scheme: 'tedee' }, creds: { token: '${API_AUTH_TEST_UNSET}' } }));
        const statuses = [];
        auth.on('call:status', (c) => statuses.push(c.args[0]));
        const r = await rt.request({ url: `${fake.base}/bridge`, method: 'GET' });
        assert.strictEqual(r.via, 'caught');
        assert.match(r.msg.error.message, /API credentials "bridge": token: environment variable \$\{API_AUTH_TEST_UNSET\} is not set/);
        assert.strictEqual(fake.stats.requests, 0);
        const cfg = rt.helper.getNode('cfg');
        assert.ok(cfg.problem instanceof Error);
        assert.strictEqual(cfg.signer, null);
        // the status was set at start, before the test could listen: check the node's last status call
        const calls = auth.status.getCalls ? auth.status.getCalls().map((c) => c.args[0]) : statuses;
        assert.ok(calls.concat(statuses).some((s) => s && s.text === 'env var unset' && s.fill === 'red'), JSON.stringify(calls));
    });

    it('headers of a previous response (x-node-red-request-node) are not sent; own headers are, auth replaces any case', async function () {
        fake = await tedee.start({ token: TOKEN, mode: 'plain' });
        await rt.load(rt.loopFlow({ props: { scheme: 'tedee', mode: 'plain' }, creds: { token: TOKEN } }));
        let r = await rt.request({ url: `${fake.base}/bridge`, method: 'GET' });
        const prev = r.msg.headers;
        assert.ok(prev['x-node-red-request-node']);
        prev['x-extra-from-response'] = 'yes'; // modified, so the http request node's own hash check would keep them
        r = await rt.request({ url: `${fake.base}/bridge`, method: 'GET', headers: prev });
        assert.strictEqual(r.msg.statusCode, 200);
        let sent = fake.stats.log[1].headers;
        assert.strictEqual(sent['x-extra-from-response'], undefined);
        assert.strictEqual(sent['content-length'], undefined);
        r = await rt.request({ url: `${fake.base}/bridge`, method: 'GET', headers: { 'X-Mine': '1', API_TOKEN: 'user-set-wrong' } });
        assert.strictEqual(r.msg.statusCode, 200);
        sent = fake.stats.log[2].headers;
        assert.strictEqual(sent['x-mine'], '1');
        assert.strictEqual(sent.api_token, TOKEN);
    });

    it('the message going to the http request node holds no exchanged token except the auth header, and nothing else changes', async function () {
        fake = await nightscout.start({ apiSecret: API_SECRET, subjects: SUBJECTS });
        const token = fake.tokenFor('Node-RED reader');
        // a second wire on output 1 gets a copy made at send time (the http request node then reuses the original)
        const flow = rt.loopFlow({ props: { scheme: 'nightscout', mode: 'jwt', baseUrl: fake.url }, creds: { token }, authProps: { wires: [['http', 'sent'], ['out']] } });
        flow.flow.push({ id: 'sent', type: 'helper', z: 'tab1', x: 10, y: 10 });
        await rt.load(flow);
        const seen = rt.collect('sent');
        const msg = { url: `${fake.url}/api/v3/entries`, method: 'GET', payload: { a: 1 }, topic: 't', other: [1, 2] };
        const r = await rt.request(msg);
        assert.strictEqual(r.msg.statusCode, 200);
        const out = seen[0];
        const jwt = out.headers.Authorization.slice('Bearer '.length);
        const rest = Object.assign({}, out);
        delete rest.headers;
        const text = JSON.stringify(rest);
        assert.ok(!text.includes(jwt), 'the JWT is only in the header');
        assert.ok(!text.includes(token), 'the access token is nowhere');
        // followRedirects = false: the http request node must not carry the header to a redirect's target
        assert.deepStrictEqual(Object.keys(out).sort(), ['_apiAuth', '_msgid', 'followRedirects', 'headers', 'method', 'other', 'payload', 'topic', 'url']);
        assert.strictEqual(out.followRedirects, false);
        assert.deepStrictEqual(out.payload, { a: 1 });
        assert.strictEqual(out.topic, 't');
        // the final response leaves with the flow's own url and no followRedirects of ours
        assert.strictEqual(r.msg.url, msg.url);
        assert.ok(!('followRedirects' in r.msg));
    });

    it('warns once, by label, when the wired http request node has "Use authentication" on and the scheme sets Authorization', async function () {
        const flow = rt.loopFlow({ props: { scheme: 'timetagger', mode: 'bearer' }, creds: { token: TOKEN }, httpProps: { authType: 'bearer' } });
        flow.credentials.http = { password: 'overwrites-it' };
        let { auth } = await rt.load(flow);
        await new Promise((r) => setTimeout(r, 50));
        let warned = auth.warn.getCalls().map((c) => String(c.args[0])).filter((w) => /Use authentication/.test(w));
        assert.equal(warned.length, 1, JSON.stringify(warned));
        assert.match(warned[0], /the http request node "http" wired to output 1/);
        await rt.unload();
        // Tedee sets api_token, not Authorization: nothing to warn about
        const tflow = rt.loopFlow({ props: { scheme: 'tedee' }, creds: { token: TOKEN }, httpProps: { authType: 'bearer' } });
        tflow.credentials.http = { password: 'overwrites-it' };
        ({ auth } = await rt.load(tflow));
        await new Promise((r) => setTimeout(r, 50));
        warned = auth.warn.getCalls().map((c) => String(c.args[0])).filter((w) => /Use authentication/.test(w));
        assert.deepEqual(warned, []);
    });

    it('says so when the http request node\'s output does not come back (no 401 loop): a warning and a yellow status', async function () {
        const { auth } = await rt.load(rt.loopFlow({ props: { scheme: 'tedee' }, creds: { token: TOKEN }, loop: false }));
        await new Promise((r) => setTimeout(r, 50));
        const warned = auth.warn.getCalls().map((c) => String(c.args[0]));
        assert.ok(warned.some((w) => /the output of the http request node "http" does not come back into this node/.test(w)), JSON.stringify(warned));
        const statuses = auth.status.getCalls().map((c) => c.args[0]);
        assert.deepStrictEqual(statuses[statuses.length - 1], { fill: 'yellow', shape: 'ring', text: 'no 401 loop: wire http request back' });
        await rt.unload();
        // wired back: no such warning, and the status starts grey with the API's name
        const { auth: looped } = await rt.load(rt.loopFlow({ props: { scheme: 'tedee' }, creds: { token: TOKEN } }));
        await new Promise((r) => setTimeout(r, 50));
        assert.ok(!looped.warn.getCalls().some((c) => /does not come back/.test(String(c.args[0]))));
        assert.deepStrictEqual(looped.status.getCalls().map((c) => c.args[0]).pop(), { fill: 'grey', shape: 'ring', text: 'Tedee bridge' });
    });

    it('a relative msg.url is a path under the credentials\' Base URL; the status turns green after a good answer', async function () {
        fake = await tedee.start({ token: TOKEN });
        const { auth } = await rt.load(rt.loopFlow({ props: { scheme: 'tedee', baseUrl: `${fake.base}/` }, creds: { token: TOKEN } }));
        const r = await rt.request({ url: '/bridge', method: 'GET' });
        assert.strictEqual(r.via, 'out', r.msg.error && r.msg.error.message);
        assert.strictEqual(r.msg.statusCode, 200);
        assert.strictEqual(fake.stats.log[0].path, '/v1.0/bridge');
        assert.strictEqual(r.msg.url, '/bridge', 'msg.url as the flow gave it');
        assert.deepStrictEqual(auth.status.getCalls().map((c) => c.args[0]).pop(), { fill: 'green', shape: 'dot', text: 'ok' });
    });

    describe('Test endpoint', function () {
        const post = (id, body) => rt.helper.request().post(`/api-auth/test/${id}`).send(body).expect(200).then((r) => r.body);

        it('works with unsaved values (a node that was never deployed)', async function () {
            fake = await nightscout.start({ apiSecret: API_SECRET, subjects: SUBJECTS, penaltyMs: 100 });
            await rt.load(rt.loopFlow({ props: { scheme: 'tedee' }, creds: { token: TOKEN } }));
            let body = await post('not-deployed', { scheme: 'nightscout', mode: 'secret', baseUrl: fake.url, credentials: { secret: API_SECRET } });
            assert.strictEqual(body.ok, true, JSON.stringify(body));
            assert.match(body.message, /canRead: true/);
            body = await post('not-deployed', { scheme: 'nightscout', mode: 'secret', baseUrl: fake.url, credentials: { secret: 'wrong-secret-123' } });
            assert.strictEqual(body.ok, false);
            assert.match(body.message, /not authorized/);
            assert.ok(!JSON.stringify(body).includes('wrong-secret-123'));
            body = await post('not-deployed', { scheme: 'nightscout', mode: 'jwt', baseUrl: fake.url, credentials: { token: fake.tokenFor('Node-RED reader') } });
            assert.strictEqual(body.ok, true, JSON.stringify(body));
        });

        it('uses the stored secret for __PWRD__ / has_<name>, and reports an unset ${ENV}', async function () {
            fake = await tedee.start({ token: TOKEN });
            await rt.load(rt.loopFlow({ props: { scheme: 'tedee', baseUrl: fake.base }, creds: { token: TOKEN } }));
            let body = await post('cfg', { scheme: 'tedee', mode: 'encrypted', baseUrl: fake.base, credentials: { token: '__PWRD__' } });
            assert.strictEqual(body.ok, true, JSON.stringify(body));
            assert.match(body.message, /Fake bridge/);
            body = await post('cfg', { scheme: 'tedee', mode: 'encrypted', baseUrl: fake.base, credentials: { token: '', has_token: true } });
            assert.strictEqual(body.ok, true, JSON.stringify(body));
            body = await post('cfg', { scheme: 'tedee', mode: 'encrypted', baseUrl: fake.base, credentials: { token: 'WrongToken99' } });
            assert.strictEqual(body.ok, false);
            assert.strictEqual(body.status, 401);
            assert.match(body.message, /Invalid token/);
            body = await post('cfg', { scheme: 'tedee', mode: 'encrypted', baseUrl: fake.base, credentials: { token: '${API_AUTH_TEST_UNSET}' } });
            assert.strictEqual(body.ok, false);
            assert.match(body.message, /token: environment variable \$\{API_AUTH_TEST_UNSET\} is not set/);
            process.env.API_AUTH_TEST_TEDEE = TOKEN;
            body = await post('cfg', { scheme: 'tedee', mode: 'encrypted', baseUrl: fake.base, credentials: { token: '${API_AUTH_TEST_TEDEE}' } });
            assert.strictEqual(body.ok, true, JSON.stringify(body));
        });
    });
});
