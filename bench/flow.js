'use strict';
// The auth node in a RUNNING Node-RED flow (node-red-node-test-helper with the real runtime, the
// real core change and function nodes, the package's nodes), against what a user could put in its
// place. All flows are deployed together; every round pushes a burst of N messages through each
// of them, in a rotating order:
//
//   none           src → sink                                   (the runtime's own cost)
//   change         src → change: set msg.headers.authtoken to a constant → sink
//                  (the floor: the least a node can do to put a credential on a message)
//   auth static    src → api-auth (timetagger authtoken) → sink
//   hand static    src → hand-written node: a constant header on a copy of msg.headers → sink
//   auth tedee     src → api-auth (tedee encrypted) → sink
//   hand tedee     src → hand-written node: crypto.hash Tedee key → sink
//   function tedee src → function node (crypto.hash, Setup → Modules: crypto) → sink
//   auth exchange  src → api-auth (nightscout jwt, warm cache, against test/fakes) → sink
//
// `src` is a helper node whose send() goes through the runtime's router like an inject node's; a
// burst is fed CHUNK messages per setImmediate, and runs from its first send to the last arrival;
// a flow's figure in a round is the fastest of 3 bursts (see lib.js). net µs/msg = flow − none
// OF THE SAME ROUND; each comparison is the median (p10–p90) of the
// per-round ratios of net costs. The test helper's sinon spies on send/log/status are removed
// before measuring (a real runtime has none).

const path = require('node:path');
const assert = require('node:assert');
const helper = require('node-red-node-test-helper');
const { now, spread, pairedRatio } = require('./lib');
const handWritten = require('./nodes/hand-written');
const nightscout = require('../test/fakes/nightscout');

helper.init(require.resolve('node-red'));

const coreNodes = path.dirname(require.resolve('@node-red/nodes/package.json'));
const functionNode = require(path.join(coreNodes, 'core/function/10-function.js'));
const changeNode = require(path.join(coreNodes, 'core/function/15-change.js'));
const configNode = require('../nodes/api-auth-config.js');
const authNode = require('../nodes/api-auth.js');

const TEDEE_TOKEN = 'BE9xnPnGfVUS';
const TT_TOKEN = 'tt-bench-0123456789';
const NS_SUBJECT = 'Node-RED reader';

const FUNC = `const ms = Date.now();
msg.headers = Object.assign({}, msg.headers, {
    api_token: crypto.hash('sha256', '${TEDEE_TOKEN}' + ms, 'hex') + ms,
});
return msg;`;

const FLOWS = ['none', 'change', 'authStatic', 'handStatic', 'authTedee', 'handTedee', 'functionTedee', 'authExchange'];

const TEDEE_KEY = /^[0-9a-f]{64}\d{13}$/;
const CHECK = {
    none: () => true,
    change: (h) => h.authtoken === TT_TOKEN,
    authStatic: (h) => h.authtoken === TT_TOKEN,
    handStatic: (h) => h.authtoken === TT_TOKEN,
    authTedee: (h) => TEDEE_KEY.test(h.api_token || ''),
    handTedee: (h) => TEDEE_KEY.test(h.api_token || ''),
    functionTedee: (h) => TEDEE_KEY.test(h.api_token || ''),
    authExchange: (h) => /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(h.Authorization || ''),
};

function flowDef(nsUrl) {
    const f = [
        { id: 'tab', type: 'tab', label: 'bench' },
        { id: 'cfg-static', type: 'api-auth-config', name: 'bench static', scheme: 'timetagger', mode: 'authtoken' },
        { id: 'cfg-tedee', type: 'api-auth-config', name: 'bench tedee', scheme: 'tedee', mode: 'encrypted' },
        { id: 'cfg-exchange', type: 'api-auth-config', name: 'bench jwt', scheme: 'nightscout', mode: 'jwt', baseUrl: nsUrl },
    ];
    const middle = {
        change: { type: 'change', rules: [{ t: 'set', p: 'headers.authtoken', pt: 'msg', to: TT_TOKEN, tot: 'str' }], action: '', property: '', from: '', to: '', reg: false },
        authStatic: { type: 'api-auth', config: 'cfg-static', outputs: 2 },
        handStatic: { type: 'bench-static-header', header: 'authtoken' },
        authTedee: { type: 'api-auth', config: 'cfg-tedee', outputs: 2 },
        handTedee: { type: 'bench-tedee-hash' },
        functionTedee: { type: 'function', name: 'sign', func: FUNC, outputs: 1, libs: [{ var: 'crypto', module: 'crypto' }] },
        authExchange: { type: 'api-auth', config: 'cfg-exchange', outputs: 2 },
    };
    for (const name of FLOWS) {
        if (middle[name]) {
            f.push({ id: 'src-' + name, type: 'helper', z: 'tab', wires: [['mid-' + name]] });
            const wires = middle[name].type.startsWith('api-auth') ? [['sink-' + name], []] : [['sink-' + name]];
            f.push({ id: 'mid-' + name, z: 'tab', ...middle[name], wires });
        } else {
            f.push({ id: 'src-' + name, type: 'helper', z: 'tab', wires: [['sink-' + name]] });
        }
        f.push({ id: 'sink-' + name, type: 'helper', z: 'tab' });
    }
    f.forEach((n, i) => { if (n.z) { n.x = 100 + 10 * i; n.y = 100; } });
    return f;
}

