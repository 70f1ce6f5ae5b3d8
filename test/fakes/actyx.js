'use strict';
// Fake Actyx node (auth + a little of the node/events API) written from PROTOCOLS.md §5.
// Plain node:http + node:crypto (Ed25519) and a minimal CBOR encoder/decoder of its own.
//
// Enforced facts (PROTOCOLS.md §5):
// - POST /api/v2/auth, JSON body {appId, displayName, version, signature?} (extra fields ignored)
//   -> 200 {"token"} with Content-Type application/json. A Content-Type that is present and not
//   JSON gets 415 ERR_UNSUPPORTED_MEDIA_TYPE (assumption; an absent one is accepted).
// - appId must match ^[a-z0-9-]+(\.[a-z0-9-]+)*$; missing/non-string appId/displayName/version or
//   a bad appId -> 400 ERR_BAD_REQUEST; no signature and appId not starting with 'com.example.' ->
//   400 ERR_BAD_REQUEST "Invalid request. Trial app id needs to start with 'com.example.'. Got '<id>'.";
//   a signature other than opts.acceptSignature -> 400 ERR_MANIFEST_INVALID.
// - Token: standard base64 of u32 BE length | CBOR map {created (µs), appId, cycles, appVersion,
//   validity (s), appMode} | 0x01 | 32-byte node public key | 64-byte Ed25519 signature (over the
//   CBOR bytes, by the node key).
// - API calls (GET /api/v2/node/id, GET /api/v2/events/offsets): `Authorization: Bearer <token>`
//   or query access_token=<token> taken RAW (no percent-decoding). Errors JSON {code, message}:
//   none -> 401 ERR_MISSING_AUTH_HEADER; scheme not exactly `Bearer` -> 401 ERR_UNSUPPORTED_AUTH_TYPE;
//   unparsable -> 400 ERR_TOKEN_INVALID; other node's key / bad signature -> 401 ERR_TOKEN_UNAUTHORIZED;
//   created + validity passed (fake clock) or restart() since issue -> 401 ERR_TOKEN_EXPIRED.
//
// start(opts) -> { url, port, close(), stats, nodeId, publicKey, restart(), setClock(fnOrMs), now(),
//   issue(fields?) -> token, failExchange(n, how), down(how), up() }
const crypto = require('node:crypto');
const { readBody, send, parseUrl, faultKnob, listen, clock } = require('./_util');

const APP_ID_RE = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;

// ---- minimal CBOR (unsigned ints, text strings, maps) ----
function cborHead(major, n) {
    const big = BigInt(n);
    if (big < 24n) return Buffer.from([(major << 5) | Number(big)]);
    if (big < 0x100n) return Buffer.from([(major << 5) | 24, Number(big)]);
    if (big < 0x10000n) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(Number(big), 1); return b; }
    if (big < 0x100000000n) { const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(Number(big), 1); return b; }
    const b = Buffer.alloc(9); b[0] = (major << 5) | 27; b.writeBigUInt64BE(big, 1); return b;
}
function cborEncode(v) {
    if (typeof v === 'number' || typeof v === 'bigint') {
        if (typeof v === 'number' && (!Number.isSafeInteger(v) || v < 0)) throw new Error('cbor: only unsigned safe integers');
        return cborHead(0, v);
    }
    if (typeof v === 'string') { const s = Buffer.from(v, 'utf8'); return Buffer.concat([cborHead(3, s.length), s]); }
    if (v && typeof v === 'object' && !Array.isArray(v)) {
        const parts = [cborHead(5, Object.keys(v).length)];
        for (const [k, x] of Object.entries(v)) parts.push(cborEncode(k), cborEncode(x));
        return Buffer.concat(parts);
    }
    throw new Error(`cbor: unsupported value ${typeof v}`);
}
function cborDecode(buf) {
    let i = 0;
    const need = (n) => { if (i + n > buf.length) throw new Error('cbor: truncated'); };
    function arg(info) {
        if (info < 24) return BigInt(info);
        const n = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
        if (!n) throw new Error('cbor: unsupported length encoding');
        need(n);
        let v = 0n;
        for (let k = 0; k < n; k++) v = (v << 8n) | BigInt(buf[i + k]);
        i += n;
        return v;
    }
    function item() {
        need(1);
        const b = buf[i++];
        const major = b >> 5;
        const n = arg(b & 31);
        if (major === 0) {
            if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('cbor: integer too large');
            return Number(n);
        }
        if (major === 3) { const len = Number(n); need(len); const s = buf.toString('utf8', i, i + len); i += len; return s; }
        if (major === 5) {
            const o = {};
            for (let k = 0n; k < n; k++) {
                const key = item();
                if (typeof key !== 'string') throw new Error('cbor: map key is not text');
                o[key] = item();
            }
            return o;
        }
        throw new Error(`cbor: unsupported major type ${major}`);
    }
    const v = item();
    if (i !== buf.length) throw new Error('cbor: trailing bytes');
    return v;
}

