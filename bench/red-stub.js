'use strict';
// A minimal Node-RED `RED` object: enough to load the package's node files as Node-RED's registry
// does (require the file, call its function with RED) and to drive a node's 'input' handler
// directly, without the runtime's router. Used for the per-message figures (message.js) and the
// load time (load.js). What a node does per message runs unchanged; what the runtime does around
// it (routing, cloning for fan-out, hooks) is measured by flow.js instead.

const { EventEmitter } = require('node:events');

function createRED({ credentials = {} } = {}) {
    const types = new Map();
    const nodes = new Map();
    const events = new EventEmitter();

    class StubNode extends EventEmitter {
        status() {}
        warn() {}
        error() {}
        log() {}
        debug() {}
        trace() {}
        send() {}
    }

    const RED = {
        _: (key) => key,
        events,
        settings: {},
        util: {},
        auth: { needsPermission: () => (req, res, next) => next() },
        httpAdmin: { post() {}, get() {}, use() {} },
        httpNode: { post() {}, get() {}, use() {} },
        nodes: {
            createNode(node, n) {
                node.id = n.id;
                node.type = n.type;
                node.z = n.z;
                node.name = n.name;
                node.credentials = Object.assign({}, credentials[n.id] || {});
            },
            registerType(type, ctor) {
                Object.setPrototypeOf(ctor.prototype, StubNode.prototype);
                types.set(type, ctor);
            },
            getNode: (id) => nodes.get(id) || null,
        },
    };

    /** Instantiate node `n` ({ id, type, … }) of a registered type. */
    function create(n) {
        const Ctor = types.get(n.type);
        if (!Ctor) throw new Error('red-stub: no node type ' + n.type);
        const node = new Ctor(n);
        nodes.set(n.id, node);
        return node;
    }

    /** Close every node (as a redeploy does). */
    async function close() {
        for (const node of nodes.values()) {
            for (const fn of node.listeners('close')) await new Promise((resolve) => (fn.length >= 2 ? fn.call(node, false, resolve) : (fn.call(node), resolve())));
        }
        nodes.clear();
    }

    return { RED, create, close, types };
}

module.exports = { createRED };
