package io.videomerge.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.ErrorCode;
import io.videomerge.FetchException;
import io.videomerge.InvalidRequestException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeService;
import io.videomerge.TaskId;
import io.videomerge.Webhooks;
import io.videomerge.upload.FileSystemUploader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the public service does with callback URLs and webhook settings, before anything is delivered. */
@DisplayName("MergeService with webhooks")
class WebhookSettingsTest {
    private static final Webhooks WEBHOOKS = Webhooks.signedWith("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    private static final MergeRequest REQUEST = MergeRequest.of(
            List.of(URI.create("https://media.example.com/a.mp4"), URI.create("https://media.example.com/b.mp4")));

    @TempDir
    Path dir;

    private MergeService.Builder builder(InMemoryJobStore store) {
        return MergeService.builder()
                .uploader(new FileSystemUploader(dir.resolve("out"), URI.create("https://cdn.example.com/")))
                .workDirectory(dir.resolve("work"))
                .jobStore(store)
                .mergeConcurrency(0);
    }

    @Test
    @DisplayName("a callback URL to a forbidden address is refused at submit, naming callback_url, and records nothing")
    void forbiddenCallbackRefusedAtSubmit() {
        try (InMemoryJobStore store = new InMemoryJobStore();
                MergeService service = builder(store).webhooks(WEBHOOKS).build()) {
            for (String url :
                    List.of("http://169.254.169.254/latest/meta-data", "http://10.0.0.1/hook", "http://[::1]/")) {
                FetchException e = assertThrows(
                        FetchException.class, () -> service.submit(REQUEST.withCallbackUrl(URI.create(url))));
                assertEquals(ErrorCode.URL_FORBIDDEN, e.code(), url);
                assertTrue(e.getMessage().startsWith("callback_url: "), e.getMessage());
                assertEquals(OptionalInt.empty(), e.inputIndex());
            }
            FetchException scheme = assertThrows(
                    FetchException.class,
                    () -> service.submit(REQUEST.withCallbackUrl(URI.create("ftp://hooks.example.com/"))));
            assertEquals(ErrorCode.UNSUPPORTED_SCHEME, scheme.code());
            assertEquals(0, store.countPending());

            TaskId accepted = service.submit(REQUEST.withCallbackUrl(URI.create("https://hooks.example.com/m?t=1")));
            assertEquals(
                    Optional.of(URI.create("https://hooks.example.com/m?t=1")),
                    store.find(accepted).orElseThrow().request().callbackUrl());
            assertTrue(store.find(accepted).orElseThrow().delivery().isPresent());
        }
    }

    @Test
    @DisplayName("without webhooks a callback URL is refused with INVALID_REQUEST, and merge() refuses one always")
    void callbackNeedsWebhooks() {
        try (InMemoryJobStore store = new InMemoryJobStore();
                MergeService without = builder(store).build();
                MergeService with = builder(store).webhooks(WEBHOOKS).build()) {
            MergeRequest request = REQUEST.withCallbackUrl(URI.create("https://hooks.example.com/m"));

            InvalidRequestException refused =
                    assertThrows(InvalidRequestException.class, () -> without.submit(request));
            assertEquals(ErrorCode.INVALID_REQUEST, refused.code());
            assertTrue(refused.getMessage().contains("sends no webhooks"), refused.getMessage());
            assertThrows(InvalidRequestException.class, () -> with.merge(request));
            assertEquals(0, store.countPending());
            assertFalse(
                    store.find(without.submit(REQUEST)).orElseThrow().delivery().isPresent());
        }
    }

    @Test
    @DisplayName("the builder refuses webhooks without a store, a forbidden default URL, and a retention shorter than"
            + " the webhooks' maximum age")
    void builderChecks() {
        try (InMemoryJobStore store = new InMemoryJobStore()) {
            assertThrows(
                    IllegalStateException.class,
                    () -> MergeService.builder()
                            .uploader(
                                    new FileSystemUploader(dir.resolve("out"), URI.create("https://cdn.example.com/")))
                            .webhooks(WEBHOOKS)
                            .build());
            IllegalArgumentException forbidden = assertThrows(
                    IllegalArgumentException.class,
                    () -> builder(store)
                            .webhooks(WEBHOOKS.withDefaultCallbackUrl(URI.create("http://192.168.1.10/hooks")))
                            .build());
            assertTrue(forbidden.getMessage().contains("callback_url"), forbidden.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> builder(store)
                            .retention(Duration.ofHours(12))
                            .webhooks(WEBHOOKS)
                            .build());
            builder(store)
                    .retention(Duration.ofHours(12))
                    .webhooks(WEBHOOKS.withMaxAge(Duration.ofHours(12)))
                    .build()
                    .close();
        }
    }
}