/**
 * Decode an Actyx token (standard base64). Throws on anything malformed.
 * -> { payload: {created, appId, cycles, appVersion, validity, appMode}, cbor, publicKey, signature }
 */
function decodeToken(token) {
    if (typeof token !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 !== 0) {
        throw new Error('token is not standard base64');
    }
    const raw = Buffer.from(token, 'base64');
    if (raw.length < 4) throw new Error('token too short');
    const len = raw.readUInt32BE(0);
    if (raw.length !== 4 + len + 1 + 32 + 64) throw new Error('token length does not match its length prefix');
    const cbor = raw.subarray(4, 4 + len);
    if (raw[4 + len] !== 0x01) throw new Error('unknown key type');
    const publicKey = raw.subarray(5 + len, 5 + len + 32);
    const signature = raw.subarray(5 + len + 32);
    const payload = cborDecode(cbor);
    for (const f of ['created', 'cycles', 'validity']) if (typeof payload[f] !== 'number') throw new Error(`token field ${f} missing`);
    for (const f of ['appId', 'appVersion', 'appMode']) if (typeof payload[f] !== 'string') throw new Error(`token field ${f} missing`);
    return { payload, cbor, publicKey, signature };
}

function rawPublicKey(keyObject) {
    return keyObject.export({ format: 'der', type: 'spki' }).subarray(-32);
}
function publicKeyFromRaw(raw) {
    const prefix = Buffer.from('302a300506032b6570032100', 'hex');
    return crypto.createPublicKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'spki' });
}

/** Make a token signed by privateKey (a node:crypto Ed25519 KeyObject). */
function encodeToken(payload, privateKey) {
    const cbor = cborEncode(payload);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(cbor.length);
    const pub = rawPublicKey(crypto.createPublicKey(privateKey));
    const sig = crypto.sign(null, cbor, privateKey);
    return Buffer.concat([len, cbor, Buffer.from([0x01]), pub, sig]).toString('base64');
}

