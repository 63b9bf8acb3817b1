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

// The emulator finalises a resumable session on its first PUT. Real GCS takes chunks: a PUT with
// `Content-Range: bytes a-b/*` is stored and answered 308 with the persisted `Range`, and
// `bytes */*` asks how far the session got. This adds those two; a request naming the total
// (the final chunk) goes on to the emulator, which appends it and finalises.
const gcloud = require(path.join(root, 'lib/emulator/storage/apis/gcloud'));
const { Router } = require(require.resolve('express', { paths: [root] }));
const cloudEndpoints = gcloud.createCloudEndpoints;
gcloud.createCloudEndpoints = (emulator) => {
  const router = Router();
  router.put('/upload/storage/v1/b/:bucketId/o', (req, res, next) => {
    const range = /^bytes (?:\*|(\d+)-\d+)\/(\*|\d+)$/.exec(req.header('content-range') ?? '');
    let upload;
    try {
      upload = range && emulator.uploadService.getResumableUpload(String(req.query.upload_id));
    } catch {}
    if (!upload) return next();
    if (upload.status !== 'active') {
      if (upload.status === 'final')
        return res.status(200).json({ name: upload.objectId, size: String(upload.size) });
      return res.sendStatus(404);
    }
    const parts = [];
    req.on('data', (chunk) => parts.push(chunk));
    req.on('end', () => {
      const start = range[1] === undefined ? upload.size : Number(range[1]);
      if (start > upload.size) return res.sendStatus(400);
      // Bytes the session already holds (a resent chunk) are skipped, as GCS does.
      const fresh = Buffer.concat(parts).subarray(upload.size - start);
      if (range[2] !== '*') {
        req.body = fresh;
        req._body = true;
        return next();
      }
      if (fresh.length > 0) emulator.uploadService.continueResumableUpload(upload.id, fresh);
      if (upload.size > 0) res.set('Range', `bytes=0-${upload.size - 1}`);
      res.status(308).end();
    });
  });
  router.use(cloudEndpoints(emulator));
  return router;
};
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
