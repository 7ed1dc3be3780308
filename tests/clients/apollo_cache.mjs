// Apollo Client (core, no React) with its InMemoryCache against the service, configured
// as an app would be: `possibleTypes` from schema.graphql, the default ids (__typename +
// id). Overlapping queries must leave one normalised object per entity and per
// relationship (Edge); `node(id:)` refetches an object, and a query watching it sees the
// refetched value without being asked again.
//
// Prints {"entityKeys": [...], "edgeKeys": [...], "watched": [...]}.
import { readFileSync } from 'node:fs';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { buildSchema, isAbstractType } from 'graphql';
import { check, env, fail, report, upsertOrganization, within } from './lib.mjs';

const READ_URL = env('READ_URL');
const WRITE_URL = env('WRITE_URL');
const TOKEN = env('EDITOR_TOKEN');
const ID = env('ENTITY_ID');
const SCHEMA = env('SCHEMA');

// What an app derives once from the schema: each interface and union with its object
// types, so that fragments on an interface match.
const schema = buildSchema(readFileSync(SCHEMA, 'utf8'));
const possibleTypes = {};
for (const type of Object.values(schema.getTypeMap())) {
  if (isAbstractType(type) && !type.name.startsWith('__')) {
    possibleTypes[type.name] = schema.getPossibleTypes(type).map((t) => t.name);
  }
}

const cache = new InMemoryCache({ possibleTypes });
// Queries by GET, as an app does to make them cacheable (mutations stay POST).
const client = new ApolloClient({
  cache,
  link: new HttpLink({ uri: READ_URL, useGETForQueries: true }),
});

const BANK = gql`
  query Bank {
    entity(id: "bank-of-beijing") {
      id name kind
      ... on Bank { creditsGranted { id name ... on Credit { borrower { id name } } } }
    }
  }`;
const BANKS = gql`
  query Banks { banks(first: 20) { edges { node { id name aliases } } } }`;
const BORROWER = gql`
  query Borrower { entity(id: "potevio") { id name kind } }`;
const NEIGHBOURHOOD = gql`
  query Neighbourhood {
    neighborhood(id: "bank-of-beijing", hops: 1, limit: 50) { truncated edges { id type from to } }
  }`;
const PATH = gql`
  query Path {
    shortestPath(fromId: "bank-of-beijing", toId: "beijing-intellectual-property-bureau") {
      edges { id type from to }
    }
  }`;
const NODE = gql`
  query Refetch($id: ID!) {
    node(id: $id) { id ... on Organization { name } ... on Edge { type properties } }
  }`;
const ORGANIZATION = gql`
  query Organization($id: ID!) { entity(id: $id) { id name } }`;

async function query(document, variables = {}, fetchPolicy = 'cache-first') {
  const result = await client.query({ query: document, variables, fetchPolicy });
  check(!result.error && result.data, 'a query failed', result.error?.message ?? result);
  return result.data;
}

/** The cache's keys for normalised objects of these __typenames. */
function keys(...typenames) {
  return Object.keys(cache.extract()).filter((key) => typenames.includes(key.split(':')[0]));
}

try {
  // Two overlapping queries: Bank of Beijing in both, its credit's borrower in a third.
  const bank = (await query(BANK)).entity;
  const banks = (await query(BANKS)).banks.edges.map((e) => e.node);
  const borrower = (await query(BORROWER)).entity;
  check(banks.some((b) => b.id === 'bank-of-beijing'), 'banks has no Bank of Beijing', banks);
  const stored = cache.extract();
  const bankOfBeijing = stored['Bank:bank-of-beijing'];
  check(bankOfBeijing, 'Bank of Beijing is not normalised as Bank:bank-of-beijing', Object.keys(stored));
  // One object holding what both queries asked for.
  check(
    bankOfBeijing.name === bank.name && Array.isArray(bankOfBeijing.aliases) && bankOfBeijing.kind === 'BANK',
    'the two queries left two views of Bank of Beijing',
    bankOfBeijing,
  );
  const credit = bank.creditsGranted[0];
  check(
    credit.borrower.id === borrower.id && stored[`Organization:${borrower.id}`]?.kind === 'ORGANIZATION',
    'the borrower reached through the credit and by id is not one object',
    stored[`Organization:${borrower.id}`],
  );

  // Relationships: the same Edge from a neighbourhood and from a path is one object.
  const around = (await query(NEIGHBOURHOOD)).neighborhood.edges;
  const path = (await query(PATH)).shortestPath.edges;
  const shared = path.filter((e) => around.some((a) => a.id === e.id));
  check(shared.length > 0, 'the path and the neighbourhood share no relationship', { path, around });
  const edgeKey = `Edge:${shared[0].id}`;
  check(cache.extract()[edgeKey], 'a relationship is not normalised by its id', Object.keys(cache.extract()));
  check(!('properties' in cache.extract()[edgeKey]), 'the edge has properties before the refetch');
  await query(NODE, { id: shared[0].id }, 'network-only');
  check(
    cache.extract()[edgeKey].properties !== undefined,
    'node(id:) of a relationship did not update its normalised object',
    cache.extract()[edgeKey],
  );

  // node(id:) refetches: a write through the other instance, then the refetch, and the
  // query watching the organization sees the new name from the cache.
  await upsertOrganization(WRITE_URL, TOKEN, ID, 'Apollo Before', 'apollo 1');
  const watched = [];
  const subscription = client
    .watchQuery({ query: ORGANIZATION, variables: { id: ID } })
    .subscribe({
      next: (result) => {
        if (result.data?.entity) watched.push(result.data.entity.name);
      },
      error: (error) => fail(`the watched query failed: ${error.message}`),
    });
  await within(10000, 'the watched query answering', (async () => {
    while (!watched.includes('Apollo Before')) await new Promise((r) => setTimeout(r, 20));
  })());
  await upsertOrganization(WRITE_URL, TOKEN, ID, 'Apollo After', 'apollo 2');
  const refetched = (await query(NODE, { id: ID }, 'network-only')).node;
  check(refetched.name === 'Apollo After', 'node(id:) did not refetch the new name', refetched);
  await within(10000, 'the watched query seeing the refetched name', (async () => {
    while (!watched.includes('Apollo After')) await new Promise((r) => setTimeout(r, 20));
  })());
  subscription.unsubscribe();

  report({
    entityKeys: keys('Bank', 'Organization', 'Credit').sort(),
    edgeKeys: keys('Edge').sort(),
    sharedEdge: shared[0].id,
    watched,
    organization: cache.extract()[`Organization:${ID}`],
  });
} catch (error) {
  fail(error.stack || String(error));
} finally {
  client.stop();
}
