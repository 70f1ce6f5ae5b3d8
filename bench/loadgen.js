'use strict';
// A load generator in its own process (so its work is not counted in the server's process): C
// keep-alive connections, each sending the next request as soon as the previous answer is in,
// for S seconds after a warm-up. Prints { answered, byStatus, seconds, perSec }.
//
//   const { generate } = require('./loadgen');
//   await generate({ url, headers, connections: 32, seconds: 5, warmupSeconds: 1, tedeeToken? })
//
// With `tedeeToken`, every request carries a fresh Tedee key in `api_token` (crypto.hash).
// Other bench files (bench/verify.js of the Redis store) may use it too.

const { execFile } = require('node:child_process');

function generate(opts) {
    return new Promise((resolve, reject) => {
        execFile(process.execPath, [__filename, JSON.stringify(opts)], { encoding: 'utf8', maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
            if (err) { reject(new Error(`loadgen: ${err.message} ${stderr}`)); return; }
            try { resolve(JSON.parse(stdout)); } catch (e) { reject(new Error('loadgen printed ' + JSON.stringify(stdout))); }
        });
    });
}

async function child(opts) {
    const http = require('node:http');
    const crypto = require('node:crypto');
    const { url, headers = {}, connections = 32, seconds = 5, warmupSeconds = 1, tedeeToken } = opts;
    const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    const u = new URL(url);
    const byStatus = {};
    let counting = false;
    let stop = false;
    let answered = 0;
    const sha = typeof crypto.hash === 'function' ? (s) => crypto.hash('sha256', s, 'hex') : (s) => crypto.createHash('sha256').update(s).digest('hex');
    const once = () => new Promise((resolve) => {
        const h = Object.assign({}, headers);
        if (tedeeToken) { const ms = Date.now(); h.api_token = sha(tedeeToken + ms) + ms; }
        const req = http.request({ agent, host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'GET', headers: h }, (res) => {
            res.resume();
            res.on('end', () => {
                if (counting) { answered++; byStatus[res.statusCode] = (byStatus[res.statusCode] || 0) + 1; }
                resolve();
            });
        });
        req.on('error', () => { if (counting) byStatus.error = (byStatus.error || 0) + 1; resolve(); });
        req.end();
    });
    const worker = async () => { while (!stop) await once(); };
    const workers = Array.from({ length: connections }, worker);
    await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
    counting = true;
    const t0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    counting = false;
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    stop = true;
    await Promise.all(workers);
    agent.destroy();
    process.stdout.write(JSON.stringify({ answered, byStatus, seconds: secs, perSec: answered / secs }));
}

if (require.main === module) {
    child(JSON.parse(process.argv[2])).catch((e) => { console.error(e); process.exit(1); });
}

module.exports = { generate };
