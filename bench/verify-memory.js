'use strict';
// The verify node's requests per second, in memory (no shared store): a real Node-RED runtime
// (node-red-node-test-helper) with the real core `http in` and `http response` nodes,
//
//   http in GET /bench → api-auth-verify ─out1→ http response (200)
//                                        └out2   (refused: the verify node answers 401 itself)
//
// served over loopback by a plain http server in this process, loaded by loadgen.js from ANOTHER
// process (C keep-alive connections). Figures: requests answered per second, and how many were
// accepted. Cases: a static header token (X-Api-Key, a constant-time compare), and Tedee
// encrypted (a fresh key per request; its replay memory keeps one key per millisecond, so at most
// 1000 keys a second can be accepted — by design — and the rest are answered 401 'replay').

const http = require('node:http');
const path = require('node:path');
const helper = require('node-red-node-test-helper');
const crypto = require('node:crypto');
const { generate } = require('./loadgen');
const { createRED } = require('./red-stub');
const { now } = require('./lib');

helper.init(require.resolve('node-red'));
const coreNodes = path.dirname(require.resolve('@node-red/nodes/package.json'));
const httpIn = require(path.join(coreNodes, 'core/network/21-httpin.js'));

let currentApp = null;
function captureHttpNode(RED) { currentApp = RED.httpNode; }

const CASES = {
    none: { props: null, headers: {} },
    header: { props: { scheme: 'header', headerName: 'X-Api-Key' }, creds: { token: 'bench-verify-0123456789' }, headers: { 'x-api-key': 'bench-verify-0123456789' } },
    tedee: { props: { scheme: 'tedee', mode: 'encrypted' }, creds: { token: 'BE9xnPnGfVUS' }, tedeeToken: 'BE9xnPnGfVUS' },
};

async function measure(name, server, base, { seconds, connections }) {
    const c = CASES[name];
    const flow = c.props ? [
        { id: 'tab', type: 'tab', label: 'bench' },
        { id: 'cfg', type: 'api-auth-config', name: 'bench verify', ...c.props },
        { id: 'in', type: 'http in', z: 'tab', url: '/bench', method: 'get', wires: [['verify']] },
        { id: 'verify', type: 'api-auth-verify', z: 'tab', config: 'cfg', windowSecs: '30', wires: [['resp'], []] },
        { id: 'resp', type: 'http response', z: 'tab', statusCode: '200', wires: [] },
    ] : [
        { id: 'tab', type: 'tab', label: 'bench' },
        { id: 'in', type: 'http in', z: 'tab', url: '/bench', method: 'get', wires: [['resp']] },
        { id: 'resp', type: 'http response', z: 'tab', statusCode: '200', wires: [] },
    ];
    await helper.load([captureHttpNode, httpIn, require('../nodes/api-auth-config.js'), require('../nodes/api-auth.js'), require('../nodes/api-auth-verify.js')], flow, { cfg: c.creds || {} });
    helper._sandbox.restore(); // no sinon spies (see flow.js)
    try {
        const r = await generate({ url: base + '/bench', headers: c.headers, tedeeToken: c.tedeeToken, connections, seconds, warmupSeconds: seconds > 1 ? 1 : 0.2 });
        return { ...r, accepted: r.byStatus[200] || 0, acceptedPerSec: (r.byStatus[200] || 0) / r.seconds, connections, where: 'http in → api-auth-verify → http response over loopback; load from another process' };
    } finally {
        await helper.unload();
    }
}

/**
 * The verify node's 'input' handler driven directly (red-stub.js, no HTTP, no runtime): how many
 * requests one instance can check per second when nothing else costs anything.
 */
async function direct(name, { smoke }) {
    const c = CASES[name];
    const { RED, create, close } = createRED({ credentials: { cfg: c.creds } });
    require('../nodes/api-auth-config.js')(RED);
    require('../nodes/api-auth-verify.js')(RED);
    create({ id: 'cfg', type: 'api-auth-config', name: 'bench verify', ...c.props });
    const node = create({ id: 'verify', type: 'api-auth-verify', config: 'cfg', windowSecs: '30' });
    const handler = node.listeners('input')[0];
    const sha = typeof crypto.hash === 'function' ? (x) => crypto.hash('sha256', x, 'hex') : (x) => crypto.createHash('sha256').update(x).digest('hex');
    let ms = Date.now();
    node.now = () => ms; // one fresh key per simulated millisecond: every Tedee key is accepted
    const res = { _res: { headersSent: false, status() { return this; }, json() {} } };
    const req = (i) => {
        if (!c.tedeeToken) return { headers: c.headers, query: {}, ip: '127.0.0.1' };
        ms += 1;
        return { headers: { api_token: sha(c.tedeeToken + ms) + ms }, query: {}, ip: '127.0.0.1' };
    };
    const n = smoke ? 2000 : 100000;
    let accepted = 0;
    let refused = 0;
    const send = (out) => { if (out[0]) accepted++; else refused++; };
    const done = () => {};
    // the fastest of 3 passes (lib.js); every pass uses keys of its own, made before timing
    let best = null;
    for (let pass = 0; pass < 3; pass++) {
        const keys = Array.from({ length: n }, (_, i) => req(i));
        ms -= n;
        accepted = 0;
        refused = 0;
        const t0 = now();
        for (let i = 0; i < n; i++) { ms += 1; handler.call(node, { payload: i, req: keys[i], res }, send, done); }
        const secs = Number(now() - t0) / 1e9;
        ms += n;
        if (!best || secs < best.seconds) best = { checks: n, accepted, refused, seconds: secs, perSec: n / secs, acceptedPerSec: accepted / secs };
    }
    await close();
    return { ...best, where: "the node's 'input' handler called directly (red-stub.js), requests made beforehand; fastest of 3 passes" };
}

async function run({ smoke = false } = {}) {
    const server = http.createServer((req, res) => {
        if (currentApp) currentApp(req, res, () => { res.statusCode = 404; res.end('no route'); });
        else { res.statusCode = 503; res.end('no flow'); }
    });
    server.keepAliveTimeout = 5000;
    await new Promise((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });
    const base = `http://127.0.0.1:${server.address().port}`;
    const opts = smoke ? { seconds: 0.5, connections: 8 } : { seconds: 5, connections: 32 };
    try {
        const out = {};
        for (const name of Object.keys(CASES)) out[name] = await measure(name, server, base, opts);
        out.direct = {};
        for (const name of Object.keys(CASES)) if (CASES[name].props) out.direct[name] = await direct(name, { smoke });
        return out;
    } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
    }
}

module.exports = { run, measure, CASES };