function burst(name, n, chunk) {
    const src = helper.getNode('src-' + name);
    const sink = helper.getNode('sink-' + name);
    const check = CHECK[name];
    return new Promise((resolve, reject) => {
        let arrived = 0;
        let sent = 0;
        let bad = null;
        const timer = setTimeout(() => { sink.removeListener('input', onMsg); reject(new Error(`${name}: only ${arrived}/${n} messages arrived`)); }, 120000);
        const onMsg = (msg) => {
            if (!bad && !check(msg.headers || {})) bad = msg;
            if (++arrived === n) {
                const t = now() - t0;
                clearTimeout(timer);
                sink.removeListener('input', onMsg);
                if (bad) reject(new Error(`${name}: a message arrived without its credential: ${JSON.stringify(bad.headers)}`));
                else resolve(Number(t));
            }
        };
        sink.on('input', onMsg);
        const t0 = now();
        const feed = () => {
            const end = Math.min(n, sent + chunk);
            for (; sent < end; sent++) src.send({ payload: sent, url: 'http://127.0.0.1:1/api/v1/entries', headers: { accept: 'application/json' } });
            if (sent < n) setImmediate(feed);
        };
        feed();
    });
}

async function run({ smoke = false } = {}) {
    const n = smoke ? 300 : +(process.env.BENCH_FLOW_N || 200);
    const rounds = smoke ? 2 : 21;
    const warmup = smoke ? 1 : 3;
    const reps = smoke ? 1 : +(process.env.BENCH_FLOW_REPS || 7); // the fastest of `reps` bursts per flow and round (lib.js)
    const chunk = 100;
    const fake = await nightscout.start({ apiSecret: 'abcdefghij123456', subjects: [{ id: '5f0000000000000000000001', name: NS_SUBJECT, roles: ['readable'] }] });
    const creds = {
        'cfg-static': { token: TT_TOKEN },
        'cfg-tedee': { token: TEDEE_TOKEN },
        'cfg-exchange': { token: fake.tokenFor(NS_SUBJECT) },
        'mid-handStatic': { token: TT_TOKEN },
        'mid-handTedee': { token: TEDEE_TOKEN },
    };
    await helper.load([configNode, authNode, functionNode, changeNode, handWritten], flowDef(fake.url), creds);
    // The test helper wraps Node.prototype.send (and log, status…) in sinon spies that record every
    // call and emit an event per call on process.nextTick: a real runtime has none of that.
    helper._sandbox.restore();
    try {
        for (const id of ['cfg-static', 'cfg-tedee', 'cfg-exchange']) {
            const cfg = helper.getNode(id);
            assert.ok(cfg && cfg.signer, `${id}: no signer: ${cfg && cfg.problem}`);
        }
        const key = helper.getNode('cfg-tedee').signer.freshKey(1691058833000);
        assert.strictEqual(key, handWritten.sha256hex(TEDEE_TOKEN + '1691058833000') + '1691058833000');
        await helper.getNode('cfg-exchange').getToken(); // warm cache
        const samples = Object.fromEntries(FLOWS.map((f) => [f, []]));
        for (let r = 0; r < warmup + rounds; r++) {
            for (let k = 0; k < FLOWS.length; k++) {
                const name = FLOWS[(k + r) % FLOWS.length];
                let best = Infinity;
                for (let j = 0; j < reps; j++) {
                    if (global.gc) global.gc();
                    best = Math.min(best, await burst(name, n, chunk));
                }
                if (r >= warmup) samples[name].push(best / n / 1000);
            }
        }
        const out = { messages: n, rounds, reps, chunk, exchanges: fake.stats.exchanges, flows: {}, ratios: {} };
        const net = {};
        for (const name of FLOWS) {
            net[name] = samples[name].map((us, i) => us - samples.none[i]);
            const sp = spread(samples[name]);
            out.flows[name] = { usPerMsg: sp.median, p10: sp.p10, p90: sp.p90, msgsPerSec: 1e6 / sp.median, net: spread(net[name]), samplesUs: samples[name] };
        }
        const ratio = (a, b) => { const r = pairedRatio(net[a], net[b]); delete r.samples; return r; };
        const total = (a, b) => { const r = pairedRatio(samples[a], samples[b]); delete r.samples; return r; };
        out.ratios = {
            authStaticOverChange: ratio('authStatic', 'change'),
            authStaticOverChangeTotal: total('authStatic', 'change'),
            handStaticOverChange: ratio('handStatic', 'change'),
            authTedeeOverHandTedee: ratio('authTedee', 'handTedee'),
            authTedeeOverHandTedeeTotal: total('authTedee', 'handTedee'),
            authExchangeOverHandTedee: ratio('authExchange', 'handTedee'),
            authExchangeOverHandTedeeTotal: total('authExchange', 'handTedee'),
            authTedeeOverFunction: ratio('authTedee', 'functionTedee'),
            handTedeeOverFunction: ratio('handTedee', 'functionTedee'),
        };
        return out;
    } finally {
        await helper.unload();
        await fake.close();
    }
}

module.exports = { run };
