// @neo4j/graphql 7 on Apollo Server 5, for the benchmark (bench/run.py).
//   NEO4J_URI=bolt://127.0.0.1:7692 NEO4J_PASSWORD=... PORT=8702 WORKERS=2 node server.mjs
// WORKERS > 1 forks that many processes sharing the port (node:cluster), as the Python
// service runs that many uvicorn workers. `node server.mjs --print-schema` prints the
// generated schema and exits.
import cluster from "node:cluster";
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { printSchema } from "graphql";
import neo4j from "neo4j-driver";

const uri = process.env.NEO4J_URI ?? "bolt://127.0.0.1:7692";
const port = Number(process.env.PORT ?? 8702);
const workers = Number(process.env.WORKERS ?? 1);
const poolSize = Number(process.env.NEO4J_POOL_SIZE ?? 100);

async function serve() {
  const typeDefs = readFileSync(new URL("./typeDefs.graphql", import.meta.url), "utf8");
  const driver = neo4j.driver(uri, neo4j.auth.basic(process.env.NEO4J_USERNAME ?? "neo4j", process.env.NEO4J_PASSWORD ?? ""), {
    maxConnectionPoolSize: poolSize,
    disableLosslessIntegers: true,
  });
  const neoSchema = new Neo4jGraphQL({ typeDefs, driver });
  const schema = await neoSchema.getSchema();
  if (process.argv.includes("--print-schema")) {
    console.log(printSchema(schema));
    await driver.close();
    return;
  }
  const server = new ApolloServer({ schema, introspection: true });
  const { url } = await startStandaloneServer(server, {
    listen: { port, host: "127.0.0.1" },
    context: async ({ req }) => ({ req }),
  });
  console.log(`@neo4j/graphql ready at ${url} (pid ${process.pid})`);
}

if (workers > 1 && cluster.isPrimary && !process.argv.includes("--print-schema")) {
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = () => {
    for (const w of Object.values(cluster.workers)) w.kill("SIGTERM");
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} else {
  serve().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
