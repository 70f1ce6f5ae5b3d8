/* tslint:disable */
/* eslint-disable */

/**
 * A checked configuration of one API: what the auth node signs with. Its secrets stay inside the module.
 */
export class Signer {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * `{ headers, query, extra }` of one request at `nowMs` (any kind).
     */
    build(nowMs: number, exchangedToken?: string | null): { headers: Record<string, string>; query: Record<string, string>; extra: Record<string, string> };
    /**
     * `{ ok, message }` for a check reply.
     */
    checkReply(status: number, body: string): { ok: boolean; message: string };
    /**
     * The Test button's check: `{ method, path }` (after the exchange, for exchange modes), or
     * `{ exchange: true }` when the exchange is the check.
     */
    check(): { method: string; path: string } | { exchange: true };
    /**
     * What is as good as the secret, besides the configured values: masked wherever it appears.
     */
    derived(): string[];
    /**
     * The token in an exchange reply: `{ token, refreshAtMs?, summary, notice? }`; throws the
     * server's refusal (`code` 'refused' | 'server-error' | 'bad-reply').
     */
    exchangeReply(status: number, body: string, nowMs: number): { token: string; refreshAtMs?: number; summary: string; notice?: string; carried: string[] };
    /**
     * The exchange request: `{ method, path | url, headers, body?, carried }`.
     */
    exchangeRequest(nowMs: number): { method: string; path?: string; url?: string; headers: Record<string, string>; body?: string; carried: string[] };
    /**
     * The fresh key for `nowMs` written into the core's key buffer (`keyBuffer()`); returns its
     * length, or 0 when there is none (then `freshKey(nowMs)` throws the reason). For
     * `nodes/lib/fresh-key.js`, which reads it as latin1 with no call back into JavaScript.
     */
    freshKeyInto(nowMs: number): number;
    /**
     * The fresh key for `nowMs` (one boundary crossing per request). The key is ASCII: it is
     * handed over as latin1 from the core's key buffer, without a UTF-8 decode ([`key_out`]).
     */
    freshKey(nowMs: number): string;
    /**
     * `{ placement: 'header' | 'query', name }` of a scheme with a fresh key per request, else null.
     */
    freshPlace(): { placement: 'header' | 'query'; name: string } | null;
    headerNames(): string[];
    needsExchange(): boolean;
    constructor(config: object);
    queryNames(): string[];
    /**
     * The server's own words when it refuses these credentials, with the scheme's hint.
     */
    refusal(body: string): string;
    /**
     * What a 401/403 is worth: `{ fresh: 'token' | 'key' | null, delayMs }`.
     */
    retry(): { fresh: 'token' | 'key' | null; delayMs: number };
    /**
     * `{ headers, query, extra }` of a static scheme (build them once, reuse them), else null.
     */
    staticAuth(): { headers: Record<string, string>; query: Record<string, string>; extra: Record<string, string> } | null;
    /**
     * `{ headers, query, extra }` for an exchanged token (build them once per token).
     */
    tokenAuth(token: string): { headers: Record<string, string>; query: Record<string, string>; extra: Record<string, string> };
    warnings(): string[];
    /**
     * `'static' | 'fresh' | 'exchange'`: how requests are signed.
     */
    readonly kind: string;
    readonly mode: string;
    readonly scheme: string;
}

/**
 * Server-side checks; holds the replay memory.
 */
export class Verifier {
    free(): void;
    [Symbol.dispose](): void;
    check(headers: Record<string, string | string[] | undefined>, query: Record<string, string | string[] | undefined>, nowMs: number, windowMs: number): { ok: boolean; reason: 'ok' | 'missing' | 'mismatch' | 'bad-format' | 'stale' | 'replay' };
    /**
     * `check` for a replay memory kept outside (Redis): a valid single-use key inside the window
     * and above the floor answers `{ ok: false, reason: 'claim', ms, ttlMs }` — accepted only if
     * the store records `ms` now (`SET … NX PX ttlMs`); every other answer is final.
     */
    claimCheck(headers: Record<string, string | string[] | undefined>, query: Record<string, string | string[] | undefined>, nowMs: number, windowMs: number): { ok: boolean; reason: 'ok' | 'missing' | 'mismatch' | 'bad-format' | 'stale' | 'replay' | 'claim'; ms?: number; ttlMs?: number };
    memoryBytes(): number;
    constructor(config: object, nowMs: number);
    /**
     * Refuse every single-use key older than `nowMs` from now on (on every (re)connection to the
     * external store).
     */
    raiseFloor(nowMs: number): void;
    size(): number;
    widen(windowMs: number): void;
    /**
     * The name of its single-use space in an external store (32 hex digits, not the secret), or
     * null when its credentials are not single-use.
     */
    readonly scope: string | undefined;
}

/**
 * `{ memory, offset, length }` of the core's key buffer (see `Signer.freshKeyInto`).
 */
export function keyBuffer(): { memory: WebAssembly.Memory; offset: number; length: number };

/**
 * Never throws: anything that is not a string masks to `****`.
 */
export function maskSecret(s: string): string;

/**
 * `schemeTable()`: every API, its modes and their fields, for the editor and the config node.
 */
export function schemeTable(): any;

/**
 * `serverWords(text)`: the server's own words from a reply body (never throws).
 */
export function serverWords(body: string): string;
