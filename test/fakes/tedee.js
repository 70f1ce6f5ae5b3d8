'use strict';
// Fake Tedee bridge local API written from PROTOCOLS.md §4. Plain node:http + node:crypto.
//
// Enforced facts (PROTOCOLS.md §4):
// - Base /v1.0: GET /v1.0/bridge, GET /v1.0/lock, GET /v1.0/lock/:id, POST /v1.0/lock/:id/unlock
//   (also /lock and /pull, answered 202 like unlock).
// - Key in header `api_token` (underscore) or query `api_token`; the header wins when both are sent.
// - Encrypted mode: key = lowercase_hex(sha256(token + ms)) + ms, ms = epoch milliseconds as
//   decimal digits; accepted only when |ms - fake clock| <= windowMs (the bridge's window is
//   unpublished: default 30000 ms, configurable) and only ONCE (replay -> refused). The replay
//   memory is bounded: keys older than the window are forgotten (they are stale anyway).
// - Plain mode: key = token.
// - Every refusal: 401 {"error-description":"Invalid token"} — wrong, stale and replayed alike.
// - The bridge's "one request per second" is a request to clients, not enforced here.
//
// start(opts) -> { url, port, close(), stats, setClock(fnOrMs), now(), keyFor(ms), locks,
//   failNext(n, how), down(how), up() }
const crypto = require('node:crypto');
const { readBody, send, parseUrl, faultKnob, listen, clock } = require('./_util');

const INVALID = { 'error-description': 'Invalid token' };

/** The encrypted-mode key for a token at ms (PROTOCOLS.md §4). */
function tedeeKey(token, ms) {
    return crypto.createHash('sha256').update(token + String(ms)).digest('hex') + String(ms);
}

async function start(opts = {}) {
    const token = opts.token;
    if (typeof token !== 'string' || !token) throw new Error('tedee fake: opts.token must be a non-empty string');
    const mode = opts.mode || 'encrypted';
    if (!['encrypted', 'plain'].includes(mode)) throw new Error(`tedee fake: unknown mode ${mode}`);
    const windowMs = opts.windowMs ?? 30000;
    const clk = clock(opts);

    const stats = { requests: 0, accepted: 0, rejected: 0, replays: 0, stale: 0, wrong: 0, missing: 0, faults: 0, log: [] };
    const seen = new Map(); // accepted key -> its ms (bounded by the window)
    const allFault = faultKnob();
    const locks = opts.locks || [
        { id: 12345, name: 'Front door', type: 2, serialNumber: '10000001-000001', state: 6, jammed: 0, batteryLevel: 80, isCharging: 0, isConnected: 1, doorState: 0 },
    ];

    function forget(now) {
        for (const [k, ms] of seen) if (Math.abs(ms - now) > windowMs) seen.delete(k);
        // hard bound in case of a frozen clock and very many requests
        while (seen.size > 100000) seen.delete(seen.keys().next().value);
    }

    /** -> null when accepted, else the refusal kind */
    function check(key) {
        if (!key) return 'missing';
        if (mode === 'plain') return key === token ? null : 'wrong';
        const m = /^([0-9a-f]{64})([0-9]{1,16})$/.exec(key);
        if (!m) return 'wrong';
        const ms = Number(m[2]);
        const want = tedeeKey(token, m[2]);
        if (want !== key) return 'wrong';
        const now = clk.now();
        if (Math.abs(ms - now) > windowMs) return 'stale';
        forget(now);
        if (seen.has(key)) return 'replays';
        seen.set(key, ms);
        return null;
    }

    async function handle(req, res) {
        stats.requests += 1;
        const u = parseUrl(req);
        stats.log.push({ method: req.method, path: u.pathname, query: Object.fromEntries(u.query), headers: { ...req.headers } });
        if (stats.log.length > 200) stats.log.shift();
        await readBody(req);
        if (allFault.apply(req, res, stats)) return;
        const key = req.headers.api_token || u.query.get('api_token');
        const refusal = check(key);
        if (refusal) {
            stats.rejected += 1;
            stats[refusal] += 1;
            send(res, 401, INVALID);
            return;
        }
        stats.accepted += 1;
        const path = u.pathname.replace(/\/+$/, '');
        if (path === '/v1.0/bridge' && req.method === 'GET') {
            send(res, 200, { name: 'Fake bridge', serialNumber: '20000001-000001', ssid: 'fake', isConnected: 1, version: '2.2.17500', wifiVersion: '0.0.1', timestamp: new Date(clk.now()).toISOString() });
            return;
        }
        if (path === '/v1.0/lock' && req.method === 'GET') { send(res, 200, locks); return; }
        const lm = /^\/v1\.0\/lock\/(\d+)(?:\/(unlock|lock|pull))?$/.exec(path);
        if (lm) {
            const lock = locks.find((l) => String(l.id) === lm[1]);
            if (!lock) { send(res, 404, { 'error-description': 'Lock not found' }); return; }
            if (!lm[2] && req.method === 'GET') { send(res, 200, lock); return; }
            if (lm[2] && req.method === 'POST') {
                lock.state = lm[2] === 'lock' ? 6 : 2;
                stats[lm[2]] = (stats[lm[2]] || 0) + 1;
                send(res, 202, '');
                return;
            }
        }
        send(res, 404, { 'error-description': 'Not found' });
    }

    const srv = await listen(handle, undefined, opts.port || 0);
    return {
        url: srv.url,
        port: srv.port,
        base: `${srv.url}/v1.0`,
        stats,
        locks,
        windowMs,
        setClock: clk.set,
        now: clk.now,
        /** the key this bridge accepts at ms (default: its own clock) */
        keyFor: (ms = clk.now()) => (mode === 'plain' ? token : tedeeKey(token, ms)),
        /** every request fails (status or 'close') for the next n requests; down() = until up() */
        failNext: (n, how = 500) => allFault.set(n, how, { 'error-description': 'fake fault' }),
        down: (how = 503) => allFault.set(Infinity, how, { 'error-description': 'fake bridge down' }),
        up: () => allFault.clear(),
        close: () => srv.close(),
    };
}

module.exports = { start, tedeeKey };
