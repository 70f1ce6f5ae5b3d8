'use strict';
// api-auth-verify end to end: real `http in` / `http response` / `http request` / `function`
// nodes, real HTTP over loopback. The client side is the package's own `api-auth` node (loop
// wiring as documented), the server side is http in → api-auth-verify → function → http response,
// both using the SAME api-auth-config node.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const h = require('./verify-harness');
const rt = require('./support/nodered');

const { helper } = h;
const { read, onTab } = require('./support/examples');

// Independent oracles (node:crypto), written from PROTOCOLS.md — not the core under test.
const sha = (alg, s) => crypto.createHash(alg).update(s).digest('hex');
const { tedeeKey } = require('./fakes/tedee'); // node:crypto, independent of the core

const UNAUTHORIZED = { ok: false, error: 'Unauthorized' };
const MISCONFIGURED = { ok: false, error: 'Server misconfigured' };

const TEDEE_TOKEN = 'BE9xnPnGfVUS-verify-e2e';
const NS_SECRET = 'abcdefghij123456';
const NS_ACCESS_TOKEN = 'noderedrea-ecaba170b88208db';

/** The protected endpoint(s) + capture nodes. Endpoint id suffix s: in<s>, verify<s>, ok<s>, bad<s>. */
function serverNodes({ path = '/api-auth-demo/p', suffix = '', verifyProps = {}, refusedTo = null } = {}) {
    return [
        { id: 'in' + suffix, type: 'http in', z: 'tab1', url: path, method: 'get', wires: [['verify' + suffix]] },
        {
            id: 'verify' + suffix, type: 'api-auth-verify', z: 'tab1', name: '', config: 'cfg', windowSecs: 30, respond: true, penalty: 0,
            wires: [['fn' + suffix, 'ok' + suffix], refusedTo ? [refusedTo, 'bad' + suffix] : ['bad' + suffix]], ...verifyProps,
        },
        { id: 'fn' + suffix, type: 'function', z: 'tab1', func: 'msg.payload = { ok: true, auth: msg.auth }; return msg;', outputs: 1, wires: [['res' + suffix]] },
        { id: 'res' + suffix, type: 'http response', z: 'tab1', statusCode: '', headers: {}, wires: [] },
        { id: 'ok' + suffix, type: 'helper', z: 'tab1' },
        { id: 'bad' + suffix, type: 'helper', z: 'tab1' },
    ];
}

/** Client loop flow (test/support/nodered.js) + protected endpoint, one config node `cfg`. */
async function loadBoth({ props, creds, server = {}, extra = [] }) {
    const { flow, credentials } = rt.loopFlow({ props: { name: 'Demo creds', ...props }, creds });
    await h.load([...flow, ...serverNodes(server), ...extra], credentials);
    return {
        cfg: helper.getNode('cfg'),
        verify: helper.getNode('verify' + (server.suffix || '')),
        ok: helper.getNode('ok' + (server.suffix || '')),
        bad: helper.getNode('bad' + (server.suffix || '')),
    };
}

/** Everything that must never contain a secret: messages, log lines, statuses. */
function watchLeaks(nodes) {
    const seen = { msgs: [], statuses: [] };
    for (const n of nodes) {
        if (!n) continue;
        if (n.type === 'helper') n.on('input', (m) => seen.msgs.push(m));
        else n.on('call:status', (call) => seen.statuses.push(call.args[0]));
    }
    return seen;
}
/**
 * What a message carries besides what `http in` put there from the request itself (req, res, and
 * payload = req.query for GET): the verify node leaves those alone and must add no secret.
 */
function msgView(m) {
    const copy = {};
    for (const k of Object.keys(m)) if (k !== 'req' && k !== 'res' && k !== 'payload') copy[k] = m[k];
    return JSON.stringify(copy);
}
function logText() {
    const spy = helper.log();
    return spy ? JSON.stringify(spy.args.map((a) => a.map((x) => (x && x.msg !== undefined ? String(x.msg) : x)))) : '';
}
function assertNoSecret(secrets, seen, extraText = '') {
    const texts = [
        ...seen.msgs.map(msgView),
        ...seen.statuses.map((s) => JSON.stringify(s)),
        logText(),
        extraText,
    ];
    for (const s of secrets) {
        for (const t of texts) assert.ok(!t.includes(s), `secret ${s.slice(0, 3)}… leaked into: ${t.slice(0, 200)}`);
    }
}

