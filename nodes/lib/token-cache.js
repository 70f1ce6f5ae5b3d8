'use strict';
// One single-flight token cache, shared by every exchange (Timbr get_token, Nightscout JWT,
// Actyx auth). One instance per config node; tokens live in memory only.
//
//   const cache = new TokenCache({ exchange, cooldownMs, now, onState });
//   await cache.get()         // cached token, or the result of ONE exchange shared by all callers
//   await cache.get(true)     // drop the current token first (unless an exchange is running)
//   cache.invalidate(token)   // drop `token` only if it is still the current one
//   cache.peek()              // { token, gen } or null — never triggers an exchange
//
// `exchange()` resolves { token, refreshAtMs? } (when to exchange again: the core decides, from
// the reply, with the scheme's margin) or rejects with an Error; an error with code 'refused'
// (the core's verdict: these credentials are refused) is remembered for `cooldownMs` and every
// caller in that time gets the same error at once, so a wrong secret never hammers the server
// (Nightscout adds 5 s to the next request for each failed try). Network errors, 5xx and odd
// replies are not remembered: the next message tries again.

const DEFAULT_COOLDOWN_MS = 30000;

class TokenCache {
    constructor(opts) {
        if (!opts || typeof opts.exchange !== 'function') throw new Error('TokenCache: exchange function required');
        this._exchange = opts.exchange;
        this._cooldownMs = opts.cooldownMs === undefined ? DEFAULT_COOLDOWN_MS : opts.cooldownMs;
        this._now = opts.now || Date.now;
        this._onState = opts.onState || (() => {});
        this._entry = null; // { token, gen, refreshAtMs }
        this._inflight = null; // Promise<string>
        this._failure = null; // { err, untilMs }
        this._gen = 0;
        this.exchanges = 0; // how many exchanges were started (for status and tests)
    }

    _fresh() {
        const e = this._entry;
        if (!e) return false;
        return e.refreshAtMs === undefined || this._now() < e.refreshAtMs;
    }

    get(force) {
        if (force && !this._inflight) this._entry = null;
        if (this._fresh()) return Promise.resolve(this._entry.token);
        if (this._inflight) return this._inflight;
        if (this._failure) {
            if (this._now() < this._failure.untilMs) return Promise.reject(this._failure.err);
            this._failure = null;
        }
        this.exchanges += 1;
        this._onState('exchanging');
        const p = Promise.resolve()
            .then(() => this._exchange())
            .then((res) => {
                if (!res || typeof res.token !== 'string' || !res.token) {
                    throw new Error('token exchange returned no token');
                }
                this._gen += 1;
                const refreshAtMs = Number.isFinite(res.refreshAtMs) ? res.refreshAtMs : undefined;
                this._entry = { token: res.token, gen: this._gen, refreshAtMs };
                this._failure = null;
                this._onState('ok');
                return res.token;
            }, (err) => {
                if (err && err.code === 'refused') {
                    this._failure = { err, untilMs: this._now() + this._cooldownMs };
                }
                this._onState('failed', err);
                throw err;
            })
            .finally(() => { this._inflight = null; });
        this._inflight = p;
        return p;
    }

    peek() {
        return this._entry ? { token: this._entry.token, gen: this._entry.gen } : null;
    }

    /** Drop `token` if it is still the current one (so N concurrent 401s cause one re-exchange). */
    invalidate(token) {
        if (this._entry && typeof token === 'string' && this._entry.token === token) {
            this._entry = null;
            return true;
        }
        return false;
    }

    /** Same as invalidate, by generation number (what the auth node keeps in msg, not the token). */
    invalidateGen(gen) {
        if (this._entry && this._entry.gen === gen) {
            this._entry = null;
            return true;
        }
        return false;
    }

    clear() {
        this._entry = null;
        this._failure = null;
    }
}

module.exports = { TokenCache, DEFAULT_COOLDOWN_MS };
