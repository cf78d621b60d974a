package io.videomerge;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Set;

/**
 * Every limit videomerge enforces on untrusted input, with safe defaults ({@link #defaults()}).
 * Build a variant with {@link #toBuilder()}.
 *
 * @param minClips             fewest URLs a request may list (default 2)
 * @param maxClips             most URLs a request may list (default 10)
 * @param maxTotalDuration     longest total input, counted on the lengths proven at probe (default 7200 s)
 * @param maxBytesPerFile      byte cap of one download, counted on bytes written (default 1 GiB)
 * @param maxBytesPerJob       byte cap of all downloads of one job (default 4 GiB)
 * @param connectTimeout       TCP and TLS connect timeout of one download (default 10 s)
 * @param readTimeout          longest silence while reading a response (default 30 s)
 * @param downloadTimeout      overall deadline of one download, redirects included (default 10 min)
 * @param maxRedirects         redirects followed per URL, each hop checked again (default 5)
 * @param maxPixels            most pixels per decoded frame (default 4096x4096)
 * @param maxStreams           most streams an input may have (default 16)
 * @param probeSizeBytes       bytes libavformat may read to find the streams (default 5 MB)
 * @param analyzeDuration      media time libavformat may read to find the streams (default 10 s)
 * @param allowedContainers    libavformat demuxer names an input may be opened with
 * @param allowedDecoders      libavcodec decoder names an input stream may be decoded with
 * @param allowLoopbackUrls    whether URLs may point at 127.0.0.0/8 and ::1 (default false; for local
 *                             development and tests only; private, link-local and metadata ranges stay
 *                             forbidden whatever this says)
 * @param maxUndecodableShare  share of a stream's packets that may fail to decode before the input is refused
 *                             as partly undecodable (default 0.02); below it, a bad packet is skipped and
 *                             counted, and a stream always may lose one
 * @param minDownloadBytesPerSecond  the slowest a download may be, averaged over {@code lowSpeedWindow}; a slower
 *                             one fails {@link ErrorCode#DOWNLOAD_TIMEOUT} (default 64 KiB/s; 0 turns the floor off)
 * @param lowSpeedWindow       the span the download speed floor is averaged over (default 30 s)
 * @param maxDecodedPixelRate  most decoded pixels per second of one input, width × height × frame rate, checked at
 *                             probe (default 4096 × 2304 at 60 fps: a phone's 4K60)
 * @param maxDecodedPixelsPerJob most decoded pixels of all inputs of a job together, width × height × frames,
 *                             checked at probe (default two hours of 1080p at 30 fps)
 * @param processingTimePerOutputSecond  the processing deadline a job earns per second of output; exceeding
 *                             the deadline fails {@link ErrorCode#PROCESSING_TIMEOUT} for good (default 5 s)
 * @param minProcessingTime    the processing deadline of a job whose output is short (default 2 min)
 */
