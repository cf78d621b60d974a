package io.videomerge.upload;

import static java.util.Objects.requireNonNull;

import io.videomerge.spi.Uploader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/**
 * An {@link Uploader} that moves merged files into a folder that some web server serves under a public
 * base URL (merge-server serves it itself). Deletes a file again once its task is purged ({@link #delete}).
 */
public final class FileSystemUploader implements Uploader {
    private static final Pattern SAFE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,127}\\.mp4");

    private final Path folder;
    private final URI baseUrl;

    /**
     * An uploader that moves files into {@code folder} and names them under {@code baseUrl}.
     *
     * @param folder  where files go; created at the first upload if missing
     * @param baseUrl the public URL of that folder, for example {@code https://cdn.example.com/merged/}
     */
    public FileSystemUploader(Path folder, URI baseUrl) {
        this.folder = requireNonNull(folder, "folder").toAbsolutePath();
        requireNonNull(baseUrl, "baseUrl");
        String base = baseUrl.toString();
        this.baseUrl = URI.create(base.endsWith("/") ? base : base + "/");
    }

    /** {@return the folder files are stored in, as an absolute path} */
    public Path folder() {
        return folder;
    }

    @Override
    public URI upload(Path file, String name) throws IOException {
        requireNonNull(file, "file");
        if (name == null || !SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("unsafe file name");
        }
        Files.createDirectories(folder);
        Path tmp = Files.createTempFile(folder, ".upload-", ".part");
        try {
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return baseUrl.resolve(name);
    }

    /**
     * Deletes the file behind {@code url} when the URL is one this uploader returns (its base URL followed by a
     * safe file name); any other URL is left alone.
     */
    @Override
    public boolean delete(URI url) throws IOException {
        requireNonNull(url, "url");
        String text = url.toString();
        String base = baseUrl.toString();
        if (!text.startsWith(base)) {
            return false;
        }
        String name = text.substring(base.length());
        if (!SAFE_NAME.matcher(name).matches()) {
            return false;
        }
        return Files.deleteIfExists(folder.resolve(name));
    }
}
