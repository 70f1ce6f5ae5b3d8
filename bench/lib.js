'use strict';
// Timing helpers shared by the benchmark sections.
//
// Every figure is measured against its peers in the SAME rounds: a round runs every case, in a
// rotating order, so machine noise (other processes, GC, frequency changes) hits all of them
// alike. Within a round each case runs `reps` short batches and keeps the fastest: on a shared
// machine a batch that was preempted says nothing about the code, the fastest one does. A case's
// time is the median of its rounds after the warm-up rounds; a comparison is the median of the
// PER-ROUND ratios (a/b of the same round), with their 10th–90th percentiles as the spread —
// never a ratio of two medians. Time comes from process.hrtime.bigint().

const now = () => process.hrtime.bigint();

function quantile(values, q) {
    const a = values.filter(Number.isFinite).sort((x, y) => x - y);
    if (!a.length) return NaN;
    const pos = (a.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return a[lo] + (a[hi] - a[lo]) * (pos - lo);
}

const median = (values) => quantile(values, 0.5);

/** { median, p10, p90 } of a list of samples. */
function spread(values) {
    return { median: median(values), p10: quantile(values, 0.1), p90: quantile(values, 0.9) };
}

/** Per-round ratios a[i] / b[i] of two sample lists from the same rounds, as a spread. */
function pairedRatio(a, b) {
    const r = [];
    for (let i = 0; i < Math.min(a.length, b.length); i++) r.push(a[i] / b[i]);
    return { ...spread(r), samples: r };
}

// Results are folded into this so the JIT cannot drop the work as dead code.
let blackhole = 0;
function consume(v) {
    if (typeof v === 'string') blackhole = (blackhole + v.length) | 0;
    else if (typeof v === 'number') blackhole = (blackhole + v) | 0;
    else if (v && typeof v === 'object') blackhole = (blackhole + 1) | 0;
    return blackhole;
}

/**
 * ns per call of each case, measured interleaved (synchronous cases).
 * cases: [{ key, fn }] — fn() does one call and returns its result.
 * → { [key]: { ns, p10, p90, samples: [ns per call of each measured round] } }
 */
function interleaved(cases, { rounds = 21, warmup = 3, iters = 10000, reps = 5 } = {}) {
    const samples = new Map(cases.map((c) => [c.key, []]));
    const per = Math.max(1, Math.round(iters / reps));
    for (let r = 0; r < warmup + rounds; r++) {
        for (let k = 0; k < cases.length; k++) {
            const c = cases[(k + r) % cases.length];
            const fn = c.fn;
            let best = Infinity;
            for (let j = 0; j < reps; j++) {
                const t0 = now();
                for (let i = 0; i < per; i++) consume(fn());
                best = Math.min(best, Number(now() - t0) / per);
            }
            if (r >= warmup) samples.get(c.key).push(best);
        }
    }
    return summary(samples);
}

/** Per case key: the median and p10/p90 of its per-round samples, and the samples. */
function summary(samples) {
    const out = {};
    for (const [key, s] of samples) {
        const sp = spread(s);
        out[key] = { ns: sp.median, p10: sp.p10, p90: sp.p90, samples: s };
    }
    return out;
}

/**
 * Same as interleaved(), for asynchronous cases: `await fn(iters)` runs `iters` operations and
 * resolves when the last one has finished. → the same shape, ns per operation.
 */
async function interleavedAsync(cases, { rounds = 21, warmup = 3, iters = 1000, reps = 5, between } = {}) {
    const samples = new Map(cases.map((c) => [c.key, []]));
    const per = Math.max(1, Math.round(iters / reps));
    for (let r = 0; r < warmup + rounds; r++) {
        for (let k = 0; k < cases.length; k++) {
            const c = cases[(k + r) % cases.length];
            if (between) await between();
            let best = Infinity;
            for (let j = 0; j < reps; j++) {
                const t0 = now();
                await c.fn(per);
                best = Math.min(best, Number(now() - t0) / per);
            }
            if (r >= warmup) samples.get(c.key).push(best);
        }
    }
    return summary(samples);
}

module.exports = { now, quantile, median, spread, pairedRatio, consume, interleaved, interleavedAsync };
