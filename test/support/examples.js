'use strict';
// The example flows as Node-RED's Import puts them on a tab: the files carry nodes only (so
// "Import to: current flow" works); a test gives them a tab of their own, as npm start does.
//
//   const { onTab, read } = require('./support/examples');
//   const nodes = onTab(read('tedee.json'), 'tab-tedee');     // a tab node + every flow node on it
const fs = require('node:fs');
const path = require('node:path');

const DIR = path.join(__dirname, '..', '..', 'examples');
// nodes that live outside any tab
const CONFIG_TYPES = new Set(['api-auth-config', 'tls-config', 'http proxy']);

function read(file, dir = DIR) {
    return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
}

/** `nodes` on a new tab `tabId` (config nodes stay global). */
function onTab(nodes, tabId, label = tabId) {
    return [{ id: tabId, type: 'tab', label }].concat(nodes.map((n) => (CONFIG_TYPES.has(n.type) ? n : { ...n, z: tabId })));
}

module.exports = { DIR, read, onTab, CONFIG_TYPES };
