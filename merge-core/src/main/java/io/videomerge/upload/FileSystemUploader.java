package io.videomerge.upload;

import static java.util.Objects.requireNonNull;

import io.videomerge.internal.job.FileTrees;
import io.videomerge.spi.Uploader;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An {@link Uploader} that moves merged files into a folder that some web server serves under a public
 * base URL (merge-server serves it itself). Deletes a file again once its task is purged ({@link #delete}).
 *
 * <p>Published files get a POSIX mode, by default read and write for the owner alone (0600, {@link #OWNER_ONLY}):
 * a merged video is user data. The mode is given to the file when it is created, before any byte is written, and
 * set once more right after (the umask may take bits from a mode asked for at creation), so the file is never
 * readable by others, not even while it is being written. The folder, when this creates it, gets the same
 * permissions plus the right to enter it wherever the file mode lets read ({@code 0700} for {@code 0600},
 * {@code 0750} for {@code 0640}); a folder that exists keeps its mode. On a file system without POSIX permissions
 * (Windows) files and folders take the file system's defaults and the mode is not applied.
 *
 * <p>With {@link #withSignedUrls} the URLs it returns carry an expiry and a signature ({@link UrlSigner}), for a
 * server of the folder that checks them (merge-server does).
 */
public final class FileSystemUploader implements Uploader {
    /** The default mode of published files: read and write for the owner alone (0600). */
    public static final Set<PosixFilePermission> OWNER_ONLY = Set.copyOf(PosixFilePermissions.fromString("rw-------"));

    private static final Pattern SAFE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,127}\\.(mp4|jpg)");
    private static final Pattern OCTAL_MODE = Pattern.compile("0?[0-7]{3}");
    /** What a mode may grant: the owner must read and write; others may only read. */
    private static final Set<PosixFilePermission> GRANTABLE = EnumSet.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.OTHERS_READ);

    private final Path folder;
    private final URI baseUrl;
    private final Set<PosixFilePermission> fileMode;
    private final Optional<Signing> signing;

    private record Signing(UrlSigner signer, Duration validity) {}

    /**
     * An uploader that moves files into {@code folder}, with mode 0600, and names them under {@code baseUrl}.
     *
     * @param folder  where files go; created at the first upload if missing
     * @param baseUrl the public URL of that folder, for example {@code https://cdn.example.com/merged/}
     */
    public FileSystemUploader(Path folder, URI baseUrl) {
        this(
                requireNonNull(folder, "folder").toAbsolutePath(),
                withSlash(requireNonNull(baseUrl, "baseUrl")),
                OWNER_ONLY,
                Optional.empty());
    }

    private FileSystemUploader(Path folder, URI baseUrl, Set<PosixFilePermission> fileMode, Optional<Signing> signing) {
        this.folder = folder;
        this.baseUrl = baseUrl;
        this.fileMode = fileMode;
        this.signing = signing;
    }

    private static URI withSlash(URI baseUrl) {
        String base = baseUrl.toString();
        return URI.create(base.endsWith("/") ? base : base + "/");
    }

    /**
     * A copy that publishes files with {@code mode}, for example {@code PosixFilePermissions.fromString("rw-r-----")}
     * for a web server that reads them as a member of the owner's group.
     *
     * @param mode the permissions of each published file
     * @return an uploader like this one whose files get {@code mode}
     * @throws IllegalArgumentException when the mode does not let the owner read and write, or lets anyone
     *                                  execute, or lets anyone but the owner write
     */
    public FileSystemUploader withFileMode(Set<PosixFilePermission> mode) {
        return new FileSystemUploader(folder, baseUrl, checkMode(mode), signing);
    }

    /**
     * A copy whose {@link #upload} returns URLs signed by {@code signer} that expire {@code validity} after the
     * upload. {@link #delete} still recognises them (by their path; the signature need not hold).
     *
     * @param signer   signs each URL {@link #upload} returns
     * @param validity how long after the upload a URL works
     * @return an uploader like this one whose URLs are signed
     * @throws IllegalArgumentException when the validity is not positive
     */
    public FileSystemUploader withSignedUrls(UrlSigner signer, Duration validity) {
        requireNonNull(signer, "signer");
        requireNonNull(validity, "validity");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive: " + validity);
        }
        return new FileSystemUploader(folder, baseUrl, fileMode, Optional.of(new Signing(signer, validity)));
    }

    /**
     * The file mode an octal text such as {@code 600} or {@code 0640} stands for, checked as {@link #withFileMode}
     * checks it (for settings read from text).
     *
     * @param octal three octal digits, optionally after a leading zero
     * @return the permissions those digits stand for
     * @throws IllegalArgumentException when the text is not an octal mode or the mode is refused
     */
    public static Set<PosixFilePermission> parseFileMode(String octal) {
        requireNonNull(octal, "octal");
        if (!OCTAL_MODE.matcher(octal).matches()) {
            throw new IllegalArgumentException("a file mode is three octal digits such as 600 or 640: " + octal);
        }
        int bits = Integer.parseInt(octal, 8);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ (0400) ... OTHERS_EXECUTE (0001)
        Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < all.length; i++) {
            if ((bits & (1 << (all.length - 1 - i))) != 0) {
                mode.add(all[i]);
            }
        }
        return checkMode(mode);
    }

    private static Set<PosixFilePermission> checkMode(Set<PosixFilePermission> mode) {
        requireNonNull(mode, "mode");
        Set<PosixFilePermission> copy = Set.copyOf(mode);
        if (!copy.contains(PosixFilePermission.OWNER_READ) || !copy.contains(PosixFilePermission.OWNER_WRITE)) {
            throw new IllegalArgumentException(
                    "the file mode must let the owner read and write: " + PosixFilePermissions.toString(copy));
        }
        if (!GRANTABLE.containsAll(copy)) {
            throw new IllegalArgumentException("the file mode may let no one execute, and only the owner write: "
                    + PosixFilePermissions.toString(copy));
        }
        return copy;
    }

    /** {@return the folder files are stored in, as an absolute path} */
    public Path folder() {
        return folder;
    }

    /** {@return the mode published files get (0600 unless {@link #withFileMode} said otherwise)} */
    public Set<PosixFilePermission> fileMode() {
        return fileMode;
    }

    /**
     * Whether {@code name} is a name this uploader publishes files under ({@code [a-z0-9-]+\.mp4} for videos,
     * {@code [a-z0-9-]+\.jpg} for posters): what a server
     * of the folder serves, and nothing else (never the temporary files of an upload in progress).
     *
     * @param name a file name, or null
     * @return whether files are published under that name
     */
    public static boolean isPublishedName(String name) {
        return name != null && SAFE_NAME.matcher(name).matches();
    }

    /**
     * Creates the folder when it is missing, with the folder mode the file mode implies; {@link #upload} does it
     * too, a server of the folder calls it before it starts.
     *
     * @return the folder
     * @throws IOException when it cannot be created
     */
    public Path createFolder() throws IOException {
        return FileTrees.createDirectories(folder, folderMode(fileMode));
    }

    /** The file mode, plus the right to enter wherever it lets read. */
    private static Set<PosixFilePermission> folderMode(Set<PosixFilePermission> fileMode) {
        Set<PosixFilePermission> mode = EnumSet.copyOf(fileMode);
        mode.add(PosixFilePermission.OWNER_EXECUTE);
        if (fileMode.contains(PosixFilePermission.GROUP_READ)) {
            mode.add(PosixFilePermission.GROUP_EXECUTE);
        }
        if (fileMode.contains(PosixFilePermission.OTHERS_READ)) {
            mode.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        return mode;
    }

    @Override
    public URI upload(Path file, String name) throws IOException {
        requireNonNull(file, "file");
        if (!isPublishedName(name)) {
            throw new IllegalArgumentException("unsafe file name");
        }
        createFolder();
        boolean posix = FileTrees.isPosix(folder);
        Path tmp = posix
                ? Files.createTempFile(folder, ".upload-", ".part", PosixFilePermissions.asFileAttribute(fileMode))
                : Files.createTempFile(folder, ".upload-", ".part");
        try {
            if (posix) {
                // The umask may have taken bits from the mode asked for at creation; nothing is written yet.
                Files.setPosixFilePermissions(tmp, fileMode);
            }
            // Into the file made above: Files.copy would create a new one with the source's mode.
            copy(file, tmp);
            Files.move(tmp, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        URI url = baseUrl.resolve(name);
        return signing.map(s -> s.signer().sign(url, s.validity())).orElse(url);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
                FileChannel out =
                        FileChannel.open(to, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = in.size();
            for (long done = 0; done < size; ) {
                long n = in.transferTo(done, size - done, out);
                if (n <= 0) {
                    throw new IOException("the merged file ended before its size");
                }
                done += n;
            }
        }
    }

    /**
     * Deletes the file behind {@code url} when the URL is one this uploader returns (its base URL followed by a
     * safe file name, with or without a query such as a signature); any other URL is left alone.
     */
    @Override
    public boolean delete(URI url) throws IOException {
        requireNonNull(url, "url");
        String text = url.toString();
        int query = text.indexOf('?');
        if (query >= 0) {
            text = text.substring(0, query);
        }
        String base = baseUrl.toString();
        if (!text.startsWith(base)) {
            return false;
        }
        String name = text.substring(base.length());
        if (!isPublishedName(name)) {
            return false;
        }
        return Files.deleteIfExists(folder.resolve(name));
    }
}
