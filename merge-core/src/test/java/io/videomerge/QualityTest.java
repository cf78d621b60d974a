package io.videomerge;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
