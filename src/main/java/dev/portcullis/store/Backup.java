package dev.portcullis.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * An online, consistent backup of an installation, and its restore into an empty one
 * (docs/OPERATIONS.md). A backup is a directory:
 *
 * <ul>
 *   <li>{@code manifest.json}: format, when, the schema version, each table's row count and
 *       SHA-256, the blob count;
 *   <li>{@code tables/NAME.jsonl}: every row of every table, one JSON object per line, read in one
 *       consistent snapshot (SQLite: {@code VACUUM INTO} a copy, then read; PostgreSQL: one
 *       read-only repeatable-read transaction) — so the event chain, the releases and their
 *       approvals are of one moment, while the server keeps serving;
 *   <li>{@code blobs/}: the content-addressed files, each checked against its name while copied;
 *   <li>{@code keys.enc}: the data directory's keys (the sealing key, the checkpoint signing key),
 *       encrypted with a passphrase ({@link KeyArchive}) — kept apart from the rest, so the backup
 *       files alone open nothing;
 *   <li>{@code checkpoints/}: the signed checkpoint log kept outside the database.
 * </ul>
 *
 * The format is logical (rows, not pages): a backup restores into either dialect. Restore migrates
 * the empty target to the backup's schema version, loads the rows in foreign-key order, then
 * migrates forward to this build's newest — so a backup from an older release restores into a
 * newer one.
 */
public final class Backup {

    /** What a backup holds, or what a restore loaded. */
    public record Summary(String schemaVersion, Map<String, Long> tables, long blobs, long blobBytes, boolean keys) {
        public long rows() {
            return tables.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HISTORY = "flyway_schema_history";

    private Backup() {}

    // ---------------------------------------------------------------- backup

    /**
     * Writes a backup of the installation ({@code database}, {@code dataDir}) into {@code to}, which
     * must not exist or be empty. {@code passphrase} encrypts the keys; null leaves them out.
     */
    public static Summary write(
            DatabaseSettings database, BlobSettings blobSettings, Path dataDir, Path to, char[] passphrase, Instant now)
            throws IOException {
        requireEmpty(to, "the backup directory");
        PrivateFiles.createDirectories(to.resolve("tables"));
        Map<String, Long> rows = new TreeMap<>();
        Map<String, String> digests = new TreeMap<>();
        String version;
        try {
            version = switch (database.dialect()) {
                case SQLITE -> {
                    Path copy = to.resolve("snapshot.db.tmp");
                    try (HikariDataSource live = Database.dataSource(database);
                            Connection c = live.getConnection();
                            Statement s = c.createStatement()) {
                        s.execute("VACUUM INTO '"
                                + copy.toAbsolutePath().toString().replace("'", "''") + "'");
                    }
                    try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + copy.toAbsolutePath())) {
                        yield dump(c, to, rows, digests);
                    } finally {
                        Files.deleteIfExists(copy);
                    }
                }
                case POSTGRESQL -> {
                    try (HikariDataSource live = Database.dataSource(database);
                            Connection c = live.getConnection()) {
                        c.setAutoCommit(false);
                        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                        c.setReadOnly(true);
                        try {
                            yield dump(c, to, rows, digests);
                        } finally {
                            c.rollback();
                        }
                    }
                }
            };
        } catch (SQLException e) {
            throw new IOException("the database could not be read: " + e.getMessage(), e);
        }
        long[] blobs;
        try (BlobStore store = BlobStore.open(dataDir.resolve("blobs"), blobSettings)) {
            blobs = copyBlobs(store, to.resolve("blobs"));
        }
        copyTree(dataDir.resolve("checkpoints"), to.resolve("checkpoints"));
        boolean keys = false;
        if (passphrase != null) {
            KeyArchive.write(dataDir.resolve("keys"), to.resolve("keys.enc"), passphrase);
            keys = true;
        }
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", FORMAT);
        manifest.put("created_at", now.toString());
        manifest.put("schema_version", version);
        manifest.put("source_dialect", database.dialect().name().toLowerCase(Locale.ROOT));
        ObjectNode tables = manifest.putObject("tables");
        rows.forEach(
                (table, count) -> tables.putObject(table).put("rows", count).put("sha256", digests.get(table)));
        manifest.put("blobs", blobs[0]);
        manifest.put("blob_bytes", blobs[1]);
        manifest.put("keys", keys);
        PrivateFiles.writeAtomically(
                to.resolve("manifest.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        return new Summary(version, rows, blobs[0], blobs[1], keys);
    }

    /** Every table but Flyway's history, as JSON lines; returns the schema version. */
    private static String dump(Connection c, Path to, Map<String, Long> rows, Map<String, String> digests)
            throws SQLException, IOException {
        String version = schemaVersion(c);
        for (String table : tables(c)) {
            Path file = to.resolve("tables").resolve(table + ".jsonl");
            MessageDigest sha = Sha256.digest();
            long count = 0;
            try (OutputStream raw = Files.newOutputStream(file);
                    OutputStream out = new java.security.DigestOutputStream(raw, sha);
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT * FROM " + quote(table) + orderBy(c, table))) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    try (JsonGenerator json = JSON.getFactory().createGenerator(out)) {
                        json.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
                        json.writeStartObject();
                        for (int i = 1; i <= meta.getColumnCount(); i++) {
                            json.writeFieldName(meta.getColumnName(i).toLowerCase(Locale.ROOT));
                            Object value = rs.getObject(i);
                            switch (value) {
                                case null -> json.writeNull();
                                case Boolean b -> json.writeBoolean(b);
                                case Integer n -> json.writeNumber(n);
                                case Long n -> json.writeNumber(n);
                                case Short n -> json.writeNumber(n);
                                case String text -> json.writeString(text);
                                default ->
                                    throw new IOException("column " + table + "." + meta.getColumnName(i) + " holds a "
                                            + value.getClass().getSimpleName() + ", which backups do not know");
                            }
                        }
                        json.writeEndObject();
                    }
                    out.write('\n');
                    count++;
                }
            }
            rows.put(table, count);
            digests.put(table, HexFormat.of().formatHex(sha.digest()));
        }
        return version;
    }

