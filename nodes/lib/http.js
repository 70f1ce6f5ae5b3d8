'use strict';
// Small HTTP helpers shared by the exchanges and the Test endpoint: one fetch with a timeout, no
// redirects and a size limit, the server's own words from an error body, and redaction of secrets.

const MAX_WORDS = 200;

class HttpError extends Error {
    constructor(message, props) {
        super(message);
        this.name = 'ApiAuthError';
        Object.assign(this, props);
    }
}

/** Join a base URL and a path without doubling or dropping the slash. */
function joinUrl(base, path) {
    const b = String(base || '').replace(/\/+$/, '');
    if (!path) return b;
    return b + (path.startsWith('/') ? path : '/' + path);
}

/** The path of a URL (no query, no credentials) for error messages. */
function pathOf(url) {
    try {
        return new URL(url).pathname;
    } catch (_) {
        return String(url).split('?')[0];
    }
}

function truncate(s, n = MAX_WORDS) {
    s = String(s).replace(/\s+/g, ' ').trim();
    return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/**
 * The server's own words from an error body (text, Buffer or parsed object):
 * Actyx {code, message} → "ERR_TOKEN_EXPIRED: …"; Tedee {"error-description"}; Timbr
 * {status:"error", data}; Nightscout {message, description} → "Unauthorized: Invalid/Missing";
 * TimeTagger text/plain "401 unauthorized: …"; anything else: the text, truncated.
 */
function serverWords(body) {
    if (body === undefined || body === null) return '';
    let obj = body;
    if (Buffer.isBuffer(body)) body = body.toString('utf8');
    if (typeof body === 'string') {
        const t = body.trim();
        if (!t) return '';
        try { obj = JSON.parse(t); } catch (_) { return truncate(t); }
    }
    if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
        const parts = [];
        const add = (v) => {
            if (v === undefined || v === null || v === '') return;
            const s = typeof v === 'string' ? v : JSON.stringify(v);
            if (!parts.includes(s)) parts.push(s);
        };
        if (obj.code && typeof obj.code === 'string') add(obj.code);
        if (obj['error-description']) add(obj['error-description']);
        if (obj.error && typeof obj.error === 'string') add(obj.error);
        if (obj.error_description) add(obj.error_description);
        if (obj.message !== undefined && typeof obj.message !== 'object') add(obj.message);
        if (obj.description) add(obj.description);
        if (obj.status === 'error' && obj.data !== undefined) add(obj.data);
        if (parts.length) return truncate(parts.join(': '));
    }
    return truncate(typeof obj === 'string' ? obj : JSON.stringify(obj));
}

/**
 * Every way `s` can appear in a text: as is, percent-encoded as encodeURIComponent does it (the
 * core's one encoder, used for query values and the Nightscout exchange path), as RFC 3986 strict
 * encoders do it (also !'()*), as a form body does it (space as +), and with lower-case hex.
 */
function encodedForms(s) {
    const forms = new Set([s]);
    const enc = encodeURIComponent(s);
    const strict = enc.replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
    for (const f of [enc, strict]) {
        forms.add(f);
        forms.add(f.replace(/%20/g, '+'));
    }
    for (const f of [...forms]) forms.add(f.replace(/%[0-9A-F]{2}/g, (x) => x.toLowerCase()));
    return [...forms];
}

/**
 * Replace every occurrence of each secret (≥ 4 chars), in any of its encodings, in `text` with
 * its masked form.
 */
function redact(text, secrets, mask) {
    let out = String(text);
    const pairs = [];
    for (const s of secrets || []) {
        if (typeof s !== 'string' || s.length < 4) continue;
        const m = mask ? mask(s) : '****';
        for (const f of encodedForms(s)) pairs.push([f, m]);
    }
    // longest first, so a secret that contains another one is masked whole
    pairs.sort((a, b) => b[0].length - a[0].length);
    for (const [f, m] of pairs) {
        if (out.includes(f)) out = out.split(f).join(m);
    }
    return out;
}

/**
 * `value` with `mask(text)` applied to every string in it (strings, Buffers, arrays and plain
 * objects, to depth 20), but only where `mask` changes something: untouched values (and Buffers
 * without a secret) are returned as they are, so data that carries no secret is never rebuilt.
 */
function maskDeep(value, mask, depth = 0) {
    if (typeof value === 'string') return mask(value);
    if (depth > 20 || value === null || typeof value !== 'object') return value;
    if (Buffer.isBuffer(value)) {
        const text = value.toString('utf8');
        const masked = mask(text);
        return masked === text ? value : Buffer.from(masked, 'utf8');
    }
    if (Array.isArray(value)) {
        let out = null;
        value.forEach((v, i) => {
            const m = maskDeep(v, mask, depth + 1);
            if (m !== v) { out = out || value.slice(); out[i] = m; }
        });
        return out || value;
    }
    if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
    let out = null;
    for (const k of Object.keys(value)) {
        const m = maskDeep(value[k], mask, depth + 1);
        if (m !== value[k]) { out = out || Object.assign({}, value); out[k] = m; }
    }
    return out || value;
}

/**
 * Mask the values of the query parameters `names` (as they appear in a URL: already encoded)
 * wherever a URL in `text` carries them: `?name=value` / `&name=value` → `?name=****`.
 */
function maskQueryParams(text, names) {
    let out = String(text);
    for (const name of names || []) {
        if (!name) continue;
        const re = new RegExp('([?&]' + name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '=)[^&#\\s"\']*', 'g');
        out = out.replace(re, '$1****');
    }
    return out;
}

/** Largest reply body read from an exchange or check endpoint (a token reply is a few KB). */
const MAX_REPLY_BYTES = 1024 * 1024;

