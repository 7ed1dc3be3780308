package kg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs a local Neo4j Community DBMS with only the Bolt connector, on loopback, with
 * authentication on.
 *
 * Arguments: DATA_DIR BOLT_PORT. Memory comes from system properties
 * (kg.pagecache, kg.txmemory) so the Python CLI can size it. The optional
 * kg.plugins property names a directory of procedure jars to load (the
 * benchmark puts APOC core there), with apoc.* allowed unrestricted access;
 * without it no plugin is loaded.
 *
 * The password of the user neo4j is read from the file named by the kg.passwordFile
 * property (required; the password itself never appears on the command line). When it
 * is not yet the password of that store (a new store, a store from before auth was on,
 * or a new password file), the DBMS is first started with Bolt off, the password is set
 * through the embedded API, and the DBMS is shut down and started again with Bolt on: no
 * client can ever log in with the default neo4j/neo4j. A marker beside the store
 * (kg-password-applied, the SHA-256 of the password applied) saves that extra start
 * afterwards.
 *
 * The process prints "READY" once the DBMS is up and shuts the DBMS down cleanly on
 * SIGTERM/SIGINT (the JVM shutdown hook).
 */
public final class Launcher {
    private static final String USER = "neo4j";
    private static final String MARKER = "kg-password-applied";

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args.length > 0 ? args[0] : "data/neo4j").toAbsolutePath();
        int port = Integer.parseInt(args.length > 1 ? args[1] : "7687");
        String passwordFile = System.getProperty("kg.passwordFile", "");
        if (passwordFile.isEmpty()) {
            System.err.println("kg.passwordFile is required (the password of the user neo4j)");
            System.exit(2);
        }
        String password = Files.readString(Path.of(passwordFile), StandardCharsets.UTF_8).strip();
        if (password.length() < 8) {
            System.err.println("the password in " + passwordFile + " is shorter than 8 characters");
            System.exit(2);
        }

        Path marker = home.resolve(MARKER);
        String digest = sha256(password);
        if (!digest.equals(readMarker(marker))) {
            // Bolt off: nobody can connect while the store still has its old password.
            DatabaseManagementService setup = builder(home, port, false).build();
            try {
                setup.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                        "ALTER USER " + USER + " SET PASSWORD $password CHANGE NOT REQUIRED",
                        Map.of("password", password));
            } finally {
                setup.shutdown();
            }
            writeMarker(marker, digest);
            System.out.println("password of the user " + USER + " set");
        }

        DatabaseManagementService dbms = builder(home, port, true).build();

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

    private static DatabaseManagementServiceBuilder builder(Path home, int port, boolean bolt) {
        long pageCache = ByteUnit.parse(System.getProperty("kg.pagecache", "2g"));
        long txMemory = ByteUnit.parse(System.getProperty("kg.txmemory", "2g"));
        String plugins = System.getProperty("kg.plugins", "");

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, bolt)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                // No keep-alive NOOPs, hence no `connection.recv_timeout_seconds` hint: the
                // Python driver turns that hint into a timer and a task around every socket
                // read (measured: 1,474 records took 190 ms instead of 95 ms). Clients bound
                // each query with their own deadline (graph/db.py), so nothing waits forever.
                .setConfig(BoltConnector.connection_keep_alive_type, BoltConnector.KeepAliveRequestType.OFF)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, txMemory)
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(60));
        if (!plugins.isEmpty()) {
            builder = builder
                    .setConfig(GraphDatabaseSettings.plugin_dir, Path.of(plugins).toAbsolutePath())
                    .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("apoc.*"));
        }
        return builder;
    }

    private static String sha256(String text) throws NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String readMarker(Path marker) throws IOException {
        return Files.exists(marker) ? Files.readString(marker, StandardCharsets.UTF_8).strip() : "";
    }

    private static void writeMarker(Path marker, String digest) throws IOException {
        Path temp = marker.resolveSibling(MARKER + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, digest + "\n", StandardCharsets.UTF_8);
        Files.move(temp, marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
