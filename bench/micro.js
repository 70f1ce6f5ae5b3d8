'use strict';
// ns per call of the core against the fastest fair peer in JavaScript.
//
// - The Tedee key (the one per-message call into the core): `signer.freshKey(ms)`, the call the
//   auth node makes, against node:crypto's one-shot `crypto.hash('sha256', s, 'hex')` (Node >=
//   20.12, the fastest way in Node), `createHash().update().digest()`, and crypto-js (a Postman
//   pre-request script). The peers precompute nothing the core precomputes beyond the token
//   (there is nothing else to precompute: the key hashes token + ms).
// - Work done once per exchange, not per message (for reference): the Timbr Fernet bearer (the
//   exchange request of a Timbr Signer), reading an exchange reply.
//
// Every alternative is first checked to give the same answer as the core (the Fernet tokens are
// opened by the tests' node:crypto Fernet), so a figure can never come from code that does
// something else.

const assert = require('node:assert');
const crypto = require('node:crypto');
const CryptoJS = require('crypto-js');
const fernetPkg = require('fernet');
// the core carries no decryption: the token is checked with the tests' node:crypto Fernet
const { fernetOpen } = require('../test/fakes/timbr');
const { interleaved, pairedRatio } = require('./lib');

const core = require('../pkg/api_auth_core.js');
const freshKey = require('../nodes/lib/fresh-key');

