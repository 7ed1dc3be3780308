// Runs graphql-http's GraphQL-over-HTTP audit suite against a running service and prints
// one JSON object: {"results": [{id, name, status, reason}]}. status is "ok", or for a
// failed audit "error" (a MUST), "warn" (a SHOULD) or "notice" (a MAY).
//
//   node tests/compliance/audit.mjs http://127.0.0.1:8000/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint url>');
  process.exit(2);
}
const results = await auditServer({ url, fetchFn: fetch });
const summary = [];
for (const result of results) {
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    entry.reason = result.reason;
    entry.httpStatus = result.response.status;
    try {
      entry.body = (await result.response.text()).slice(0, 300);
    } catch {
      entry.body = null;
    }
  }
  summary.push(entry);
}
console.log(JSON.stringify({ results: summary }, null, 1));
