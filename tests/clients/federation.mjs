// Apollo Federation 2 against the service run with FEDERATION=1 (FEDERATED_URL):
// - @apollo/composition composes its subgraph SDL (read from `_service { sdl }`, as a
//   router's tooling reads it) with a small second subgraph, written here, that adds a
//   field to `Organization` by its key, with no composition errors;
// - `_entities` resolves representations posted to the service directly;
// - Apollo Gateway, on the composed supergraph, answers queries that need both subgraphs:
//   one that starts in the second subgraph and asks the service's `_entities` for the
//   names, one that starts in the service and asks the second subgraph for its field.
//
// Prints {"hints": n, "entities": [...], "gateway": {..., "sentToService": [...]}}.
import { ApolloGateway, LocalGraphQLDataSource, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { check, env, fail, post, report } from './lib.mjs';

const URL = env('FEDERATED_URL');
// Two ORGANIZATIONs of the seed (not Banks: Bank is a type of its own, with its own key).
const ORGANIZATION = 'potevio';
const OTHER = 'zhongguancun-ip-service-alliance';

// The second subgraph: a risk rating per organization, keyed by the service's ids.
const RATINGS_SDL = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type Organization @key(fields: "id") {
    id: ID!
    riskRating: String!
  }

  type Query {
    ratedOrganizations: [Organization!]!
  }
`);
const RATINGS = { [ORGANIZATION]: 'A-', [OTHER]: 'B+' };
const ratingsSchema = buildSubgraphSchema({
  typeDefs: RATINGS_SDL,
  resolvers: {
    Query: { ratedOrganizations: () => Object.keys(RATINGS).map((id) => ({ id })) },
    Organization: {
      __resolveReference: ({ id }) => ({ id }),
      riskRating: ({ id }) => RATINGS[id] ?? 'unrated',
    },
  },
});

try {
  // Composition.
  const { _service } = await post(URL, '{ _service { sdl } }');
  const composed = composeServices([
    { name: 'knowledge-graph', url: URL, typeDefs: parse(_service.sdl) },
    { name: 'ratings', url: 'local://ratings', typeDefs: RATINGS_SDL },
  ]);
  check(
    !composed.errors,
    'composition failed',
    (composed.errors || []).map((e) => e.message),
  );

  // _entities, as a router sends it.
  const { _entities: entities } = await post(
    URL,
    `query ($representations: [_Any!]!) { _entities(representations: $representations) {
       __typename ... on Organization { id name } ... on Bank { id name } ... on Edge { id type } } }`,
    {
      representations: [
        { __typename: 'Organization', id: ORGANIZATION },
        { __typename: 'Bank', id: 'bank-of-beijing' },
        { __typename: 'Edge', id: 'bank-of-beijing|LENT|potevio-credit-bank-of-beijing' },
        { __typename: 'Organization', id: 'no-such-organization' },
      ],
    },
  );

  // A gateway on the supergraph: the service over HTTP (each operation sent to it
  // recorded), the ratings in process.
  const sent = [];
  class Recorded extends RemoteGraphQLDataSource {
    willSendRequest({ request }) {
      sent.push(request.query);
    }
  }
  const gateway = new ApolloGateway({
    supergraphSdl: composed.supergraphSdl,
    buildService: ({ name, url }) =>
      name === 'ratings' ? new LocalGraphQLDataSource(ratingsSchema) : new Recorded({ url }),
  });
  const server = new ApolloServer({ gateway });
  await server.start();
  async function run(query) {
    const response = await server.executeOperation({ query });
    const result = response.body.singleResult;
    check(!result.errors, 'the gateway answered with errors', result.errors);
    return result.data;
  }
  const fromRatings = await run('{ ratedOrganizations { id name riskRating } }');
  const fromService = await run(
    `{ entity(id: "${ORGANIZATION}") { id name ... on Organization { riskRating } } }`,
  );
  await server.stop();

  report({
    hints: composed.hints.length,
    entities,
    gateway: { fromRatings, fromService, sentToService: sent.map((q) => q.replace(/\s+/g, ' ')) },
  });
} catch (error) {
  fail(error.stack || String(error));
}
