'use strict';
// A recording HTTP proxy in front of a real server, so a test can see what reached the server and
// what it answered (a real Actyx node counts nothing for us). It forwards the request target byte
// for byte (req.url is the raw request-line target: no percent-decoding, no re-encoding), the
// request headers as received (rawHeaders, same case and order, Host included), the body, and
// sends back the server's status, headers and body unchanged. One upstream connection per
// request (no keep-alive pool), so a server restart leaves no stale socket behind.
//
//   const proxy = await startProxy('http://127.0.0.1:4454');
//   proxy.url                       where to send requests instead
//   proxy.log                       [{ method, url, headers, status, type, text, json }] in order
//   proxy.calls(method, pathname)   the entries for one endpoint (pathname without the query)
//   proxy.clear(); await proxy.close();
const http = require('node:http');
const { listenLocal } = require('./ports');

async function startProxy(target) {
    const up = new URL(target);
    const log = [];
    const server = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            const body = Buffer.concat(chunks);
            const entry = { method: req.method, url: req.url, headers: { ...req.headers }, rawHeaders: req.rawHeaders.slice(), body: body.toString('utf8') };
            log.push(entry);
            const fwd = http.request({
                host: up.hostname, port: up.port, method: req.method, path: req.url,
                headers: req.rawHeaders, setHost: false, agent: false,
            }, (ures) => {
                const back = [];
                ures.on('data', (c) => back.push(c));
                ures.on('end', () => {
                    const data = Buffer.concat(back);
                    entry.status = ures.statusCode;
                    entry.type = ures.headers['content-type'];
                    entry.responseHeaders = { ...ures.headers };
                    entry.text = data.toString('utf8');
                    try { entry.json = JSON.parse(entry.text); } catch (_) { entry.json = undefined; }
                    res.writeHead(ures.statusCode, ures.statusMessage, ures.rawHeaders);
                    res.end(data);
                });
                ures.on('error', (err) => { entry.error = err.message; res.destroy(); });
            });
            fwd.on('error', (err) => {
                entry.error = err.message;
                entry.status = 502;
                if (!res.headersSent) { res.writeHead(502, { 'content-type': 'text/plain' }); res.end(`proxy: ${err.message}`); } else res.destroy();
            });
            fwd.end(body);
        });
    });
    const { url, port, close } = await listenLocal(server);
    return {
        url,
        port,
        log,
        calls: (method, pathname) => log.filter((e) => e.method === method && e.url.split('?')[0].replace(/\/+$/, '') === pathname),
        clear() { log.length = 0; },
        close,
    };
}

module.exports = { startProxy };