// Fixed inputs (the seed vectors of PROTOCOLS.md where there is one).
const TEDEE_TOKEN = 'BE9xnPnGfVUS';
const TIMBR = { username: 'bench-user', password: 'bench-password-1', salt: 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=' };
const TIMBR_PLAIN = Buffer.from(`${TIMBR.username}:${TIMBR.password}`).toString('base64');
const START_MS = 1691058833000;
const b64url = (s) => Buffer.from(s).toString('base64url');
const NS_JWT = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify({ accessToken: 'bench-1234567890abcdef', iat: 1700000000, exp: 1700028800 }))}.c2lnbmF0dXJl`;
const NS_REPLY = JSON.stringify({ token: NS_JWT, sub: 'bench', permissionGroups: [['api:entries:read']], iat: 1700000000, exp: 1700028800 });

// ---- what users write instead of the core -------------------------------------------------

const HAS_HASH = typeof crypto.hash === 'function';
const hashTedee = HAS_HASH ? (token, ms) => crypto.hash('sha256', token + ms, 'hex') + ms : null;
const nodeTedee = (token, ms) => crypto.createHash('sha256').update(token + ms).digest('hex') + ms;
const cjsTedee = (token, ms) => CryptoJS.SHA256(token + ms).toString() + ms;

const b64urlPadded = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

/** Fernet with node:crypto (spec: 0x80 | ts(8) | iv(16) | AES-128-CBC | HMAC-SHA256). */
function nodeFernet(keyBuf, plaintext, nowSecs) {
    const signKey = keyBuf.subarray(0, 16);
    const encKey = keyBuf.subarray(16, 32);
    const iv = crypto.randomBytes(16);
    const c = crypto.createCipheriv('aes-128-cbc', encKey, iv);
    const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    const head = Buffer.alloc(9);
    head[0] = 0x80;
    head.writeBigUInt64BE(BigInt(nowSecs), 1);
    const body = Buffer.concat([head, iv, ct]);
    const mac = crypto.createHmac('sha256', signKey).update(body).digest();
    return b64urlPadded(Buffer.concat([body, mac]));
}

/** Fernet with CryptoJS, as a Postman pre-request script does it. */
function cjsFernet(keyWords, plaintext, nowSecs) {
    const signKey = CryptoJS.lib.WordArray.create(keyWords.words.slice(0, 4), 16);
    const encKey = CryptoJS.lib.WordArray.create(keyWords.words.slice(4, 8), 16);
    const iv = CryptoJS.lib.WordArray.random(16);
    const ct = CryptoJS.AES.encrypt(CryptoJS.enc.Utf8.parse(plaintext), encKey, { iv, mode: CryptoJS.mode.CBC, padding: CryptoJS.pad.Pkcs7 }).ciphertext;
    const body = CryptoJS.enc.Hex.parse('80' + nowSecs.toString(16).padStart(16, '0')).concat(iv).concat(ct);
    const mac = CryptoJS.HmacSHA256(body, signKey);
    return CryptoJS.enc.Base64.stringify(body.concat(mac)).replace(/\+/g, '-').replace(/\//g, '_');
}

/** A row: the core's ns and each peer's, and the per-round ratios core/peer. */
function row(r, coreKey, peers) {
    const out = { coreNs: r[coreKey].ns, coreP10: r[coreKey].p10, coreP90: r[coreKey].p90, peers: {} };
    for (const p of peers) {
        if (!r[p]) continue;
        out.peers[p] = { ns: r[p].ns, coreOverPeer: pairedRatio(r[coreKey].samples, r[p].samples) };
    }
    return out;
}

function run({ smoke = false } = {}) {
    const opts = smoke ? { rounds: 3, warmup: 1, iters: 300 } : { rounds: 31, warmup: 5, iters: 10000 };
    const out = { hasCryptoHash: HAS_HASH };

    // Tedee key --------------------------------------------------------------------------------
    const signer = new core.Signer({ scheme: 'tedee', token: TEDEE_TOKEN });
    for (const ms of [START_MS, START_MS + 7, 9007199254740991]) {
        const want = nodeTedee(TEDEE_TOKEN, ms);
        assert.strictEqual(signer.freshKey(ms), want);
        assert.strictEqual(freshKey(signer, ms), want);
        assert.strictEqual(cjsTedee(TEDEE_TOKEN, ms), want);
        if (HAS_HASH) assert.strictEqual(hashTedee(TEDEE_TOKEN, ms), want);
    }
    let ms = START_MS;
    const tedeeCases = [
        { key: 'freshKey', fn: () => signer.freshKey(ms++) },
        { key: 'freshKeyJs', fn: () => freshKey(signer, ms++) },
        { key: 'createHash', fn: () => nodeTedee(TEDEE_TOKEN, ms++) },
        { key: 'cryptoJs', fn: () => cjsTedee(TEDEE_TOKEN, ms++) },
    ];
    if (HAS_HASH) tedeeCases.push({ key: 'hash', fn: () => hashTedee(TEDEE_TOKEN, ms++) });
    const t = interleaved(tedeeCases, opts);
    out.tedeeKey = row(t, 'freshKey', ['hash', 'createHash', 'cryptoJs']);
    out.tedeeKeyJs = row(t, 'freshKeyJs', ['hash', 'createHash', 'cryptoJs']);

    // Once per exchange: the Timbr Fernet bearer (key mode 'key', plaintext base64("user:password"))
    const keyBuf = Buffer.from(TIMBR.salt.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    const keyWords = CryptoJS.enc.Base64.parse(TIMBR.salt.replace(/-/g, '+').replace(/_/g, '/'));
    const fSecret = new fernetPkg.Secret(TIMBR.salt);
    const secs = Math.floor(START_MS / 1000);
    // the core's bearer as the node gets it: the exchange request of a Timbr Signer
    const timbrSigner = new core.Signer({ scheme: 'timbr', mode: 'exchange', baseUrl: 'http://timbr', ...TIMBR });
    const coreBearer = () => timbrSigner.exchangeRequest(secs * 1000).carried[0];
    const pkgFernet = () => new fernetPkg.Token({ secret: fSecret, time: new Date(secs * 1000).toISOString() }).encode(TIMBR_PLAIN);
    for (const [name, tok] of [
        ['core', coreBearer()], ['createCipheriv', nodeFernet(keyBuf, TIMBR_PLAIN, secs)],
        ['cryptoJs', cjsFernet(keyWords, TIMBR_PLAIN, secs)], ['npmFernet', pkgFernet()],
    ]) {
        assert.strictEqual(fernetOpen(TIMBR.salt, tok), TIMBR_PLAIN, `${name}: its Fernet token does not decrypt to the plaintext`);
        assert.strictEqual(Buffer.from(tok, 'base64').readBigUInt64BE(1), BigInt(secs), `${name}: wrong Fernet timestamp`);
    }
    out.timbrFernetBearer = row(interleaved([
        { key: 'core', fn: coreBearer },
        { key: 'createCipheriv', fn: () => nodeFernet(keyBuf, TIMBR_PLAIN, secs) },
        { key: 'cryptoJs', fn: () => cjsFernet(keyWords, TIMBR_PLAIN, secs) },
        { key: 'npmFernet', fn: pkgFernet },
    ], smoke ? opts : { ...opts, iters: 1000 }), 'core', ['createCipheriv', 'cryptoJs', 'npmFernet']);

    // Once per exchange: reading the Nightscout reply (JSON.parse + the JWT's exp) ----------------
    const ns = new core.Signer({ scheme: 'nightscout', mode: 'jwt', token: 'bench-1234567890abcdef', baseUrl: 'http://ns' });
    assert.strictEqual(ns.exchangeReply(200, NS_REPLY, 0).token, NS_JWT);
    const jsReply = (body) => {
        const j = JSON.parse(body);
        const p = JSON.parse(Buffer.from(j.token.split('.')[1], 'base64url').toString());
        return { token: j.token, refreshAtMs: p.exp * 1000 - 300000 };
    };
    assert.strictEqual(jsReply(NS_REPLY).refreshAtMs, ns.exchangeReply(200, NS_REPLY, 0).refreshAtMs);
    out.exchangeReply = row(interleaved([
        { key: 'core', fn: () => ns.exchangeReply(200, NS_REPLY, 0) },
        { key: 'js', fn: () => jsReply(NS_REPLY) },
    ], smoke ? opts : { ...opts, iters: 2000 }), 'core', ['js']);
    ns.free();
    signer.free();
    return out;
}

module.exports = { run, nodeTedee, hashTedee, TEDEE_TOKEN, START_MS };
