'use strict';
// The Tedee fast path: signer.freshKey(ms) hands the ASCII key over as latin1 from the core's key
// buffer, and nodes/lib/fresh-key.js reads it there after signer.freshKeyInto(ms). Both must give
// exactly the key of signer.freshKey's contract (sha256hex(token + ms) + ms), keep the core's
// errors, and survive a growth of WASM memory (which detaches every view of the old buffer).
const assert = require('node:assert');
const crypto = require('node:crypto');
const core = require('../pkg/api_auth_core.js');
const freshKey = require('../nodes/lib/fresh-key');

const want = (token, ms) => crypto.createHash('sha256').update(token + ms).digest('hex') + ms;

describe('fresh key fast path', function () {
    const TOKEN = 'BE9xnPnGfVUS';

    it('signer.freshKey and fresh-key.js give the Tedee key, for every kind of ms', function () {
        const s = new core.Signer({ scheme: 'tedee', token: TOKEN });
        for (const ms of [0, 1, 9, 10, 1691058833000, 1691058833001, 99999999999999, 9007199254740991]) {
            assert.strictEqual(s.freshKey(ms), want(TOKEN, ms), 'freshKey ' + ms);
            assert.strictEqual(freshKey(s, ms), want(TOKEN, ms), 'fresh-key.js ' + ms);
            assert.strictEqual(s.freshKeyInto(ms), 64 + String(ms).length);
        }
        s.free();
    });

    it('keeps the core\'s errors: a bad time, a scheme without a fresh key', function () {
        const s = new core.Signer({ scheme: 'tedee', token: TOKEN });
        for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
            assert.strictEqual(s.freshKeyInto(bad), 0);
            assert.throws(() => freshKey(s, bad), (e) => e.field === 'nowMs' && e.code === 'bad-number');
            assert.throws(() => s.freshKey(bad), (e) => e.field === 'nowMs' && e.code === 'bad-number');
        }
        const st = new core.Signer({ scheme: 'timetagger', token: 'tt-0123456789' });
        assert.strictEqual(st.freshKeyInto(1), 0);
        assert.throws(() => freshKey(st, 1), (e) => e.code === 'not-supported');
        s.free();
        st.free();
    });

    it('two signers share the buffer without mixing their keys (each is read right away)', function () {
        const a = new core.Signer({ scheme: 'tedee', token: 'token-a-0123' });
        const b = new core.Signer({ scheme: 'tedee', token: 'token-b-0123' });
        for (let ms = 1700000000000; ms < 1700000000050; ms++) {
            assert.strictEqual(freshKey(a, ms), want('token-a-0123', ms));
            assert.strictEqual(b.freshKey(ms), want('token-b-0123', ms));
        }
        a.free();
        b.free();
    });

    it('still right after WASM memory grows', function () {
        const s = new core.Signer({ scheme: 'tedee', token: TOKEN });
        assert.strictEqual(freshKey(s, 5), want(TOKEN, 5));
        assert.strictEqual(s.freshKey(5), want(TOKEN, 5));
        const { memory } = core.keyBuffer();
        const before = memory.buffer.byteLength;
        // a wide replay memory makes the core allocate: the memory grows, old views detach
        const verifiers = [];
        while (memory.buffer.byteLength === before && verifiers.length < 64) {
            const v = new core.Verifier({ scheme: 'tedee', token: TOKEN }, 0);
            v.widen(3600000);
            verifiers.push(v);
        }
        assert.ok(memory.buffer.byteLength > before, 'the memory did not grow');
        for (let ms = 6; ms < 20; ms++) {
            assert.strictEqual(freshKey(s, ms), want(TOKEN, ms));
            assert.strictEqual(s.freshKey(ms), want(TOKEN, ms));
        }
        for (const v of verifiers) v.free();
        s.free();
    });
});
