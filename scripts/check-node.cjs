// Runs before `npm install`/`npm ci` (preinstall), on whatever Node the machine has: plain ES5 on
// purpose, so even an old Node can say why it is refused instead of crashing later (better-sqlite3
// builds for the running Node, and the newer lines it supports segfault on an unsupported one).
var major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  console.error(
    'chatwoot-hermes-bot needs Node.js 24 (LTS); this is Node.js ' + process.versions.node +
      '. Install Node 24 first (see the README, "Set-up"), then run npm install again.'
  );
  process.exit(1);
}
