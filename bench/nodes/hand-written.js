'use strict';
// The peers of the auth node in the bench: custom Node-RED nodes as a developer would write them
// by hand for one API, without this package. Same work as the auth node's per-message path,
// nothing more (no 401 loop, no redirect handling, no masking).
//
//   bench-tedee-hash      api_token = sha256hex(token + ms) + ms, with the one-shot crypto.hash
//                         (Node >= 20.12; createHash before that)
//   bench-static-header   a constant header (the credential), set on a copy of msg.headers

const crypto = require('node:crypto');

const sha256hex = typeof crypto.hash === 'function'
    ? (s) => crypto.hash('sha256', s, 'hex')
    : (s) => crypto.createHash('sha256').update(s).digest('hex');

module.exports = function (RED) {
    function TedeeHashNode(n) {
        RED.nodes.createNode(this, n);
        const token = (this.credentials && this.credentials.token) || n.token;
        this.on('input', function (msg, send, done) {
            const ms = Date.now();
            msg.headers = Object.assign({}, msg.headers, { api_token: sha256hex(token + ms) + ms });
            send(msg);
            done();
        });
    }
    RED.nodes.registerType('bench-tedee-hash', TedeeHashNode, { credentials: { token: { type: 'password' } } });

    function StaticHeaderNode(n) {
        RED.nodes.createNode(this, n);
        const name = n.header;
        const value = (this.credentials && this.credentials.token) || n.token;
        this.on('input', function (msg, send, done) {
            msg.headers = Object.assign({}, msg.headers, { [name]: value });
            send(msg);
            done();
        });
    }
    RED.nodes.registerType('bench-static-header', StaticHeaderNode, { credentials: { token: { type: 'password' } } });
};

module.exports.sha256hex = sha256hex;