const SOCKET_CLOSED = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);

function errorCode(err) {
    const cause = err && err.cause;
    return (cause && (cause.code || (cause.errors && cause.errors[0] && cause.errors[0].code))) || (err && err.code);
}

/**
 * Words for a network failure. `stage` 'connect': before a status line arrived; 'body': while
 * reading the reply.
 */
function describeNetworkError(err, timeoutMs, stage = 'connect') {
    const secs = Math.round(timeoutMs / 100) / 10;
    if (err && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
        return stage === 'body'
            ? `the reply did not complete within ${secs} s (the config node's timeout)`
            : `no answer within ${secs} s (the config node's timeout)`;
    }
    const cause = err && err.cause;
    const code = errorCode(err);
    if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED) — is the server running?';
    if (code && SOCKET_CLOSED.has(code)) {
        return stage === 'body'
            ? `the connection was closed in the middle of the reply (${code})`
            : `the server closed the connection without answering (${code})`;
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve the host name (${code})`;
    if (code) return `cannot reach the server (${code})`;
    if (cause && cause.message) return `cannot reach the server (${truncate(cause.message, 120)})`;
    return `cannot reach the server (${truncate((err && err.message) || String(err), 120)})`;
}

/** Where a redirect points, for an error message: the path on the same server, else origin + path; never the query. */
function redirectTarget(location, base) {
    if (!location) return '(no Location)';
    try {
        const to = new URL(location, base);
        const from = new URL(base);
        return to.origin === from.origin ? to.pathname : to.origin + to.pathname;
    } catch (_) {
        return '(bad Location)';
    }
}

/** Read a fetch Response body as text, at most `max` bytes. */
async function readLimited(res, max) {
    const len = Number(res.headers.get('content-length'));
    if (Number.isFinite(len) && len > max) {
        try { await res.body.cancel(); } catch (_) { /* already gone */ }
        return { tooLarge: true };
    }
    if (!res.body) return { text: '' };
    const reader = res.body.getReader();
    const chunks = [];
    let size = 0;
    for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > max) {
            try { await reader.cancel(); } catch (_) { /* already gone */ }
            return { tooLarge: true };
        }
        chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
    return { text: Buffer.concat(chunks).toString('utf8') };
}

/**
 * fetch with a timeout (connect, headers AND body), no redirects and a 1 MB reply limit;
 * resolves { status, text, headers, prefix }.
 * Network failures reject with an HttpError { code: 'network' } whose message starts with
 * `${label}: ${what} ${METHOD} ${path}: ` — the path only, never the query. A redirect rejects
 * with { status: 3xx, code: 'redirect' }, a reply over the limit with { code: 'too-large' }.
 */
async function fetchText({ method = 'GET', url, headers, body, timeoutMs = 10000, label, what, maxBytes = MAX_REPLY_BYTES }) {
    const prefix = `${label}: ${what ? what + ' ' : ''}${method} ${pathOf(url)}`;
    let res;
    try {
        res = await fetch(url, {
            method,
            headers,
            body,
            redirect: 'manual',
            signal: AbortSignal.timeout(timeoutMs),
        });
    } catch (err) {
        throw new HttpError(`${prefix}: ${describeNetworkError(err, timeoutMs, 'connect')}`, { code: 'network' });
    }
    if (res.status >= 300 && res.status < 400) {
        try { if (res.body) await res.body.cancel(); } catch (_) { /* ignore */ }
        throw new HttpError(`${prefix}: HTTP ${res.status} redirect to ${redirectTarget(res.headers.get('location'), url)} (redirects are not followed: set the base URL to the final address)`,
            { code: 'redirect', status: res.status });
    }
    let r;
    try {
        r = await readLimited(res, maxBytes);
    } catch (err) {
        throw new HttpError(`${prefix}: ${describeNetworkError(err, timeoutMs, 'body')}`, { code: 'network', status: res.status });
    }
    if (r.tooLarge) {
        throw new HttpError(`${prefix}: the reply is larger than ${Math.round(maxBytes / 1048576 * 10) / 10} MB (HTTP ${res.status}) — is the base URL the API?`,
            { code: 'too-large', status: res.status });
    }
    return { status: res.status, text: r.text, headers: res.headers, prefix };
}

/**
 * Append ready-encoded query parameters (`{name: value}` from the core) to `url`, replacing an
 * existing parameter of the same name; keeps a #fragment at the end.
 */
function appendQuery(url, query) {
    const names = Object.keys(query || {});
    if (!names.length) return url;
    const hashAt = url.indexOf('#');
    const hash = hashAt >= 0 ? url.slice(hashAt) : '';
    let base = removeQuery(hashAt >= 0 ? url.slice(0, hashAt) : url, names);
    for (const name of names) base += (base.includes('?') ? '&' : '?') + name + '=' + query[name];
    return base + hash;
}

/** `url` without the query parameters `names` (as they appear in the URL). */
function removeQuery(url, names) {
    if (!names || !names.length) return url;
    const hashAt = url.indexOf('#');
    const hash = hashAt >= 0 ? url.slice(hashAt) : '';
    const rest = hashAt >= 0 ? url.slice(0, hashAt) : url;
    const q = rest.indexOf('?');
    if (q < 0) return url;
    const kept = rest.slice(q + 1).split('&').filter((part) => !names.some((n) => part === n || part.startsWith(n + '=')));
    return rest.slice(0, q) + (kept.length ? '?' + kept.join('&') : '') + hash;
}

module.exports = {
    appendQuery, removeQuery, HttpError, joinUrl, pathOf, truncate, serverWords, redact, encodedForms, maskQueryParams, maskDeep, fetchText,
    describeNetworkError, MAX_REPLY_BYTES,
};
