'use strict';
// Shared loading code for the node tests: node-red-node-test-helper with the REAL core
// `http request` and `catch` nodes, and the standard 401-loop flow
//
//   helper(in) → api-auth ─out1→ http request ─→ (back into api-auth)
//                          └out2→ helper "out"
//   catch (all) → helper "caught"
//
//   const rt = require('./support/nodered');
//   const flow = rt.loopFlow({ props: {scheme:'tedee', baseUrl}, creds: {token} });
//   await rt.load(flow);
//   const r = await rt.request({ url, method: 'GET' });      // → { msg, via: 'out' | 'caught' }
//   await rt.unload();
const path = require('node:path');
const helper = require('node-red-node-test-helper');

helper.init(require.resolve('node-red'));

const coreNodes = path.dirname(require.resolve('@node-red/nodes/package.json'));
const httpRequestNode = require(path.join(coreNodes, 'core/network/21-httprequest.js'));
const catchNode = require(path.join(coreNodes, 'core/common/25-catch.js'));
const configNode = require('../../nodes/api-auth-config.js');
const authNode = require('../../nodes/api-auth.js');

const NODES = [configNode, authNode, httpRequestNode, catchNode];

let seq = 0;

/**
 * The standard flow. props: config node properties; creds: its credentials; ret: http request
 * return type ('obj' | 'txt'); loop: wire the http request output back (default true).
 */
function loopFlow({ props = {}, creds = {}, ret = 'obj', loop = true, httpProps = {}, authProps = {} } = {}) {
    const tab = 'tab1';
    const flow = [
        { id: tab, type: 'tab', label: 'test' },
        { id: 'cfg', type: 'api-auth-config', name: props.name || 'test-creds', ...props },
        { id: 'auth', type: 'api-auth', z: tab, name: 'auth', config: 'cfg', wires: [['http'], ['out']], ...authProps },
        {
            id: 'http', type: 'http request', z: tab, name: 'http', method: 'use', ret, paytoqs: 'ignore',
            url: '', tls: '', persist: false, proxy: '', insecureHTTPParser: false, authType: '', senderr: false,
            headers: [], wires: [loop ? ['auth'] : ['out']], ...httpProps,
        },
        { id: 'out', type: 'helper', z: tab },
        { id: 'catch', type: 'catch', z: tab, scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper', z: tab },
    ];
    // nodes on a tab need x/y, or the runtime treats them as config nodes
    flow.forEach((n, i) => { if (n.z) { n.x = 100 + 150 * i; n.y = 100; } });
    return { flow, credentials: { cfg: creds } };
}

async function load({ flow, credentials }) {
    await helper.load(NODES, flow, credentials || {});
    return {
        cfg: helper.getNode('cfg'),
        auth: helper.getNode('auth'),
        http: helper.getNode('http'),
        out: helper.getNode('out'),
        caught: helper.getNode('caught'),
    };
}

/**
 * Send msg into the auth node and resolve with the first of: a response on output 2 ("out"),
 * or an error seen by the Catch node ("caught") — matched by _msgid. Rejects after timeoutMs.
 * `preferCaught`: when the http request node both sends and reports an error (network failure),
 * wait for the Catch node.
 */
function request(msg, { timeoutMs = 20000, wait = ['out', 'caught'] } = {}) {
    const out = helper.getNode('out');
    const caught = helper.getNode('caught');
    const auth = helper.getNode('auth');
    const id = msg._msgid || `m${Date.now().toString(36)}-${++seq}`;
    msg._msgid = id;
    return new Promise((resolve, reject) => {
        const listeners = [];
        let finished = false;
        const finish = (fn) => {
            if (finished) return;
            finished = true;
            clearTimeout(timer);
            // Not now: we are inside the helper node's input listeners, and Node-RED's _emitInput
            // loops over a count it took before calling them — removing one here makes it call
            // `undefined` for the last ("Cannot read properties of undefined (reading 'call')",
            // an error the Catch node then sees) whenever several requests are in flight.
            setImmediate(() => { for (const [n, l] of listeners) n.removeListener('input', l); });
            fn();
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`no answer for ${id} within ${timeoutMs} ms`))), timeoutMs);
        for (const [name, node] of [['out', out], ['caught', caught]]) {
            if (!wait.includes(name)) continue;
            const l = (m) => { if (m._msgid === id) finish(() => resolve({ msg: m, via: name })); };
            node.on('input', l);
            listeners.push([node, l]);
        }
        auth.receive(msg);
    });
}

/** Every message the catch node sees, for counting errors. */
function collect(name) {
    const node = helper.getNode(name);
    const seen = [];
    node.on('input', (m) => seen.push(m));
    return seen;
}

async function unload() {
    await helper.unload();
}

module.exports = { helper, loopFlow, load, request, collect, unload, NODES };
