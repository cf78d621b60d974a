package io.videomerge.server;

import static java.util.Objects.requireNonNull;

import io.videomerge.Isolation;
import io.videomerge.Speed;
import io.videomerge.Webhooks;
import io.videomerge.upload.FileSystemUploader;
import io.videomerge.upload.UrlSigner;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of merge-server, from command-line flags ({@code --port 8080} or {@code --port=8080}) over
 * environment variables ({@code VIDEOMERGE_PORT}) over defaults.
 *
 * @param store             {@code memory}, {@code sqlite} (a file in the data folder), a {@code jdbc:} URL or a
 *                          {@code redis://} URI
 * @param host              the address to listen on (default {@code 0.0.0.0})
 * @param port              the port (default 8080; 0 picks a free one)
 * @param dataDir           where merged files, work folders and the SQLite file live (default {@code ./data})
 * @param publicUrl         the URL clients reach this server at, for {@code merged_url} (default
 *                          {@code http://localhost:PORT})
 * @param apiKeys           accepted {@code X-API-Key} values; none means open
 * @param capacity          how much work the instance takes on: stages, queue, waiters, disk floor
 * @param allowLoopbackUrls whether video URLs may point at this machine (default false)
 * @param isolation         where merges' media work runs (default: a child process per merge, 512 MiB heap, 2 h)
 * @param outputs           how merged files are published: their mode, and whether their URLs are signed
 * @param role              what this process does: the API, merges, or both (default both); the {@code api} and
 *                          {@code worker} roles need a store that processes share, and a worker the public URL
 * @param lifecycle         how long a stop waits for running merges, how long finished tasks are kept
 * @param workDir           where merges keep their temporary files (default {@code work} in the data folder)
 * @param webhooks          how tasks' final statuses are posted to their callback URLs; empty (the default) unless a
 *                          webhook secret is set
 * @param observability     the log format and the metrics endpoint (default: text lines, /metrics open)
 */
record ServerConfig(
        String store,
        String host,
        int port,
        Path dataDir,
        Optional<URI> publicUrl,
        List<String> apiKeys,
        Capacity capacity,
        boolean allowLoopbackUrls,
        Isolation isolation,
        Outputs outputs,
        Role role,
        Lifecycle lifecycle,
        Optional<Path> workDir,
        Optional<Webhooks> webhooks,
        Observability observability) {

    /** The embedded default store. */
    static final String DEFAULT_STORE = "sqlite";

    /** How long a signed merged_url works unless set: the time finished tasks (and their files) are kept. */
    static final Duration DEFAULT_URL_VALIDITY = Duration.ofHours(24);

    /** A count and a unit: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d}; no unit means seconds. */
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)?");

    private static final List<Option> OPTIONS = List.of(
            new Option(
                    "store",
                    "VIDEOMERGE_STORE",
                    "memory | sqlite | jdbc:postgresql://... | redis://...",
                    DEFAULT_STORE),
            new Option("host", "VIDEOMERGE_HOST", "address to listen on", "0.0.0.0"),
            new Option("port", "VIDEOMERGE_PORT", "port to listen on (0: any free port)", "8080"),
            new Option(
                    "data-dir",
                    "VIDEOMERGE_DATA_DIR",
                    "folder of merged files, work files and the SQLite file",
                    "./data"),
            new Option(
                    "public-url", "VIDEOMERGE_PUBLIC_URL", "URL clients reach this server at", "http://localhost:PORT"),
            new Option("api-keys", "VIDEOMERGE_API_KEYS", "comma-separated X-API-Key values (none: open)", ""),
            new Option(
                    "merge-concurrency",
                    "VIDEOMERGE_MERGE_CONCURRENCY",
                    "merges run at once (the CPU stage)",
                    "half the processors"),
            new Option(
                    "fetch-concurrency",
                    "VIDEOMERGE_FETCH_CONCURRENCY",
                    "jobs whose inputs download at once (the I/O stage)",
                    "4"),
            new Option(
                    "fetched-queue",
                    "VIDEOMERGE_FETCHED_QUEUE",
                    "fetched jobs that may wait for a merge slot",
                    "the merge concurrency"),
            new Option(
                    "max-pending-jobs",
                    "VIDEOMERGE_MAX_PENDING_JOBS",
                    "pending tasks beyond which a submit is 429 QUEUE_FULL (0: no limit)",
                    "1000"),
            new Option(
                    "max-waiters",
                    "VIDEOMERGE_MAX_WAITERS",
                    "concurrent Prefer: wait requests; beyond, an immediate 202",
                    "1000"),
            new Option(
                    "min-free-disk",
                    "VIDEOMERGE_MIN_FREE_DISK",
                    "free space in the data dir below which /health is 503 (256m, 1g, 0: off)",
                    "256m"),
            new Option(
                    "allow-loopback-urls",
                    "VIDEOMERGE_ALLOW_LOOPBACK_URLS",
                    "let video URLs point at this machine (local demos and tests only)",
                    "false"),
            new Option(
                    "isolation",
                    "VIDEOMERGE_ISOLATION",
                    "process: each merge in a child JVM (a decoder crash fails one job) | in-process",
                    "process"),
            new Option(
                    "merge-heap", "VIDEOMERGE_MERGE_HEAP", "heap cap of a merge's child JVM (512m, 1g, ...)", "512m"),
            new Option(
                    "merge-timeout",
                    "VIDEOMERGE_MERGE_TIMEOUT",
                    "seconds a merge may run in its child before it is killed",
                    "7200"),
            new Option(
                    "upload",
                    "VIDEOMERGE_UPLOAD",
                    "where merged files go: files (DATA_DIR/files, served under /files/) | s3://bucket/prefix",
                    "files"),
            new Option(
                    "s3-endpoint",
                    "VIDEOMERGE_S3_ENDPOINT",
                    "an S3-compatible endpoint such as http://127.0.0.1:9000",
                    "AWS S3"),
            new Option("s3-region", "VIDEOMERGE_S3_REGION", "the bucket's region", "the AWS SDK's region chain"),
            new Option(
                    "s3-path-style",
                    "VIDEOMERGE_S3_PATH_STYLE",
                    "address the bucket in the path (most S3-compatible stores need it)",
                    "false"),
            new Option(
                    "s3-presign",
                    "VIDEOMERGE_S3_PRESIGN",
                    "merged_url is presigned for this long (at most 7d)",
                    "the retention, at most 7d"),
            new Option(
                    "s3-public-url",
                    "VIDEOMERGE_S3_PUBLIC_URL",
                    "merged_url is this base URL (a CDN, a public bucket) plus the key, unsigned",
                    "none: presigned"),
            new Option("file-mode", "VIDEOMERGE_FILE_MODE", "octal mode of merged files: 600, 640, 604 or 644", "600"),
            new Option(
                    "url-secret",
                    "VIDEOMERGE_URL_SECRET",
                    "sign merged_url with this secret (32+ bytes); prefer the variable or --url-secret-file",
                    "none: unsigned"),
            new Option(
                    "url-secret-file",
                    "VIDEOMERGE_URL_SECRET_FILE",
                    "file holding that secret as text (surrounding whitespace ignored)",
                    "none"),
            new Option(
                    "url-validity",
                    "VIDEOMERGE_URL_VALIDITY",
                    "how long a signed merged_url works (90m, 24h, 7d; seconds without a unit)",
                    "24h"),
            new Option(
                    "poster-at",
                    "VIDEOMERGE_POSTER_AT",
                    "instant of the merged video shown by its JPEG poster (thumbnail_url; 1500ms, 2s; 0 is the first"
                            + " frame; a shorter video gets its middle frame); off makes no posters",
                    "1s"),
            new Option(
                    "speed",
                    "VIDEOMERGE_SPEED",
                    "encoder time against file size when a request names no speed: fast | balanced | small",
                    "fast"),
            new Option(
                    "role",
                    "VIDEOMERGE_ROLE",
                    "all | api: HTTP API and /files/, no merges | worker: merges, only /health",
                    "all"),
            new Option(
                    "shutdown-grace",
                    "VIDEOMERGE_SHUTDOWN_GRACE",
                    "on stop, how long running merges may finish before they go back to the store",
                    "30s"),
            new Option(
                    "retention",
                    "VIDEOMERGE_RETENTION",
                    "how long finished tasks and their merged files are kept (at least 1m)",
                    "24h"),
            new Option(
                    "work-dir",
                    "VIDEOMERGE_WORK_DIR",
                    "folder of merges' temporary files (best on a local disk)",
                    "DATA_DIR/work"),
            new Option(
                    "webhook-secret",
                    "VIDEOMERGE_WEBHOOK_SECRET",
                    "whsec_<base64 key> signing tasks' webhooks; prefer the variable (flags show in ps)",
                    "none: no webhooks"),
            new Option(
                    "default-callback-url",
                    "VIDEOMERGE_DEFAULT_CALLBACK_URL",
                    "where tasks without callback_url post their status (needs a webhook secret)",
                    "none"),
            new Option(
                    "log-format",
                    "VIDEOMERGE_LOG_FORMAT",
                    "text | json (one JSON object per line), to standard error",
                    "text"),
            new Option("metrics", "VIDEOMERGE_METRICS", "on: Prometheus text at /metrics | off", "on"),
            new Option(
                    "metrics-token",
                    "VIDEOMERGE_METRICS_TOKEN",
                    "bearer token /metrics requires (none: open; API keys do not apply)",
                    ""));

    private record Option(String flag, String env, String help, String fallback) {}

    ServerConfig {
        requireNonNull(store, "store");
        requireNonNull(host, "host");
        requireNonNull(dataDir, "dataDir");
        requireNonNull(publicUrl, "publicUrl");
        requireNonNull(isolation, "isolation");
        requireNonNull(outputs, "outputs");
        requireNonNull(role, "role");
        requireNonNull(lifecycle, "lifecycle");
        requireNonNull(workDir, "workDir");
        requireNonNull(webhooks, "webhooks");
        requireNonNull(observability, "observability");
        apiKeys = List.copyOf(apiKeys);
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
        }
        requireNonNull(capacity, "capacity");
        if (!store.equals("memory")
                && !store.equals("sqlite")
                && !store.startsWith("jdbc:")
                && !store.startsWith("redis://")
                && !store.startsWith("rediss://")) {
            throw new IllegalArgumentException("store must be memory, sqlite, a jdbc: URL or a redis:// URI");
        }
        if (role != Role.ALL) {
            String shared = "--role " + role.flagValue()
                    + " runs beside other processes on one job store, so it needs one they share:"
                    + " --store jdbc:postgresql://... or redis://...";
            if (store.equals("memory")) {
                throw new IllegalArgumentException(shared + "; the memory store lives inside a single process");
            }
            if (store.equals("sqlite") || store.startsWith("jdbc:sqlite:")) {
                throw new IllegalArgumentException(shared + "; SQLite serves one process per file");
            }
        }
        if (role == Role.WORKER && publicUrl.isEmpty() && outputs.s3().isEmpty()) {
            throw new IllegalArgumentException("--role worker needs --public-url: the URL of the api processes,"
                    + " which serve /files/ (merged_url is built from it)");
        }
    }

    /** The usage text of {@code --help}. */
    static String usage() {
        StringBuilder text = new StringBuilder("Usage: java -jar merge-server.jar [--flag value]...\n\n");
        for (Option o : OPTIONS) {
            text.append(String.format(
                    Locale.ROOT, "  --%-21s %-32s %s (default: %s)%n", o.flag(), o.env(), o.help(), o.fallback()));
        }
        return text.append("\nFlags win over environment variables.\n").toString();
    }

    /**
     * The settings from {@code args} and {@code env}.
     *
     * @throws IllegalArgumentException naming the flag or variable that is wrong
     */
    static ServerConfig parse(String[] args, Map<String, String> env) {
        Map<String, String> flags = flags(args);
        Map<String, String> values = new HashMap<>();
        for (Option o : OPTIONS) {
            String value = flags.containsKey(o.flag()) ? flags.get(o.flag()) : env.get(o.env());
            if (value != null) {
                values.put(o.flag(), value.trim());
            }
        }
        int port = integer(values, "port", 8080);
        Optional<URI> publicUrl = Optional.ofNullable(values.get("public-url"))
                .filter(v -> !v.isEmpty())
                .map(v -> url("public-url", v));
        List<String> keys = new ArrayList<>();
        for (String key : values.getOrDefault("api-keys", "").split(",")) {
            if (!key.isBlank()) {
                keys.add(key.trim());
            }
        }
        return new ServerConfig(
                values.getOrDefault("store", DEFAULT_STORE),
                values.getOrDefault("host", "0.0.0.0"),
                port,
                Path.of(values.getOrDefault("data-dir", "./data")),
                publicUrl,
                keys,
                capacity(values),
                bool(values, "allow-loopback-urls"),
                isolation(values),
                outputs(values, lifecycle(values).retention()),
                Role.parse(values.getOrDefault("role", "all")),
                lifecycle(values),
                Optional.ofNullable(values.get("work-dir"))
                        .filter(v -> !v.isEmpty())
                        .map(Path::of),
                webhooks(values),
                observability(values));
    }

    /** A copy with other isolation settings (tests choose a crashing child this way). */
    ServerConfig withIsolation(Isolation other) {
        return new ServerConfig(
                store,
                host,
                port,
                dataDir,
                publicUrl,
                apiKeys,
                capacity,
                allowLoopbackUrls,
                other,
                outputs,
                role,
                lifecycle,
                workDir,
                webhooks,
                observability);
    }

    /**
     * How merged files are published.
     *
     * @param fileMode    the POSIX mode of merged files (default 0600: the owner's alone)
     * @param signer      signs merged_url and checks every request under {@code /files/}, when a secret is set
     * @param urlValidity how long a signed merged_url works (default 24 h)
     * @param posterAt    the instant of the merged video its poster shows (default 1 s); empty: no posters
     * @param speed       how the encoder trades time for size when a request names no speed (default fast)
     * @param s3          the bucket merged files go to instead of the files folder, when {@code --upload s3://...}
     */
    record Outputs(
            Set<PosixFilePermission> fileMode,
            Optional<UrlSigner> signer,
            Duration urlValidity,
            Optional<Duration> posterAt,
            Speed speed,
            Optional<S3> s3) {
        static final Duration DEFAULT_POSTER_AT = Duration.ofSeconds(1);

        Outputs {
            fileMode = Set.copyOf(fileMode);
            requireNonNull(speed, "speed");
            requireNonNull(signer, "signer");
            requireNonNull(urlValidity, "urlValidity");
            requireNonNull(posterAt, "posterAt");
            requireNonNull(s3, "s3");
            if (urlValidity.isNegative() || urlValidity.isZero()) {
                throw new IllegalArgumentException("url-validity must be positive: " + urlValidity);
            }
        }
    }

    /**
     * Where merged files go with {@code --upload s3://bucket/prefix}: the bucket, and how merged_url is made.
     *
     * @param bucket    the bucket
     * @param keyPrefix what keys start with: the URI's path with a trailing slash, or nothing
     * @param endpoint  an S3-compatible endpoint; none means AWS
     * @param region    the region; none means the AWS SDK's region chain (us-east-1 with an endpoint)
     * @param pathStyle whether the bucket is addressed in the path
     * @param publicUrl merged_url is this base plus the key, when set
     * @param presign   otherwise merged_url is presigned for this long
     */
    record S3(
            String bucket,
            String keyPrefix,
            Optional<URI> endpoint,
            Optional<String> region,
            boolean pathStyle,
            Optional<URI> publicUrl,
            Duration presign) {
        S3 {
            requireNonNull(bucket, "bucket");
            requireNonNull(keyPrefix, "keyPrefix");
            requireNonNull(endpoint, "endpoint");
            requireNonNull(region, "region");
            requireNonNull(publicUrl, "publicUrl");
            requireNonNull(presign, "presign");
        }
    }

    /**
     * How long things last.
     *
     * @param shutdownGrace how long a stop lets running merges finish before it hands them back to the store for
     *                      another process (default 30 s; 0 hands them back at once)
     * @param retention     how long finished tasks stay readable before they and their merged files are purged
     *                      (default 24 h, at least a minute)
     */
    record Lifecycle(Duration shutdownGrace, Duration retention) {
        static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
        static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
        static final Duration MIN_RETENTION = Duration.ofMinutes(1);

        Lifecycle {
            requireNonNull(shutdownGrace, "shutdownGrace");
            requireNonNull(retention, "retention");
            if (shutdownGrace.isNegative()) {
                throw new IllegalArgumentException("shutdown-grace must not be negative: " + shutdownGrace);
            }
            if (retention.compareTo(MIN_RETENTION) < 0) {
                throw new IllegalArgumentException("retention must be at least 1m: " + retention);
            }
        }
    }

    private static Outputs outputs(Map<String, String> values, Duration retention) {
        String mode = values.getOrDefault("file-mode", "");
        Set<PosixFilePermission> fileMode;
        try {
            fileMode = mode.isEmpty() ? FileSystemUploader.OWNER_ONLY : FileSystemUploader.parseFileMode(mode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("file-mode: " + e.getMessage(), e);
        }
        Optional<UrlSigner> signer = signer(values);
        String validity = values.getOrDefault("url-validity", "");
        if (!validity.isEmpty() && signer.isEmpty()) {
            throw new IllegalArgumentException("url-validity needs url-secret or url-secret-file");
        }
        Optional<Duration> posterAt = "off".equalsIgnoreCase(values.getOrDefault("poster-at", ""))
                ? Optional.empty()
                : Optional.of(duration(values, "poster-at", Outputs.DEFAULT_POSTER_AT));
        Optional<S3> s3 = s3(values, retention);
        if (s3.isPresent() && signer.isPresent()) {
            throw new IllegalArgumentException(
                    "url-secret signs /files/ URLs; with --upload s3://... merged_url is presigned (--s3-presign)");
        }
        return new Outputs(
                fileMode, signer, duration(values, "url-validity", DEFAULT_URL_VALIDITY), posterAt, speed(values), s3);
    }

    /** The speed of {@code --speed}, spelled as requests spell it. */
    private static Speed speed(Map<String, String> values) {
        String speed = values.getOrDefault("speed", "");
        if (speed.isEmpty()) {
            return Speed.DEFAULT;
        }
        for (Speed s : Speed.values()) {
            if (s.name().toLowerCase(Locale.ROOT).equals(speed)) {
                return s;
            }
        }
        throw new IllegalArgumentException("speed must be fast, balanced or small: " + speed);
    }

    /** The S3 target of {@code --upload s3://bucket/prefix}; the s3 flags without it are a mistake, said so. */
    private static Optional<S3> s3(Map<String, String> values, Duration retention) {
        String upload = values.getOrDefault("upload", "");
        if (upload.isEmpty() || upload.equals("files")) {
            for (String flag : List.of("s3-endpoint", "s3-region", "s3-path-style", "s3-presign", "s3-public-url")) {
                if (!values.getOrDefault(flag, "").isEmpty()) {
                    throw new IllegalArgumentException(flag + " needs --upload s3://bucket/prefix");
                }
            }
            return Optional.empty();
        }
        URI target;
        try {
            target = URI.create(upload);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("upload must be files or s3://bucket/prefix: " + upload);
        }
        if (!"s3".equals(target.getScheme())
                || target.getHost() == null
                || target.getRawQuery() != null
                || target.getRawFragment() != null) {
            throw new IllegalArgumentException("upload must be files or s3://bucket/prefix: " + upload);
        }
        String prefix = target.getPath() == null ? "" : target.getPath().replaceFirst("^/+", "");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix += "/";
        }
        Optional<URI> publicUrl = Optional.ofNullable(values.get("s3-public-url"))
                .filter(v -> !v.isEmpty())
                .map(v -> url("s3-public-url", v));
        boolean presignGiven = !values.getOrDefault("s3-presign", "").isEmpty();
        if (publicUrl.isPresent() && presignGiven) {
            throw new IllegalArgumentException("set s3-presign or s3-public-url, not both");
        }
        Duration presign = duration(values, "s3-presign", min(retention, Duration.ofDays(7)));
        if (presign.isZero() || presign.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("s3-presign must be between 1s and 7d: " + values.get("s3-presign"));
        }
        return Optional.of(new S3(
                target.getHost(),
                prefix,
                Optional.ofNullable(values.get("s3-endpoint"))
                        .filter(v -> !v.isEmpty())
                        .map(v -> url("s3-endpoint", v)),
                Optional.ofNullable(values.get("s3-region")).filter(v -> !v.isEmpty()),
                bool(values, "s3-path-style"),
                publicUrl,
                presign));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** The signer of the secret given inline or in a file; no secret's text ever goes into a message. */
    private static Optional<UrlSigner> signer(Map<String, String> values) {
        String inline = values.getOrDefault("url-secret", "");
        String file = values.getOrDefault("url-secret-file", "");
        if (!inline.isEmpty() && !file.isEmpty()) {
            throw new IllegalArgumentException("set url-secret or url-secret-file, not both");
        }
        String secret = inline;
        String name = "url-secret";
        if (!file.isEmpty()) {
            name = "url-secret-file";
            try {
                secret = new String(Files.readAllBytes(Path.of(file)), StandardCharsets.UTF_8).strip();
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("url-secret-file cannot be read: " + file);
            }
            if (secret.isEmpty()) {
                throw new IllegalArgumentException("url-secret-file is empty: " + file);
            }
        }
        if (secret.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < UrlSigner.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(name + " must be at least " + UrlSigner.MIN_SECRET_BYTES
                    + " bytes long (openssl rand -base64 48 makes one)");
        }
        return Optional.of(new UrlSigner(bytes));
    }

    private static Lifecycle lifecycle(Map<String, String> values) {
        return new Lifecycle(
                duration(values, "shutdown-grace", Lifecycle.DEFAULT_SHUTDOWN_GRACE),
                duration(values, "retention", Lifecycle.DEFAULT_RETENTION));
    }

    /** A duration such as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d}, or a number of seconds. */
    private static Duration duration(Map<String, String> values, String name, Duration fallback) {
        String value = values.get(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(name + " must be a duration such as 30s, 5m or 24h: " + value);
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    /**
     * How much work an instance takes on.
     *
     * @param mergeConcurrency merges run at once (default half the processors, at least 1)
     * @param fetchConcurrency jobs whose inputs download at once (default 4)
     * @param fetchedQueue     fetched jobs that may wait for a merge slot (default the merge concurrency)
     * @param maxPendingJobs   pending tasks beyond which a submit is refused (default 1000; 0: no limit)
     * @param maxWaiters       concurrent {@code Prefer: wait} requests (default 1000; 0: never wait)
     * @param minFreeDiskBytes free space in the data dir below which {@code /health} is 503 (default 256 MiB)
     */
    record Capacity(
            int mergeConcurrency,
            int fetchConcurrency,
            int fetchedQueue,
            long maxPendingJobs,
            int maxWaiters,
            long minFreeDiskBytes) {
        Capacity {
            range("merge-concurrency", mergeConcurrency, 1, 256);
            range("fetch-concurrency", fetchConcurrency, 1, 256);
            range("fetched-queue", fetchedQueue, 0, 256);
            range("max-pending-jobs", maxPendingJobs, 0, Long.MAX_VALUE);
            range("max-waiters", maxWaiters, 0, 100_000);
            range("min-free-disk", minFreeDiskBytes, 0, Long.MAX_VALUE);
        }

        private static void range(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ": " + value);
            }
        }
    }

    private static Capacity capacity(Map<String, String> values) {
        int merges = integer(
                values, "merge-concurrency", Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        String minFree = values.getOrDefault("min-free-disk", "");
        return new Capacity(
                merges,
                integer(values, "fetch-concurrency", 4),
                integer(values, "fetched-queue", merges),
                integer(values, "max-pending-jobs", 1000),
                integer(values, "max-waiters", 1000),
                minFree.isEmpty() ? 256L << 20 : minFree.equals("0") ? 0 : bytes("min-free-disk", minFree, 1L << 20));
    }

    /**
     * What an operator sees of the instance.
     *
     * @param logFormat    how log lines are written (default text)
     * @param metrics      whether {@code /metrics} serves the meters (default true)
     * @param metricsToken the bearer token {@code /metrics} requires; empty: none
     */
    record Observability(ServerLogging.Format logFormat, boolean metrics, Optional<String> metricsToken) {
        Observability {
            requireNonNull(logFormat, "logFormat");
            requireNonNull(metricsToken, "metricsToken");
        }
    }

    private static Observability observability(Map<String, String> values) {
        boolean metrics = switch (values.getOrDefault("metrics", "on").toLowerCase(Locale.ROOT)) {
            case "on", "true", "" -> true;
            case "off", "false" -> false;
            default -> throw new IllegalArgumentException("metrics must be on or off: " + values.get("metrics"));
        };
        return new Observability(
                ServerLogging.Format.parse(values.getOrDefault("log-format", "text")),
                metrics,
                Optional.ofNullable(values.get("metrics-token")).filter(t -> !t.isEmpty()));
    }

    private static Isolation isolation(Map<String, String> values) {
        String mode = values.getOrDefault("isolation", "process").toLowerCase(Locale.ROOT);
        Isolation isolation = switch (mode) {
            case "process", "" -> Isolation.process();
            case "in-process" -> Isolation.inProcess();
            default -> throw new IllegalArgumentException("isolation must be process or in-process: " + mode);
        };
        if (values.containsKey("merge-heap") && !values.get("merge-heap").isEmpty()) {
            isolation = isolation.withMaxHeapBytes(bytes("merge-heap", values.get("merge-heap"), 16L << 20));
        }
        int timeout = integer(values, "merge-timeout", (int) Isolation.DEFAULT_TIMEOUT.toSeconds());
        if (timeout < 1) {
            throw new IllegalArgumentException("merge-timeout must be at least 1 second: " + timeout);
        }
        return isolation.withTimeout(Duration.ofSeconds(timeout));
    }

    /**
     * Webhooks when a secret is set, with the default callback URL if one is; the secret never appears in an error.
     */
    private static Optional<Webhooks> webhooks(Map<String, String> values) {
        String secret = values.getOrDefault("webhook-secret", "");
        String fallback = values.getOrDefault("default-callback-url", "");
        if (secret.isEmpty()) {
            if (!fallback.isEmpty()) {
                throw new IllegalArgumentException("default-callback-url needs a webhook-secret to sign with");
            }
            return Optional.empty();
        }
        Webhooks webhooks;
        try {
            webhooks = Webhooks.signedWith(secret);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("webhook-secret: " + e.getMessage());
        }
        return Optional.of(
                fallback.isEmpty() ? webhooks : webhooks.withDefaultCallbackUrl(url("default-callback-url", fallback)));
    }

    /** A size such as {@code 536870912}, {@code 512m} or {@code 1g}, at least {@code min}. */
    private static long bytes(String name, String value, long min) {
        String v = value.toLowerCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("k") || v.endsWith("m") || v.endsWith("g")) {
            unit = 1L << (v.endsWith("k") ? 10 : v.endsWith("m") ? 20 : 30);
            v = v.substring(0, v.length() - 1);
        }
        long size;
        try {
            size = Math.multiplyExact(Long.parseLong(v), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(name + " must be a size such as 512m or 1g: " + value);
        }
        if (size < min) {
            throw new IllegalArgumentException(name + " must be at least " + (min >> 20) + "m: " + value);
        }
        return size;
    }

    private static Map<String, String> flags(String[] args) {
        Map<String, String> flags = new HashMap<>();
        List<String> known = OPTIONS.stream().map(Option::flag).toList();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + arg + " (flags start with --)");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!known.contains(name)) {
                throw new IllegalArgumentException(
                        "unknown flag --" + name + "; known: --" + String.join(", --", known));
            }
            if (value == null) {
                boolean takesValue = !name.equals("allow-loopback-urls") && !name.equals("s3-path-style");
                if (takesValue
                        || (i + 1 < args.length
                                && Arrays.asList("true", "false").contains(args[i + 1]))) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--" + name + " needs a value");
                    }
                    value = args[++i];
                } else {
                    value = "true";
                }
            }
            flags.put(name, value);
        }
        return flags;
    }

    private static int integer(Map<String, String> values, String name, int fallback) {
        String value = values.get(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number: " + value);
        }
    }

    private static boolean bool(Map<String, String> values, String name) {
        String value = values.getOrDefault(name, "false").toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no", "" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false: " + value);
        };
    }

    private static URI url(String name, String value) {
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " is not a URL: " + value);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException(name + " must be an http(s) URL: " + value);
        }
        return uri;
    }

    /** The public URL, or {@code http://localhost:port} once the real port is known. */
    URI publicUrl(int boundPort) {
        return publicUrl.orElseGet(() -> URI.create("http://localhost:" + boundPort));
    }
}
