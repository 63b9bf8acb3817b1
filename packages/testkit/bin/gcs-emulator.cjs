#!/usr/bin/env node
// Serves the Google Cloud Storage JSON API on 127.0.0.1:<port> using the storage emulator that ships
// inside firebase-tools (plain Node). Its Firebase security-rules engine needs Java, which we do not
// use: admin requests (the ones our drivers make) bypass rules, so its start/stop are no-ops here.
// Usage: gcs-emulator.cjs <port>   (set TMPDIR per instance: blobs live under $TMPDIR/firebase/storage)
'use strict';
const path = require('node:path');
const root = path.dirname(require.resolve('firebase-tools/package.json'));
const { StorageRulesRuntime } = require(path.join(root, 'lib/emulator/storage/rules/runtime'));
StorageRulesRuntime.prototype.start = async () => {};
StorageRulesRuntime.prototype.stop = async () => {};
const { StorageEmulator } = require(path.join(root, 'lib/emulator/storage'));
const { EmulatorRegistry } = require(path.join(root, 'lib/emulator/registry'));

const port = Number(process.argv[2] || 9199);
const emulator = new StorageEmulator({
  host: '127.0.0.1',
  port,
  projectId: 'test-project',
  auto_download: false,
  rules: [],
});
emulator.createRulesManager = () => ({
  start: async () => {},
  stop: async () => {},
  getRuleset: () => undefined,
});
emulator._rulesManager = emulator.createRulesManager();

EmulatorRegistry.start(emulator).then(
  () => process.stdout.write(`gcs-emulator listening on 127.0.0.1:${port}\n`),
  (err) => {
    process.stderr.write(`gcs-emulator failed: ${err?.stack}\n`);
    process.exit(1);
  },
);
const stop = () => EmulatorRegistry.stop(emulator.getName()).finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
