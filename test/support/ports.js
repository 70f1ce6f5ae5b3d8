'use strict';
// A loopback port that was free a moment ago: for a server a test starts (freePort), or for
// "the server is down" cases, where nothing listens on it (closedPort — the same thing); and
// listenLocal, which puts a test server on 127.0.0.1 and closes it with its keep-alive sockets.
const net = require('node:net');

function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

/**
 * `server` listening on 127.0.0.1:`port` (0: any free one) → { port, url, open(), close() }:
 * open() counts its sockets; close() resolves once it stopped, ending idle keep-alive sockets too.
 */
async function listenLocal(server, port = 0) {
    const sockets = new Set();
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
    });
    const bound = server.address().port;
    return {
        port: bound,
        url: `http://127.0.0.1:${bound}`,
        open: () => sockets.size,
        close: () => new Promise((resolve) => {
            server.close(() => resolve());
            for (const s of sockets) s.destroy();
            if (server.closeAllConnections) server.closeAllConnections();
        }),
    };
}

module.exports = { freePort, closedPort: freePort, listenLocal };