describe('api-auth-verify: every verifiable scheme accepts what api-auth sends (real HTTP)', function () {
    before(h.start);
    after(h.stop);
    afterEach(h.unload);

    const cases = [
        { name: 'timetagger authtoken', props: { scheme: 'timetagger', mode: 'authtoken' }, creds: { token: 'tt-api-token-0123456789abcdef' } },
        { name: 'timetagger bearer', props: { scheme: 'timetagger', mode: 'bearer' }, creds: { token: 'tt-api-token-0123456789abcdef' } },
        { name: 'timbr user token (x-api-key)', props: { scheme: 'timbr', mode: 'token' }, creds: { token: 'tk_0123456789abcdef0123' } },
        { name: 'nightscout api secret (sha1 in api-secret)', props: { scheme: 'nightscout', mode: 'secret' }, creds: { secret: NS_SECRET } },
        { name: 'nightscout access token in api-secret', props: { scheme: 'nightscout', mode: 'token', placement: 'header' }, creds: { token: NS_ACCESS_TOKEN } },
        { name: 'nightscout access token in ?token=', props: { scheme: 'nightscout', mode: 'token', placement: 'query' }, creds: { token: NS_ACCESS_TOKEN } },
        { name: 'tedee encrypted key, header', props: { scheme: 'tedee', mode: 'encrypted', placement: 'header' }, creds: { token: TEDEE_TOKEN } },
        { name: 'tedee encrypted key, query', props: { scheme: 'tedee', mode: 'encrypted', placement: 'query' }, creds: { token: TEDEE_TOKEN } },
        { name: 'tedee plain, header', props: { scheme: 'tedee', mode: 'plain', placement: 'header' }, creds: { token: TEDEE_TOKEN } },
        { name: 'tedee plain, query', props: { scheme: 'tedee', mode: 'plain', placement: 'query' }, creds: { token: TEDEE_TOKEN } },
        { name: 'generic header with prefix', props: { scheme: 'header', headerName: 'X-Device-Key', prefix: 'Key ' }, creds: { token: 'generic-secret-0123456789' } },
        { name: 'generic query parameter', props: { scheme: 'header', placement: 'query', queryName: 'key' }, creds: { token: 'generic-secret-0123456789' } },
    ];

    for (const c of cases) {
        it(`${c.name}: 200, msg.auth on output 1, no secret anywhere`, async function () {
            const { cfg, verify, ok, bad } = await loadBoth({ props: c.props, creds: c.creds });
            assert.equal(cfg.problem, null, cfg.problem && cfg.problem.message);
            const seen = watchLeaks([ok, bad, helper.getNode('caught'), verify]);
            const accepted = h.nextMessage(ok);
            const r = await rt.request({ url: h.url('/api-auth-demo/p?x=1'), method: 'GET', payload: '' });
            assert.equal(r.via, 'out', r.msg.error && r.msg.error.message);
            assert.equal(r.msg.statusCode, 200, JSON.stringify(r.msg.payload));
            assert.equal(r.msg.payload.ok, true);
            const m = await accepted;
            assert.deepEqual(m.auth, { ok: true, scheme: c.props.scheme, config: 'cfg', name: 'Demo creds', reason: 'ok' });
            assert.deepEqual(r.msg.payload.auth, m.auth);
            assert.ok(m.req && m.res, 'msg.req / msg.res are passed on for the http response node');
            assert.equal(seen.msgs.filter((x) => x.auth && x.auth.ok === false).length, 0);
            await new Promise((resolve) => setTimeout(resolve, 400)); // let the throttled status show
            assert.ok(seen.statuses.some((s) => s && s.text === '\u2713 1 \u2717 0' && s.fill === 'green'), JSON.stringify(seen.statuses));
            assertNoSecret(Object.values(c.creds), seen, JSON.stringify(r.msg.payload.auth));
        });
    }
});

