'use strict';
// Memory stays bounded over 100 000 messages (bounded loops, simulated time):
// - the verify replay memory (the config node's shared core Verifier): 100 000 fresh Tedee keys
//   with the clock advancing — it holds only keys inside the window, never more than maxEntries
//   (then it refuses with 'full', fail closed), and the WebAssembly memory stops growing;
// - the token cache: 100 000 messages through an auth node with an exchange scheme (Nightscout
//   JWT, renewed several times during the run) — the cache holds one token, nothing in flight,
//   no remembered failure, and the JS heap (after GC) does not grow with the message count.
const assert = require('node:assert');
const v8 = require('node:v8');
const vm = require('node:vm');
const core = require('../pkg/api_auth_core.js');
const nightscout = require('./fakes/nightscout');
const rt = require('./support/nodered');

const TEDEE_TOKEN = 'BE9xnPnGfVUS';
const { tedeeKey } = require('./fakes/tedee'); // node:crypto, independent of the core
const N = 100000;

v8.setFlagsFromString('--expose-gc');
const gc = global.gc || vm.runInNewContext('gc');
const settle = () => { gc(); gc(); };

describe('robustness: memory stays bounded over 100 000 messages', function () {
    this.timeout(90000);
    let fake;
    afterEach(async function () {
        await rt.unload();
        if (fake) await fake.close();
        fake = null;
    });

    it('verify replay memory: 100 000 Tedee keys with advancing time keep only the window (config node verifier)', async function () {
        await rt.load(rt.loopFlow({ props: { name: 'bridge', scheme: 'tedee' }, creds: { token: TEDEE_TOKEN } }));
        const WINDOW = 30000;
        const verifier = rt.helper.getNode('cfg').verifier(WINDOW);
        assert.strictEqual(verifier, rt.helper.getNode('cfg').verifier(), 'one verifier per config node');
        const t0 = Date.now(); // the memory refuses keys from before it was made
        let maxSize = 0;
        let accepted = 0;
        let memAtHalf = 0;
        for (let i = 0; i < N; i++) {
            const key = tedeeKey(TEDEE_TOKEN, t0 + i); // 1 ms of simulated time per request
            const now = t0 + i + (i % 7); // the verifier's clock a little ahead
            const r = verifier.check({ api_token: key }, {}, now, WINDOW);
            if (r.ok) accepted += 1;
            else assert.fail(`key ${i} refused: ${r.reason}`);
            const size = verifier.size();
            if (size > maxSize) maxSize = size;
            if (i === N / 2) memAtHalf = process.memoryUsage().arrayBuffers;
        }
        assert.strictEqual(accepted, N);
        assert.ok(maxSize <= WINDOW + 8, `replay memory holds only keys inside the window (max ${maxSize})`);
        assert.ok(verifier.size() <= WINDOW + 8);
        // the WebAssembly memory reached its plateau in the first 30 000 keys
        const grown = process.memoryUsage().arrayBuffers - memAtHalf;
        assert.ok(grown < 2 * 1024 * 1024, `WebAssembly memory kept growing: +${grown} bytes over the second 50 000 keys`);
        // a replay is still refused, a stale key too
        const now = t0 + N;
        const k = tedeeKey(TEDEE_TOKEN, now - 1);
        assert.strictEqual(verifier.check({ api_token: k }, {}, now, WINDOW).reason, 'replay');
        assert.strictEqual(verifier.check({ api_token: tedeeKey(TEDEE_TOKEN, now - WINDOW - 1) }, {}, now, WINDOW).reason, 'stale');
    });

    it('verify replay memory has a fixed size: with a frozen clock and a ±1 h window it takes every key once and never grows', function () {
        const created = 1700000000000;
        const v = new core.Verifier({ scheme: 'tedee', token: TEDEE_TOKEN }, created);
        const WINDOW = 3600000;
        v.widen(WINDOW);
        const bytes = v.memoryBytes();
        const now = created + WINDOW;
        const reasons = {};
        for (let i = 0; i < N / 5; i++) {
            const r = v.check({ api_token: tedeeKey(TEDEE_TOKEN, now - i) }, {}, now, WINDOW);
            reasons[r.reason] = (reasons[r.reason] || 0) + 1;
        }
        assert.deepStrictEqual(reasons, { ok: N / 5 });
        assert.strictEqual(v.size(), N / 5);
        assert.strictEqual(v.memoryBytes(), bytes, 'fixed size');
        assert.ok(bytes < 1024 * 1024, `${bytes} bytes for ±1 h`);
        // once the window has passed, the old keys are forgotten and new ones accepted
        const later = now + WINDOW + 1;
        const r = v.check({ api_token: tedeeKey(TEDEE_TOKEN, later) }, {}, later, WINDOW);
        assert.deepStrictEqual(r, { ok: true, reason: 'ok' });
        assert.strictEqual(v.size(), 1);
        v.free();
    });

    it('token cache: 100 000 messages through an auth node with the Nightscout JWT exchange hold one token', async function () {
        fake = await nightscout.start({
            apiSecret: 'abcdefghij123456', jwtLifetimeSecs: 2, penaltyMs: 0,
            subjects: [{ id: '5f0000000000000000000001', name: 'Node-RED reader', roles: ['readable'] }],
        });
        // output 1 goes to a counter (no HTTP: 100 000 real requests would measure the network)
        const flow = rt.loopFlow({
            props: { name: 'ns', scheme: 'nightscout', mode: 'jwt', baseUrl: fake.url },
            creds: { token: fake.tokenFor('Node-RED reader') },
            authProps: { wires: [['sent'], ['out']] },
        });
        flow.flow.push({ id: 'sent', type: 'helper', z: 'tab1', x: 10, y: 10 });
        await rt.load(flow);
        const auth = rt.helper.getNode('auth');
        const cfg = rt.helper.getNode('cfg');
        const sent = rt.helper.getNode('sent');
        const caught = rt.helper.getNode('caught');
        let count = 0;
        let errors = 0;
        const tokens = new Set();
        sent.on('input', (m) => { count += 1; tokens.add(m.headers.Authorization); });
        caught.on('input', () => { errors += 1; });
        const BATCH = 1000;
        let heapAfterWarmup = 0;
        const t0 = Date.now();
        for (let b = 0; b < N / BATCH; b++) {
            const target = (b + 1) * BATCH;
            for (let i = 0; i < BATCH; i++) auth.receive({ url: `${fake.url}/api/v3/entries`, method: 'GET', payload: i });
            while (count + errors < target) await new Promise((r) => setImmediate(r));
            rt.helper._sandbox.resetHistory(); // the test helper's spies record every call: not ours to keep
            if (b === 9) { settle(); heapAfterWarmup = process.memoryUsage().heapUsed; }
            // keep the run long enough for a few renewals (2 s JWTs, renewed 200 ms early)
            if (b % 20 === 19 && Date.now() - t0 < 2500) await new Promise((r) => setTimeout(r, 100));
        }
        assert.strictEqual(errors, 0);
        assert.strictEqual(count, N);
        const cache = cfg._cache;
        assert.ok(cache.peek() && typeof cache.peek().token === 'string', 'one current token');
        assert.strictEqual(cache._inflight, null, 'no exchange in flight');
        assert.strictEqual(cache._failure, null, 'no remembered failure');
        assert.deepStrictEqual(Object.keys(cache._entry).sort(), ['gen', 'refreshAtMs', 'token'], 'the entry is one token, not a list');
        assert.strictEqual(cache.exchanges, fake.stats.exchanges, 'every exchange was one request');
        assert.strictEqual(cache.exchanges, tokens.size, 'one exchange per distinct token used');
        assert.ok(cache.exchanges >= 1 && cache.exchanges <= 20, `exchanges: ${cache.exchanges} (renewed, not per message)`);
        settle();
        const grown = process.memoryUsage().heapUsed - heapAfterWarmup;
        assert.ok(grown < 16 * 1024 * 1024, `heap grew by ${(grown / 1048576).toFixed(1)} MB over 90 000 messages`);
    });
});
