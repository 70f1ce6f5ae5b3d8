'use strict';
// Shared plumbing of the fake servers: listen on 127.0.0.1:0, track sockets so close()
// also ends keep-alive connections, read bounded bodies, answer JSON, and a fault knob
// ("fail the next N requests of this kind with a status or a closed socket").
// Deliberately plain node:http — independent of the project's Rust core.
const http = require('node:http');
const { listenLocal } = require('../support/ports');

const MAX_BODY = 1024 * 1024;

function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        req.on('data', (c) => {
            size += c.length;
            if (size > MAX_BODY) { reject(new Error('body too large')); req.destroy(); return; }
            chunks.push(c);
        });
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
    });
}

function send(res, status, body, contentType) {
    if (res.headersSent || res.destroyed) return;
    let data = body;
    let type = contentType;
    if (body === undefined || body === null) {
        data = '';
    } else if (typeof body !== 'string' && !Buffer.isBuffer(body)) {
        data = JSON.stringify(body);
        type = type || 'application/json; charset=utf-8';
    }
    const headers = { 'Content-Length': Buffer.byteLength(data) };
    if (type) headers['Content-Type'] = type;
    res.writeHead(status, headers);
    res.end(data);
}

/** Parse the query string without percent-decoding values (raw) and with decoding (decoded). */
function parseUrl(req) {
    const full = req.url || '/';
    const q = full.indexOf('?');
    const pathname = q < 0 ? full : full.slice(0, q);
    const search = q < 0 ? '' : full.slice(q + 1);
    const raw = new Map();
    for (const part of search.split('&')) {
        if (!part) continue;
        const eq = part.indexOf('=');
        const k = eq < 0 ? part : part.slice(0, eq);
        const v = eq < 0 ? '' : part.slice(eq + 1);
        if (!raw.has(k)) raw.set(k, v);
    }
    const decoded = new URLSearchParams(search);
    return { pathname, raw, query: decoded };
}

/**
 * A fault knob: fail(n, how) makes the next n matching requests fail.
 * how: a status number (answered with `body`), or 'close' (socket destroyed, no answer).
 */
function faultKnob() {
    let left = 0;
    let how = 500;
    let body = { status: 500, message: 'fake server fault' };
    return {
        set(n, h = 500, b) { left = n === Infinity ? Infinity : Math.max(0, n | 0); how = h; if (b !== undefined) body = b; },
        clear() { left = 0; },
        get pending() { return left; },
        /** returns true when it handled (failed) the request */
        apply(req, res, stats) {
            if (left <= 0) return false;
            left -= 1;
            if (stats) stats.faults = (stats.faults || 0) + 1;
            if (how === 'close') { req.socket.destroy(); return true; }
            send(res, how, body);
            return true;
        },
    };
}

/** Start an http server with handler(req, res) on 127.0.0.1:port (0: any free port);
 *  resolves { server, url, port, close }. */
async function listen(handler, onError, port = 0) {
    const server = http.createServer((req, res) => {
        Promise.resolve()
            .then(() => handler(req, res))
            .catch((err) => {
                if (onError) onError(err);
                send(res, 500, { status: 500, message: 'fake internal error: ' + err.message });
            });
    });
    server.keepAliveTimeout = 2000;
    const listening = await listenLocal(server, port);
    const bound = listening.port;
    const timers = new Set();
    let closed = false;
    return {
        server,
        port: bound,
        url: `http://127.0.0.1:${bound}`,
        /** a delay that close() cancels (resolves early) */
        delay(ms) {
            return new Promise((resolve) => {
                if (closed || ms <= 0) { resolve(); return; }
                const t = setTimeout(() => { timers.delete(entry); resolve(); }, ms);
                const entry = { t, resolve };
                timers.add(entry);
            });
        },
        close() {
            if (closed) return Promise.resolve();
            closed = true;
            for (const { t, resolve } of timers) { clearTimeout(t); resolve(); }
            timers.clear();
            return listening.close();
        },
    };
}

/** Clock: opts.now (number ms or function) or setClock(fn); default Date.now. */
function clock(opts) {
    let fn;
    const set = (v) => {
        if (v === undefined || v === null) fn = Date.now;
        else if (typeof v === 'function') fn = v;
        else if (typeof v === 'number') fn = () => v;
        else throw new Error('clock: now must be a number (ms) or a function returning ms');
    };
    set(opts && opts.now);
    return { now: () => fn(), set };
}

module.exports = { readBody, send, parseUrl, faultKnob, listen, clock };
