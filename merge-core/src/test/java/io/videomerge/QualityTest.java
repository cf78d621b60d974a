package io.videomerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class QualityTest {

    @Test
    @DisplayName("the canvas table of the HTTP contract is exact for 720 and 1080")
    void canvasTableMatchesTheContract() {
        assertEquals(new Canvas(1280, 720), Quality.P720.canvas(AspectRatio.LANDSCAPE_16_9));
        assertEquals(new Canvas(720, 1280), Quality.P720.canvas(AspectRatio.PORTRAIT_9_16));
        assertEquals(new Canvas(720, 720), Quality.P720.canvas(AspectRatio.SQUARE_1_1));
        assertEquals(new Canvas(1920, 1080), Quality.P1080.canvas(AspectRatio.LANDSCAPE_16_9));
        assertEquals(new Canvas(1080, 1920), Quality.P1080.canvas(AspectRatio.PORTRAIT_9_16));
        assertEquals(new Canvas(1080, 1080), Quality.P1080.canvas(AspectRatio.SQUARE_1_1));
    }

    @Test
    @DisplayName("the added sizes round the long side to an even number")
    void addedSizesAreEven() {
        assertEquals(new Canvas(854, 480), Quality.P480.canvas(AspectRatio.LANDSCAPE_16_9));
        assertEquals(new Canvas(3840, 2160), Quality.P2160.canvas(AspectRatio.LANDSCAPE_16_9));
        assertEquals(new Canvas(1080, 1350), Quality.P1080.canvas(AspectRatio.PORTRAIT_4_5));
        assertEquals(new Canvas(720, 900), Quality.P720.canvas(AspectRatio.PORTRAIT_4_5));
    }

    @Test
    @DisplayName("an unknown wire value is refused with the allowed values named")
    void unknownWireValueNamesAllowedValues() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> Quality.fromWire("4k"));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertTrue(e.getMessage().contains("\"720\""), e.getMessage());
        assertEquals(Quality.P720, Quality.fromWire("720"));
        assertEquals(AspectRatio.PORTRAIT_9_16, AspectRatio.fromWire("9:16"));
        assertThrows(InvalidRequestException.class, () -> AspectRatio.fromWire("2:1"));
    }
}