public record Limits(
        int minClips,
        int maxClips,
        Duration maxTotalDuration,
        long maxBytesPerFile,
        long maxBytesPerJob,
        Duration connectTimeout,
        Duration readTimeout,
        Duration downloadTimeout,
        int maxRedirects,
        long maxPixels,
        int maxStreams,
        long probeSizeBytes,
        Duration analyzeDuration,
        Set<String> allowedContainers,
        Set<String> allowedDecoders,
        boolean allowLoopbackUrls,
        double maxUndecodableShare,
        long minDownloadBytesPerSecond,
        Duration lowSpeedWindow,
        long maxDecodedPixelRate,
        long maxDecodedPixelsPerJob,
        Duration processingTimePerOutputSecond,
        Duration minProcessingTime) {

    /** mov/mp4 and its kin, Matroska/WebM: what phones, cameras, screen recorders and browsers write. */
    public static final Set<String> DEFAULT_CONTAINERS = Set.of("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm");

    /**
     * The video and audio decoders of those sources. AV1 has three names: {@code libdav1d} and {@code libaom-av1}
     * decode it in software (the bundled natives carry libaom, which {@code avcodec_find_decoder} picks for AV1),
     * {@code av1} is FFmpeg's own decoder, which only drives hardware decoding.
     */
    public static final Set<String> DEFAULT_DECODERS = Set.of(
            "h264",
            "hevc",
            "vp8",
            "vp9",
            "av1",
            "libdav1d",
            "libaom-av1",
            "mpeg4",
            "prores",
            "aac",
            "mp3float",
            "mp3",
            "opus",
            "libopus",
            "vorbis",
            "flac",
            "alac",
            "ac3",
            "eac3",
            "pcm_s16le",
            "pcm_s16be",
            "pcm_s24le",
            "pcm_f32le");

    /**
     * Checks every limit.
     *
     * @param minClips             fewest URLs a request may list (default 2)
     * @param maxClips             most URLs a request may list (default 10)
     * @param maxTotalDuration     longest total input, counted on the lengths proven at probe (default 7200 s)
     * @param maxBytesPerFile      byte cap of one download, counted on bytes written (default 1 GiB)
     * @param maxBytesPerJob       byte cap of all downloads of one job (default 4 GiB)
     * @param connectTimeout       TCP and TLS connect timeout of one download (default 10 s)
     * @param readTimeout          longest silence while reading a response (default 30 s)
     * @param downloadTimeout      overall deadline of one download, redirects included (default 10 min)
     * @param maxRedirects         redirects followed per URL, each hop checked again (default 5)
     * @param maxPixels            most pixels per decoded frame (default 4096x4096)
     * @param maxStreams           most streams an input may have (default 16)
     * @param probeSizeBytes       bytes libavformat may read to find the streams (default 5 MB)
     * @param analyzeDuration      media time libavformat may read to find the streams (default 10 s)
     * @param allowedContainers    libavformat demuxer names an input may be opened with
     * @param allowedDecoders      libavcodec decoder names an input stream may be decoded with
     * @param allowLoopbackUrls    whether URLs may point at 127.0.0.0/8 and ::1 (default false; for local
     *     development and tests only; private, link-local and metadata ranges stay
     *     forbidden whatever this says)
     * @param maxUndecodableShare  share of a stream's packets that may fail to decode before the input is refused
     *     as partly undecodable (default 0.02); below it, a bad packet is skipped and
     *     counted, and a stream always may lose one
     * @param minDownloadBytesPerSecond  the slowest a download may be, averaged over {@code lowSpeedWindow}; a slower
     *     one fails {@link ErrorCode#DOWNLOAD_TIMEOUT} (default 64 KiB/s; 0 turns the floor off)
     * @param lowSpeedWindow       the span the download speed floor is averaged over (default 30 s)
     * @param maxDecodedPixelRate  most decoded pixels per second of one input, width × height × frame rate, checked at
     *     probe (default 4096 × 2304 at 60 fps: a phone's 4K60)
     * @param maxDecodedPixelsPerJob most decoded pixels of all inputs of a job together, width × height × frames,
     *     checked at probe (default two hours of 1080p at 30 fps)
     * @param processingTimePerOutputSecond  the processing deadline a job earns per second of output; exceeding
     *     the deadline fails {@link ErrorCode#PROCESSING_TIMEOUT} for good (default 5 s)
     * @param minProcessingTime    the processing deadline of a job whose output is short (default 2 min)
     * @throws IllegalArgumentException when a count, size or duration is not positive, {@code maxClips} is below
     *     {@code minClips}, {@code maxBytesPerJob} below {@code maxBytesPerFile}, {@code maxRedirects} or
     *     {@code minDownloadBytesPerSecond} negative, or {@code maxUndecodableShare} outside [0, 1)
     * @throws NullPointerException when a duration or a name set is null
     */
    public Limits {
        positive(minClips, "minClips");
        if (maxClips < minClips) {
            throw new IllegalArgumentException("maxClips must be >= minClips");
        }
        positive(maxTotalDuration, "maxTotalDuration");
        positive(maxBytesPerFile, "maxBytesPerFile");
        if (maxBytesPerJob < maxBytesPerFile) {
            throw new IllegalArgumentException("maxBytesPerJob must be >= maxBytesPerFile");
        }
        positive(connectTimeout, "connectTimeout");
        positive(readTimeout, "readTimeout");
        positive(downloadTimeout, "downloadTimeout");
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must be >= 0");
        }
        positive(maxPixels, "maxPixels");
        positive(maxStreams, "maxStreams");
        positive(probeSizeBytes, "probeSizeBytes");
        positive(analyzeDuration, "analyzeDuration");
        allowedContainers = Set.copyOf(requireNonNull(allowedContainers, "allowedContainers"));
        allowedDecoders = Set.copyOf(requireNonNull(allowedDecoders, "allowedDecoders"));
        if (!(maxUndecodableShare >= 0 && maxUndecodableShare < 1)) {
            throw new IllegalArgumentException("maxUndecodableShare must be in [0, 1): " + maxUndecodableShare);
        }
        if (minDownloadBytesPerSecond < 0) {
            throw new IllegalArgumentException("minDownloadBytesPerSecond must be >= 0: " + minDownloadBytesPerSecond);
        }
        positive(lowSpeedWindow, "lowSpeedWindow");
        positive(maxDecodedPixelRate, "maxDecodedPixelRate");
        positive(maxDecodedPixelsPerJob, "maxDecodedPixelsPerJob");
        positive(processingTimePerOutputSecond, "processingTimePerOutputSecond");
        positive(minProcessingTime, "minProcessingTime");
    }

    /**
     * The processing deadline of a job whose output lasts {@code outputSeconds}: {@link #processingTimePerOutputSecond}
     * for each second of output, and at least {@link #minProcessingTime}.
     *
     * @param outputSeconds the length of the merged output in seconds, as the plan computes it
     * @return the time the merge's media step may take
     */
    public Duration processingDeadline(double outputSeconds) {
        double nanos = Math.max(0, outputSeconds) * processingTimePerOutputSecond.toNanos();
        Duration earned = nanos >= Long.MAX_VALUE ? Duration.ofNanos(Long.MAX_VALUE) : Duration.ofNanos((long) nanos);
        return earned.compareTo(minProcessingTime) > 0 ? earned : minProcessingTime;
    }

    /** {@return the safe defaults documented on each component} */
    public static Limits defaults() {
        return new Builder().build();
    }

    /** {@return a builder starting from the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder starting from these limits} */
    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0: " + value);
        }
    }

    private static void positive(Duration value, String name) {
        requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0: " + value);
        }
    }

    /** A mutable builder of {@link Limits}, starting from the defaults. */
    public static final class Builder {
        private int minClips = 2;
        private int maxClips = 10;
        private Duration maxTotalDuration = Duration.ofSeconds(7200);
        private long maxBytesPerFile = 1L << 30;
        private long maxBytesPerJob = 4L << 30;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration downloadTimeout = Duration.ofMinutes(10);
        private int maxRedirects = 5;
        private long maxPixels = 4096L * 4096L;
        private int maxStreams = 16;
        private long probeSizeBytes = 5_000_000L;
        private Duration analyzeDuration = Duration.ofSeconds(10);
        private Set<String> allowedContainers = DEFAULT_CONTAINERS;
        private Set<String> allowedDecoders = DEFAULT_DECODERS;
        private boolean allowLoopbackUrls;
        private double maxUndecodableShare = 0.02;
        private long minDownloadBytesPerSecond = 64 * 1024;
        private Duration lowSpeedWindow = Duration.ofSeconds(30);
        private long maxDecodedPixelRate = 4096L * 2304L * 60L;
        private long maxDecodedPixelsPerJob = 1920L * 1080L * 30L * 7200L;
        private Duration processingTimePerOutputSecond = Duration.ofSeconds(5);
        private Duration minProcessingTime = Duration.ofMinutes(2);

        private Builder() {}

        private Builder(Limits l) {
            minClips = l.minClips;
            maxClips = l.maxClips;
            maxTotalDuration = l.maxTotalDuration;
            maxBytesPerFile = l.maxBytesPerFile;
            maxBytesPerJob = l.maxBytesPerJob;
            connectTimeout = l.connectTimeout;
            readTimeout = l.readTimeout;
            downloadTimeout = l.downloadTimeout;
            maxRedirects = l.maxRedirects;
            maxPixels = l.maxPixels;
            maxStreams = l.maxStreams;
            probeSizeBytes = l.probeSizeBytes;
            analyzeDuration = l.analyzeDuration;
            allowedContainers = l.allowedContainers;
            allowedDecoders = l.allowedDecoders;
            allowLoopbackUrls = l.allowLoopbackUrls;
            maxUndecodableShare = l.maxUndecodableShare;
            minDownloadBytesPerSecond = l.minDownloadBytesPerSecond;
            lowSpeedWindow = l.lowSpeedWindow;
            maxDecodedPixelRate = l.maxDecodedPixelRate;
            maxDecodedPixelsPerJob = l.maxDecodedPixelsPerJob;
            processingTimePerOutputSecond = l.processingTimePerOutputSecond;
            minProcessingTime = l.minProcessingTime;
        }

        /**
         * How many URLs a request may list (default 2 to 10); a request outside the range is refused with
         * {@link ErrorCode#INVALID_REQUEST} before it becomes a job.
         *
         * @param min the fewest, at least 1
         * @param max the most, at least {@code min}
         * @return this builder
         */
        public Builder clips(int min, int max) {
            this.minClips = min;
            this.maxClips = max;
            return this;
        }

        /**
         * The longest the inputs of one request may last together, counted on the lengths the probe proves from packets,
         * not on what headers claim (default 2 h); longer inputs fail {@link ErrorCode#INPUT_TOO_LONG} before anything is
         * decoded.
         *
         * @param d the total input length, positive
         * @return this builder
         */
        public Builder maxTotalDuration(Duration d) {
            this.maxTotalDuration = d;
            return this;
        }

        /**
         * The most bytes one download may have, counted on the bytes written, whatever a {@code Content-Length} says
         * (default 1 GiB); a larger input fails {@link ErrorCode#INPUT_TOO_LARGE}.
         *
         * @param bytes the byte cap of one input, positive and at most {@link #maxBytesPerJob(long)}
         * @return this builder
         */
        public Builder maxBytesPerFile(long bytes) {
            this.maxBytesPerFile = bytes;
            return this;
        }

        /**
         * The most bytes all downloads of one job may have together (default 4 GiB); past it the job fails
         * {@link ErrorCode#INPUT_TOO_LARGE}.
         *
         * @param bytes the byte cap of a job's inputs, at least {@link #maxBytesPerFile(long)}
         * @return this builder
         */
        public Builder maxBytesPerJob(long bytes) {
            this.maxBytesPerJob = bytes;
            return this;
        }

        /**
         * How long one download may take to connect, TCP and TLS together (default 10 s); longer fails
         * {@link ErrorCode#DOWNLOAD_TIMEOUT}.
         *
         * @param d the connect timeout, positive
         * @return this builder
         */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        /**
         * The longest a download may go without receiving a byte (default 30 s); a longer silence fails
         * {@link ErrorCode#DOWNLOAD_TIMEOUT}.
         *
         * @param d the read timeout, positive
         * @return this builder
         */
        public Builder readTimeout(Duration d) {
            this.readTimeout = d;
            return this;
        }

        /**
         * How long one download may take in all, redirects included (default 10 min); longer fails
         * {@link ErrorCode#DOWNLOAD_TIMEOUT}.
         *
         * @param d the overall deadline of one download, positive
         * @return this builder
         */
        public Builder downloadTimeout(Duration d) {
            this.downloadTimeout = d;
            return this;
        }

        /**
         * How many redirects a download follows, each new address checked like the first (default 5); one more fails
         * {@link ErrorCode#DOWNLOAD_FAILED}.
         *
         * @param n the redirects followed per URL, 0 for none
         * @return this builder
         */
        public Builder maxRedirects(int n) {
            this.maxRedirects = n;
            return this;
        }

        /**
         * The most pixels a decoded video frame may have, width × height (default 4096 × 4096); a larger input is refused
         * at probe with {@link ErrorCode#UNSUPPORTED_CODEC}, and the decoder is held to the same cap.
         *
         * @param pixels the pixel cap of one frame, positive
         * @return this builder
         */
        public Builder maxPixels(long pixels) {
            this.maxPixels = pixels;
            return this;
        }

        /**
         * The most streams an input may have (default 16); libavformat refuses to open one with more, and the input fails
         * {@link ErrorCode#INVALID_MEDIA}.
         *
         * @param n the stream cap, positive
         * @return this builder
         */
        public Builder maxStreams(int n) {
            this.maxStreams = n;
            return this;
        }

        /**
         * How many bytes libavformat may read to find an input's streams (its {@code probesize}; default 5,000,000).
         *
         * @param bytes the probe size, positive
         * @return this builder
         */
        public Builder probeSizeBytes(long bytes) {
            this.probeSizeBytes = bytes;
            return this;
        }

        /**
         * How much media time libavformat may read to find an input's streams (its {@code analyzeduration}; default 10 s).
         *
         * @param d the analyse duration, positive
         * @return this builder
         */
        public Builder analyzeDuration(Duration d) {
            this.analyzeDuration = d;
            return this;
        }

        /**
         * The libavformat demuxers an input may be opened with, by their FFmpeg names (for example
         * {@code "mov,mp4,m4a,3gp,3g2,mj2"}); an input of another container fails {@link ErrorCode#INVALID_MEDIA}
         * (default {@link Limits#DEFAULT_CONTAINERS}).
         *
         * @param names the demuxer names, copied
         * @return this builder
         */
        public Builder allowedContainers(Set<String> names) {
            this.allowedContainers = names;
            return this;
        }

        /**
         * The libavcodec decoders an input stream may be decoded with, by their FFmpeg names (for example {@code "h264"});
         * an input that needs another fails {@link ErrorCode#UNSUPPORTED_CODEC} (default {@link Limits#DEFAULT_DECODERS}).
         *
         * @param names the decoder names, copied
         * @return this builder
         */
        public Builder allowedDecoders(Set<String> names) {
            this.allowedDecoders = names;
            return this;
        }

        /**
         * Whether URLs may point at the loopback addresses 127.0.0.0/8 and ::1 (default false): for local development
         * and tests only. Private, link-local and cloud metadata addresses stay forbidden whatever this says.
         *
         * @param allow whether loopback URLs are fetched
         * @return this builder
         */
        public Builder allowLoopbackUrls(boolean allow) {
            this.allowLoopbackUrls = allow;
            return this;
        }

        /**
         * The share of a stream's packets that may fail to decode (skipped and counted) before the input is
         * refused as partly undecodable, {@link ErrorCode#INVALID_MEDIA} (default 0.02); 0 refuses on the second bad
         * packet of a stream.
         *
         * @param share the share, from 0 up to but excluding 1
         * @return this builder
         */
        public Builder maxUndecodableShare(double share) {
            this.maxUndecodableShare = share;
            return this;
        }

        /**
         * The download speed floor: a download averaging fewer than {@code bytesPerSecond} over {@code window}
         * fails {@link ErrorCode#DOWNLOAD_TIMEOUT}; 0 turns the floor off (default 64 KiB/s over 30 s).
         *
         * @param bytesPerSecond the slowest average speed, 0 or more
         * @param window         the span the speed is averaged over, positive
         * @return this builder
         */
        public Builder minDownloadSpeed(long bytesPerSecond, Duration window) {
            this.minDownloadBytesPerSecond = bytesPerSecond;
            this.lowSpeedWindow = window;
            return this;
        }

        /**
         * The most decoded pixels per second of one input, width × height × frame rate, checked at probe (default
         * 4096 × 2304 at 60 fps, a phone's 4K60); a costlier input fails {@link ErrorCode#INPUT_TOO_LARGE}.
         *
         * @param pixelsPerSecond the pixel-rate cap of one input, positive
         * @return this builder
         */
        public Builder maxDecodedPixelRate(long pixelsPerSecond) {
            this.maxDecodedPixelRate = pixelsPerSecond;
            return this;
        }

        /**
         * The most decoded pixels of all inputs of one job together, width × height × frames, checked at probe
         * (default two hours of 1080p at 30 fps); past it the job fails {@link ErrorCode#INPUT_TOO_LARGE} naming the
         * input where the total passed the cap.
         *
         * @param pixels the pixel cap of one job, positive
         * @return this builder
         */
        public Builder maxDecodedPixelsPerJob(long pixels) {
            this.maxDecodedPixelsPerJob = pixels;
            return this;
        }

        /**
         * The processing deadline of a merge's media step: {@code perOutputSecond} for each second of output, at
         * least {@code minimum} (default 5 s and 2 min); a merge past it fails {@link ErrorCode#PROCESSING_TIMEOUT}.
         *
         * @param perOutputSecond the time earned per second of output, positive
         * @param minimum         the deadline of a short output, positive
         * @return this builder
         * @see Limits#processingDeadline(double)
         */
        public Builder processingDeadline(Duration perOutputSecond, Duration minimum) {
            this.processingTimePerOutputSecond = perOutputSecond;
            this.minProcessingTime = minimum;
            return this;
        }

        /**
         * {@return the limits}
         *
         * @throws IllegalArgumentException when a value is out of range, as {@link Limits#Limits} describes
         */
        public Limits build() {
            return new Limits(
                    minClips,
                    maxClips,
                    maxTotalDuration,
                    maxBytesPerFile,
                    maxBytesPerJob,
                    connectTimeout,
                    readTimeout,
                    downloadTimeout,
                    maxRedirects,
                    maxPixels,
                    maxStreams,
                    probeSizeBytes,
                    analyzeDuration,
                    allowedContainers,
                    allowedDecoders,
                    allowLoopbackUrls,
                    maxUndecodableShare,
                    minDownloadBytesPerSecond,
                    lowSpeedWindow,
                    maxDecodedPixelRate,
                    maxDecodedPixelsPerJob,
                    processingTimePerOutputSecond,
                    minProcessingTime);
        }
    }
}
