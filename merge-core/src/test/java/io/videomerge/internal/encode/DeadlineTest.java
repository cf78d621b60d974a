package io.videomerge.internal.encode;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MergeException;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Deadline")
class DeadlineTest {

    @Test
    @DisplayName("passes while the merge is within the time its output earns")
    void withinTheDeadlineNothingHappens() {
        Deadline deadline = new Deadline(System.nanoTime(), Duration.ofDays(1), 12);
        assertDoesNotThrow(deadline::check);
    }

    @Test
    @DisplayName(
            "once passed, fails PROCESSING_TIMEOUT, not retryable, saying the deadline and the output it was earned by")
    void passedDeadlineIsFinal() {
        Duration twoMinutes = Limits.defaults().processingDeadline(12.0);
        Deadline deadline = new Deadline(System.nanoTime() - twoMinutes.toNanos() - 1, twoMinutes, 12.0);
        MergeException e = assertThrows(MergeException.class, deadline::check);
        assertAll(
                () -> assertEquals(ErrorCode.PROCESSING_TIMEOUT, e.code()),
                () -> assertFalse(e.isRetryable()),
                () -> assertFalse(e.inputIndex().isPresent()),
                () -> assertEquals(
                        "the merge took longer than the 2m deadline its 12.0 s of output allow", e.getMessage()));
    }

    @Test
    @DisplayName("a deadline too long for nanoseconds never passes instead of overflowing")
    void hugeDeadlineSaturates() {
        Deadline deadline = new Deadline(System.nanoTime(), Duration.ofSeconds(Long.MAX_VALUE), 1);
        assertDoesNotThrow(deadline::check);
    }

    @Test
    @DisplayName("names durations the way a person writes them")
    void describesDurations() {
        assertAll(
                () -> assertEquals("2m", Deadline.describe(Duration.ofMinutes(2))),
                () -> assertEquals("1h 30m", Deadline.describe(Duration.ofMinutes(90))),
                () -> assertEquals("1h 1s", Deadline.describe(Duration.ofSeconds(3601))),
                () -> assertEquals("45s", Deadline.describe(Duration.ofSeconds(45))),
                () -> assertEquals("250ms", Deadline.describe(Duration.ofMillis(250))),
                () -> assertEquals("<1ms", Deadline.describe(Duration.ofNanos(1))));
    }

    @Test
    @DisplayName("refuses a deadline that is no time at all")
    void refusesNonPositive() {
        assertThrows(IllegalArgumentException.class, () -> new Deadline(0, Duration.ZERO, 1));
        assertThrows(NullPointerException.class, () -> new Deadline(0, null, 1));
    }
}
