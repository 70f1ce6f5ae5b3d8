/* tslint:disable */
/* eslint-disable */

/**
 * The hot path: a checked configuration whose secrets stay inside WASM.
 */
export class Signer {
    free(): void;
    [Symbol.dispose](): void;
    build(nowMs: number, exchangedToken?: string | null): { headers: Record<string, string>; query: Record<string, string> };
    needsExchange(): boolean;
    constructor(config: object);
    queryNames(): string[];
    tedeeKey(nowMs: number): string;
    warnings(): string[];
}

/**
 * Server-side checks; holds the Tedee replay memory.
 */
export class Verifier {
    free(): void;
    [Symbol.dispose](): void;
    check(headers: Record<string, string | string[] | undefined>, query: Record<string, string | string[] | undefined>, nowMs: number, windowMs: number): { ok: boolean; reason: 'ok' | 'missing' | 'mismatch' | 'bad-format' | 'stale' | 'replay' };
    memoryBytes(): number;
    constructor(config: object, nowMs: number);
    size(): number;
    widen(windowMs: number): void;
}

export function actyxParseTokenReply(bodyText: string): { token: string; created: number; validity: number; expiresMs: number; appId: string; appMode: string };

export function actyxTokenInfo(token: string): { created: number; validity: number; expiresMs: number; appId: string; appMode: string; cycles: number; appVersion: string };

export function actyxValidateManifest(manifest: { appId: string; displayName: string; version?: string; appVersion?: string; signature?: string }): string;

export function buildAuth(config: object, nowMs: number, exchangedToken?: string | null): { headers: Record<string, string>; query: Record<string, string> };

export function cleanSecret(value: string, field: string): { value: string; trimmed: boolean };

export function constantTimeEq(a: string, b: string): boolean;

export function fernetDecrypt(key: string, token: string, ttlSecs?: number | null, nowSecs?: number | null): string;

export function fernetEncrypt(key: string, plaintext: string, nowSecs: number): string;

export function jwtExpiry(jwt: string): { exp?: number; iat?: number };

/**
 * Never throws: anything that is not a string masks to `****`.
 */
export function maskSecret(s: string): string;

export function nightscoutAccessToken(secret: string, subjectIdHex: string, name: string): string;

export function nightscoutExchangePath(accessToken: string): string;

export function nightscoutParseJwtReply(bodyText: string): { token: string; exp?: number; iat?: number };

export function nightscoutSecretHash(secret: string): string;

export function tedeeApiKey(token: string, nowMs: number): string;

export function timbrBearer(credentials: { username: string; password: string; salt: string; keyMode?: string; plaintextMode?: string }, nowSecs: number): string;

export function timbrFernetKey(salt: string, keyMode?: 'key' | 'md5' | 'sha256' | null): string;

export function timbrParseTokenReply(bodyText: string): string;

export function verifyApiSecret(secret: string, presented: string): boolean;
