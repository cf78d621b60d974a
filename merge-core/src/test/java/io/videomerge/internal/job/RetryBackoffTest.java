package io.videomerge.internal.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

    @Test
    @DisplayName("without jitter the wait doubles per attempt up to the cap")
    void doublesUpToCap() {
        RetryBackoff b = new RetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(10), 0);
        SplittableRandom random = new SplittableRandom(1);
        assertEquals(Duration.ofSeconds(2), b.delay(1, random));
        assertEquals(Duration.ofSeconds(4), b.delay(2, random));
        assertEquals(Duration.ofSeconds(8), b.delay(3, random));
        assertEquals(Duration.ofSeconds(10), b.delay(4, random));
        assertEquals(Duration.ofSeconds(10), b.delay(1000, random), "no overflow for many attempts");
    }

    @Test
    @DisplayName("jitter takes a random share off each wait, never more than its fraction")
    void jitterStaysWithinItsShare() {
        RetryBackoff b = new RetryBackoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 0.5);
        SplittableRandom random = new SplittableRandom(7);
        long distinct = java.util.stream.IntStream.range(0, 200)
                .mapToObj(i -> b.delay(3, random))
                .peek(d -> assertTrue(d.toMillis() >= 2000 && d.toMillis() <= 4000, d.toString()))
                .distinct()
                .count();
        assertTrue(distinct > 50, "waits must spread, got " + distinct + " distinct values");
    }

    @Test
    @DisplayName("nonsensical settings are refused")
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new RetryBackoff(Duration.ZERO, Duration.ofSeconds(1), 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> new RetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.5));
        RetryBackoff ok = RetryBackoff.DEFAULT;
        assertThrows(IllegalArgumentException.class, () -> ok.delay(0, new SplittableRandom()));
    }
}
