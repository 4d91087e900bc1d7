// Preloaded with `node --require` by the bundle's tests: on exit, appends every
// file the process required to $BASCULE_TRACE_CHUNKS, one a line (what the
// single binary does itself, see scripts/build-binary.mjs).
const { appendFileSync } = require('node:fs');
process.on('exit', () => {
  const file = process.env.BASCULE_TRACE_CHUNKS;
  if (file) appendFileSync(file, Object.keys(require.cache).map((f) => `${f}\n`).join(''));
});
