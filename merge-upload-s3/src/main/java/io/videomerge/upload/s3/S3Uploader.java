package io.videomerge.upload.s3;

import static java.util.Objects.requireNonNull;

import io.videomerge.spi.Uploader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Publishes merged files to Amazon S3 or an S3-compatible store and returns either a URL under a public base (a CDN
 * or a public bucket) or a presigned GET URL that expires.
 *
 * <p>Files from {@link #multipartThreshold} bytes on go up in parts (S3's own multipart upload, aborted when it
 * fails); every request is retried on throttling, 5xx answers and I/O errors up to {@link Builder#maxAttempts}
 * attempts in all. The uploader holds an S3 client: {@link #close()} it when the service that uses it has closed.
 * Instances are thread-safe.
 */
public final class S3Uploader implements Uploader, AutoCloseable {
    /** The Content-Type of merged videos ({@code .mp4}). */
    public static final String CONTENT_TYPE = "video/mp4";

    /** The Content-Type of posters ({@code .jpg}). */
    public static final String POSTER_CONTENT_TYPE = "image/jpeg";

    /** Files from this size on go up in parts unless set otherwise: 16 MiB. */
    public static final long DEFAULT_MULTIPART_THRESHOLD = 16L << 20;

    /** The size of each part unless set otherwise: 8 MiB. */
    public static final long DEFAULT_PART_SIZE = 8L << 20;

    /** Attempts of each request (the first and its retries) unless set otherwise. */
    public static final int DEFAULT_MAX_ATTEMPTS = 4;

    /** The longest a presigned URL can work: SigV4 signs for at most seven days. */
    public static final Duration MAX_PRESIGN = Duration.ofDays(7);

    /** S3's smallest part (every part but the last), and its most parts per upload. */
    static final long MIN_PART_SIZE = 5L << 20;

    static final int MAX_PARTS = 10_000;

    private static final Pattern NAME = Pattern.compile("[a-z0-9-]+\\.(mp4|jpg)");
    private static final Pattern PREFIX = Pattern.compile("([A-Za-z0-9._-]+/)*[A-Za-z0-9._-]*");

    private final S3Client s3;
    private final Optional<S3Presigner> presigner;
    private final String bucket;
    private final String keyPrefix;
    private final Optional<URI> publicBaseUrl;
    private final Duration presignFor;
    private final long multipartThreshold;
    private final long partSize;

    private S3Uploader(Builder b, S3Client s3, Optional<S3Presigner> presigner) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = b.bucket;
        this.keyPrefix = b.keyPrefix;
        this.publicBaseUrl = b.publicBaseUrl;
        this.presignFor = b.presign;
        this.multipartThreshold = b.multipartThreshold;
        this.partSize = b.partSize;
    }

    /**
     * A builder; {@link Builder#bucket} and one of {@link Builder#publicBaseUrl} and {@link Builder#presign} are needed.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Stores {@code file} as the object {@code keyPrefix + name} with Content-Type {@code video/mp4}, or
     * {@code image/jpeg} for a poster ({@code .jpg}).
     *
     * @throws IOException when the file cannot be read, or S3 refused it or could not be reached after every
     *     attempt; the message names the object and the reason (an HTTP status and S3 error code, or the I/O
     *     failure), never a credential or a signed URL
     */
    @Override
    public URI upload(Path file, String name) throws IOException {
        requireNonNull(file, "file");
        String key = key(name);
        String type = name.endsWith(".jpg") ? POSTER_CONTENT_TYPE : CONTENT_TYPE;
        long size = Files.size(file);
        try {
            if (size < multipartThreshold) {
                s3.putObject(
                        r -> r.bucket(bucket).key(key).contentType(type).contentLength(size),
                        RequestBody.fromFile(file));
            } else {
                uploadInParts(file, key, type, size);
            }
        } catch (SdkException e) {
            throw new IOException("could not store s3://" + bucket + "/" + key + ": " + reason(e), e);
        }
        return url(key);
    }

    /**
     * One multipart upload with parts read one at a time into memory, so that the SDK can send a part again
     * when it retries; any failure aborts the upload, so that no parts are left behind to be billed.
     */
    private void uploadInParts(Path file, String key, String type, long size) throws IOException {
        long part = Math.max(partSize, (size + MAX_PARTS - 1) / MAX_PARTS);
        String uploadId = s3.createMultipartUpload(
                        r -> r.bucket(bucket).key(key).contentType(type))
                .uploadId();
        try (InputStream in = Files.newInputStream(file)) {
            List<CompletedPart> parts = new ArrayList<>();
            byte[] buffer = new byte[(int) Math.min(part, size)];
            for (int number = 1; ; number++) {
                int length = in.readNBytes(buffer, 0, buffer.length);
                if (length == 0) {
                    break;
                }
                int partNumber = number;
                String eTag = s3.uploadPart(
                                r -> r.bucket(bucket)
                                        .key(key)
                                        .uploadId(uploadId)
                                        .partNumber(partNumber)
                                        .contentLength((long) length),
                                RequestBody.fromBytes(length == buffer.length ? buffer : copyOf(buffer, length)))
                        .eTag();
                parts.add(CompletedPart.builder()
                        .partNumber(partNumber)
                        .eTag(eTag)
                        .build());
            }
            s3.completeMultipartUpload(
                    r -> r.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
        } catch (IOException | RuntimeException e) {
            try {
                s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
            } catch (RuntimeException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        }
    }

    private static byte[] copyOf(byte[] buffer, int length) {
        byte[] copy = new byte[length];
        System.arraycopy(buffer, 0, copy, 0, length);
        return copy;
    }

    /**
     * Deletes the object behind a URL this uploader returned (same bucket, prefix and URL form); other URLs are left
     * alone.
     *
     * @return whether an object was there and is deleted now
     * @throws IOException when S3 refused or could not be reached; the message carries no signed URL
     */
    @Override
    public boolean delete(URI url) throws IOException {
        Optional<String> key = keyOf(url);
        if (key.isEmpty()) {
            return false;
        }
        try {
            try {
                s3.headObject(r -> r.bucket(bucket).key(key.get()));
            } catch (NoSuchKeyException e) {
                return false;
            } catch (AwsServiceException e) {
                if (e.statusCode() == 404) {
                    return false;
                }
                throw e;
            }
            s3.deleteObject(r -> r.bucket(bucket).key(key.get()));
            return true;
        } catch (SdkException e) {
            throw new IOException("could not delete s3://" + bucket + "/" + key.get() + ": " + reason(e), e);
        }
    }

    /** The key of a URL this uploader made: its last path segment is a name, and the name's URL is the URL. */
    Optional<String> keyOf(URI url) {
        String path = url.getRawPath();
        if (path == null || url.getScheme() == null) {
            return Optional.empty();
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (!NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        String key = keyPrefix + name;
        URI bare;
        try {
            bare = new URI(url.getScheme(), url.getRawAuthority(), path, null, null);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        return objectUrl(key).toString().equals(bare.toString()) ? Optional.of(key) : Optional.empty();
    }

    private String key(String name) {
        requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a merged file's name: " + name);
        }
        return keyPrefix + name;
    }

    private URI url(String key) throws IOException {
        if (publicBaseUrl.isPresent()) {
            return objectUrl(key);
        }
        try {
            return presigner
                    .orElseThrow()
                    .presignGetObject(p -> p.signatureDuration(presignFor)
                            .getObjectRequest(r -> r.bucket(bucket).key(key)))
                    .url()
                    .toURI();
        } catch (SdkException | URISyntaxException e) {
            throw new IOException(
                    "could not presign s3://" + bucket + "/" + key + ": "
                            + e.getClass().getSimpleName(),
                    e);
        }
    }

    /** The object's URL without a signature: under the public base, or S3's own URL of it. */
    private URI objectUrl(String key) {
        if (publicBaseUrl.isPresent()) {
            String base = publicBaseUrl.get().toString();
            return URI.create(base + (base.endsWith("/") ? "" : "/") + key);
        }
        try {
            return s3.utilities().getUrl(r -> r.bucket(bucket).key(key)).toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Why a request failed, in words safe for a job's log: the HTTP status and S3's error code and message, or the
     * SDK's account of an I/O failure; with how many attempts were made. No header, credential or URL goes in.
     */
    static String reason(SdkException e) {
        StringBuilder reason = new StringBuilder();
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            reason.append("HTTP ").append(service.statusCode());
            String code = service.awsErrorDetails().errorCode();
            if (code != null && !code.isEmpty()) {
                reason.append(' ').append(code);
            }
            String message = service.awsErrorDetails().errorMessage();
            if (message != null && !message.isEmpty()) {
                reason.append(" (").append(message).append(')');
            }
        } else {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            // The SDK appends retry bookkeeping after a newline or in "(SDK Attempt Count: n)"; the count is given
            // below.
            int cut = message.indexOf(" (SDK Attempt Count");
            reason.append(
                    cut >= 0
                            ? message.substring(0, cut)
                            : message.lines().findFirst().orElse(message));
        }
        Integer attempts = e.numAttempts();
        if (attempts != null && attempts > 0) {
            reason.append(attempts == 1 ? ", after 1 attempt" : ", after " + attempts + " attempts");
        }
        return reason.toString();
    }

    /** Closes the S3 client and the presigner; uploads under way fail. */
    @Override
    public void close() {
        try {
            s3.close();
        } finally {
            presigner.ifPresent(S3Presigner::close);
        }
    }

    /**
     * The bucket objects go to.
     *
     * @return the bucket name
     */
    public String bucket() {
        return bucket;
    }

    /**
     * What every key starts with ({@code ""} for none).
     *
     * @return the key prefix, {@code ""} for none
     */
    public String keyPrefix() {
        return keyPrefix;
    }

    /**
     * Files from this many bytes on go up in parts.
     *
     * @return the multipart threshold in bytes
     */
    public long multipartThreshold() {
        return multipartThreshold;
    }

    /** Settings of an {@link S3Uploader}. */
    public static final class Builder {
        private String bucket;
        private String keyPrefix = "";
        private Optional<String> region = Optional.empty();
        private Optional<URI> endpoint = Optional.empty();
        private boolean pathStyle;
        private Optional<AwsCredentialsProvider> credentials = Optional.empty();
        private Optional<URI> publicBaseUrl = Optional.empty();
        private Duration presign;
        private long multipartThreshold = DEFAULT_MULTIPART_THRESHOLD;
        private long partSize = DEFAULT_PART_SIZE;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;

        private Builder() {}

        /**
         * The bucket; it must exist.
         *
         * @param bucket the bucket name
         * @return this builder
         */
        public Builder bucket(String bucket) {
            this.bucket = requireNonNull(bucket, "bucket");
            return this;
        }

        /**
         * What every key starts with, such as {@code merged/} ({@code [A-Za-z0-9._-]} segments, each ending in
         * {@code /} but perhaps the last); default none.
         *
         * @param keyPrefix the prefix, {@code ""} for none
         * @return this builder
         */
        public Builder keyPrefix(String keyPrefix) {
            requireNonNull(keyPrefix, "keyPrefix");
            if (!PREFIX.matcher(keyPrefix).matches()) {
                throw new IllegalArgumentException(
                        "keyPrefix must be segments of letters, digits, '.', '_' and '-' joined by '/': " + keyPrefix);
            }
            this.keyPrefix = keyPrefix;
            return this;
        }

        /**
         * The region, such as {@code eu-west-1}; default the SDK's region chain, or {@code us-east-1} with an endpoint override.
         *
         * @param region the region name
         * @return this builder
         */
        public Builder region(String region) {
            this.region = Optional.of(requireNonNull(region, "region"));
            return this;
        }

        /**
         * Another S3-compatible endpoint, such as {@code http://127.0.0.1:9000}; default AWS's own.
         *
         * @param endpoint the endpoint's base URL
         * @return this builder
         */
        public Builder endpointOverride(URI endpoint) {
            this.endpoint = Optional.of(requireNonNull(endpoint, "endpoint"));
            return this;
        }

        /**
         * Whether URLs name the bucket in the path ({@code host/bucket/key}) rather than the host; default false.
         *
         * @param pathStyle true for path-style URLs
         * @return this builder
         */
        public Builder pathStyleAccess(boolean pathStyle) {
            this.pathStyle = pathStyle;
            return this;
        }

        /**
         * Where credentials come from; default the SDK's default chain (environment, profile, instance role...).
         *
         * @param credentials the credentials provider
         * @return this builder
         */
        public Builder credentialsProvider(AwsCredentialsProvider credentials) {
            this.credentials = Optional.of(requireNonNull(credentials, "credentials"));
            return this;
        }

        /**
         * merged_url is this base plus the key, for a CDN or a public bucket in front of the objects.
         *
         * @param publicBaseUrl an http(s) URL without query or fragment
         * @return this builder
         */
        public Builder publicBaseUrl(URI publicBaseUrl) {
            requireNonNull(publicBaseUrl, "publicBaseUrl");
            if (!"https".equals(publicBaseUrl.getScheme()) && !"http".equals(publicBaseUrl.getScheme())) {
                throw new IllegalArgumentException("publicBaseUrl must be an http(s) URL: " + publicBaseUrl);
            }
            if (publicBaseUrl.getRawQuery() != null || publicBaseUrl.getRawFragment() != null) {
                throw new IllegalArgumentException("publicBaseUrl must have no query or fragment");
            }
            this.publicBaseUrl = Optional.of(publicBaseUrl);
            return this;
        }

        /**
         * merged_url is a presigned GET URL that works for {@code validity} (at most seven days).
         *
         * @param validity how long a merged_url works
         * @return this builder
         */
        public Builder presign(Duration validity) {
            requireNonNull(validity, "validity");
            if (validity.isNegative() || validity.isZero() || validity.compareTo(MAX_PRESIGN) > 0) {
                throw new IllegalArgumentException("presign validity must be positive and at most 7 days: " + validity);
            }
            this.presign = validity;
            return this;
        }

        /**
         * Files from this many bytes on go up in parts; default 16 MiB, at least 5 MiB.
         *
         * @param bytes a size in bytes
         * @return this builder
         */
        public Builder multipartThreshold(long bytes) {
            if (bytes < MIN_PART_SIZE) {
                throw new IllegalArgumentException("multipartThreshold must be at least 5 MiB: " + bytes);
            }
            this.multipartThreshold = bytes;
            return this;
        }

        /**
         * The size of each part (grown when a file would need more than 10,000); default 8 MiB, 5 MiB to 1 GiB.
         *
         * @param bytes a size in bytes
         * @return this builder
         */
        public Builder partSize(long bytes) {
            if (bytes < MIN_PART_SIZE || bytes > (1L << 30)) {
                throw new IllegalArgumentException("partSize must be between 5 MiB and 1 GiB: " + bytes);
            }
            this.partSize = bytes;
            return this;
        }

        /**
         * Attempts of each request, the first included: throttling, 5xx and I/O errors are tried again; default 4.
         *
         * @param maxAttempts 1 to 20
         * @return this builder
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > 20) {
                throw new IllegalArgumentException("maxAttempts must be between 1 and 20: " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * The uploader, with its S3 client.
         *
         * @return the uploader, which the caller closes
         * @throws IllegalStateException without a bucket, or without exactly one of publicBaseUrl and presign
         */
        public S3Uploader build() {
            if (bucket == null || bucket.isEmpty()) {
                throw new IllegalStateException("an S3Uploader needs a bucket");
            }
            if (publicBaseUrl.isPresent() == (presign != null)) {
                throw new IllegalStateException("set one of publicBaseUrl (a CDN or public bucket) and presign");
            }
            S3Configuration service =
                    S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build();
            // An S3-compatible store mostly ignores the region, but SigV4 signs one: us-east-1 unless given.
            Optional<Region> chosen = region.map(Region::of).or(() -> endpoint.map(e -> Region.US_EAST_1));
            S3ClientBuilder client = S3Client.builder()
                    .serviceConfiguration(service)
                    .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(maxAttempts)));
            chosen.ifPresent(client::region);
            endpoint.ifPresent(client::endpointOverride);
            credentials.ifPresent(client::credentialsProvider);
            S3Client s3 = client.build();
            try {
                Optional<S3Presigner> presigner = Optional.empty();
                if (presign != null) {
                    S3Presigner.Builder p = S3Presigner.builder().serviceConfiguration(service);
                    chosen.ifPresent(p::region);
                    endpoint.ifPresent(p::endpointOverride);
                    credentials.ifPresent(p::credentialsProvider);
                    presigner = Optional.of(p.build());
                }
                return new S3Uploader(this, s3, presigner);
            } catch (RuntimeException e) {
                s3.close();
                throw e;
            }
        }
    }
}
