package io.videomerge.internal;

import io.videomerge.ErrorCode;
import io.videomerge.FetchException;
import io.videomerge.InvalidRequestException;
import io.videomerge.Limits;
import java.net.URI;

/** Stand-in until the fetch stage lands: URL checks and downloads go through it. */
final class UrlDownloads {
    private UrlDownloads() {
    }

    static MergePipeline.Download create(Limits limits) {
        return (url, index, jobDir) -> {
            throw new FetchException(ErrorCode.DOWNLOAD_FAILED, "input " + index + " could not be downloaded", index);
        };
    }

    static void check(URI url, int index, Limits limits) {
        String scheme = url.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new InvalidRequestException(ErrorCode.UNSUPPORTED_SCHEME, "video_urls[" + index + "] must be http or https");
        }
    }
}
