'use strict';
// Where the verify nodes of one API credentials node keep their replay memory and penalty list:
// `memory` (in this Node-RED: the core's bitmap and the verify node's PenaltyList, as before) or
// `redis` (shared by every Node-RED instance pointed at the same Redis and key prefix).
//
// The core still decides: `verifier.claimCheck()` checks the credential, the window and the local
// floor, and answers `claim` for a valid single-use key. This module only records it, atomically:
//
//   <prefix>replay:<scope>:<ms>   SET … 1 NX PX <ttlMs>  → OK: accepted; nil: used before (replay)
//                                 scope = 32 hex digits the core derives from the token (never the
//                                 token itself); ttlMs from the core (the key's life + 2 s)
//   <prefix>penalty:<address>     its PTTL is how long the next answer to that client address is
//                                 held; each failure adds penaltyMs (capped), atomically (Lua);
//                                 a success deletes it; Redis drops it when the time is over
//
// One connection per API credentials node (the official `redis` client, required only here and
// only when a Redis store is configured), no offline queue (a command while disconnected fails at
// once), every command bounded by COMMAND_TIMEOUT_MS, reconnection with backoff. Each (re)connection
// raises the verifier's floor to that moment (`onConnect`): the Redis it reached may be empty after a
// restart, so nothing used before can be told apart from new. Any failure means "not recorded":
// the caller refuses (503), never accepts.

const crypto = require('node:crypto');

const STORES = ['memory', 'redis'];
const DEFAULT_PREFIX = 'api-auth:';
const MAX_PREFIX = 100;
const COMMAND_TIMEOUT_MS = 1000; // a verify request waits at most this long for one Redis command
const CONNECT_TIMEOUT_MS = 2000;
const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 2000;
const PROBE_MS = 1000; // while connected but failing (slow, an error reply): PING this often
const QUEUE_MAX = 10000; // commands waiting for a slow Redis; beyond: refused at once

// KEYS[1] the address's penalty key; ARGV[1] penaltyMs; ARGV[2] the longest wait. The key's PTTL
// is the wait (no clocks compared between instances): the new wait is what was left + penaltyMs.
const PENALTY_LUA = `local left = redis.call('PTTL', KEYS[1])
if left < 0 then left = 0 end
local wait = left + tonumber(ARGV[1])
if wait > tonumber(ARGV[2]) then wait = tonumber(ARGV[2]) end
redis.call('SET', KEYS[1], '1', 'PX', wait)
return wait`;
const PENALTY_SHA = crypto.createHash('sha1').update(PENALTY_LUA).digest('hex');

/** `${NAME}` (or legacy `$(NAME)`) → NAME, else null. */
function envRef(v) {
    const m = typeof v === 'string' && (/^\$\{(\S+)\}$/.exec(v) || /^\$\((\S+)\)$/.exec(v));
    return m ? m[1] : null;
}

/** Shown in an error only when it cannot be a misplaced secret (a short word). */
function shown(v) {
    const s = String(v).trim();
    return /^[A-Za-z _-]{1,20}$/.test(s) ? ` '${s}'` : '';
}

/**
 * The store settings of an API credentials node: its properties `replayStore`, `redisPrefix` and
 * its credential `redisUrl` (Node-RED has already replaced a set `${VAR}` in it at deploy).
 * → { kind, url, prefix, secrets[], problem } — problem: null or an Error with `code` and `field`,
 * whose message never contains the URL. `t` gives the texts (api-auth-config catalog).
 */
