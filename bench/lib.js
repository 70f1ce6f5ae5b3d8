'use strict';
// Timing helpers shared by the benchmark sections.
//
// Peers (the WASM core, node:crypto, crypto-js, …) are measured side by side: every round runs
// every case once, in a rotating order, so machine noise (the other core busy, GC, frequency
// changes) hits all of them alike. The figure of a case is the median of its rounds after the
// warm-up rounds. Time comes from process.hrtime.bigint().

const now = () => process.hrtime.bigint();

function median(values) {
    const a = values.slice().sort((x, y) => x - y);
    if (!a.length) return NaN;
    const m = a.length >> 1;
    return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

// Results are folded into this so the JIT cannot drop the work as dead code.
let blackhole = 0;
function consume(v) {
    if (typeof v === 'string') blackhole = (blackhole + v.length) | 0;
    else if (v && typeof v === 'object') blackhole = (blackhole + 1) | 0;
    return blackhole;
}

/**
 * ns per call of each case, measured interleaved.
 * cases: [{ key, fn }] — fn() does one call and returns its result.
 * → { [key]: { ns, samples: [ns per call of each measured round] } }
 */
function interleaved(cases, { rounds = 15, warmup = 3, iters = 20000 } = {}) {
    const samples = new Map(cases.map((c) => [c.key, []]));
    for (let r = 0; r < warmup + rounds; r++) {
        for (let k = 0; k < cases.length; k++) {
            const c = cases[(k + r) % cases.length];
            const fn = c.fn;
            const t0 = now();
            for (let i = 0; i < iters; i++) consume(fn());
            const dt = Number(now() - t0) / iters;
            if (r >= warmup) samples.get(c.key).push(dt);
        }
    }
    const out = {};
    for (const [key, s] of samples) out[key] = { ns: median(s), samples: s };
    return out;
}

module.exports = { now, median, consume, interleaved };
