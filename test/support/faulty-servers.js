'use strict';
// Exchange servers that misbehave, for the robustness tests. One plain node:http server on
// 127.0.0.1; the FIRST path segment picks the fault, so a config node's baseUrl is
// `${srv.url}/<fault>` and every exchange path the node appends lands on that fault:
//
//   hang       accepts the request and never answers (the socket stays open)
//   drop       destroys the socket as soon as the request arrives (no status line)
//   reset      sends the status line, headers and half the body, then destroys the socket
//   drip       sends headers, then one byte every `dripMs` (default 100 ms) — forever
//   redirect   302 to itself (a redirect loop)
//   html       200 text/html "<!DOCTYPE html>…"
//   empty      200 with an empty body
//   emptyobj   200 {}
//   array      200 []
//   500        500 text/plain "Internal Server Error"
//   jwt-garbage       200 {"token":"this-is-not-a-jwt"}          (Nightscout exchange shape)
//   jwt-crlf          200 {"token":"eyJ…\r\nX-Injected: 1"}
//   actyx-garbage     200 {"token":"bm90IGFuIGFjdHl4IHRva2Vu"}   (base64, not an Actyx token)
//   timbr-error       200 {"status":"error","data":"user is locked"}
//   huge              200 a 3 MB JSON string
//   sink              200 {"ok":true} — an API endpoint that must NOT be reached by a bad config
//
// start({ dripMs }) → { url, port, stats: { [fault]: count }, open(), close() }
//   open(): sockets currently open (a test can check it drops back to 0)
const http = require('node:http');
const { closedPort, listenLocal } = require('./ports');

const CANNED = {
    html: [200, 'text/html; charset=utf-8', '<!DOCTYPE html>\n<html><head><title>Login</title></head><body>Please sign in</body></html>'],
    empty: [200, 'application/json', ''],
    emptyobj: [200, 'application/json', '{}'],
    array: [200, 'application/json', '[]'],
    500: [500, 'text/plain', 'Internal Server Error'],
    'jwt-garbage': [200, 'application/json', JSON.stringify({ token: 'this-is-not-a-jwt', sub: 'reader' })],
    'jwt-crlf': [200, 'application/json', JSON.stringify({ token: 'eyJhbGciOiJIUzI1NiJ9.e30.sig\r\nX-Injected: 1' })],
    'actyx-garbage': [200, 'application/json', JSON.stringify({ token: Buffer.from('not an actyx token').toString('base64') })],
    'timbr-error': [200, 'application/json', JSON.stringify({ status: 'error', data: 'user is locked' })],
    sink: [200, 'application/json', '{"ok":true}'],
};

async function start({ dripMs = 100 } = {}) {
    const timers = new Set();
    const stats = {};
    const server = http.createServer((req, res) => {
        const fault = decodeURIComponent((req.url || '/').split('?')[0].split('/')[1] || '');
        stats[fault] = (stats[fault] || 0) + 1;
        req.resume(); // drain the request body
        switch (fault) {
            case 'hang':
                return; // never answer
            case 'drop':
                req.socket.destroy();
                return;
            case 'reset': {
                res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 200 });
                res.write('{"token":"eyJhbGciOiJIUzI1NiJ9.');
                const t = setTimeout(() => { timers.delete(t); req.socket.destroy(); }, 20);
                timers.add(t);
                return;
            }
            case 'drip': {
                res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 100000 });
                const t = setInterval(() => { if (!res.destroyed) res.write(' '); }, dripMs);
                timers.add(t);
                res.on('close', () => { clearInterval(t); timers.delete(t); });
                return;
            }
            case 'redirect':
                res.writeHead(302, { Location: req.url, 'Content-Length': 0 });
                res.end();
                return;
            case 'huge': {
                const body = JSON.stringify({ token: 'x'.repeat(3 * 1024 * 1024) });
                res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
                res.end(body);
                return;
            }
            default: {
                const c = CANNED[fault];
                if (!c) {
                    res.writeHead(404, { 'Content-Type': 'text/plain' });
                    res.end('no such fault: ' + fault);
                    return;
                }
                res.writeHead(c[0], { 'Content-Type': c[1], 'Content-Length': Buffer.byteLength(c[2]) });
                res.end(c[2]);
            }
        }
    });
    const listening = await listenLocal(server);
    return {
        url: listening.url,
        port: listening.port,
        stats,
        open: listening.open,
        close() {
            for (const t of timers) { clearTimeout(t); clearInterval(t); }
            timers.clear();
            return listening.close();
        },
    };
}

/** A port on 127.0.0.1 that nothing listens on (connection refused). */
module.exports = { start, closedPort, CANNED };
