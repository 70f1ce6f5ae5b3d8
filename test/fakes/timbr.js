'use strict';
// Fake Timbr API (timbr-api service) written from PROTOCOLS.md §2 — the real one ships only
// in a proprietary image. Plain node:http + node:crypto, with its OWN Fernet implementation.
//
// Enforced facts (PROTOCOLS.md §2 and the Fernet spec):
// - POST /timbr/api/get_token needs `Authorization: Bearer <fernet>` (scheme `Bearer`, the raw
//   gAAAAA… string) and `Content-Type: application/json`.
// - Fernet: url-safe base64 WITH padding of 0x80 | u64 BE ts | IV(16) | AES-128-CBC/PKCS7 | HMAC-SHA256;
//   signing key = key[0..16], encryption key = key[16..32]; HMAC verified over everything before it;
//   refused when ts > now + 60 s (clock skew) or ts + ttlSecs < now (like Python's Fernet with ttl).
// - Key per keyMode: 'key' (salt IS a 44-char url-safe base64 Fernet key), 'md5' (key =
//   urlsafe_b64(md5hex(salt)): the 32 ASCII hex chars are the 32 key bytes), 'sha256'
//   (key = sha256(salt) raw bytes).
// - Plaintext per plaintextMode: 'base64' = base64("user:password") (default), 'plain' = "user:password".
// - Success: 200 {"data":["tk_<random>"],"status":"success"}; failure: 401 {"status":"error","data":"<reason>"}.
// - Other calls need `x-api-key: tk_…` of an issued, unrevoked token AND Content-Type application/json:
//   missing/unknown key -> 401, revoked key -> 403, wrong Content-Type -> 400 (all {"status":"error"}).
//   Endpoints: GET /timbr/api/ontologies, POST /timbr/api/query/<ontology> (JSON {query}).
//
// start(opts) -> { url, port, close(), stats, key, tokens, revoke(tk), revokeAll(),
//   setTokenReply(reply|null), setClock(fnOrMs), failExchange(n, how), down(how), up() }
const crypto = require('node:crypto');
const { readBody, send, parseUrl, faultKnob, listen, clock } = require('./_util');

/** The 32 Fernet key bytes for a salt under a key mode (PROTOCOLS.md §2). */
function deriveKey(salt, keyMode = 'key') {
    if (typeof salt !== 'string' || !salt) throw new Error('timbr fake: salt must be a non-empty string');
    if (keyMode === 'key') {
        if (!/^[A-Za-z0-9_-]{43}=$/.test(salt)) throw new Error('timbr fake: in keyMode "key" the salt must be a 44-char url-safe base64 Fernet key');
        return Buffer.from(salt, 'base64url');
    }
    if (keyMode === 'md5') return Buffer.from(crypto.createHash('md5').update(salt).digest('hex'), 'ascii');
    if (keyMode === 'sha256') return crypto.createHash('sha256').update(salt).digest();
    throw new Error(`timbr fake: unknown keyMode ${keyMode}`);
}

/** Fernet decrypt; returns { ok: true, plaintext: Buffer, ts } or { ok: false, reason }. */
function fernetDecrypt(key, token, nowSecs, ttlSecs) {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]*={0,2}$/.test(token) || token.length % 4 !== 0) {
        return { ok: false, reason: 'invalid token: not url-safe base64 with padding' };
    }
    const data = Buffer.from(token, 'base64');
    if (data.length < 1 + 8 + 16 + 16 + 32 || data[0] !== 0x80) return { ok: false, reason: 'invalid token: bad version or too short' };
    const ts = Number(data.readBigUInt64BE(1));
    if (ttlSecs !== null && ttlSecs !== undefined && ts + ttlSecs < nowSecs) return { ok: false, reason: 'invalid token: expired' };
    if (ts > nowSecs + 60) return { ok: false, reason: 'invalid token: timestamp in the future' };
    const mac = data.subarray(data.length - 32);
    const signed = data.subarray(0, data.length - 32);
    const want = crypto.createHmac('sha256', key.subarray(0, 16)).update(signed).digest();
    if (!crypto.timingSafeEqual(mac, want)) return { ok: false, reason: 'invalid token: bad signature' };
    const iv = data.subarray(9, 25);
    const ct = data.subarray(25, data.length - 32);
    if (ct.length === 0 || ct.length % 16 !== 0) return { ok: false, reason: 'invalid token: bad ciphertext length' };
    try {
        const d = crypto.createDecipheriv('aes-128-cbc', key.subarray(16, 32), iv);
        return { ok: true, plaintext: Buffer.concat([d.update(ct), d.final()]), ts };
    } catch (_) {
        return { ok: false, reason: 'invalid token: bad padding' };
    }
}

