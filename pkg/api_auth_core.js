/* @ts-self-types="./api_auth_core.d.ts" */

/**
 * A checked configuration of one API: what the auth node signs with. Its secrets stay inside the module.
 */
class Signer {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        SignerFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_signer_free(ptr, 0);
    }
    /**
     * `{ headers, query, extra }` of one request at `nowMs` (any kind).
     * @param {number} nowMs
     * @param {string | undefined | null} exchangedToken
     * @returns {{ headers: Record<string, string>; query: Record<string, string>; extra: Record<string, string> }}
     */
    build(nowMs, exchangedToken) {
        const ret = wasm.signer_build(this.__wbg_ptr, nowMs, exchangedToken);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * `{ ok, message }` for a check reply.
     * @param {number} status
     * @param {string} body
     * @returns {{ ok: boolean; message: string }}
     */
    checkReply(status, body) {
        const ret = wasm.signer_checkReply(this.__wbg_ptr, status, body);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * The Test button's check: `{ method, path }` (after the exchange, for exchange modes), or
     * `{ exchange: true }` when the exchange is the check.
     * @returns {{ method: string; path: string } | { exchange: true }}
     */
    check() {
        const ret = wasm.signer_check(this.__wbg_ptr);
        return ret;
    }
    /**
     * What is as good as the secret, besides the configured values: masked wherever it appears.
     * @returns {string[]}
     */
    derived() {
        const ret = wasm.signer_derived(this.__wbg_ptr);
        var v1 = getArrayJsValueFromWasm0(ret[0], ret[1]);
        wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
        return v1;
    }
    /**
     * The token in an exchange reply: `{ token, refreshAtMs?, summary, notice? }`; throws the
     * server's refusal (`code` 'refused' | 'server-error' | 'bad-reply').
     * @param {number} status
     * @param {string} body
     * @param {number} nowMs
     * @returns {{ token: string; refreshAtMs?: number; summary: string; notice?: string; carried: string[] }}
     */
    exchangeReply(status, body, nowMs) {
        const ret = wasm.signer_exchangeReply(this.__wbg_ptr, status, body, nowMs);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * The exchange request: `{ method, path | url, headers, body?, carried }`.
     * @param {number} nowMs
     * @returns {{ method: string; path?: string; url?: string; headers: Record<string, string>; body?: string; carried: string[] }}
     */
    exchangeRequest(nowMs) {
        const ret = wasm.signer_exchangeRequest(this.__wbg_ptr, nowMs);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * The fresh key for `nowMs` written into the core's key buffer (`keyBuffer()`); returns its
     * length, or 0 when there is none (then `freshKey(nowMs)` throws the reason). For
     * `nodes/lib/fresh-key.js`, which reads it as latin1 with no call back into JavaScript.
     * @param {number} nowMs
     * @returns {number}
     */
    freshKeyInto(nowMs) {
        const ret = wasm.signer_freshKeyInto(this.__wbg_ptr, nowMs);
        return ret >>> 0;
    }
    /**
     * The fresh key for `nowMs` (one boundary crossing per request). The key is ASCII: it is
     * handed over as latin1 from the core's key buffer, without a UTF-8 decode ([`key_out`]).
     * @param {number} nowMs
     * @returns {string}
     */
    freshKey(nowMs) {
        const ret = wasm.signer_freshKey(this.__wbg_ptr, nowMs);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * `{ placement: 'header' | 'query', name }` of a scheme with a fresh key per request, else null.
     * @returns {{ placement: 'header' | 'query'; name: string } | null}
     */
    freshPlace() {
        const ret = wasm.signer_freshPlace(this.__wbg_ptr);
        return ret;
    }
    /**
     * @returns {string[]}
     */
    headerNames() {
        const ret = wasm.signer_headerNames(this.__wbg_ptr);
        var v1 = getArrayJsValueFromWasm0(ret[0], ret[1]);
        wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
        return v1;
    }
    /**
     * `'static' | 'fresh' | 'exchange'`: how requests are signed.
     * @returns {string}
     */
    get kind() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.signer_kind(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * @returns {string}
     */
    get mode() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.signer_mode(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * @returns {boolean}
     */
    needsExchange() {
        const ret = wasm.signer_needsExchange(this.__wbg_ptr);
        return ret !== 0;
    }
    /**
     * @param {object} config
     */
    constructor(config) {
        const ret = wasm.signer_new(config);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        SignerFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * @returns {string[]}
     */
    queryNames() {
        const ret = wasm.signer_queryNames(this.__wbg_ptr);
        var v1 = getArrayJsValueFromWasm0(ret[0], ret[1]);
        wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
        return v1;
    }
    /**
     * The server's own words when it refuses these credentials, with the scheme's hint.
     * @param {string} body
     * @returns {string}
     */
    refusal(body) {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.signer_refusal(this.__wbg_ptr, body);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * What a 401/403 is worth: `{ fresh: 'token' | 'key' | null, delayMs }`.
     * @returns {{ fresh: 'token' | 'key' | null; delayMs: number }}
     */
    retry() {
        const ret = wasm.signer_retry(this.__wbg_ptr);
        return ret;
    }
    /**
     * @returns {string}
     */
    get scheme() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.signer_scheme(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * `{ headers, query, extra }` of a static scheme (build them once, reuse them), else null.
     * @returns {{ headers: Record<string, string>; query: Record<string, string>; extra: Record<string, string> } | null}
     */
    staticAuth() {
        const ret = wasm.signer_staticAuth(this.__wbg_ptr);
        return ret;
    }
    /**
     * `{ headers, query, extra }` for an exchanged token (build them once per token).
     * @param {string} token
     * @returns {{ headers: Record<string, string>; query: Record<string, string>; extra: Record<string, string> }}
     */
    tokenAuth(token) {
        const ret = wasm.signer_tokenAuth(this.__wbg_ptr, token);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * @returns {string[]}
     */
    warnings() {
        const ret = wasm.signer_warnings(this.__wbg_ptr);
        var v1 = getArrayJsValueFromWasm0(ret[0], ret[1]);
        wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
        return v1;
    }
}
if (Symbol.dispose) Signer.prototype[Symbol.dispose] = Signer.prototype.free;
exports.Signer = Signer;

/**
 * Server-side checks; holds the replay memory.
 */
class Verifier {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        VerifierFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_verifier_free(ptr, 0);
    }
    /**
     * @param {Record<string, string | string[] | undefined>} headers
     * @param {Record<string, string | string[] | undefined>} query
     * @param {number} nowMs
     * @param {number} windowMs
     * @returns {{ ok: boolean; reason: 'ok' | 'missing' | 'mismatch' | 'bad-format' | 'stale' | 'replay' }}
     */
    check(headers, query, nowMs, windowMs) {
        const ret = wasm.verifier_check(this.__wbg_ptr, headers, query, nowMs, windowMs);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * `check` for a replay memory kept outside (Redis): a valid single-use key inside the window
     * and above the floor answers `{ ok: false, reason: 'claim', ms, ttlMs }` — accepted only if
     * the store records `ms` now (`SET … NX PX ttlMs`); every other answer is final.
     * @param {Record<string, string | string[] | undefined>} headers
     * @param {Record<string, string | string[] | undefined>} query
     * @param {number} nowMs
     * @param {number} windowMs
     * @returns {{ ok: boolean; reason: 'ok' | 'missing' | 'mismatch' | 'bad-format' | 'stale' | 'replay' | 'claim'; ms?: number; ttlMs?: number }}
     */
    claimCheck(headers, query, nowMs, windowMs) {
        const ret = wasm.verifier_claimCheck(this.__wbg_ptr, headers, query, nowMs, windowMs);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * @returns {number}
     */
    memoryBytes() {
        const ret = wasm.verifier_memoryBytes(this.__wbg_ptr);
        return ret;
    }
    /**
     * @param {object} config
     * @param {number} nowMs
     */
    constructor(config, nowMs) {
        const ret = wasm.verifier_new(config, nowMs);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        VerifierFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Refuse every single-use key older than `nowMs` from now on (on every (re)connection to the
     * external store).
     * @param {number} nowMs
     */
    raiseFloor(nowMs) {
        const ret = wasm.verifier_raiseFloor(this.__wbg_ptr, nowMs);
        if (ret[1]) {
            throw takeFromExternrefTable0(ret[0]);
        }
    }
    /**
     * The name of its single-use space in an external store (32 hex digits, not the secret), or
     * null when its credentials are not single-use.
     * @returns {string | undefined}
     */
    get scope() {
        const ret = wasm.verifier_scope(this.__wbg_ptr);
        let v1;
        if (ret[0] !== 0) {
            v1 = getStringFromWasm0(ret[0], ret[1]);
            wasm.__wbindgen_free(ret[0], ret[1] * 1, 1);
        }
        return v1;
    }
    /**
     * @returns {number}
     */
    size() {
        const ret = wasm.verifier_size(this.__wbg_ptr);
        return ret;
    }
    /**
     * @param {number} windowMs
     */
    widen(windowMs) {
        const ret = wasm.verifier_widen(this.__wbg_ptr, windowMs);
        if (ret[1]) {
            throw takeFromExternrefTable0(ret[0]);
        }
    }
}
if (Symbol.dispose) Verifier.prototype[Symbol.dispose] = Verifier.prototype.free;
exports.Verifier = Verifier;

/**
 * `{ memory, offset, length }` of the core's key buffer (see `Signer.freshKeyInto`).
 * @returns {{ memory: WebAssembly.Memory; offset: number; length: number }}
 */
function keyBuffer() {
    const ret = wasm.keyBuffer();
    return ret;
}
exports.keyBuffer = keyBuffer;

/**
 * Never throws: anything that is not a string masks to `****`.
 * @param {string} s
 * @returns {string}
 */
function maskSecret(s) {
    let deferred1_0;
    let deferred1_1;
    try {
        const ret = wasm.maskSecret(s);
        deferred1_0 = ret[0];
        deferred1_1 = ret[1];
        return getStringFromWasm0(ret[0], ret[1]);
    } finally {
        wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
    }
}
exports.maskSecret = maskSecret;

/**
 * `schemeTable()`: every API, its modes and their fields, for the editor and the config node.
 * @returns {any}
 */
function schemeTable() {
    const ret = wasm.schemeTable();
    return ret;
}
exports.schemeTable = schemeTable;

/**
 * `serverWords(text)`: the server's own words from a reply body (never throws).
 * @param {string} body
 * @returns {string}
 */
function serverWords(body) {
    let deferred1_0;
    let deferred1_1;
    try {
        const ret = wasm.serverWords(body);
        deferred1_0 = ret[0];
        deferred1_1 = ret[1];
        return getStringFromWasm0(ret[0], ret[1]);
    } finally {
        wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
    }
}
exports.serverWords = serverWords;
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg___wbindgen_is_function_1f9d30630b8b1d3d: function(arg0) {
            const ret = typeof(arg0) === 'function';
            return ret;
        },
        __wbg___wbindgen_is_null_e343b7d08827ba72: function(arg0) {
            const ret = arg0 === null;
            return ret;
        },
        __wbg___wbindgen_is_object_3c45d4f2dde4e749: function(arg0) {
            const val = arg0;
            const ret = typeof(val) === 'object' && val !== null;
            return ret;
        },
        __wbg___wbindgen_is_string_90b56bc79aad6f6c: function(arg0) {
            const ret = typeof(arg0) === 'string';
            return ret;
        },
        __wbg___wbindgen_is_undefined_8865fb403f8fe9d8: function(arg0) {
            const ret = arg0 === undefined;
            return ret;
        },
        __wbg___wbindgen_memory_caa4a6165639c8b5: function() {
            const ret = wasm.memory;
            return ret;
        },
        __wbg___wbindgen_number_get_2e0e7dee9f701a71: function(arg0, arg1) {
            const obj = arg1;
            const ret = typeof(obj) === 'number' ? obj : undefined;
            getDataViewMemory0().setFloat64(arg0 + 8 * 1, isLikeNone(ret) ? 0 : ret, true);
            getDataViewMemory0().setInt32(arg0 + 4 * 0, !isLikeNone(ret), true);
        },
        __wbg___wbindgen_string_get_0380ccaa2f57f0d9: function(arg0, arg1) {
            const obj = arg1;
            const ret = typeof(obj) === 'string' ? obj : undefined;
            var ptr1 = isLikeNone(ret) ? 0 : passStringToWasm0(ret, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            var len1 = WASM_VECTOR_LEN;
            getDataViewMemory0().setInt32(arg0 + 4 * 1, len1, true);
            getDataViewMemory0().setInt32(arg0 + 4 * 0, ptr1, true);
        },
        __wbg___wbindgen_throw_41e9ee4f547fc59a: function(arg0, arg1) {
            throw new Error(getStringFromWasm0(arg0, arg1));
        },
        __wbg_buffer_7afc7cca4d0cf036: function(arg0) {
            const ret = arg0.buffer;
            return ret;
        },
        __wbg_call_187d372bd5fdd4aa: function() { return handleError(function (arg0, arg1, arg2) {
            const ret = arg0.call(arg1, arg2);
            return ret;
        }, arguments); },
        __wbg_crypto_38df2bab126b63dc: function(arg0) {
            const ret = arg0.crypto;
            return ret;
        },
        __wbg_from_956580acd0a050a8: function(arg0, arg1, arg2) {
            const ret = Buffer.from(arg0, arg1 >>> 0, arg2 >>> 0);
            return ret;
        },
        __wbg_getRandomValues_c44a50d8cfdaebeb: function() { return handleError(function (arg0, arg1) {
            arg0.getRandomValues(arg1);
        }, arguments); },
        __wbg_get_31af05bd4842a84f: function() { return handleError(function (arg0, arg1) {
            const ret = Reflect.get(arg0, arg1);
            return ret;
        }, arguments); },
        __wbg_get_6c896e0571ddae51: function(arg0, arg1) {
            const ret = arg0[arg1 >>> 0];
            return ret;
        },
        __wbg_isArray_e15a2ff68ffdbef2: function(arg0) {
            const ret = Array.isArray(arg0);
            return ret;
        },
        __wbg_latin1Slice_edecb1c5c0f9cbb9: function(arg0, arg1, arg2) {
            const ret = arg0.latin1Slice(arg1 >>> 0, arg2 >>> 0);
            return ret;
        },
        __wbg_length_7f3c00c40364105e: function(arg0) {
            const ret = arg0.length;
            return ret;
        },
        __wbg_length_d4bdea10311bd9cf: function(arg0) {
            const ret = arg0.length;
            return ret;
        },
        __wbg_msCrypto_bd5a034af96bcba6: function(arg0) {
            const ret = arg0.msCrypto;
            return ret;
        },
        __wbg_new_343a093a3c2ffb4e: function(arg0, arg1) {
            const ret = new Error(getStringFromWasm0(arg0, arg1));
            return ret;
        },
        __wbg_new_b7273cb85cc61346: function() {
            const ret = new Object();
            return ret;
        },
        __wbg_new_ee2291f50781bf1d: function() {
            const ret = new Array();
            return ret;
        },
        __wbg_new_with_length_3da0ad195f6f63ba: function(arg0) {
            const ret = new Uint8Array(arg0 >>> 0);
            return ret;
        },
        __wbg_node_84ea875411254db1: function(arg0) {
            const ret = arg0.node;
            return ret;
        },
        __wbg_of_20798cb14708764f: function(arg0, arg1) {
            const ret = Array.of(arg0, arg1);
            return ret;
        },
        __wbg_parse_0fc53dead14b3b42: function() { return handleError(function (arg0, arg1) {
            const ret = JSON.parse(getStringFromWasm0(arg0, arg1));
            return ret;
        }, arguments); },
        __wbg_process_44c7a14e11e9f69e: function(arg0) {
            const ret = arg0.process;
            return ret;
        },
        __wbg_prototypesetcall_bc27214492979395: function(arg0, arg1, arg2) {
            Uint8Array.prototype.set.call(getArrayU8FromWasm0(arg0, arg1), arg2);
        },
        __wbg_push_2baf45db356cf468: function(arg0, arg1) {
            const ret = arg0.push(arg1);
            return ret;
        },
        __wbg_randomFillSync_6c25eac9869eb53c: function() { return handleError(function (arg0, arg1) {
            arg0.randomFillSync(arg1);
        }, arguments); },
        __wbg_require_b4edbdcf3e2a1ef0: function() { return handleError(function () {
            const ret = module.require;
            return ret;
        }, arguments); },
        __wbg_set_bool_d8bffb7351b687a0: function(arg0, arg1, arg2, arg3) {
            arg0[getStringFromWasm0(arg1, arg2)] = arg3 !== 0;
        },
        __wbg_set_num_3d175f77b15752e2: function(arg0, arg1, arg2, arg3) {
            arg0[getStringFromWasm0(arg1, arg2)] = arg3;
        },
        __wbg_set_str_2fe23e71ec8422fa: function(arg0, arg1, arg2, arg3, arg4) {
            arg0[getStringFromWasm0(arg1, arg2)] = getStringFromWasm0(arg3, arg4);
        },
        __wbg_set_val_bd4a225abbae9ac4: function(arg0, arg1, arg2, arg3) {
            arg0[getStringFromWasm0(arg1, arg2)] = arg3;
        },
        __wbg_static_accessor_GLOBAL_266715b9d96ba635: function() {
            const ret = typeof global === 'undefined' ? null : global;
            return isLikeNone(ret) ? 0 : addToExternrefTable0(ret);
        },
        __wbg_static_accessor_GLOBAL_THIS_10fb7dc1ae063179: function() {
            const ret = typeof globalThis === 'undefined' ? null : globalThis;
            return isLikeNone(ret) ? 0 : addToExternrefTable0(ret);
        },
        __wbg_static_accessor_SELF_0b583911f537483a: function() {
            const ret = typeof self === 'undefined' ? null : self;
            return isLikeNone(ret) ? 0 : addToExternrefTable0(ret);
        },
        __wbg_static_accessor_WINDOW_d7f903d1508cbdc4: function() {
            const ret = typeof window === 'undefined' ? null : window;
            return isLikeNone(ret) ? 0 : addToExternrefTable0(ret);
        },
        __wbg_stringify_52ff602c1cc4fbb6: function() { return handleError(function (arg0) {
            const ret = JSON.stringify(arg0);
            return ret;
        }, arguments); },
        __wbg_subarray_002b94d5e13d1411: function(arg0, arg1, arg2) {
            const ret = arg0.subarray(arg1 >>> 0, arg2 >>> 0);
            return ret;
        },
        __wbg_versions_276b2795b1c6a219: function(arg0) {
            const ret = arg0.versions;
            return ret;
        },
        __wbindgen_generic_0000000000000001: function(arg0, arg1) {
            // Cast intrinsic for `Ref(Slice(U8)) -> NamedExternref("Uint8Array")`.
            const ret = getArrayU8FromWasm0(arg0, arg1);
            return ret;
        },
        __wbindgen_generic_0000000000000002: function(arg0, arg1) {
            // Cast intrinsic for `Ref(String) -> Externref`.
            const ret = getStringFromWasm0(arg0, arg1);
            return ret;
        },
        __wbindgen_init_externref_table: function() {
            const table = wasm.__wbindgen_externrefs;
            const offset = table.grow(4);
            table.set(0, undefined);
            table.set(offset + 0, undefined);
            table.set(offset + 1, null);
            table.set(offset + 2, true);
            table.set(offset + 3, false);
        },
    };
    return {
        __proto__: null,
        "./api_auth_core_bg.js": import0,
    };
}

const SignerFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_signer_free(ptr, 1));
const VerifierFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_verifier_free(ptr, 1));

function addToExternrefTable0(obj) {
    const idx = wasm.__externref_table_alloc();
    wasm.__wbindgen_externrefs.set(idx, obj);
    return idx;
}

function getArrayJsValueFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    const mem = getDataViewMemory0();
    const result = [];
    for (let i = ptr; i < ptr + 4 * len; i += 4) {
        result.push(wasm.__wbindgen_externrefs.get(mem.getUint32(i, true)));
    }
    wasm.__externref_drop_slice(ptr, len);
    return result;
}

function getArrayU8FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getUint8ArrayMemory0().subarray(ptr / 1, ptr / 1 + len);
}

let cachedDataViewMemory0 = null;
function getDataViewMemory0() {
    if (cachedDataViewMemory0 === null || cachedDataViewMemory0.buffer.detached === true || (cachedDataViewMemory0.buffer.detached === undefined && cachedDataViewMemory0.buffer !== wasm.memory.buffer)) {
        cachedDataViewMemory0 = new DataView(wasm.memory.buffer);
    }
    return cachedDataViewMemory0;
}

function getStringFromWasm0(ptr, len) {
    return decodeText(ptr >>> 0, len);
}

let cachedUint8ArrayMemory0 = null;
function getUint8ArrayMemory0() {
    if (cachedUint8ArrayMemory0 === null || cachedUint8ArrayMemory0.byteLength === 0) {
        cachedUint8ArrayMemory0 = new Uint8Array(wasm.memory.buffer);
    }
    return cachedUint8ArrayMemory0;
}

function handleError(f, args) {
    try {
        return f.apply(this, args);
    } catch (e) {
        const idx = addToExternrefTable0(e);
        wasm.__wbindgen_exn_store(idx);
    }
}

function isLikeNone(x) {
    return x === undefined || x === null;
}

function passStringToWasm0(arg, malloc, realloc) {
    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }

    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;

    const mem = getUint8ArrayMemory0();

    let offset = 0;

    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
    if (offset !== len) {
        if (offset !== 0) {
            arg = arg.slice(offset);
        }
        ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;
        const view = getUint8ArrayMemory0().subarray(ptr + offset, ptr + len);
        const ret = cachedTextEncoder.encodeInto(arg, view);

        offset += ret.written;
        ptr = realloc(ptr, len, offset, 1) >>> 0;
    }

    WASM_VECTOR_LEN = offset;
    return ptr;
}

function takeFromExternrefTable0(idx) {
    const value = wasm.__wbindgen_externrefs.get(idx);
    wasm.__externref_table_dealloc(idx);
    return value;
}

let cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });
cachedTextDecoder.decode();
function decodeText(ptr, len) {
    return cachedTextDecoder.decode(getUint8ArrayMemory0().subarray(ptr, ptr + len));
}

const cachedTextEncoder = new TextEncoder();

if (!('encodeInto' in cachedTextEncoder)) {
    cachedTextEncoder.encodeInto = function (arg, view) {
        const buf = cachedTextEncoder.encode(arg);
        view.set(buf);
        return {
            read: arg.length,
            written: buf.length
        };
    };
}

let WASM_VECTOR_LEN = 0;

const wasmPath = `${__dirname}/api_auth_core_bg.wasm`;
const wasmBytes = require('fs').readFileSync(wasmPath);
const wasmModule = new WebAssembly.Module(wasmBytes);
let wasmInstance = new WebAssembly.Instance(wasmModule, __wbg_get_imports());
let wasm = wasmInstance.exports;
wasm.__wbindgen_start();
