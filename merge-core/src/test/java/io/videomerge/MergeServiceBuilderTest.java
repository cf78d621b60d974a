package io.videomerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.videomerge.upload.FileSystemUploader;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeServiceBuilderTest {
    @TempDir
    Path dir;

    private MergeService service(Limits limits) {
        return MergeService.builder()
                .limits(limits)
                .uploader(new FileSystemUploader(dir.resolve("out"), URI.create("http://files.invalid/")))
                .workDirectory(dir.resolve("work"))
                .build();
    }

    private static List<URI> urls(int n) {
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> URI.create("https://example.com/clip-" + i + ".mp4"))
                .toList();
    }

    @Test
    @DisplayName("a service needs an uploader")
    void uploaderIsRequired() {
        assertThrows(IllegalStateException.class, () -> MergeService.builder().build());
        assertThrows(NullPointerException.class, () -> MergeService.builder().uploader(null));
    }

    @Test
    @DisplayName("validate refuses too few and too many clips with INVALID_REQUEST, naming the limits")
    void clipCountIsChecked() {
        try (MergeService service = service(Limits.builder().clips(2, 3).build())) {
            MergeException few = assertThrows(MergeException.class, () -> service.validate(MergeRequest.of(urls(1))));
            assertEquals(ErrorCode.INVALID_REQUEST, few.code());
            MergeException many = assertThrows(MergeException.class, () -> service.validate(MergeRequest.of(urls(4))));
            assertEquals(ErrorCode.INVALID_REQUEST, many.code());
            service.validate(MergeRequest.of(urls(3)));
        }
    }

    @Test
    @DisplayName("validate and merge refuse a URL that is not http or https before anything runs, naming its index")
    void schemeIsChecked() {
        try (MergeService service = service(Limits.defaults())) {
            MergeRequest request =
                    MergeRequest.of(List.of(URI.create("https://example.com/a.mp4"), URI.create("file:///etc/passwd")));
            MergeException e = assertThrows(MergeException.class, () -> service.validate(request));
            assertEquals(ErrorCode.UNSUPPORTED_SCHEME, e.code());
            assertEquals(
                    ErrorCode.UNSUPPORTED_SCHEME,
                    assertThrows(MergeException.class, () -> service.merge(request))
                            .code());
        }
    }

    @Test
    @DisplayName(
            "validate and merge refuse a port outside 1 to 65535 with INVALID_REQUEST before anything runs, naming its index")
    void portIsChecked() {
        try (MergeService service = service(Limits.defaults())) {
            for (String port : List.of("65536", "99999999999")) {
                MergeRequest request = MergeRequest.of(List.of(
                        URI.create("https://example.com/a.mp4"), URI.create("http://example.com:" + port + "/b.mp4")));
                MergeException e = assertThrows(MergeException.class, () -> service.validate(request));
                assertEquals(ErrorCode.INVALID_REQUEST, e.code(), e.getMessage());
                assertEquals("Input 1: the URL's port is not a number from 1 to 65535", e.getMessage());
                assertEquals(
                        ErrorCode.INVALID_REQUEST,
                        assertThrows(MergeException.class, () -> service.merge(request))
                                .code());
            }
        }
    }

    @Test
    @DisplayName("without a job store the asynchronous methods say what is missing")
    void asynchronousMethodsNeedAJobStore() {
        try (MergeService service = service(Limits.defaults())) {
            UnsupportedOperationException e =
                    assertThrows(UnsupportedOperationException.class, () -> service.submit(MergeRequest.of(urls(2))));
            assertEquals("asynchronous jobs need a JobStore", e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> service.status(TaskId.random()));
        }
    }
}
