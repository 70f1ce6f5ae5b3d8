'use strict';
// A loopback port that was free a moment ago: for a server a test starts (freePort), or for
// "the server is down" cases, where nothing listens on it (closedPort — the same thing).
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

module.exports = { freePort, closedPort: freePort };
