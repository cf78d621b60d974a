package io.videomerge.server;

import io.videomerge.MergeService;
import java.net.URI;
import java.nio.file.Path;

/** Builds the {@link MergeService} and its job store from the server's settings. */
final class ServiceFactory {
    private ServiceFactory() {
    }

    /** Where merged files go; served under {@code /files/}. */
    static Path filesFolder(ServerConfig config) {
        return config.dataDir().resolve("files");
    }

    /** Where each job's downloads and intermediate files live while it runs. */
    static Path workFolder(ServerConfig config) {
        return config.dataDir().resolve("work");
    }

    /** The URL merged files are published under: the public URL plus {@code /files/}. */
    static URI filesUrl(URI publicUrl) {
        String base = publicUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + MergeServer.FILES_PATH + "/");
    }

    static MergeService create(ServerConfig config, URI publicUrl) {
        throw new IllegalStateException("MergeService.builder() is not on main yet");
    }
}