/**
 * Fernet decrypt for tests, keyed by the key text: the plaintext as UTF-8 text, or throws with the
 * reason. The core carries no decryption (the package never decrypts), so this node:crypto one is
 * the independent check of what the core encrypts.
 */
function fernetOpen(keyText, token, ttlSecs, nowSecs) {
    const r = fernetDecrypt(Buffer.from(keyText, 'base64url'), token, nowSecs, ttlSecs);
    if (!r.ok) throw new Error(r.reason);
    return r.plaintext.toString('utf8');
}

/** The key text (url-safe base64, padded) of a salt as this server derives it. */
function timbrKey(salt, keyMode) {
    return deriveKey(salt, keyMode).toString('base64url') + '=';
}

/** Fernet encrypt (for tests): ts in seconds, iv 16 bytes (random by default). */
function fernetEncrypt(key, plaintext, tsSecs, iv = crypto.randomBytes(16)) {
    const c = crypto.createCipheriv('aes-128-cbc', key.subarray(16, 32), iv);
    const ct = Buffer.concat([c.update(Buffer.from(plaintext)), c.final()]);
    const head = Buffer.alloc(9);
    head[0] = 0x80;
    head.writeBigUInt64BE(BigInt(tsSecs), 1);
    const signed = Buffer.concat([head, iv, ct]);
    const mac = crypto.createHmac('sha256', key.subarray(0, 16)).update(signed).digest();
    return Buffer.concat([signed, mac]).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

const isJson = (req) => /^application\/json\s*(;.*)?$/i.test(req.headers['content-type'] || '');

async function start(opts = {}) {
    const keyMode = opts.keyMode || 'key';
    const plaintextMode = opts.plaintextMode || 'base64';
    if (!['base64', 'plain'].includes(plaintextMode)) throw new Error(`timbr fake: unknown plaintextMode ${plaintextMode}`);
    const key = deriveKey(opts.salt, keyMode);
    const users = opts.users || { admin: 'secret' };
    const ttlSecs = opts.ttlSecs ?? 60;
    const clk = clock(opts);

    const stats = { requests: 0, exchanges: 0, exchangeFailures: 0, apiCalls: 0, apiRefusals: 0, faults: 0, log: [] };
    const tokens = new Map(); // tk -> { user, revoked }
    let tokenReply = null;
    const exchangeFault = faultKnob();
    const allFault = faultKnob();
    if (opts.failExchange) exchangeFault.set(opts.failExchange, opts.failExchangeHow ?? 500);

    const err = (res, status, data) => send(res, status, { status: 'error', data });

    function checkCredentials(plain) {
        let text = plain.toString('utf8');
        if (plaintextMode === 'base64') {
            if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return { reason: 'invalid credentials encoding' };
            text = Buffer.from(text, 'base64').toString('utf8');
        }
        const i = text.indexOf(':');
        if (i < 0) return { reason: 'invalid credentials format' };
        const user = text.slice(0, i);
        const pass = text.slice(i + 1);
        if (!Object.prototype.hasOwnProperty.call(users, user) || users[user] !== pass) return { reason: 'invalid username or password' };
        return { user };
    }

    async function getToken(req, res) {
        stats.exchanges += 1;
        await readBody(req);
        if (exchangeFault.apply(req, res, stats)) return;
        if (tokenReply) {
            const r = tokenReply;
            if (r.times !== undefined && --r.times <= 0) tokenReply = null;
            send(res, r.status ?? 200, r.body ?? '', r.contentType);
            return;
        }
        const fail = (status, reason) => { stats.exchangeFailures += 1; err(res, status, reason); };
        const m = /^Bearer (\S+)$/.exec(req.headers.authorization || '');
        if (!m) return fail(401, 'missing or malformed Authorization bearer');
        if (!isJson(req)) return fail(401, 'Content-Type must be application/json');
        const dec = fernetDecrypt(key, m[1], Math.floor(clk.now() / 1000), ttlSecs);
        if (!dec.ok) return fail(401, dec.reason);
        const who = checkCredentials(dec.plaintext);
        if (!who.user) return fail(401, who.reason);
        const tk = 'tk_' + crypto.randomBytes(16).toString('hex');
        tokens.set(tk, { user: who.user, revoked: false });
        send(res, 200, { data: [tk], status: 'success' });
    }

    function apiGate(req, res) {
        stats.apiCalls += 1;
        const tk = req.headers['x-api-key'];
        const refuse = (status, msg) => { stats.apiRefusals += 1; err(res, status, msg); return null; };
        if (!tk) return refuse(401, 'missing x-api-key header');
        const entry = tokens.get(tk);
        if (!entry) return refuse(401, 'invalid token');
        if (entry.revoked) return refuse(403, 'token revoked');
        if (!isJson(req)) return refuse(400, 'Content-Type must be application/json');
        return entry;
    }

    async function handle(req, res) {
        stats.requests += 1;
        const u = parseUrl(req);
        stats.log.push({ method: req.method, path: u.pathname, headers: { ...req.headers } });
        if (stats.log.length > 200) stats.log.shift();
        if (allFault.apply(req, res, stats)) return;
        const path = u.pathname.replace(/\/+$/, '');
        if (path === '/timbr/api/get_token' && req.method === 'POST') return getToken(req, res);
        if (path === '/timbr/api/ontologies' && req.method === 'GET') {
            await readBody(req);
            const who = apiGate(req, res);
            if (!who) return undefined;
            return send(res, 200, { status: 'success', data: [{ ontology: 'demo', description: 'fake ontology' }] });
        }
        const q = /^\/timbr\/api\/query\/([^/]+)$/.exec(path);
        if (q && req.method === 'POST') {
            const body = await readBody(req);
            const who = apiGate(req, res);
            if (!who) return undefined;
            let parsed;
            try { parsed = JSON.parse(body.toString('utf8')); } catch (_) { parsed = null; }
            if (!parsed || typeof parsed.query !== 'string') return err(res, 400, 'body must be JSON with a "query" string');
            return send(res, 200, { status: 'success', data: [{ ontology: decodeURIComponent(q[1]), user: who.user, rows: 1 }] });
        }
        return err(res, 404, 'not found');
    }

    const srv = await listen(handle, undefined, opts.port || 0);
    return {
        url: srv.url,
        port: srv.port,
        stats,
        key, // the 32 Fernet key bytes the server uses
        tokens, // Map tk -> { user, revoked }
        revoke(tk) { const e = tokens.get(tk); if (e) e.revoked = true; return !!e; },
        revokeAll() { for (const e of tokens.values()) e.revoked = true; },
        /** override get_token's answer: { status = 200, body (string|object), contentType, times } or null */
        setTokenReply(r) { tokenReply = r ? { ...r } : null; },
        setClock: clk.set,
        now: clk.now,
        failExchange: (n, how = 500) => exchangeFault.set(n, how, { status: 'error', data: 'fake server fault' }),
        down: (how = 503) => allFault.set(Infinity, how, { status: 'error', data: 'fake server down' }),
        up: () => { allFault.clear(); exchangeFault.clear(); tokenReply = null; },
        close: () => srv.close(),
    };
}

module.exports = { start, deriveKey, timbrKey, fernetDecrypt, fernetOpen, fernetEncrypt };
