'use strict';
// api-auth-verify: the Tedee replay memory stays bounded during a flood of unique valid keys,
// empties once the window has passed, and can never be full (a flood cannot lock other clients
// out); the penalty list is bounded.
const assert = require('node:assert/strict');
const h = require('./verify-harness');

const { helper } = h;
const { tedeeKey } = require('./fakes/tedee'); // node:crypto, independent of the core
const TOKEN = 'flood-token-0123456789';

/** tedee config + one verify node whose outputs go to helper nodes ok / bad; no http in. */
async function loadVerifier(verifyProps = {}) {
    await h.load([
        { id: 'tab1', type: 'tab', label: 't' },
        { id: 'cfg', type: 'api-auth-config', name: 'flood', scheme: 'tedee', mode: 'encrypted' },
        { id: 'verify', type: 'api-auth-verify', z: 'tab1', config: 'cfg', windowSecs: 30, respond: true, penalty: 0, wires: [['ok'], ['bad']], ...verifyProps },
        { id: 'ok', type: 'helper', z: 'tab1' },
        { id: 'bad', type: 'helper', z: 'tab1' },
    ], { cfg: { token: TOKEN } }, [require('../nodes/api-auth-config.js'), require('../nodes/api-auth-verify.js')]);
    const cfg = helper.getNode('cfg');
    assert.equal(cfg.problem, null, cfg.problem && cfg.problem.message);
    return { cfg, verify: helper.getNode('verify'), ok: helper.getNode('ok'), bad: helper.getNode('bad') };
}

/** What `http in` gives the verify node, with a response object that records the answer. */
function fakeRequest(headers, ip = '10.0.0.7') {
    const answer = { status: null, body: null };
    const res = {
        headersSent: false,
        status(c) { answer.status = c; return res; },
        json(b) { answer.body = b; res.headersSent = true; return res; },
    };
    return { msg: { req: { headers, query: {}, ip }, res: { _res: res } }, answer };
}

