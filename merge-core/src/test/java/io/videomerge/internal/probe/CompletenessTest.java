package io.videomerge.internal.probe;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.ErrorCode;
import io.videomerge.MediaException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Completeness")
class CompletenessTest {

    @Test
    @DisplayName("a short clip may fall up to one second short of its index, a long one up to a tenth")
    void toleranceIsOneSecondOrATenth() {
        assertAll(
                () -> assertFalse(Completeness.isCutShort(3.0, 4.0)),
                () -> assertTrue(Completeness.isCutShort(2.9, 4.0)),
                () -> assertFalse(Completeness.isCutShort(90.0, 100.0)),
                () -> assertTrue(Completeness.isCutShort(89.0, 100.0)));
    }

    @Test
    @DisplayName("without an index there is no promise to fall short of")
    void unknownPromiseIsNeverCutShort() {
        assertAll(
                () -> assertFalse(Completeness.isCutShort(0.5, Double.NaN)),
                () -> assertFalse(Completeness.isCutShort(0.5, 0)),
                () -> assertFalse(Completeness.isCutShort(0.5, Double.POSITIVE_INFINITY)));
    }

    @Test
    @DisplayName("a stream may always lose one packet, and beyond that only its share")
    void damageAllowance() {
        assertAll(
                () -> assertFalse(Completeness.isTooDamaged(1, 1, 0.02)),
                () -> assertTrue(Completeness.isTooDamaged(2, 10, 0.02)),
                () -> assertFalse(Completeness.isTooDamaged(2, 100, 0.02)),
                () -> assertTrue(Completeness.isTooDamaged(3, 100, 0.02)),
                () -> assertTrue(Completeness.isTooDamaged(2, 2, 0)));
    }

    @Test
    @DisplayName("a cut input is refused as INVALID_MEDIA naming it, in the words every path uses")
    void refusalNamesTheInput() {
        MediaException e = assertThrows(MediaException.class, () -> Completeness.requireWhole(4, 1.0, 4.0));
        assertAll(
                () -> assertEquals(ErrorCode.INVALID_MEDIA, e.code()),
                () -> assertEquals(4, e.inputIndex().orElseThrow()),
                () -> assertEquals("input 4 is truncated or partly undecodable", e.getMessage()));
    }
}
