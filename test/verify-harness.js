'use strict';
// Shared plumbing for the verify node's specs (test/verify-*.spec.js): a Node-RED test runtime
// with the REAL core `http in`, `http response`, `http request` and `function` nodes, and a real
// HTTP server on loopback that serves the flow's `http in` endpoints.
//
// Why not helper.startServer()/helper.url(): the test helper's server answers with its own empty
// express app, while `http in` nodes register on RED.httpNode, which the helper creates per
// load() and never mounts. So this file captures RED.httpNode at each load and serves it from
// its own loopback server.

const http = require('http');
const helper = require('node-red-node-test-helper');

helper.init(require.resolve('node-red'));

const httpIn = require('@node-red/nodes/core/network/21-httpin.js');
const httpRequest = require('@node-red/nodes/core/network/21-httprequest.js');
const functionNode = require('@node-red/nodes/core/function/10-function.js');

let currentApp = null;
function captureHttpNode(RED) { currentApp = RED.httpNode; }

let server = null;
let base = null;

async function start() {
    server = http.createServer((req, res) => {
        if (currentApp) { currentApp(req, res, () => { res.statusCode = 404; res.end('no route'); }); } else { res.statusCode = 503; res.end('no flow'); }
    });
    server.keepAliveTimeout = 1000;
    await new Promise((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });
    base = `http://127.0.0.1:${server.address().port}`;
}

async function stop() {
    if (!server) { return; }
    if (server.closeAllConnections) { server.closeAllConnections(); }
    await new Promise((resolve) => server.close(() => resolve()));
    server = null;
}

function url(path) { return base + path; }

/** The package's own node modules (required lazily: they are built by other engineers). */
function ours() {
    return [
        require('../nodes/api-auth-config.js'),
        require('../nodes/api-auth.js'),
        require('../nodes/api-auth-verify.js'),
    ];
}

async function load(flow, credentials, modules) {
    currentApp = null;
    await helper.load([captureHttpNode, httpIn, httpRequest, functionNode, ...(modules || ours())], flow, credentials || {});
}

async function unload() {
    await helper.unload();
    currentApp = null;
}

/** Resolve with the next message a helper node receives (rejects after ms). */
function nextMessage(node, ms = 10000) {
    return new Promise((resolve, reject) => {
        const t = setTimeout(() => { node.removeListener('input', on); reject(new Error(`timeout: no message at ${node.id}`)); }, ms);
        function on(msg) { clearTimeout(t); node.removeListener('input', on); resolve(msg); }
        node.on('input', on);
    });
}

/** Collect every message a helper node receives. */
function collect(node) {
    const list = [];
    node.on('input', (msg) => list.push(msg));
    return list;
}

/** Wait until cond() is true (messages between nodes are delivered asynchronously). */
async function until(cond, what = 'condition', ms = 5000) {
    const end = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > end) throw new Error(`timeout waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
    }
}

/** A plain HTTP GET over loopback: { status, body, json }. */
async function get(path, headers = {}) {
    const r = await fetch(url(path), { headers });
    const body = await r.text();
    let json = null;
    try { json = JSON.parse(body); } catch (_) { /* not JSON */ }
    return { status: r.status, body, json, headers: r.headers };
}

module.exports = { helper, start, stop, url, load, unload, nextMessage, collect, until, get };
