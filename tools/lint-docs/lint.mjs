// lint.mjs reads the published AsyncAPI and OpenAPI documents with the
// parsers integrators use, offline, and checks that what they parse is what
// the schemas say: every trigger's payload keeps the fields and the
// triggerKey const its schema adds to the shared event. `make lint-docs`
// runs it (and `redocly lint`) from bin/lint-docs, where npm installed the
// parsers; it is not part of `make test`, which must not need npm.
//
// Usage: node lint.mjs DOCS_DIR
import path from 'node:path';
import { Parser, fromFile } from '@asyncapi/parser';
import { validate, dereference, compileErrors } from '@readme/openapi-parser';

const dir = path.resolve(process.argv[2] ?? 'docs');
let failures = 0;
const fail = (msg) => {
  failures++;
  console.error(`FAIL ${msg}`);
};

// The fields a trigger adds to event, read from its schema file: the
// parsed payload must still have them.
function checkEvent(tool, key, event) {
  const props = event?.properties ?? {};
  if (props.triggerKey?.const !== key) {
    fail(`${tool} ${key}: event.triggerKey const is ${JSON.stringify(props.triggerKey?.const)}, want "${key}" (a $ref sibling dropped?)`);
  }
  for (const base of ['eventId', 'recordId', 'firedAt']) {
    const viaAllOf = (event?.allOf ?? []).some((s) => s?.properties?.[base]);
    if (!props[base] && !viaAllOf) fail(`${tool} ${key}: event.${base} is missing`);
  }
  return Object.keys(props);
}

// AsyncAPI. The parser fetches http(s) references by default; these
// resolvers come first and record any attempt instead, so a reference that
// would need the network fails the lint even where the network is up.
const fetched = [];
const offline = (schema) => ({
  schema,
  order: 1,
  read: (uri) => {
    fetched.push(uri.toString());
    return '{}';
  },
});
const parser = new Parser({ __unstable: { resolver: { resolvers: [offline('http'), offline('https')] } } });
const asyncFile = path.join(dir, 'asyncapi.yaml');
const { document, diagnostics } = await fromFile(parser, asyncFile).parse();
for (const d of diagnostics) {
  // 0 error, 1 warning, 2 information, 3 hint.
  const where = `${asyncFile}:${(d.range?.start?.line ?? 0) + 1} ${d.path?.join('.') ?? ''}`;
  if (d.severity <= 1) fail(`@asyncapi/parser ${d.code}: ${d.message} (${where})`);
  else console.log(`note @asyncapi/parser ${d.code}: ${d.message}`);
}
const asyncBefore = failures;
if (document) {
  let n = 0;
  for (const m of document.allMessages()) {
    const payload = m.payload()?.json();
    checkEvent('@asyncapi/parser', m.id(), payload?.properties?.event);
    n++;
  }
  if (failures === asyncBefore) console.log(`ok   @asyncapi/parser ${asyncFile}: ${n} messages, every payload keeps its trigger's event fields`);
} else {
  fail(`@asyncapi/parser ${asyncFile}: did not parse`);
}
for (const u of fetched) fail(`@asyncapi/parser tried to fetch ${u}`);

// OpenAPI: http resolution off, so a reference that needs the network is
// an error rather than a download.
const openFile = path.join(dir, 'openapi.yaml');
const opts = { resolve: { http: false } };
const openBefore = failures;
try {
  const r = await validate(openFile, opts);
  if (!r.valid) fail(`@readme/openapi-parser ${openFile}:\n${compileErrors(r)}`);
  for (const w of r.warnings ?? []) console.log(`note @readme/openapi-parser: ${w.message}`);
  const api = await dereference(openFile, opts);
  const hooks = Object.entries(api.webhooks ?? {});
  for (const [key, hook] of hooks) {
    checkEvent('@readme/openapi-parser', key, hook.post?.requestBody?.content?.['application/json']?.schema?.properties?.event);
  }
  if (failures === openBefore) console.log(`ok   @readme/openapi-parser ${openFile}: valid, ${hooks.length} webhooks dereferenced offline`);
} catch (e) {
  fail(`@readme/openapi-parser ${openFile}: ${e.message}`);
}

if (failures > 0) {
  console.error(`${failures} problem(s)`);
  process.exit(1);
}