function storeSettings(n, creds, t) {
    const fail = (field, code, key, vars) => {
        const e = new Error(`${field}: ${t('api-auth-config.errors.' + key, vars)}`);
        e.code = code;
        e.field = field;
        return e;
    };
    const raw = n.replayStore;
    const kind = raw === undefined || raw === null || raw === '' ? 'memory' : String(raw);
    const out = { kind, url: null, prefix: DEFAULT_PREFIX, secrets: [], problem: null };
    if (!STORES.includes(kind)) {
        out.problem = fail('replayStore', 'unknown-value', 'unknownStore', { value: shown(kind), allowed: STORES.map((s) => `'${s}'`).join(', ') });
        return out;
    }
    if (kind !== 'redis') return out;
    if (n.redisPrefix !== undefined && n.redisPrefix !== null && n.redisPrefix !== '') out.prefix = String(n.redisPrefix);
    if (out.prefix.length > MAX_PREFIX || [...out.prefix].some((ch) => /\s/.test(ch) || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) {
        out.problem = fail('redisPrefix', 'bad-format', 'badPrefix', { max: MAX_PREFIX });
        return out;
    }
    const url = creds && typeof creds.redisUrl === 'string' ? creds.redisUrl.trim() : '';
    const ref = envRef(url);
    if (ref) {
        out.problem = fail('redisUrl', 'env-unset', 'envUnset', { ref });
        return out;
    }
    if (!url) {
        out.problem = fail('redisUrl', 'required', 'redisUrlRequired');
        return out;
    }
    let parsed = null;
    try { parsed = new URL(url); } catch (_) { /* below */ }
    if (!parsed || !['redis:', 'rediss:'].includes(parsed.protocol) || !parsed.hostname) {
        out.secrets.push(url);
        out.problem = fail('redisUrl', 'bad-url', 'badRedisUrl');
        return out;
    }
    out.url = url;
    out.secrets.push(url);
    for (const part of [parsed.password, parsed.username]) {
        if (!part) continue;
        out.secrets.push(part);
        try { out.secrets.push(decodeURIComponent(part)); } catch (_) { /* as it is */ }
    }
    return out;
}

function replayKey(prefix, scope, ms) {
    return `${prefix}replay:${scope}:${ms}`;
}

/** An address as it goes in a key: as it is when it looks like one, else a hash of it. */
function penaltyKey(prefix, addr) {
    const a = String(addr);
    const safe = /^[0-9A-Za-z.:%_[\]-]{1,64}$/.test(a) ? a : 'h-' + crypto.createHash('sha256').update(a).digest('hex').slice(0, 32);
    return `${prefix}penalty:${safe}`;
}

/** Reconnection backoff: 50 ms doubling to 2 s, plus up to 100 ms of jitter. */
function backoff(retries) {
    return Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(retries, 16)) + Math.floor(Math.random() * 100);
}

/** A stable code for what went wrong with Redis (the texts are the nodes'). */
function problemCode(err) {
    if (!err) return 'error';
    if (err.storeCode) return err.storeCode;
    const name = err.constructor && err.constructor.name;
    const msg = String(err.message || '');
    const code = err.code || (err.cause && err.cause.code) || '';
    if (code === 'ECONNREFUSED') return 'refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
    if (code === 'ECONNRESET' || code === 'EPIPE' || name === 'SocketClosedUnexpectedlyError') return 'closed';
    if (name === 'ConnectionTimeoutError') return 'connect-timeout';
    if (name === 'ClientOfflineError') return 'offline';
    if (name === 'ClientClosedError') return 'closed';
    if (/^(WRONGPASS|NOAUTH|NOPERM)\b/.test(msg)) return 'auth';
    if (/^LOADING\b/.test(msg)) return 'loading';
    if (/^(READONLY|MASTERDOWN)\b/.test(msg)) return 'readonly';
    if (/^OOM\b/.test(msg)) return 'oom';
    if (/^ERR .*queue is full|The queue is full/.test(msg)) return 'busy';
    if (/^(ERR|WRONGTYPE|EXECABORT|NOSCRIPT|BUSY)\b/.test(msg)) return 'reply';
    if (code && /^E[A-Z]+$/.test(code)) return 'network';
    return 'error';
}

function storeError(code, cause) {
    const e = new Error(`Redis: ${code}`);
    e.storeCode = code;
    if (cause) e.cause = cause;
    return e;
}

/**
 * The Redis store of one API credentials node.
 *   new RedisStore({ url, prefix, onConnect(nowMs), onChange(state, problem), createClient? })
 *   .start()  connect (in the background, retrying for ever with backoff)
 *   .state    'connecting' | 'ready' | 'down' | 'closed';  .problem: null | { code }
 *   .ready    true when a command may succeed now
 *   .claim(scope, ms, ttlMs) → Promise<boolean>  (true: recorded now; false: used before)
 *   .penaltyWait(addr) / .penaltyFailed(addr, penaltyMs, maxMs) / .penaltySucceeded(addr)
 *   .onState(fn) → unsubscribe;  .close()
 * Every command rejects (an Error with `storeCode`) when it was not done: offline, timeout, an
 * error reply. Nothing here decides to accept anything.
 */
class RedisStore {
    constructor(opts) {
        this.url = opts.url;
        this.prefix = opts.prefix;
        this.timeoutMs = opts.timeoutMs || COMMAND_TIMEOUT_MS;
        this.onConnect = opts.onConnect || (() => {});
        this.createClient = opts.createClient || null;
        this.state = 'connecting';
        this.problem = null;
        this.client = null;
        this.connections = 0; // (re)connections so far
        this._listeners = new Set();
        this._probe = null;
    }

    get ready() {
        return this.state === 'ready' && !!this.client && this.client.isReady;
    }

    onState(fn) {
        this._listeners.add(fn);
        return () => this._listeners.delete(fn);
    }

    _set(state, problem) {
        const code = problem ? problem.code : null;
        if (this.state === state && (this.problem ? this.problem.code : null) === code) return;
        this.state = state;
        this.problem = problem;
        for (const fn of [...this._listeners]) {
            try { fn(state, problem); } catch (_) { /* a listener must not break the store */ }
        }
    }