async function start(opts = {}) {
    const validitySecs = opts.validitySecs ?? 86400;
    const acceptSignature = opts.acceptSignature ?? null;
    const clk = clock(opts);
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    const pubRaw = rawPublicKey(publicKey);
    const nodeId = pubRaw.toString('base64').replace(/=+$/, '');
    const stats = { requests: 0, exchanges: 0, exchangeFailures: 0, apiCalls: 0, apiRefusals: 0, restarts: 0, faults: 0, errors: {}, log: [] };
    const exchangeFault = faultKnob();
    const allFault = faultKnob();
    if (opts.failExchange) exchangeFault.set(opts.failExchange, opts.failExchangeHow ?? 500);
    const nowMicros = () => Math.floor(clk.now() * 1000);
    let bootMicros = nowMicros();
    let lastCreated = 0;

    const fail = (res, status, code, message) => {
        stats.errors[code] = (stats.errors[code] || 0) + 1;
        send(res, status, { code, message });
    };

    function issue(fields = {}) {
        const created = Math.max(nowMicros(), bootMicros);
        lastCreated = Math.max(lastCreated, created);
        return encodeToken({
            created, appId: 'com.example.app', cycles: 0, appVersion: '1.0.0',
            validity: validitySecs, appMode: 'trial', ...fields,
        }, privateKey);
    }

    async function auth(req, res) {
        stats.exchanges += 1;
        const body = await readBody(req);
        if (exchangeFault.apply(req, res, stats)) return;
        const bad = (code, msg, status = 400) => { stats.exchangeFailures += 1; fail(res, status, code, msg); };
        const ct = req.headers['content-type'];
        if (ct && !/^application\/json\s*(;.*)?$/i.test(ct)) return bad('ERR_UNSUPPORTED_MEDIA_TYPE', `Unsupported media type '${ct}'. Use 'application/json'.`, 415);
        let m;
        try { m = JSON.parse(body.toString('utf8')); } catch (e) { return bad('ERR_BAD_REQUEST', `Invalid request. ${e.message}`); }
        if (!m || typeof m !== 'object' || Array.isArray(m)) return bad('ERR_BAD_REQUEST', 'Invalid request. Expected a JSON object.');
        for (const f of ['appId', 'displayName', 'version']) {
            if (typeof m[f] !== 'string') return bad('ERR_BAD_REQUEST', `Invalid request. missing field \`${f}\``);
        }
        if (m.signature !== undefined && typeof m.signature !== 'string') return bad('ERR_BAD_REQUEST', 'Invalid request. invalid type for field `signature`');
        if (!APP_ID_RE.test(m.appId)) return bad('ERR_BAD_REQUEST', `Invalid request. Invalid app id '${m.appId}'.`);
        let appMode = 'trial';
        if (m.signature === undefined) {
            if (!m.appId.startsWith('com.example.')) {
                return bad('ERR_BAD_REQUEST', `Invalid request. Trial app id needs to start with 'com.example.'. Got '${m.appId}'.`);
            }
        } else {
            if (acceptSignature === null || m.signature !== acceptSignature) {
                return bad('ERR_MANIFEST_INVALID', 'Invalid manifest. Manifest signature is invalid.');
            }
            appMode = 'signed';
        }
        send(res, 200, { token: issue({ appId: m.appId, appVersion: m.version, appMode }) }, 'application/json');
    }

    /** -> true when the request may proceed; else it answered */
    function gate(req, res, u) {
        stats.apiCalls += 1;
        const refuse = (status, code, msg) => { stats.apiRefusals += 1; fail(res, status, code, msg); return false; };
        let token;
        const header = req.headers.authorization;
        if (header !== undefined) {
            const sp = header.indexOf(' ');
            const scheme = sp < 0 ? header : header.slice(0, sp);
            if (scheme !== 'Bearer') return refuse(401, 'ERR_UNSUPPORTED_AUTH_TYPE', `Unsupported authentication type '${scheme}'. Only "Bearer" is supported.`);
            token = header.slice(sp + 1).trim();
        } else if (u.raw.has('access_token')) {
            token = u.raw.get('access_token'); // raw: NOT percent-decoded, as the real node
        } else {
            return refuse(401, 'ERR_MISSING_AUTH_HEADER', '"Authorization" header is missing.');
        }
        let dec;
        try { dec = decodeToken(token); } catch (e) { return refuse(400, 'ERR_TOKEN_INVALID', `Invalid token: '${String(token).slice(0, 12)}…'. ${e.message}. Please provide a valid Bearer token.`); }
        if (!dec.publicKey.equals(pubRaw)) return refuse(401, 'ERR_TOKEN_UNAUTHORIZED', 'Token unauthorized: signed by another node.');
        let ok = false;
        try { ok = crypto.verify(null, dec.cbor, publicKeyFromRaw(dec.publicKey), dec.signature); } catch (_) { ok = false; }
        if (!ok) return refuse(401, 'ERR_TOKEN_UNAUTHORIZED', 'Token unauthorized: bad signature.');
        const { created, validity } = dec.payload;
        if (created < bootMicros || created + validity * 1e6 < nowMicros()) {
            return refuse(401, 'ERR_TOKEN_EXPIRED', 'Expired token.');
        }
        return true;
    }

    async function handle(req, res) {
        stats.requests += 1;
        const u = parseUrl(req);
        stats.log.push({ method: req.method, path: u.pathname, rawQuery: Object.fromEntries(u.raw), headers: { ...req.headers } });
        if (stats.log.length > 200) stats.log.shift();
        if (allFault.apply(req, res, stats)) return;
        const path = u.pathname.replace(/\/+$/, '');
        if (path === '/api/v2/auth' && req.method === 'POST') return auth(req, res);
        if (path === '/api/v2/node/id' && req.method === 'GET') {
            await readBody(req);
            if (!gate(req, res, u)) return undefined;
            return send(res, 200, nodeId, 'text/plain; charset=utf-8');
        }
        if (path === '/api/v2/events/offsets' && req.method === 'GET') {
            await readBody(req);
            if (!gate(req, res, u)) return undefined;
            return send(res, 200, { present: { [`${nodeId}-0`]: 41 }, toReplicate: {} });
        }
        return fail(res, 404, 'ERR_NOT_FOUND', `The requested resource could not be found: ${path}`);
    }

    const srv = await listen(handle, undefined, opts.port || 0);
    return {
        url: srv.url,
        port: srv.port,
        stats,
        nodeId,
        publicKey: pubRaw,
        validitySecs,
        /** a token as /api/v2/auth would issue now (fields override the payload) */
        issue,
        /** node restart: every token issued before it is expired */
        restart() { stats.restarts += 1; bootMicros = Math.max(nowMicros(), lastCreated + 1); },
        setClock: clk.set,
        now: clk.now,
        failExchange: (n, how = 500) => exchangeFault.set(n, how, { code: 'ERR_INTERNAL', message: 'fake fault' }),
        down: (how = 503) => allFault.set(Infinity, how, { code: 'ERR_INTERNAL', message: 'fake node down' }),
        up: () => { allFault.clear(); exchangeFault.clear(); },
        close: () => srv.close(),
    };
}

module.exports = { start, decodeToken, encodeToken, cborEncode, cborDecode };
