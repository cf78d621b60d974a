package io.videomerge.http;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.AspectRatio;
import io.videomerge.ErrorCode;
import io.videomerge.Fit;
import io.videomerge.InvalidRequestException;
import io.videomerge.Quality;
import io.videomerge.Speed;
import io.videomerge.TaskStatus;
import io.videomerge.Transition;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the HTTP contract's words for the library's values")
class WireNamesTest {
    @Test
    @DisplayName("every value has its word and reads back from it")
    void roundTrip() {
        for (Quality q : Quality.values()) {
            assertEquals(q, WireNames.quality(WireNames.of(q)));
        }
        for (AspectRatio r : AspectRatio.values()) {
            assertEquals(r, WireNames.aspectRatio(WireNames.of(r)));
        }
        for (Fit f : Fit.values()) {
            assertEquals(f, WireNames.fit(WireNames.of(f)));
        }
        for (Speed s : Speed.values()) {
            assertEquals(s, WireNames.speed(WireNames.of(s)));
        }
        assertAll(
                () -> assertEquals("720", WireNames.of(Quality.P720)),
                () -> assertEquals("9:16", WireNames.of(AspectRatio.PORTRAIT_9_16)),
                () -> assertEquals("crop", WireNames.of(Fit.CROP)),
                () -> assertEquals("none", WireNames.of(Transition.Kind.NONE)),
                () -> assertEquals("balanced", WireNames.of(Speed.BALANCED)),
                () -> assertEquals("completed", WireNames.of(TaskStatus.Status.COMPLETED)));
    }

    @Test
    @DisplayName("an unknown word is refused with the allowed words named, quoted and cut short")
    void unknownWordNamesAllowedOnes() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> WireNames.quality("4k"));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertEquals("quality must be one of \"480\", \"720\", \"1080\", \"2160\", got \"4k\"", e.getMessage());
        InvalidRequestException ratio =
                assertThrows(InvalidRequestException.class, () -> WireNames.aspectRatio("2:1\n" + "x".repeat(60)));
        assertTrue(ratio.getMessage().endsWith("got \"2:1?xxxxxxxxxxxxxxxxxxxxxxxxxxxx...\""), ratio.getMessage());
    }

    @Test
    @DisplayName("a transition reads its kind and duration with the contract's defaults and limits")
    void transitions() {
        assertAll(
                () -> assertEquals(Transition.DEFAULT, WireNames.transition(null, null)),
                () -> assertEquals(Transition.none(), WireNames.transition("none", null)),
                () -> assertEquals(Transition.fade(Duration.ofMillis(1500)), WireNames.transition("fade", 1.5)),
                () -> assertThrows(InvalidRequestException.class, () -> WireNames.transition("none", 1.0)),
                () -> assertThrows(InvalidRequestException.class, () -> WireNames.transition("fade", 11.0)),
                () -> assertThrows(InvalidRequestException.class, () -> WireNames.transition("wipe", null)));
    }
}
