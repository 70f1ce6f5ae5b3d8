'use strict';
// Small HTTP helpers shared by the exchange runner, the Test endpoint and the auth node: one fetch
// with a timeout, no redirects and a size limit, URL joining and query handling, and masking of
// secrets in every encoding. (The server's own words are read by the core: core.serverWords.)
// Texts go through `t` (nodes/lib/i18n.js, keys in locales/en-US/api-auth-config.json).

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
 * Words for a network failure, and whether it was a timeout. `stage` 'connect': before a status
 * line arrived; 'body': while reading the reply.
 */
function describeNetworkError(err, timeoutMs, stage, t) {
    const secs = Math.round(timeoutMs / 100) / 10;
    const e = (key, vars) => t(`api-auth-config.network.${key}`, vars);
    if (err && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
        return { timeout: true, text: stage === 'body' ? e('bodyTimeout', { secs }) : e('timeout', { secs }) };
    }
    const cause = err && err.cause;
    const code = errorCode(err);
    let text;
    if (code === 'ECONNREFUSED') text = e('refused');
    else if (code && SOCKET_CLOSED.has(code)) text = stage === 'body' ? e('closedMidReply', { code }) : e('closed', { code });
    else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') text = e('dns', { code });
    else if (code) text = e('other', { what: code });
    else text = e('other', { what: truncate((cause && cause.message) || (err && err.message) || String(err), 120) });
    return { timeout: false, text };
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
 * resolves { status, text, headers, prefix }. Failures reject with an HttpError whose message
 * starts with `${label}: ${what} ${METHOD} ${path}: ` (the path only, never the query) and whose
 * code is 'network' | 'timeout' (no answer), 'redirect' (a 3xx: not followed) or 'too-large'.
 */
async function fetchText({ method = 'GET', url, headers, body, timeoutMs = 10000, label, what, maxBytes = MAX_REPLY_BYTES, t }) {
    const prefix = `${label}: ${what ? what + ' ' : ''}${method} ${pathOf(url)}`;
    const fail = (err, stage, status) => {
        const d = describeNetworkError(err, timeoutMs, stage, t);
        return new HttpError(`${prefix}: ${d.text}`, { code: d.timeout ? 'timeout' : 'network', status });
    };
    let res;
    try {
        res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
        throw fail(err, 'connect');
    }
    if (res.status >= 300 && res.status < 400) {
        try { if (res.body) await res.body.cancel(); } catch (_) { /* ignore */ }
        throw new HttpError(`${prefix}: ${t('api-auth-config.network.redirect', { status: res.status, to: redirectTarget(res.headers.get('location'), url) })}`,
            { code: 'redirect', status: res.status });
    }
    let r;
    try {
        r = await readLimited(res, maxBytes);
    } catch (err) {
        throw fail(err, 'body', res.status);
    }
    if (r.tooLarge) {
        throw new HttpError(`${prefix}: ${t('api-auth-config.network.tooLarge', { mb: Math.round(maxBytes / 1048576 * 10) / 10, status: res.status })}`,
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
    const base = removeQuery(hashAt >= 0 ? url.slice(0, hashAt) : url, names);
    return base + (base.includes('?') ? '&' : '?') + queryText(query) + hash;
}

/** `a=1&b=2` of query values that are already percent-encoded. */
function queryText(query) {
    return Object.keys(query).map((n) => n + '=' + query[n]).join('&');
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
    appendQuery, queryText, removeQuery, HttpError, joinUrl, pathOf, truncate, redact, encodedForms, maskQueryParams, maskDeep, fetchText,
    describeNetworkError, MAX_REPLY_BYTES,
};
