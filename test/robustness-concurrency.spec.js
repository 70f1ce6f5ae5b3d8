'use strict';
// 1000 messages in flight through the real flow (auth → real http request → back into auth)
// while the exchange server fails and then recovers mid-burst: no message is lost or
// duplicated — each one either comes back authenticated exactly once (output 2) or errors
// exactly once (Catch), counted by a unique id; total = 1000. Failed exchanges are shared by
// the messages waiting on them (single flight), and the API never sees a message twice.
const assert = require('node:assert');
const http = require('node:http');
const nightscout = require('./fakes/nightscout');
const rt = require('./support/nodered');

const API_SECRET = 'abcdefghij123456';
const SUBJECTS = [{ id: '5f0000000000000000000001', name: 'Node-RED reader', roles: ['readable'] }];
const TOTAL = 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('robustness: 1000 messages in flight while the exchange server fails, then recovers', function () {
    this.timeout(60000);
    let fake;
    let agentBefore;

    before(function () {
        // the http request node uses Node's global agent; plenty of sockets for 1000 in flight
        agentBefore = http.globalAgent.maxSockets;
    });

    afterEach(async function () {
        await rt.unload();
        if (fake) await fake.close();
        fake = null;
        http.globalAgent.maxSockets = agentBefore;
    });

    async function burst({ failWith, recoverAfter }) {
        fake = await nightscout.start({ apiSecret: API_SECRET, subjects: SUBJECTS, penaltyMs: 0 });
        const token = fake.tokenFor('Node-RED reader');
        await rt.load(rt.loopFlow({ props: { name: 'ns', scheme: 'nightscout', mode: 'jwt', baseUrl: fake.url }, creds: { token } }));
        const auth = rt.helper.getNode('auth');
        const out = rt.helper.getNode('out');
        const caught = rt.helper.getNode('caught');
        const cfg = rt.helper.getNode('cfg');

        // The exchange fails (status or dropped socket) until `recoverAfter` messages were sent.
        fake.failExchange(Infinity, failWith);
        const seenOut = new Map();
        const seenErr = new Map();
        const errors = new Map();
        out.on('input', (m) => { seenOut.set(m.uid, (seenOut.get(m.uid) || 0) + 1); assert.strictEqual(m.statusCode, 200, JSON.stringify(m.payload)); });
        caught.on('input', (m) => { seenErr.set(m.uid, (seenErr.get(m.uid) || 0) + 1); errors.set(m.error.message, (errors.get(m.error.message) || 0) + 1); });

        for (let i = 0; i < TOTAL; i++) {
            if (i === recoverAfter) fake.up();
            auth.receive({ uid: 'u' + i, url: `${fake.url}/api/v3/entries`, method: 'GET', headers: { 'X-Msg-Id': 'u' + i } });
            if (i % 50 === 49) await sleep(15); // a burst spread over ~300 ms, so failure and recovery both happen mid-flight
        }
        const deadline = Date.now() + 45000;
        while (seenOut.size + seenErr.size < TOTAL && Date.now() < deadline) await sleep(50);
        await sleep(500); // anything arriving late would be a duplicate
        return { seenOut, seenErr, errors, cfg };
    }

    function assertExactlyOnce({ seenOut, seenErr }) {
        for (let i = 0; i < TOTAL; i++) {
            const id = 'u' + i;
            const n = (seenOut.get(id) || 0) + (seenErr.get(id) || 0);
            assert.strictEqual(n, 1, `${id}: seen ${seenOut.get(id) || 0} × out, ${seenErr.get(id) || 0} × error`);
        }
        assert.strictEqual(seenOut.size + seenErr.size, TOTAL);
    }

    /** The API saw each authenticated message once (by its X-Msg-Id), and only those. */
    function assertServerSawEachOnce(seenOut) {
        const apiCalls = fake.stats.requests - fake.stats.exchanges;
        assert.strictEqual(apiCalls, seenOut.size, 'one API call per authenticated message, none for the failed ones');
    }

    it('exchange answers 503 for the first 400 messages, then recovers', async function () {
        const r = await burst({ failWith: 503, recoverAfter: 400 });
        assertExactlyOnce(r);
        assert.ok(r.seenErr.size > 0, 'some messages met the failure');
        assert.ok(r.seenOut.size >= TOTAL - 450, `most messages after the recovery went out (${r.seenOut.size})`);
        for (const m of r.errors.keys()) assert.match(m, /API credentials "ns": token exchange GET \/api\/v2\/authorization\/request\/.*: HTTP 503/);
        // single flight: far fewer exchanges than failed messages
        assert.ok(fake.stats.exchanges < 60, `exchanges: ${fake.stats.exchanges}`);
        assertServerSawEachOnce(r.seenOut);
        assert.strictEqual(r.cfg.currentToken().gen, 1, 'one token after the recovery');
    });

    it('exchange connections are dropped for the first 300 messages, then recover', async function () {
        const r = await burst({ failWith: 'close', recoverAfter: 300 });
        assertExactlyOnce(r);
        assert.ok(r.seenErr.size > 0 && r.seenOut.size > 0);
        for (const m of r.errors.keys()) assert.match(m, /token exchange GET .*: the server closed the connection without answering/);
        assertServerSawEachOnce(r.seenOut);
    });
});