describe('api-auth-verify: the replay memory stays bounded', function () {
    this.timeout(120000);
    before(h.start);
    after(h.stop);
    afterEach(h.unload);

    it('20 000 unique valid keys over 200 simulated seconds: size ≤ what the window allows, then drops', async function () {
        const { cfg, verify, ok, bad } = await loadVerifier({ windowSecs: 30 });
        const accepted = h.collect(ok);
        const refused = h.collect(bad);
        let sim = Date.now(); // the memory refuses keys from before it was made
        verify.now = () => sim; // the node's clock (Date.now by default)
        const STEP = 10; // ms of simulated time per request
        const N = 20000;
        const windowMs = 30000;
        const bound = Math.floor(windowMs / STEP) + 1; // keys with ms in [now - window, now]
        let maxSize = 0;
        const answers = [];
        for (let i = 0; i < N; i++) {
            sim += STEP;
            const { msg, answer } = fakeRequest({ api_token: tedeeKey(TOKEN, sim) });
            verify.receive(msg);
            answers.push(answer);
            if (i % 50 === 0) await new Promise(setImmediate);
            const size = cfg.verifier().size();
            if (size > maxSize) maxSize = size;
            assert.ok(size <= bound, `size ${size} > ${bound} after ${i + 1} keys`);
        }
        await h.until(() => accepted.length + refused.length >= N, 'all delivered');
        assert.equal(accepted.length, N, `all ${N} unique keys accepted (refused: ${refused.slice(0, 3).map((m) => m.auth.reason)})`);
        assert.equal(refused.length, 0);
        assert.ok(answers.every((a) => a.status === null), 'accepted requests are not answered by the verify node');
        assert.ok(maxSize >= bound - 1, `keys inside the window are all remembered (max ${maxSize}, bound ${bound})`);
        assert.ok(maxSize < N / 5, `memory did not grow with the flood (max ${maxSize} of ${N})`);

        // a key from inside the window is still refused as a replay, one older than the window as stale
        const recent = fakeRequest({ api_token: tedeeKey(TOKEN, sim - 1000) });
        verify.receive(recent.msg);
        const old = fakeRequest({ api_token: tedeeKey(TOKEN, sim - 31000) });
        verify.receive(old.msg);
        await h.until(() => refused.length === 2);
        assert.deepEqual(refused.map((m) => m.auth.reason), ['replay', 'stale']);
        assert.equal(recent.answer.status, 401);
        assert.deepEqual(recent.answer.body, { ok: false, error: 'Unauthorized' });

        // the window passes: the memory empties (pruned on the next check)
        sim += windowMs + 1;
        const next = fakeRequest({ api_token: tedeeKey(TOKEN, sim) });
        verify.receive(next.msg);
        await h.until(() => accepted.length === N + 1);
        assert.equal(cfg.verifier().size(), 1);
    });

    it('keys from the future side of the window stay longest: size ≤ 2 × window + 1', async function () {
        const { cfg, verify, ok } = await loadVerifier({ windowSecs: 2 });
        const accepted = h.collect(ok);
        let sim = Date.now(); // the memory refuses keys from before it was made
        verify.now = () => sim;
        const windowMs = 2000;
        let maxSize = 0;
        // each simulated ms one key stamped a full window ahead: valid, unique, and remembered
        // until it is a full window old
        for (let i = 0; i < 10000; i++) {
            sim += 1;
            verify.receive(fakeRequest({ api_token: tedeeKey(TOKEN, sim + windowMs) }).msg);
            if (i % 100 === 0) await new Promise(setImmediate);
            maxSize = Math.max(maxSize, cfg.verifier().size());
            assert.ok(cfg.verifier().size() <= 2 * windowMs + 1);
        }
        await h.until(() => accepted.length === 10000, 'all keys accepted');
        assert.ok(maxSize <= 2 * windowMs + 1, `max ${maxSize} ≤ ${2 * windowMs + 1}`);
        assert.ok(maxSize >= 2 * windowMs, `max ${maxSize}: the future side is remembered`);
        sim += 3 * windowMs + 1;
        verify.receive(fakeRequest({}).msg);
        await new Promise(setImmediate);
        assert.equal(cfg.verifier().size(), 0);
    });

    it('a flood of unique keys over real loopback HTTP (window 1 s): size tracks the last second, then drops', async function () {
        await h.load([
            { id: 'tab1', type: 'tab', label: 't' },
            { id: 'cfg', type: 'api-auth-config', name: 'flood', scheme: 'tedee', mode: 'encrypted' },
            { id: 'in', type: 'http in', z: 'tab1', url: '/flood', method: 'get', wires: [['verify']] },
            { id: 'verify', type: 'api-auth-verify', z: 'tab1', config: 'cfg', windowSecs: 1, respond: true, penalty: 0, wires: [['fn'], []] },
            { id: 'fn', type: 'function', z: 'tab1', func: 'msg.payload = "ok"; return msg;', outputs: 1, wires: [['res']] },
            { id: 'res', type: 'http response', z: 'tab1', statusCode: '', headers: {}, wires: [] },
        ], { cfg: { token: TOKEN } }, [require('../nodes/api-auth-config.js'), require('../nodes/api-auth-verify.js')]);
        const cfg = helper.getNode('cfg');
        const windowMs = 1000;
        const sent = []; // ms of every accepted key
        let last = 0;
        let maxSize = 0;
        let checked = 0;
        const deadline = Date.now() + 3500;
        const CONCURRENCY = 16;
        const codes = { 200: 0, other: 0 };
        async function worker() {
            while (Date.now() < deadline && sent.length < 20000) {
                const ms = Math.max(Date.now(), last + 1); // unique per key
                if (ms > Date.now() + 200) { await new Promise((resolve) => setTimeout(resolve, 5)); continue; } // not ahead of the clock by much
                last = ms;
                const r = await fetch(h.url('/flood'), { headers: { api_token: tedeeKey(TOKEN, ms) } });
                await r.text();
                if (r.status === 200) { codes[200]++; sent.push(ms); } else codes.other++;
                const t = Date.now();
                const size = cfg.verifier().size();
                maxSize = Math.max(maxSize, size);
                // every remembered key has ms ≥ (time of the last check) - window ≥ t - window - slack
                const slack = 250;
                // (+ CONCURRENCY: keys already remembered whose 200 is still on its way)
                const allowed = sent.filter((x) => x >= t - windowMs - slack).length + CONCURRENCY;
                assert.ok(size <= allowed, `size ${size} > ${allowed} keys sent in the last ${windowMs + slack} ms`);
                checked++;
            }
        }
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        assert.equal(codes.other, 0, 'every unique valid key was accepted');
        assert.ok(sent.length > 2 * maxSize, `the memory held at most ${maxSize} of ${sent.length} keys`);
        assert.ok(checked > 100);
        await new Promise((resolve) => setTimeout(resolve, windowMs + 100));
        const r = await fetch(h.url('/flood'), { headers: { api_token: tedeeKey(TOKEN, Date.now()) } });
        assert.equal(r.status, 200);
        assert.equal(cfg.verifier().size(), 1);
    });

    it('a flood of valid keys (window ±1 h) never fills the memory: every key once, and another client still gets in', async function () {
        const { cfg, verify, ok, bad } = await loadVerifier({ windowSecs: 3600 });
        const accepted = h.collect(ok);
        const refused = h.collect(bad);
        const sim = Date.now() + 3_600_000; // an hour after the memory was made
        verify.now = () => sim;
        const bytes = cfg.verifier().memoryBytes();
        assert.ok(bytes <= 901_000, `one bit per millisecond of ±1 h: ${bytes} bytes`);
        // a holder of the token sends 100 500 distinct valid keys (more than the old 100 000 bound)
        const N = 100500;
        for (let i = 0; i < N; i++) {
            verify.receive(fakeRequest({ api_token: tedeeKey(TOKEN, sim - 3_000_000 + i) }).msg);
            if (i % 1000 === 0) await new Promise(setImmediate);
        }
        await h.until(() => accepted.length + refused.length === N, 'all answered', 20000);
        assert.equal(accepted.length, N, `all accepted (refused: ${refused.slice(0, 3).map((m) => m.auth.reason)})`);
        assert.equal(cfg.verifier().size(), N);
        assert.equal(cfg.verifier().memoryBytes(), bytes, 'the memory did not grow');
        // another client's fresh key is accepted: the memory is never "full"
        const other = fakeRequest({ api_token: tedeeKey(TOKEN, sim + 5) }, '10.9.9.9');
        verify.receive(other.msg);
        await h.until(() => accepted.length === N + 1, 'the other client got in');
        // and every flood key is still refused as a replay
        verify.receive(fakeRequest({ api_token: tedeeKey(TOKEN, sim - 3_000_000) }).msg);
        await h.until(() => refused.length === 1);
        assert.equal(refused[0].auth.reason, 'replay');
    });
});

describe('api-auth-verify: the penalty list is bounded', function () {
    const { PenaltyList } = require('../nodes/api-auth-verify.js');

    it('adds the penalty per failure, caps the wait, clears on success, forgets the oldest address when full', function () {
        const p = new PenaltyList(1000, 50);
        const now = 1_000_000;
        assert.equal(p.waitFor('a', now), 0);
        p.failed('a', now);
        assert.equal(p.waitFor('a', now), 1000);
        p.failed('a', now + 10);
        assert.equal(p.waitFor('a', now + 10), 1990);
        assert.equal(p.waitFor('a', now + 3000), 0, 'penalty expires');
        for (let k = 0; k < 200; k++) p.failed('a', now + 3000);
        assert.equal(p.waitFor('a', now + 3000), 60000, 'the wait is capped at 60 s');
        p.succeeded('a');
        assert.equal(p.waitFor('a', now + 3000), 0);
        for (let k = 0; k < 10000; k++) p.failed('10.0.' + (k >> 8) + '.' + (k & 255), now);
        assert.ok(p.size <= 50, `${p.size}`);
        assert.ok(p.waitFor('10.0.39.15', now) > 0, 'the most recent address is kept');
    });
});
