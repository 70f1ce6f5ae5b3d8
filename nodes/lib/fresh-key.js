'use strict';
// The fresh key of a Signer (Tedee), read straight from the core's memory:
//
//   const freshKey = require('./lib/fresh-key');
//   const key = freshKey(cfg.signer, Date.now());   // same string as cfg.signer.freshKey(Date.now())
//
// signer.freshKeyInto(ms) writes the key into the core's key buffer and returns its length (one
// call into WASM, numbers only); the key is ASCII, so it is read as latin1 from a Buffer over that
// buffer: no UTF-8 decode, no allocation, no call back into JavaScript. When there is no key
// (length 0), signer.freshKey(ms) is called for its error (or its key), so errors stay the core's.

let view = null;
let kb = null;

function freshKey(signer, nowMs) {
    const n = signer.freshKeyInto(nowMs);
    if (n === 0) return signer.freshKey(nowMs);
    // growing WASM memory detaches the old ArrayBuffer: a detached view has length 0
    if (view === null || view.length === 0) {
        if (kb === null) kb = require('../../pkg/api_auth_core.js').keyBuffer();
        view = Buffer.from(kb.memory.buffer, kb.offset, kb.length);
    }
    return view.latin1Slice(0, n);
}

module.exports = freshKey;