    // ---------------------------------------------------------------- restore

    /**
     * Restores the backup in {@code from} into an empty installation: {@code database} must have no
     * tables and {@code dataDir} must not exist or be empty. Every table file is checked against the
     * manifest's digest, every blob against its name, before anything is written to the target.
     */
    public static Summary restore(
            Path from, DatabaseSettings database, BlobSettings blobSettings, Path dataDir, char[] passphrase)
            throws IOException {
        com.fasterxml.jackson.databind.JsonNode manifest =
                JSON.readTree(from.resolve("manifest.json").toFile());
        if (manifest.path("format").asInt() != FORMAT) {
            throw new IOException("not a Portcullis backup of format " + FORMAT + " (manifest.json)");
        }
        String version = manifest.path("schema_version").asText();
        Map<String, Long> rows = new TreeMap<>();
        for (var entry : manifest.path("tables").properties()) {
            Path file = from.resolve("tables").resolve(entry.getKey() + ".jsonl");
            if (!entry.getKey().matches("[a-z_][a-z0-9_]*")
                    || !Files.isRegularFile(file)
                    || !Sha256.hex(file).equals(entry.getValue().path("sha256").asText())) {
                throw new IOException("the backup's table " + entry.getKey() + " is missing or was changed");
            }
            rows.put(entry.getKey(), entry.getValue().path("rows").asLong());
        }
        boolean keys = manifest.path("keys").asBoolean();
        if (keys && passphrase == null) {
            throw new IOException("the backup's keys are encrypted: give the passphrase it was made with");
        }
        requireEmpty(dataDir, "the data directory to restore into");
        long[] blobs = verifyBlobs(from.resolve("blobs"));
        if (blobs[0] != manifest.path("blobs").asLong()) {
            throw new IOException("the backup holds " + blobs[0] + " blobs, its manifest says "
                    + manifest.path("blobs").asLong());
        }
        Map<String, byte[]> keyFiles = keys ? KeyArchive.open(from.resolve("keys.enc"), passphrase) : Map.of();
        PrivateFiles.createDirectories(dataDir);
        KeyArchive.writeTo(keyFiles, dataDir.resolve("keys"));
        try (HikariDataSource target = Database.dataSource(database)) {
            try (Connection c = target.getConnection()) {
                if (!tables(c).isEmpty() || hasTable(c, HISTORY)) {
                    throw new IOException("the database to restore into is not empty");
                }
            }
            Database.flyway(database, target, version).migrate();
            try (Connection c = target.getConnection()) {
                c.setAutoCommit(false);
                List<String> order = foreignKeyOrder(c, rows.keySet());
                for (String table : order.reversed()) {
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("DELETE FROM " + quote(table)); // rows a migration seeded
                    }
                }
                for (String table : order) {
                    long loaded = load(c, table, from.resolve("tables").resolve(table + ".jsonl"));
                    if (loaded != rows.get(table)) {
                        throw new IOException(
                                "table " + table + ": " + loaded + " rows, the manifest says " + rows.get(table));
                    }
                }
                if (database.dialect() == DatabaseSettings.Dialect.POSTGRESQL) {
                    resetIdentities(c, order);
                }
                c.commit();
                // A PostgreSQL transaction that failed commits as a rollback without a word: count again.
                for (String table : order) {
                    try (Statement s = c.createStatement();
                            ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + quote(table))) {
                        rs.next();
                        if (rs.getLong(1) != rows.get(table)) {
                            throw new IOException("table " + table + " holds " + rs.getLong(1) + " rows after the"
                                    + " restore, the backup " + rows.get(table));
                        }
                    }
                }
            } catch (SQLException e) {
                throw new IOException("the rows could not be loaded: " + e.getMessage(), e);
            }
            Database.flyway(database, target, null).migrate();
        } catch (SQLException e) {
            throw new IOException("the database to restore into cannot be used: " + e.getMessage(), e);
        }
        try (BlobStore store = BlobStore.open(dataDir.resolve("blobs"), blobSettings);
                Stream<Path> files = Files.walk(from.resolve("blobs"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                store.add(file);
            }
        }
        copyTree(from.resolve("checkpoints"), dataDir.resolve("checkpoints"));
        return new Summary(version, rows, blobs[0], blobs[1], keys);
    }

    private static long load(Connection c, String table, Path file) throws SQLException, IOException {
        Map<String, Integer> types = new LinkedHashMap<>();
        DatabaseMetaData meta = c.getMetaData();
        try (ResultSet columns = meta.getColumns(null, c.getSchema(), table, null)) {
            while (columns.next()) {
                types.put(columns.getString("COLUMN_NAME").toLowerCase(Locale.ROOT), columns.getInt("DATA_TYPE"));
            }
        }
        long count = 0;
        PreparedStatement insert = null;
        List<String> names = null;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                Map<String, Object> row = readRow(line);
                if (insert == null) {
                    names = new ArrayList<>(row.keySet());
                    for (String name : names) {
                        if (!types.containsKey(name)) {
                            throw new IOException(
                                    "table " + table + " has no column " + name + " at this schema version");
                        }
                    }
                    insert = c.prepareStatement("INSERT INTO " + quote(table) + " ("
                            + String.join(
                                    ", ", names.stream().map(Backup::quote).toList()) + ") VALUES ("
                            + String.join(", ", names.stream().map(n -> "?").toList()) + ")");
                }
                for (int i = 0; i < names.size(); i++) {
                    bind(insert, i + 1, row.get(names.get(i)), types.get(names.get(i)));
                }
                insert.addBatch();
                if (++count % 500 == 0) {
                    insert.executeBatch();
                }
            }
            if (insert != null) {
                insert.executeBatch();
            }
        } finally {
            if (insert != null) {
                insert.close();
            }
        }
        return count;
    }

    private static Map<String, Object> readRow(String line) throws IOException {
        Map<String, Object> row = new LinkedHashMap<>();
        try (JsonParser p = JSON.getFactory().createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a row is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                row.put(
                        name,
                        switch (t) {
                            case VALUE_NULL -> null;
                            case VALUE_TRUE -> Boolean.TRUE;
                            case VALUE_FALSE -> Boolean.FALSE;
                            case VALUE_NUMBER_INT -> p.getLongValue();
                            case VALUE_STRING -> p.getText();
                            default -> throw new IOException("a row holds a " + t + " in " + name);
                        });
            }
        }
        return row;
    }

    /** Binds a value as the target column wants it (a backup from SQLite has 0/1 where PostgreSQL has booleans). */
    private static void bind(PreparedStatement insert, int index, Object value, int type) throws SQLException {
        if (value == null) {
            insert.setNull(index, type);
        } else if (type == Types.BOOLEAN || type == Types.BIT) {
            insert.setBoolean(index, value instanceof Boolean b ? b : ((Long) value) != 0);
        } else if (value instanceof Boolean b && (type == Types.INTEGER || type == Types.BIGINT)) {
            insert.setLong(index, b ? 1 : 0);
        } else if (value instanceof Long n) {
            insert.setLong(index, n);
        } else {
            insert.setString(index, (String) value);
        }
    }

    /**
     * After explicit ids were inserted, each identity column's sequence continues after the largest.
     * (Only tables that have an {@code id} column are asked: an error would abort the transaction.)
     */
    private static void resetIdentities(Connection c, List<String> tables) throws SQLException {
        for (String table : tables) {
            try (ResultSet id = c.getMetaData().getColumns(null, c.getSchema(), table, "id")) {
                if (!id.next()) {
                    continue;
                }
            }
            String sequence;
            try (PreparedStatement q = c.prepareStatement("SELECT pg_get_serial_sequence(?, 'id')")) {
                q.setString(1, quote(table));
                try (ResultSet rs = q.executeQuery()) {
                    sequence = rs.next() ? rs.getString(1) : null;
                }
            }
            if (sequence != null) {
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT setval(?, COALESCE((SELECT MAX(id) FROM " + quote(table) + "), 0) + 1, false)")) {
                    s.setString(1, sequence);
                    s.execute();
                }
            }
        }
    }

    // ---------------------------------------------------------------- schema

    private static String schemaVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM " + HISTORY + " WHERE success = "
                        + (c.getMetaData()
                                        .getDatabaseProductName()
                                        .toLowerCase(Locale.ROOT)
                                        .contains("sqlite")
                                ? "1"
                                : "TRUE")
                        + " AND version IS NOT NULL")) {
            String newest = null;
            while (rs.next()) {
                String v = rs.getString(1);
                if (newest == null
                        || org.flywaydb.core.api.MigrationVersion.fromVersion(v)
                                        .compareTo(org.flywaydb.core.api.MigrationVersion.fromVersion(newest))
                                > 0) {
                    newest = v;
                }
            }
            if (newest == null) {
                throw new SQLException("the database has no schema version");
            }
            return newest;
        }
    }

    /** The installation's tables (not Flyway's history), by name. */
    private static List<String> tables(Connection c) throws SQLException {
        Set<String> out = new java.util.TreeSet<>();
        try (ResultSet rs = c.getMetaData().getTables(null, c.getSchema(), "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
                if (!name.equals(HISTORY) && !name.startsWith("sqlite_")) {
                    out.add(name);
                }
            }
        }
        return List.copyOf(out);
    }

    private static boolean hasTable(Connection c, String name) throws SQLException {
        try (ResultSet rs = c.getMetaData().getTables(null, c.getSchema(), name, new String[] {"TABLE"})) {
            return rs.next();
        }
    }

    /** A stable row order for the dump: by primary key where there is one. */
    private static String orderBy(Connection c, String table) throws SQLException {
        List<String> keys = new ArrayList<>();
        try (ResultSet rs = c.getMetaData().getPrimaryKeys(null, c.getSchema(), table)) {
            Map<Integer, String> bySeq = new TreeMap<>();
            while (rs.next()) {
                bySeq.put(
                        rs.getInt("KEY_SEQ"), quote(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT)));
            }
            keys.addAll(bySeq.values());
        }
        return keys.isEmpty() ? "" : " ORDER BY " + String.join(", ", keys);
    }

    /** {@code tables} so that each comes after the tables its foreign keys reference. */
    private static List<String> foreignKeyOrder(Connection c, Set<String> tables) throws SQLException, IOException {
        Map<String, Set<String>> references = new TreeMap<>();
        for (String table : tables) {
            Set<String> parents = new LinkedHashSet<>();
            try (ResultSet rs = c.getMetaData().getImportedKeys(null, c.getSchema(), table)) {
                while (rs.next()) {
                    String parent = rs.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT);
                    if (!parent.equals(table) && tables.contains(parent)) {
                        parents.add(parent);
                    }
                }
            }
            references.put(table, parents);
        }
        List<String> order = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (placed.size() < tables.size()) {
            boolean progress = false;
            for (var entry : references.entrySet()) {
                if (!placed.contains(entry.getKey()) && placed.containsAll(entry.getValue())) {
                    placed.add(entry.getKey());
                    order.add(entry.getKey());
                    progress = true;
                }
            }
            if (!progress) {
                throw new IOException("the tables' foreign keys form a cycle");
            }
        }
        return order;
    }

    private static String quote(String identifier) {
        if (!identifier.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a table or column name: " + identifier);
        }
        return "\"" + identifier + "\"";
    }

    // ---------------------------------------------------------------- files

    /** Copies every blob the store holds (from its bucket, when it has one), each checked against its digest. */
    private static long[] copyBlobs(BlobStore store, Path to) throws IOException {
        long[] counts = {0, 0};
        List<String> all = new java.util.ArrayList<>();
        store.forEach(all::add);
        for (String sha256 : all) {
            Path target = to.resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256);
            PrivateFiles.createDirectories(target.getParent());
            if (!store.copyTo(sha256, target)) {
                throw new IOException("blob " + sha256 + " disappeared while the backup was taken");
            }
            counts[0]++;
            counts[1] += Files.size(target);
        }
        return counts;
    }

    private static long[] verifyBlobs(Path blobs) throws IOException {
        long[] counts = {0, 0};
        if (!Files.isDirectory(blobs)) {
            return counts;
        }
        try (Stream<Path> files = Files.walk(blobs)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (!Sha256.hex(file).equals(file.getFileName().toString())) {
                    throw new IOException("the backup's blob " + file.getFileName() + " was changed");
                }
                counts[0]++;
                counts[1] += Files.size(file);
            }
        }
        return counts;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    PrivateFiles.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    private static void requireEmpty(Path dir, String what) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(what + " " + dir + " is not empty");
                }
            }
        }
    }
}
