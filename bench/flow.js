'use strict';
// The auth node's cost per message in a RUNNING Node-RED flow (node-red-node-test-helper with
// the real runtime, the real function node and the package's nodes).
//
// Three flows are deployed together, and a burst of N messages is pushed through each, round by
// round, interleaved:
//
//   auth:     src ─→ api-auth (tedee, encrypted) ─out1→ sink
//   function: src ─→ function node (node:crypto, what a user would write) ─→ sink
//   none:     src ─→ sink                                  (no signing: the runtime's own cost)
//
// `src` is a helper node whose send() goes through the runtime's router like an inject node's.
// The burst is sent in chunks of CHUNK messages, one chunk per setImmediate, so the flow keeps
// running while it is fed (not one giant queue). A burst's time runs from its first send to the
// last arrival at the sink; µs per message = time / N.

const path = require('node:path');
const assert = require('node:assert');
const helper = require('node-red-node-test-helper');
const { now, median } = require('./lib');
const { nodeTedee, TEDEE_TOKEN } = require('./micro');

helper.init(require.resolve('node-red'));

const coreNodes = path.dirname(require.resolve('@node-red/nodes/package.json'));
const functionNode = require(path.join(coreNodes, 'core/function/10-function.js'));
const configNode = require('../nodes/api-auth-config.js');
const authNode = require('../nodes/api-auth.js');

// The hand-written equivalent: a function node with node:crypto (Setup tab → Modules: crypto).
const FUNC = `const ms = Date.now();
msg.headers = Object.assign({}, msg.headers, {
    api_token: crypto.createHash('sha256').update('${TEDEE_TOKEN}' + ms).digest('hex') + ms,
});
return msg;`;

function flowDef() {
    const f = [
        { id: 'tab', type: 'tab', label: 'bench' },
        { id: 'cfg', type: 'api-auth-config', name: 'bench tedee', scheme: 'tedee', mode: 'encrypted' },
        { id: 'src-auth', type: 'helper', z: 'tab', wires: [['auth']] },
        { id: 'auth', type: 'api-auth', z: 'tab', config: 'cfg', wires: [['sink-auth'], []] },
        { id: 'sink-auth', type: 'helper', z: 'tab' },
        { id: 'src-function', type: 'helper', z: 'tab', wires: [['fn']] },
        { id: 'fn', type: 'function', z: 'tab', name: 'sign', func: FUNC, outputs: 1, libs: [{ var: 'crypto', module: 'crypto' }], wires: [['sink-function']] },
        { id: 'sink-function', type: 'helper', z: 'tab' },
        { id: 'src-none', type: 'helper', z: 'tab', wires: [['sink-none']] },
        { id: 'sink-none', type: 'helper', z: 'tab' },
    ];
    f.forEach((n, i) => { if (n.z) { n.x = 100 + 10 * i; n.y = 100; } });
    return f;
}

function burst(name, n, chunk) {
    const src = helper.getNode('src-' + name);
    const sink = helper.getNode('sink-' + name);
    return new Promise((resolve, reject) => {
        let arrived = 0;
        let sent = 0;
        let bad = null;
        const timer = setTimeout(() => { sink.removeListener('input', onMsg); reject(new Error(`${name}: only ${arrived}/${n} messages arrived`)); }, 120000);
        const onMsg = (msg) => {
            if (!bad && (!msg.headers || !/^[0-9a-f]{64}\d+$/.test(msg.headers.api_token || '')) && name !== 'none') bad = msg;
            if (++arrived === n) {
                const t = now() - t0;
                clearTimeout(timer);
                sink.removeListener('input', onMsg);
                if (bad) reject(new Error(`${name}: a message arrived without a Tedee key: ${JSON.stringify(bad.headers)}`));
                else resolve(Number(t));
            }
        };
        sink.on('input', onMsg);
        const t0 = now();
        const feed = () => {
            const end = Math.min(n, sent + chunk);
            for (; sent < end; sent++) src.send({ payload: sent, url: 'http://127.0.0.1:1/v1.0/lock', headers: { accept: 'application/json' } });
            if (sent < n) setImmediate(feed);
        };
        feed();
    });
}

async function run({ smoke = false } = {}) {
    const n = smoke ? 500 : 20000;
    const rounds = smoke ? 2 : 7;
    const warmup = smoke ? 1 : 2;
    const chunk = 100;
    await helper.load([configNode, authNode, functionNode], flowDef(), { cfg: { token: TEDEE_TOKEN } });
    // The test helper wraps Node.prototype.send (and log, status…) in sinon spies that record every
    // call and emit an event per call on process.nextTick: a real runtime has none of that, so
    // the bench takes them off again before measuring.
    helper._sandbox.restore();
    try {
        const auth = helper.getNode('auth');
        assert.ok(auth && auth.configNode && auth.configNode.signer, 'the auth node has no signer: ' + (auth && auth.configNode && auth.configNode.problem));
        // Same key as the core for a fixed ms: the function node's code is the reference code.
        assert.strictEqual(auth.configNode.signer.freshKey(1691058833000), nodeTedee(TEDEE_TOKEN, 1691058833000));
        const names = ['auth', 'function', 'none'];
        const samples = { auth: [], function: [], none: [] };
        for (let r = 0; r < warmup + rounds; r++) {
            for (let k = 0; k < names.length; k++) {
                const name = names[(k + r) % names.length];
                if (global.gc) global.gc();
                const ns = await burst(name, n, chunk);
                if (r >= warmup) samples[name].push(ns / n);
            }
        }
        const out = { messages: n, rounds, chunk };
        for (const name of names) {
            const nsPerMsg = median(samples[name]);
            out[name] = { usPerMsg: nsPerMsg / 1000, msgsPerSec: 1e9 / nsPerMsg, samplesUs: samples[name].map((x) => x / 1000) };
        }
        out.ratioAuthToFunction = out.auth.usPerMsg / out.function.usPerMsg;
        // What each signing node adds on top of the runtime's own cost of moving a message.
        out.authNetUs = out.auth.usPerMsg - out.none.usPerMsg;
        out.functionNetUs = out.function.usPerMsg - out.none.usPerMsg;
        return out;
    } finally {
        await helper.unload();
    }
}

module.exports = { run };
