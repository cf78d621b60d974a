package io.videomerge.upload;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs URLs so that they work until an expiry, and checks them: {@code ?expires=<epoch seconds>&signature=<s>}
 * where {@code s} is the unpadded base64url HMAC-SHA256, under a secret, of the URL's raw path, a newline and the
 * expiry as written. Whoever knows the secret can sign and check; nobody else can make a URL that checks, nor
 * change the path or the expiry of one.
 *
 * <p>Checking compares signatures in constant time, and reads an expiry only once the signature holds, so
 * {@link Verdict#EXPIRED} is never the answer to a forged URL. Thread-safe.
 */
public final class UrlSigner {
    /** The shortest secret accepted, in bytes (as long as the HMAC-SHA256 output). */
    public static final int MIN_SECRET_BYTES = 32;

    /** The query parameter holding the expiry, in seconds since the epoch. */
    public static final String EXPIRES = "expires";

    /** The query parameter holding the signature. */
    public static final String SIGNATURE = "signature";

    private static final String ALGORITHM = "HmacSHA256";
    private static final Pattern EPOCH_SECONDS = Pattern.compile("0|[1-9][0-9]{0,17}");
    private static final Pattern BASE64URL_SHA256 = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final Pattern AMPERSAND = Pattern.compile("&");

    private final SecretKeySpec key;
    private final Clock clock;

    /** What {@link #verify} found. */
    public enum Verdict {
        /** The signature holds and the expiry is ahead. */
        VALID,
        /** The signature holds but the expiry has passed. */
        EXPIRED,
        /** No signature, a malformed one, or one that does not match the path and expiry. */
        INVALID
    }

    /**
     * A signer on the system clock.
     *
     * @param secret at least {@value #MIN_SECRET_BYTES} bytes, copied
     * @throws IllegalArgumentException when the secret is shorter
     */
    public UrlSigner(byte[] secret) {
        this(secret, Clock.systemUTC());
    }

    /**
     * A signer that reads the time from {@code clock}, to sign expiries relative to now and to check them.
     *
     * @param secret at least {@value #MIN_SECRET_BYTES} bytes, copied
     * @param clock  the time expiries are counted from and checked against
     * @throws IllegalArgumentException when the secret is shorter
     */
    public UrlSigner(byte[] secret, Clock clock) {
        requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the secret must be at least " + MIN_SECRET_BYTES + " bytes long");
        }
        this.key = new SecretKeySpec(secret, ALGORITHM);
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * {@code url} with an expiry {@code validity} from now and its signature appended as the query.
     *
     * @param url      an absolute URL with a path and no query
     * @param validity how long from now the signed URL works
     * @return the signed URL
     * @throws IllegalArgumentException when {@code url} has a query or a fragment, or no path, or the validity is
     *                                  not positive
     */
    public URI sign(URI url, Duration validity) {
        requireNonNull(validity, "validity");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive: " + validity);
        }
        return sign(url, clock.instant().plus(validity));
    }

    /**
     * {@code url} with {@code expires} (to the second) and its signature appended as the query.
     *
     * @param url     an absolute URL with a path and no query
     * @param expires when the signed URL stops working
     * @return the signed URL
     * @throws IllegalArgumentException when {@code url} has a query or a fragment, or no path, or the expiry is
     *                                  before the epoch
     */
    public URI sign(URI url, Instant expires) {
        requireNonNull(url, "url");
        requireNonNull(expires, "expires");
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("a URL to sign has no query and no fragment");
        }
        String path = url.getRawPath();
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("a URL to sign has a path");
        }
        if (expires.getEpochSecond() < 0) {
            throw new IllegalArgumentException("expires is before the epoch: " + expires);
        }
        String seconds = Long.toString(expires.getEpochSecond());
        return URI.create(url + "?" + EXPIRES + "=" + seconds + "&" + SIGNATURE + "=" + signature(path, seconds));
    }

    /**
     * Checks a URL as {@link #verify(String, String)} checks its raw path and raw query.
     *
     * @param url a URL as requested
     * @return whether its signature holds and has not expired
     */
    public Verdict verify(URI url) {
        requireNonNull(url, "url");
        return verify(url.getRawPath() == null ? "" : url.getRawPath(), url.getRawQuery());
    }

    /**
     * Checks a request: the query must hold {@code expires} and {@code signature} once each and nothing else, and
     * the signature must be the one of {@code rawPath} and that expiry.
     *
     * @param rawPath  the path as signed (percent-encoded as in the URL)
     * @param rawQuery the query as sent, without {@code ?}; {@code null} when there is none
     * @return {@link Verdict#VALID}, {@link Verdict#EXPIRED} for a genuine signature past its expiry, else
     *     {@link Verdict#INVALID}
     */
    public Verdict verify(String rawPath, String rawQuery) {
        requireNonNull(rawPath, "rawPath");
        if (rawQuery == null) {
            return Verdict.INVALID;
        }
        String expires = null;
        String signature = null;
        for (String parameter : AMPERSAND.split(rawQuery, -1)) {
            int eq = parameter.indexOf('=');
            String name = eq < 0 ? parameter : parameter.substring(0, eq);
            String value = eq < 0 ? null : parameter.substring(eq + 1);
            if (name.equals(EXPIRES) && expires == null) {
                expires = value;
            } else if (name.equals(SIGNATURE) && signature == null) {
                signature = value;
            } else {
                return Verdict.INVALID; // unknown or repeated: one URL, one reading
            }
        }
        if (expires == null
                || signature == null
                || !EPOCH_SECONDS.matcher(expires).matches()
                || !BASE64URL_SHA256.matcher(signature).matches()) {
            return Verdict.INVALID;
        }
        byte[] expected = signature(rawPath, expires).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
            return Verdict.INVALID;
        }
        return clock.instant().getEpochSecond() < Long.parseLong(expires) ? Verdict.VALID : Verdict.EXPIRED;
    }

    private String signature(String rawPath, String expires) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            byte[] digest = mac.doFinal((rawPath + "\n" + expires).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "UrlSigner[HmacSHA256]";
    }
}