    start() {
        if (this.client || this.state === 'closed') return this;
        const createClient = this.createClient || require('redis').createClient;
        const client = createClient({
            url: this.url,
            disableOfflineQueue: true,
            commandsQueueMaxLength: QUEUE_MAX,
            socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: backoff },
        });
        this.client = client;
        client.on('ready', () => {
            if (this.client !== client) return;
            // Synchronously with isReady turning true: no command of this connection has run yet.
            this.connections += 1;
            try { this.onConnect(Date.now()); } catch (_) { /* the verifier is gone (closing) */ }
            this._stopProbe();
            this._set('ready', null);
        });
        client.on('error', (err) => {
            if (this.client !== client || client.isReady) return; // a command's own error: its caller sees it
            this._set('down', { code: problemCode(err) });
        });
        client.on('reconnecting', () => {
            if (this.client !== client || this.state === 'down') return;
            this._set('down', this.problem || { code: 'closed' });
        });
        client.connect().catch((err) => {
            // only when reconnection gives up (it does not) or the store was closed meanwhile
            if (this.client === client && this.state !== 'closed') this._set('down', { code: problemCode(err) });
        });
        return this;
    }

    /** One command, bounded in time; rejects with a storeCode when it was not done. */
    _command(args) {
        const client = this.client;
        if (this.state === 'closed' || !client) return Promise.reject(storeError('closed'));
        if (!client.isReady) return Promise.reject(storeError(this.problem ? this.problem.code : 'offline'));
        return new Promise((resolve, reject) => {
            let settled = false;
            const timer = setTimeout(() => {
                // After a stall of this process (GC, CPU starved) timers run before pending socket
                // reads: decide after the I/O phase, so a reply that did arrive in time still counts.
                setImmediate(() => {
                    if (settled) return;
                    settled = true;
                    this._failed(client, storeError('timeout'));
                    reject(storeError('timeout'));
                });
            }, this.timeoutMs);
            client.sendCommand(args).then((reply) => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                if (this.state === 'down' && this.client === client && client.isReady) {
                    this._stopProbe();
                    this._set('ready', null);
                }
                resolve(reply);
            }, (err) => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                const e = storeError(problemCode(err), err);
                this._failed(client, e);
                reject(e);
            });
        });
    }

    /** A command failed while connected (slow, an error reply): down until a PING answers. */
    _failed(client, err) {
        if (this.client !== client || this.state === 'closed') return;
        const code = err.storeCode;
        if (code === 'reply') return; // a bad command is not an outage
        this._set('down', { code });
        if (client.isReady && !this._probe) {
            this._probe = setInterval(() => {
                if (!client.isReady || this.client !== client) return;
                this._command(['PING']).catch(() => { /* still down */ });
            }, PROBE_MS);
            if (this._probe.unref) this._probe.unref();
        }
    }

    _stopProbe() {
        if (this._probe) clearInterval(this._probe);
        this._probe = null;
    }

    /** Record `ms` of `scope` as used: true if it was not used before (atomic across instances). */
    async claim(scope, ms, ttlMs) {
        const reply = await this._command(['SET', replayKey(this.prefix, scope, ms), '1', 'NX', 'PX', String(Math.max(1, Math.round(ttlMs)))]);
        return reply === 'OK';
    }

    /** ms the current request from `addr` has to wait (0 when none). */
    async penaltyWait(addr, maxMs) {
        const left = Number(await this._command(['PTTL', penaltyKey(this.prefix, addr)]));
        return left > 0 ? Math.min(left, maxMs) : 0;
    }

    /** A failure from `addr`: its wait grows by penaltyMs (capped at maxMs). → the new wait. */
    async penaltyFailed(addr, penaltyMs, maxMs) {
        const key = penaltyKey(this.prefix, addr);
        const args = ['1', key, String(penaltyMs), String(maxMs)];
        try {
            return Number(await this._command(['EVALSHA', PENALTY_SHA, ...args]));
        } catch (err) {
            if (!(err.cause && /^NOSCRIPT\b/.test(String(err.cause.message)))) throw err;
            return Number(await this._command(['EVAL', PENALTY_LUA, ...args]));
        }
    }

    async penaltySucceeded(addr) {
        await this._command(['DEL', penaltyKey(this.prefix, addr)]);
    }

    close() {
        this._stopProbe();
        const client = this.client;
        this.client = null;
        this._set('closed', null);
        this._listeners.clear();
        if (client) {
            try { client.destroy(); } catch (_) { /* already closed */ }
        }
    }
}

module.exports = {
    STORES, DEFAULT_PREFIX, COMMAND_TIMEOUT_MS, CONNECT_TIMEOUT_MS, PENALTY_LUA,
    storeSettings, replayKey, penaltyKey, backoff, problemCode, RedisStore,
};