describe('api-auth-verify: refusals over real HTTP', function () {
    before(h.start);
    after(h.stop);
    afterEach(h.unload);

    async function tedee(server = {}) {
        return loadBoth({ props: { scheme: 'tedee', mode: 'encrypted' }, creds: { token: TEDEE_TOKEN }, server });
    }

    it('tedee: wrong, missing, malformed, stale (past and future) and replayed keys → 401 JSON, reason on output 2', async function () {
        const { verify, ok, bad } = await tedee();
        // the endpoint has been up for 26 s (the replay memory refuses keys from before it was made)
        const skew = 26000;
        verify.now = () => Date.now() + skew;
        const seen = watchLeaks([ok, bad, verify]);
        const refused = h.collect(bad);
        const accepted = h.collect(ok);
        const now = Date.now() + skew;
        const tries = [
            { what: 'wrong token', headers: { api_token: tedeeKey('not-the-token', now) }, reason: 'mismatch' },
            { what: 'missing', headers: {}, reason: 'missing' },
            { what: 'stale (past)', headers: { api_token: tedeeKey(TEDEE_TOKEN, now - 31000) }, reason: 'stale' },
            { what: 'stale (future)', headers: { api_token: tedeeKey(TEDEE_TOKEN, now + 31000) }, reason: 'stale' },
            { what: 'malformed', headers: { api_token: 'abc' }, reason: 'bad-format' },
            { what: 'raw token in encrypted mode', headers: { api_token: TEDEE_TOKEN }, reason: null },
        ];
        for (const t of tries) {
            const r = await h.get('/api-auth-demo/p', t.headers);
            assert.equal(r.status, 401, t.what);
            assert.deepEqual(r.json, UNAUTHORIZED, t.what);
            assert.match(r.headers.get('content-type'), /application\/json/);
        }
        await h.until(() => refused.length === tries.length, 'all refusals on output 2');
        assert.equal(accepted.length, 0);
        tries.forEach((t, i) => {
            assert.equal(refused[i].auth.ok, false, t.what);
            if (t.reason) assert.equal(refused[i].auth.reason, t.reason, t.what);
            else assert.ok(['mismatch', 'bad-format'].includes(refused[i].auth.reason), t.what + ': ' + refused[i].auth.reason);
        });

        // inside the window, either side: accepted once, then a replay
        const key = tedeeKey(TEDEE_TOKEN, Date.now() + skew - 25000);
        assert.equal((await h.get('/api-auth-demo/p', { api_token: key })).status, 200);
        const again = await h.get('/api-auth-demo/p', { api_token: key });
        assert.equal(again.status, 401);
        assert.deepEqual(again.json, UNAUTHORIZED);
        await h.until(() => refused.length === tries.length + 1);
        assert.equal(refused[refused.length - 1].auth.reason, 'replay');
        assert.equal((await h.get('/api-auth-demo/p', { api_token: tedeeKey(TEDEE_TOKEN, Date.now() + skew + 25000) })).status, 200);
        // a repeated parameter (Express makes it an array) is not a key
        const twice = await h.get('/api-auth-demo/p?api_token=' + tedeeKey(TEDEE_TOKEN, Date.now() + skew) + '&api_token=x');
        assert.equal(twice.status, 401);
        await h.until(() => refused.length === tries.length + 2);
        assert.equal(refused[refused.length - 1].auth.reason, 'bad-format');
        // the same key in the query is the same key: still a replay
        assert.equal((await h.get('/api-auth-demo/p?api_token=' + key)).status, 401);
        await h.until(() => refused.length === tries.length + 3);
        assert.equal(refused[refused.length - 1].auth.reason, 'replay');
        await h.until(() => accepted.length === 2);

        await new Promise((resolve) => setTimeout(resolve, 400));
        const last = seen.statuses[seen.statuses.length - 1];
        assert.deepEqual(last, { fill: 'red', shape: 'ring', text: '\u2713 2 \u2717 9' });
        assertNoSecret([TEDEE_TOKEN], { msgs: seen.msgs.map((m) => ({ auth: m.auth })), statuses: seen.statuses });
    });

    it('tedee: the window is the node property windowSecs', async function () {
        const { verify, bad } = await tedee({ verifyProps: { windowSecs: 5 } });
        verify.now = () => Date.now() + 10000; // up for 10 s
        const refused = h.collect(bad);
        assert.equal((await h.get('/api-auth-demo/p', { api_token: tedeeKey(TEDEE_TOKEN, verify.now() - 10000) })).status, 401);
        await h.until(() => refused.length === 1);
        assert.equal(refused[0].auth.reason, 'stale');
        assert.equal((await h.get('/api-auth-demo/p', { api_token: tedeeKey(TEDEE_TOKEN, verify.now() - 3000) })).status, 200);
    });

    it('tedee: 50 concurrent requests with the same key → exactly one 200', async function () {
        const { ok, bad } = await tedee();
        const accepted = h.collect(ok);
        const refused = h.collect(bad);
        const key = tedeeKey(TEDEE_TOKEN, Date.now());
        const results = await Promise.all(Array.from({ length: 50 }, () => h.get('/api-auth-demo/p', { api_token: key })));
        const codes = results.map((r) => r.status);
        assert.equal(codes.filter((c) => c === 200).length, 1, codes.join(','));
        assert.equal(codes.filter((c) => c === 401).length, 49, codes.join(','));
        await h.until(() => accepted.length + refused.length === 50);
        assert.equal(accepted.length, 1);
        assert.equal(refused.length, 49);
        assert.ok(refused.every((m) => m.auth.reason === 'replay'));
    });

    it('two verify nodes on one config node share the replay memory', async function () {
        await loadBoth({
            props: { scheme: 'tedee', mode: 'encrypted' },
            creds: { token: TEDEE_TOKEN },
            extra: serverNodes({ path: '/api-auth-demo/other', suffix: 'B' }),
        });
        const badB = h.collect(helper.getNode('badB'));
        const key = tedeeKey(TEDEE_TOKEN, Date.now());
        assert.equal((await h.get('/api-auth-demo/p', { api_token: key })).status, 200);
        const r = await h.get('/api-auth-demo/other', { api_token: key });
        assert.equal(r.status, 401);
        await h.until(() => badB.length === 1);
        assert.equal(badB[0].auth.reason, 'replay');
        assert.equal(helper.getNode('cfg').verifier().size(), 1);
        // and the other way round
        const key2 = tedeeKey(TEDEE_TOKEN, Date.now() + 1);
        assert.equal((await h.get('/api-auth-demo/other', { api_token: key2 })).status, 200);
        assert.equal((await h.get('/api-auth-demo/p', { api_token: key2 })).status, 401);
    });

    it('nightscout: sha1 upper case and sha512 lower case accepted; plain secret, sha512 upper case and a wrong secret refused', async function () {
        const { ok, bad } = await loadBoth({ props: { scheme: 'nightscout', mode: 'secret' }, creds: { secret: NS_SECRET } });
        const seen = watchLeaks([ok, bad]);
        const refused = h.collect(bad);
        const sha1 = sha('sha1', NS_SECRET);
        assert.equal(sha1, 'bcf210644ec3d5ee81ee80ab9e8907abb49c203d'); // PROTOCOLS.md vector
        assert.equal((await h.get('/api-auth-demo/p', { 'api-secret': sha1.toUpperCase() })).status, 200);
        assert.equal((await h.get('/api-auth-demo/p', { 'api-secret': sha1 })).status, 200);
        assert.equal((await h.get('/api-auth-demo/p', { 'api-secret': sha('sha512', NS_SECRET) })).status, 200);
        for (const [what, v] of [
            ['plain secret', NS_SECRET],
            ['sha512 upper case', sha('sha512', NS_SECRET).toUpperCase()],
            ['sha1 of another secret', sha('sha1', 'another-secret-123')],
        ]) {
            const r = await h.get('/api-auth-demo/p', { 'api-secret': v });
            assert.equal(r.status, 401, what);
            assert.deepEqual(r.json, UNAUTHORIZED, what);
        }
        assert.equal((await h.get('/api-auth-demo/p', { api_secret: sha1 })).status, 401, 'API_SECRET with underscore is not the header');
        await h.until(() => refused.length === 4);
        assertNoSecret([NS_SECRET], seen);
    });

    it('static tokens: wrong and missing → 401', async function () {
        await loadBoth({ props: { scheme: 'timetagger', mode: 'authtoken' }, creds: { token: 'tt-api-token-0123456789abcdef' } });
        assert.equal((await h.get('/api-auth-demo/p', { authtoken: 'tt-api-token-0123456789abcdeF' })).status, 401);
        assert.equal((await h.get('/api-auth-demo/p', { authtoken: 'tt-api-token-0123456789abcde' })).status, 401);
        assert.equal((await h.get('/api-auth-demo/p', { authorization: 'Bearer tt-api-token-0123456789abcdef' })).status, 401, 'authtoken mode does not read Bearer');
        assert.equal((await h.get('/api-auth-demo/p')).status, 401);
        assert.equal((await h.get('/api-auth-demo/p', { AuthToken: 'tt-api-token-0123456789abcdef' })).status, 200, 'header names are case-insensitive');
    });

    it('respond=false: a refusal is only routed to output 2, the flow answers it', async function () {
        await loadBoth({
            props: { scheme: 'tedee', mode: 'encrypted' },
            creds: { token: TEDEE_TOKEN },
            server: { verifyProps: { respond: false }, refusedTo: 'fnRefused' },
            extra: [
                { id: 'fnRefused', type: 'function', z: 'tab1', func: 'msg.statusCode = 418; msg.payload = "refused: " + msg.auth.reason; return msg;', outputs: 1, wires: [['resRefused']] },
                { id: 'resRefused', type: 'http response', z: 'tab1', statusCode: '', headers: {}, wires: [] },
            ],
        });
        const r = await h.get('/api-auth-demo/p', { api_token: tedeeKey('wrong', Date.now()) });
        assert.equal(r.status, 418);
        assert.equal(r.body, 'refused: mismatch');
        assert.equal((await h.get('/api-auth-demo/p', { api_token: tedeeKey(TEDEE_TOKEN, Date.now()) })).status, 200);
    });

    it('penalty: each failure delays the next answer to that client address; a success clears it', async function () {
        await loadBoth({ props: { scheme: 'tedee', mode: 'encrypted' }, creds: { token: TEDEE_TOKEN }, server: { verifyProps: { penalty: 400 } } });
        const timed = async (headers) => {
            const t0 = Date.now();
            const r = await h.get('/api-auth-demo/p', headers);
            return { status: r.status, ms: Date.now() - t0 };
        };
        const first = await timed({ api_token: 'wrong' });
        assert.equal(first.status, 401);
        assert.ok(first.ms < 300, `first failure answered at once (${first.ms} ms)`);
        const second = await timed({ api_token: 'wrong-again' });
        assert.equal(second.status, 401);
        assert.ok(second.ms >= 350, `second request waited the penalty (${second.ms} ms)`);
        // two failures are now pending in the list (the second added 400 ms after its own wait)
        const good = await timed({ api_token: tedeeKey(TEDEE_TOKEN, Date.now()) });
        assert.equal(good.status, 200, 'a valid key is checked on arrival: it does not go stale while held');
        assert.ok(good.ms >= 350, `valid request from a penalised address waited (${good.ms} ms)`);
        const after = await timed({ api_token: tedeeKey(TEDEE_TOKEN, Date.now()) });
        assert.equal(after.status, 200);
        assert.ok(after.ms < 300, `a success cleared the penalty (${after.ms} ms)`);
    });

    it('penalty off by default: failures do not slow the next request', async function () {
        await tedee();
        for (let i = 0; i < 3; i++) assert.equal((await h.get('/api-auth-demo/p', { api_token: 'wrong' })).status, 401);
        const t0 = Date.now();
        assert.equal((await h.get('/api-auth-demo/p', { api_token: tedeeKey(TEDEE_TOKEN, Date.now()) })).status, 200);
        assert.ok(Date.now() - t0 < 300);
    });
});

