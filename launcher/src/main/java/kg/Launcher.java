package kg;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs a local Neo4j Community DBMS with only the Bolt connector, on loopback.
 *
 * Arguments: DATA_DIR BOLT_PORT. Memory comes from system properties
 * (kg.pagecache, kg.txmemory) so the Python CLI can size it. The optional
 * kg.plugins property names a directory of procedure jars to load (the
 * benchmark puts APOC core there), with apoc.* allowed unrestricted access;
 * without it no plugin is loaded. The process
 * prints "READY" once the DBMS is up and shuts the DBMS down cleanly on
 * SIGTERM/SIGINT (the JVM shutdown hook).
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args.length > 0 ? args[0] : "data/neo4j").toAbsolutePath();
        int port = Integer.parseInt(args.length > 1 ? args[1] : "7687");
        long pageCache = ByteUnit.parse(System.getProperty("kg.pagecache", "2g"));
        long txMemory = ByteUnit.parse(System.getProperty("kg.txmemory", "2g"));

        String plugins = System.getProperty("kg.plugins", "");

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                // No keep-alive NOOPs, hence no `connection.recv_timeout_seconds` hint: the
                // Python driver turns that hint into a timer and a task around every socket
                // read (measured: 1,474 records took 190 ms instead of 95 ms). Clients bound
                // each query with their own deadline (graph/db.py), so nothing waits forever.
                .setConfig(BoltConnector.connection_keep_alive_type, BoltConnector.KeepAliveRequestType.OFF)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, txMemory)
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(60));
        if (!plugins.isEmpty()) {
            builder = builder
                    .setConfig(GraphDatabaseSettings.plugin_dir, Path.of(plugins).toAbsolutePath())
                    .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("apoc.*"));
        }
        DatabaseManagementService dbms = builder.build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "neo4j-shutdown"));

        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME); // fails fast if the store is unusable
        System.out.println("READY bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }
}