describe('api-auth-verify: configuration problems answer 500 and raise an error', function () {
    before(h.start);
    after(h.stop);
    afterEach(h.unload);

    // loopFlow (test/support/nodered.js) has a Catch node for the whole tab → helper "caught"
    // (two Catch nodes in one helper.load register the type twice)
    const catchNodes = [];

    const problems = [
        { name: 'unset ${ENV} credential', props: { scheme: 'tedee', mode: 'encrypted' }, creds: { token: '${VERIFY_TEST_UNSET_VAR_4711}' }, expect: /VERIFY_TEST_UNSET_VAR_4711/ },
        { name: 'actyx (not verifiable)', props: { scheme: 'actyx', baseUrl: 'http://127.0.0.1:4454', appId: 'com.example.app', displayName: 'x', appVersion: '1.0.0' }, creds: {}, expect: /actyx|verif/i },
        { name: 'nightscout jwt (not verifiable)', props: { scheme: 'nightscout', mode: 'jwt', baseUrl: 'http://127.0.0.1:1337' }, creds: { token: NS_ACCESS_TOKEN }, expect: /jwt|verif/i, secrets: [NS_ACCESS_TOKEN] },
        {
            name: 'timbr exchange (not verifiable)', props: { scheme: 'timbr', mode: 'exchange', baseUrl: 'http://127.0.0.1:1338' },
            creds: { username: 'admin', password: 'secret-password-42', salt: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=' }, expect: /exchange|verif/i,
            secrets: ['secret-password-42', 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='],
        },
    ];
    for (const p of problems) {
        it(`${p.name}: 500 {"ok":false,"error":"Server misconfigured"}, done(err), red status`, async function () {
            const { verify, ok, bad } = await loadBoth({ props: p.props, creds: p.creds, extra: catchNodes });
            const seen = watchLeaks([ok, bad, helper.getNode('caught'), verify]);
            const passedOk = h.collect(ok);
            const passedBad = h.collect(bad);
            const caught = h.nextMessage(helper.getNode('caught'));
            const r = await h.get('/api-auth-demo/p', { api_token: 'x', authorization: 'Bearer x' });
            assert.equal(r.status, 500);
            assert.deepEqual(r.json, MISCONFIGURED);
            const c = await caught;
            assert.match(c.error.message, p.expect);
            assert.equal(passedOk.length + passedBad.length, 0, 'nothing goes to the outputs');
            assert.ok(seen.statuses.some((s) => s.fill === 'red'), JSON.stringify(seen.statuses));
            assertNoSecret(p.secrets || [], seen, c.error.message);
        });
    }

    it('a config node reference that does not exist', async function () {
        await h.load([
            { id: 'tab1', type: 'tab', label: 't' },
            ...serverNodes({ verifyProps: { config: 'nope' } }),
            { id: 'catchAll', type: 'catch', z: 'tab1', scope: null, uncaught: false, wires: [['caught']] },
            { id: 'caught', type: 'helper', z: 'tab1' },
        ], {}, [require('../nodes/api-auth-config.js'), require('../nodes/api-auth-verify.js')]);
        const caught = h.nextMessage(helper.getNode('caught'));
        const r = await h.get('/api-auth-demo/p');
        assert.equal(r.status, 500);
        assert.match((await caught).error.message, /config: .*not found/);
    });

    it('a bad windowSecs is named in the error', async function () {
        await loadBoth({ props: { scheme: 'tedee' }, creds: { token: TEDEE_TOKEN }, server: { verifyProps: { windowSecs: 'soon' } }, extra: catchNodes });
        const caught = h.nextMessage(helper.getNode('caught'));
        assert.equal((await h.get('/api-auth-demo/p', { api_token: tedeeKey(TEDEE_TOKEN, Date.now()) })).status, 500);
        assert.match((await caught).error.message, /windowSecs: not a number/);
    });
});

describe('api-auth-verify: examples/verify.json works as shipped', function () {
    before(h.start);
    after(h.stop);
    afterEach(h.unload);
    afterEach(function () { delete process.env.VERIFY_DEMO_TEDEE_TOKEN; delete process.env.VERIFY_DEMO_TOKEN; });

    it('both client flows get 200 from their protected endpoints through the same config nodes', async function () {
        process.env.VERIFY_DEMO_TEDEE_TOKEN = 'demo-tedee-token-from-env-0123';
        process.env.VERIFY_DEMO_TOKEN = 'demo-static-token-from-env-4567';
        const here = h.url('').replace(/\/$/, '');
        const example = JSON.parse(JSON.stringify(read('verify.json')).replaceAll('http://127.0.0.1:1880', here));
        const credentials = {};
        const flow = onTab(example, 'tab-verify').map((node) => {
            const n = { ...node };
            if (n.credentials) { credentials[n.id] = n.credentials; delete n.credentials; }
            // inject/debug/comment are replaced by helper nodes; the test sends what the inject would
            if (n.type === 'inject' || n.type === 'debug' || n.type === 'comment') return { id: n.id, type: 'helper', z: n.z, wires: n.wires || [] };
            return n;
        });
        await h.load(flow, credentials);
        const byType = (t) => example.filter((n) => n.type === t);
        for (const c of byType('api-auth-config')) assert.equal(helper.getNode(c.id).problem, null);
        assert.equal(byType('api-auth').length, 2);
        for (const inject of byType('inject')) {
            const auth = example.find((n) => n.id === inject.wires[0][0]);
            const answerNode = helper.getNode(auth.wires[1][0]);
            const got = h.nextMessage(answerNode);
            const msg = {};
            for (const p of inject.props) msg[p.p] = p.v;
            assert.ok(msg.url, `${inject.name} sets msg.url`);
            helper.getNode(auth.id).receive(msg);
            const m = await got;
            assert.equal(m.statusCode, 200, JSON.stringify(m.payload));
            assert.equal(m.payload.ok, true);
            const cfg = example.find((n) => n.id === auth.config);
            assert.equal(m.payload.credentials, cfg.name);
            assert.equal(m.payload.scheme, cfg.scheme);
        }
        // a caller without the key is refused
        for (const p of ['/api-auth-demo/tedee', '/api-auth-demo/token']) {
            const r = await h.get(p);
            assert.equal(r.status, 401);
            assert.deepEqual(r.json, UNAUTHORIZED);
        }
    });
});
